"""The « ctg: » links of the model's HTML, made relative to the page that holds them."""

from __future__ import annotations

import html as html_lib
import logging
import re

from mkdocs.structure.files import Files
from mkdocs.utils import get_relative_url

from .content import LINK_SCHEME

log = logging.getLogger("mkdocs.plugins.ctg")

_LINK = re.compile(r'(href|src)="' + re.escape(LINK_SCHEME) + r'([^"#?]*)([^"]*)"')


def resolve_links(content: str, page, files: Files) -> str:
    def repl(m: re.Match) -> str:
        attr, uri, rest = m.group(1), html_lib.unescape(m.group(2)), m.group(3)
        target = files.get_file_from_path(uri)
        if target is None:
            log.warning("ctg : lien vers « %s » introuvable (page %s)", uri, page.file.src_uri)
            return f'{attr}="#"'
        url = get_relative_url(target.url, page.file.url)
        return f'{attr}="{url}{rest}"'

    return _LINK.sub(repl, content)
