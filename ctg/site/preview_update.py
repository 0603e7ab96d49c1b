"""A save in the preview (« build.py serve »): only the pages the save changed are rendered again.

A full preview build remakes the site model of the whole corpus and runs mkdocs over every page
(files, nav, search index, sitemap): at scale 1 of the benchmark, 7 s after each save, and more as
the corpus grows. After a save, update_in_place instead:

1. loads, checks and assembles through the dependency index, looking only at the files the
   watcher reported saved (SaveLog); the convention folders not read again are taken from memory
   (dependency_index.keep_entries_in_memory), as the very objects of the last build, so that the
   documents the save changed are found by comparison;
2. takes the conventions of those documents (the « changed » ones), the conventions whose pages
   can show them (those they renew or that renew them, those approved by the same délibération),
   and the conventions those pages read in turn: the neighbourhood;
3. builds the site model of the neighbourhood alone (model.build_model on its documents), before
   and after the save: the pages of documents not changed come from the document cache;
4. when, between the two, only the HTML of pages of the changed conventions or their neighbours
   differs — the same pages, titles, nav and downloads, and no other page (home, lists, territories,
   fiches, délibérations, glossary) — renders those pages with mkdocs' own page functions,
   writes the search index again and lets the browser reload.

Otherwise it answers False and the full build runs, as before this module: a title, a status or a
date changed (they are in the lists and the nav), a page or a document added or removed, a
registry entry, a template or a clause (the shared inputs), mkdocs.yml or the guide, a
délibération, errors in the sources (the page of errors), the reference date.

A page outside the changed conventions depends on them only through what the lists show of
them; a list is made of one part per convention, so a list of the neighbourhood that is the same
before and after the save is the same in the whole site. tests/test_preview_update.py compares
every page of a save shown in place with a full build of the same sources.
"""

from __future__ import annotations

import logging
import threading
import time

from ..core.diagnostics import Diagnostics
from ..core.document import AssembledDocument
from ..core.project import Project
from . import plugin, unchanged_pages
from .document_cache import DocumentCache
from .downloads import preview_downloads
from .model import SiteModel, build_model
from .status import reference_date

log = logging.getLogger("mkdocs.plugins.ctg")

MAX_NEIGHBOURHOOD = 12  # conventions whose model is made twice; beyond, the full build is as quick


class SaveLog:
    """The files the watcher was told were written, created, moved or deleted under conventions/ and
    templates/ (preview_server.py), until a run that wrote the dependency index takes them: that run
    looks at them only, not at every file of the corpus (dependency_index.Scan)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._paths: set[str] = set()
        self._folders = False  # a folder created, moved or deleted: every file is looked at
        self.index_written: float | None = None  # the index this process wrote last, with no save lost since
        self.through_links = True  # until a scan of every file says otherwise (links hide saves)
        self._taken: set[str] = set()

    def record(self, event) -> None:
        with self._lock:
            if event.is_directory:
                self._folders = True
            self._paths.add(event.src_path)
            if getattr(event, "dest_path", ""):
                self._paths.add(event.dest_path)

    def take(self) -> tuple[set[str], float] | None:
        """The saves, and the index they follow; None: every file is to be looked at."""
        with self._lock:
            paths, folders = self._paths, self._folders
            self._paths, self._folders = set(), False
        self._taken = paths
        if folders or self.through_links or self.index_written is None:
            return None
        return paths, self.index_written

    def give_back(self) -> None:
        """The run that took the saves stopped: they are looked at again next time."""
        with self._lock:
            self._paths |= self._taken

    def done(self, checked) -> None:
        """After the run: the index it wrote follows every save taken; without one (errors in the
        sources), the saves taken are looked at again next time."""
        if checked.index is not None:
            self.index_written = checked.index.written
            if checked.scan is not None and not checked.scan.saved_only:
                self.through_links = checked.scan.through_links
        else:
            self.give_back()


SAVES = SaveLog()


def update_in_place() -> bool:
    """True when the save is shown (its pages written); False: a full build is needed."""
    st = plugin.STATE
    if not st.ready or st.serving is None or st.config is None or st.env is None or st.root is None:
        return False
    started = time.perf_counter()
    from ..build.incremental import load_check_assemble

    project = Project(st.root)
    diags = Diagnostics(project.root)
    saved = SAVES.take()
    try:
        checked = load_check_assemble(project, diags, saved=saved)
    except BaseException:
        SAVES.give_back()
        raise
    SAVES.done(checked)
    st.assembled = (checked, diags)  # the full build that may follow reads nothing again
    shared = checked.scan.shared if checked.scan is not None else None
    if diags.has_errors() or shared is None or shared != st.shared or reference_date() != st.today:
        return False
    old = st.serving
    changed = changed_conventions(old.corpus, old.docs, checked.corpus, checked.docs)
    if not changed:
        return False  # nothing the documents show: mkdocs.yml, the guide… the full build tells
    around = neighbours(changed, old.corpus, old.docs, checked.corpus, checked.docs)
    near = neighbours(around, old.corpus, old.docs, checked.corpus, checked.docs)
    if len(near) > MAX_NEIGHBOURHOOD:
        return False
    before, old_downloads = _model(project, old.corpus, _within(old.docs, near), old.public, old.downloads)
    after, downloads = _model(project, checked.corpus, _within(checked.docs, near), old.public)
    pages = pages_to_render(before, after, around)
    if pages is None:
        return False
    try:
        _render(pages)
    except BaseException:
        unchanged_pages.forget(st.config.site_dir)  # half written: the next build renders every page
        st.ready = False
        raise
    kept = {i: f for i, f in old.downloads.items() if i not in old_downloads}
    st.serving = plugin.Prepared(checked.corpus, checked.docs, kept | downloads, old.public)
    st.assembled = None
    log.info("ctg : %d page(s) rendue(s) à nouveau en %.2f s ; sources examinées : %s", len(pages),
             time.perf_counter() - started, "les fichiers enregistrés" if checked.scan.saved_only else "toutes")
    return True


def _convention_of(doc: AssembledDocument) -> str:
    return doc.parent if doc.kind != "convention" and doc.parent else doc.id


def _same(a, b) -> bool:
    return a is b or a == b


def changed_conventions(old_corpus, old_docs: dict, corpus, docs: dict) -> set[str] | None:
    """The conventions whose documents or sources changed; None when a document, a convention or an
    avenant was added or removed, or a délibération changed (the full build then)."""
    if old_docs.keys() != docs.keys() or not _same(old_corpus.deliberations, corpus.deliberations):
        return None
    out: set[str] = set()
    for ident, doc in docs.items():
        if not _same(old_docs[ident], doc):
            out |= {_convention_of(doc), _convention_of(old_docs[ident])}
    for attr in ("conventions", "avenants"):
        before, now = getattr(old_corpus, attr), getattr(corpus, attr)
        if before.keys() != now.keys():
            return None
        for ident, src in now.items():
            if not _same(before[ident], src) and ident in docs:
                out |= {_convention_of(docs[ident]), _convention_of(old_docs[ident])}
    return out


def neighbours(conventions: set[str], old_corpus, old_docs: dict, corpus, docs: dict) -> set[str]:
    """conventions, and those whose pages show them or that their pages show: renewals either way,
    documents approved by the same délibération (before or after the save)."""
    out = set(conventions)
    for source, documents in ((old_corpus, old_docs), (corpus, docs)):
        for conv in source.conventions.values():
            if conv.meta.remplace and (conv.id in conventions or conv.meta.remplace in conventions):
                out |= {conv.id, conv.meta.remplace}
        for delib in source.deliberations.values():
            approved = {_convention_of(documents[i]) for i in delib.meta.approuve if i in documents}
            if approved & conventions:
                out |= approved
    return out


def _within(docs: dict[str, AssembledDocument], conventions: set[str]) -> dict[str, AssembledDocument]:
    return {i: d for i, d in docs.items() if _convention_of(d) in conventions}


def _model(project: Project, corpus, docs: dict, public: bool, known: dict | None = None
           ) -> tuple[SiteModel, dict]:
    """The site model of these documents, with their downloads (from known: as the last build had them)."""
    st = plugin.STATE
    downloads = preview_downloads(project, corpus, docs, public, known)
    model = build_model(corpus, docs, public=public, downloads=downloads, today=st.today, guide=st.guide,
                        cache=DocumentCache(project.root, public), site_extra=dict(st.config.extra or {}),
                        site_url=st.config.site_url)
    return model, downloads


def pages_to_render(before: SiteModel, after: SiteModel, conventions: set[str]) -> dict | None:
    """{URI: page} of the pages whose HTML the save changed, when they are all pages of the
    conventions given and nothing else of the site changed; else None."""
    if (before.pages.keys() != after.pages.keys() or before.nav != after.nav or before.files != after.files
            or before.sigles != after.sigles):
        return None
    folders = {f"conventions/{c}" for c in conventions}
    out = {}
    for uri, page in after.pages.items():
        old = before.pages[uri]
        if (page.title, page.searchable, page.hide) != (old.title, old.searchable, old.hide):
            return None
        if page.html != old.html:
            if plugin.group_of(uri) not in folders:
                return None
            out[uri] = page
    return out


def _render(pages: dict) -> None:
    """mkdocs' own steps for these pages only (read, convert, plugin events, theme template, write),
    with the nav, files and templates of the last build; then the search index, written whole."""
    from mkdocs.commands.build import _build_page, _populate_page
    from mkdocs.structure.files import InclusionLevel

    st = plugin.STATE
    config, files = st.config, st.files
    doc_files = files.documentation_pages(inclusion=InclusionLevel.is_in_serve)
    run = unchanged_pages.start_update([f.src_uri for f in doc_files])
    st.misses, st.hits = {}, 0
    st.search_mark = len(st.search.search_index.entries) if st.search is not None else 0
    objects = []
    for uri, page in pages.items():
        plugin.hand_over(uri, page.title, page.html)
        run.keys[uri] = st.pages.key(uri, page.title, page.html)
        obj = files.get_file_from_path(uri).page
        plugin.forget_render(obj)
        objects.append(obj)
    for obj in objects:
        _populate_page(obj, config, files)
    for obj in objects:
        _build_page(obj, config, doc_files, st.nav, st.env)
    unchanged_pages.write_search_index(st.search, config.site_dir)
    plugin.commit_pages(prune=False)
    unchanged_pages.finish_update()
