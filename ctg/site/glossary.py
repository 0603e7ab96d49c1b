"""Sigles of the registry: <abbr title="…"> wherever they appear in a page's text."""

from __future__ import annotations

import html
import re

from ..core.french import sigle_forms


def _forms(sigles: dict[str, str]) -> dict[str, str]:
    """Each way of writing a sigle (« RSA », « Rsa ») → the sigle of the registry."""
    forms: dict[str, str] = {}
    for sigle in sigles:
        for form in sigle_forms(sigle):
            forms.setdefault(form, sigle)
    for sigle in sigles:  # a sigle registered as written wins over another's variant
        forms[sigle] = sigle
    return forms


def sigle_pattern(sigles: dict[str, str]) -> re.Pattern | None:
    """Whole-word match of any sigle, in capitals or with its initial only in capital, longest first
    (« MSAP » before « MSA »)."""
    if not sigles:
        return None
    names = sorted(_forms(sigles), key=lambda s: (-len(s), s))
    return re.compile(r"(?<![\w-])(" + "|".join(re.escape(html.escape(n, quote=False)) for n in names)
                      + r")(?![\w-])")


def abbr_html(sigle: str, meaning: str, focusable: bool = False) -> str:
    """focusable: reached with the Tab key, which shows its tooltip (the first of each sigle on a page)."""
    tab = ' tabindex="0"' if focusable else ""
    return f'<abbr title="{html.escape(meaning, quote=True)}"{tab}>{html.escape(sigle)}</abbr>'


# text inside these elements is left alone (no <abbr> inside an <abbr>, a <code> or an <option>)
_SKIP = {"abbr", "code", "pre", "kbd", "option", "select", "textarea", "script", "style", "title"}
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*?(/?)>")


def add_abbreviations(page_html: str, sigles: dict[str, str]) -> str:
    """Wrap every sigle of the page's text nodes in an <abbr> (the HTML is well formed: ours or nh3's)."""
    pattern = sigle_pattern(sigles)
    if pattern is None:
        return page_html
    by_escaped = {html.escape(form, quote=False): (form, sigle) for form, sigle in _forms(sigles).items()}
    seen: set[str] = set()
    links = 0  # inside a link: never focusable (no control inside a control)

    def abbr(m: re.Match) -> str:
        written, sigle = by_escaped[m.group(1)]  # the text keeps its own spelling (« Rsa »)
        first = not links and sigle not in seen
        if first:
            seen.add(sigle)
        return abbr_html(written, sigles[sigle], focusable=first)

    out: list[str] = []
    depth = 0  # how many skipped elements we are in
    pos = 0
    for m in _TAG.finditer(page_html):
        text = page_html[pos:m.start()]
        out.append(text if depth else pattern.sub(abbr, text))
        out.append(m.group(0))
        name = m.group(2).lower()
        if name == "a" and not m.group(3):
            links = max(links + (-1 if m.group(1) else 1), 0)
        if name in _SKIP and not m.group(3):
            depth += -1 if m.group(1) else 1
            depth = max(depth, 0)
        pos = m.end()
    tail = page_html[pos:]
    out.append(tail if depth else pattern.sub(abbr, tail))
    return "".join(out)


def markdown_abbreviations(sigles: dict[str, str]) -> str:
    """Definitions for Python-Markdown's abbr extension (pages of the authoring guide)."""
    lines = [f"*[{s}]: {' '.join(m.split())}" for s, m in sorted(sigles.items())]
    return "\n\n" + "\n".join(lines) + "\n"
