"""Build the outputs of assembled documents: first produce every file (into the content-hash
cache, ctg/cache.py), then write them all to dist/ atomically. A failure leaves dist/ as it was.

Documents build in parallel processes (-j N), in three phases:
1. per document: parse the assembled Markdown once (pandoc JSON AST), write the raw DOCX and
   the PDF;
2. LibreOffice lays the raw DOCX out for their page numbers, in N batches (one soffice each);
3. per document: fill the page numbers into the DOCX.
An output whose key (cache.py) is already in the cache is reused and none of this runs for it.
Progress and errors are reported in the order of the documents, whatever the order of work.
"""

from __future__ import annotations

import atexit
import hashlib
import importlib
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from . import cache
from ..core import pandoc
from ..core.document import AssembledDocument
from ..core.diagnostics import Diagnostic, UserError
from ..core.outputs import output_path, write_atomic
from ..core.parallel import deal, default_jobs, ordered_map, thread_map, undeal
from ..core.project import Project
from ..core.progress import Progress

FORMATS = ("docx", "pdf")
LIBREOFFICE_BATCH = 200  # documents laid out by one soffice at most (its start costs about 2 s)


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


@dataclass
class _Done:
    ident: str
    bookmarks: list[str] = field(default_factory=list)  # DOCX: bookmarks whose page LibreOffice must find
    error: str | None = None


class _Worker:
    """Picklable closure over the project (forked workers get it for free)."""

    def __init__(self, project: Project, store: cache.Store):
        self.project, self.store = project, store

    def __call__(self, task: _Task) -> _Done:
        ast = pandoc.to_ast(task.doc.markdown)
        done = _Done(task.ident)
        if "docx" in task.keys:
            from ..writers.docx import write_docx
            from ..writers.docx_layout import END_BOOKMARK
            from ..writers.docx_post import pageref_targets

            raw = write_docx(task.doc, ast, self.project.templates / "reference.docx", self.project.conventions)
            self.store.put(task.keys["docx"], "brut.docx", raw)
            done.bookmarks = [END_BOOKMARK, *pageref_targets(raw)]
        if "pdf" in task.keys:
            from .build_pdf import pdf_options
            from ..writers.pdf import LayoutError, write_pdf

            try:
                self.store.put(task.keys["pdf"], "pdf", write_pdf(task.doc, ast, pdf_options(self.project)))
            except LayoutError as exc:
                done.error = str(exc)
        return done


class _Filler:
    def __init__(self, store: cache.Store):
        self.store = store

    def __call__(self, item: tuple[str, AssembledDocument, dict]) -> None:
        from ..writers.docx import fill_pages

        key, doc, layout = item
        self.store.put(key, "docx", fill_pages(self.store.path(key, "brut.docx").read_bytes(), layout, doc.date))
        self.store.path(key, "brut.docx").unlink(missing_ok=True)


class _Layout:
    def __init__(self, store: cache.Store):
        self.store = store

    def __call__(self, batch: list[tuple[str, list[str]]]) -> list[dict]:
        from ..writers.libreoffice import bookmark_pages

        return bookmark_pages([(self.store.path(key, "brut.docx").read_bytes(), marks) for key, marks in batch])


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
    formats = [f for f in FORMATS if f in formats]
    if "pdf" in formats:
        from .build_pdf import pdf_options

        pdf_options(project)  # a missing Typst template is reported before any work
    if "docx" in formats:
        for module in ("docx", "docx_layout", "docx_post"):  # imported once here, not in every worker
            importlib.import_module(f"ctg.writers.{module}")
    store = _store(project)
    keys = cache.OutputKeys(project.templates, _resources(project))
    result = Produced()
    tasks = []
    for ident, doc in docs.items():
        wanted = {}
        for fmt in formats:
            key = keys.key(doc, fmt, variant)
            result.files[output_path(project.dist, ident, doc.parent, fmt)] = store.path(key, fmt)
            if not store.has(key, fmt):
                wanted[fmt] = key
            else:
                result.reused += 1
                progress.step(f"{fmt.upper()} : {ident} — inchangé, réutilisé (cache)")
        if wanted:
            tasks.append(_Task(ident, doc, wanted))
    for doc, extra_variant in also:
        wanted = {fmt: keys.key(doc, fmt, extra_variant) for fmt in formats}
        wanted = {fmt: key for fmt, key in wanted.items() if not store.has(key, fmt)}
        if wanted:
            tasks.append(_Task(doc.id + (f" ({extra_variant})" if extra_variant else ""), doc, wanted))
    if not tasks:
        return result
    jobs = OPTIONS.jobs
    problems, to_layout = [], []
    for task, done in zip(tasks, ordered_map(_Worker(project, store), tasks, jobs)):
        progress.step(f"{' et '.join(f.upper() for f in task.keys)} : {task.ident}")
        if done.error:
            where = task.doc.sources[0] if task.doc.sources else task.ident
            problems.append(Diagnostic(where, 0, "mise-en-page-pdf", f"PDF de « {task.ident} » : {done.error}"))
        if "docx" in task.keys:
            to_layout.append((task, done.bookmarks))
    if problems:
        raise UserError(problems)
    if to_layout:
        # one batch per worker, and no batch so large that a national corpus waits on a single soffice
        n_batches = max(jobs, -(-len(to_layout) // LIBREOFFICE_BATCH))
        batches = deal([(t.keys["docx"], marks) for t, marks in to_layout], n_batches)
        progress.step(f"Mise en page par LibreOffice ({len(to_layout)} documents, {len(batches)} "
                      f"lot{'s' if len(batches) > 1 else ''}) pour les numéros de page")
        layouts = undeal(thread_map(_Layout(store), batches, jobs))
        items = [(t.keys["docx"], t.doc, lay) for (t, _), lay in zip(to_layout, layouts)]
        for _ in ordered_map(_Filler(store), items, jobs):
            pass
    result.built = sum(len(t.keys) for t in tasks)
    for task in tasks:
        for fmt, key in task.keys.items():
            store.fresh.add((key, fmt))
    return result


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
