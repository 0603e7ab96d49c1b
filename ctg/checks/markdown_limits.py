"""Texts pandoc could not read in reasonable time: brackets, parentheses, HTML tags, quotes or
lists nested too deep (its Markdown reader is exponential on some of them: twenty nested « [ »
take minutes). Each is an error at the line of the source that holds it, before pandoc runs;
ctg/core/pandoc.py also stops pandoc after a delay, whatever the text."""

from __future__ import annotations

import re

from ..core.diagnostics import Diagnostics
from ..core.document import AssembledDocument
from .images import cited_at

MAX_BRACKETS = 4  # « [ » open at once in a paragraph: a link in a span in a footnote is 3
MAX_PARENTHESES = 12
MAX_TAGS = 12  # raw HTML elements open at once
MAX_PREFIX = 12  # « > » quotes or list levels on one line

_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*?(/?)>")
_PREFIX = re.compile(r"^(?:\s*(?:>|[-*+]|\d+[.)])\s+)+")


def _depths(paragraph: str) -> tuple[int, int, int]:
    """Deepest nesting of « [ », « ( » and HTML tags in a paragraph (escaped « \\[ » aside)."""
    text = re.sub(r"\\.", "", paragraph)
    deepest = {"[": 0, "(": 0}
    for opening, closing in (("[", "]"), ("(", ")")):
        depth = 0
        for ch in text:
            if ch == opening:
                depth += 1
                deepest[opening] = max(deepest[opening], depth)
            elif ch == closing:
                depth = max(0, depth - 1)
    tags = depth = 0
    for close, _name, selfclosing in _TAG.findall(text):
        if close:
            depth = max(0, depth - 1)
        elif not selfclosing:
            depth += 1
            tags = max(tags, depth)
    return deepest["["], deepest["("], tags


def problem_of(paragraph: str) -> str | None:
    brackets, parentheses, tags = _depths(paragraph)
    if brackets > MAX_BRACKETS:
        return f"{brackets} crochets « [ » ouverts à la fois (au plus {MAX_BRACKETS})"
    if parentheses > MAX_PARENTHESES:
        return f"{parentheses} parenthèses ouvertes à la fois (au plus {MAX_PARENTHESES})"
    if tags > MAX_TAGS:
        return f"{tags} balises HTML ouvertes à la fois (au plus {MAX_TAGS})"
    for line in paragraph.split("\n"):
        m = _PREFIX.match(line)
        if m and len(re.findall(r"(?:>|[-*+]|\d+[.)])\s", m.group(0))) > MAX_PREFIX:
            return f"plus de {MAX_PREFIX} citations « > » ou niveaux de liste sur une ligne"
    return None


def check_complexity(docs: dict[str, AssembledDocument], diags: Diagnostics) -> None:
    reported: set[tuple[str, int]] = set()
    for doc in docs.values():
        for paragraph in re.split(r"\n\s*\n", doc.markdown):
            problem = problem_of(paragraph)
            if problem is None:
                continue
            needle = max(paragraph.split("\n"), key=len)[:40]
            path, line = cited_at(needle, doc, diags.root)
            if (path, line) in reported:
                break
            reported.add((path, line))
            diags.error(path, line, "texte-demesure",
                        f"texte trop imbriqué pour être mis en page : {problem} ; simplifiez-le.")
            break  # one error per document is enough
