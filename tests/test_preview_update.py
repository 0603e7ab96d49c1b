"""A save shown in place by the preview (ctg/site/preview_update.py) gives the site a full build of
the same sources gives: every file of the preview's folder, search index included.

The saves are those of an author at work: a sentence of a fiche, of an annex, of an avenant in
« projet » (the consolidated version it makes changes too), of a renewal (its neighbour, the convention it
replaces, shows it in its « Remplacée par »). Each must be shown without a full build (the log
says so), and a title changed must still take the full build (the lists and the menu show it).
"""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT
from test_serve import _fetch, _free_port, _wait_for, stop, wait_for_file

OPALE = "ctg-cc-pays-opale-2022-2026"
RENEWAL = "ctg-cc-pays-opale-2027-2031"
BOULONNAIS = "ctg-ca-boulonnais-2025-2029"
QUICK = "rendue(s) à nouveau"  # preview_update.py's line in the log (CTG_VERBEUX)


def _project(folder: Path) -> Path:
    folder.mkdir()
    for name in ("conventions", "templates", "docs"):
        shutil.copytree(ROOT / name, folder / name)
    return folder


def _serve(root: Path, port: int, log: Path) -> subprocess.Popen:
    env = dict(os.environ, CTG_SERVE_ADRESSE=f"127.0.0.1:{port}", CTG_VERBEUX="1")
    return subprocess.Popen([sys.executable, str(ROOT / "build.py"), "--racine", str(root), "serve", "--interne"],
                            env=env, stdout=subprocess.DEVNULL, stderr=log.open("w"))


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _append(path: Path, paragraph: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + f"\n\n{paragraph}\n", encoding="utf-8")


def _differences(a: Path, b: Path) -> list[str]:
    out = []
    for path in sorted(a.rglob("*")):
        rel = path.relative_to(a)
        other = b / rel
        if path.is_file() and not (other.is_file() and filecmp.cmp(path, other, shallow=False)):
            out.append(str(rel))
    out += [str(p.relative_to(b)) for p in b.rglob("*") if p.is_file() and not (a / p.relative_to(b)).exists()]
    return out


def test_saves_shown_in_place_give_the_site_of_a_full_build(tmp_path):
    root = _project(tmp_path / "projet")
    port = _free_port()
    base = f"http://127.0.0.1:{port}/"
    log = tmp_path / "apercu.log"
    proc = _serve(root, port, log)
    shown = tmp_path / "montre"
    try:
        _wait_for(base, "Conventions territoriales globales", proc)
        # (source, text replaced or None to add a paragraph, new text, page, what the page then shows)
        saves = [
            (f"{BOULONNAIS}/fiches/ad-premier-accueil.yaml", "manquent d'outils", "manquent encore d'outils",
             f"{BOULONNAIS}/fiches/ad-premier-accueil/", "manquent encore d"),
            (f"{BOULONNAIS}/annexes/diagnostic.md", None, "Un paragraphe ajouté au diagnostic pour l'essai.",
             f"{BOULONNAIS}/annexes/diagnostic/", "ajouté au diagnostic pour"),
            (f"{OPALE}/avenants/2024-001.md", "depuis 2024, à Licques ;", "depuis 2024, à Licques et à Alquines ;",
             f"{OPALE}/avenants/2024-001/", "à Licques et à Alquines"),
            (f"{RENEWAL}/convention.md", None, "Une phrase ajoutée au renouvellement pour l'essai.",
             f"{RENEWAL}/", "ajoutée au renouvellement pour"),
        ]
        for k, (source, old, new, page, text) in enumerate(saves, 1):
            path = root / "conventions" / source
            if old is None:
                _append(path, new)
            else:
                _edit(path, old, new)
            _wait_for(f"{base}conventions/{page}", text, proc)
            assert log.read_text(encoding="utf-8").count(QUICK) == k, f"save {k} took the full build"
        # the consolidated version the avenant makes shows its new text
        version = _fetch(f"{base}conventions/{OPALE}/versions/2024-09-01/")
        assert version is not None and "à Licques et à Alquines" in version
        # a new title is in the lists and the menu: the full build
        _edit(root / f"conventions/{BOULONNAIS}/fiches/ad-premier-accueil.yaml", "Former les agents",
              "Former tous les agents")
        _wait_for(base + f"conventions/{BOULONNAIS}/fiches/ej-mercredis/", "Former tous les agents", proc)
        assert log.read_text(encoding="utf-8").count(QUICK) == 4
        _append(root / f"conventions/{BOULONNAIS}/annexes/diagnostic.md", "Et une dernière phrase pour l'essai.")
        _wait_for(base + f"conventions/{BOULONNAIS}/annexes/diagnostic/", "une dernière phrase pour", proc)
        assert log.read_text(encoding="utf-8").count(QUICK) == 5  # in place again after a full build
        # after the first, a save looks only at the files the watcher reported (dependency_index.Scan)
        assert log.read_text(encoding="utf-8").count("sources examinées\u00a0: les fichiers enregistrés") >= 3
        # the search index follows, written beside the reload (unchanged_pages.write_search_index)
        index = root / ".cache/apercu/search/search_index.json"
        wait_for_file(index, "une derni\\u00e8re phrase pour", proc)
        shutil.copytree(root / ".cache/apercu", shown)
    finally:
        stop(proc)
    assert "Traceback" not in log.read_text(encoding="utf-8")
    # the same sources, in a project that never served: its first build is a full one, on the same port
    fresh = tmp_path / "temoin"
    fresh.mkdir()
    for name in ("conventions", "templates", "docs"):
        shutil.copytree(root / name, fresh / name)
    proc = _serve(fresh, port, tmp_path / "temoin.log")
    try:
        _wait_for(base + f"conventions/{BOULONNAIS}/annexes/diagnostic/", "une dernière phrase pour", proc)
        assert _differences(shown, fresh / ".cache/apercu") == []
    finally:
        stop(proc)


def test_the_saves_a_run_did_not_record_in_the_index_are_looked_at_again():
    """The preview looks only at the files saved since the index it wrote last (SaveLog): never
    before it wrote one, never after a folder was created or moved, never when a folder is reached
    through a symbolic link; the saves taken by a run that wrote no index (errors in the sources)
    or that stopped are looked at again by the next one."""
    from types import SimpleNamespace as Event

    from ctg.site.preview_update import SaveLog

    def saved(path: str, directory: bool = False) -> Event:
        return Event(is_directory=directory, src_path=path, dest_path="")

    def run(written: float | None, every_file: bool = True, links: bool = False) -> Event:
        index = Event(written=written) if written is not None else None
        return Event(index=index, scan=Event(saved_only=not every_file, through_links=links))

    log = SaveLog()
    log.record(saved("/p/conventions/a/convention.md"))
    assert log.take() is None  # no index written by this process yet: every file
    log.done(run(1.0))
    log.record(saved("/p/conventions/a/fiches/f.yaml"))
    assert log.take() == ({"/p/conventions/a/fiches/f.yaml"}, 1.0)
    log.done(run(None))  # errors in the sources: no index written
    log.record(saved("/p/templates/t.md.j2"))
    assert log.take() == ({"/p/conventions/a/fiches/f.yaml", "/p/templates/t.md.j2"}, 1.0)
    log.give_back()  # the run stopped
    assert log.take() == ({"/p/conventions/a/fiches/f.yaml", "/p/templates/t.md.j2"}, 1.0)
    log.done(run(2.0, every_file=False))
    log.record(saved("/p/conventions/b", directory=True))
    assert log.take() is None  # a folder created: every file
    log.done(run(3.0, links=True))
    log.record(saved("/p/conventions/a/convention.md"))
    assert log.take() is None  # a folder reached through a link: its saves are not reported
    log.done(run(4.0))
    log.record(saved("/p/conventions/a/convention.md"))
    assert log.take() == ({"/p/conventions/a/convention.md"}, 4.0)
