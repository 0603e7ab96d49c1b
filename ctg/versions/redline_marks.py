"""The marks of a redline (redline.py): the spans of class « insertion », « deletion », « move-from »
and « move-to », the Diff that records one comparison and the blocks it marked whole, and how alike
two texts are (shared by the alignment and the search for moves)."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass

from ..core.ast import attr, stringify

INSERTION = "insertion"
DELETION = "deletion"
MOVE_FROM = "move-from"
MOVE_TO = "move-to"
CHANGES = (INSERTION, DELETION, MOVE_FROM, MOVE_TO)
LOOKAHEAD = 30  # blocks searched for the counterpart of a changed block
NAMED = ("annexe-", "article-", "fiche-")  # identifiers the assembly gives: one part of the convention
SIMILAR = 0.5  # word similarity from which two paragraphs are one paragraph changed
MOVE_SIMILAR = 0.8  # word similarity from which a block deleted here and one inserted there are one block moved
MOVE_MIN_WORDS = 4  # shorter blocks (« Néant », a date, a number) are too common to be taken for moves
MOVE_PAIRS = 250_000  # above this many (deleted × inserted) blocks, only identical texts make moves
NOTE = "\x00note"  # the token of a footnote call: two calls in one place are one note, compared inside


@dataclass(frozen=True)
class Mark:
    author: str
    date: str  # ISO 8601, as Word wants it: 2023-01-01T00:00:00Z

    def span(self, cls: str, inlines: list, move: str = "") -> dict:
        kv = {"author": self.author, "date": self.date}
        if move:
            kv["move"] = move
        return {"t": "Span", "c": [attr(classes=[cls], kv=kv), inlines]}


def change_of(node) -> str | None:
    """The class of a span the comparison made (insertion, deletion, move-from, move-to), else None."""
    if isinstance(node, dict) and node.get("t") == "Span":
        classes = node["c"][0][1]
        if classes and classes[0] in CHANGES:
            return classes[0]
    return None


def move_name(span: dict) -> str:
    return dict(span["c"][0][2]).get("move", "")


def block_key(node) -> str:
    return json.dumps(_stable(node), sort_keys=True, ensure_ascii=False)


def _stable(node):
    """node without the identifiers pandoc makes up for headings (« diagnostic-initial-3 »): they
    change with the headings before them, and a fiche does not change when another is inserted."""
    if isinstance(node, list):
        return [_stable(n) for n in node]
    if not isinstance(node, dict) or node.get("t") in ("Str", "Space", "SoftBreak"):
        return node
    if node.get("t") == "Header" and not node["c"][1][0].startswith(NAMED):
        level, (_ident, classes, kv), inlines = node["c"]
        return {"t": "Header", "c": [level, ["", classes, kv], inlines]}
    return {k: _stable(v) for k, v in node.items()}


@dataclass
class Unit:
    """A block (or a table row) inserted or deleted whole: half of a move, perhaps."""

    cls: str
    source: object  # as in its version
    marked: object  # as in the comparison (the very object the result holds)
    place: tuple[list, int]  # the list of the result that holds it, and where
    row: bool = False


class Diff:
    """One comparison: the mark of its changes, the blocks it inserted or deleted whole (moves are
    looked for among them) and, when pairs is a list, the words it found unchanged (attribution)."""

    def __init__(self, mark: Mark, pairs: list | None = None):
        self.mark = mark
        self.units: list[Unit] = []
        self.pairs = pairs

    def span(self, cls: str, inlines: list) -> dict:
        return self.mark.span(cls, _mark_notes(inlines, cls, self))

    def whole(self, block: dict, cls: str, out: list) -> None:
        """Appends to out the block inserted or deleted as a whole."""
        marked = mark_block(block, cls, self)
        self.units.append(Unit(cls, block, marked, (out, len(out))))
        out.append(marked)

    def whole_row(self, row: list, cls: str, out: list) -> None:
        marked = [row[0], [[c[0], c[1], c[2], c[3], mark_blocks(c[4], cls, self)] for c in row[1]]]
        self.units.append(Unit(cls, row, marked, (out, len(out)), row=True))
        out.append(marked)

    def same(self, a, b) -> None:
        if self.pairs is not None:
            _pair(a, b, self.pairs)


def _pair(a, b, pairs: list) -> None:
    """The words (Str) of two equal fragments, one to one."""
    if isinstance(a, list) and isinstance(b, list):
        for x, y in zip(a, b):
            _pair(x, y, pairs)
    elif isinstance(a, dict) and isinstance(b, dict) and a.get("t") == b.get("t"):
        if a.get("t") == "Str":
            pairs.append((a, b))
        else:
            _pair(a.get("c"), b.get("c"), pairs)


def change_spans(node):
    """Every span the comparison made, in document order (those of footnotes included)."""
    if isinstance(node, list):
        for n in node:
            yield from change_spans(n)
    elif isinstance(node, dict) and node.get("t") != "Str":
        if change_of(node):
            yield node
        yield from change_spans(node.get("c"))


def strs(node):
    """Every word (Str) of a fragment, in order, footnotes included."""
    if isinstance(node, list):
        for n in node:
            yield from strs(n)
    elif isinstance(node, dict):
        if node.get("t") == "Str":
            yield node
        else:
            yield from strs(node.get("c"))


# ---------------------------------------------------------------- marking whole blocks


def mark_blocks(blocks: list, cls: str, diff: Diff) -> list:
    return [mark_block(b, cls, diff) for b in blocks]


def mark_block(block: dict, cls: str, diff: Diff) -> dict:
    return wrap_block(block, lambda inlines: [diff.span(cls, inlines)] if inlines else inlines)


def wrap_block(block: dict, wrap) -> dict:
    """The block with each of its inline lists replaced by wrap(list)."""
    t, c = block.get("t"), block.get("c")
    if t in ("Para", "Plain"):
        return {"t": t, "c": wrap(c)} if c else block
    if t == "Header":
        return {"t": t, "c": [c[0], c[1], wrap(c[2])]}
    if t == "Div":
        return {"t": t, "c": [c[0], [wrap_block(b, wrap) for b in c[1]]]}
    if t == "BlockQuote":
        return {"t": t, "c": [wrap_block(b, wrap) for b in c]}
    if t == "BulletList":
        return {"t": t, "c": [[wrap_block(b, wrap) for b in item] for item in c]}
    if t == "OrderedList":
        return {"t": t, "c": [c[0], [[wrap_block(b, wrap) for b in item] for item in c[1]]]}
    if t == "LineBlock":
        return {"t": t, "c": [wrap(line) for line in c]}
    if t == "Table":
        return _map_table_cells(block, lambda blocks: [wrap_block(b, wrap) for b in blocks])
    return block


def _map_table_cells(table: dict, fn) -> dict:
    a, caption, colspecs, head, bodies, foot = table["c"]

    def rows(rs):
        return [[r[0], [[cell[0], cell[1], cell[2], cell[3], fn(cell[4])] for cell in r[1]]] for r in rs]

    head = [head[0], rows(head[1])]
    bodies = [[b[0], b[1], rows(b[2]), rows(b[3])] for b in bodies]
    foot = [foot[0], rows(foot[1])]
    return {"t": "Table", "c": [a, caption, colspecs, head, bodies, foot]}


def _has_note(node) -> bool:
    if isinstance(node, list):
        return any(_has_note(n) for n in node)
    return isinstance(node, dict) and (node.get("t") == "Note" or (node.get("t") != "Str" and _has_note(node.get("c"))))


def _mark_notes(inlines: list, cls: str, diff: Diff) -> list:
    """A footnote goes with its call: the text of a deleted (inserted) call's note is deleted (inserted)."""
    if not _has_note(inlines):
        return inlines

    def walk(node):
        if isinstance(node, list):
            return [walk(n) for n in node]
        if isinstance(node, dict) and node.get("t") == "Note":
            return {"t": "Note", "c": mark_blocks(node["c"], cls, diff)}
        if isinstance(node, dict) and node.get("t") != "Str" and "c" in node:
            return {**node, "c": walk(node["c"])}
        return node

    return walk(inlines)


# ---------------------------------------------------------------- likeness


def words_of(node) -> list[str]:
    """The words of a fragment, block by block (stringify runs the cells of a table together)."""
    if isinstance(node, list):
        return [w for n in node for w in words_of(n)]
    if not isinstance(node, dict):
        return []
    if node.get("t") in ("Para", "Plain", "Header", "LineBlock", "CodeBlock"):
        return stringify(node).split()
    return words_of(node.get("c"))


def word_score(wa: list[str], wb: list[str]) -> float:
    if not wa or not wb:
        return 1.0 if not wa and not wb else 0.0
    matcher = difflib.SequenceMatcher(None, wa, wb, autojunk=False)
    if matcher.real_quick_ratio() < SIMILAR or matcher.quick_ratio() < SIMILAR:
        return 0.0
    return matcher.ratio()
