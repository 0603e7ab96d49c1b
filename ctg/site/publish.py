"""« python build.py site » and « python build.py serve »: the published site.

build_site makes sure the DOCX and PDF of every published document exist in
dist/ (rebuilding those older than their sources), hands the assembled
documents to the mkdocs hooks (ctg/site/plugin.py) and runs mkdocs in strict
mode into a temporary folder that replaces site/ only when the build succeeded.

Public site (default): no document in « projet » status, no annex marked
« diffusion : interne » (their downloads are rebuilt without those annexes).
Internal site: CTG_SITE_INTERNE=1 (or interne=True), written to site-interne/.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import shutil
import sys
import tempfile
from pathlib import Path

from ..core.document import AssembledDocument
from ..core.outputs import output_path, test_pause, test_stop
from ..core.progress import Progress, say
from ..core.project import Project
from ..sources.corpus import Corpus
from .content import has_internal_annexes, public_variant
from . import unchanged_pages
from .model import published_documents
from .page_cache import FOLDER as PAGES_FOLDER
from .plugin import ENV_INTERNAL, Prepared, commit_pages, prepare
from .status import reference_date
from .versions import consolidated_versions

CODE_ROOT = Path(__file__).resolve().parents[2]
NO_GUIDE = Path(".cache") / "sans-guide"  # the docs folder of a project without a guide


def wants_internal() -> bool:
    return os.environ.get(ENV_INTERNAL, "").lower() in ("1", "oui", "true")


def site_dir(project: Project, public: bool) -> Path:
    return project.output_root / ("site" if public else "site-interne")


def build_site(project: Project, corpus: Corpus, docs: dict[str, AssembledDocument], serve: bool,
               progress: Progress, interne: bool | None = None) -> int:
    public = not (wants_internal() if interne is None else interne)
    os.environ[ENV_INTERNAL] = "0" if public else "1"  # the hooks of a serve rebuild read it
    published = published_documents(docs, public)
    downloads: dict = {}
    if not serve:
        downloads = ensure_downloads(project, published, public, progress)
        downloads |= version_downloads(project, corpus, published, public, progress)  # consolidated versions
        downloads |= deliberation_downloads(project, corpus, docs, published, progress)
    from ..build.build_outputs import OPTIONS

    prepare(Prepared(corpus, docs, downloads, public, reuse_pages=not OPTIONS.force,
                     jobs=OPTIONS.jobs))
    config_file = project.root / "mkdocs.yml"
    if not config_file.is_file():
        config_file = CODE_ROOT / "mkdocs.yml"
    _setup_logging()
    docs_dir = _docs_dir(project)
    with _env("CTG_RACINE", str(project.root)), \
            _env("SOURCE_DATE_EPOCH", os.environ.get("SOURCE_DATE_EPOCH") or _epoch(reference_date())):
        if serve:
            return _serve(project, config_file, docs_dir)
        return _build(project, config_file, docs_dir, public, progress, reuse=not OPTIONS.force)


def state_file(project: Project, public: bool) -> Path:
    """What the last « build.py site » published, for the next one (unchanged_pages.py)."""
    return project.root / PAGES_FOLDER / f"{'public' if public else 'interne'}.publie.json"


def _build(project: Project, config_file: Path, docs_dir: Path, public: bool, progress: Progress,
           reuse: bool) -> int:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    target = site_dir(project, public)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    progress.step(f"Site : construction par mkdocs ({'public' if public else 'interne'})")
    state = state_file(project, public)
    if reuse:  # pages unchanged since the published site are kept from it (linked), not rendered
        unchanged_pages.quiet_dirty_warning()
        unchanged_pages.start_build(state, project.root / target.name)
    try:
        config = load_config(str(config_file), docs_dir=str(docs_dir), site_dir=str(tmp), strict=True)
        config.plugins.on_startup(command="build", dirty=reuse)
        try:
            build(config, dirty=reuse)
            test_stop("pendant-site")  # for the tests: a kill, or Ctrl-C, while the site is being written
            test_pause("pendant-site")
        finally:
            config.plugins.on_shutdown()
        counts = commit_pages()
        kept = unchanged_pages.finish_build(state, tmp) if reuse else None
    except MkDocsException as exc:
        unchanged_pages.forget()
        shutil.rmtree(tmp, ignore_errors=True)
        say(f"build.py : erreur : le site n'a pas été construit ({_french(exc)}) ; "
            f"{target.name}/ est inchangé.", sys.stderr)
        return 1
    except BaseException:
        unchanged_pages.forget()
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _swap(tmp, target)
    detail = ""
    if counts:
        rendered, reused = counts
        detail = (f" ({rendered} page{'s' if rendered > 1 else ''} rendue{'s' if rendered > 1 else ''}, "
                  f"{reused} reprise{'s' if reused > 1 else ''} du cache")
        if kept is not None:
            detail += f", {kept} inchangée{'s' if kept > 1 else ''}"
        detail += ")"
    progress.done(f"Site {'public' if public else 'interne'} écrit dans {target.name}/{detail}.")
    return 0


def _french(exc: Exception) -> str:
    text = str(exc).strip()
    if text.startswith("Aborted with") and "strict mode" in text:
        return "avertissements en mode strict, voir ci-dessus"
    return text


def _swap(new: Path, target: Path) -> None:
    """Replace target by new: rename the old folder aside, move the new one in, then delete the old."""
    os.chmod(new, 0o755)
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.ancien")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(target, old)
    os.replace(new, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _serve(project: Project, config_file: Path, docs_dir: Path) -> int:
    from ..build.dependency_index import keep_entries_in_memory
    from .preview_server import serve
    from .unchanged_pages import quiet_dirty_warning

    address = os.environ.get("CTG_SERVE_ADRESSE", "127.0.0.1:8000")
    say(f"Prévisualisation sur http://{address}/\u00a0: enregistrez une source sous conventions/ et la page "
        "se met à jour (Ctrl+C pour arrêter).", sys.stderr)
    quiet_dirty_warning()
    keep_entries_in_memory()  # a save reads again only the convention folders it changed
    serve(project.root, config_file, docs_dir, address, [project.conventions, project.templates])
    return 0


def _setup_logging() -> None:
    logger = logging.getLogger("mkdocs")
    if not any(getattr(h, "_ctg", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)-7s - %(message)s"))
        handler.setLevel(logging.INFO if os.environ.get("CTG_VERBEUX") else logging.WARNING)
        handler._ctg = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)


def _docs_dir(project: Project) -> Path:
    """The authoring guide (docs/); when the project has none, an empty folder in its cache (not one
    in /tmp, which a killed build would leave behind)."""
    docs = project.root / "docs"
    if not docs.is_dir():
        docs = project.root / NO_GUIDE
        docs.mkdir(parents=True, exist_ok=True)
    return docs


@contextlib.contextmanager
def _env(name: str, value: str):
    old = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = old


def _epoch(day: dt.date) -> str:
    return str(int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc).timestamp()))


# ------------------------------------------------------------------ downloads


def pdf_builder():
    """ctg.build.build_pdf.build_pdf when the PDF writer is installed, else None (DOCX only)."""
    try:
        from ..build.build_pdf import build_pdf
    except ImportError:
        return None
    return build_pdf


def site_documents(corpus: Corpus, docs: dict[str, AssembledDocument],
                   interne: bool | None = None) -> list[tuple[AssembledDocument, str]]:
    """(document, cache variant) of the downloads only the site publishes: public variants without the
    internal annexes, consolidated versions. build_outputs.build produces them with the documents."""
    public = not (wants_internal() if interne is None else interne)
    published = published_documents(docs, public)
    out = [(public_variant(doc), "public") for doc in published.values() if public and has_internal_annexes(doc)]
    # called by build.py before any thread is started: the versions may be computed in forked processes
    return out + [(doc, "") for doc in consolidated_versions(corpus, published, public, processes=True).values()]


def deliberation_downloads(project: Project, corpus: Corpus, docs: dict[str, AssembledDocument],
                           published: dict[str, AssembledDocument], progress: Progress) -> dict[str, dict]:
    """{délibération id: {ext: cache entry}}: the DOCX and PDF of each délibération's text that the site
    publishes (those whose approved documents are all published), from the content-hash cache."""
    from ..build.build_outputs import produce
    from .deliberations import published_texts

    texts = published_texts(corpus, docs, set(published))
    if not texts:
        return {}
    exts = ["docx", "pdf"] if pdf_builder() is not None else ["docx"]
    progress.step(f"Site : DOCX et PDF des délibérations ({len(texts)})")
    found = produce(project, {i: t.deliberation for i, t in texts.items()}, exts, progress).files
    out: dict[str, dict] = {}
    for ident, t in texts.items():
        for ext in exts:
            path = output_path(project.dist, ident, t.deliberation.parent, ext)
            if path in found:
                out.setdefault(ident, {})[ext] = found[path]
    return out


def ensure_downloads(project: Project, docs: dict[str, AssembledDocument], public: bool,
                     progress: Progress) -> dict[str, dict[str, Path | bytes]]:
    """{doc id: {ext: file}} for every published document.

    The outputs come from the content-hash cache (build_outputs.produce): built only when
    missing, and written to dist/ when they differ from what is there. On the public site, a
    document with internal annexes gets a public variant without them, published with the
    site only (its file is the cache entry).
    """
    from ..build.build_outputs import produce, write_outputs

    exts = ["docx"]
    if pdf_builder() is not None:
        exts.append("pdf")
    else:
        progress.step("PDF : le module ctg.build.build_pdf est absent, le site ne propose que les DOCX")
    variants: dict[str, AssembledDocument] = {}
    full: dict[str, AssembledDocument] = {}
    for ident, doc in docs.items():
        if public and has_internal_annexes(doc):
            variants[ident] = public_variant(doc)
        else:
            full[ident] = doc
    out: dict[str, dict[str, Path | bytes]] = {}
    produced = produce(project, full, exts, progress)
    write_outputs(produced)
    if variants:
        progress.step(f"Site : DOCX et PDF publics sans les annexes internes pour {', '.join(variants)}")
    public_files = produce(project, variants, exts, progress, variant="public").files
    for group, files in ((full, {p: p for p in produced.files}), (variants, public_files)):
        for ident, doc in group.items():
            for ext in exts:
                path = output_path(project.dist, ident, doc.parent, ext)
                if path in files:
                    out.setdefault(ident, {})[ext] = files[path]
    return out


def version_downloads(project, corpus: Corpus, published: dict[str, AssembledDocument], public: bool,
                      progress) -> dict[str, dict]:
    """{version id: {ext: cache entry}}: the DOCX and PDF of every consolidated version the site shows,
    from the content-hash cache (built when missing, as any download)."""
    from ..build.build_outputs import produce
    from ..core.outputs import output_path
    from .publish import pdf_builder

    docs = consolidated_versions(corpus, published, public)
    if not docs:
        return {}
    exts = ["docx", "pdf"] if pdf_builder() is not None else ["docx"]
    progress.step(f"Site : DOCX et PDF des versions consolidées ({len(docs)} version{'s' if len(docs) > 1 else ''})")
    files = produce(project, docs, exts, progress).files
    paths = {(ident, ext): output_path(project.dist, ident, doc.parent, ext) for ident, doc in docs.items()
             for ext in exts}
    return {ident: {ext: files[paths[ident, ext]] for ext in exts if paths[ident, ext] in files} for ident in docs}
