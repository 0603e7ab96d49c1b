"""PDF writer: LibreOffice's export of the DOCX (libreoffice.py) → the PDF for signature.

The layout, the page numbers and the PDF/A-2b identification are LibreOffice's, from the
same layout as the DOCX published beside it. This module only finishes that PDF, as a pure
function of its inputs (no clock):
- the metadata that LibreOffice writes from the clock or splits (creation date, keywords)
  are pinned to the document's own, with a deterministic file identifier;
- one empty signature field per signatory is added (signature_fields.py), over the zone that
  the DOCX writer bookmarked in that signatory's cell (« signature-<organisation> »), found
  through the named destinations of the PDF. A « projet » gets none.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import struct
from dataclasses import dataclass

import pikepdf

from ..core.document import AssembledDocument
from .docx_layout import SIGNATURE_ZONE_HEIGHT_PT, signature_zone_name
from .signature_fields import SIGNING_TOOL, FieldSpec, add_signature_fields


# the field stays a little inside its zone, clear of the cell's lower border
FIELD_INSET_PT = 6.0


class LayoutError(RuntimeError):
    """The layout cannot be finished as a PDF for signature; message in French for the user."""


@dataclass(frozen=True)
class Zone:
    page: int  # 0-based
    x: float  # points, from the left edge
    top: float  # points, from the bottom edge (PDF coordinates)


def subject(doc: AssembledDocument) -> str:
    if doc.kind in ("dossier", "formulaire"):  # a délibération's dossier (ctg/compose.py), commune forms
        return doc.title
    kind = "Avenant à la convention territoriale globale" if doc.kind == "avenant" \
        else "Convention territoriale globale"
    territory = doc.territory[:1].upper() + doc.territory[1:]
    return f"{kind} – {territory} – {doc.start.year}-{doc.end.year}"


def creation_timestamp(doc: AssembledDocument, override: int | None) -> int:
    if override is not None:
        return override
    return int(dt.datetime(doc.date.year, doc.date.month, doc.date.day, tzinfo=dt.timezone.utc).timestamp())


def field_name(organisation: str, taken: set[str]) -> str:
    """The organisation's name without its article; PDF field names may not contain periods."""
    name = organisation
    for article in ("la ", "le ", "les ", "l'", "l’"):
        if name.lower().startswith(article):
            name = name[len(article):]
            break
    name = (name[:1].upper() + name[1:]).replace(".", "")
    base, n = name, 2
    while name in taken:
        name, n = f"{base} ({n})", n + 1
    taken.add(name)
    return name


def _pin_metadata(pdf: pikepdf.Pdf, doc: AssembledDocument, when: dt.datetime, producer: str | None) -> None:
    """Dates from the document (not the clock), author and keywords as written (LibreOffice
    escapes the apostrophe twice and splits keywords at spaces), the subject: in the XMP packet
    and the document information dictionary alike (PDF/A wants them equal). producer: the one
    pyHanko will write in the XMP packet when it adds the signature fields."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    info = {"/Title": doc.title, "/Author": doc.author, "/Subject": subject(doc),
            "/Keywords": ", ".join(doc.keywords)}
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta["xmp:CreateDate"] = stamp
        meta["xmp:ModifyDate"] = stamp
        meta["xmp:MetadataDate"] = stamp
        meta["dc:title"] = doc.title
        meta["dc:creator"] = [doc.author]
        meta["dc:description"] = subject(doc)
        meta["pdf:Keywords"] = info["/Keywords"]
        if producer:
            meta["pdf:Producer"] = info["/Producer"] = producer
    for name, value in info.items():
        pdf.docinfo[name] = value
    pdf.docinfo["/CreationDate"] = pdf.docinfo["/ModDate"] = when.strftime("D:%Y%m%d%H%M%SZ")
    # LibreOffice makes the output intent's ICC profile afresh, dated with the clock (ICC.1 § 7.2.8)
    for intent in pdf.Root.get("/OutputIntents", []):
        profile = intent.get("/DestOutputProfile")
        if profile is not None:
            data = bytearray(profile.read_bytes())
            data[24:36] = struct.pack(">6H", when.year, when.month, when.day, when.hour, when.minute, when.second)
            profile.write(bytes(data))


def _zones(pdf: pikepdf.Pdf) -> dict[str, Zone]:
    """Named destinations of the signature zones: {destination name: zone}."""
    pages = {page.objgen: i for i, page in enumerate(pdf.pages)}
    dests = pdf.Root.get("/Dests")
    names: list[tuple[str, pikepdf.Object]] = []
    if dests is not None:
        names = [(str(k)[1:], v) for k, v in dests.items()]
    elif "/Names" in pdf.Root and "/Dests" in pdf.Root.Names:
        names = list(pikepdf.NameTree(pdf.Root.Names.Dests).items())
    out = {}
    for name, dest in names:
        if isinstance(dest, pikepdf.Dictionary):
            dest = dest.D
        if len(dest) >= 4 and dest[1] == pikepdf.Name.XYZ and dest[0].objgen in pages:
            out[name] = Zone(pages[dest[0].objgen], float(dest[2]), float(dest[3]))
    return out


def _signature_specs(pdf: pikepdf.Pdf, doc: AssembledDocument, zone_width: float) -> list[FieldSpec]:
    zones = _zones(pdf)
    taken: set[str] = set()
    specs = []
    for s in doc.signatories:
        zone = zones.get(signature_zone_name(s.org_id))
        if zone is None:
            raise LayoutError(f"la zone de signature de « {s.organisation} » est absente de la mise en page.")
        height = float(pdf.pages[zone.page].MediaBox[3])
        specs.append(FieldSpec(name=field_name(s.organisation, taken),
                               tooltip=f"Signature de {s.signer}, pour {s.organisation}",
                               page=zone.page, x=zone.x, y=height - zone.top, w=zone_width,
                               h=SIGNATURE_ZONE_HEIGHT_PT - FIELD_INSET_PT))
    return specs


def finish_pdf(exported: bytes, doc: AssembledDocument, zone_width: float, timestamp: int | None,
               fields: bool = True) -> bytes:
    """The PDF for signature from LibreOffice's export of the document's DOCX.

    zone_width: width of a signature zone in points (the signature cell's text width, from the
    DOCX); fields=False for a copy that is not signed (a document reproduced in a dossier).
    """
    when = dt.datetime.fromtimestamp(creation_timestamp(doc, timestamp), tz=dt.timezone.utc)
    with pikepdf.open(io.BytesIO(exported)) as pdf:
        specs = _signature_specs(pdf, doc, zone_width) if fields and not doc.is_draft else []
        _pin_metadata(pdf, doc, when, SIGNING_TOOL if specs else None)
        if "/DocChecksum" in pdf.trailer:  # LibreOffice's checksum of a file made at another time
            del pdf.trailer["/DocChecksum"]
        # LibreOffice's file identifier is drawn at random: one from the document itself instead
        first = hashlib.md5(f"{doc.id}\0{when.isoformat()}\0{doc.markdown}".encode("utf-8")).digest()
        pdf.trailer.ID = pikepdf.Array([pikepdf.String(first), pikepdf.String(first)])
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
    return add_signature_fields(out.getvalue(), specs, when)
