"""Pages whose HTML cannot have changed are neither rendered nor written again.

mkdocs renders every page of the site at every build, and writes it into an empty folder.
Both the preview and « build.py site » run mkdocs' « dirty » builds instead, in which mkdocs
neither reads nor renders a page whose file says it is not modified, nor copies a file whose
copy is newer than its source. A generated page is « not modified » when:
- the site's context (page_cache.context_key: nav, files, sigles, configuration, code…) is the
  one of the reference build, and
- the page's own key (its URI, title and content) is the one it had in that build, and
- the reference build's HTML of the page is still there.
A changed nav or a new page changes the context: then every page is rendered (a full build).

The reference build is:
- for the preview (« build.py serve »), its own last build, in the folder it serves (kept in
  memory; a build that failed, or that showed the page of errors, empties the folder and
  leaves no reference);
- for « build.py site », the published folder (site/ or site-interne/) and the state its build
  left in .cache/pages/<variant>.publie.json. The new site is still made in a new folder and
  switched in at the end; a page (or a download, or a theme file) kept is a hard link to the
  published file, made only for a file mkdocs does not write (mkdocs writes files in place: a
  link to a file it writes would change the published site before the switch). The state names
  the file sitemap.xml of the site it describes (device, inode, size, time): a site that was not
  switched in, or was replaced by hand, is not that one, and the build is then full.

Material's search plugin indexes only the pages it renders; the search entries of the other
pages come from the reference build, and the index is written whole, in the site's order.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from mkdocs.utils import clean_directory

# mkdocs warns at every dirty build that the nav may be wrong: here a changed nav renders every page
DIRTY_WARNING = "A 'dirty' build is being performed"
SENTINEL = "sitemap.xml"  # written by every build (a theme template, never kept from the reference)
STATE_VERSION = 1


@dataclass
class Reference:
    folder: str | None = None  # where the reference build's files are
    context: str | None = None
    keys: dict[str, str] = field(default_factory=dict)  # src_uri → page key
    search: dict[str, list] = field(default_factory=dict)  # src_uri → the page's search entries


@dataclass
class Run:
    """One build, and the reference it keeps pages from."""

    reference: Reference
    link: bool  # build.py: what is kept is linked from reference.folder into the new folder
    context: str | None = None
    keys: dict[str, str] = field(default_factory=dict)
    search: dict[str, list] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)  # the documentation pages, in mkdocs' order
    kept: int = 0


PREVIEW = Reference()  # the preview's last build that succeeded
RUN: list[Run] = []  # the build running, if it keeps unchanged pages


def current() -> Run | None:
    return RUN[0] if RUN else None


def start_preview(site_dir: str) -> None:
    PREVIEW.folder = site_dir
    RUN[:] = [Run(PREVIEW, link=False)]


def start_update(order: list[str]) -> Run:
    """preview_update.py: a few pages of the preview's last build rendered again in its folder; the
    others stay as it left them. Their keys and search entries are changed in place in the
    reference (a failed update forgets it: the next build renders every page)."""
    run = Run(PREVIEW, link=False, context=PREVIEW.context, keys=PREVIEW.keys, search=PREVIEW.search, order=order)
    RUN[:] = [run]
    return run


def finish_update() -> None:
    RUN.clear()


def start_build(state_file: Path, published: Path) -> None:
    """build.py site: the published folder is the reference when the state describes it."""
    RUN[:] = [Run(_read_state(state_file, published), link=True)]


def forget(site_dir: str | None = None) -> None:
    """A failed build, or the preview's page of errors: no reference for the next build."""
    RUN.clear()
    PREVIEW.context = None
    PREVIEW.keys.clear()
    PREVIEW.search.clear()
    if site_dir:
        clean_directory(site_dir)


def _not_modified() -> bool:
    return False


def _modified() -> bool:
    return True


def skip_unchanged(files, site_dir: str, cache, pages: dict[str, tuple[str, str]]) -> None:
    """Marks the pages whose HTML cannot have changed as not modified (mkdocs then skips them) and
    drops their content from pages. cache: the page cache (its keys; the entries of the pages kept
    stay in it)."""
    run = current()
    if run is None:
        return
    ref = run.reference
    docs = files.documentation_pages()
    run.keys = {uri: cache.key(uri, title, html) for uri, (title, html) in pages.items()}
    run.context, run.order = cache.context, [f.src_uri for f in docs]
    same = ref.folder is not None and ref.context == cache.context
    if not same and not run.link:  # the preview: its folder emptied, every page rendered
        forget(site_dir)
        RUN[:] = [run]
        ref.folder = site_dir
    for f in docs:
        uri = f.src_uri
        key = run.keys.get(uri)
        if key is None:  # a page of the guide (docs/): mkdocs' own rule, its copy newer than its source
            if not f.is_modified():
                if same and uri in ref.search:
                    run.search[uri] = ref.search[uri]
                else:
                    f.is_modified = _modified
            continue
        if not same or ref.keys.get(uri) != key or uri not in ref.search:
            continue
        old = os.path.join(ref.folder, f.dest_uri)
        if not os.path.isfile(old):
            continue
        if run.link:
            _link(old, f.abs_dest_path)
        f.is_modified = _not_modified  # mkdocs --dirty: neither read nor rendered
        cache.used.add(key)  # its entry in the page cache stays
        pages.pop(uri, None)
        run.search[uri] = ref.search[uri]
        run.kept += 1
    if run.link and ref.folder is not None:
        _link_static(files, ref.folder)


def _link_static(files, folder: str) -> None:
    """The downloads and theme files the published site has, unchanged since (mkdocs' own rule in a
    dirty build: a copy newer than its source is kept), with the same size."""
    for f in files:
        if f.is_documentation_page() or getattr(f, "_content", None) is not None or not f.abs_src_path:
            continue
        old = os.path.join(folder, f.dest_uri)
        try:
            src, kept = os.stat(f.abs_src_path), os.stat(old)
        except OSError:
            continue
        if kept.st_mtime >= src.st_mtime and kept.st_size == src.st_size:
            _link(old, f.abs_dest_path)


def _link(src: str, dst: str) -> None:
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def record_search(uri: str, entries: list) -> None:
    run = current()
    if run is not None:
        run.search[uri] = entries


def complete_search_index(search_plugin) -> None:
    """Before Material writes the index: every page's entries in the site's order (those of the pages
    rendered now, and those of the reference for the others)."""
    run = current()
    if run is None or search_plugin is None:
        return
    search_plugin.search_index.entries = [e for uri in run.order for e in run.search.get(uri, [])]
    search_plugin.search_index_prev = None  # Material's own dirty merge assumes one page rendered


_SERIALIZED: dict[str, tuple[list, bytes]] = {}  # src_uri → (its search entries, as JSON): the preview's
_WRITER: list = []  # the thread writing the preview's search index, and its last job


def write_search_index(search_plugin, site_dir: str) -> None:
    """preview_update.py: the search index, as Material's search plugin writes it (same bytes), from
    the JSON of each page's entries kept from the last time it was written: only the pages rendered
    now are serialized again. The file (tens of megabytes on a national corpus) is written by a
    thread, atomically, from the pages' parts as they are (no copy of the whole), while the browser
    reloads the page; flush_search_index waits for it."""
    run = current()
    if run is None or search_plugin is None:
        return
    flush_search_index()  # the entries serialized after the last full build (finish_preview)
    parts: list[bytes] = []
    for uri in run.order:
        entries = run.search.get(uri)
        if entries:
            parts += (b",", _serialized(uri, entries))
    config = {key: search_plugin.config[key] for key in ("lang", "separator", "pipeline", "fields")}
    head = ('{"config":' + json.dumps(config, separators=(",", ":"), default=str) + ',"docs":[').encode("utf-8")
    chunks = [head, *parts[1:], b"]}"]
    path = os.path.join(site_dir, "search", "search_index.json")
    _submit(_write_index, path, chunks)


def _serialized(uri: str, entries: list) -> bytes:
    kept = _SERIALIZED.get(uri)
    if kept is None or kept[0] is not entries:
        text = ",".join(json.dumps(e, separators=(",", ":"), default=str) for e in entries)
        kept = (entries, text.encode("ascii"))  # json.dumps escapes every non-ASCII character
        _SERIALIZED[uri] = kept
    return kept[1]


def _serialize_all(search: dict[str, list]) -> None:
    """After a full build of the preview, while the author reads: the JSON of every page's search
    entries, so that the first save does not serialize the whole index (tens of megabytes on a
    national corpus) before its page is shown."""
    for uri, entries in list(search.items()):
        if entries:
            _serialized(uri, entries)


def _submit(job, *args) -> None:
    """Run job on the search index's thread, after the job before it."""
    flush_search_index()
    if not _WRITER:
        from concurrent.futures import ThreadPoolExecutor

        _WRITER.append(ThreadPoolExecutor(max_workers=1, thread_name_prefix="ctg-recherche"))
    _WRITER[1:] = [_WRITER[0].submit(job, *args)]


def _write_index(path: str, chunks: list[bytes]) -> None:
    tmp = path + ".tmp"
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(tmp, "wb") as fh:
        fh.writelines(chunks)
    os.replace(tmp, path)


def flush_search_index() -> None:
    """Wait for the search index being written (before a build writes it, or the preview stops)."""
    if len(_WRITER) > 1:
        job = _WRITER.pop()
        try:
            job.result()
        except OSError as exc:  # the next build writes it whole
            logging.getLogger("mkdocs.plugins.ctg").warning("ctg : index de recherche non écrit (%s)", exc)


def finish_preview() -> None:
    """The preview's build succeeded: it is the reference of the next one."""
    run = current()
    if run is None or run.link:
        return
    order = set(run.order)
    PREVIEW.context, PREVIEW.keys = run.context, run.keys
    PREVIEW.search = {uri: e for uri, e in run.search.items() if uri in order}
    RUN.clear()
    _submit(_serialize_all, PREVIEW.search)


def finish_build(state_file: Path, site_dir: Path) -> int | None:
    """build.py site succeeded in site_dir (not switched in yet): the state naming it, for the next
    build; returns the number of pages kept."""
    run = current()
    RUN.clear()
    if run is None:
        return None
    try:
        identity = _identity(site_dir / SENTINEL)
    except OSError:
        identity = None
    state_file.parent.mkdir(parents=True, exist_ok=True)
    tmp = state_file.with_name(state_file.name + ".tmp")
    order = set(run.order)
    tmp.write_text(json.dumps({"version": STATE_VERSION, "site": identity, "context": run.context,
                               "keys": run.keys, "search": {u: e for u, e in run.search.items() if u in order}},
                              ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, state_file)
    return run.kept


def _identity(path: Path) -> list[int]:
    st = os.stat(path)
    return [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns]


def _read_state(state_file: Path, published: Path) -> Reference:
    try:
        state = json.loads(state_file.read_text(encoding="utf-8"))
        if state.get("version") != STATE_VERSION or state.get("site") != _identity(published / SENTINEL):
            return Reference()
        return Reference(str(published), state["context"], dict(state["keys"]), dict(state["search"]))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return Reference()


class _NoDirtyWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(DIRTY_WARNING)


def quiet_dirty_warning() -> None:
    """The filter sits on mkdocs' build logger: the warning reaches no handler (strict mode included)."""
    logger = logging.getLogger("mkdocs.commands.build")
    if not any(isinstance(f, _NoDirtyWarning) for f in logger.filters):
        logger.addFilter(_NoDirtyWarning())
