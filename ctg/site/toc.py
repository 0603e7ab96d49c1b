"""The table of contents of a generated page, from the h2 and h3 of its HTML (Material's own
reads the Markdown, which generated pages do not have)."""

from __future__ import annotations

import html as html_lib
from html.parser import HTMLParser


class _Headings(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.items: list[tuple[int, str, str]] = []
        self._current: list | None = None

    def handle_starttag(self, tag, attrs):
        if tag in ("h2", "h3"):
            self._current = [int(tag[1]), dict(attrs).get("id") or "", ""]

    def handle_endtag(self, tag):
        if tag in ("h2", "h3") and self._current is not None:
            level, ident, text = self._current
            if ident:
                self.items.append((level, ident, " ".join(text.split())))
            self._current = None

    def handle_data(self, data):
        if self._current is not None:
            self._current[2] += data


def toc_tokens(content: str) -> list[dict]:
    parser = _Headings()
    parser.feed(content)
    tokens: list[dict] = []
    for level, ident, text in parser.items:
        token = {"level": level, "id": ident, "name": html_lib.escape(text), "children": []}
        if level == 3 and tokens:
            tokens[-1]["children"].append(token)
        else:
            tokens.append(token)
    return tokens
