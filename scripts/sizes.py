#!/usr/bin/env python3
"""Modules over 400 lines and functions over 60 lines in ctg/, less those allowed below with a reason.

Usage: python scripts/sizes.py   (exit code 1 when something is over and not allowed; run by
tests/test_architecture.py). A function is measured from its « def » to its last line, its
docstring and comments included; a class is not measured, its methods are.
A new entry in ALLOWED says why the piece is better whole, in a few words.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_MODULE = 400
MAX_FUNCTION = 60

ALLOWED: dict[str, str] = {
    # "path" (a module, its functions included) or "path:function" / "path:Class.method"
    "ctg/versions/avenant_text.py:sentence": "one sentence per kind of operation, the drafting read side by side",
    "ctg/writers/reference_docx.py:build": "the reference document's style sheet, one style after another",
    "ctg/cli/scaffold_texts.py:convention_text": "mostly the text of the file it writes, kept whole to be read as written",
}


def measure(root: Path = ROOT) -> list[tuple[str, int, int]]:
    """(place, lines, limit) for every module and function over its limit, allowed or not."""
    over = []
    for path in sorted((root / "ctg").rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        text = path.read_text(encoding="utf-8")
        n = len(text.splitlines())
        if n > MAX_MODULE:
            over.append((rel, n, MAX_MODULE))
        for name, node in _functions(ast.parse(text)):
            length = node.end_lineno - node.lineno + 1
            if length > MAX_FUNCTION:
                over.append((f"{rel}:{name}", length, MAX_FUNCTION))
    return over


def _functions(tree: ast.AST, prefix: str = ""):
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield prefix + node.name, node
        elif isinstance(node, ast.ClassDef):
            yield from _functions(node, f"{prefix}{node.name}.")


def problems(root: Path = ROOT) -> list[str]:
    out = []
    for place, n, limit in measure(root):
        module = place.split(":")[0]
        if place not in ALLOWED and module not in ALLOWED:
            out.append(f"{place}: {n} lines (more than {limit}); split it, or add it to ALLOWED in "
                       f"scripts/sizes.py with the reason it is better whole")
    out += [f"scripts/sizes.py: ALLOWED names {p}, which is no longer over its limit (remove the entry)"
            for p in sorted(set(ALLOWED) - {place for place, _, _ in measure(root)} - _whole_modules(root))]
    return out


def _whole_modules(root: Path) -> set[str]:
    """Modules allowed whole (their functions too), even when the module itself is short."""
    return {p for p in ALLOWED if ":" not in p and (root / p).is_file()}


if __name__ == "__main__":
    found = problems()
    print("\n".join(found) if found else "ok: no module over 400 lines, no function over 60 lines, but those allowed")
    sys.exit(1 if found else 0)
