"""Generated annexes: tables rendered from data (communes, équipements, plan d'actions, glossary).

The data are prepared here (lookups, grouping, numbering); their layout is in
templates/annexes/<contenu>.md.j2, so legal staff can restyle a table without
touching code.
"""

from __future__ import annotations

from pathlib import Path

from ..core.diagnostics import Diagnostics
from ..core.french import number_fr, sigle_forms
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
        "communes_millesimes": {year: v.communes for year, v in corpus.registry.millesimes.items()},
        "fiche_numbers": numbers,
    }


def sigles_used(sigles: dict[str, str], text: str, any_case: bool = False) -> list[tuple[str, str]]:
    """The registry's sigles the text uses; any_case: also in capitals or with the initial only in
    capital (« Rsa » is RSA; the glossary's « casse: libre », kept off for texts signed before it)."""
    return [(sigle, meaning) for sigle, meaning in sorted(sigles.items(), key=lambda kv: kv[0].lower())
            if any(_as_word(text, form) for form in (sigle_forms(sigle) if any_case else [sigle]))]


def _as_word(text: str, form: str) -> bool:
    """Whether the text holds form as a word: no letter, digit, « _ » or « - » either side. Same
    answer as a regular expression with a look-behind and a look-ahead, but such a pattern is tried
    at every position of the text, for each sigle of the registry; str.find jumps to the candidates."""
    start = text.find(form)
    while start != -1:
        end = start + len(form)
        if not (start and _word_char(text[start - 1])) and not (end < len(text) and _word_char(text[end])):
            return True
        start = text.find(form, start + 1)
    return False


def _word_char(c: str) -> bool:
    return c.isalnum() or c in "_-"


def render_generated(annex: AnnexSource, env, diags: Diagnostics, ctx: dict, data: dict, used_text: str | None,
           ) -> str | None:
    kind = annex.meta.contenu.value
    if kind == "texte":
        return ""
    local = dict(ctx)
    if kind == "communes" and annex.meta.colonnes:
        local["tableau"] = communes_table(annex.meta.colonnes, ctx["communes"], data["communes_millesimes"])
    if kind == "glossaire":
        local["sigles"] = sigles_used(ctx["sigles_registre"], used_text or "", annex.meta.casse == "libre")
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
            cells_of = [number_fr(v) if v is not None else "—" for v in values]
            total = number_fr(sum(v for v in values if v is not None))
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
    return ("+" if n > 0 else "−" if n < 0 else "") + number_fr(abs(n))
