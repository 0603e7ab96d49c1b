"""Generated annexes: tables rendered from data (communes, équipements, plan d'actions, glossary).

The data are prepared here (lookups, grouping, numbering); their layout is in
templates/annexes/<contenu>.md.j2, so legal staff can restyle a table without
touching code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..core.diagnostics import Diagnostics
from ..core.french import sigle_forms
from ..sources.corpus import AnnexSource, ConventionSource, Corpus
from ..sources.schemas import Equipement, Fiche, TypeEquipement
from . import org_names
from .context import ConventionFacts
from .numbering import fiche_anchor, number_fiches
from .templating import render

_TYPE_ORDER = {t: i for i, t in enumerate(TypeEquipement)}


@dataclass
class EquipementGroup:
    code: str
    nom: str
    equipements: list[Equipement]


@dataclass
class FicheView:
    id: str
    numero: str
    titre: str
    thematique: str
    enjeu: str
    objectif: str
    pilotes: str
    data: Fiche
    marque: str = ""  # « nouvelle », « mise à jour »: set in an avenant's plan d'actions
    visible: bool = True  # an avenant reproduces only its new and changed fiches

    @property
    def ancre(self) -> str:
        return fiche_anchor(self.id)


def collectivite_name(corpus: Corpus, code: str) -> str:
    if code in corpus.registry.communes:
        return corpus.registry.communes[code].nom
    org = corpus.registry.organisations.get(code)
    if org is not None:
        return org.nom
    return code


def pilot_label(corpus: Corpus, pilot: str) -> str:
    org = corpus.registry.organisations.get(pilot)
    return org_names.designation(org) if org else pilot


def prepare(corpus: Corpus, conv: ConventionSource, facts: ConventionFacts) -> dict:
    """Template variables for the generated annexes of one convention."""
    groups = []
    if conv.equipements is not None:
        for g in conv.equipements.collectivites:
            items = sorted(g.equipements, key=lambda e: (_TYPE_ORDER[e.type], e.nom))
            groups.append(EquipementGroup(g.collectivite, collectivite_name(corpus, g.collectivite), items))
    fiches: list[FicheView] = []
    rows = []
    order: list[str] = []
    if conv.plan is not None:
        for th in conv.plan.thematiques:
            for en in th.enjeux:
                for ob in en.objectifs:
                    for fid in ob.fiches:
                        if fid not in order and fid in conv.fiches:
                            order.append(fid)
        numbers = number_fiches(order)
        seen: set[str] = set()
        for th in conv.plan.thematiques:
            for en in th.enjeux:
                for ob in en.objectifs:
                    for fid in ob.fiches:
                        src = conv.fiches.get(fid)
                        if src is None or fid in seen:
                            continue
                        seen.add(fid)
                        pilots = ", ".join(pilot_label(corpus, p) for p in src.data.pilotes)
                        view = FicheView(fid, numbers[fid], src.data.titre, th.titre, en.titre, ob.titre, pilots,
                                         src.data)
                        fiches.append(view)
                        rows.append({"thematique": th.titre, "enjeu": en.titre, "objectif": ob.titre,
                                     "fiche": fid, "titre": src.data.titre, "pilotes": pilots, "marque": ""})
    else:
        numbers = {}
    years = sorted({c.annee for c in facts.communes})
    return {
        "context": {
            "equipements": groups,
            "nb_equipements": sum(len(g.equipements) for g in groups),
            "plan": conv.plan,
            "fiches": fiches,
            "lignes_plan": rows,
            "population_annees": ", ".join(str(y) for y in years),
        },
        "fiche_numbers": numbers,
    }


def sigles_used(sigles: dict[str, str], text: str, any_case: bool = False) -> list[tuple[str, str]]:
    """The registry's sigles the text uses; any_case: also in capitals or with the initial only in
    capital (« Rsa » is RSA; the glossary's « casse: libre », kept off for texts signed before it)."""
    found = []
    for sigle, meaning in sorted(sigles.items(), key=lambda kv: kv[0].lower()):
        forms = "|".join(re.escape(f) for f in (sigle_forms(sigle) if any_case else [sigle]))
        if re.search(rf"(?<![\w-])(?:{forms})(?![\w-])", text):
            found.append((sigle, meaning))
    return found


def render_generated(annex: AnnexSource, env, diags: Diagnostics, ctx: dict, data: dict, used_text: str | None,
           ) -> str | None:
    kind = annex.meta.contenu.value
    if kind == "texte":
        return ""
    local = dict(ctx)
    if kind == "glossaire":
        local["sigles"] = sigles_used(ctx["sigles_registre"], used_text or "", annex.meta.casse == "libre")
    template = f"annexes/{kind}.md.j2"
    return render(env, diags, local, template=template, path=Path(env.loader.searchpath[0]) / template)
