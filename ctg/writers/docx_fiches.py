"""A fiche action laid out as the real ones: a two-column table (label | content), its identity
at the top (thématique or axe, enjeu, objectif, pilote, partenaires, échéances), then one row
per heading of the fiche; each fiche opens a new page. The assembled text is unchanged: this is
layout (a signed text's fingerprint does not depend on it)."""

from __future__ import annotations

from ..core.ast import attr, stringify

IDENTITY_LAST = ("Partenaires sollicités",)  # a heading of the fiche shown with its identity
LABEL_WIDTH = 0.27


def _identity_rows(bullets: dict) -> list[tuple[str, list]]:
    """« - **Thématique** : Petite enfance » → ("Thématique", [Plain "Petite enfance"])."""
    rows = []
    for item in bullets["c"]:
        first = item[0] if item else None
        inlines = first["c"] if first and first.get("t") in ("Plain", "Para") else []
        if not inlines or inlines[0].get("t") != "Strong":
            return []
        label = stringify(inlines[0]["c"])
        rest = list(inlines[1:])
        while rest and (rest[0].get("t") in ("Space", "SoftBreak") or
                        (rest[0].get("t") == "Str" and rest[0]["c"].strip("\u00a0\u202f ") in (":", ""))):
            rest.pop(0)
        rows.append((label, [{"t": "Plain", "c": rest}] + item[1:]))
    return rows


def _heading_rows(blocks: list) -> list[tuple[str, list]]:
    rows: list[tuple[str, list]] = []
    for b in blocks:
        if b.get("t") == "Header":
            rows.append((stringify(b["c"][2]), []))
        elif rows:
            rows[-1][1].append(b)
    return rows


def _cell(blocks: list) -> list:
    return [attr(), {"t": "AlignDefault"}, 1, 1, blocks]


def fiche_table(div: dict) -> dict | None:
    """The two-column table of a « fiche-action » div; None when its shape is not the expected one."""
    blocks = div["c"][1]
    if not blocks or blocks[0].get("t") != "BulletList":
        return None
    identity = _identity_rows(blocks[0])
    if not identity:
        return None
    sections = _heading_rows(blocks[1:])
    moved = [r for r in sections if r[0] in IDENTITY_LAST]
    sections = [r for r in sections if r[0] not in IDENTITY_LAST]
    before_deadline = [r for r in identity if r[0] != "Échéances"]
    deadline = [r for r in identity if r[0] == "Échéances"]
    rows = before_deadline + moved + deadline + sections
    body = [[attr(), [_cell([{"t": "Plain", "c": [{"t": "Strong", "c": [{"t": "Str", "c": label}]}]}]), _cell(content)]]
            for label, content in rows]
    colspecs = [[{"t": "AlignLeft"}, {"t": "ColWidth", "c": LABEL_WIDTH}],
                [{"t": "AlignLeft"}, {"t": "ColWidth", "c": 1 - LABEL_WIDTH}]]
    return {"t": "Table", "c": [attr(classes=["fiche-action"]), [None, []], colspecs, [attr(), []],
                                [[attr(), 0, [], body]], [attr(), []]]}
