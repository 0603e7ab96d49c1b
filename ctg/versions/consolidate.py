"""Consolidated versions: the convention as in force at a date, with its avenants applied.

The consolidated text is just another AssembledDocument (kind « consolidation »): the
writers make its DOCX and PDF as for any document. Numbers never move: an inserted
article is « 6 bis », a deleted one stays as « (Supprimé) », a new fiche is « 3 bis ».
A banner says what the document is: « Version consolidée au … — document de travail ;
seuls les textes signés font foi », with the avenants applied.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace

from ..assembly import annex_content
from ..assembly.assemble import DASH, SOMMAIRE, Assembler, cover, parties_section
from ..assembly.context import ConventionFacts, base_context, convention_facts, first_of_type, make_parties
from ..assembly.local_clauses import after_signatures_parts
from ..assembly.numbering import ArticlePlan, article_label
from ..assembly.parties import Party
from ..assembly.signature_block import signature_block
from ..assembly.templating import render
from ..core.diagnostics import Diagnostic
from ..core.document import AssembledDocument
from ..core.french import date_fr
from ..core.statuses import unsigned_phrase
from ..sources.corpus import ConventionSource, Section
from .convention_state import ArticleState, Version
from .history import Step, history, is_signed, version_at

BANNER = "Version consolidée au {date} — document de travail ; seuls les textes signés font foi"
# a version that applies an avenant not signed yet is never « en vigueur »: it says so and names it
DRAFT_BANNER = ("Projet de version consolidée au {date} — elle applique {which}, non signé{plural} ; "
                "seuls les textes signés font foi")


def unsigned_avenants(version: Version) -> list:
    return [av for av in version.applied if not is_signed(av)]


def avenant_numbers(avenants: list) -> str:
    """« l'avenant n° 2023-001 », « les avenants n° 2023-001 et n° 2024-001 »."""
    numbers = [f"n°\u00a0{av.meta.numero}" for av in avenants]
    if len(numbers) == 1:
        return f"l'avenant {numbers[0]}"
    return f"les avenants {', '.join(numbers[:-1])} et {numbers[-1]}"


def convention_history(assembler: Assembler, conv: ConventionSource) -> tuple[Version, list[Step]] | None:
    """Computed once per assembler (operation errors are reported once)."""
    cache = assembler.histories
    if conv.id not in cache:
        model = assembler.model(conv.meta.modele, conv.path, conv.src.line("modele"))
        cache[conv.id] = None if model is None else history(assembler.corpus, conv, model, assembler.diags)
    return cache[conv.id]


def consolidated_id(conv_id: str, when: dt.date) -> str:
    return f"{conv_id}-consolidee-{when.isoformat()}"


# ---------------------------------------------------------------- a version's context


@dataclass
class VersionView:
    version: Version
    source: ConventionSource
    facts: ConventionFacts
    parties: list[Party]
    articles: list[ArticlePlan]
    data: dict
    ctx: dict


def _number(label: str):
    return int(label) if label.isdigit() else label  # « Article 1er » for 1, « 6 bis » as is


def version_view(assembler: Assembler, version: Version) -> VersionView:
    corpus = assembler.corpus
    source = version.source()
    parties = [p for s in version.parties for p in make_parties(corpus, [s.signataire], s.when)]
    facts = replace(convention_facts(corpus, source), parties=parties, caf=first_of_type(parties, "caf"))
    data = annex_content.prepare(corpus, source, facts)
    labels = version.fiche_labels
    data["fiche_numbers"] = {f: labels.get(f, n) for f, n in data["fiche_numbers"].items()}
    for fv in data["context"]["fiches"]:
        fv.numero = labels.get(fv.id, fv.numero)
    articles = [ArticlePlan(a.id, _number(a.label), a.title, a.clause, a.section) for a in version.articles]
    ctx = base_context(facts, corpus) | {"signataires": parties} | data["context"]
    ctx |= assembler._references(version.conv.id, articles, version.annexes, data["fiche_numbers"])
    return VersionView(version, source, facts, parties, articles, data, ctx)


# ---------------------------------------------------------------- alinéas

_ITEM = re.compile(r"^(?:[-*+]|\d+[.)])\s")


@dataclass
class Unit:
    text: str
    sep: str  # what separates it from the unit before: a blank line, or a newline inside a list
    heading: bool = False
    item: bool = False


def split_alineas(body: str) -> list[Unit]:
    """An article's alinéas: each paragraph, and each item of a list (sub-headings are not alinéas)."""
    units: list[Unit] = []
    for block in re.split(r"\n[ \t]*\n", body.strip("\n")):
        if not block.strip():
            continue
        lines = block.split("\n")
        if not _ITEM.match(lines[0]):
            units.append(Unit(block, "\n\n", heading=block.startswith("#")))
            continue
        current: Unit | None = None
        for line in lines:
            if _ITEM.match(line):
                if current is not None:
                    units.append(current)
                current = Unit(line, "\n" if current is not None else "\n\n", item=True)
            else:
                current.text += "\n" + line
        units.append(current)
    return units


def join_units(units: list[Unit]) -> str:
    return "".join((u.sep if i else "") + u.text for i, u in enumerate(units))


def _error_once(assembler: Assembler, path, line: int, code: str, message: str) -> None:
    diag = Diagnostic(assembler.diags.rel(path), line or 0, code, message)
    if diag not in assembler.diags.items:
        assembler.diags.items.append(diag)


def render_text(assembler: Assembler, view: VersionView, section: Section) -> str | None:
    return render(assembler.env, assembler.diags, view.ctx, source=section.text, path=section.path,
                  first_line=section.line + 1)


def apply_alineas(assembler: Assembler, view: VersionView, art: ArticleState, body: str) -> str:
    units = split_alineas(body)
    for change in art.alineas:
        alineas = [i for i, u in enumerate(units) if not u.heading]
        limit = len(alineas) if change.action != "inserer_alinea" else len(alineas) + 1
        low = 0 if change.action == "inserer_alinea" else 1
        if not low <= change.number <= len(alineas):
            _error_once(assembler, change.avenant.path, change.line, "alinea-inconnu",
                        f"l'article {art.label} ({art.id}) compte {len(alineas)} alinéa"
                        f"{'s' if len(alineas) > 1 else ''} : l'alinéa {change.number} n'existe pas "
                        f"(de {low} à {limit - 1 if change.action == 'inserer_alinea' else limit}).")
            continue
        new = None
        if change.text is not None:
            new = render_text(assembler, view, change.text)
            if new is None:
                continue
            new = new.strip("\n")
        if change.action == "supprimer_alinea":
            del units[alineas[change.number - 1]]
        elif change.action == "remplacer_alinea":
            old = units[alineas[change.number - 1]]
            units[alineas[change.number - 1]] = Unit(new, old.sep, item=bool(_ITEM.match(new)))
        else:
            index = alineas[change.number - 1] + 1 if change.number else 0
            before = units[index - 1] if index else None
            item = bool(_ITEM.match(new))
            sep = "\n" if item and before is not None and before.item else "\n\n"
            units.insert(index, Unit(new, sep, item=item))
    if units:
        units[0].sep = "\n\n"
    return join_units(units)


def render_articles(assembler: Assembler, view: VersionView) -> list[str]:
    out = []
    for art, plan in zip(view.version.articles, view.articles):
        if art.deleted_by:
            out.append(f"# {article_label(plan.number)} {DASH} (Supprimé) {{#{plan.anchor}}}\n\n"
                       f"*Article supprimé par l'avenant n°\u00a0{art.deleted_by}.*\n")
            continue
        rendered = assembler._render_articles([plan], view.ctx)
        if not rendered:
            continue
        text = rendered[0]
        if art.alineas:
            head, _, body = text.partition("\n\n")
            text = head + "\n\n" + apply_alineas(assembler, view, art, body).strip("\n") + "\n"
        out.append(text)
    return out


# ---------------------------------------------------------------- the document


def _applied_line(av) -> str:
    state = (f"signé le {date_fr(av.meta.signature.date)}" if is_signed(av) and av.meta.signature.date
             else unsigned_phrase(av.meta.statut.value))
    return f"l'avenant n°\u00a0{av.meta.numero}, ayant pris effet le {date_fr(av.meta.effet)} ({state})"


def banner(conv: ConventionSource, version: Version, when: dt.date) -> str:
    unsigned = unsigned_avenants(version)
    head = (DRAFT_BANNER.format(date=date_fr(when), which=avenant_numbers(unsigned), plural="s" if len(unsigned) > 1 else "")
            if unsigned else BANNER.format(date=date_fr(when)))
    lines = ["::: {.consolidation}", f"**{head}.**", ""]
    signed = (f"signée le {date_fr(conv.meta.signature.date)}" if conv.meta.signature.date
              else f"au statut « {conv.meta.statut.value} »")
    if version.applied:
        lines.append(f"Texte de la convention {signed}, modifiée par :")
        lines.append("")
        n = len(version.applied)
        lines += [f"- {_applied_line(av)}{' ;' if i < n - 1 else '.'}" for i, av in enumerate(version.applied)]
    else:
        lines.append(f"Aucun avenant n'a pris effet à cette date : le texte est celui de la convention {signed}.")
    lines.append(":::")
    return "\n".join(lines) + "\n"


def consolidated_closing(conv: ConventionSource, version: Version) -> str:
    where = conv.meta.signature.lieu
    signed = (f"Convention signée{' à ' + where if where else ''} le {date_fr(conv.meta.signature.date)}"
              if conv.meta.signature.date else "Convention non signée")
    numbers = [f"n°\u00a0{av.meta.numero}" for av in version.applied]
    if numbers:
        signed += (f", modifiée par l'avenant {numbers[0]}" if len(numbers) == 1
                   else f", modifiée par les avenants {', '.join(numbers[:-1])} et {numbers[-1]}")
    return ("::: {.cloture}\n" + signed + ".\n\n"
            "[La présente version consolidée comporte [0]{.pages-document} pages, hors annexes énumérées au "
            "sommaire.]{.mention-pages}\n:::\n")


def consolidated_document(assembler: Assembler, conv: ConventionSource, when: dt.date,
                          as_signed: bool = False) -> AssembledDocument | None:
    """The version in force at when; as_signed: the convention without any avenant (for comparisons)."""
    n_errors = len(assembler.diags.errors)
    hist = convention_history(assembler, conv)
    if hist is None:
        return None
    start, steps = hist
    version = start if as_signed else version_at(start, steps, when)
    assembler._start_recording()
    model = assembler.model(conv.meta.modele, conv.path, conv.src.line("modele"))
    view = version_view(assembler, version)
    meta = conv.meta
    draft = bool(unsigned_avenants(version))
    territory = view.facts.territoire.nom_complet if view.facts.territoire else ""
    parts = [
        cover(meta.titre, territory, meta.periode.debut, meta.periode.fin, view.parties,
              "projet" if draft else "version consolidée", "convention"),
        banner(conv, version, when),
        parties_section("La présente convention est conclue entre", view.parties, list(meta.visas)),
        SOMMAIRE,
        assembler._preamble(model, conv.sections, view.ctx),
        *render_articles(assembler, view),
        consolidated_closing(conv, version),
        signature_block(view.parties, meta.signature.ordre),
        *after_signatures_parts(assembler.env, assembler.diags, conv, assembler.local(conv), view.ctx, version.annexes),
    ]
    body = "\n".join(p for p in parts if p)
    annex_parts = assembler._annexes(version.annexes, view.ctx, view.data, body)
    if len(assembler.diags.errors) > n_errors:
        return None
    registry = assembler._registry_files(view.parties, view.facts)
    sources = set(assembler._sources_of(conv, None, registry))
    for av in version.applied:
        sources |= set(assembler._sources_of(conv, av, registry))
        sources |= {assembler.diags.rel(f.path) for f in av.fiches.values()}
    what = "projet de version consolidée" if draft else "version consolidée"
    doc = assembler._document(
        ident=conv.id if as_signed else consolidated_id(conv.id, when), kind="consolidation", parent=conv.id, status=what,
        title=meta.titre, short_title=f"{meta.titre_court} – {what} au {date_fr(when)}",
        facts=view.facts, start=meta.periode.debut, end=meta.periode.fin, signed_on=None, parties=view.parties,
        annexes=version.annexes, keywords=list(meta.mots_cles), body=body, annex_parts=annex_parts,
        author_id=meta.emetteur, sources=sorted(sources))
    return doc


def version_dates(assembler: Assembler, conv: ConventionSource) -> list[tuple[dt.date, list]]:
    """(date, avenants taking effect that day) for each avenant date, in order."""
    hist = convention_history(assembler, conv)
    if hist is None:
        return []
    out: dict[dt.date, list] = {}
    for step in hist[1]:
        out.setdefault(step.avenant.meta.effet, []).append(step.avenant)
    return sorted(out.items())

