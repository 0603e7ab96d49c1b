"""Output files: names and atomic writes. A failed build never leaves a half-written file."""

from __future__ import annotations

import os
import signal
import tempfile
from pathlib import Path

#: for the tests: a build stops dead (SIGKILL) at the phase this variable names, as a kill would
STOP_AT = "CTG_TEST_ARRET"


def test_stop(phase: str) -> None:
    """Where a test may kill the build at a known phase, without timing (e.g. « apres-production »:
    every output made, none written)."""
    if os.environ.get(STOP_AT) == phase:
        os.kill(os.getpid(), signal.SIGKILL)


#: for the tests: at the phase this variable names, the build writes the file CTG_TEST_PAUSE_FICHIER
#: and waits on a child process (as it waits on LibreOffice), so a test can interrupt it there
PAUSE_AT = "CTG_TEST_PAUSE"


def test_pause(phase: str) -> None:
    if os.environ.get(PAUSE_AT) == phase:
        import subprocess

        Path(os.environ["CTG_TEST_PAUSE_FICHIER"]).write_text(phase, encoding="utf-8")
        subprocess.run(["sleep", "600"], check=False)


def output_path(dist: Path, doc_id: str, parent: str | None, ext: str) -> Path:
    """dist/<convention>/<document>.<ext>: a convention and its avenants sit together."""
    folder = dist / (parent or doc_id)
    return folder / f"{doc_id}.{ext}"


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file in the same folder, fsync, then rename over the target."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def remove_stale_temporaries(folder: Path) -> None:
    """Temporary files of an interrupted build (killed before its rename) are removed."""
    if folder.is_dir():
        for tmp in folder.rglob(".*.tmp"):
            tmp.unlink(missing_ok=True)
