"""« build.py docx|pdf|markdown ID » on a délibération: its dossier, one file.

The dossier (ctg/compose.py) holds the délibération, its rapport and each approved
document as assembled, each part on a new page. PDF: the Typst template numbers the
pages of each part from 1 (« Pièce – page 2 sur 7 ») and so does its sommaire. DOCX:
each part is a section whose page numbers restart at 1, with the part's short title in
the header and « page X sur N » in the footer; LibreOffice lays the file out once (one
soffice for all the dossiers of the command) and its page numbers are converted to
the part's own before they are written into the sommaire and « comporte N pages ».
"""

from __future__ import annotations

import io
import re
import sys
import time
import zipfile
from pathlib import Path

from .compose import Dossier, Part, compose
from ..sources.corpus import Corpus, DeliberationSource
from .deliberation import assemble_deliberation
from ..core.diagnostics import Diagnostic, Diagnostics, UserError
from ..core.french import capitalize, date_fr, seconds
from ..core.outputs import write_atomic
from ..build.pipeline import assemble_checked
from ..core.project import Project
from ..core.progress import say

NBSP = "\u00a0"
FOLDER = "deliberations"


def output_path(project: Project, ident: str, ext: str) -> Path:
    """dist/deliberations/<id>.<ext>."""
    return project.dist / FOLDER / f"{ident}.{ext}"


def dossier_of(project: Project, corpus: Corpus, delib: DeliberationSource, docs: dict, diags: Diagnostics
               ) -> Dossier | None:
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
    return compose(delib.id, texts.deliberation.title, f"Délibération n°{NBSP}{meta.numero}", cover, parts,
                   author=org.nom, date=meta.seance, status="signée", sources=texts.deliberation.sources)


def build_dossiers(project: Project, corpus: Corpus, ids: list[str], diags: Diagnostics) -> dict[str, Dossier]:
    needed = sorted({d for i in ids for d in corpus.deliberations[i].meta.approuve})
    docs = assemble_checked(project, corpus, diags, needed)
    diags.raise_if_errors()
    out = {}
    for ident in ids:
        dossier = dossier_of(project, corpus, corpus.deliberations[ident], docs, diags)
        if dossier is not None:
            out[ident] = dossier
    diags.raise_if_errors()
    return out


# ------------------------------------------------------------------ PDF


def dossier_pdf(project: Project, dossier: Dossier) -> bytes:
    from ..build.build_pdf import source_date_epoch
    from ..writers.pdf import LayoutError, PdfOptions, write_pdf

    options = PdfOptions(template=project.templates / "typst" / "convention.typ",
                         resources=(project.conventions, project.conventions / "_registre"),
                         timestamp=source_date_epoch())
    try:
        return write_pdf(dossier.doc, dossier.ast, options)
    except LayoutError as exc:
        raise UserError([Diagnostic(dossier.doc.sources[0] if dossier.doc.sources else dossier.doc.id, 0,
                                    "mise-en-page-pdf", f"PDF de « {dossier.doc.id} » : {exc}")]) from None


# ------------------------------------------------------------------ DOCX


def _placeholder(prefix: str) -> str:
    return f"@@pages-{prefix}@@"


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


def _pg_num_restart(sect_pr) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for old in sect_pr.findall(qn("w:pgNumType")):
        sect_pr.remove(old)
    num = OxmlElement("w:pgNumType")
    num.set(qn("w:start"), "1")
    later = ("cols", "formProt", "vAlign", "noEndnote", "titlePg", "textDirection", "bidi", "rtlGutter",
             "docGrid", "printerSettings")
    for child in sect_pr.iterchildren():
        if child.tag in {qn(f"w:{t}") for t in later}:
            child.addprevious(num)
            return
    sect_pr.append(num)


def _unlink(sect_pr, kinds=("headerReference", "footerReference")) -> None:
    from docx.oxml.ns import qn

    for kind in kinds:
        for ref in sect_pr.findall(qn(f"w:{kind}")):
            sect_pr.remove(ref)


def _page_field(paragraph) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def run_with(child):
        r = OxmlElement("w:r")
        r.append(child)
        paragraph._p.append(r)

    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            run_with(fld)
        elif text == " PAGE ":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run_with(instr)
        else:
            paragraph.add_run(text)


def _prepare_docx(data: bytes, dossier: Dossier) -> tuple[bytes, list[str]]:
    """Part sections (restart, header, footer), one end-of-signatures bookmark per part.
    Returns the DOCX and the bookmarks whose pages LibreOffice must give."""
    import docx
    from docx.oxml.ns import qn

    from ..writers.docx_layout import END_BOOKMARK
    from ..writers.docx_post import pageref_targets

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
            continue  # an annex of the same part, in another orientation: same header, footer, numbering
        _pg_num_restart(sect_pr)
        prefix = f"p{part + 1}"
        section.header.is_linked_to_previous = False
        section.footer.is_linked_to_previous = False
        header = section.header.paragraphs[0]
        header.text = f"{dossier.part_titles[part]}\t\t{dossier.doc.short_title}"
        footer = section.footer.paragraphs[0]
        footer.alignment = 1
        footer.add_run(f"{dossier.part_titles[part]} – page ")
        _page_field(footer)
        footer.add_run(f" sur {_placeholder(prefix)}")
        if section_has_cover(document, firsts[part]):
            section.different_first_page_header_footer = True
            section.first_page_header.is_linked_to_previous = False
            section.first_page_footer.is_linked_to_previous = False
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


def _part_pages(layout: dict, firsts: list[str]) -> tuple[dict[str, int], list[int]]:
    """Page numbers within each part, and the number of pages of each part."""
    phys = layout["pages"]
    starts = [phys.get(f) for f in firsts]
    known = [s for s in starts if s is not None]
    counts = []
    for k, s in enumerate(starts):
        nxt = next((x for x in starts[k + 1:] if x is not None), layout["total"] + 1)
        counts.append(nxt - s if s is not None else 0)
    pages = {}
    for name, page in phys.items():
        owner = max((s for s in known if s <= page), default=None)
        pages[name] = page - owner + 1 if owner is not None else page
    return pages, counts


def _fill_footers(data: bytes, counts: list[int]) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if re.match(r"word/footer\d*\.xml$", info.filename):
                text = content.decode("utf-8")
                for k, n in enumerate(counts):
                    text = text.replace(_placeholder(f"p{k + 1}"), str(n))
                content = text.encode("utf-8")
            dst.writestr(info, content)
    return out.getvalue()


def dossier_docx(project: Project, dossiers: list[Dossier]) -> list[bytes]:
    from ..writers.libreoffice import bookmark_pages
    from ..writers.docx import fill_pages, write_docx
    from ..writers.docx_post import normalize_zip

    prepared = []
    for d in dossiers:
        raw = write_docx(d.doc, d.ast, project.templates / "reference.docx", project.conventions)
        prepared.append(_prepare_docx(raw, d))
    layouts = bookmark_pages(prepared)  # one LibreOffice for every dossier
    out = []
    for d, (data, _wanted), lay in zip(dossiers, prepared, layouts):
        pages, counts = _part_pages(lay, d.part_firsts)
        filled = fill_pages(data, {"pages": pages, "total": lay["total"]}, d.doc.date)
        out.append(normalize_zip(_fill_footers(filled, counts), d.doc.date))
    return out


# ------------------------------------------------------------------ command


def run_deliberations(command: str, project: Project, corpus: Corpus, diags: Diagnostics, ids: list[str]) -> int:
    """docx, pdf or markdown of the délibérations among ids (the other ids are reported unknown)."""
    unknown = [i for i in ids if i not in corpus.deliberations]
    for ident in unknown:
        diags.error("conventions", 0, "document-inconnu",
                    f"« {ident} » n'est pas une délibération ; les dossiers de délibération se produisent à part "
                    "des autres documents (« python build.py docx ID » pour chacun).")
    diags.raise_if_errors()
    started = time.perf_counter()
    dossiers = build_dossiers(project, corpus, ids, diags)
    if command == "markdown":
        for d in dossiers.values():
            sys.stdout.write(d.doc.markdown)
        return 0
    files: dict[Path, bytes] = {}
    if command == "docx":
        for ident, data in zip(dossiers, dossier_docx(project, list(dossiers.values()))):
            files[output_path(project, ident, "docx")] = data
    elif command == "pdf":
        for ident, d in dossiers.items():
            files[output_path(project, ident, "pdf")] = dossier_pdf(project, d)
    else:
        raise ValueError(command)
    for path, data in sorted(files.items()):
        write_atomic(path, data)
    for path in sorted(files):
        say(f"Dossier de délibération écrit : {path.relative_to(project.root).as_posix()}", sys.stderr)
    say(f"{len(files)} fichier{'s' if len(files) > 1 else ''} en {seconds(time.perf_counter() - started)}.",
        sys.stderr)
    return 0
