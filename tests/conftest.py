"""Shared fixtures: throwaway projects built from tests/fixture_corpus.py, and a runner
that calls the real command line in a subprocess (exit code, stdout, stderr)."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import spelling_answers
from fixture_corpus import ROOT, write_project


# The test files that take longest (seconds of one worker, measured with --durations=0 on the
# 2-core machine), run first: pytest-xdist hands whole files to its workers in this order
# (« --dist loadfile --no-loadscope-reorder », pyproject.toml), and the workers end together
# when the last files handed out are short ones. A file not listed keeps its place after them.
LONGEST_FIRST = (
    "test_site_browser.py",  # 280 s, with the build of the bundled corpus (corpus_project, 135 s)
    "test_incremental.py",  # 215 s
    "test_dependency_index.py",  # 185 s
    "test_hostile.py",  # 105 s
    "test_environment.py",  # 105 s
    "test_validation.py",  # 100 s
    "test_one_layout.py",  # 80 s (reads corpus_project)
    "test_preview_update.py",  # 60 s
    "test_site.py",  # 55 s
    "test_docx.py",  # 50 s
    "test_deliberations.py",  # 50 s
    "test_renewals.py",  # 50 s
    "test_reliability.py",  # 50 s
    "test_avenants.py",  # 45 s
    "test_prose_sources.py",  # 45 s
)


def pytest_xdist_auto_num_workers(config):
    """« -n auto »: one worker more than the machine has cores. The tests spend much of their time
    waiting on the programs they run (LibreOffice, Chromium, build.py): with one worker per core,
    the two cores of the development machine were not kept busy; with three workers they are
    (measured: 767 s → 588 s for the whole suite, 174 % CPU)."""
    from ctg.core.parallel import default_jobs

    return default_jobs() + 1


def pytest_collection_modifyitems(items):
    rank = {name: n for n, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: the others keep their order


@dataclass
class Result:
    code: int
    out: str
    err: str


def run_build(root: Path, *args: str, timeout: int = 600) -> Result:
    proc = subprocess.run([sys.executable, str(ROOT / "build.py"), "--racine", str(root), *args],
                          capture_output=True, text=True, timeout=timeout)
    spelling_answers.merge(Path(root))  # for the next projects of the session (tests/spelling_answers.py)
    return Result(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture(scope="session", autouse=True)
def shared_spelling_answers(tmp_path_factory):
    """The dictionary's answers shared by the session's projects (tests/spelling_answers.py)."""
    import os

    base = tmp_path_factory.getbasetemp()
    spelling_answers.SHARED = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "orthographe.json"
    yield
    spelling_answers.SHARED = None


@pytest.fixture
def make_project(tmp_path):
    """make_project({path: content or None}) -> project root with the minimal corpus changed."""
    counter = {"n": 0}

    def make(files=None, base=None, fingerprints=True):
        counter["n"] += 1
        return write_project(tmp_path / f"p{counter['n']}", files, base, fingerprints)

    return make


@pytest.fixture(scope="session")
def built_fixture(tmp_path_factory):
    """The minimal corpus built once to DOCX (shared by read-only tests)."""
    root = write_project(tmp_path_factory.mktemp("built"))
    result = run_build(root, "docx")
    assert result.code == 0, result.err
    return root


# ------------------------------------------------------------------ the bundled corpus as a site

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SITE_DAY = "1735689600"  # 1er janvier 2025: the sites below describe that day


SITE_URL = "https://www.exemple.fr/ctg/"  # the public corpus site is published under a sub-path
SUB_PATH = "ctg/"


def build_corpus_site(root: Path, internal: bool = False) -> subprocess.CompletedProcess:
    import os

    env = dict(os.environ, SOURCE_DATE_EPOCH=SITE_DAY, CTG_SITE_URL=SITE_URL)
    env.pop("CTG_SITE_INTERNE", None)
    args = [sys.executable, str(ROOT / "build.py"), "--racine", str(root), "site"] + (["--interne"] if internal else [])
    return subprocess.run(args, capture_output=True, text=True, timeout=900, env=env)


BUNDLED_FORMS_OF = "ctg-cabbalr-2021-2025"  # the convention whose commune forms the bundled build also makes
BUNDLED_REDLINE = ("ctg-cc-pays-opale-2022-2026", "ctg-cc-pays-opale-2022-2026-avenant-2023-001")


@pytest.fixture(scope="session")
def corpus_project(tmp_path_factory) -> Path:
    """A copy of the bundled corpus (conventions/, templates/, docs/) built once for the whole run:
    in full (documents, dossiers, public site), then its internal site, the commune forms of one
    convention and one redline. The site tests and the one-layout tests read it, never write it.

    Under pytest-xdist, the workers share one build: the first to need it builds it in the folder
    common to the workers, under a lock; the others wait for it and read it."""
    import fcntl
    import os
    import shutil

    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    root, done = shared / "corpus-site", shared / "corpus-site.fait"
    with open(shared / "corpus-site.verrou", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(root, ignore_errors=True)  # a build that failed in another worker
            _build_bundled_corpus(root)
            done.write_text("ok", encoding="utf-8")
    return root


def _build_bundled_corpus(root: Path) -> None:
    import os
    import shutil

    for folder in ("conventions", "templates", "docs"):
        shutil.copytree(ROOT / folder, root / folder)
    env = dict(os.environ, SOURCE_DATE_EPOCH=SITE_DAY, CTG_SITE_URL=SITE_URL)
    env.pop("CTG_SITE_INTERNE", None)
    build = [sys.executable, str(ROOT / "build.py"), "--racine", str(root)]
    result = subprocess.run(build, capture_output=True, text=True, timeout=1800, env=env)
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    # the dossiers are said where they are once the build is switched in, not in its staging folder
    written = re.findall(r"Dossier de délibération écrit\s*:\s*(\S+)", result.stderr)
    assert written and all((root / path).is_file() for path in written), written
    result = build_corpus_site(root, internal=True)
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    for args in (["fiches", BUNDLED_FORMS_OF], ["redline", *BUNDLED_REDLINE]):
        result = subprocess.run(build + args, capture_output=True, text=True, timeout=900, env=env)
        assert result.returncode == 0, result.stderr


@pytest.fixture(scope="session")
def corpus_site(corpus_project) -> Path:
    return corpus_project / "site"


@pytest.fixture(scope="session")
def corpus_site_internal(corpus_project) -> Path:
    return corpus_project / "site-interne"


def serve_folder(folder: Path, prefix: str = ""):
    """(server, base url) serving folder under the URL path prefix (e.g. « ctg/ »: a site under a sub-path)."""
    import functools
    import http.server
    import threading

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *a, **k):
            pass

        def translate_path(self, path):
            if prefix and path.startswith("/" + prefix):
                path = "/" + path[len(prefix) + 1:]
            elif prefix:
                return str(folder / "__absent__")
            return super().translate_path(path)

        def send_error(self, code, message=None, explain=None):  # a web server's 404 page, as hosts do
            if code == 404 and (folder / "404.html").is_file():
                body = (folder / "404.html").read_bytes()
                self.send_response(404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            super().send_error(code, message, explain)

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(folder)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}/{prefix}"


@pytest.fixture(scope="session")
def corpus_server(corpus_site):
    """The public site as its host serves it: under a sub-path, with its 404 page for a missing page."""
    httpd, url = serve_folder(corpus_site, SUB_PATH)
    yield url
    httpd.shutdown()


@pytest.fixture(scope="session")
def chromium():
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (scripts/install.sh --tests)")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()

