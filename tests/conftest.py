"""Shared fixtures: throwaway projects built from tests/fixture_corpus.py, and a runner
that calls the real command line in a subprocess (exit code, stdout, stderr)."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from fixture_corpus import ROOT, write_project


@dataclass
class Result:
    code: int
    out: str
    err: str


def run_build(root: Path, *args: str, timeout: int = 600) -> Result:
    proc = subprocess.run([sys.executable, str(ROOT / "build.py"), "--racine", str(root), *args],
                          capture_output=True, text=True, timeout=timeout)
    return Result(proc.returncode, proc.stdout, proc.stderr)


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
