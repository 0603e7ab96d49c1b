"""« build.py serve »: after a save, only the pages whose HTML changed are rendered and written again.

mkdocs serve rebuilds the whole site after each save: every page read, rendered by the
theme and written, the served folder emptied first. The preview runs mkdocs' « dirty »
builds instead, in which mkdocs neither reads nor renders a page whose file says it is not
modified, and keeps the served folder. Here, a generated page is « not modified » when:
- the site's context (page_cache.context_key: nav, files, sigles, configuration, code…)
  is the one of the last preview build that succeeded, and
- the page's own key (its URI, title and content) is the one it had then, and
- its HTML is still in the served folder.
Anything else is rendered again: a changed nav or a new page changes the context, and then
the served folder is emptied and every page rendered (as a full build). A build that failed,
or that showed the page of errors, leaves no state behind: the next one is full.

Material's search plugin indexes only the pages it renders; the search entries of the other
pages are kept here from the build that rendered them, and the index is written whole, in the
site's order (it is one file, read by the browser).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field

from mkdocs.utils import clean_directory

# mkdocs warns at every dirty build that the nav may be wrong: here a changed nav renders every page
DIRTY_WARNING = "A 'dirty' build is being performed"


@dataclass
class Preview:
    context: str | None = None  # the site's context key at the last preview build that succeeded
    keys: dict[str, str] = field(default_factory=dict)  # src_uri → page key at that build
    search: dict[str, list] = field(default_factory=dict)  # src_uri → the page's search entries
    order: list[str] = field(default_factory=list)  # this build's documentation pages, in mkdocs' order
    pending: tuple[str, dict[str, str]] | None = None  # (context, keys) of this build, kept if it succeeds
    rendered: int = 0  # pages this build renders


PREVIEW = Preview()


def forget(site_dir: str | None = None) -> None:
    """After a failed build or the page of errors: the next build renders everything, in an empty folder."""
    PREVIEW.context, PREVIEW.pending = None, None
    PREVIEW.keys.clear()
    PREVIEW.search.clear()
    if site_dir:
        clean_directory(site_dir)


def _not_modified() -> bool:
    return False


def skip_unchanged(files, site_dir: str, cache, pages: dict[str, tuple[str, str]]) -> int:
    """Marks the pages whose HTML cannot have changed as not modified (mkdocs then skips them), and
    drops their content from pages; returns how many pages are rendered. cache: the page cache
    (its keys, and its entries kept for the pages not rendered)."""
    docs = files.documentation_pages()
    keys = {uri: cache.key(uri, title, html) for uri, (title, html) in pages.items()}
    if PREVIEW.context != cache.context:  # first build, or the nav, files or configuration changed
        forget(site_dir)
        reuse = False
    else:
        reuse = True
    rendered = 0
    for f in docs:
        key = keys.get(f.src_uri)
        if reuse and key is not None and PREVIEW.keys.get(f.src_uri) == key and os.path.isfile(f.abs_dest_path):
            f.is_modified = _not_modified  # mkdocs --dirty: neither read nor rendered
            cache.used.add(key)  # its cache entry stays (written when it was rendered)
            pages.pop(f.src_uri, None)
        elif key is not None or f.is_modified():
            rendered += 1
    PREVIEW.order = [f.src_uri for f in docs]
    PREVIEW.pending = (cache.context, keys)
    PREVIEW.rendered = rendered
    return rendered


def record_search(uri: str, entries: list) -> None:
    PREVIEW.search[uri] = entries


def complete_search_index(search_plugin) -> None:
    """Before Material writes the index: every page's entries, in the site's order (those of the pages
    rendered now, and those kept for the others); the build then becomes the reference of the next."""
    order = set(PREVIEW.order)
    for uri in [u for u in PREVIEW.search if u not in order]:
        del PREVIEW.search[uri]
    if search_plugin is not None:
        search_plugin.search_index.entries = [e for uri in PREVIEW.order for e in PREVIEW.search.get(uri, [])]
        search_plugin.search_index_prev = None  # Material's own dirty merge assumes one page rendered
    if PREVIEW.pending is not None:
        PREVIEW.context, PREVIEW.keys = PREVIEW.pending
        PREVIEW.pending = None


class _NoDirtyWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(DIRTY_WARNING)


def quiet_dirty_warning() -> None:
    logger = logging.getLogger("mkdocs.commands.build")
    if not any(isinstance(f, _NoDirtyWarning) for f in logger.filters):
        logger.addFilter(_NoDirtyWarning())
