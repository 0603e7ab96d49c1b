"""PDF writer: assembled document (parsed AST) → PDF/A for signature.

pandoc writes Typst with templates/typst/convention.typ; one typst.Compiler
compiles it and answers the query for the signature zones (cheap once
compiled); signature_fields.py then adds one empty signature field per
signatory over its zone. A pure function of its inputs: no clock.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import typst

from ..core import pandoc
from ..core.document import AssembledDocument
from .signature_fields import FieldSpec, add_signature_fields
from .typst_layout import image_targets, layout, typst_string

# PDF/A-2u: PDF/A-2b plus a Unicode mapping for all text. Not 2a: pyHanko's widgets have no structure entries.
PDF_STANDARD = "a-2u"
ZONE_LABEL = "<ctg-signature-zone>"
IMAGES = "images"


@dataclass(frozen=True)
class PdfOptions:
    template: Path  # templates/typst/convention.typ
    resources: tuple[Path, ...]  # folders image paths may be relative to, searched in order
    timestamp: int | None = None  # SOURCE_DATE_EPOCH; default: the document's own date


class LayoutError(RuntimeError):
    """Typst could not lay the document out; message in French for the user."""


@dataclass(frozen=True)
class Zone:
    org_id: str
    page: int  # 1-based
    x: float  # points, from the top-left corner of the page (Typst's coordinates)
    y: float
    w: float
    h: float


def subject(doc: AssembledDocument) -> str:
    if doc.kind == "dossier":  # ctg/compose.py: a délibération with its rapport and approved documents
        return doc.title
    kind = "Avenant à la convention territoriale globale" if doc.kind == "avenant" \
        else "Convention territoriale globale"
    territory = doc.territory[:1].upper() + doc.territory[1:]
    return f"{kind} – {territory} – {doc.start.year}-{doc.end.year}"


def template_data(doc: AssembledDocument) -> str:
    """The $ctg$ dictionary of the template, as a Typst literal."""
    keywords = ", ".join(typst_string(k) for k in doc.keywords)
    fields = {
        "title": typst_string(doc.title),
        "short-title": typst_string(doc.short_title),
        "author": typst_string(doc.author),
        "subject": typst_string(subject(doc)),
        "keywords": f"({keywords}{',' if len(doc.keywords) == 1 else ''})",
        "draft": "true" if doc.is_draft else "false",
        "parts": "true" if doc.kind == "dossier" else "false",  # parts with their own page numbers
    }
    return "(" + ", ".join(f"{k}: {v}" for k, v in fields.items()) + ")"


def typst_source(doc: AssembledDocument, ast: dict, options: PdfOptions) -> tuple[bytes, dict[str, Path]]:
    """The Typst source, and the images it uses: {name beside the source: file}."""
    images: dict[str, Path] = {}

    def rename(target: str) -> str:
        found = next((d / target for d in options.resources if (d / target).is_file()), None)
        if found is None:
            raise LayoutError(f"l'image « {target} » est introuvable (cherchée dans "
                              f"{', '.join(d.name + '/' for d in options.resources)}).")
        name = f"{IMAGES}/{len(images) + 1}{found.suffix.lower()}"
        images[name] = found
        return name

    typ_ast = image_targets(layout(ast), rename)
    # The cover and the metadata are the template's: pandoc's own title block is not wanted.
    typ_ast["meta"] = {}
    source = pandoc.from_ast(typ_ast, "typst", ["--template", str(options.template),
                                                "-V", f"ctg={template_data(doc)}"])
    return source, images


def creation_timestamp(doc: AssembledDocument, override: int | None) -> int:
    if override is not None:
        return override
    return int(dt.datetime(doc.date.year, doc.date.month, doc.date.day, tzinfo=dt.timezone.utc).timestamp())


def compile_typst(source: bytes, images: dict[str, Path], timestamp: int) -> tuple[bytes, list[Zone]]:
    """Compile, then query the signature zones with the same compiler (no second layout).

    typst.Compiler can only query a source read from a file: the source and
    copies of its images go to a temporary folder, Typst's root.
    """
    with tempfile.TemporaryDirectory(prefix="ctg-pdf-") as tmp:
        main = Path(tmp) / "document.typ"
        main.write_bytes(source)
        for name, path in images.items():
            (Path(tmp) / name).parent.mkdir(exist_ok=True)
            shutil.copyfile(path, Path(tmp) / name)
        # Embedded fonts only: the same PDF on every machine.
        compiler = typst.Compiler(str(main), root=tmp, font_paths=[], ignore_system_fonts=True)
        try:
            pdf = compiler.compile(format="pdf", pdf_standards=PDF_STANDARD, timestamp=timestamp)
            zones = json.loads(compiler.query(ZONE_LABEL, field="value", format="json"))
        except typst.TypstError as exc:
            raise LayoutError(french_typst_error(exc)) from exc
    return pdf, [Zone(z["id"], z["page"], z["x"], z["y"], z["w"], z["h"]) for z in zones]


def french_typst_error(exc: typst.TypstError) -> str:
    message = getattr(exc, "message", str(exc))
    if "image" in message or "decode" in message:
        return f"une image du document ne peut pas être lue ({message})."
    if "PDF/A" in message:
        return f"le document ne respecte pas la norme PDF/A ({message})."
    return f"Typst n'a pas pu mettre le document en page ({message})."


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


def write_pdf(doc: AssembledDocument, ast: dict, options: PdfOptions) -> bytes:
    timestamp = creation_timestamp(doc, options.timestamp)
    source, images = typst_source(doc, ast, options)
    pdf, zones = compile_typst(source, images, timestamp)
    by_org = {z.org_id: z for z in zones}
    if len(by_org) != len(doc.signatories) or any(s.org_id not in by_org for s in doc.signatories):
        raise RuntimeError(f"{doc.id}: signature zones {sorted(by_org)} do not match the signatories")
    taken: set[str] = set()
    fields = []
    for s in doc.signatories:
        z = by_org[s.org_id]
        fields.append(FieldSpec(name=field_name(s.organisation, taken),
                                tooltip=f"Signature de {s.person}, {s.function}, pour {s.organisation}",
                                page=z.page - 1, x=z.x, y=z.y, w=z.w, h=z.h))
    modified = dt.datetime.fromtimestamp(timestamp, tz=dt.timezone.utc)
    return add_signature_fields(pdf, fields, modified)
