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
from ..sources.corpus import AnnexSource, ConventionSource, Corpus
from ..sources.schemas import Equipement, Fiche, TypeEquipement
from . import org_names
from .context import ConventionFacts
from .numbering import fiche_anchor, number_fiches
from .templating import _number, render

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
        "communes_millesimes": {year: v.communes for year, v in corpus.registry.millesimes.items()},
        "fiche_numbers": numbers,
    }


def sigles_used(sigles: dict[str, str], text: str) -> list[tuple[str, str]]:
    found = []
    for sigle, meaning in sorted(sigles.items(), key=lambda kv: kv[0].lower()):
        if re.search(rf"(?<![\w-]){re.escape(sigle)}(?![\w-])", text):
            found.append((sigle, meaning))
    return found


def render_generated(annex: AnnexSource, env, diags: Diagnostics, ctx: dict, data: dict, used_text: str | None,
           ) -> str | None:
    kind = annex.meta.contenu.value
    if kind == "texte":
        return ""
    local = dict(ctx)
    if kind == "communes" and annex.meta.colonnes:
        local["tableau"] = communes_table(annex.meta.colonnes, ctx["communes"], data["communes_millesimes"])
    if kind == "glossaire":
        local["sigles"] = sigles_used(ctx["sigles_registre"], used_text or "")
    template = f"annexes/{kind}.md.j2"
    return render(env, diags, local, template=template, path=Path(env.loader.searchpath[0]) / template)


COLUMN_TITLES = {"insee": "Code INSEE", "nom": "Commune", "evolution": "Évolution"}


def communes_table(columns: list[str], communes: list, vintages: dict[int, dict]) -> dict:
    """The communes annex with the columns a convention asks for (« colonnes: »): headers, alignments, rows and
    the total row, as Markdown cells. « population » is the convention's own vintage, « population@2021 » the
    vintage of that geographic code, « evolution » the difference of the two population columns before it."""
    heads, aligns, cells, totals = [], [], [[] for _ in communes], []
    pops: list[list[int | None]] = []
    for col in columns:
        name, _, year = col.partition("@")
        if name == "population":
            values = _populations(communes, vintages.get(int(year)) if year else None, bool(year))
            pops.append(values)
            heads.append(f"Population {_vintage_year(communes, vintages, year)}".strip())
            cells_of = [_number(v) if v is not None else "—" for v in values]
            total = _number(sum(v for v in values if v is not None))
        elif name == "evolution":
            before, after = (pops[-2], pops[-1]) if len(pops) >= 2 else ([None] * len(communes), [None] * len(communes))
            values = [a - b if a is not None and b is not None else None for a, b in zip(after, before)]
            heads.append(COLUMN_TITLES[name])
            cells_of = [_signed(v) for v in values]
            total = _signed(sum(v for v in values if v is not None))
        else:
            heads.append(COLUMN_TITLES.get(name, name))
            cells_of = [str(getattr(c, name, "")) for c in communes]
            total = ""
        aligns.append("----------:" if name in ("population", "evolution") else ":----------")
        for row, cell in zip(cells, cells_of):
            row.append(cell)
        totals.append(f"**{total}**" if total else "")
    label = next((i for i, col in enumerate(columns) if col == "nom"), None)
    if label is not None:
        totals[label] = f"**Total ({len(communes)} communes)**"
    return {"entetes": heads, "alignements": aligns, "lignes": cells, "total": totals}


def _populations(communes: list, vintage: dict | None, other: bool) -> list[int | None]:
    if not other:
        return [c.population for c in communes]
    return [vintage[c.insee].population if vintage and c.insee in vintage else None for c in communes]


def _vintage_year(communes: list, vintages: dict[int, dict], year: str) -> str:
    """The population's own year (« millésime ») of a vintage, which is not its geographic code's year."""
    pool = (vintages.get(int(year)) or {}).values() if year else communes
    return str(next((c.annee for c in pool), year))


def _signed(n: int | None) -> str:
    if n is None:
        return "—"
    return ("+" if n > 0 else "−" if n < 0 else "") + _number(abs(n))
