"""Atomic and reproducible builds, and the manifest of published files."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from conftest import run_build
from fixture_corpus import ROOT


def tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_two_builds_in_different_folders_are_identical(make_project):
    first, second = make_project(), make_project()  # no SOURCE_DATE_EPOCH: dates come from the sources
    assert run_build(first, timeout=900).code == 0
    time.sleep(1.1)  # a clock-dependent timestamp would now differ
    assert run_build(second, timeout=900).code == 0
    for folder in ("dist", "site"):
        a, b = tree(first / folder), tree(second / folder)
        assert a and a.keys() == b.keys()
        different = [name for name in a if a[name] != b[name]]
        assert not different, different


def test_manifest_lists_every_output_with_its_hash(make_project):
    root = make_project()
    assert run_build(root, timeout=900).code == 0
    manifest = (root / "dist/MANIFEST.sha256").read_text(encoding="utf-8").splitlines()
    listed = {line.split("  ", 1)[1]: line.split("  ", 1)[0] for line in manifest}
    outputs = {k: v for k, v in tree(root / "dist").items() if k != "MANIFEST.sha256"}
    assert listed == outputs
    assert len(listed) == 4  # DOCX and PDF of the convention and of its avenant
    check = subprocess.run(["sha256sum", "-c", "MANIFEST.sha256"], cwd=root / "dist", capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    published = root / "site/telechargements/MANIFEST.sha256"
    assert published.is_file()


def test_killed_build_leaves_previous_outputs_intact(make_project):
    root = make_project()
    assert run_build(root, "docx").code == 0
    before = tree(root / "dist")
    # Change the text, start a new build and kill it while it works.
    conv = next((root / "conventions").glob("ctg-test-*/convention.md"))
    conv.write_text(conv.read_text(encoding="utf-8").replace("statut: signée", "statut: projet"), encoding="utf-8")
    (conv.parent / "avenants/2023-001.md").unlink()
    (conv.parent / "empreintes.yaml").unlink()  # a recorded text stays frozen whatever its status (#21)
    # Killed once every output is made and before any is written (a test hook, not a timer: the
    # suite runs on busy machines).
    proc = subprocess.run([sys.executable, str(ROOT / "build.py"), "--racine", str(root), "docx"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                          env=dict(os.environ, CTG_TEST_ARRET="apres-production"))
    assert proc.returncode == -signal.SIGKILL
    after = tree(root / "dist")
    finals = {k: v for k, v in after.items() if not Path(k).name.startswith(".")}
    assert finals == before
    for name in finals:
        with zipfile.ZipFile(root / "dist" / name) as z:
            assert z.testzip() is None
    result = run_build(root, "docx")
    assert result.code == 0, result.err
    rebuilt = tree(root / "dist")
    assert not [k for k in rebuilt if Path(k).name.startswith(".")]  # leftovers of the killed run are gone
    assert rebuilt["ctg-test-2022-2026/ctg-test-2022-2026.docx"] != before["ctg-test-2022-2026/ctg-test-2022-2026.docx"]
