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

from collections import Counter

from ..core.ast import is_div
from .redline_marks import CHANGES, DELETION, MOVE_FROM, MOVE_TO, Diff, Mark, change_of, change_spans, move_name, strs
from .redline_merge import merge_blocks
from .redline_moves import find_moves

# ---------------------------------------------------------------- attribution


def _provenance(versions: list[list]) -> tuple[dict[int, int], dict[int, int]]:
    """For each word of the last version, the index of the version that brought it (0: it was in the
    first); for each word of the first version, the index of the version that removed it (if any).
    Words are followed by identity (id() of their Str) through the comparisons of successive versions."""
    first = versions[0]
    origin = {id(s): id(s) for s in strs(first)}  # word of the current version -> word of the first
    birth = {id(s): 0 for s in strs(first)}
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
        for s in strs(versions[k]):
            new_birth.setdefault(id(s), k)
        for s in strs(versions[k - 1]):
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
        for s in strs(inline):
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
