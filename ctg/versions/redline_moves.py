"""Moves in a redline: a block deleted in one place and inserted, the same or nearly, in another
becomes a pair of spans « move-from » / « move-to » sharing a move name (Word's w:moveFrom / w:moveTo)."""

from __future__ import annotations

from .redline_marks import (DELETION, INSERTION, MOVE_FROM, MOVE_MIN_WORDS, MOVE_PAIRS, MOVE_SIMILAR, MOVE_TO, Diff,
                            Mark, Unit, block_key, change_of, word_score, words_of, wrap_block)
from .redline_merge import _merge_cells, merge_block


def _unit_words(unit: Unit) -> list[str]:
    return words_of(unit.source[1] if unit.row else unit.source)


def _unit_kind(unit: Unit) -> tuple:
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
                score = word_score(words_gone[i], words_new[j])
                if score >= MOVE_SIMILAR:
                    candidates.append((score, i, j))
    chosen, used_gone, used_new = [], set(), set()
    for _score_, i, j in sorted(candidates, key=lambda c: (-c[0], c[1], c[2])):
        if i not in used_gone and j not in used_new:
            chosen.append((i, j))
            used_gone.add(i)
            used_new.add(j)
    kinds = {id(u.marked): u.cls for u in diff.units}

    def follows(before: Unit, unit: Unit) -> bool:
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


def _make_move(gone: Unit, new: Unit, name: str, mark: Mark) -> None:
    _reclass(gone.marked, DELETION, MOVE_FROM, name, mark)
    if block_key(gone.source) == block_key(new.source):
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
