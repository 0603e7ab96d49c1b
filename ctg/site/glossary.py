"""Sigles of the registry: <abbr title="…"> wherever they appear in a page's text."""

from __future__ import annotations

import html
import re


def sigle_pattern(sigles: dict[str, str]) -> re.Pattern | None:
    """Whole-word match of any sigle, longest first (« MSAP » before « MSA »)."""
    if not sigles:
        return None
    names = sorted(sigles, key=lambda s: (-len(s), s))
    return re.compile(r"(?<![\w-])(" + "|".join(re.escape(html.escape(n, quote=False)) for n in names)
                      + r")(?![\w-])")


def abbr_html(sigle: str, meaning: str) -> str:
    return f'<abbr title="{html.escape(meaning, quote=True)}">{html.escape(sigle)}</abbr>'


# text inside these elements is left alone (no <abbr> inside an <abbr>, a <code> or an <option>)
_SKIP = {"abbr", "code", "pre", "kbd", "option", "select", "textarea", "script", "style", "title"}
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*?(/?)>")


def add_abbreviations(page_html: str, sigles: dict[str, str]) -> str:
    """Wrap every sigle of the page's text nodes in an <abbr> (the HTML is well formed: ours or nh3's)."""
    pattern = sigle_pattern(sigles)
    if pattern is None:
        return page_html
    by_escaped = {html.escape(k, quote=False): (k, v) for k, v in sigles.items()}
    out: list[str] = []
    depth = 0  # how many skipped elements we are in
    pos = 0
    for m in _TAG.finditer(page_html):
        text = page_html[pos:m.start()]
        out.append(text if depth else pattern.sub(lambda s: abbr_html(*by_escaped[s.group(1)]), text))
        out.append(m.group(0))
        name = m.group(2).lower()
        if name in _SKIP and not m.group(3):
            depth += -1 if m.group(1) else 1
            depth = max(depth, 0)
        pos = m.end()
    tail = page_html[pos:]
    out.append(tail if depth else pattern.sub(lambda s: abbr_html(*by_escaped[s.group(1)]), tail))
    return "".join(out)


def markdown_abbreviations(sigles: dict[str, str]) -> str:
    """Definitions for Python-Markdown's abbr extension (pages of the authoring guide)."""
    lines = [f"*[{s}]: {' '.join(m.split())}" for s, m in sorted(sigles.items())]
    return "\n\n" + "\n".join(lines) + "\n"
