"""HTML of the structured pages (home, territory, index, headers), from Jinja templates.

Everything coming from data is escaped by Jinja's autoescape; page bodies are
pandoc's sanitised HTML, inserted after French typography is applied to the
templates' own words (the bodies are typeset already by the assembly).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from ..core.french import french_typography
from .content import LINK_SCHEME

_BODY = "<!--ctg-body-->"


def link(uri: str, query: dict[str, str] | None = None, fragment: str | None = None) -> str:
    """A link to another generated file, resolved by the plugin to a relative URL."""
    out = LINK_SCHEME + uri
    if query:
        out += "?" + "&".join(f"{k}={quote(v, safe='')}" for k, v in query.items())
    if fragment:
        out += "#" + fragment
    return out


_env = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                   autoescape=select_autoescape(["html"]), undefined=StrictUndefined,
                   trim_blocks=True, lstrip_blocks=True)
_env.globals["link"] = link
_env.filters["lower_first"] = lambda text: text[:1].lower() + text[1:]
_env.filters["capitalize_first"] = lambda text: text[:1].upper() + text[1:]


def render_page(template: str, body: Markup | None = None, **context) -> str:
    html = _env.get_template(template).render(body=Markup(_BODY) if body is not None else None, **context)
    html = french_typography(html)
    return html.replace(_BODY, str(body)) if body is not None else html
