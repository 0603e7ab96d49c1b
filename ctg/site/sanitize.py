"""HTML of the pages built from sources goes through an allow-list (nh3, the
maintained Rust « ammonia » binding): no script, no event attribute, no
javascript: URL can reach a published page, whatever a source contains."""

from __future__ import annotations

import html as html_lib
import re

import nh3

TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd", "del", "div", "dl",
    "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "ins", "kbd", "li",
    "mark", "ol", "p", "pre", "q", "s", "section", "small", "span", "strong", "sub", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "u", "ul",
}
ATTRIBUTES = {
    "*": {"id", "class", "title", "lang"},
    "a": {"href"},
    "td": {"colspan", "rowspan", "style"},
    "th": {"colspan", "rowspan", "style"},
    "col": {"style", "span"},
    "ol": {"start", "type"},
}
# No <img>: images of sources are not published yet (content.py keeps their alt text).
# "ctg:" is the plugin's own link to another generated page, resolved after sanitising.
URL_SCHEMES = {"http", "https", "mailto", "tel", "ctg"}
STYLE_PROPERTIES = {"text-align", "width"}


def sanitize(html: str) -> str:
    return nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES, link_rel=None,
                     strip_comments=True, filter_style_properties=STYLE_PROPERTIES)


_SCRIPTY = re.compile(r"<\s*(script|iframe|object|embed|style|form|svg|math)\b|\son\w+\s*=|javascript\s*:",
                      re.IGNORECASE)


def unsafe_constructs(node) -> list[str]:
    """What the sanitiser will remove from an AST fragment, in French, for the build log."""
    found: list[str] = []

    def walk(n):
        if isinstance(n, list):
            for x in n:
                walk(x)
            return
        if not isinstance(n, dict):
            return
        t, c = n.get("t"), n.get("c")
        if t in ("RawBlock", "RawInline") and c[0] == "html" and _SCRIPTY.search(c[1]):
            found.append(f"HTML non autorisé retiré (« {c[1].strip()[:60]} »)")
        elif t in ("Link", "Image"):
            url = c[2][0]
            scheme = url.split(":", 1)[0].lower() if ":" in url.split("/", 1)[0] else ""
            if scheme and scheme not in URL_SCHEMES:
                found.append(f"lien « {url[:60]} » retiré (seuls http, https, mailto et tel sont permis)")
        if t in ("Span", "Div", "Header", "Link", "Image", "Code", "CodeBlock"):
            attr = c[1] if t == "Header" else c[0]
            for k, _v in attr[2]:
                if k.lower().startswith("on"):
                    found.append(f"attribut « {k} » retiré")
        if isinstance(c, list):
            walk(c)

    walk(node)
    return found


def text_titles(nav):
    """The nav with its titles escaped: mkdocs' templates print them as they are (no autoescape),
    and a title from the sources is text, never markup."""
    if isinstance(nav, list):
        return [text_titles(item) for item in nav]
    if isinstance(nav, dict):
        return {escape_title(title): text_titles(value) for title, value in nav.items()}
    return nav


def escape_title(title: str) -> str:
    return html_lib.escape(title, quote=False).replace('"', "&quot;")
