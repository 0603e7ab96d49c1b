"""Redline: two assembled documents compared block by block, then word by word.

The result is one pandoc AST in which what the later version removed is wrapped in
spans of class « deletion » and what it added in spans of class « insertion », each
with its author and date: pandoc's DOCX writer turns those into Word's own tracked
changes (w:del / w:ins; writers/redline_docx.py finishes them), and the site shows
them as <del>/<ins>. Paragraphs, list items, table rows, annexes and fiches are
aligned first (an inserted fiche is inserted as a whole, a deleted table row as a row);
a paragraph that changed is then compared word by word.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass

from .ast import attr, is_div, stringify

INSERTION = "insertion"
DELETION = "deletion"
LOOKAHEAD = 30  # blocks searched for the counterpart of a changed block
NAMED = ("annexe-", "article-", "fiche-")  # identifiers the assembly gives: one part of the convention
SIMILAR = 0.5  # word similarity from which two paragraphs are one paragraph changed


@dataclass(frozen=True)
class Mark:
    author: str
    date: str  # ISO 8601, as Word wants it: 2023-01-01T00:00:00Z

    def span(self, cls: str, inlines: list) -> dict:
        return {"t": "Span", "c": [attr(classes=[cls], kv={"author": self.author, "date": self.date}), inlines]}


def _key(node) -> str:
    return json.dumps(node, sort_keys=True, ensure_ascii=False)


# ---------------------------------------------------------------- marking whole blocks


def mark_blocks(blocks: list, cls: str, mark: Mark) -> list:
    return [mark_block(b, cls, mark) for b in blocks]


def mark_block(block: dict, cls: str, mark: Mark) -> dict:
    t, c = block.get("t"), block.get("c")
    if t in ("Para", "Plain"):
        return {"t": t, "c": [mark.span(cls, c)]} if c else block
    if t == "Header":
        return {"t": t, "c": [c[0], c[1], [mark.span(cls, c[2])]]}
    if t == "Div":
        return {"t": t, "c": [c[0], mark_blocks(c[1], cls, mark)]}
    if t == "BlockQuote":
        return {"t": t, "c": mark_blocks(c, cls, mark)}
    if t == "BulletList":
        return {"t": t, "c": [mark_blocks(item, cls, mark) for item in c]}
    if t == "OrderedList":
        return {"t": t, "c": [c[0], [mark_blocks(item, cls, mark) for item in c[1]]]}
    if t == "LineBlock":
        return {"t": t, "c": [[mark.span(cls, line)] for line in c]}
    if t == "Table":
        return _map_table_cells(block, lambda blocks: mark_blocks(blocks, cls, mark))
    return block


def _map_table_cells(table: dict, fn) -> dict:
    a, caption, colspecs, head, bodies, foot = table["c"]

    def rows(rs):
        return [[r[0], [[cell[0], cell[1], cell[2], cell[3], fn(cell[4])] for cell in r[1]]] for r in rs]

    head = [head[0], rows(head[1])]
    bodies = [[b[0], b[1], rows(b[2]), rows(b[3])] for b in bodies]
    foot = [foot[0], rows(foot[1])]
    return {"t": "Table", "c": [a, caption, colspecs, head, bodies, foot]}


# ---------------------------------------------------------------- inlines, word by word


def _token_key(inline: dict) -> str:
    t = inline.get("t")
    if t == "Str":
        return inline["c"]
    if t in ("Space", "SoftBreak", "LineBreak"):
        return " "
    return _key(inline)


def merge_inlines(a: list, b: list, mark: Mark) -> list:
    out: list = []
    ops = difflib.SequenceMatcher(None, [_token_key(x) for x in a], [_token_key(x) for x in b],
                                  autojunk=False).get_opcodes()
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            out += b[j1:j2]
            continue
        if i2 > i1:
            out.append(mark.span(DELETION, a[i1:i2]))
        if j2 > j1:
            out.append(mark.span(INSERTION, b[j1:j2]))
    return out


# ---------------------------------------------------------------- blocks


def _kind(block: dict) -> tuple:
    """Blocks of one kind may be one block changed; a Div is matched by its classes and first heading."""
    t, c = block.get("t"), block.get("c")
    if t == "Div":
        head = next((x["c"][1][0] for x in c[1] if x.get("t") == "Header"), "")
        if not head.startswith(NAMED):
            head = ""  # pandoc's automatic identifiers (« diagnostic-initial-3 ») change with the document
        return ("Div", tuple(c[0][1]), c[0][0], head)
    if t == "Header":
        return ("Header", c[0])
    if t == "Table":
        return ("Table", len(c[2]))
    if t in ("Para", "Plain"):
        return ("Para",)
    return (t,)


def _words(block) -> list[str]:
    return stringify(block).split()


def _score(x: dict, y: dict) -> float:
    """How much y is x changed (0: two different blocks)."""
    kind = _kind(x)
    if kind != _kind(y):
        return 0.0
    if kind[0] == "Div" and (kind[2] or kind[3]):
        return 1.0  # same identifier or same heading: one annex, one fiche, one signatory
    return _word_score(_words(x), _words(y))


def _word_score(wa: list[str], wb: list[str]) -> float:
    if not wa or not wb:
        return 1.0 if not wa and not wb else 0.0
    matcher = difflib.SequenceMatcher(None, wa, wb, autojunk=False)
    if matcher.real_quick_ratio() < SIMILAR or matcher.quick_ratio() < SIMILAR:
        return 0.0
    return matcher.ratio()


def _align(a: list, b: list, score) -> list[tuple[int | None, int | None]]:
    """Pairs (i, j) of a changed region: mutual best matches, in order; (i, None) deleted, (None, j) inserted."""
    scores = {}
    for i in range(len(a)):
        for j in range(max(0, i - LOOKAHEAD), min(len(b), i + LOOKAHEAD + 1)):
            value = score(a[i], b[j])
            if value >= SIMILAR:
                scores[(i, j)] = value
    best_a: dict[int, int] = {}
    best_b: dict[int, int] = {}
    for (i, j), value in scores.items():  # in order: on a tie, the nearest comes first
        if i not in best_a or value > scores[(i, best_a[i])]:
            best_a[i] = j
        if j not in best_b or value > scores[(best_b[j], j)]:
            best_b[j] = i
    pairs, last_j = [], -1
    for i in sorted(best_a):
        j = best_a[i]
        if best_b.get(j) == i and j > last_j:
            pairs.append((i, j))
            last_j = j
    out: list[tuple[int | None, int | None]] = []
    pi = pj = 0
    for i, j in pairs + [(len(a), len(b))]:
        out += [(k, None) for k in range(pi, i)] + [(None, k) for k in range(pj, j)]
        if i < len(a):
            out.append((i, j))
        pi, pj = i + 1, j + 1
    return out


def merge_blocks(a: list, b: list, mark: Mark) -> list:
    out: list = []
    ops = difflib.SequenceMatcher(None, [_key(x) for x in a], [_key(x) for x in b], autojunk=False).get_opcodes()
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            out += b[j1:j2]
        elif tag == "delete":
            out += mark_blocks(a[i1:i2], DELETION, mark)
        elif tag == "insert":
            out += mark_blocks(b[j1:j2], INSERTION, mark)
        else:
            for i, j in _align(a[i1:i2], b[j1:j2], _score):
                if j is None:
                    out.append(mark_block(a[i1 + i], DELETION, mark))
                elif i is None:
                    out.append(mark_block(b[j1 + j], INSERTION, mark))
                else:
                    out.append(merge_block(a[i1 + i], b[j1 + j], mark))
    return out


def merge_block(x: dict, y: dict, mark: Mark) -> dict:
    t = y.get("t")
    if _key(x) == _key(y):
        return y
    if t in ("Para", "Plain"):
        return {"t": t, "c": merge_inlines(x["c"], y["c"], mark)}
    if t == "Header":
        return {"t": t, "c": [y["c"][0], y["c"][1], merge_inlines(x["c"][2], y["c"][2], mark)]}
    if t == "Div":
        return {"t": t, "c": [y["c"][0], merge_blocks(x["c"][1], y["c"][1], mark)]}
    if t == "BlockQuote":
        return {"t": t, "c": merge_blocks(x["c"], y["c"], mark)}
    if t == "BulletList":
        return {"t": t, "c": _merge_items(x["c"], y["c"], mark)}
    if t == "OrderedList":
        return {"t": t, "c": [y["c"][0], _merge_items(x["c"][1], y["c"][1], mark)]}
    if t == "Table":
        return _merge_tables(x, y, mark)
    return {"t": "Div", "c": [attr(), [mark_block(x, DELETION, mark), mark_block(y, INSERTION, mark)]]}


def _merge_items(a: list, b: list, mark: Mark) -> list:
    """List items compared as wholes, then the changed ones block by block."""
    wrapped = merge_blocks([{"t": "Div", "c": [attr(classes=["item"]), item]} for item in a],
                           [{"t": "Div", "c": [attr(classes=["item"]), item]} for item in b], mark)
    return [w["c"][1] for w in wrapped]


def _rows(table: dict) -> list:
    return [row for body in table["c"][4] for row in body[3]]


def _merge_tables(x: dict, y: dict, mark: Mark) -> dict:
    """Body rows aligned on their text: an inserted or deleted row stays a row; the header is y's."""
    rows_a, rows_b = _rows(x), _rows(y)
    merged: list = []
    ops = difflib.SequenceMatcher(None, [_key(r[1]) for r in rows_a], [_key(r[1]) for r in rows_b],
                                  autojunk=False).get_opcodes()

    def marked(row, cls):
        return [row[0], [[c[0], c[1], c[2], c[3], mark_blocks(c[4], cls, mark)] for c in row[1]]]

    def row_score(ra, rb):
        return _word_score(stringify(ra[1]).split(), stringify(rb[1]).split()) if len(ra[1]) == len(rb[1]) else 0.0

    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            merged += rows_b[j1:j2]
            continue
        for i, j in _align(rows_a[i1:i2], rows_b[j1:j2], row_score):
            if j is None:
                merged.append(marked(rows_a[i1 + i], DELETION))
            elif i is None:
                merged.append(marked(rows_b[j1 + j], INSERTION))
            else:
                ra, rb = rows_a[i1 + i], rows_b[j1 + j]
                merged.append([rb[0], [[cb[0], cb[1], cb[2], cb[3], merge_blocks(ca[4], cb[4], mark)]
                                       for ca, cb in zip(ra[1], rb[1])]])
    a, caption, colspecs, head, bodies, foot = y["c"]
    body_attr = bodies[0] if bodies else [attr(), 0, [], []]
    return {"t": "Table", "c": [a, caption, colspecs, head, [[body_attr[0], body_attr[1], body_attr[2], merged]],
                                foot]}


# ---------------------------------------------------------------- documents

SKIPPED = ("couverture", "sommaire", "consolidation")


def comparable(blocks: list) -> list:
    """The text compared: without the cover, the sommaire and a consolidation banner."""
    return [b for b in blocks if not any(is_div(b, cls) for cls in SKIPPED)]


def compare_asts(ast_a: dict, ast_b: dict, mark: Mark) -> list:
    return merge_blocks(comparable(ast_a["blocks"]), comparable(ast_b["blocks"]), mark)


def count_changes(blocks) -> tuple[int, int]:
    """(insertions, deletions) spans, for messages."""
    counts = {INSERTION: 0, DELETION: 0}

    def walk(node):
        if isinstance(node, list):
            for n in node:
                walk(n)
        elif isinstance(node, dict):
            if node.get("t") == "Span" and node["c"][0][1][:1] in ([INSERTION], [DELETION]):
                counts[node["c"][0][1][0]] += 1
                return
            walk(node.get("c"))

    walk(blocks)
    return counts[INSERTION], counts[DELETION]
