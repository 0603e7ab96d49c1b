"""« build.py consolidate ID [--date AAAA-MM-JJ] » and « build.py redline ID_A ID_B ».

A version is named by:
- a convention's identifier: the convention as signed;
- an avenant's identifier: the convention consolidated at the avenant's effect date;
- « CONVENTION@AAAA-MM-JJ »: the convention consolidated at that date.

The default date of « consolidate » is the site's reference day (site/status.py):
SOURCE_DATE_EPOCH when set, else the date of the last git commit, else today.
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass, replace
from pathlib import Path

from ..assembly.assemble import Assembler, cover
from ..core import pandoc
from ..core.diagnostics import Diagnostics
from ..core.document import AssembledDocument
from ..core.ast import is_div
from ..core.french import capitalize, date_fr, enumeration, french_typography
from ..core.outputs import write_atomic
from ..core.project import Project
from ..sources.corpus import AvenantSource, ConventionSource, Corpus
from ..versions.consolidate import consolidated_document, convention_history
from ..versions.history import avenants_in_order
from ..versions.redline import compare_versions, count_changes
from ..versions.redline_marks import DELETION, INSERTION, Mark


def add_arguments(consolidate, redline) -> None:
    consolidate.add_argument("ident", metavar="ID", help="identifiant de la convention")
    consolidate.add_argument("--date", metavar="AAAA-MM-JJ",
                             help="date de la version (par défaut : SOURCE_DATE_EPOCH, sinon la date du dernier "
                                  "commit, sinon aujourd'hui)")
    consolidate.add_argument("--markdown", action="store_true",
                             help="afficher le texte consolidé (Markdown) au lieu d'écrire le DOCX et le PDF")
    redline.add_argument("ident_a", metavar="ID_A", help="version de référence (convention, avenant ou "
                                                         "CONVENTION@AAAA-MM-JJ)")
    redline.add_argument("ident_b", metavar="ID_B", help="version comparée")


# ---------------------------------------------------------------- versions


@dataclass
class Side:
    doc: AssembledDocument
    conv: ConventionSource
    label: str
    applied: list[AvenantSource]


def parse_date(text: str, diags: Diagnostics, what: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        diags.error("conventions", 0, "date-invalide", f"{what} « {text} » n'est pas une date au format AAAA-MM-JJ.")
        return None


def resolve(assembler: Assembler, corpus: Corpus, ident: str) -> Side | None:
    diags = assembler.diags
    conv_id, _, when_text = ident.partition("@")
    if not when_text and conv_id in corpus.conventions:
        conv = corpus.conventions[conv_id]
        # its text through the same assembly as the consolidated versions, so that only the changes differ
        doc = consolidated_document(assembler, conv, conv.meta.signature.date or conv.meta.periode.debut, as_signed=True)
        signed = f", signée le {date_fr(conv.meta.signature.date)}" if conv.meta.signature.date else ""
        return Side(doc, conv, f"la convention « {conv.meta.titre_court} »{signed}", []) if doc else None
    if not when_text and ident in corpus.avenants:
        av = corpus.avenants[ident]
        conv = corpus.conventions.get(av.meta.convention)
        when = av.meta.effet
        label = f"la version consolidée après l'avenant n°\u00a0{av.meta.numero} (au {date_fr(when)})"
    elif conv_id in corpus.conventions and when_text:
        conv = corpus.conventions[conv_id]
        when = parse_date(when_text, diags, "la date de la version")
        if when is None or not within_period(conv, when, diags, f"la date de la version « {ident} »"):
            return None
        label = f"la version consolidée au {date_fr(when)}"
    else:
        diags.error("conventions", 0, "document-inconnu",
                    f"aucune version « {ident} » : indiquez une convention, un avenant ou CONVENTION@AAAA-MM-JJ "
                    "(« python build.py list » affiche les identifiants).")
        return None
    if conv is None:
        return None
    doc = consolidated_document(assembler, conv, when)
    if doc is None:
        return None
    applied = [a for a in avenants_in_order(corpus, conv.id) if a.meta.effet <= when]
    return Side(doc, conv, f"{label} de « {conv.meta.titre_court} »", applied)


def default_date(conv=None) -> dt.date:
    """The site's reference day, within the convention's period when one is given."""
    from ..site.status import reference_date

    day = reference_date()
    return day if conv is None else min(max(day, conv.meta.periode.debut), conv.meta.periode.fin)


def within_period(conv, when: dt.date, diags: Diagnostics, what: str) -> bool:
    """A version exists only within the convention's period; else an error (nothing is written)."""
    p = conv.meta.periode
    if p.debut <= when <= p.fin:
        return True
    diags.error(conv.path, conv.src.line("periode"), "date-hors-periode",
                f"{what} ({date_fr(when)}) est hors de la période de « {conv.id} » (du {date_fr(p.debut)} au "
                f"{date_fr(p.fin)}) ; choisissez une date dans cette période.")
    return False


# ---------------------------------------------------------------- consolidate


def consolidate_command(args, project: Project, corpus: Corpus, diags: Diagnostics, progress) -> int:
    conv = corpus.conventions.get(args.ident)
    if conv is None:
        hint = (f" ; « {args.ident} » est un avenant : indiquez sa convention, « {corpus.avenants[args.ident].meta.convention} »"
                if args.ident in corpus.avenants else "")
        diags.error("conventions", 0, "document-inconnu", f"aucune convention « {args.ident} »{hint}.")
        diags.raise_if_errors()
    when = parse_date(args.date, diags, "--date") if args.date else default_date(conv)
    if when is not None:
        within_period(conv, when, diags, "la date demandée (--date)")
    diags.raise_if_errors()
    assembler = Assembler(corpus, project.templates, diags)
    doc = consolidated_document(assembler, conv, when)
    diags.raise_if_errors()
    if args.markdown:
        sys.stdout.write(doc.markdown)
        return 0
    from ..build.build_outputs import produce

    produced = produce(project, {doc.id: doc}, ["docx", "pdf"], progress)  # one layout for both
    files = {path: entry.read_bytes() for path, entry in produced.files.items()}
    for path, data in sorted(files.items()):
        write_atomic(path, data)
    hist = convention_history(assembler, conv)
    applied = [s.avenant.meta.numero for s in hist[1] if s.avenant.meta.effet <= when] if hist else []
    what = (f"avenant{'s' if len(applied) > 1 else ''} appliqué{'s' if len(applied) > 1 else ''} : "
            f"{', '.join(applied)}" if applied else "aucun avenant en vigueur à cette date")
    written = ", ".join(p.relative_to(project.root).as_posix() for p in sorted(files))
    progress.done(french_typography(f"Version consolidée au {date_fr(when)} ({what}) : {written}."))
    return 0


# ---------------------------------------------------------------- redline


def _stamp(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def avenants_author(avenants: list[AvenantSource]) -> str:
    """« Avenant n° 2023-001 », « Avenants n° 2023-001 et n° 2023-002 »."""
    return f"Avenant{'s' if len(avenants) > 1 else ''} " + enumeration([f"n°\u00a0{x.meta.numero}" for x in avenants])


def versions_between(assembler: Assembler, a: Side, b: Side) -> list[tuple[AssembledDocument, Mark | None]]:
    """The versions from A to B, each with the author of what changed since the one before.

    Between two versions of one convention: one version per effect date of the avenants that
    separate them (avenants of one date together), each change credited to its avenant at that
    date; when B is the earlier version, each step undoes the avenants of one date, latest first.
    Between two generations of a CTG: the later one's, at its start."""
    if a.conv.id != b.conv.id:
        return [(a.doc, None), (b.doc, Mark(b.conv.meta.titre_court, _stamp(b.conv.meta.periode.debut)))]
    in_a, in_b = {x.meta.numero for x in a.applied}, {x.meta.numero for x in b.applied}
    added = [x for x in b.applied if x.meta.numero not in in_a]
    removed = [x for x in a.applied if x.meta.numero not in in_b]
    if not added and not removed:
        return [(a.doc, None), (b.doc, Mark("Comparaison", _stamp(b.doc.signed_on or b.doc.start)))]
    by_date: dict[dt.date, list[AvenantSource]] = {}
    for av in added or removed:
        by_date.setdefault(av.meta.effet, []).append(av)
    dates = sorted(by_date, reverse=not added)
    chain: list[tuple[AssembledDocument, Mark | None]] = [(a.doc, None)]
    for i, when in enumerate(dates):
        if i == len(dates) - 1:
            doc = b.doc
        else:  # in force at that date (forwards), or on the day before it (backwards)
            doc = consolidated_document(assembler, a.conv, when if added else when - dt.timedelta(days=1))
        if doc is None:
            return []
        chain.append((doc, Mark(avenants_author(by_date[when]), _stamp(when))))
    return chain


def _authors_fr(marks: list[Mark]) -> str:
    """« Avenant n° 2023-001 » au 1er janvier 2023, or the list of them with their dates."""
    return enumeration([f"« {m.author} » au {date_fr(dt.date.fromisoformat(m.date[:10]))}" for m in marks])


def _cover(title: str, doc: AssembledDocument) -> str:
    """The cover of a comparison: B's territory, period and parties (« Entre » and each party's name)."""
    text = cover(title, doc.territory, doc.start, doc.end, [], "comparaison", "convention")
    names = "".join(f"{capitalize(s.organisation)}\n\n" for s in doc.signatories)
    return text.replace("Entre\n\n:::", f"Entre\n\n{names}:::", 1)


COMPARISON_CLOSING = ("::: {.cloture}\nLe présent texte comparé est un document de travail, qui n'est pas destiné à "
                      "la signature.\n:::\n")


def _closing(blocks: list) -> list:
    """The closing formula of a comparison says what it is (not « la présente version consolidée comporte
    N pages »): one closing, untracked, where the compared texts had theirs, the signatures right after it."""
    closing = pandoc.to_ast(french_typography(COMPARISON_CLOSING))["blocks"][0]
    signatures = [b for b in blocks if is_div(b, "signatures")]  # the new block, and an old one it replaces
    out, done = [], False
    for block in blocks:
        if is_div(block, "cloture"):
            if not done:
                out += [closing, *signatures]
            done = True
        elif not is_div(block, "signatures"):
            out.append(block)
    return out if done else blocks


def comparison(assembler: Assembler, a: Side, b: Side) -> tuple[AssembledDocument, dict, list[Mark]] | None:
    """The redline as a document (B's metadata, a cover and a banner of its own) and its AST."""
    chain = versions_between(assembler, a, b)
    if not chain:
        return None
    marks = [m for _, m in chain[1:]]
    title = f"Texte comparé : {b.conv.meta.titre_court}"
    who = (f"attribuées à {_authors_fr(marks)}" if len(marks) == 1
           else f"chacune attribuée à l'avenant dont elle relève, à sa date d'effet : {_authors_fr(marks)}")
    banner = ("::: {.comparaison}\n**Texte comparé — document de travail ; seuls les textes signés font foi.**\n\n"
              f"Version de référence : {a.label}.\n\nVersion comparée : {b.label}.\n\n"
              f"Les ajouts, les suppressions et les déplacements sont des modifications suivies, {who}.\n:::\n")
    shell = (_cover(title, b.doc) + "\n" + banner + "\n::: {.sommaire}\nSommaire\n:::\n")
    shell_ast = pandoc.to_ast(french_typography(shell))
    asts = [pandoc.to_ast(doc.markdown) for doc, _ in chain]
    blocks = shell_ast["blocks"] + _closing(compare_versions(asts, marks))
    ident = f"comparaison-{a.doc.id}--{b.doc.id}"
    doc = replace(b.doc, id=ident, kind="comparaison", parent=b.conv.id, status="comparaison", title=title,
                  short_title=f"Texte comparé – {b.conv.meta.titre_court}", markdown=shell)
    return doc, dict(asts[-1], blocks=blocks), marks


def redline_docx(project: Project, doc: AssembledDocument, ast: dict) -> bytes:
    from ..writers.docx import fill_pages, write_docx
    from ..writers.docx_layout import END_BOOKMARK
    from ..writers.docx_post import pageref_targets
    from ..writers.libreoffice import Job, lay_out
    from ..writers.redline_docx import for_pandoc, track_changes

    raw = write_docx(doc, dict(ast, blocks=for_pandoc(ast["blocks"])), project.templates / "reference.docx",
                     project.conventions)
    layout = lay_out([Job(raw, [END_BOOKMARK, *pageref_targets(raw)])])[0]
    return track_changes(fill_pages(raw, {"pages": layout.pages, "total": layout.total}, doc.date), doc.date)


def redline_path(project: Project, doc: AssembledDocument) -> Path:
    return project.dist / doc.parent / f"{doc.id}.docx"


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n > 1 else ''}"


def redline_command(args, project: Project, corpus: Corpus, diags: Diagnostics, progress) -> int:
    assembler = Assembler(corpus, project.templates, diags)
    a = resolve(assembler, corpus, args.ident_a)
    b = resolve(assembler, corpus, args.ident_b)
    diags.raise_if_errors()
    result = comparison(assembler, a, b)
    diags.raise_if_errors()
    doc, ast, marks = result
    progress.step(f"Texte comparé : {a.doc.id} → {b.doc.id}")
    data = redline_docx(project, doc, ast)
    path = redline_path(project, doc)
    write_atomic(path, data)
    counts = count_changes(ast["blocks"])
    authors = enumeration([f"« {m.author} »" for m in marks])
    progress.done(french_typography(
        f"Texte comparé écrit dans {path.relative_to(project.root).as_posix()} : "
        f"{_count(counts[INSERTION], 'ajout')}, {_count(counts[DELETION], 'suppression')} et "
        f"{_count(counts['moves'], 'déplacement')} en modifications suivies, attribuées à {authors}."))
    return 0
