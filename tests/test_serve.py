"""The preview (« build.py serve »): a saved source is on the served page, and only the pages of the
document it changed are rendered again."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
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


def _entries(root: Path) -> dict[str, int]:
    """The documents' rendered pages kept for the internal site: {file: modification time}."""
    folder = root / ".cache/site-documents"
    return {p.name: p.stat().st_mtime_ns for p in folder.glob("*.interne.*.pickle")}


def test_a_saved_fiche_is_on_the_preview_and_only_its_document_is_rendered_again(tmp_path):
    root = tmp_path / "projet"
    root.mkdir()
    for name in ("conventions", "templates", "docs"):  # the site's configuration: the repository's
        shutil.copytree(ROOT / name, root / name)
    port = _free_port()
    env = dict(os.environ, CTG_SERVE_ADRESSE=f"127.0.0.1:{port}")
    proc = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "--racine", str(root), "serve", "--interne"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}/"
    try:
        page = f"{base}conventions/{BOULONNAIS}/fiches/ad-premier-accueil/"
        _wait_for(page, "Former les agents d", proc)
        before = _entries(root)
        others = {name: t for name, t in before.items() if not name.startswith(f"{BOULONNAIS}.")}
        assert others and len(others) < len(before)
        fiche = root / FICHE
        fiche.write_text(fiche.read_text(encoding="utf-8").replace("Former les agents", "Former tous les agents", 1),
                         encoding="utf-8")
        _wait_for(page, "Former tous les agents", proc)
        # the fiche index lists the fiche by its title: it follows
        index = _fetch(f"{base}fiches-action/")
        assert index is not None and "Former tous les agents" in index
        after = _entries(root)
        assert {name: t for name, t in after.items() if name in others} == others  # not rendered again
        assert any(name.startswith(f"{BOULONNAIS}.") and name not in before for name in after)
        # an error is shown in the preview, and its fix brings the page back
        fiche.write_text("titre: [non fermé\n" + fiche.read_text(encoding="utf-8"), encoding="utf-8")
        _wait_for(base, "ad-premier-accueil.yaml", proc)
        fiche.write_text(fiche.read_text(encoding="utf-8").split("\n", 1)[1], encoding="utf-8")
        _wait_for(page, "Former tous les agents", proc)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
