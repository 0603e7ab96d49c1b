"""LibreOffice headless, the one layout engine: page numbers of bookmarks in DOCX files, and
the PDF exported from that same layout.

One soffice process serves a whole batch (start-up is the slow part). Its
Python bridge lives in Debian's python3, so the work runs as a separate
script (uno_pages.py) and answers in JSON.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

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
            "LibreOffice est introuvable : installez-le (« bash scripts/install.sh ») ; il met en page les DOCX "
            "(numéros de page) et en exporte les PDF.")
    return exe


@dataclass(frozen=True)
class Job:
    """One DOCX to lay out: the bookmarks whose pages are wanted, and whether to export its PDF."""

    docx: bytes
    bookmarks: list[str]
    pdf: bool = False


@dataclass
class Layout:
    pages: dict[str, int]  # bookmark → page, in LibreOffice's layout
    total: int  # pages of the document
    pdf: bytes | None = None  # that layout exported (sommaire filled), when asked


def lay_out(jobs: list[Job], on_restart: Callable[[str], None] | None = None) -> list[Layout]:
    """Each DOCX laid out once by LibreOffice: its bookmarks' pages and, when asked, its PDF.

    The answers of a LibreOffice that crashes or stops answering (seen on a busy machine, and
    after hundreds of documents) are kept, and a fresh LibreOffice takes the remaining ones
    (on_restart is told why). The document it stopped on gets a second chance in that fresh
    LibreOffice; failing twice, the pass fails.
    """
    if not jobs:
        return []
    exe = soffice()
    results: list[Layout | None] = [None] * len(jobs)
    failures: dict[int, int] = {}
    while True:
        pending = [i for i, r in enumerate(results) if r is None]
        if not pending:
            return results  # type: ignore[return-value]
        answers, problem = _batch(exe, [jobs[i] for i in pending])
        for j, answer in answers.items():
            results[pending[j]] = answer
        if len(answers) < len(pending):
            stuck = pending[next(j for j in range(len(pending)) if j not in answers)]  # where it stopped
            failures[stuck] = failures.get(stuck, 0) + 1
            if failures[stuck] >= 2:
                raise LibreOfficeFailed(f"échec de la mise en page par LibreOffice ({problem}) ; réessayez, et "
                                        "vérifiez qu'aucun autre LibreOffice ne bloque la machine.")
            if on_restart is not None:
                on_restart(f"LibreOffice s'est arrêté ({problem}) après {len(answers)} document"
                           f"{'s' if len(answers) > 1 else ''} sur {len(pending)} ; un nouveau LibreOffice "
                           "reprend les autres.")


def _batch(exe: str, jobs: list[Job]) -> tuple[dict[int, Layout], str]:
    """({index in jobs: layout} for the documents LibreOffice answered, what went wrong if not all)."""
    with tempfile.TemporaryDirectory(prefix="ctg-lo-") as tmp:
        tmpdir = Path(tmp)
        manifest = []
        index = {}
        for i, job in enumerate(jobs):
            p = tmpdir / f"doc{i}.docx"
            p.write_bytes(job.docx)
            manifest.append({"docx": str(p), "bookmarks": job.bookmarks,
                             "pdf": str(tmpdir / f"doc{i}.pdf") if job.pdf else None})
            index[str(p)] = i
        (tmpdir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
        out, problem = _run(exe, tmpdir, len(jobs))
        answers = {}
        for line in out.splitlines():
            if not line.startswith("{"):
                continue
            try:
                answer = json.loads(line)
            except ValueError:  # the last line of a crash may be cut
                continue
            i = index.get(answer.get("file"))
            if i is None:
                continue
            pdf = None
            if jobs[i].pdf:
                pdf_path = tmpdir / f"doc{i}.pdf"
                if not pdf_path.is_file():
                    continue
                pdf = pdf_path.read_bytes()
            answers[i] = Layout(answer["pages"], answer["total"], pdf)
    if len(answers) < len(jobs) and not problem:
        problem = "documents non mis en page"
    return answers, problem


def _run(exe: str, tmpdir: Path, n: int) -> tuple[str, str]:
    """One soffice and uno_pages.py over the batch's manifest: (the script's output, what went wrong)."""
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
                                  timeout=TIMEOUT_START + TIMEOUT_PER_DOCUMENT * n)
            out = proc.stdout
            if proc.returncode != 0:  # the last line says why (a traceback is not for the user)
                last = (proc.stderr.strip().splitlines()[-1:] or [""])[0][-300:].strip()
                problem = f"{last}, code {proc.returncode}" if last else f"code {proc.returncode}"
            answered = proc.returncode == 0
        except subprocess.TimeoutExpired as exc:
            out = exc.stdout.decode("utf-8", "replace") if isinstance(exc.stdout, bytes) else exc.stdout or ""
            problem = "délai dépassé"
    finally:
        _stop(office, graceful=answered)
    return out, problem


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


def lay_out_final(docs: list[tuple[bytes, list[str]]], fill: Callable[[int, bytes, Layout], bytes], export: bool,
                  on_restart: Callable[[str], None] | None = None) -> list[tuple[bytes, Layout]]:
    """(final DOCX, its layout) for each (raw DOCX, bookmarks): the raw DOCX laid out, fill() writes
    its page numbers (fill(index, raw DOCX, layout)), and, with export, the final DOCX is laid out afresh and exported (layout.pdf):
    the PDF is the final DOCX's own layout. Pages that moved once written are written again."""
    layouts = lay_out([Job(data, marks) for data, marks in docs], on_restart)
    finals = [fill(i, data, lay) for i, ((data, _), lay) in enumerate(zip(docs, layouts))]
    for _attempt in range(3 if export else 0):
        again = lay_out([Job(final, marks, pdf=True) for final, (_, marks) in zip(finals, docs)], on_restart)
        moved = [i for i, (a, b) in enumerate(zip(layouts, again)) if (a.pages, a.total) != (b.pages, b.total)]
        layouts = again
        if not moved:
            break
        finals = [fill(i, docs[i][0], layouts[i]) if i in moved else final for i, final in enumerate(finals)]
    return list(zip(finals, layouts))
