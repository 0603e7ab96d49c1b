"""Run by Debian's python3 (which has LibreOffice's « uno » module), not by the project's.

Usage: python3 uno_pages.py PIPE_NAME MANIFEST.json
MANIFEST maps each DOCX path to the bookmark names to locate. Prints one JSON
object per file: {"file": …, "pages": {bookmark: page}, "total": n}; the pages
come from LibreOffice's own layout of the DOCX.
"""

import json
import os
import sys
import time

import uno
from com.sun.star.beans import PropertyValue


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


def pages_of(desktop, path, wanted):
    url = uno.systemPathToFileUrl(path)
    doc = desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", True), prop("ReadOnly", True)))
    if doc is None:
        raise SystemExit("LibreOffice n'a pas pu ouvrir un des DOCX")
    try:
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
        return {"file": path, "pages": pages, "total": cursor.getPage()}
    finally:
        doc.close(True)


def main():
    desktop = connect(sys.argv[1])
    with open(sys.argv[2], encoding="utf-8") as fh:
        manifest = json.load(fh)
    try:
        for path, wanted in manifest.items():
            print(json.dumps(pages_of(desktop, path, wanted)), flush=True)
    finally:
        # A LibreOffice stopped by a signal leaves its pipes and temporary folder in /tmp.
        try:
            desktop.terminate()
        except Exception:  # already gone: the caller stops the process
            pass
    sys.stdout.flush()
    os._exit(0)  # every answer is out: no teardown of the UNO bridge, which may crash at exit


if __name__ == "__main__":
    main()
