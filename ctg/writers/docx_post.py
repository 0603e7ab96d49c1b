"""python-docx finishing of pandoc's DOCX: sections, running header and footer,
watermark, signature table, repeated table headers, cached page numbers,
reproducible zip."""

from __future__ import annotations

import copy
import datetime as dt
import io
import re
import zipfile

import docx
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm

from .docx_layout import END_BOOKMARK, PAGE_PLACEHOLDER, toc_xml
from .docx_typography import align_cells
from .ooxml import TBL_PR_ORDER, header_footer_styles, normalize_zip, put_in_order

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

WATERMARK = (
    '<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"><w:pict>'
    '<v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" adj="10800" '
    'path="m@7,l@8,m@5,21600l@6,21600e"><v:path textpathok="t" o:connecttype="custom"/>'
    '<v:textpath on="t" fitshape="t"/></v:shapetype>'
    '<v:shape id="PowerPlusWaterMarkObject" o:spid="_x0000_s2049" type="#_x0000_t136" '
    'style="position:absolute;margin-left:0;margin-top:0;width:440pt;height:140pt;rotation:315;'
    'z-index:-251654144;mso-position-horizontal:center;mso-position-horizontal-relative:margin;'
    'mso-position-vertical:center;mso-position-vertical-relative:margin" o:allowincell="f" '
    'fillcolor="#d9d9d9" stroked="f"><v:fill opacity=".5"/>'
    '<v:textpath style="font-family:&quot;Arial&quot;;font-size:1pt" string="PROJET"/></v:shape>'
    "</w:pict></w:r>"
)


def _field(paragraph, instruction: str, cached: str) -> None:
    def run_with(child):
        r = OxmlElement("w:r")
        r.append(child)
        paragraph._p.append(r)

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run_with(instr)
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    run_with(sep)
    paragraph.add_run(cached)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


def _set_orientation(sect_pr, orientation: str) -> None:
    pg = sect_pr.find(qn("w:pgSz"))
    w, h = int(pg.get(qn("w:w"))), int(pg.get(qn("w:h")))
    short, long_ = sorted((w, h))
    if orientation == "paysage" or orientation == "landscape":
        pg.set(qn("w:w"), str(long_))
        pg.set(qn("w:h"), str(short))
        pg.set(qn("w:orient"), "landscape")
    else:
        pg.set(qn("w:w"), str(short))
        pg.set(qn("w:h"), str(long_))
        if pg.get(qn("w:orient")) is not None:
            del pg.attrib[qn("w:orient")]


def _header_footer(document, short_title: str, draft: bool) -> None:
    section = document.sections[-1]
    section.different_first_page_header_footer = True  # the cover page has neither
    # Own definitions on the body section (python-docx would otherwise attach them to the first
    # section, a marker that _sections() replaces); _sections() copies the references.
    section.header.is_linked_to_previous = False
    section.footer.is_linked_to_previous = False
    section.first_page_header.is_linked_to_previous = False
    section.first_page_footer.is_linked_to_previous = False
    header = section.header
    p = header.paragraphs[0]
    p.text = short_title.replace("'", "\u2019") + (" — PROJET" if draft else "")
    if draft:  # on every page, the cover's included (its header is otherwise empty)
        p._p.append(parse_xml(WATERMARK))
        section.first_page_header.paragraphs[0]._p.append(parse_xml(WATERMARK.replace("_x0000_s2049", "_x0000_s2050")))
    footer = section.footer
    fp = footer.paragraphs[0]
    fp.alignment = 1  # centre
    fp.add_run("Page ")
    _field(fp, "PAGE", "1")
    fp.add_run(" sur ")
    _field(fp, "NUMPAGES", "1")


def _sections(document, last_orientation: str) -> None:
    body = document.element.body
    final = body.find(qn("w:sectPr"))
    _set_orientation(final, last_orientation)
    markers = [m for m in body.iter(qn("w:ctgSection"))]
    for i, marker in enumerate(markers):
        sect_pr = marker.getparent()
        replacement = copy.deepcopy(final)
        if i > 0:
            for tp in replacement.findall(qn("w:titlePg")):
                replacement.remove(tp)
        _set_orientation(replacement, marker.get(qn("w:orient")))
        sect_pr.getparent().replace(sect_pr, replacement)
    if markers:
        for tp in final.findall(qn("w:titlePg")):
            final.remove(tp)
    # Footnotes are numbered through the whole document, not restarted in each section.
    for restart in body.iter(qn("w:numRestart")):
        restart.getparent().remove(restart)


def _tables(document) -> None:
    for table in document.tables:
        rows = table._tbl.findall(qn("w:tr"))
        if not rows:
            continue
        first_cell_p = rows[0].find(f".//{qn('w:p')}")
        style = first_cell_p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}") if first_cell_p is not None else None
        is_signature = style is not None and style.get(qn("w:val")) == "Signataire"
        tbl_pr = table._tbl.tblPr
        borders = parse_xml(
            f'<w:tblBorders {nsdecls("w")}>'
            + "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="{"BFBFBF" if is_signature else "808080"}"/>'
                      for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
            + "</w:tblBorders>")
        put_in_order(tbl_pr, borders, TBL_PR_ORDER)
        if is_signature:
            _bookmark_last_cell(rows[-1])
            for row in rows:
                tr_pr = row.get_or_add_trPr()
                tr_pr.append(OxmlElement("w:cantSplit"))
                height = OxmlElement("w:trHeight")
                height.set(qn("w:val"), str(int(Cm(4.2).twips)))
                height.set(qn("w:hRule"), "atLeast")
                tr_pr.append(height)
            continue
        align_cells(table)
        # pandoc already marks header rows with w:tblHeader (repeated on each page)
        for row in rows:
            row.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def _bookmark_last_cell(row) -> None:
    """The end of the document's body is its last signature: « comporte N pages » points here."""
    # runs may sit inside tracked changes (w:ins, w:del) in a redline
    paragraphs = [p for p in row.iter(qn("w:p")) if p.find(f".//{qn('w:r')}") is not None]
    last = paragraphs[-1]
    start = parse_xml(f'<w:bookmarkStart xmlns:w="{W}" w:id="9000" w:name="{END_BOOKMARK}"/>')
    end = parse_xml(f'<w:bookmarkEnd xmlns:w="{W}" w:id="9000"/>')
    first_run = last.find(qn("w:r"))
    if first_run is None:
        first_run = next(c for c in last if c.tag in (qn("w:ins"), qn("w:del"), qn("w:hyperlink")))
    first_run.addprevious(start)
    last.append(end)


def _bookmark_of(p) -> str:
    """pandoc puts a heading's bookmarkStart just before its paragraph (or inside it)."""
    mark = p.find(qn("w:bookmarkStart"))
    prev = p.getprevious()
    while mark is None and prev is not None and prev.tag == qn("w:bookmarkStart"):
        mark = prev
        prev = prev.getprevious()
    return mark.get(qn("w:name")) if mark is not None else ""


def docx_headings(document) -> list[tuple[int, str, str]]:
    """(level, bookmark, text) of every heading paragraph of the body, in order."""
    out = []
    for p in document.element.body.iterchildren(qn("w:p")):
        style = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        name = style.get(qn("w:val")) if style is not None else ""
        if not (name.startswith("Heading") and name[7:].isdigit()):
            continue
        text = "".join(t.text or "" for t in p.iter(qn("w:t")))
        out.append((int(name[7:]), _bookmark_of(p), text))
    return out


def toc_selection(all_headings: list[tuple[int, str, str]]) -> list[tuple[int, str, str]]:
    """The sommaire lists every level-1 heading, and sub-articles (level 2) of the convention
    itself; inside annexes only their titles (a plan d'actions has dozens of fiches). A heading with no text
    left is one a comparison deletes whole (its words are deleted text): not an entry of the sommaire."""
    out, in_annexes = [], False
    for level, mark, text in all_headings:
        if not mark or not text.strip():
            continue
        if level == 1:
            in_annexes = in_annexes or mark.startswith("annexe-")
            out.append((level, mark, text))
        elif level == 2 and not in_annexes:
            out.append((level, mark, text))
    return out


def _outline_as_sommaire(document, entries: list[tuple[int, str, str]]) -> None:
    """Headings the sommaire leaves out (inside annexes, below level 2) get the outline level of body
    text: the PDF's outline (LibreOffice's bookmarks), Word's navigation pane and an updated TOC
    field then list exactly the sommaire's entries; the headings keep their style."""
    listed = {mark for _level, mark, _text in entries}
    after = {qn(f"w:{t}") for t in ("divId", "cnfStyle", "rPr", "sectPr", "pPrChange")}
    for p in document.element.body.iterchildren(qn("w:p")):
        style = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        name = style.get(qn("w:val")) if style is not None else ""
        if not (name.startswith("Heading") and name[7:].isdigit()) or _bookmark_of(p) in listed:
            continue
        ppr = style.getparent()
        level = OxmlElement("w:outlineLvl")
        level.set(qn("w:val"), "9")
        anchor = next((c for c in ppr if c.tag in after), None)
        if anchor is not None:
            anchor.addprevious(level)
        else:
            ppr.append(level)


def _toc(document) -> None:
    markers = list(document.element.body.iter(qn("w:ctgToc")))
    if not markers:
        return
    entries = toc_selection(docx_headings(document))
    _outline_as_sommaire(document, entries)
    xml = f'<w:body xmlns:w="{W}">{toc_xml(entries)}</w:body>'
    paragraphs = list(parse_xml(xml))
    target = markers[0].getparent()
    if target.find(f"{qn('w:pPr')}/{qn('w:pageBreakBefore')}") is not None:  # the sommaire opens a page
        paragraphs[0].find(f"{qn('w:pPr')}/{qn('w:pStyle')}").addnext(OxmlElement("w:pageBreakBefore"))
    for p in paragraphs:
        target.addprevious(p)
    target.getparent().remove(target)


def finish(data: bytes, *, short_title: str, draft: bool, last_orientation: str, date: dt.date,
           title: str, author: str, keywords: list[str]) -> bytes:
    document = docx.Document(io.BytesIO(data))
    _header_footer(document, short_title, draft)
    header_footer_styles(document)
    _bookmarks_into_headings(document)
    _breaks_before(document)  # before the spacers: a heading may then follow a table directly
    _spacer_after_tables(document)
    _toc(document)
    _sections(document, last_orientation)
    _tables(document)
    props = document.core_properties
    props.title = title
    props.author = author
    props.keywords = ", ".join(keywords)
    props.language = "fr-FR"
    stamp = dt.datetime(date.year, date.month, date.day)
    props.created = props.modified = stamp
    props.last_modified_by = author
    props.revision = 1
    out = io.BytesIO()
    document.save(out)
    return normalize_zip(out.getvalue(), date)


def _breaks_before(document) -> None:
    """A paragraph holding only a page break becomes « page break before » on the paragraph that
    follows it: when the text before fills its page exactly (a full sommaire), the break paragraph
    would open a page of its own and leave it blank."""
    body = document.element.body
    skip = {qn("w:bookmarkStart"), qn("w:bookmarkEnd")}
    for p in list(body.iterchildren(qn("w:p"))):
        runs = p.findall(qn("w:r"))
        if len(runs) != 1 or len(runs[0]) != 1 or runs[0][0].tag != qn("w:br") \
                or runs[0][0].get(qn("w:type")) != "page" or p.find(qn("w:pPr")) is not None:
            continue
        nxt = p.getnext()
        while nxt is not None and nxt.tag in skip:
            nxt = nxt.getnext()
        if nxt is None or nxt.tag != qn("w:p") or nxt.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None:
            continue
        ppr = nxt.find(qn("w:pPr"))
        if ppr is None:
            ppr = OxmlElement("w:pPr")
            nxt.insert(0, ppr)
        before = OxmlElement("w:pageBreakBefore")
        earlier = {qn(f"w:{t}") for t in ("pStyle", "keepNext", "keepLines")}
        last_earlier = [c for c in ppr if c.tag in earlier]
        if last_earlier:
            last_earlier[-1].addnext(before)
        else:
            ppr.insert(0, before)
        body.remove(p)


def _bookmarks_into_headings(document) -> None:
    """pandoc puts a heading's bookmarkStart before its paragraph; Word puts it inside, and
    LibreOffice only keeps it reliably there (it drops some after tables)."""
    for p in document.element.body.iterchildren(qn("w:p")):
        starts = []
        prev = p.getprevious()
        while prev is not None and prev.tag == qn("w:bookmarkStart"):
            starts.append(prev)
            prev = prev.getprevious()
        if not starts:
            continue
        ppr = p.find(qn("w:pPr"))
        anchor_index = 1 if ppr is not None else 0
        for mark in starts:
            p.insert(anchor_index, mark)


def _spacer_after_tables(document) -> None:
    """LibreOffice loses a bookmark that starts the paragraph right after a table: put a
    tiny empty paragraph between them (Word-generated documents usually have one)."""
    for tbl in list(document.element.body.iterchildren(qn("w:tbl"))):
        nxt = tbl.getnext()
        while nxt is not None and nxt.tag == qn("w:bookmarkEnd"):
            nxt = nxt.getnext()
        if nxt is None or nxt.tag != qn("w:p") or nxt.find(qn("w:bookmarkStart")) is None:
            continue
        spacer = parse_xml(f'<w:p xmlns:w="{W}"><w:pPr><w:spacing w:before="0" w:after="0" w:line="40" '
                           'w:lineRule="exact"/><w:rPr><w:sz w:val="2"/></w:rPr></w:pPr></w:p>')
        tbl.addnext(spacer)


def pageref_targets(data: bytes) -> list[str]:
    """Bookmarks named by the PAGEREF fields of a DOCX."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    return sorted(set(re.findall(r"PAGEREF (\S+) ", xml)))


def fill_pages(data: bytes, layout: dict, date: dt.date) -> bytes:
    """Write page numbers (from the layout) into the cached results of PAGEREF fields."""
    document = docx.Document(io.BytesIO(data))
    pages = layout["pages"]
    body = document.element.body
    for instr in body.iter(qn("w:instrText")):
        text = (instr.text or "").split()
        if len(text) < 2 or text[0] != "PAGEREF" or text[1] not in pages:
            continue
        run = instr.getparent()
        # the cached result is the first w:t after the 'separate' fldChar that follows
        node = run.getnext()
        seen_separate = False
        while node is not None:
            fld = node.find(qn("w:fldChar"))
            if fld is not None and fld.get(qn("w:fldCharType")) == "separate":
                seen_separate = True
            elif fld is not None and fld.get(qn("w:fldCharType")) == "end":
                break
            t = node.find(qn("w:t"))
            if seen_separate and t is not None:
                t.text = str(pages[text[1]])
                break
            node = node.getnext()
    out = io.BytesIO()
    document.save(out)
    return normalize_zip(out.getvalue(), date, pages=layout.get("total"))


# Word's default left and right cell margins (0.19 cm), which pandoc's tables keep
DEFAULT_CELL_MARGIN_TWIPS = 108


def signature_zone_width(data: bytes) -> float:
    """Width in points of the text area of a signature cell (where each signature zone lies), from
    the grid of the signature table; 0 when the document has no signature zone."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        root = parse_xml(z.read("word/document.xml"))
    for mark in root.iter(qn("w:bookmarkStart")):
        if not mark.get(qn("w:name"), "").startswith("signature-"):
            continue
        table = next((a for a in mark.iterancestors(qn("w:tbl"))), None)
        col = table.find(f"{qn('w:tblGrid')}/{qn('w:gridCol')}") if table is not None else None
        if col is None:
            continue
        return (int(col.get(qn("w:w"))) - 2 * DEFAULT_CELL_MARGIN_TWIPS) / 20
    return 0.0


def unfilled_pagerefs(data: bytes) -> int:
    """How many PAGEREF results still hold the placeholder (a test and a safety check)."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    return xml.count(f"<w:t>{PAGE_PLACEHOLDER}</w:t>")
