"""French typography that belongs to the printed page, not to the text (a signed text's
fingerprint does not depend on it): ordinals and « n° » in their superscript forms (1er, 2e,
nᵒ), the typographic apostrophe, table text aligned left and numbers right."""

from __future__ import annotations

import re

from docx.enum.text import WD_ALIGN_PARAGRAPH

ORDINAL = re.compile(r"(?<!\w)(\d+|[IVX]{2,})(er|re|ers|res|e|es)(?!\w)|(?<!\w)([nN])°")
NUMBER = re.compile(r"^[+\-−]?[\d\u00a0\u202f .,]*\d[\d\u00a0\u202f .,]*(?:\s?%|\s?€)?$")


def _superscript(text: str) -> dict:
    return {"t": "Superscript", "c": [{"t": "Str", "c": text}]}


def french_inline(inline: dict) -> list | None:
    """A Str with « 1er », « 2e », « XXe », « n° » split into text and superscript, and its straight
    apostrophes made typographic; None when there is nothing to change."""
    if inline.get("t") != "Str":
        return None
    text = inline["c"]
    if "'" not in text and not ORDINAL.search(text):
        return None
    text = text.replace("'", "\u2019")
    out: list[dict] = []
    pos = 0
    for m in ORDINAL.finditer(text):
        if m.start() > pos:
            out.append({"t": "Str", "c": text[pos:m.start()]})
        if m.group(3):
            out += [{"t": "Str", "c": m.group(3)}, _superscript("o")]
        else:
            out += [{"t": "Str", "c": m.group(1)}, _superscript(m.group(2))]
        pos = m.end()
    if pos < len(text):
        out.append({"t": "Str", "c": text[pos:]})
    return out


def align_cells(table) -> None:
    """Table text aligned left (never justified nor centred); a column of numbers (a quantity, not a
    code: « Code INSEE » stays left) aligned right, its heading too (python-docx Table)."""
    rows = table.rows
    if not rows:
        return
    width = len(rows[0].cells)
    for j in range(width):
        cells = [row.cells[j] for row in rows if len(row.cells) == width]
        header, body = cells[0].text.strip(), [c.text.strip() for c in cells[1:] if c.text.strip()]
        numeric = bool(body) and all(NUMBER.match(t) for t in body) and "code" not in header.lower()
        for cell in cells:
            for p in cell.paragraphs:
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT if numeric else WD_ALIGN_PARAGRAPH.LEFT
