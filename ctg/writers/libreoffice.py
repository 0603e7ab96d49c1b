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

    The answers of a LibreOffice that crashes or stops answering (seen on a busy machine, and
    after hundreds of documents) are kept, and a fresh LibreOffice takes the remaining ones. The
    document it stopped on gets a second chance in that fresh LibreOffice; failing twice, the
    pass fails.
    """
    if not files:
        return []
    exe = soffice()
    results: list[dict | None] = [None] * len(files)
    failures: dict[int, int] = {}
    while True:
        pending = [i for i, r in enumerate(results) if r is None]
        if not pending:
            return results  # type: ignore[return-value]
        answers, problem = _batch(exe, [files[i] for i in pending])
        for j, answer in answers.items():
            results[pending[j]] = answer
        if len(answers) < len(pending):
            stuck = pending[next(j for j in range(len(pending)) if j not in answers)]  # where it stopped
            failures[stuck] = failures.get(stuck, 0) + 1
            if failures[stuck] >= 2:
                raise LibreOfficeFailed(f"échec de la mise en page par LibreOffice ({problem}) ; réessayez, et "
                                        "vérifiez qu'aucun autre LibreOffice ne bloque la machine.")


def _batch(exe: str, files: list[tuple[bytes, list[str]]]) -> tuple[dict[int, dict], str]:
    """({index in files: answer} for the documents LibreOffice answered, what went wrong if not all)."""
    with tempfile.TemporaryDirectory(prefix="ctg-lo-") as tmp:
        tmpdir = Path(tmp)
        manifest = {}
        index = {}
        for i, (data, wanted) in enumerate(files):
            p = tmpdir / f"doc{i}.docx"
            p.write_bytes(data)
            manifest[str(p)] = wanted
            index[str(p)] = i
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
        problem = ""
        try:
            script = Path(__file__).with_name("uno_pages.py")
            try:
                proc = subprocess.run([SYSTEM_PYTHON, str(script), pipe, str(tmpdir / "manifest.json")],
                                      capture_output=True, text=True, env=env,
                                      timeout=TIMEOUT_START + TIMEOUT_PER_DOCUMENT * len(files))
                out = proc.stdout
                if proc.returncode != 0:  # the last line says why (a traceback is not for the user)
                    last = proc.stderr.strip().splitlines()[-1:] or [""]
                    problem = f"code {proc.returncode} {last[0][-300:]}".strip()
                answered = proc.returncode == 0
            except subprocess.TimeoutExpired as exc:
                out = exc.stdout.decode("utf-8", "replace") if isinstance(exc.stdout, bytes) else exc.stdout or ""
                problem = "délai dépassé"
        finally:
            _stop(office, graceful=answered)
    answers = {}
    for line in out.splitlines():
        if line.startswith("{"):
            try:
                answer = json.loads(line)
            except ValueError:  # the last line of a crash may be cut
                continue
            if answer.get("file") in index:
                answers[index[answer["file"]]] = answer
    if len(answers) < len(files) and not problem:
        problem = "documents non mis en page"
    return answers, problem


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
