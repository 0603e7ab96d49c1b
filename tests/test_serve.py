"""The preview (« build.py serve »): a saved source is on the served page; only the pages of the
document it changed are split and rendered again, and only the pages whose HTML changed are written
again (mkdocs' dirty builds, ctg/site/unchanged_pages.py), with a search index that stays whole."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import json
import urllib.request
from pathlib import Path

from conftest import ROOT

BOULONNAIS = "ctg-ca-boulonnais-2025-2029"
FICHE = f"conventions/{BOULONNAIS}/fiches/ad-premier-accueil.yaml"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.read().decode("utf-8", "replace")
    except OSError:
        return None


def _wait_for(url: str, text: str, proc: subprocess.Popen, limit: float = 600) -> str:
    start = time.monotonic()
    while True:
        body = _fetch(url)
        if body is not None and text in body:
            return body
        assert proc.poll() is None, "la prévisualisation s'est arrêtée"
        assert time.monotonic() - start < limit, f"« {text} » n'est jamais apparu sur {url}"
        time.sleep(0.2)


def stop(proc: subprocess.Popen) -> None:
    """Ctrl+C, as the author stops the preview."""
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise


def wait_for_file(path: Path, text: str, proc: subprocess.Popen, limit: float = 120) -> None:
    start = time.monotonic()
    while text not in path.read_text(encoding="utf-8"):
        assert proc.poll() is None, "la prévisualisation s'est arrêtée"
        assert time.monotonic() - start < limit, f"« {text} » n'est jamais apparu dans {path}"
        time.sleep(0.1)


def _entries(root: Path) -> dict[str, int]:
    """The documents' rendered pages kept for the internal site: {file: modification time}."""
    folder = root / ".cache/site-documents"
    return {p.name: p.stat().st_mtime_ns for p in folder.glob("*.interne.*.pickle")}


def _served(root: Path) -> dict[str, int]:
    """The preview's folder (.cache/apercu/ of the project): {HTML page: modification time}."""
    folder = root / ".cache/apercu"
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in folder.rglob("*.html")}


def _search(root: Path) -> list[dict]:
    return json.loads((root / ".cache/apercu/search/search_index.json").read_text(encoding="utf-8"))["docs"]


def test_a_saved_fiche_is_on_the_preview_and_only_its_document_is_rendered_again(tmp_path):
    root = tmp_path / "projet"
    root.mkdir()
    for name in ("conventions", "templates", "docs"):  # the site's configuration: the repository's
        shutil.copytree(ROOT / name, root / name)
    port = _free_port()
    tmp = tmp_path / "tmp"  # mkdocs serve made its folder there; the preview makes it in the project
    tmp.mkdir()
    env = dict(os.environ, CTG_SERVE_ADRESSE=f"127.0.0.1:{port}", TMPDIR=str(tmp))
    proc = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "--racine", str(root), "serve", "--interne"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}/"
    try:
        page = f"{base}conventions/{BOULONNAIS}/fiches/ad-premier-accueil/"
        _wait_for(page, "Former les agents d", proc)
        fiche_html = f"conventions/{BOULONNAIS}/fiches/ad-premier-accueil/index.html"
        fiche = root / FICHE
        # a sentence of the fiche (not its title: the nav is unchanged): only its pages are written again
        served, search = _served(root), _search(root)
        fiche.write_text(fiche.read_text(encoding="utf-8").replace("manquent d'outils", "manquent encore d'outils"),
                         encoding="utf-8")
        _wait_for(page, "manquent encore d", proc)
        again = _served(root)
        assert set(again) == set(served)
        written = {name for name in served if again[name] != served[name]}
        assert fiche_html in written
        assert f"conventions/{BOULONNAIS}/index.html" not in written  # the same convention's text
        assert "conventions/ctg-cabbalr-2021-2025/index.html" not in written
        assert len(written) < len(served) / 4, sorted(written)
        # the search index is whole: the same entries, in the same order, the fiche's with its new text
        # (written beside the reload: a moment later)
        wait_for_file(root / ".cache/apercu/search/search_index.json", "manquent encore d", proc)
        new_search = _search(root)
        assert [e["location"] for e in new_search] == [e["location"] for e in search]
        changed = [e for e, old in zip(new_search, search) if e != old]
        assert changed and all(e["location"].startswith(fiche_html.removesuffix("index.html")) for e in changed)
        assert any("manquent encore d" in e["text"] for e in changed)
        before = _entries(root)
        others = {name: t for name, t in before.items() if not name.startswith(f"{BOULONNAIS}.")}
        assert others and len(others) < len(before)
        fiche.write_text(fiche.read_text(encoding="utf-8").replace("Former les agents", "Former tous les agents", 1),
                         encoding="utf-8")
        _wait_for(page, "Former tous les agents", proc)
        # the fiche index lists the fiche by its title: it follows, and so does the menu of the other
        # fiches (a new title changes the nav: every page is rendered again)
        index = _fetch(f"{base}fiches-action/")
        assert index is not None and "Former tous les agents" in index
        other = _fetch(f"{base}conventions/{BOULONNAIS}/fiches/ej-mercredis/")
        assert other is not None and "Former tous les agents" in other
        assert [e["location"] for e in _search(root)] == [e["location"] for e in search]
        after = _entries(root)
        assert {name: t for name, t in after.items() if name in others} == others  # not rendered again
        assert any(name.startswith(f"{BOULONNAIS}.") and name not in before for name in after)
        # an error is shown in the preview, and its fix brings the page back
        fiche.write_text("titre: [non fermé\n" + fiche.read_text(encoding="utf-8"), encoding="utf-8")
        _wait_for(base, "ad-premier-accueil.yaml", proc)
        fiche.write_text(fiche.read_text(encoding="utf-8").split("\n", 1)[1], encoding="utf-8")
        _wait_for(page, "Former tous les agents", proc)
        assert set(_served(root)) == set(served)  # the whole site again, not the page of errors alone
        assert [e["location"] for e in _search(root)] == [e["location"] for e in search]
        assert not any(tmp.iterdir()), sorted(p.name for p in tmp.iterdir())  # nothing in /tmp
    finally:
        stop(proc)
    assert not (root / ".cache/apercu").exists()  # Ctrl+C: the preview's folder goes with it
