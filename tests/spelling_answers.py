"""The spelling answers that the suite's runs share (a test harness speed-up, not a product feature).

Every throwaway project starts without .cache/, so each « check » or build of one loaded Hunspell's
French dictionary again (spylls, pure Python: about 2.5 s of CPU), a few hundred times in a run.
The dictionary's answers depend only on the dictionary files and spylls' version, which the
product's own cache file records (ctg/checks/prose/spelling.py, key « cle »): each new project is
given the answers the earlier runs of this test session found (seed), and each run's answers are
added to them (merge). A run still looks up, with the real dictionary, every word no earlier run
asked about; the answers are those the dictionary gives, so no test sees anything else."""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path

from ctg.checks.prose.spelling import CACHE  # the product's own cache file of the answers


#: the session's file, set by conftest.shared_spelling_answers (in the folder common to the xdist
#: workers, which pytest removes with its old temporary folders); None: nothing shared
SHARED: Path | None = None


def _read(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("mots"), dict) else None


def seed(root: Path) -> None:
    """Give a new project the answers of the session's earlier runs."""
    shared = _read(SHARED) if SHARED else None
    target = root / CACHE
    if shared is None or target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(shared, ensure_ascii=False), encoding="utf-8")


def merge(root: Path) -> None:
    """Add a project's answers, after a run, to the session's (same dictionary key only)."""
    mine = _read(root / CACHE) if SHARED else None
    if mine is None:
        return
    shared_path = SHARED
    with open(shared_path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        shared = _read(shared_path)
        if shared is not None and shared.get("cle") != mine.get("cle"):
            return
        words = dict(shared["mots"]) if shared else {}
        if shared is not None and mine["mots"].keys() <= words.keys():
            return
        words.update(mine["mots"])
        tmp = shared_path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"cle": mine.get("cle"), "mots": words}, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, shared_path)
