"""Issue #21: a fault of the environment is one French line and a non-zero exit, never a traceback;
a build replaces dist/ and site/ as a whole or not at all, whatever stops it (a failure, a kill at
any phase, Ctrl-C)."""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import run_build
from fixture_corpus import CONV, ROOT, write_project
from test_validation import AVENANT, CONVENTION

DRAFT = {AVENANT: None}  # a convention in « projet » status, without avenant: its text may change


def tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def outputs(root: Path) -> dict[str, dict[str, str]]:
    return {name: tree(root / name) for name in ("dist", "site")}


def draft_project(make_project) -> Path:
    root = make_project(DRAFT, fingerprints=False)
    conv = root / CONVENTION
    conv.write_text(conv.read_text(encoding="utf-8").replace("statut: signée", "statut: projet"), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def built_draft(tmp_path_factory) -> Path:
    """A draft project built in full (dist/, site/, .cache/), once for the tests of this module."""
    root = draft_project(lambda files, fingerprints: write_project(tmp_path_factory.mktemp("brouillon") / "p", files,
                                                                   fingerprints=fingerprints))
    result = run_build(root)
    assert result.code == 0, result.err
    return root


@pytest.fixture
def built(built_draft, tmp_path) -> Path:
    """A copy of built_draft, outputs and caches included, that the test may change."""
    return Path(shutil.copytree(built_draft, tmp_path / "copie", symlinks=True))


def change_text(root: Path) -> None:
    conv = root / CONVENTION
    conv.write_text(conv.read_text(encoding="utf-8").replace("Développer l'offre d'accueil",
                                                             "Développer et diversifier l'offre d'accueil"),
                    encoding="utf-8")


def one_line_error(result, *fragments: str) -> str:
    assert result.code != 0, result.err
    assert "Traceback" not in result.err
    plain = result.err.replace("\u00a0", " ").replace("\u202f", " ")  # French typography aside
    lines = [line for line in plain.splitlines() if line.startswith("build.py : erreur")]
    assert len(lines) == 1, result.err
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def no_leftovers(root: Path) -> None:
    assert not list(root.glob(".sorties.*")), list(root.glob(".sorties.*"))
    assert not list(root.glob(".site.*")) and not list(root.glob(".site-interne.*"))


# ------------------------------------------------------------------ 5. the environment


def test_dist_replaced_by_a_file(make_project):
    root = make_project()
    (root / "dist").write_text("pas un dossier\n", encoding="utf-8")
    one_line_error(run_build(root, "docx"), "dist n'est pas un dossier")
    assert (root / "dist").read_text(encoding="utf-8") == "pas un dossier\n"
    no_leftovers(root)


def test_output_folder_replaced_by_a_file_changes_nothing(make_project):
    root = draft_project(make_project)
    assert run_build(root, "docx").code == 0
    before = tree(root / "dist")
    folder = root / "dist" / CONV.split("/")[1]
    for p in folder.iterdir():
        p.unlink()
    folder.rmdir()
    folder.write_text("un fichier à la place du dossier\n", encoding="utf-8")
    before = tree(root / "dist")
    change_text(root)
    one_line_error(run_build(root, "docx"), "un fichier est à la place d'un dossier")
    assert tree(root / "dist") == before
    no_leftovers(root)


def test_source_that_cannot_be_read(make_project):
    root = make_project(fingerprints=False)
    (root / CONV / "fiches/illisible.yaml").mkdir()  # root reads any file: a folder cannot be read as one
    result = run_build(root, "check")
    assert result.code == 1 and "Traceback" not in result.err
    assert f"{CONV}/fiches/illisible.yaml\u00a0: erreur\u00a0: impossible de lire le fichier (c'est un dossier)" \
        in result.err


def test_libreoffice_missing(make_project, tmp_path):
    root = make_project()
    env = dict(os.environ, PATH=str(tmp_path / "vide"))
    proc = subprocess.run([sys.executable, str(ROOT / "build.py"), "--racine", str(root), "docx"],
                          capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    errors = [line for line in proc.stderr.replace("\u00a0", " ").splitlines() if line.startswith("build.py : erreur")]
    assert len(errors) == 1 and "LibreOffice" in errors[0], proc.stderr
    assert not (root / "dist").exists()


@pytest.mark.parametrize("value", ["abc", "0", "-3"])
def test_jobs_must_be_a_number(make_project, value):
    root = make_project()
    result = run_build(root, "docx", "-j", value)
    assert result.code == 2 and "Traceback" not in result.err
    assert "build.py : erreur : argument -j/--jobs : " in result.err.replace("\u00a0", " ")
    assert "invalid" not in result.err


def test_second_build_in_the_same_checkout_is_refused(make_project):
    root = make_project()
    (root / ".cache").mkdir(exist_ok=True)
    with open(root / ".cache/verrou", "w") as held:  # a build is running: it holds the lock
        fcntl.flock(held, fcntl.LOCK_EX)
        one_line_error(run_build(root, "docx"), "une autre construction est en cours dans ce dossier")
        assert run_build(root, "check").code == 0  # checking writes nothing: it does not wait
    assert not (root / "dist").exists()
    assert run_build(root, "docx").code == 0


def test_cache_folder_replaced_by_a_file(make_project):
    root = make_project()
    shutil.rmtree(root / ".cache", ignore_errors=True)  # (the test harness may have put answers there)
    (root / ".cache").write_text("", encoding="utf-8")
    one_line_error(run_build(root, "docx"), "impossible de créer le verrou")


# ------------------------------------------------------------------ 6. whole or not at all


def test_site_failure_leaves_dist_as_it_was(built):
    root = built
    before = outputs(root)
    change_text(root)
    # the site fails after the documents are made: a site configuration that mkdocs refuses (its
    # custom_dir is missing beside it); the guide, on the internal site only, cannot break it
    (root / "mkdocs.yml").write_text((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), encoding="utf-8")
    result = run_build(root)
    assert result.code == 1 and "Traceback" not in result.err
    assert outputs(root) == before
    no_leftovers(root)


@pytest.mark.parametrize("phase", ["apres-production", "pendant-site", "avant-bascule", "pendant-bascule"])
def test_killed_build_leaves_dist_and_site_as_they_were(built, phase, tmp_path):
    root = built
    before = outputs(root)
    change_text(root)
    private = tmp_path / "tmp"  # the build's temporary folder, where its LibreOffice has its own
    private.mkdir()
    proc = subprocess.run([sys.executable, str(ROOT / "build.py"), "--racine", str(root)],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=900,
                          env=dict(os.environ, CTG_TEST_ARRET=phase, TMPDIR=str(private)))
    assert proc.returncode == -signal.SIGKILL
    # nothing of the build stays in /tmp: the LibreOffice kept by the killed build quits and its
    # folder goes (its driver sees the end of its input), and the site has no folder there; generous
    # wait: a busy machine
    deadline = time.monotonic() + 60
    while list(private.glob("ctg-*")) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert list(private.glob("ctg-*")) == []
    assert run_build(root, "check").code == 0  # any next command puts back a switch cut short
    assert outputs(root) == before
    no_leftovers(root)
    assert run_build(root).code == 0
    no_leftovers(root)
    after = outputs(root)
    assert after["dist"] != before["dist"]  # (a draft is not on the public site)


# ------------------------------------------------------------------ 12. Ctrl-C


@pytest.mark.parametrize("phase", ["mise-en-page", "pendant-site"])
def test_ctrl_c_stops_within_seconds_and_changes_nothing(built, tmp_path, phase):
    root = built
    before = outputs(root)
    change_text(root)
    marker = tmp_path / "pause"
    env = dict(os.environ, CTG_TEST_PAUSE=phase, CTG_TEST_PAUSE_FICHIER=str(marker))
    proc = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "--racine", str(root), "--force"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    try:
        deadline = time.monotonic() + 600
        while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert marker.exists(), proc.stderr.read() if proc.poll() is not None else "no pause"
        proc.send_signal(signal.SIGINT)
        err = proc.communicate(timeout=60)[1]  # generous: it stops within a few seconds
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert "Interrompu" in err and "Traceback" not in err
    assert outputs(root) == before
    no_leftovers(root)
