"""Word's own tracked changes in a redline DOCX (after the usual DOCX writer).

pandoc writes w:ins / w:del from the « insertion » / « deletion » spans (ctg/redline.py),
but gives an insertion and a deletion the same w:id and leaves paragraph marks and
table rows alone. Here every change gets its own id; a paragraph whose whole text is
inserted (deleted) gets an inserted (deleted) paragraph mark, and a table row whose
cells are all inserted (deleted) an inserted (deleted) row, so that « Accepter tout »
in Word leaves no empty paragraph or row behind.
"""

from __future__ import annotations

import datetime as dt
import io

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from .docx_post import normalize_zip

FIRST_ID = 100000  # above the ids of bookmarks and of pandoc's own numbering

_TEXT_RUN_PARENTS = (qn("w:p"), qn("w:hyperlink"), qn("w:ins"), qn("w:del"), qn("w:smartTag"))


def _text_runs(p) -> list:
    """Runs of a paragraph that carry text (fields and empty runs do not count)."""
    runs = []
    for r in p.iter(qn("w:r")):
        if r.find(qn("w:t")) is not None or r.find(qn("w:delText")) is not None or r.find(qn("w:tab")) is not None:
            runs.append(r)
    return runs


def _state(p) -> str | None:
    """« ins » or « del » when every text run of p is inside that kind of change."""
    runs = _text_runs(p)
    if not runs:
        return None
    kinds = set()
    for r in runs:
        parent = r.getparent()
        while parent is not None and parent.tag not in (qn("w:ins"), qn("w:del"), qn("w:p")):
            parent = parent.getparent()
        kinds.add(parent.tag if parent is not None else None)
    if kinds == {qn("w:ins")}:
        return "ins"
    if kinds == {qn("w:del")}:
        return "del"
    return None


def _first_change(p, kind: str):
    return next(iter(p.iter(qn(f"w:{kind}"))), None)


def _mark(container, kind: str, like) -> None:
    mark = OxmlElement(f"w:{kind}")
    mark.set(qn("w:id"), "0")
    for name in ("w:author", "w:date"):
        if like is not None and like.get(qn(name)) is not None:
            mark.set(qn(name), like.get(qn(name)))
    container.append(mark)


def _paragraph_marks(body) -> None:
    for p in body.iter(qn("w:p")):
        kind = _state(p)
        if kind is None:
            continue
        ppr = p.find(qn("w:pPr"))
        if ppr is None:
            ppr = OxmlElement("w:pPr")
            p.insert(0, ppr)
        rpr = ppr.find(qn("w:rPr"))
        if rpr is None:
            rpr = OxmlElement("w:rPr")
            sect = ppr.find(qn("w:sectPr"))
            if sect is not None:
                sect.addprevious(rpr)
            else:
                ppr.append(rpr)
        if rpr.find(qn(f"w:{kind}")) is None:
            _mark(rpr, kind, _first_change(p, kind))


def _row_marks(body) -> None:
    for tr in body.iter(qn("w:tr")):
        states = {_state(p) for p in tr.iter(qn("w:p")) if _text_runs(p)}
        if len(states) != 1 or None in states:
            continue
        kind = states.pop()
        trpr = tr.find(qn("w:trPr"))
        if trpr is None:
            trpr = OxmlElement("w:trPr")
            tc = tr.find(qn("w:tc"))
            (tc.addprevious(trpr) if tc is not None else tr.append(trpr))
        if trpr.find(qn(f"w:{kind}")) is None:
            _mark(trpr, kind, _first_change(tr, kind))


def _shell(change):
    """An empty w:ins / w:del with the same author and date."""
    el = OxmlElement("w:" + change.tag.split("}")[1])
    for name, value in change.attrib.items():
        el.set(name, value)
    return el


def _hyperlinks_out(body) -> None:
    """pandoc puts a link inside a change (w:ins > w:hyperlink), which Word's schema forbids and
    LibreOffice drops: put the change inside the link instead (w:hyperlink > w:ins > w:r)."""
    for link in list(body.iter(qn("w:hyperlink"))):
        change = link.getparent()
        if change is None or change.tag not in (qn("w:ins"), qn("w:del")):
            continue
        after = _shell(change)
        for sibling in list(link.itersiblings()):
            after.append(sibling)
        inner = _shell(change)
        for child in list(link):
            inner.append(child)
        link.append(inner)
        change.addnext(link)
        link.addnext(after)
        for el in (change, after):
            if len(el) == 0:
                el.getparent().remove(el)


def _unique_ids(body) -> int:
    n = FIRST_ID
    for el in body.iter(qn("w:ins"), qn("w:del")):
        el.set(qn("w:id"), str(n))
        n += 1
    return n - FIRST_ID


def track_changes(data: bytes, date: dt.date) -> bytes:
    """Finish the tracked changes of a redline DOCX (bytes in, bytes out)."""
    document = docx.Document(io.BytesIO(data))
    body = document.element.body
    _hyperlinks_out(body)
    _paragraph_marks(body)
    _row_marks(body)
    _unique_ids(body)
    out = io.BytesIO()
    document.save(out)
    return normalize_zip(out.getvalue(), date)
