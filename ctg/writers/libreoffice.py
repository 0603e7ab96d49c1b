"""LibreOffice headless, the one layout engine: page numbers of bookmarks in DOCX files, and
the PDF exported from that same layout.

One soffice process serves a whole batch and, after a small one, the next batches of the
run (start-up is the slow part). Its Python bridge lives in Debian's python3, so the work
runs as a separate script (uno_pages.py) that reads manifests and answers in JSON.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import shutil
import subprocess
import tempfile
import threading
import time
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
    """A running LibreOffice (a kept one, or a new one) over the batch's manifest: (the answers, what
    went wrong). One that answered the whole batch is given back (_give_back: kept, or closed)."""
    office = _take(exe, n)
    answered = False
    try:
        out, problem, answered = office.run(tmpdir / "manifest.json", n)
    finally:
        if answered and not problem:
            _give_back(office)
        else:  # stopped, failed or interrupted (Ctrl-C): not kept
            office.stop(graceful=answered)
    return out, problem


class _Office:
    """One soffice and the uno_pages.py that drives it. Started for a batch and, when that batch
    was small, kept for the next batches of the run: its start (about 2 s) is most of a small
    build's layout time. The driver reads one manifest per line; the end of its input (the run
    is over, or was killed) makes it ask LibreOffice to quit, so no LibreOffice outlives its build."""

    def __init__(self, exe: str):
        self.owner = os.getpid()
        self.served = 0
        self.home = Path(tempfile.mkdtemp(prefix="ctg-lo-"))
        pipe = f"ctg{uuid.uuid4().hex[:12]}"
        # HOME and TMPDIR inside its own folder: LibreOffice's temporary files go away with it.
        env = dict(os.environ, SAL_USE_VCLPLUGIN="svp", HOME=str(self.home), TMPDIR=str(self.home))
        self.office = subprocess.Popen(
            [exe, "--headless", "--invisible", "--nologo", "--norestore", "--nodefault", "--nolockcheck",
             f"-env:UserInstallation=file://{self.home / 'profile'}", f"--accept=pipe,name={pipe};urp;"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        self.errors = (self.home / "uno_pages.err").open("w+b")
        try:
            self.driver = subprocess.Popen([SYSTEM_PYTHON, str(Path(__file__).with_name("uno_pages.py")), pipe,
                                            str(self.home), str(self.office.pid)],
                                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.errors, env=env)
        except OSError:
            self.office.kill()
            self.office.wait()
            self.errors.close()
            shutil.rmtree(self.home, ignore_errors=True)
            raise LibreOfficeMissing(f"{SYSTEM_PYTHON} est introuvable : installez python3-uno (« bash "
                                     "scripts/install.sh ») ; c'est par lui que LibreOffice est piloté.") from None
        self.pending = b""

    def alive(self) -> bool:
        return self.driver.poll() is None and self.office.poll() is None

    def run(self, manifest: Path, n: int) -> tuple[str, str, bool]:
        """(the driver's answers for the manifest's n documents, what went wrong, whether the driver
        ended normally: all answered, or it said why it stopped)."""
        deadline = time.monotonic() + TIMEOUT_START + TIMEOUT_PER_DOCUMENT * n
        lines: list[str] = []
        try:
            self.driver.stdin.write(f"{manifest}\n".encode("utf-8"))
            self.driver.stdin.flush()
        except OSError:  # the driver is gone
            pass
        while True:
            line = self._readline(deadline)
            if line is None:
                return "\n".join(lines), "délai dépassé", False
            if not line:  # end of its output: it stopped
                break
            if line.strip() == END_OF_BATCH:
                self.served += n
                return "\n".join(lines), "", True
            lines.append(line.decode("utf-8", "replace").rstrip("\n"))
        code = self.driver.wait()  # the last line of its stderr says why (a traceback is not for the user)
        self.errors.seek(0)
        last = (self.errors.read().decode("utf-8", "replace").strip().splitlines()[-1:] or [""])[0][-300:].strip()
        problem = f"{last}, code {code}" if last else f"code {code}"
        return "\n".join(lines), problem, code == 2

    def _readline(self, deadline: float) -> bytes | None:
        """The driver's next line with its end, as file.readline() (b"" at the end of its output);
        None once the deadline is past."""
        fd = self.driver.stdout.fileno()
        while b"\n" not in self.pending:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                return None
            chunk = os.read(fd, 65536)
            if not chunk:
                rest, self.pending = self.pending, b""
                return rest
            self.pending += chunk
        line, self.pending = self.pending.split(b"\n", 1)
        return line + b"\n"

    def close(self) -> None:
        """The end of the driver's input: it asks LibreOffice to quit."""
        try:
            self.driver.stdin.close()
        except OSError:
            pass

    def stop(self, graceful: bool) -> None:
        """Wait for a LibreOffice asked to quit (a signal leaves its pipes and temporary files
        behind); a signal if it does not exit, or if something failed."""
        self.close()
        if not graceful:
            self.driver.kill()
        for process in (self.driver, self.office):
            try:
                process.wait(timeout=10 if graceful else 0.1)
                continue
            except subprocess.TimeoutExpired:
                pass
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.errors.close()
        shutil.rmtree(self.home, ignore_errors=True)


END_OF_BATCH = b'{"fin": true}'  # uno_pages.py's line after a manifest's answers
# Never more documents for one LibreOffice (it slows down on long runs, and has been seen to stop
# after hundreds of documents): a kept one that would go beyond is closed, a new one starts.
DOCUMENTS_PER_OFFICE = 200
# Kept only while it has laid out no more than this: a start costs about as much as laying out a
# dozen small documents, and a LibreOffice that has laid out many is slower on the next ones
# (measured: 49 documents, the second pass by the LibreOffices of the first, 8 % slower).
KEEP_UP_TO = 20
_idle: list[_Office] = []
_idle_lock = threading.Lock()


def _take(exe: str, n: int) -> _Office:
    """A kept LibreOffice that still runs and may take n more documents, or a new one."""
    while True:
        with _idle_lock:
            office = _idle.pop() if _idle else None
        if office is None:
            return _Office(exe)
        if office.alive() and office.served + n <= DOCUMENTS_PER_OFFICE:
            return office
        office.stop(graceful=office.alive())


def _give_back(office: _Office) -> None:
    if office.served > KEEP_UP_TO:
        office.stop(graceful=True)
        return
    with _idle_lock:
        _idle.append(office)


@atexit.register
def close_all() -> None:
    """At the end of the run, the kept LibreOffices quit (all asked at once, then waited for)."""
    with _idle_lock:
        offices = [o for o in _idle if o.owner == os.getpid()]  # (not a forked worker's copies)
        _idle.clear()
    for office in offices:
        office.close()
    for office in offices:
        office.stop(graceful=True)


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
