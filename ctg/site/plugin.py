"""mkdocs event handlers: the assembly core feeds mkdocs through generated files.

- on_config: load, validate and assemble the sources (or take what build.py
  already assembled), build the SiteModel and set the nav.
- on_files: add one generated file per page and per download (File.generated),
  and move the authoring guide (docs/) under guide/.
- on_page_context: for the page being rendered, give its navigation (sidebar.py)
  and make its content from the model's HTML: the glossary's <abbr>, « ctg: »
  links resolved to relative URLs, the TOC rebuilt, so mkdocs' search indexes the
  real text. Only the page being rendered holds its HTML (dropped on_post_page).
- a page that page_cache.py holds is neither converted nor rendered: its template
  writes the cached HTML.
"""

from __future__ import annotations

import functools
import logging
import os
import types
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.toc import get_toc

from ..core.diagnostics import Diagnostics
from ..core.french import french_typography
from . import sidebar
from .document_cache import DocumentCache
from .downloads import preview_downloads
from .glossary import add_abbreviations, markdown_abbreviations
from .guide_pages import GUIDE, guide_pages, move_guide
from .links import resolve_links
from .model import SiteModel, build_model
from .page_cache import TEMPLATE, PageCache, context_key
from .pages import render_page
from . import unchanged_pages
from .sanitize import escape_title, text_titles, sanitize
from .status import reference_date
from .toc import toc_tokens

log = logging.getLogger("mkdocs.plugins.ctg")

ENV_INTERNAL = "CTG_SITE_INTERNE"


@dataclass
class Prepared:
    """What build.py hands over for one build (so the sources are assembled once)."""

    corpus: object
    docs: dict
    downloads: dict = field(default_factory=dict)
    public: bool = True
    reuse_pages: bool = True  # take unchanged pages from .cache/pages/ (False with --force)
    jobs: int = 1  # pandoc processes at once for the pages' HTML


@dataclass
class State:
    prepared: Prepared | None = None
    serving: Prepared | None = None  # while serving: what this rebuild assembled (prepared stays None)
    command: str = "build"
    dirty: bool = False  # mkdocs' dirty builds: only the pages whose HTML changed are rendered (unchanged_pages.py)
    model: SiteModel | None = None
    errors: list[str] = field(default_factory=list)
    root: Path | None = None
    pages: PageCache | None = None  # rendered pages of earlier builds (None: not used)
    search: object = None  # Material's search plugin, whose index a cached page fills directly
    search_mark: int = 0  # search entries already attributed to a page
    misses: dict[str, str] = field(default_factory=dict)  # src_uri → key, for pages rendered now
    hits: int = 0  # pages taken from the cache
    files: Files | None = None  # the site's files, for the links of the page being rendered
    menu_limit: int = sidebar.DEFAULT_LIMIT  # entries of an open menu section (sidebar.py)
    # the preview's last build, for preview_update.py: what it rendered the pages with
    config: object = None
    nav: object = None
    env: object = None
    guide: list = field(default_factory=list)
    shared: str | None = None  # the dependency index's key of the shared inputs (registry, templates…)
    today: object = None  # the reference date it described
    ready: bool = False  # the last preview build succeeded with the site (not the page of errors)
    assembled: object = None  # (checked, diagnostics) a save already read, for the full build that follows


STATE = State()


def prepare(prepared: Prepared) -> None:
    """Called by publish.py before mkdocs runs."""
    STATE.prepared = prepared


def is_public() -> bool:
    if STATE.prepared is not None:
        return STATE.prepared.public
    return os.environ.get(ENV_INTERNAL, "") not in ("1", "oui", "true")


# ------------------------------------------------------------------ events


def _not_strict() -> None:
    from mkdocs.utils import CountHandler

    logger = logging.getLogger("mkdocs")
    for handler in [h for h in logger.handlers if isinstance(h, CountHandler)]:
        logger.removeHandler(handler)


def on_startup(command, dirty=False, **_):
    STATE.command, STATE.dirty = command, dirty


def _previewing() -> bool:
    return STATE.command == "serve" and STATE.dirty


def on_config(config, **_):
    root = Path(config.config_file_path).resolve().parent if config.config_file_path else Path.cwd()
    project_root = Path(os.environ.get("CTG_RACINE", root))
    STATE.root = project_root
    STATE.errors = []
    STATE.config, STATE.ready = config, False
    unchanged_pages.flush_search_index()  # the preview's last one, before this build writes its own
    prepared = STATE.prepared
    if prepared is None or STATE.command == "serve":
        prepared = STATE.serving = _assemble(project_root, config)
    if prepared is None:  # errors in the sources while serving: show them instead of the site
        STATE.model = None
        config["nav"] = [{"Erreurs": "index.md"}]
        return config
    cache = None
    if (STATE.prepared is not None and STATE.command == "build") or STATE.command == "serve":
        cache = DocumentCache(project_root, prepared.public, reuse=prepared.reuse_pages)  # kept between builds
    STATE.guide, STATE.today = guide_pages(config.docs_dir, is_public()), reference_date()
    STATE.model = build_model(prepared.corpus, prepared.docs, public=prepared.public,
                              downloads=prepared.downloads, today=STATE.today, guide=STATE.guide,
                              jobs=prepared.jobs, cache=cache, site_extra=dict(config.extra or {}),
                              site_url=config.site_url)
    for notice in STATE.model.notices:
        log.info("ctg : %s", notice)
    config["nav"] = text_titles(STATE.model.nav)
    return config


def _assemble(project_root: Path, config) -> Prepared | None:
    from ..build.incremental import load_check_assemble
    from ..core.project import Project

    project = Project(project_root)
    if STATE.assembled is not None:  # the save preview_update.py could not show in place
        checked, diags = STATE.assembled
        STATE.assembled = None
    else:
        diags = Diagnostics(project.root)
        checked = load_check_assemble(project, diags)
    corpus, docs = checked.corpus, checked.docs
    STATE.shared = checked.scan.shared if checked.scan is not None else None
    if diags.has_errors():
        lines = [d.format() for d in diags.sorted()]
        if STATE.command == "serve":
            _not_strict()  # the page of errors is built, not aborted for the errors it shows
            STATE.errors = lines
            for line in lines:
                log.error(line)
            return None
        raise PluginError("sources invalides :\n" + "\n".join(lines))
    return Prepared(corpus, docs, preview_downloads(project, corpus, docs, is_public()), is_public())


def on_files(files: Files, config, **_):
    out = move_guide(files, config, is_public())
    model = STATE.model
    if model is None:
        page = render_page("erreurs.html", lines=STATE.errors)
        out.append(File.generated(config, "index.md", content=_placeholder("Erreurs")))
        _PAGES["index.md"] = ("Erreurs", page)
        return out
    _PAGES.clear()
    for uri, page in model.pages.items():
        out.append(File.generated(config, uri, content=_placeholder(page.title, page.searchable, page.hide)))
        _PAGES[uri] = (page.title, page.html)
    model.pages = {}  # handed over: each page's HTML is dropped once the page is written (on_post_page)
    for uri, content in model.files.items():
        if isinstance(content, Path):
            out.append(File.generated(config, uri, abs_src_path=str(content)))
        else:
            out.append(File.generated(config, uri, content=content))
    return out


_PAGES: dict[str, tuple[str, str]] = {}


@functools.lru_cache(maxsize=100_000)  # the preview asks again for every page at every save
def _placeholder(title: str, searchable: bool = True, hide: tuple[str, ...] = ()) -> str:
    # mkdocs' templates print the title as it is (no autoescape): a title from the sources is text
    meta: dict = {"title": escape_title(title)}
    if hide:
        meta["hide"] = list(hide)
    if not searchable:
        meta["search"] = {"exclude": True}  # Material's search plugin skips the page
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True) + "---\n"


def on_nav(nav, config, files, **_):
    STATE.pages, STATE.search, STATE.search_mark, STATE.files, STATE.nav = None, None, 0, files, nav
    STATE.menu_limit, problem = sidebar.limit_of(config)
    if problem:
        log.warning("ctg : %s", problem)  # strict mode: the build stops, site/ unchanged
    STATE.misses, STATE.hits = {}, 0
    prepared = STATE.prepared if STATE.command == "build" else STATE.serving
    if STATE.command not in ("build", "serve") or STATE.model is None or prepared is None or STATE.root is None:
        if _previewing():
            unchanged_pages.forget(config.site_dir)  # the page of errors alone; the next build renders all
        return nav
    search = [p for p in config.plugins.values() if hasattr(p, "search_index")]
    if len(search) > 1:  # pragma: no cover - one search plugin at most
        return nav
    STATE.search = search[0] if search else None
    context = context_key(config, config["nav"], [f.src_uri for f in files], prepared.public,
                          STATE.model.sigles)
    # a preview (not strict) keeps its pages apart from those of « build.py site »
    variant = ("public" if prepared.public else "interne") + ("-apercu" if STATE.command == "serve" else "")
    STATE.pages = PageCache.open(STATE.root, variant, context)
    if not prepared.reuse_pages:
        STATE.pages.clear()
    if STATE.dirty and prepared.reuse_pages:
        if _previewing():
            unchanged_pages.start_preview(config.site_dir)
        unchanged_pages.skip_unchanged(files, config.site_dir, STATE.pages, _PAGES)
    return nav


def on_page_markdown(markdown, page, config, **_):
    """Guide pages are Python-Markdown: give them the glossary's abbreviations. A page the cache
    holds is not rendered: its template writes the cached HTML."""
    uri = page.file.src_uri
    if uri.startswith(f"{GUIDE}/"):
        markdown = french_typography(markdown)  # the guide's sources keep plain spaces; the site does not
        if STATE.model is not None:
            markdown = markdown + markdown_abbreviations(STATE.model.sigles)
    if STATE.pages is not None:
        title, content = _PAGES.get(uri, (page.title or "", markdown))
        key = STATE.pages.key(uri, title, content)
        cached = STATE.pages.get(key)
        if cached is not None:
            page.meta["template"] = TEMPLATE
            page.ctg_cached = cached
            page.render = types.MethodType(_no_render, page)  # no Markdown instance for a page not rendered
            STATE.hits += 1
            _PAGES.pop(uri, None)  # its HTML is not needed any more
            return ""
        STATE.misses[uri] = key
    return markdown


def _no_render(page, config, files) -> None:
    page.content, page.toc = "", get_toc([])


def hand_over(uri: str, title: str, html: str) -> None:
    """preview_update.py: the page's new HTML, for its rendering now (as on_files does for a build)."""
    _PAGES[uri] = (title, html)


def forget_render(page) -> None:
    """What the last build left on a page object it rendered (or took from the cache)."""
    for attr in ("ctg_cached", "render", "ctg_generated"):
        page.__dict__.pop(attr, None)


def on_env(env, config, files, **_):
    STATE.env = env
    return env


@event_priority(100)  # before the search plugin indexes the page's content
def on_page_context(context, page, config, nav, **_):
    """The page's own navigation (sidebar.py) and, for a generated page, its content, made now:
    mkdocs converts every page before it renders the first one, and a site of thousands of pages
    would hold all their HTML at once. A cached page adds its search entries instead."""
    cached = getattr(page, "ctg_cached", None)
    if cached is not None:
        if STATE.search is not None:
            STATE.search.search_index.entries.extend(cached["search"])
        return context
    context["nav"] = sidebar.for_page(nav, STATE.menu_limit)
    _same_document_neighbours(page)
    entry = _PAGES.get(page.file.src_uri) if getattr(page, "ctg_generated", False) else None
    if entry is not None:
        page.content = _content(entry[1], page, STATE.files)
        page.toc = get_toc(toc_tokens(page.content))  # toc.py
    return context


def group_of(src_uri: str) -> str:
    """What a page belongs to: its convention (conventions/<id>/…), else its folder, else itself."""
    parts = src_uri.split("/")
    if parts[0] == "conventions" and len(parts) > 2:
        return "/".join(parts[:2])
    return parts[0] if len(parts) > 1 else src_uri


def _same_document_neighbours(page) -> None:
    """« Précédent » and « Suivant » stay within the page's convention (or its list)."""
    group = group_of(page.file.src_uri)
    for attr in ("previous_page", "next_page"):
        other = getattr(page, attr, None)
        if other is not None and group_of(other.file.src_uri) != group:
            setattr(page, attr, None)


def _search_titles(entries: list, page) -> None:
    """A page's search result is titled as the page (its convention named): not « Fiche action n° 4 »
    alone, which every convention has."""
    title = (page.meta or {}).get("title")
    if not title:
        return
    for entry in entries:
        if "#" not in entry.get("location", ""):
            entry["title"] = title


def on_post_page(output, page, config, **_):
    """The page is written: its rendered HTML and search entries go to the page cache, and its
    content is no longer kept."""
    uri = page.file.src_uri
    entries: list = []
    if STATE.search is not None:
        all_entries = STATE.search.search_index.entries
        entries, STATE.search_mark = all_entries[STATE.search_mark:], len(all_entries)
        if getattr(page, "ctg_generated", False):
            _search_titles(entries, page)
    unchanged_pages.record_search(uri, [dict(e) for e in entries])
    key = STATE.misses.get(uri)
    if STATE.pages is not None and key is not None:
        STATE.pages.put(key, output, [dict(e) for e in entries])
    if getattr(page, "ctg_generated", False):
        page.content = None
        _PAGES.pop(uri, None)
    return output


def commit_pages(prune: bool = True) -> tuple[int, int] | None:
    """Called by publish.py once mkdocs succeeded (strict mode: no warning anywhere); returns
    (pages rendered, pages taken from the cache)."""
    if STATE.pages is None:
        return None
    STATE.pages.commit(prune)
    return len(STATE.misses), STATE.hits


def on_page_content(html, page, config, files, **_):
    if getattr(page, "ctg_cached", None) is not None:
        return ""
    if page.file.src_uri not in _PAGES:
        # a page of the guide: Python-Markdown's HTML, through the same allow-list (its no-break spaces kept)
        return sanitize(html).replace("&nbsp;", "\u00a0")
    page.ctg_generated = True
    return ""  # made by on_page_context, when mkdocs renders this page


def _content(html: str, page, files: Files) -> str:
    """A generated page's HTML as published: glossary's <abbr>, « ctg: » links made relative."""
    if STATE.model is not None:
        html = add_abbreviations(html, STATE.model.sigles)
    return resolve_links(html, page, files)


@event_priority(50)  # before the search plugin writes its index (unchanged_pages.py completes it)
def on_post_build(config, **_):
    if STATE.model is None and STATE.command != "serve":
        raise PluginError("le site n'a pas été construit.")
    unchanged_pages.complete_search_index(STATE.search)
    if STATE.command == "serve" and STATE.model is not None:
        commit_pages()  # the preview's pages, for its next rebuild
        unchanged_pages.finish_preview()
        STATE.ready = True


def on_build_error(error, **_):
    STATE.ready = False
    unchanged_pages.forget()  # what this build wrote is not trusted: the next one renders everything
