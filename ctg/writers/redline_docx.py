"""Word's own tracked changes in a redline DOCX (around the usual DOCX writer).

pandoc writes w:ins / w:del from the « insertion » / « deletion » spans (ctg/redline.py),
but not Word's moves, gives an insertion and a deletion the same w:id (in the footnotes
too, where the ids start again), and leaves paragraph marks and table rows alone. So:

- before pandoc, for_pandoc() writes each « move-from » / « move-to » span as a deletion /
  insertion whose author carries the move's name after MOVE_SEP;
- after it, track_changes() turns those into w:moveFrom / w:moveTo (ECMA-376 §17.13.5),
  each move between a w:moveFromRangeStart / End pair and a w:moveToRangeStart / End pair
  of the same w:name; gives every change of the package (document and footnotes) its own
  id; and marks a paragraph whose whole text is inserted, deleted or moved with an
  inserted, deleted or moved paragraph mark, and a table row whose cells are all inserted
  (deleted) as an inserted (deleted) row, so that « Accepter tout » in Word leaves no
  empty paragraph or row behind.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools

import docx
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from lxml import etree

from ..core.ast import attr, map_inlines
from ..versions.redline_marks import DELETION, INSERTION, MOVE_FROM, MOVE_TO, change_of, move_name
from .docx_post import normalize_zip

FIRST_ID = 100000  # above the ids of bookmarks and of pandoc's own numbering
MOVE_SEP = "\ue000"  # between the author and the move name, from pandoc to track_changes (private use)
MOVE_ATTR = "ctg-move"  # the move name on a w:moveFrom / w:moveTo while the ranges are made (then removed)
NOTE_PARTS = ("/word/footnotes.xml", "/word/endnotes.xml")

INS, DEL, MOVE_FROM_TAG, MOVE_TO_TAG = qn("w:ins"), qn("w:del"), qn("w:moveFrom"), qn("w:moveTo")
CHANGE_TAGS = (INS, DEL, MOVE_FROM_TAG, MOVE_TO_TAG)
_LOCAL = {INS: "ins", DEL: "del", MOVE_FROM_TAG: "moveFrom", MOVE_TO_TAG: "moveTo"}


# ---------------------------------------------------------------- before pandoc


def for_pandoc(blocks: list) -> list:
    """Moves as the deletions and insertions pandoc writes, the move's name riding on the author."""

    def move(inline: dict):
        cls = change_of(inline)
        if cls not in (MOVE_FROM, MOVE_TO):
            return None
        kv = dict(inline["c"][0][2])
        kv["author"] = f"{kv.get('author', '')}{MOVE_SEP}{move_name(inline)}"
        kv.pop("move", None)
        return [{"t": "Span", "c": [attr(classes=[DELETION if cls == MOVE_FROM else INSERTION], kv=kv),
                                    inline["c"][1]]}]

    return map_inlines(blocks, move)


# ---------------------------------------------------------------- after pandoc


def _text_runs(p) -> list:
    """Runs of a paragraph that carry text (fields and empty runs do not count)."""
    runs = []
    for r in p.iter(qn("w:r")):
        if r.find(qn("w:t")) is not None or r.find(qn("w:delText")) is not None or r.find(qn("w:tab")) is not None:
            runs.append(r)
    return runs


def _change_of(el):
    """The change element (w:ins, w:del, w:moveFrom, w:moveTo) el is in, else None (up to its paragraph)."""
    parent = el.getparent()
    while parent is not None and parent.tag not in CHANGE_TAGS and parent.tag != qn("w:p"):
        parent = parent.getparent()
    return parent if parent is not None and parent.tag in CHANGE_TAGS else None


def _state(p) -> str | None:
    """The change of a paragraph's mark: « ins » / « del » when every text run of p is inserted / deleted;
    « moveTo » when every one is moved there (or changed inside the moved text), « moveFrom » likewise."""
    runs = _text_runs(p)
    if not runs:
        return None
    kinds = set()
    for r in runs:
        change = _change_of(r)
        kinds.add(_LOCAL[change.tag] if change is not None else None)
    if None in kinds:
        return None
    if kinds == {"ins"} or kinds == {"del"}:
        return kinds.pop()
    if "moveTo" in kinds and "moveFrom" not in kinds:
        return "moveTo"
    if kinds == {"moveFrom"}:
        return "moveFrom"
    return None


def _first_change(p, kind: str):
    return next(iter(p.iter(qn(f"w:{kind}"))), None)


def _mark(container, kind: str, like, first: bool = False) -> None:
    """A change of the paragraph mark (first in its w:rPr, as the schema orders it) or of the row (last)."""
    mark = OxmlElement(f"w:{kind}")
    mark.set(qn("w:id"), "0")
    for name in ("w:author", "w:date"):
        if like is not None and like.get(qn(name)) is not None:
            mark.set(qn(name), like.get(qn(name)))
    if first:
        container.insert(0, mark)
    else:
        container.append(mark)


def _paragraph_marks(root) -> None:
    for p in root.iter(qn("w:p")):
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
            _mark(rpr, kind, _first_change(p, kind), first=True)


def _row_marks(root) -> None:
    """A row has no move of its own (w:trPr takes w:ins and w:del): a moved row is deleted here, inserted there."""
    as_row = {"ins": "ins", "moveTo": "ins", "del": "del", "moveFrom": "del"}
    for tr in root.iter(qn("w:tr")):
        states = {as_row.get(_state(p)) for p in tr.iter(qn("w:p")) if _text_runs(p)}
        if len(states) != 1 or None in states:
            continue
        kind = states.pop()
        trpr = tr.find(qn("w:trPr"))
        if trpr is None:
            trpr = OxmlElement("w:trPr")
            tc = tr.find(qn("w:tc"))
            (tc.addprevious(trpr) if tc is not None else tr.append(trpr))
        if trpr.find(qn(f"w:{kind}")) is None:
            like = next((el for el in tr.iter(*CHANGE_TAGS) if as_row[_LOCAL[el.tag]] == kind), None)
            _mark(trpr, kind, like)


def _shell(change):
    """An empty change element of the same kind, author, date (and move)."""
    el = OxmlElement("w:" + _LOCAL[change.tag])
    for name, value in change.attrib.items():
        el.set(name, value)
    return el


def _hyperlinks_out(root) -> None:
    """pandoc puts a link inside a change (w:ins > w:hyperlink), which Word's schema forbids and
    LibreOffice drops: put the change inside the link instead (w:hyperlink > w:ins > w:r)."""
    for link in list(root.iter(qn("w:hyperlink"))):
        change = link.getparent()
        if change is None or change.tag not in CHANGE_TAGS:
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


def _moves(root) -> None:
    """pandoc's deletions and insertions that carry a move name become w:moveFrom / w:moveTo (whose
    text is w:t, not w:delText)."""
    for el in list(root.iter(INS, DEL)):
        author = el.get(qn("w:author")) or ""
        if MOVE_SEP not in author:
            continue
        author, name = author.split(MOVE_SEP, 1)
        el.set(qn("w:author"), author)
        el.set(MOVE_ATTR, name)
        if el.tag == DEL:
            el.tag = MOVE_FROM_TAG
            for text in el.iter(qn("w:delText")):
                text.tag = qn("w:t")
            for instr in el.iter(qn("w:delInstrText")):
                instr.tag = qn("w:instrText")
        else:
            el.tag = MOVE_TO_TAG


def _orphan_deletions(root) -> None:
    """pandoc writes the text of a deleted call's footnote as w:delText outside any w:del (the space
    after the note's number): such runs go into a deletion like the paragraph's own."""
    for text in list(root.iter(qn("w:delText"))):
        run = text.getparent()
        if _change_of(run) is not None:
            continue
        p = next((a for a in run.iterancestors(qn("w:p"))), None)
        like = next(iter(p.iter(DEL)), None) if p is not None else None
        if like is None:
            text.tag = qn("w:t")
            continue
        shell = _shell(like)
        run.addprevious(shell)
        shell.append(run)


def _ranges(root, ids) -> None:
    """Each move's w:moveFrom (w:moveTo) elements between one w:moveFromRangeStart and its
    w:moveFromRangeEnd (same w:id), the start naming the move, with its author and date."""
    groups: dict[tuple[str, str], list] = {}
    for el in root.iter(MOVE_FROM_TAG, MOVE_TO_TAG):
        name = el.get(MOVE_ATTR)
        if name is not None:
            groups.setdefault((_LOCAL[el.tag], name), []).append(el)
    for (kind, name), elements in groups.items():
        rid = str(next(ids))
        start = OxmlElement(f"w:{kind}RangeStart")
        start.set(qn("w:id"), rid)
        for attribute in ("w:author", "w:date"):
            if elements[0].get(qn(attribute)) is not None:
                start.set(qn(attribute), elements[0].get(qn(attribute)))
        start.set(qn("w:name"), name)
        end = OxmlElement(f"w:{kind}RangeEnd")
        end.set(qn("w:id"), rid)
        elements[0].addprevious(start)
        elements[-1].addnext(end)
        for el in elements:
            del el.attrib[MOVE_ATTR]


def _unique_ids(root, ids) -> None:
    for el in root.iter(*CHANGE_TAGS):
        el.set(qn("w:id"), str(next(ids)))


def _finish(root, ids) -> None:
    _moves(root)
    _orphan_deletions(root)
    _hyperlinks_out(root)
    _paragraph_marks(root)
    _row_marks(root)
    _ranges(root, ids)
    _unique_ids(root, ids)


def track_changes(data: bytes, date: dt.date) -> bytes:
    """Finish the tracked changes of a redline DOCX (bytes in, bytes out); ids are unique across the
    package: document, footnotes and endnotes."""
    document = docx.Document(io.BytesIO(data))
    ids = itertools.count(FIRST_ID)
    _finish(document.element.body, ids)
    for part in document.part.package.iter_parts():
        if str(part.partname) in NOTE_PARTS:
            root = parse_xml(part.blob)
            _finish(root, ids)
            part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    out = io.BytesIO()
    document.save(out)
    return normalize_zip(out.getvalue(), date)
