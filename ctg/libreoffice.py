"""LibreOffice headless, as a layout engine: page numbers of bookmarks in DOCX files.

One soffice process serves a whole batch (start-up is the slow part). Its
Python bridge lives in Debian's python3, so the query runs as a separate
script (uno_pages.py) and answers in JSON.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

SYSTEM_PYTHON = "/usr/bin/python3"
# A batch's time limit grows with its size: a large convention takes about a second on a busy machine.
TIMEOUT_START, TIMEOUT_PER_DOCUMENT = 60, 5


class ToolError(RuntimeError):
    """An external program of the pipeline is missing or failed: not a mistake in the sources."""


class LibreOfficeMissing(ToolError):
    pass


class LibreOfficeFailed(ToolError):
    pass


def soffice() -> str:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        raise LibreOfficeMissing(
            "LibreOffice est introuvable : installez-le (« bash scripts/installer.sh ») ; il calcule les numéros "
            "de page du sommaire des DOCX.")
    return exe


def bookmark_pages(files: list[tuple[bytes, list[str]]]) -> list[dict]:
    """For each (DOCX bytes, bookmark names): {"pages": {bookmark: page}, "total": n}.

    A batch is tried twice: a LibreOffice that crashes or does not answer (seen on a busy
    machine right after another instance was killed) gets a fresh start.
    """
    if not files:
        return []
    exe = soffice()
    problem = ""
    for _attempt in range(2):
        results, problem = _batch(exe, files)
        if results is not None:
            return results
    raise LibreOfficeFailed(f"échec de la mise en page par LibreOffice ({problem}) ; réessayez, et vérifiez "
                            "qu'aucun autre LibreOffice ne bloque la machine.")


def _batch(exe: str, files: list[tuple[bytes, list[str]]]) -> tuple[list[dict] | None, str]:
    with tempfile.TemporaryDirectory(prefix="ctg-lo-") as tmp:
        tmpdir = Path(tmp)
        manifest = {}
        for i, (data, wanted) in enumerate(files):
            p = tmpdir / f"doc{i}.docx"
            p.write_bytes(data)
            manifest[str(p)] = wanted
        (tmpdir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
        pipe = f"ctg{uuid.uuid4().hex[:12]}"
        profile = tmpdir / "profile"
        # TMPDIR inside the batch's folder: LibreOffice's own temporary files go away with it.
        env = dict(os.environ, SAL_USE_VCLPLUGIN="svp", HOME=str(tmpdir), TMPDIR=str(tmpdir))
        office = subprocess.Popen(
            [exe, "--headless", "--invisible", "--nologo", "--norestore", "--nodefault", "--nolockcheck",
             f"-env:UserInstallation=file://{profile}", f"--accept=pipe,name={pipe};urp;"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        answered = False  # uno_pages.py ran to its end, and asked LibreOffice to quit
        try:
            script = Path(__file__).with_name("uno_pages.py")
            try:
                proc = subprocess.run([SYSTEM_PYTHON, str(script), pipe, str(tmpdir / "manifest.json")],
                                      capture_output=True, text=True, env=env,
                                      timeout=TIMEOUT_START + TIMEOUT_PER_DOCUMENT * len(files))
            except subprocess.TimeoutExpired:
                return None, "délai dépassé"
            if proc.returncode != 0:
                return None, f"code {proc.returncode} {proc.stderr.strip()[-500:]}".strip()
            answered = True
            results = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
        finally:
            _stop(office, graceful=answered)
    if len(results) != len(files):
        return None, "documents non mis en page"
    return results, ""


def _stop(office: subprocess.Popen, graceful: bool) -> None:
    """After uno_pages.py asked LibreOffice to quit, wait for it (a signal leaves its pipes and
    temporary files behind); a signal if it does not exit, or if the script failed."""
    if graceful:
        try:
            office.wait(timeout=10)
            return
        except subprocess.TimeoutExpired:
            pass
    office.terminate()
    try:
        office.wait(timeout=20)
    except subprocess.TimeoutExpired:
        office.kill()
