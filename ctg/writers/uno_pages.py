"""Run by Debian's python3 (which has LibreOffice's « uno » module), not by the project's.

Usage: python3 uno_pages.py PIPE_NAME FOLDER OFFICE_PID, then one MANIFEST.json path per line
on its input (FOLDER: the one the caller made for that LibreOffice, removed once it has exited).
Each MANIFEST is a list of {"docx": path, "bookmarks": [names], "pdf": path or null}. For each
DOCX, LibreOffice lays it out once; the script prints one JSON object per file:
{"file": docx path, "pages": {bookmark: page}, "total": n}, then {"fin": true} after the
manifest's last file. The end of its input (the caller is done, or was killed) makes it ask
LibreOffice to quit. When "pdf" is given, that same layout is exported as PDF/A-2b, tagged,
to that path: the PDF is the DOCX, page for page.
The caller exports a DOCX whose sommaire already holds its page numbers (a Word TOC field,
whose entries LibreOffice keeps as text), and checks that the pages found are the ones it
wrote; other page fields (PAGE, NUMPAGES, PAGEREF outside the sommaire) are computed by
LibreOffice itself. (A layout edited in place is not always the layout of a fresh load: the
PDF is exported from a fresh load of the very DOCX that is published.)
"""

import json
import os
import shutil
import sys
import time

import uno
from com.sun.star.beans import PropertyValue

# PDF/A-2b (SelectPdfVersion 2) and PDF/UA-1, tagged; Writer bookmarks become named
# destinations (the signature fields are placed on them) and headings the outline.
PDF_FILTER = {
    "SelectPdfVersion": 2,
    "UseTaggedPDF": True,
    "PDFUACompliance": True,
    "ExportBookmarks": True,
    "ExportBookmarksToPDFDestination": True,
    "ExportFormFields": False,
    "UseLosslessCompression": True,
}
def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def connect(pipe):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    last = None
    for _ in range(300):
        try:
            ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            return ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        except Exception as exc:  # LibreOffice is still starting
            last = exc
            time.sleep(0.2)
    raise RuntimeError(f"LibreOffice ne répond pas : {last}")


def pages_of(doc, wanted):
    """({bookmark: page}, total pages) in the document's current layout."""
    # No refresh(), one name lookup for all, and the bookmark's anchor itself (not its start): each
    # UNO call on a bookmark costs milliseconds, and the pages found are the same.
    cursor = doc.getCurrentController().getViewCursor()
    pages = {}
    bookmarks = doc.getBookmarks()
    names = set(bookmarks.getElementNames())
    for name in wanted:
        if name in names:
            cursor.gotoRange(bookmarks.getByName(name).getAnchor(), False)
            pages[name] = cursor.getPage()
    cursor.jumpToLastPage()
    return pages, cursor.getPage()


def export_pdf(doc, path):
    data = uno.Any("[]com.sun.star.beans.PropertyValue", tuple(prop(k, v) for k, v in PDF_FILTER.items()))
    doc.storeToURL(uno.systemPathToFileUrl(path), (prop("FilterName", "writer_pdf_Export"), prop("FilterData", data)))


class CannotOpen(Exception):
    """A DOCX LibreOffice cannot open (its message is for the user)."""


def lay_out(desktop, entry):
    path, wanted, pdf = entry["docx"], entry["bookmarks"], entry.get("pdf")
    url = uno.systemPathToFileUrl(path)
    doc = desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", True), prop("ReadOnly", True)))
    if doc is None:
        raise CannotOpen("LibreOffice n'a pas pu ouvrir un des DOCX")
    try:
        pages, total = pages_of(doc, wanted)
        if pdf:
            export_pdf(doc, pdf)
        return {"file": path, "pages": pages, "total": total}
    finally:
        doc.close(True)


def remove_when_gone(folder, pid):
    """The LibreOffice's folder (profile, temporary files), once that LibreOffice has exited (gone,
    or a zombie its caller has not reaped yet): nothing is left in /tmp, even when the caller was
    killed. The caller removes it too when it can."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat", encoding="utf-8") as fh:
                if fh.read().rsplit(")", 1)[1].split()[0] == "Z":
                    break
        except OSError:  # gone
            break
        time.sleep(0.05)
    shutil.rmtree(folder, ignore_errors=True)


def main():
    desktop = connect(sys.argv[1])
    code = 0
    try:
        for line in sys.stdin:  # one manifest per line, until the caller closes its end
            with open(line.strip(), encoding="utf-8") as fh:
                manifest = json.load(fh)
            for entry in manifest:
                print(json.dumps(lay_out(desktop, entry)), flush=True)
            print(json.dumps({"fin": True}), flush=True)
    except CannotOpen as exc:
        # Said on the last line of stderr, and the exit below is immediate: a normal interpreter
        # exit tears the UNO bridge down, which may crash (SIGSEGV) and lose the exit code.
        print(exc, file=sys.stderr, flush=True)
        code = 2
    finally:
        # A LibreOffice stopped by a signal leaves its pipes and temporary folder in /tmp.
        try:
            desktop.terminate()
        except Exception:  # already gone: the caller stops the process
            pass
        remove_when_gone(sys.argv[2], int(sys.argv[3]))
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)  # every answer is out: no teardown of the UNO bridge, which may crash at exit


if __name__ == "__main__":
    main()
