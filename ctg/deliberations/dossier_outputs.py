"""« build.py docx|pdf|markdown ID » on a délibération: its dossier, one file.

The dossier (ctg/compose.py) holds the délibération, its rapport and each approved
document as assembled, each part on a new page: a section with the part's short title in
its running header. The dossier is numbered as one document (« Page X sur Y », the pages
a PDF viewer shows), and so is its sommaire. Each approved document states the number of
pages of its own PDF (« comporte N pages »), taken from its own layout. LibreOffice lays
each dossier out once (one soffice for all the dossiers of the command), and the PDF is
exported from that layout: the PDF is the DOCX, page for page. The files of a dossier are kept
in the output cache under the key of its plan (DossierPlan: everything it is composed of), so a
build composes and lays out only the dossiers whose plan changed.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

from ..core.ast import is_span, map_inlines, text_inlines
from .compose import Dossier, Part, compose
from ..sources.corpus import Corpus, DeliberationSource
from .deliberation import assemble_deliberation
from ..core.diagnostics import Diagnostics
from ..core.french import capitalize, date_fr, seconds
from ..build.build_outputs import write_if_changed
from ..build.cache import document_fingerprint, sha256
from ..build.pipeline import assemble_checked
from ..core.document import AssembledDocument
from ..core.project import Project
from ..core.progress import Progress, say
from ..writers.docx_layout import END_BOOKMARK

NBSP = "\u00a0"
FOLDER = "deliberations"


def output_path(project: Project, ident: str, ext: str) -> Path:
    """dist/deliberations/<id>.<ext>."""
    return project.dist / FOLDER / f"{ident}.{ext}"


@dataclass(frozen=True)
class DossierPlan:
    """A dossier before it is composed: everything its DOCX and PDF are made of. Its outputs are kept
    in the output cache (cache.py) under a key that hashes all of it, so that a build composes and
    lays out again only the dossiers whose délibération, rapport or approved documents changed."""

    ident: str
    title: str
    short_title: str
    cover: dict[str, str]
    parts: list[Part]
    counts: dict[str, int]  # « comporte N pages » of each approved part, from the document's own layout
    author: str
    date: dt.date
    status: str
    sources: list[str]

    def fingerprint(self, resources: tuple[Path, ...]) -> str:
        parts = [[p.heading, p.short_title, document_fingerprint(p.doc, resources)] for p in self.parts]
        fields = [self.ident, self.title, self.short_title, self.cover, parts, self.counts, self.author,
                  self.date.isoformat(), self.status]
        return sha256(json.dumps(fields, sort_keys=True, ensure_ascii=False))

    def compose(self) -> Dossier:
        dossier = compose(self.ident, self.title, self.short_title, self.cover, self.parts, author=self.author,
                          date=self.date, status=self.status, sources=self.sources)
        return _with_page_counts(dossier, self.counts)


def dossier_of(project: Project, corpus: Corpus, delib: DeliberationSource, docs: dict, diags: Diagnostics
               ) -> DossierPlan | None:
    texts = assemble_deliberation(corpus, delib, docs, diags)
    if texts is None:
        return None
    meta = delib.meta
    parts = [Part(texts.deliberation, None, f"Délibération n°{NBSP}{meta.numero}")]
    if texts.rapport is not None:
        parts.append(Part(texts.rapport, None, texts.rapport.short_title))
    for n, doc in enumerate(texts.approved, start=1):
        parts.append(Part(doc, f"Document approuvé n°{NBSP}{n} – {capitalize(doc.title)}", doc.short_title))
    org = corpus.registry.organisations[meta.organisation]
    n = len(texts.approved)
    cover = {
        "titre-document": f"Délibération n°{NBSP}{meta.numero}",
        "territoire": f"{capitalize(meta.assemblee)} – séance du {date_fr(meta.seance)}",
        "periode": f"{meta.titre} – délibération, " + ("rapport et " if texts.rapport else "")
                   + f"{n} document{'s' if n > 1 else ''} approuvé{'s' if n > 1 else ''}",
    }
    from ..build.build_outputs import layout_of

    first_approved = len(parts) - n + 1  # parts are numbered from 1 (« p1 »)
    counts = {f"p{first_approved + k}": layout_of(project, doc, Progress())["pages"][END_BOOKMARK]
              for k, doc in enumerate(texts.approved)}
    return DossierPlan(delib.id, texts.deliberation.title, f"Délibération n°{NBSP}{meta.numero}", cover, parts,
                       counts, org.nom, meta.seance, "signée", texts.deliberation.sources)


def _with_page_counts(dossier: Dossier, counts: dict[str, int]) -> Dossier:
    """« comporte N pages » of each approved document: N from the document's own layout (its own
    PDF), not from its pages in the dossier."""

    def inline(i: dict):
        if is_span(i, "pages-document"):
            part = dict(i["c"][0][2]).get("partie")
            if part in counts:
                return text_inlines(str(counts[part]))
        return None

    ast = dict(dossier.ast, blocks=map_inlines(dossier.ast["blocks"], inline))
    return replace(dossier, ast=ast)


def plan_dossiers(project: Project, corpus: Corpus, ids: list[str], diags: Diagnostics,
                  assembled: dict[str, AssembledDocument] | None = None) -> dict[str, DossierPlan]:
    """assembled: the documents a build has already assembled and checked (the others are assembled here)."""
    from ..build.build_outputs import produce

    needed = sorted({d for i in ids for d in corpus.deliberations[i].meta.approuve})
    docs = {d: assembled[d] for d in needed if d in (assembled or {})}
    if len(docs) < len(needed):
        docs |= assemble_checked(project, corpus, diags, [d for d in needed if d not in docs])
    diags.raise_if_errors()
    # the approved documents' own layouts (one LibreOffice pass; cached): each states its page count
    produce(project, {d: docs[d] for d in needed if d in docs}, ["docx", "pdf"], Progress())
    out = {}
    for ident in ids:
        plan = dossier_of(project, corpus, corpus.deliberations[ident], docs, diags)
        if plan is not None:
            out[ident] = plan
    diags.raise_if_errors()
    return out


# ------------------------------------------------------------------ DOCX and PDF


def _sections_by_part(document, firsts: list[str]) -> list[int | None]:
    """For each section of the document: the index of the part it starts, else None."""
    from docx.oxml.ns import qn

    body = document.element.body
    out: list[int | None] = []
    starts: list[int] = []
    for child in body.iterchildren():
        for mark in child.iter(qn("w:bookmarkStart")):
            name = mark.get(qn("w:name"))
            if name in firsts:
                starts.append(firsts.index(name))
        ends_section = child.tag == qn("w:sectPr") or (
            child.tag == qn("w:p") and child.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None)
        if ends_section:
            out.append(starts[0] if starts else None)
            starts = []
    return out


def _unlink(sect_pr, kinds=("headerReference", "footerReference")) -> None:
    from docx.oxml.ns import qn

    for kind in kinds:
        for ref in sect_pr.findall(qn(f"w:{kind}")):
            sect_pr.remove(ref)


def _prepare_docx(data: bytes, dossier: Dossier) -> tuple[bytes, list[str]]:
    """Part sections (running header naming the part; the footer « Page X sur Y » of the whole
    dossier), one end-of-signatures bookmark per part. Returns the DOCX and the bookmarks whose
    pages LibreOffice must give."""
    import docx
    from docx.oxml.ns import qn

    from ..writers.docx_layout import END_BOOKMARK
    from ..writers.docx_post import pageref_targets
    from ..writers.ooxml import header_footer_styles

    document = docx.Document(io.BytesIO(data))
    firsts = dossier.part_firsts
    # docx_post.py bookmarks the last cell of every signature table « fin-document »: one per part here
    body = document.element.body
    current, n = None, 0
    pending_end: dict[str, str] = {}
    for el in body.iter(qn("w:bookmarkStart"), qn("w:bookmarkEnd")):
        if el.tag == qn("w:bookmarkStart"):
            name = el.get(qn("w:name"))
            if name in firsts:
                current = firsts.index(name)
            elif name == END_BOOKMARK and current is not None:
                n += 1
                new_id = str(9100 + n)
                pending_end[el.get(qn("w:id"))] = new_id
                el.set(qn("w:name"), f"{END_BOOKMARK}-p{current + 1}")
                el.set(qn("w:id"), new_id)
        else:
            old = el.get(qn("w:id"))
            if old in pending_end:
                el.set(qn("w:id"), pending_end.pop(old))
    by_section = _sections_by_part(document, firsts)
    sections = list(document.sections)
    for section, part in zip(sections[1:], by_section[1:]):
        sect_pr = section._sectPr
        _unlink(sect_pr, ("headerReference", "footerReference"))
        for tp in sect_pr.findall(qn("w:titlePg")):
            sect_pr.remove(tp)
        if part is None:
            continue  # an annex of the same part, in another orientation: same header and footer
        section.header.is_linked_to_previous = False
        header = section.header.paragraphs[0]
        title = dossier.part_titles[part]
        header.text = title if title == dossier.doc.short_title else f"{title}\t\t{dossier.doc.short_title}"
        if section_has_cover(document, firsts[part]):
            section.different_first_page_header_footer = True
            section.first_page_header.is_linked_to_previous = False
            section.first_page_footer.is_linked_to_previous = False
    header_footer_styles(document)  # the new parts name python-docx's style ids
    out = io.BytesIO()
    document.save(out)
    data = out.getvalue()
    wanted = sorted(set(firsts) | {f"{END_BOOKMARK}-p{k + 1}" for k in range(len(firsts))} | set(pageref_targets(data)))
    return data, wanted


def section_has_cover(document, first: str) -> bool:
    """Whether the part's first heading sits on a cover page (« Couverture … » paragraphs follow it)."""
    from docx.oxml.ns import qn

    for mark in document.element.body.iter(qn("w:bookmarkStart")):
        if mark.get(qn("w:name")) != first:
            continue
        p = mark
        while p is not None and p.tag != qn("w:p"):
            p = p.getparent()
        nxt = p.getnext() if p is not None else None
        for _ in range(4):
            if nxt is None:
                return False
            style = nxt.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
            if style is not None and style.get(qn("w:val"), "").startswith("Couverture"):
                return True
            nxt = nxt.getnext()
        return False
    return False


def dossier_files(project: Project, dossiers: list[Dossier], formats: list[str]) -> list[dict[str, bytes]]:
    """{format: bytes} for each dossier: its DOCX and the PDF exported from the same layout."""
    from ..build.build_pdf import source_date_epoch
    from ..writers.docx import fill_pages, write_docx
    from ..writers.libreoffice import lay_out_final
    from ..writers.pdf import finish_pdf

    timestamp = source_date_epoch()
    prepared = []
    for d in dossiers:
        raw = write_docx(d.doc, d.ast, project.templates / "reference.docx", project.conventions)
        prepared.append(_prepare_docx(raw, d))

    def fill(i: int, data: bytes, lay) -> bytes:
        return fill_pages(data, {"pages": lay.pages, "total": lay.total}, dossiers[i].doc.date)

    # one LibreOffice for every dossier's page numbers, one for their PDF
    finals = lay_out_final(prepared, fill, "pdf" in formats, lambda message: say(message, sys.stderr))
    out = []
    for d, (final, lay) in zip(dossiers, finals):
        files = {}
        if "docx" in formats:
            files["docx"] = final
        if "pdf" in formats:
            files["pdf"] = finish_pdf(lay.pdf, d.doc, 0.0, timestamp, fields=False)
        out.append(files)
    return out


# ------------------------------------------------------------------ command


def run_deliberations(command: str, project: Project, corpus: Corpus, diags: Diagnostics, ids: list[str],
                      assembled: dict[str, AssembledDocument] | None = None) -> int:
    """docx, pdf, all (both, one layout) or markdown of the délibérations among ids (the other ids are
    reported unknown). A dossier found in the output cache under its key is not built again."""
    unknown = [i for i in ids if i not in corpus.deliberations]
    for ident in unknown:
        diags.error("conventions", 0, "document-inconnu",
                    f"« {ident} » n'est pas une délibération ; les dossiers de délibération se produisent à part "
                    "des autres documents (« python build.py docx ID » pour chacun).")
    diags.raise_if_errors()
    started = time.perf_counter()
    plans = plan_dossiers(project, corpus, ids, diags, assembled)
    if command == "markdown":
        for plan in plans.values():
            sys.stdout.write(plan.compose().doc.markdown)
        return 0
    formats = {"docx": ["docx"], "pdf": ["pdf"], "all": ["docx", "pdf"]}[command]
    entries, reused = _dossier_entries(project, plans, formats)
    for path, entry in sorted(entries.items()):
        write_if_changed(path, entry.read_bytes())
    for path in sorted(entries):
        # where it ends up: a full build writes into its staging folder, switched in at the end
        say(f"Dossier de délibération écrit : {path.relative_to(project.output_root).as_posix()}", sys.stderr)
    n = len(entries)
    say(f"{n} fichier{'s' if n > 1 else ''} en {seconds(time.perf_counter() - started)}"
        + (f" ({reused} inchangé{'s' if reused > 1 else ''}, repris du cache)" if reused else "") + ".", sys.stderr)
    return 0


def _dossier_entries(project: Project, plans: dict[str, DossierPlan], formats: list[str]
                     ) -> tuple[dict[Path, Path], int]:
    """{dist path: cache entry} of each dossier's files, building only those not in the cache; and how
    many were found there."""
    from ..build.build_outputs import cached_entry, keep_entry, output_keys

    keys = output_keys(project)
    wanted = {ident: {fmt: keys.keyed(plan.fingerprint(keys.resources), fmt, "dossier") for fmt in formats}
              for ident, plan in plans.items()}
    entries: dict[Path, Path] = {}
    missing = []
    for ident, by_fmt in wanted.items():
        found = {fmt: cached_entry(project, key, fmt) for fmt, key in by_fmt.items()}
        if all(found.values()):
            entries.update({output_path(project, ident, fmt): entry for fmt, entry in found.items()})
        else:
            missing.append(ident)
    built = dossier_files(project, [plans[i].compose() for i in missing], formats)
    for ident, produced in zip(missing, built):
        for fmt, data in produced.items():
            entries[output_path(project, ident, fmt)] = keep_entry(project, wanted[ident][fmt], fmt, data)
    return entries, (len(plans) - len(missing)) * len(formats)
