"""Empty signature fields, one per signatory, added with pyHanko as an incremental update.

Positions come in points from the top-left corner of the page; PDF's origin is the
bottom-left corner. The update is reproducible:
pyHanko would stamp the current time as modification date and draw a random
second file identifier; both are pinned here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import math
from dataclasses import dataclass

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.metadata.model import VENDOR, DocumentMetadata
from pyhanko.sign.fields import SigFieldSpec, append_signature_field


#: what pyHanko writes as the producer in the XMP packet of the PDF it updates
SIGNING_TOOL = VENDOR


@dataclass(frozen=True)
class FieldSpec:
    name: str  # the field's name, as a parapheur shows it
    tooltip: str  # alternate description (/TU), for screen readers
    page: int  # 0-based
    x: float  # points from the left edge
    y: float  # points from the top edge
    w: float
    h: float


class _PinnedClockMetadata(DocumentMetadata):
    """pyHanko sets last_modified to 'now' just before writing: keep our date instead."""

    pinned: dt.datetime | None = None

    def __setattr__(self, name, value):
        if name == "last_modified" and value == "now" and self.pinned is not None:
            value = self.pinned
        super().__setattr__(name, value)


def _page_height(writer: IncrementalPdfFileWriter, page: int) -> float:
    page_ref = writer.find_page_for_modification(page)[0]
    llx, lly, urx, ury = (float(v) for v in page_ref.get_object()["/MediaBox"])
    return ury - lly


def pdf_box(spec: FieldSpec, page_height: float) -> tuple[int, int, int, int]:
    """(x1, y1, x2, y2) in PDF coordinates, rounded inwards to whole points."""
    x1, x2 = math.ceil(spec.x), math.floor(spec.x + spec.w)
    top, bottom = page_height - spec.y, page_height - spec.y - spec.h
    return x1, math.ceil(bottom), x2, math.floor(top)


def add_signature_fields(pdf: bytes, fields: list[FieldSpec], modified: dt.datetime) -> bytes:
    if not fields:
        return pdf
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    meta = _PinnedClockMetadata()
    meta.pinned = modified
    writer._meta = meta  # noqa: SLF001 — see _PinnedClockMetadata
    digest = hashlib.sha256(pdf + "\n".join(f.name for f in fields).encode("utf-8")).digest()[:16]
    first_id = writer._document_id[0]  # noqa: SLF001 — keep the original's first identifier (ISO 32000 § 14.4)
    writer._document_id = generic.ArrayObject([first_id, generic.ByteStringObject(digest)])  # noqa: SLF001
    for spec in fields:
        box = pdf_box(spec, _page_height(writer, spec.page))
        append_signature_field(writer, SigFieldSpec(
            sig_field_name=spec.name, on_page=spec.page, box=box, readable_field_name=spec.tooltip,
            empty_field_appearance=True,
        ))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
