"""Redline: two assembled documents compared block by block, then word by word.

The result is one pandoc AST in which what the later version removed is wrapped in
spans of class « deletion » and what it added in spans of class « insertion », each
with its author and date: pandoc's DOCX writer turns those into Word's own tracked
changes (w:del / w:ins; writers/redline_docx.py finishes them), and the site shows
them as <del>/<ins>. Paragraphs, list items, table rows, annexes and fiches are
aligned first (an inserted fiche is inserted as a whole, a deleted table row as a row);
a paragraph that changed is then compared word by word.

A block deleted in one place and inserted, the same or nearly, in another is a move:
its two halves become spans of class « move-from » and « move-to » that share a move
name (« move1 »), which the DOCX shows as Word's moves (w:moveFrom / w:moveTo) and the
site as « déplacé ».

Between versions separated by several avenants, every change is attributed to the
avenant that made it: the successive versions are compared in turn, each unchanged
word is followed from one version to the next, and a word inserted (deleted) between
the first and the last version is credited to the version that brought (removed) it.
"""

from __future__ import annotations

import difflib
import json
from collections import Counter
from dataclasses import dataclass

from ..core.ast import attr, is_div, stringify

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


def _key(node) -> str:
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
class _Unit:
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
        self.units: list[_Unit] = []
        self.pairs = pairs

    def span(self, cls: str, inlines: list) -> dict:
        return self.mark.span(cls, _mark_notes(inlines, cls, self))

    def whole(self, block: dict, cls: str, out: list) -> None:
        """Appends to out the block inserted or deleted as a whole."""
        marked = mark_block(block, cls, self)
        self.units.append(_Unit(cls, block, marked, (out, len(out))))
        out.append(marked)

    def whole_row(self, row: list, cls: str, out: list) -> None:
        marked = [row[0], [[c[0], c[1], c[2], c[3], mark_blocks(c[4], cls, self)] for c in row[1]]]
        self.units.append(_Unit(cls, row, marked, (out, len(out)), row=True))
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


def _strs(node):
    """Every word (Str) of a fragment, in order, footnotes included."""
    if isinstance(node, list):
        for n in node:
            yield from _strs(n)
    elif isinstance(node, dict):
        if node.get("t") == "Str":
            yield node
        else:
            yield from _strs(node.get("c"))


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


# ---------------------------------------------------------------- inlines, word by word


def _token_key(inline: dict) -> str:
    t = inline.get("t")
    if t == "Str":
        return inline["c"]
    if t in ("Space", "SoftBreak", "LineBreak"):
        return " "
    if t == "Note":
        return NOTE
    return _key(inline)


def merge_inlines(a: list, b: list, diff: Diff) -> list:
    out: list = []
    ops = difflib.SequenceMatcher(None, [_token_key(x) for x in a], [_token_key(x) for x in b],
                                  autojunk=False).get_opcodes()
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            for x, y in zip(a[i1:i2], b[j1:j2]):
                if y.get("t") == "Note" and _key(x) != _key(y):  # the note changed: compared inside
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


def _words(node) -> list[str]:
    """The words of a fragment, block by block (stringify runs the cells of a table together)."""
    if isinstance(node, list):
        return [w for n in node for w in _words(n)]
    if not isinstance(node, dict):
        return []
    if node.get("t") in ("Para", "Plain", "Header", "LineBlock", "CodeBlock"):
        return stringify(node).split()
    return _words(node.get("c"))


def _score(x: dict, y: dict) -> float:
    """How much y is x changed (0: two different blocks)."""
    kind = _kind(x)
    if kind != _kind(y):
        return 0.0
    if kind[0] == "Div" and (kind[2] or kind[3]):
        return 1.0  # same identifier or same heading: one annex, one fiche, one signatory
    score = _word_score(_words(x), _words(y))
    if kind[0] == "Table" and _key(x["c"][3]) == _key(y["c"][3]):
        return max(score, SIMILAR)  # same columns: one table whose rows changed (unless a closer one is there)
    return score


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


def merge_blocks(a: list, b: list, diff: Diff) -> list:
    out: list = []
    ops = difflib.SequenceMatcher(None, [_key(x) for x in a], [_key(x) for x in b], autojunk=False).get_opcodes()
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
    if _key(x) == _key(y):
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
    ops = difflib.SequenceMatcher(None, [_key(r[1]) for r in rows_a], [_key(r[1]) for r in rows_b],
                                  autojunk=False).get_opcodes()

    def row_score(ra, rb):
        return _word_score(_words(ra[1]), _words(rb[1])) if len(ra[1]) == len(rb[1]) else 0.0

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
    if _key(x["c"][3]) == _key(head):
        diff.same(x["c"][3], head)
    body_attr = bodies[0] if bodies else [attr(), 0, [], []]
    return {"t": "Table", "c": [a, caption, colspecs, head, [[body_attr[0], body_attr[1], body_attr[2], merged]],
                                foot]}


# ---------------------------------------------------------------- moves


def _unit_words(unit: _Unit) -> list[str]:
    return _words(unit.source[1] if unit.row else unit.source)


def _unit_kind(unit: _Unit) -> tuple:
    if unit.row:
        return ("row", len(unit.source[1]))
    block = unit.source
    return (block.get("t"), tuple(block["c"][0][1]) if block.get("t") == "Div" else ())


def find_moves(diff: Diff) -> int:
    """Pairs each block deleted whole with the block inserted whole elsewhere that has the same text, or
    nearly (MOVE_SIMILAR), and makes the pair a move; consecutive blocks moved together (a fiche's
    heading and its text) are one move. Returns the number of moves."""
    gone = [u for u in diff.units if u.cls == DELETION]
    new = [u for u in diff.units if u.cls == INSERTION]
    if not gone or not new:
        return 0
    words_gone, words_new = [_unit_words(u) for u in gone], [_unit_words(u) for u in new]
    exact: dict[tuple, list[int]] = {}
    for j, u in enumerate(new):
        if len(words_new[j]) >= MOVE_MIN_WORDS:
            exact.setdefault((_unit_kind(u), " ".join(words_new[j])), []).append(j)
    fuzzy = len(gone) * len(new) <= MOVE_PAIRS
    candidates = []
    for i, u in enumerate(gone):
        if len(words_gone[i]) < MOVE_MIN_WORDS:
            continue
        kind, text = _unit_kind(u), " ".join(words_gone[i])
        candidates += [(1.0, i, j) for j in exact.get((kind, text), [])]
        if not fuzzy:
            continue
        for j, v in enumerate(new):
            if len(words_new[j]) >= MOVE_MIN_WORDS and _unit_kind(v) == kind and " ".join(words_new[j]) != text:
                score = _word_score(words_gone[i], words_new[j])
                if score >= MOVE_SIMILAR:
                    candidates.append((score, i, j))
    chosen, used_gone, used_new = [], set(), set()
    for _score_, i, j in sorted(candidates, key=lambda c: (-c[0], c[1], c[2])):
        if i not in used_gone and j not in used_new:
            chosen.append((i, j))
            used_gone.add(i)
            used_new.add(j)
    kinds = {id(u.marked): u.cls for u in diff.units}

    def follows(before: _Unit, unit: _Unit) -> bool:
        """unit comes right after before in the result, or after changes of the other kind only."""
        (held, at), (held_before, at_before) = unit.place, before.place
        return held is held_before and at > at_before and all(
            kinds.get(id(x)) not in (None, unit.cls) for x in held[at_before + 1:at])

    n, previous = 0, None
    for i, j in sorted(chosen):
        if previous is None or not (follows(gone[previous[0]], gone[i]) and follows(new[previous[1]], new[j])):
            n += 1
        _make_move(gone[i], new[j], f"move{n}", diff.mark)
        previous = (i, j)
    return n


def _reclass(node, old: str, new: str, move: str, mark: Mark) -> None:
    """In place: the old-class spans of a marked block become new-class spans of the move (notes aside)."""
    if isinstance(node, list):
        for n in node:
            _reclass(n, old, new, move, mark)
    elif isinstance(node, dict):
        cls = change_of(node)
        if cls == old:
            node["c"][0] = mark.span(new, [], move)["c"][0]
        elif cls is None and node.get("t") not in ("Str", "Note"):
            _reclass(node.get("c"), old, new, move, mark)


def _make_move(gone: _Unit, new: _Unit, name: str, mark: Mark) -> None:
    _reclass(gone.marked, DELETION, MOVE_FROM, name, mark)
    if _key(gone.source) == _key(new.source):
        _reclass(new.marked, INSERTION, MOVE_TO, name, mark)
        return
    # nearly the same: at its new place, the moved text with the words that changed on the way

    def wrap(inlines: list) -> list:
        out, run = [], []
        for x in inlines + [None]:
            if x is not None and change_of(x) is None:
                run.append(x)
                continue
            if run:
                out.append(mark.span(MOVE_TO, run, name))
                run = []
            if x is not None:
                out.append(x)
        return out

    sub = Diff(mark)
    if new.row:
        merged = _merge_cells(gone.source, new.source, sub)
        new.marked[:] = [merged[0], [[c[0], c[1], c[2], c[3], [wrap_block(b, wrap) for b in c[4]]]
                                     for c in merged[1]]]
        return
    moved = wrap_block(merge_block(gone.source, new.source, sub), wrap)
    if new.marked.get("t") == "Div":
        new.marked["c"][1][:] = moved["c"][1]  # a list item's blocks are that very list in the result
    else:
        new.marked["c"] = moved["c"]


# ---------------------------------------------------------------- attribution


def _provenance(versions: list[list]) -> tuple[dict[int, int], dict[int, int]]:
    """For each word of the last version, the index of the version that brought it (0: it was in the
    first); for each word of the first version, the index of the version that removed it (if any).
    Words are followed by identity (id() of their Str) through the comparisons of successive versions."""
    first = versions[0]
    origin = {id(s): id(s) for s in _strs(first)}  # word of the current version -> word of the first
    birth = {id(s): 0 for s in _strs(first)}
    death: dict[int, int] = {}
    for k in range(1, len(versions)):
        pairs: list = []
        merge_blocks(versions[k - 1], versions[k], Diff(Mark("", ""), pairs))
        new_origin, new_birth, kept = {}, {}, set()
        for a, b in pairs:
            kept.add(id(a))
            new_birth[id(b)] = birth.get(id(a), k)
            if id(a) in origin:
                new_origin[id(b)] = origin[id(a)]
        for s in _strs(versions[k]):
            new_birth.setdefault(id(s), k)
        for s in _strs(versions[k - 1]):
            if id(s) not in kept and id(s) in origin:
                death.setdefault(origin[id(s)], k)
        origin, birth = new_origin, new_birth
    return birth, death


def _attribute(blocks: list, versions: list[list], marks: list[Mark]) -> list:
    """The changes of the comparison of the first version with the last, each credited to the mark of
    the version that made it (marks[k - 1] for version k); a span whose words came from two versions
    is cut in two."""
    birth, death = _provenance(versions)

    def step(inline, cls: str) -> int | None:
        table = death if cls in (DELETION, MOVE_FROM) else birth
        for s in _strs(inline):
            return table.get(id(s)) or None  # 0 or unknown: no version to credit
        return None

    votes: dict[str, Counter] = {}
    for span in change_spans(blocks):
        cls = change_of(span)
        if cls in (MOVE_FROM, MOVE_TO):
            tally = votes.setdefault(move_name(span), Counter())
            tally.update(k for k in (step(x, cls) for x in span["c"][1]) if k)
    moves = {name: marks[tally.most_common(1)[0][0] - 1] for name, tally in votes.items() if tally}
    last = [marks[-1]]  # the mark of the change before, for a span that says nothing of its own

    def split(span: dict) -> list:
        cls, content = change_of(span), span["c"][1]
        if cls in (MOVE_FROM, MOVE_TO):
            name = move_name(span)
            mark = moves.get(name, last[0])
            last[0] = mark
            return [mark.span(cls, rebuild(content), name)]
        steps = [step(x, cls) for x in content]
        known = [k for k in steps if k]
        if not known:
            return [last[0].span(cls, rebuild(content))]
        current = known[0]
        runs: list[tuple[int, list]] = []
        for x, k in zip(content, steps):
            current = k or current
            if runs and runs[-1][0] == current:
                runs[-1][1].append(x)
            else:
                runs.append((current, [x]))
        last[0] = marks[runs[-1][0] - 1]
        return [marks[k - 1].span(cls, rebuild(run)) for k, run in runs]

    def rebuild(node):
        if isinstance(node, list):
            out = []
            for n in node:
                out.extend(split(n) if change_of(n) else [rebuild(n)])
            return out
        if isinstance(node, dict) and node.get("t") != "Str" and "c" in node:
            return {**node, "c": rebuild(node["c"])}
        return node

    return rebuild(blocks)


# ---------------------------------------------------------------- documents

SKIPPED = ("couverture", "sommaire", "consolidation")


def comparable(blocks: list) -> list:
    """The text compared: without the cover, the sommaire and a consolidation banner."""
    return [b for b in blocks if not any(is_div(b, cls) for cls in SKIPPED)]


def compare_versions(asts: list[dict], marks: list[Mark]) -> list:
    """The last version with its changes from the first marked: moves found, and each change credited
    to the version that made it (marks[k - 1]: the author of what changed from version k - 1 to k)."""
    versions = [comparable(ast["blocks"]) for ast in asts]
    diff = Diff(marks[-1])
    merged = merge_blocks(versions[0], versions[-1], diff)
    find_moves(diff)
    if len(set(marks)) > 1:
        merged = _attribute(merged, versions, marks)
    return merged


def compare_asts(ast_a: dict, ast_b: dict, mark: Mark) -> list:
    return compare_versions([ast_a, ast_b], [mark])


def count_changes(blocks) -> dict[str, int]:
    """Spans of each class, and moves (by name): for messages."""
    counts = Counter({cls: 0 for cls in CHANGES})
    moves: set[str] = set()
    for span in change_spans(blocks):
        cls = change_of(span)
        counts[cls] += 1
        if cls in (MOVE_FROM, MOVE_TO):
            moves.add(move_name(span))
    return dict(counts, moves=len(moves))
