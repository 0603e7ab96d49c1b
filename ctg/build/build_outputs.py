"""Build the outputs of assembled documents: first produce every file (into the content-hash
cache, ctg/cache.py), then write them all to dist/ atomically. A failure leaves dist/ as it was.

Documents build in parallel processes (-j N), in three phases:
1. per document: parse the assembled Markdown once (pandoc JSON AST), write the raw DOCX;
2. LibreOffice lays each raw DOCX out once, in N batches (one soffice each): the page numbers
   of its bookmarks, and the PDF exported from that same layout (the PDF is the DOCX, page for
   page: one layout engine);
3. per document: fill the page numbers into the DOCX; finish the PDF (metadata, signature
   fields).
An output whose key (cache.py) is already in the cache is reused and none of this runs for it.
Progress and errors are reported in the order of the documents, whatever the order of work.
"""

from __future__ import annotations

import atexit
import hashlib
import importlib
import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from . import cache
from ..core import pandoc
from ..core.document import AssembledDocument
from ..core import interrupt
from ..core.outputs import output_path, test_pause, write_atomic
from ..core.parallel import deal, default_jobs, ordered_map, thread_map, undeal
from ..core.project import Project
from ..core.progress import Progress
from ..writers.libreoffice import DOCUMENTS_PER_OFFICE

FORMATS = ("docx", "pdf")
# Documents of one batch at most: as many as one soffice lays out before it is replaced (its start
# costs about 2 s; a started one serves the next batches of the run).
LIBREOFFICE_BATCH = DOCUMENTS_PER_OFFICE
# A soffice's start costs about as much computation as laying out 150,000 characters of Markdown
# (about 40 pages): a second one side by side is started only when each has more than that to do.
LIBREOFFICE_START_CHARS = 150_000


@dataclass
class RunOptions:
    """Options of the current command, read by the site build too (site/publish.py, ensure_downloads)."""

    jobs: int = field(default_factory=default_jobs)
    force: bool = False  # ignore the cache (and refill it)


OPTIONS = RunOptions()


def configure(jobs: int | None = None, force: bool = False) -> None:
    OPTIONS.jobs = jobs if jobs and jobs > 0 else default_jobs()
    OPTIONS.force = force
    _STORES.clear()


def _resources(project: Project) -> tuple[Path, ...]:
    # Logos are relative to _registre/ (validate.py checks them there); other images to conventions/.
    return (project.conventions, project.conventions / "_registre")


_STORES: dict[Path, cache.Store] = {}


def _store(project: Project) -> cache.Store:
    """One store per run: with --force, what this run built is reused by its later steps (the site)."""
    if project.root not in _STORES:
        _STORES[project.root] = cache.Store(project.root, enabled=not OPTIONS.force)
        memo = project.root / cache.FOLDER / "pandoc"
        if OPTIONS.force:  # a memo of this run only
            memo.parent.mkdir(parents=True, exist_ok=True)
            memo = Path(tempfile.mkdtemp(prefix="pandoc-force-", dir=memo.parent))
            atexit.register(shutil.rmtree, memo, True)
        pandoc.use_memo(memo)
    return _STORES[project.root]


# ------------------------------------------------------------------ per-document work (in workers)


@dataclass(frozen=True)
class _Task:
    ident: str
    doc: AssembledDocument
    keys: dict[str, str]  # format → cache key, for the formats to build

    @property
    def work_key(self) -> str:
        """Where the intermediate files (raw and final DOCX, LibreOffice's PDF) of the task are kept."""
        return self.keys.get("docx") or self.keys["pdf"]


@dataclass
class _Done:
    ident: str
    bookmarks: list[str] = field(default_factory=list)  # bookmarks whose page LibreOffice must find


class _Worker:
    """Phase 1: the raw DOCX (the PDF is LibreOffice's export of it). Picklable closure over the
    project (forked workers get it for free)."""

    def __init__(self, project: Project, store: cache.Store):
        self.project, self.store = project, store

    def __call__(self, task: _Task) -> _Done:
        from ..writers.docx import write_docx
        from ..writers.docx_layout import END_BOOKMARK
        from ..writers.docx_post import pageref_targets

        ast = pandoc.to_ast(task.doc.markdown)
        raw = write_docx(task.doc, ast, self.project.templates / "reference.docx", self.project.conventions)
        self.store.put(task.work_key, "brut.docx", raw)
        return _Done(task.ident, [END_BOOKMARK, *pageref_targets(raw)])


class _Layout:
    """Phases 2 and 4: one LibreOffice per batch lays each DOCX out (the raw one for its page numbers,
    then the final one, whose PDF it exports: kept in the cache at once, a national corpus's PDFs do
    not wait in memory)."""

    def __init__(self, store: cache.Store, progress: Progress, source: str):
        self.store, self.progress, self.source = store, progress, source

    def __call__(self, batch: list[tuple[str, list[str], bool]]) -> list[dict]:
        from ..writers.libreoffice import Job, lay_out

        test_pause("mise-en-page")  # for the tests: Ctrl-C while a worker thread waits on a program
        interrupt.check()
        jobs = [Job(self.store.path(key, self.source).read_bytes(), marks, pdf) for key, marks, pdf in batch]
        out = []
        for (key, _marks, _pdf), layout in zip(batch, lay_out(jobs, self._restarted)):
            if layout.pdf is not None:
                self.store.put(key, "lo.pdf", layout.pdf)
            out.append({"pages": layout.pages, "total": layout.total})
        return out

    def _restarted(self, message: str) -> None:
        interrupt.check()  # LibreOffice stopped by Ctrl-C: no fresh one
        self.progress.step(message)


class _Filler:
    """Phase 3: the page numbers of the layout written into the DOCX (the final DOCX)."""

    def __init__(self, store: cache.Store):
        self.store = store

    def __call__(self, item: tuple[_Task, dict]) -> None:
        from ..writers.docx import fill_pages

        task, layout = item
        raw = self.store.path(task.work_key, "brut.docx").read_bytes()
        self.store.put(task.work_key, "final.docx", fill_pages(raw, layout, task.doc.date))


class _Finisher:
    """Phase 5: the outputs in the cache: the final DOCX, the exported PDF finished (metadata,
    signature fields), the layout they share (pages.json)."""

    def __init__(self, store: cache.Store, timestamp: int | None):
        self.store, self.timestamp = store, timestamp

    def __call__(self, item: tuple[_Task, dict]) -> None:
        from ..writers.docx_post import signature_zone_width
        from ..writers.pdf import finish_pdf

        task, layout = item
        work = task.work_key
        final = self.store.path(work, "final.docx").read_bytes()
        for key in task.keys.values():
            self.store.put(key, "pages.json", json.dumps(layout, sort_keys=True).encode("utf-8"))
        if "docx" in task.keys:
            self.store.put(task.keys["docx"], "docx", final)
        if "pdf" in task.keys:
            exported = self.store.path(work, "lo.pdf").read_bytes()
            self.store.put(task.keys["pdf"], "pdf", finish_pdf(exported, task.doc, signature_zone_width(final),
                                                               self.timestamp))
        for name in ("lo.pdf", "brut.docx", "final.docx"):
            self.store.path(work, name).unlink(missing_ok=True)


def _lay_out_all(store: cache.Store, progress: Progress, source: str, items: list[tuple[_Task, list[str]]],
                 jobs: int, export: bool) -> list[dict]:
    """The layouts of the tasks' DOCX (source: « brut.docx » or « final.docx »), in batches dealt to
    LibreOffices side by side; export: the PDF of those that want one."""
    n_batches = _batch_count([t for t, _ in items], jobs)
    batches = deal([(t.work_key, marks, export and "pdf" in t.keys) for t, marks in items], n_batches)
    return undeal(thread_map(_Layout(store, progress, source), batches, jobs))


def _batch_count(tasks: list[_Task], jobs: int) -> int:
    """How many LibreOffices lay the tasks out: one per worker when each has enough to lay out to
    be worth its start, and no batch so large that a national corpus waits on a single soffice."""
    worth = max(1, sum(len(t.doc.markdown) for t in tasks) // LIBREOFFICE_START_CHARS)
    return max(1, min(len(tasks), max(min(jobs, worth), -(-len(tasks) // LIBREOFFICE_BATCH))))


def _layouts(store: cache.Store, progress: Progress, to_layout: list[tuple[_Task, list[str]]],
             jobs: int) -> list[dict]:
    """Phases 2 to 4: the raw DOCX laid out, its page numbers written (the final DOCX), the final DOCX
    laid out afresh and its PDF exported. The PDF is the final DOCX's own layout: a number written
    into the sommaire that moves a line makes the pages differ, and the numbers are written again."""
    n_pdf = sum("pdf" in t.keys for t, _ in to_layout)
    n_batches = _batch_count([t for t, _ in to_layout], jobs)
    progress.step(f"Mise en page par LibreOffice ({len(to_layout)} document{'s' if len(to_layout) > 1 else ''}, {n_batches} "
                  f"lot{'s' if n_batches > 1 else ''}) : numéros de page"
                  + (f", puis {n_pdf} PDF de la mise en page du DOCX fini" if n_pdf else ""))
    layouts = _lay_out_all(store, progress, "brut.docx", to_layout, jobs, export=False)
    pending = list(range(len(to_layout)))
    for _attempt in range(3):
        for _ in ordered_map(_Filler(store), [(to_layout[i][0], layouts[i]) for i in pending], jobs):
            pass
        exporting = [i for i in pending if "pdf" in to_layout[i][0].keys]
        if not exporting:
            break
        again = _lay_out_all(store, progress, "final.docx", [to_layout[i] for i in exporting], jobs, export=True)
        moved = [i for i, lay in zip(exporting, again) if lay != layouts[i]]
        for i, lay in zip(exporting, again):
            layouts[i] = lay
        if not moved:
            break
        pending = moved
    return layouts


# ------------------------------------------------------------------ produce


@dataclass
class Produced:
    files: dict[Path, Path] = field(default_factory=dict)  # dist path → cache entry holding its bytes
    built: int = 0
    reused: int = 0


def produce(project: Project, docs: dict[str, AssembledDocument], formats: list[str], progress: Progress,
            variant: str = "", also: list[tuple[AssembledDocument, str]] = ()) -> Produced:
    """Every output of docs in formats, as cache entries; builds only those not cached. also: more
    (document, variant) to build in the same pass (one LibreOffice pass for all), in the cache only."""
    from .build_pdf import source_date_epoch

    formats = [f for f in FORMATS if f in formats]
    timestamp = source_date_epoch()  # an invalid value is reported before any work
    for module in ("docx", "docx_layout", "docx_post", "pdf"):  # imported once here, not in every worker
        importlib.import_module(f"ctg.writers.{module}")
    store = _store(project)
    keys = output_keys(project)
    result = Produced()
    tasks = []
    for ident, doc in docs.items():
        wanted = {}
        for fmt in formats:
            key = keys.key(doc, fmt, variant)
            result.files[output_path(project.dist, ident, doc.parent, fmt)] = store.path(key, fmt)
            if not _cached(store, key, fmt):
                wanted[fmt] = key
            else:
                result.reused += 1
                progress.step(f"{fmt.upper()} : {ident} — inchangé, réutilisé (cache)")
        if wanted:
            tasks.append(_Task(ident, doc, wanted))
    for doc, extra_variant in also:
        wanted = {fmt: keys.key(doc, fmt, extra_variant) for fmt in formats}
        wanted = {fmt: key for fmt, key in wanted.items() if not _cached(store, key, fmt)}
        if wanted:
            tasks.append(_Task(doc.id + (f" ({extra_variant})" if extra_variant else ""), doc, wanted))
    if not tasks:
        return result
    jobs = OPTIONS.jobs
    to_layout = []
    for task, done in zip(tasks, ordered_map(_Worker(project, store), tasks, jobs)):
        progress.step(f"DOCX : {task.ident}")
        to_layout.append((task, done.bookmarks))
    layouts = _layouts(store, progress, to_layout, jobs)
    for _ in ordered_map(_Finisher(store, timestamp), [(t, lay) for (t, _), lay in zip(to_layout, layouts)], jobs):
        pass
    result.built = sum(len(t.keys) for t in tasks)
    for task in tasks:
        for fmt, key in task.keys.items():
            store.fresh.update({(key, fmt), (key, "pages.json")})
    return result


def _cached(store: cache.Store, key: str, fmt: str) -> bool:
    """The output and the layout it came from (which a dossier may cite) are both in the cache."""
    return store.has(key, fmt) and store.has(key, "pages.json")


def output_keys(project: Project) -> cache.OutputKeys:
    return cache.OutputKeys(project.templates, _resources(project))


def cached_entry(project: Project, key: str, fmt: str) -> Path | None:
    """The cache entry of an output built elsewhere than produce() (a délibération's dossier), if any."""
    store = _store(project)
    return store.path(key, fmt) if store.has(key, fmt) else None


def keep_entry(project: Project, key: str, fmt: str, data: bytes) -> Path:
    store = _store(project)
    store.put(key, fmt, data)
    store.fresh.add((key, fmt))
    return store.path(key, fmt)


def layout_of(project: Project, doc: AssembledDocument, progress: Progress) -> dict:
    """{"pages": {bookmark: page}, "total": n}: the layout of the document's own DOCX and PDF (built
    if it is not in the cache). A dossier cites the page counts of the documents it reproduces."""
    store = _store(project)
    key = output_keys(project).key(doc, "pdf")
    if not _cached(store, key, "pdf"):
        produce(project, {doc.id: doc}, ["pdf"], progress)
    return json.loads(store.path(key, "pages.json").read_text(encoding="utf-8"))


def cached_page_counts(project: Project, docs: dict[str, AssembledDocument]) -> dict[str, tuple[int, int]]:
    """{id: (pages up to the last signature, total pages)} of the documents whose current text a build
    has laid out (its PDF or DOCX in the cache); nothing is built: « check » starts no LibreOffice."""
    return page_counts_at(layout_paths(project, docs))


def layout_paths(project: Project, docs: dict[str, AssembledDocument]) -> dict[str, list[Path]]:
    """{id: where a build caches the layout (pages.json) of its PDF, then of its DOCX}."""
    store = cache.Store(project.root)
    keys = output_keys(project)
    return {ident: [store.path(keys.key(doc, fmt), "pages.json") for fmt in ("pdf", "docx")]
            for ident, doc in docs.items()}


def page_counts_at(paths: dict[str, list[Path]]) -> dict[str, tuple[int, int]]:
    from ..writers.docx_layout import END_BOOKMARK

    counts = {}
    for ident, candidates in paths.items():
        for path in candidates:
            try:
                layout = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if isinstance(layout.get("total"), int) and isinstance(layout.get("pages", {}).get(END_BOOKMARK), int):
                counts[ident] = (layout["pages"][END_BOOKMARK], layout["total"])
                break
    return counts


# ------------------------------------------------------------------ the former entry points


def build_docx(project: Project, docs: dict[str, AssembledDocument], asts: dict[str, dict] | None,
               progress: Progress) -> dict[Path, bytes]:
    """{dist path: DOCX bytes} (asts unused: the cache and the pandoc memo parse each text once)."""
    return {p: entry.read_bytes() for p, entry in produce(project, docs, ["docx"], progress).files.items()}


MANIFEST = "MANIFEST.sha256"


def write_manifest(dist: Path) -> None:
    """dist/MANIFEST.sha256, in « sha256sum » format, so anyone can check a downloaded file."""
    lines = []
    for path in sorted(p for p in dist.rglob("*") if p.is_file() and p.name != MANIFEST and not p.name.startswith(".")):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        lines.append(f"{digest}  {path.relative_to(dist).as_posix()}\n")
    write_if_changed(dist / MANIFEST, "".join(lines).encode("utf-8"))


def write_if_changed(path: Path, data: bytes) -> bool:
    """Atomic write, skipped when the file already holds these bytes (its date then stays)."""
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except OSError:
        pass
    write_atomic(path, data)
    return True


def write_outputs(produced: Produced) -> int:
    written = 0
    for path, entry in sorted(produced.files.items()):
        written += write_if_changed(path, entry.read_bytes())
    return written
