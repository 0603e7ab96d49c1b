"""DOCX layout of the assembled AST: cover, sommaire, sections, signature table.

Pure AST → AST transforms; the raw OpenXML they insert is finished by
docx_post.py (section properties copied from the reference document).
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from ..core.ast import (attr, div_info, drop_empty_columns, is_div, is_span, map_blocks, map_inlines, raw_block,
                        raw_inline, unlink_missing_targets)

from ..core.french import BLANK_FILL
from .docx_fiches import fiche_table
from .docx_typography import french_inline

PAGE_BREAK = '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'
END_BOOKMARK = "fin-document"
#: the empty space left for a signature at the end of each signatory's cell, bookmarked so that
#: the PDF writer finds it (a named destination) and puts the signature field there
SIGNATURE_ZONE_HEIGHT_PT = 56.0  # about 2 cm
SIGNATURE_ZONE_FIRST_ID = 9500
PAGE_PLACEHOLDER = "00"
TOC_MARKER = "<w:p><w:ctgToc/></w:p>"

COVER_STYLES = {
    "mention-projet": "Mention projet",
    "titre-document": "Couverture titre",
    "territoire": "Couverture territoire",
    "periode": "Couverture periode",
    "signataires-couverture": "Couverture parties",
    "logos": "Couverture logos",
    "logos-compacts": "Couverture logos compacte",
}
MANY_PARTIES = 8  # above: the cover's list of parties and its logos in their compact styles


def section_marker(orientation: str) -> str:
    """Ends a section of the given orientation; docx_post.py fills in the real w:sectPr."""
    return f'<w:p><w:pPr><w:sectPr><w:ctgSection w:orient="{orientation}"/></w:sectPr></w:pPr></w:p>'


def field_runs(instruction: str, cached: str) -> str:
    return ('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            f'<w:r><w:instrText xml:space="preserve"> {escape(instruction)} </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
            f'<w:r><w:t>{escape(cached)}</w:t></w:r>'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r>')


def pageref_instruction(bookmark: str) -> str:
    return f"PAGEREF {bookmark} \\h"


def toc_xml(entries: list[tuple[int, str, str]], pages: dict[str, int] | None = None) -> str:
    """A real Word TOC field whose cached result already lists every entry with its page.

    entries: (level, bookmark, text). Each page number is itself a PAGEREF field,
    as Word writes it, so « Mettre à jour la table » keeps working.
    """
    pages = pages or {}
    out = ['<w:p><w:pPr><w:pStyle w:val="TOCHeading"/></w:pPr><w:r><w:t>Sommaire</w:t></w:r></w:p>']
    for i, (level, anchor, text) in enumerate(entries):
        first, last = i == 0, i == len(entries) - 1
        runs = ""
        if first:
            runs += ('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
                     '<w:r><w:instrText xml:space="preserve"> TOC \\o "1-2" \\h \\z \\u </w:instrText></w:r>'
                     '<w:r><w:fldChar w:fldCharType="separate"/></w:r>')
        page = str(pages.get(anchor, PAGE_PLACEHOLDER))
        pageref = field_runs(pageref_instruction(anchor), page)
        runs += (f'<w:hyperlink w:anchor="{escape(anchor)}" w:history="1">'
                 f'<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r><w:r><w:tab/></w:r>'
                 f'{pageref}</w:hyperlink>')
        if last:
            runs += '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
        out.append(f'<w:p><w:pPr><w:pStyle w:val="TOC{level}"/></w:pPr>{runs}</w:p>')
    return "".join(out)


def signature_zone_name(org_id: str) -> str:
    return f"signature-{org_id}"


def _signature_zone(org_id: str, n: int) -> dict:
    # The bookmark spans a no-break space: LibreOffice drops an empty one at the end of a document.
    ident = SIGNATURE_ZONE_FIRST_ID + n
    twips = int(SIGNATURE_ZONE_HEIGHT_PT * 20)
    return raw_block("openxml", (
        f'<w:p><w:pPr><w:pStyle w:val="Signataire"/><w:spacing w:before="0" w:after="0" w:line="{twips}" '
        f'w:lineRule="exact"/></w:pPr><w:bookmarkStart w:id="{ident}" w:name="{escape(signature_zone_name(org_id))}"/>'
        f'<w:r><w:t xml:space="preserve">\u00a0</w:t></w:r><w:bookmarkEnd w:id="{ident}"/></w:p>'))


def _styled(blocks: list, style: str) -> dict:
    return {"t": "Div", "c": [attr(kv={"custom-style": style}), blocks]}


def _signature_table(cells: list[list]) -> dict:
    """A two-column pandoc Table, one cell per signatory (docx_post.py keeps rows whole)."""
    ncols = 2 if len(cells) > 1 else 1
    rows = []
    for start in range(0, len(cells), ncols):
        row_cells = []
        for j in range(ncols):
            content = cells[start + j] if start + j < len(cells) else []
            row_cells.append([attr(), {"t": "AlignDefault"}, 1, 1, content])
        rows.append([attr(), row_cells])
    colspecs = [[{"t": "AlignDefault"}, {"t": "ColWidth", "c": 1.0 / ncols}] for _ in range(ncols)]
    return {"t": "Table", "c": [attr(classes=["signatures"]), [None, []], colspecs, [attr(), []],
                                 [[attr(), 0, [], rows]], [attr(), []]]}


def _signatures(b: dict) -> dict:
    """The signature block: a table, one cell per signatory, each ending with its signature zone."""
    # champs="non": a document reproduced in a dossier (ctg/compose.py) is not signed there
    zones = div_info(b)[2].get("champs") != "non"
    signataires = [cell for cell in b["c"][1] if is_div(cell, "signataire")]
    cells = [[_styled(cell["c"][1], "Signataire")]
             + ([_signature_zone(div_info(cell)[0].removeprefix("signataire-"), n)] if zones else [])
             for n, cell in enumerate(signataires)]
    return _signature_table(cells)  # docx_post.py bookmarks its last cell (END_BOOKMARK)


def _block(b: dict):
    if is_div(b, "couverture"):
        inner = []
        for child in b["c"][1]:
            _i, classes, _kv = div_info(child) if child.get("t") == "Div" else ("", [], {})
            style = next((COVER_STYLES[c] for c in classes if c in COVER_STYLES), None)
            if "signataires-couverture" in classes and len(child["c"][1]) > MANY_PARTIES + 1:  # « Entre » + parties
                style = "Couverture parties compacte"
            inner.append(_styled(child["c"][1], style) if style else child)
        return inner + [raw_block("openxml", PAGE_BREAK)]
    if is_div(b, "sommaire"):
        # docx_post.py replaces the marker by the TOC built from the DOCX's own headings and bookmarks
        return [raw_block("openxml", TOC_MARKER), raw_block("openxml", PAGE_BREAK)]
    if is_div(b, "cloture"):
        return [_styled(b["c"][1], "Cloture")]
    if is_div(b, "signatures"):
        return [_signatures(b)]
    if b.get("t") == "Para" and any(i.get("t") == "Str" and BLANK_FILL in i["c"] for i in b["c"]):
        return [_styled([b], "Formulaire")]  # a form's line with blanks: aligned left
    if b.get("t") == "Table":
        return [drop_empty_columns(b)]  # a column no row fills is not printed
    if is_div(b, "fiche-action"):
        table = fiche_table(b)
        return [table] if table is not None else None
    if b.get("t") == "Header" and b["c"][0] == 2 and b["c"][1][0].startswith("fiche-"):
        return [raw_block("openxml", PAGE_BREAK), b]  # each fiche action opens a page
    return None


def _inline(i: dict):
    if is_span(i, "pages-document"):
        part = div_info(i)[2].get("partie")  # in a dossier: the end of that part's signatures
        mark = f"{END_BOOKMARK}-{part}" if part else END_BOOKMARK
        return [raw_inline("openxml", field_runs(pageref_instruction(mark), PAGE_PLACEHOLDER))]
    if is_span(i, "mention-pages"):
        return i["c"][1]
    return french_inline(i)


def with_logos(ast: dict, logos: list[str]) -> dict:
    """The parties' logos at the foot of the cover, on one row, smaller when they are many."""
    if not logos:
        return ast
    height = "2cm" if len(logos) <= 3 else "1.2cm" if len(logos) <= MANY_PARTIES else "0.8cm"  # on one row
    images = []
    for logo in logos:
        images += [{"t": "Image", "c": [attr(kv={"height": height}), [], [logo, ""]]}, {"t": "Space"}]
    kind = "logos" if len(logos) <= MANY_PARTIES else "logos-compacts"
    row = {"t": "Div", "c": [attr(classes=[kind]), [{"t": "Para", "c": images[:-1]}]]}

    def add(b: dict):
        return [{"t": "Div", "c": [b["c"][0], b["c"][1] + [row]]}] if is_div(b, "couverture") else None
    return dict(ast, blocks=[x for b in ast["blocks"] for x in (add(b) or [b])])


def layout(ast: dict) -> tuple[dict, str]:
    """Return the DOCX-ready AST and the orientation of the document's last section."""
    ast = unlink_missing_targets(ast)
    orientation = "portrait"
    out = []
    for b in map_blocks(ast["blocks"], _block):
        if is_div(b, "partie"):
            # a dossier's part (ctg/compose.py): a new section, portrait; ctg/dossier_outputs.py gives
            # it its running header
            if out and out[-1] == raw_block("openxml", PAGE_BREAK):
                out.pop()  # the section break starts the new page
            out.append(raw_block("openxml", section_marker(orientation)))
            orientation = "portrait"
            continue
        if is_div(b, "annexe"):
            wanted = div_info(b)[2].get("orientation", "portrait")
            if wanted != orientation:
                out.append(raw_block("openxml", section_marker(orientation)))
                orientation = wanted
            else:
                out.append(raw_block("openxml", PAGE_BREAK))
            out.extend(b["c"][1])
        else:
            out.append(b)
    return dict(ast, blocks=map_inlines(out, _inline)), orientation
