"""Sigles of the registry: <abbr title="…"> wherever they appear in a page."""

from __future__ import annotations

import html
import re

from ..ast import map_inlines, raw_inline


def sigle_pattern(sigles: dict[str, str]) -> re.Pattern | None:
    """Whole-word match of any sigle, longest first (« MSAP » before « MSA »)."""
    if not sigles:
        return None
    names = sorted(sigles, key=lambda s: (-len(s), s))
    return re.compile(r"(?<![\w-])(" + "|".join(re.escape(n) for n in names) + r")(?![\w-])")


def abbr_html(sigle: str, meaning: str) -> str:
    return f'<abbr title="{html.escape(meaning, quote=True)}">{html.escape(sigle)}</abbr>'


def add_abbreviations(blocks: list, sigles: dict[str, str]) -> list:
    """Wrap every sigle found in a Str node (not in code, not in raw HTML) in an <abbr>."""
    pattern = sigle_pattern(sigles)
    if pattern is None:
        return blocks

    def fn(inline: dict):
        if inline.get("t") != "Str":
            return None
        text = inline["c"]
        parts = pattern.split(text)
        if len(parts) == 1:
            return None
        out = []
        for i, part in enumerate(parts):
            if i % 2:
                out.append(raw_inline("html", abbr_html(part, sigles[part])))
            elif part:
                out.append({"t": "Str", "c": part})
        return out

    return map_inlines(blocks, fn)


def markdown_abbreviations(sigles: dict[str, str]) -> str:
    """Definitions for Python-Markdown's abbr extension (pages of the authoring guide)."""
    lines = [f"*[{s}]: {' '.join(m.split())}" for s, m in sorted(sigles.items())]
    return "\n\n" + "\n".join(lines) + "\n"
