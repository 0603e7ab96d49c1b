"""« build.py serve »: mkdocs' development server, told about saves at once and quick to follow them.

mkdocs' own « serve » command, with three differences:
- the site is written in the project's .cache/apercu/ (emptied at start and at the end), not in a
  folder of /tmp that a killed preview would leave behind;
- the files are watched through the system's notifications (inotify on Linux) where mkdocs polls
  every folder twice a second: a save is seen at once, a corpus of thousands of files costs
  nothing between saves (polling stays the fallback where notifications are not available), and
  the files saved are recorded, so that a save looks at them only (preview_update.SaveLog);
- a save first tries preview_update.update_in_place, which renders again only the pages the save
  changed; a full mkdocs build (dirty: unchanged pages are kept, unchanged_pages.py) runs when it
  cannot tell.
"""

from __future__ import annotations

import gc
import logging
import shutil
from os.path import isfile, join
from pathlib import Path
from urllib.parse import urlsplit

log = logging.getLogger("mkdocs.plugins.ctg")

SITE_FOLDER = Path(".cache") / "apercu"


def serve(root: Path, config_file: Path, docs_dir: Path, address: str, watch: list[Path]) -> None:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.livereload import LiveReloadServer, _serve_url

    from .plugin import STATE
    from .preview_update import update_in_place
    from .unchanged_pages import flush_search_index

    site_dir = root / SITE_FOLDER
    shutil.rmtree(site_dir, ignore_errors=True)
    site_dir.mkdir(parents=True)

    def get_config():
        config = load_config(str(config_file), site_dir=str(site_dir), docs_dir=str(docs_dir), dev_addr=address)
        config.watch.extend(str(p) for p in watch)
        return config

    config = get_config()
    config.plugins.on_startup(command="serve", dirty=True)
    host, port = config.dev_addr
    mount_path = urlsplit(config.site_url or "/").path
    config.site_url = serve_url = _serve_url(host, port, mount_path)

    def full_build(config=None) -> None:
        if config is None:
            config = get_config()
            config.site_url = serve_url
        build(config, serve_url=serve_url, dirty=True)

    def builder() -> None:
        try:
            try:
                shown = update_in_place()
            except Exception as exc:  # noqa: BLE001 - the full build shows the site, or the error, as before
                log.warning("ctg : la page n'a pas pu être mise à jour sur place (%s) ; le site est reconstruit.",
                            exc)
                shown = False
            if not shown:
                full_build()
        finally:
            STATE.assembled = None  # what this save read serves its own full build only

    # The preview holds the whole site model between saves: with Python's default thresholds, each
    # rebuild ran about one full collection of that heap (0.3 s at scale 0.25 of the benchmark, growing
    # with the corpus). Young collections stay frequent enough for the garbage of a rebuild.
    gc.set_threshold(100_000, 50, 50)
    server = LiveReloadServer(builder=builder, host=host, port=port, root=str(site_dir), mount_path=mount_path)
    server.observer = _observer(server.observer)
    _record_saves(server.observer, watch)
    server.error_handler = lambda code: _error_page(site_dir, code)
    try:
        full_build(config)
        _watch_and_serve(server, config, builder)
    finally:
        config.plugins.on_shutdown()
        flush_search_index()
        shutil.rmtree(site_dir, ignore_errors=True)


def _watch_and_serve(server, config, builder) -> None:
    server.watch(config.docs_dir)
    if config.config_file_path:
        server.watch(config.config_file_path)
    server = config.plugins.on_serve(server, config=config, builder=builder)
    for item in config.watch:
        server.watch(item)
    try:
        server.serve()
    except KeyboardInterrupt:
        log.info("Arrêt de la prévisualisation")
    finally:
        server.shutdown()


def _observer(polling):
    """The platform's notifications (inotify), else mkdocs' polling observer. Only what changes a file
    is a save: reading the sources (opened, closed without writing) would make every build start the
    next one."""
    try:
        from watchdog import events
        from watchdog.observers import Observer
        from watchdog.observers.polling import PollingObserver
    except ImportError:  # pragma: no cover - watchdog without a native backend
        return polling
    if Observer is PollingObserver:  # pragma: no cover - no notification API on this system
        return polling
    writes = [events.FileCreatedEvent, events.FileModifiedEvent, events.FileMovedEvent, events.FileDeletedEvent,
              events.FileClosedEvent, events.DirCreatedEvent, events.DirDeletedEvent, events.DirMovedEvent]

    class Saves(Observer):  # type: ignore[valid-type, misc]
        def schedule(self, event_handler, path, *, recursive=False, event_filter=None, follow_symlink=False):
            return super().schedule(event_handler, path, recursive=recursive, event_filter=event_filter or writes,
                                    follow_symlink=follow_symlink)

    return Saves()


def _record_saves(observer, folders: list[Path]) -> None:
    """The saves under the sources' folders, for preview_update.py (SAVES)."""
    from watchdog.events import FileSystemEventHandler

    from .preview_update import SAVES

    handler = FileSystemEventHandler()
    handler.on_any_event = SAVES.record  # type: ignore[method-assign]
    for folder in folders:
        if folder.is_dir():
            observer.schedule(handler, str(folder), recursive=True)


def _error_page(site_dir: Path, code: int) -> bytes | None:
    if code in (404, 500):
        page = join(site_dir, f"{code}.html")
        if isfile(page):
            with open(page, "rb") as fh:
                return fh.read()
    return None
