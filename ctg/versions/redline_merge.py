"""Two versions merged into one redline: blocks aligned (paragraphs, list items, table rows, annexes,
fiches), and a paragraph that changed compared word by word."""

from __future__ import annotations

import difflib

from ..core.ast import attr
from .redline_marks import DELETION, INSERTION, LOOKAHEAD, NAMED, NOTE, SIMILAR, Diff, block_key, word_score, words_of

# ---------------------------------------------------------------- inlines, word by word


def _token_key(inline: dict) -> str:
    t = inline.get("t")
    if t == "Str":
        return inline["c"]
    if t in ("Space", "SoftBreak", "LineBreak"):
        return " "
    if t == "Note":
        return NOTE
    return block_key(inline)


def merge_inlines(a: list, b: list, diff: Diff) -> list:
    out: list = []
    ops = difflib.SequenceMatcher(None, [_token_key(x) for x in a], [_token_key(x) for x in b],
                                  autojunk=False).get_opcodes()
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            for x, y in zip(a[i1:i2], b[j1:j2]):
                if y.get("t") == "Note" and block_key(x) != block_key(y):  # the note changed: compared inside
                    out.append({"t": "Note", "c": merge_blocks(x["c"], y["c"], diff)})
                else:
                    out.append(y)
                    diff.same(x, y)
            continue
        if i2 > i1:
            out.append(diff.span(DELETION, a[i1:i2]))
        if j2 > j1:
            out.append(diff.span(INSERTION, b[j1:j2]))
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


def _score(x: dict, y: dict) -> float:
    """How much y is x changed (0: two different blocks)."""
    kind = _kind(x)
    if kind != _kind(y):
        return 0.0
    if kind[0] == "Div" and (kind[2] or kind[3]):
        return 1.0  # same identifier or same heading: one annex, one fiche, one signatory
    score = word_score(words_of(x), words_of(y))
    if kind[0] == "Table" and block_key(x["c"][3]) == block_key(y["c"][3]):
        return max(score, SIMILAR)  # same columns: one table whose rows changed (unless a closer one is there)
    return score


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


def merge_blocks(a: list, b: list, diff: Diff) -> list:
    out: list = []
    ops = difflib.SequenceMatcher(None, [block_key(x) for x in a], [block_key(x) for x in b], autojunk=False).get_opcodes()
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            out += b[j1:j2]
            diff.same(a[i1:i2], b[j1:j2])
        elif tag == "delete":
            for x in a[i1:i2]:
                diff.whole(x, DELETION, out)
        elif tag == "insert":
            for y in b[j1:j2]:
                diff.whole(y, INSERTION, out)
        else:
            for i, j in _align(a[i1:i2], b[j1:j2], _score):
                if j is None:
                    diff.whole(a[i1 + i], DELETION, out)
                elif i is None:
                    diff.whole(b[j1 + j], INSERTION, out)
                else:
                    out.append(merge_block(a[i1 + i], b[j1 + j], diff))
    return out


def merge_block(x: dict, y: dict, diff: Diff) -> dict:
    t = y.get("t")
    if block_key(x) == block_key(y):
        diff.same(x, y)
        return y
    if t in ("Para", "Plain"):
        return {"t": t, "c": merge_inlines(x["c"], y["c"], diff)}
    if t == "Header":
        return {"t": t, "c": [y["c"][0], y["c"][1], merge_inlines(x["c"][2], y["c"][2], diff)]}
    if t == "Div":
        return {"t": t, "c": [y["c"][0], merge_blocks(x["c"][1], y["c"][1], diff)]}
    if t == "BlockQuote":
        return {"t": t, "c": merge_blocks(x["c"], y["c"], diff)}
    if t == "BulletList":
        return {"t": t, "c": _merge_items(x["c"], y["c"], diff)}
    if t == "OrderedList":
        return {"t": t, "c": [y["c"][0], _merge_items(x["c"][1], y["c"][1], diff)]}
    if t == "Table":
        return _merge_tables(x, y, diff)
    both: list = []
    diff.whole(x, DELETION, both)
    diff.whole(y, INSERTION, both)
    return {"t": "Div", "c": [attr(), both]}


def _merge_items(a: list, b: list, diff: Diff) -> list:
    """List items compared as wholes, then the changed ones block by block."""
    wrapped = merge_blocks([{"t": "Div", "c": [attr(classes=["item"]), item]} for item in a],
                           [{"t": "Div", "c": [attr(classes=["item"]), item]} for item in b], diff)
    return [w["c"][1] for w in wrapped]


def _rows(table: dict) -> list:
    return [row for body in table["c"][4] for row in body[3]]


def _merge_cells(ra: list, rb: list, diff: Diff) -> list:
    return [rb[0], [[cb[0], cb[1], cb[2], cb[3], merge_blocks(ca[4], cb[4], diff)] for ca, cb in zip(ra[1], rb[1])]]


def _merge_tables(x: dict, y: dict, diff: Diff) -> dict:
    """Body rows aligned on their text: an inserted or deleted row stays a row; the header is y's."""
    rows_a, rows_b = _rows(x), _rows(y)
    merged: list = []
    ops = difflib.SequenceMatcher(None, [block_key(r[1]) for r in rows_a], [block_key(r[1]) for r in rows_b],
                                  autojunk=False).get_opcodes()

    def row_score(ra, rb):
        return word_score(words_of(ra[1]), words_of(rb[1])) if len(ra[1]) == len(rb[1]) else 0.0

    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            merged += rows_b[j1:j2]
            diff.same(rows_a[i1:i2], rows_b[j1:j2])
            continue
        for i, j in _align(rows_a[i1:i2], rows_b[j1:j2], row_score):
            if j is None:
                diff.whole_row(rows_a[i1 + i], DELETION, merged)
            elif i is None:
                diff.whole_row(rows_b[j1 + j], INSERTION, merged)
            else:
                merged.append(_merge_cells(rows_a[i1 + i], rows_b[j1 + j], diff))
    a, caption, colspecs, head, bodies, foot = y["c"]
    if block_key(x["c"][3]) == block_key(head):
        diff.same(x["c"][3], head)
    body_attr = bodies[0] if bodies else [attr(), 0, [], []]
    return {"t": "Table", "c": [a, caption, colspecs, head, [[body_attr[0], body_attr[1], body_attr[2], merged]],
                                foot]}
