"""pdftotext's text of a PDF, read without its colour profile.

The PDFs the project writes are PDF/A: they carry an ICC output intent. Poppler 22.12 builds that
profile's colour transform again for every page it reads, about 70 ms a page here, colour that
text extraction never uses: a 136-page convention took 10 s to read, 0.2 s without the profile.
The text is read from a copy without /OutputIntents; the PDF under test is never changed."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import pikepdf


def pdftotext(pdf: Path, *options: str) -> str:
    """The text pdftotext prints for pdf with options (« -layout », « -f 2 »…), pages split by « \\f »."""
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "texte.pdf"
        with pikepdf.open(pdf) as opened:
            if "/OutputIntents" in opened.Root:
                del opened.Root["/OutputIntents"]
            opened.save(copy)
        return subprocess.run(["pdftotext", "-enc", "UTF-8", *options, str(copy), "-"],
                              capture_output=True, text=True, check=True).stdout
