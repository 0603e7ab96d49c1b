"""Generated annexes: tables rendered from data (communes, équipements, plan d'actions, glossary).

The data are prepared here (lookups, grouping, numbering); their layout is in
templates/annexes/<contenu>.md.j2, so legal staff can restyle a table without
touching code.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..core.diagnostics import Diagnostics
from ..core.french import sigle_forms
from ..sources.corpus import AnnexSource, ConventionSource, Corpus
from . import org_names
from .context import ConventionFacts
from .equipment_view import equipment_context, equipment_groups
from .plan_view import plan_dict, plan_views
from .templating import render


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
    groups = equipment_groups(corpus, conv, lambda code: collectivite_name(corpus, code))
    fiches, rows, numbers = plan_views(conv, lambda p: pilot_label(corpus, p))
    years = sorted({c.annee for c in facts.communes})
    return {
        "context": {
            **equipment_context(groups, conv.equipements.colonnes if conv.equipements else "toutes"),
            "plan": plan_dict(conv.plan) if conv.plan is not None else None,
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
