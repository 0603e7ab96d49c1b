"""The produced PDF, opened with pikepdf and pypdf: PDF/A, outline, text, signature fields
(real pandoc, real LibreOffice, real pyHanko; one signature made with a generated certificate)."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
from pathlib import Path

import pikepdf
import pypdf
import pytest
from conftest import run_build
from fixture_corpus import CONV, MINIMAL, as_typed, write_project

from ctg.build.pipeline import assemble_checked, load_and_check
from ctg.checks.validate import find_placeholders
from ctg.core import pandoc
from ctg.core.ast import headings
from ctg.core.diagnostics import Diagnostics
from ctg.core.project import Project

CONVENTION = "ctg-test-2022-2026"
AVENANT = "ctg-test-2022-2026-avenant-2023-001"
# The avenant is a draft here: one build gives a final document and a draft.
FILES = {f"{CONV}/avenants/2023-001.md": MINIMAL[f"{CONV}/avenants/2023-001.md"].replace(
    "statut: signée", "statut: projet")}
PAYSAGE = ("Équipements et services soutenus", "Plan d'actions")


def pdf_path(root: Path, ident: str) -> Path:
    return root / "dist" / "ctg-test-2022-2026" / f"{ident}.pdf"


def build_pdf(root: Path, *ids: str) -> None:
    result = run_build(root, "pdf", *ids)
    assert result.code == 0, result.err


@pytest.fixture(scope="session")
def pdf_project(tmp_path_factory):
    root = write_project(tmp_path_factory.mktemp("pdf"), FILES)
    build_pdf(root)
    return root


@pytest.fixture(scope="session")
def docs(pdf_project):
    project = Project(pdf_project)
    diags = Diagnostics(project.root)
    return assemble_checked(project, load_and_check(project, diags), diags)


def normalise(text: str) -> str:
    text = re.sub(r"(\w)-\n(\w)", r"\1\2", text)  # words hyphenated at line ends
    text = re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("\u202f", " ").replace("\u2060", ""))
    return as_typed(text)


def page_texts(path: Path) -> list[str]:
    return [normalise(p.extract_text() or "") for p in pypdf.PdfReader(path).pages]


def level1_titles(doc) -> list[str]:
    return [normalise(t) for level, _i, t in headings(pandoc.to_ast(doc.markdown)["blocks"]) if level == 1]


def signature_fields(pdf: pikepdf.Pdf) -> list[dict]:
    pages = {p.objgen: i for i, p in enumerate(pdf.pages)}
    out = []
    for f in pdf.Root.AcroForm.Fields:
        if f.get("/FT") != "/Sig":
            continue
        out.append({"name": str(f.T), "page": pages[f.P.objgen], "rect": [float(v) for v in f.Rect],
                    "signed": "/V" in f})
    return out


def text_positions(page: pypdf.PageObject) -> list[tuple[str, float, float]]:
    found = []

    def visit(text, cm, tm, _font, _size):
        if text.strip():  # the text's origin in page space: tm × cm
            x = float(tm[4]) * float(cm[0]) + float(tm[5]) * float(cm[2]) + float(cm[4])
            y = float(tm[4]) * float(cm[1]) + float(tm[5]) * float(cm[3]) + float(cm[5])
            found.append((normalise(text), x, y))

    page.extract_text(visitor_text=visit)
    return found


@pytest.mark.parametrize("ident", [CONVENTION, AVENANT])
def test_pdfa_identification_output_intent_and_metadata(pdf_project, docs, ident):
    with pikepdf.open(pdf_path(pdf_project, ident)) as pdf:
        meta = pdf.open_metadata()
        assert meta.get("pdfaid:part") == "2" and meta.get("pdfaid:conformance") == "B"  # PDF/A-2b
        assert meta.get("pdfuaid:part") == "1"  # PDF/UA-1, as LibreOffice identifies it
        day = docs[ident].date.isoformat()  # the document's own date, not the clock's
        assert meta.get("dc:title") == docs[ident].title and meta.get("xmp:CreateDate") == f"{day}T00:00:00+00:00"
        intents = pdf.Root.OutputIntents
        assert len(intents) >= 1 and intents[0].S == "/GTS_PDFA1"
        assert str(pdf.Root.Lang).startswith("fr")
        assert "/StructTreeRoot" in pdf.Root  # tagged for accessibility
        info = pdf.docinfo
        assert str(info.Title) == docs[ident].title
        assert str(info.Author) == docs[ident].author == "Caisse d'allocations familiales du Pas-de-Calais"
        assert "convention territoriale globale" in str(info.Subject).lower()
        assert str(info.CreationDate) == str(info.ModDate)  # the incremental update kept the document's date


def test_outline_has_preambule_every_article_and_annex(pdf_project, docs):
    for ident in (CONVENTION, AVENANT):
        reader = pypdf.PdfReader(pdf_path(pdf_project, ident))
        top = [normalise(item.title) for item in reader.outline if not isinstance(item, list)]
        expected = level1_titles(docs[ident])
        assert top == expected
    conv = level1_titles(docs[CONVENTION])
    assert conv[0] == "Préambule"
    assert sum(t.startswith("Article ") for t in conv) == 14
    assert sum(t.startswith("Annexe ") for t in conv) == 4


def test_text_has_titles_signatories_page_count_and_no_placeholder(pdf_project, docs):
    for ident in (CONVENTION, AVENANT):
        doc = docs[ident]
        texts = page_texts(pdf_path(pdf_project, ident))
        whole = " ".join(texts)
        for title in level1_titles(doc):
            assert title in whole
        for s in doc.signatories:
            assert normalise(s.person) in whole
        assert not find_placeholders(re.sub(r"\.{4,} ?\d+", "", whole))  # the sommaire's leaders are no blanks
        assert f"Page 2 sur {len(texts)}" in texts[1] and "Sommaire" in texts[1]
        assert "Page" not in texts[0]  # the cover has neither header nor footer
        m = re.search(r"comporte (\d+) pages", whole)
        last_signature_page = max(i for i, t in enumerate(texts) if normalise(doc.signatories[-1].person) in t) + 1
        assert m and int(m.group(1)) == last_signature_page


def test_a_projet_gets_no_signature_field(pdf_project):
    with pikepdf.open(pdf_path(pdf_project, AVENANT)) as pdf:
        assert signature_fields(pdf) == [] if "/AcroForm" in pdf.Root else True
        assert pdf.open_metadata().get("pdfaid:part") == "2"


def test_one_signature_field_per_signatory_over_its_cell(pdf_project, docs):
    for ident in (CONVENTION,):
        doc = docs[ident]
        reader = pypdf.PdfReader(pdf_path(pdf_project, ident))
        with pikepdf.open(pdf_path(pdf_project, ident)) as pdf:
            fields = signature_fields(pdf)
        assert len(fields) == len(doc.signatories)
        assert len({f["name"] for f in fields}) == len(fields)
        closing_page = next(i for i, t in enumerate(page_texts(pdf_path(pdf_project, ident))) if "Fait à" in t)
        for field, signatory in zip(fields, doc.signatories):
            assert field["name"] in signatory.organisation[:1].upper() + signatory.organisation[1:] \
                or field["name"].lower() in signatory.organisation.lower()
            assert not field["signed"]
            page = reader.pages[field["page"]]
            x1, y1, x2, y2 = field["rect"]
            llx, lly, urx, ury = (float(v) for v in page.mediabox)
            assert llx <= x1 < x2 <= urx and lly <= y1 < y2 <= ury
            assert x2 - x1 > 150 and y2 - y1 >= 45  # room to sign
            assert field["page"] >= closing_page
            # Inside the signatory's cell: just below the signatory's name, in the same column.
            surname = signatory.person.split()[-1]
            spots = [(x, y) for text, x, y in text_positions(page) if surname in text]
            assert spots, f"{surname} not on the page of its field"
            assert any(x1 - 12 <= x <= x2 and 0 <= y - y2 <= 80 for x, y in spots), (field, spots)


def test_landscape_annexes_are_wider_than_high_and_portrait_returns(pdf_project):
    reader = pypdf.PdfReader(pdf_path(pdf_project, CONVENTION))
    seen = {}
    for item in reader.outline:
        if isinstance(item, list) or not item.title.startswith("Annexe"):
            continue
        box = reader.pages[reader.get_destination_page_number(item)].mediabox
        seen[normalise(item.title)] = float(box.width) > float(box.height)
    assert len(seen) == 4
    for title, landscape in seen.items():
        assert landscape == any(p in title for p in PAYSAGE), title
    assert float(reader.pages[-1].mediabox.width) < float(reader.pages[-1].mediabox.height)


def test_draft_watermark_on_every_page_only_while_projet(pdf_project):
    draft = page_texts(pdf_path(pdf_project, AVENANT))
    assert all("PROJET" in t for t in draft)
    final = page_texts(pdf_path(pdf_project, CONVENTION))
    assert not any("PROJET" in t for t in final)


def test_two_builds_are_byte_identical(pdf_project, tmp_path):
    other = write_project(tmp_path / "again", FILES)
    build_pdf(other)
    for ident in (CONVENTION, AVENANT):
        assert pdf_path(other, ident).read_bytes() == pdf_path(pdf_project, ident).read_bytes()


# ---------------------------------------------------------------- signing

@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    folder = tmp_path_factory.mktemp("cert")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Signataire de test"),
                      x509.NameAttribute(NameOID.COUNTRY_NAME, "FR")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), critical=False)
            .sign(key, hashes.SHA256()))
    (folder / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                       serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return folder / "key.pem", folder / "cert.pem"


def in_own_thread(function, *args, **kwargs):
    """function(*args, **kwargs) run in a thread of its own. pyHanko's signing and validation run
    their own event loop (asyncio.run), which cannot start in a thread whose loop is running:
    Playwright's sync API keeps one in the main thread of a worker that has run a browser test."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()


def sign(data: bytes, field: str, certificate) -> bytes:
    """The PDF signed in field, as a signatory's pyHanko does."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    signer = signers.SimpleSigner.load(str(certificate[0]), str(certificate[1]))
    out = in_own_thread(signers.sign_pdf, IncrementalPdfFileWriter(io.BytesIO(data)),
                        signers.PdfSignatureMetadata(field_name=field), signer=signer)
    return out.getvalue()


def validate_all(data: bytes, certificate) -> list:
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    context = ValidationContext(trust_roots=[load_cert_from_pemder(str(certificate[1]))])
    reader = PdfFileReader(io.BytesIO(data))
    return [in_own_thread(validate_pdf_signature, sig, context) for sig in reader.embedded_signatures]


def test_signing_one_field_leaves_the_others_signable_and_pdfa(pdf_project, docs, certificate, tmp_path):
    original = pdf_path(pdf_project, CONVENTION).read_bytes()
    with pikepdf.open(io.BytesIO(original)) as pdf:
        names = [f["name"] for f in signature_fields(pdf)]
    assert len(names) == 2

    once = sign(original, names[0], certificate)
    statuses = validate_all(once, certificate)
    assert len(statuses) == 1 and statuses[0].intact and statuses[0].valid and statuses[0].trusted
    with pikepdf.open(io.BytesIO(once)) as pdf:
        fields = {f["name"]: f for f in signature_fields(pdf)}
        assert fields[names[0]]["signed"] and not fields[names[1]]["signed"]
        assert pdf.open_metadata().get("pdfaid:part") == "2"
        assert len(pdf.Root.OutputIntents) >= 1

    twice = sign(once, names[1], certificate)
    statuses = validate_all(twice, certificate)
    assert len(statuses) == 2 and all(s.intact and s.valid for s in statuses)
    with pikepdf.open(io.BytesIO(twice)) as pdf:
        assert all(f["signed"] for f in signature_fields(pdf))
        assert pdf.open_metadata().get("pdfaid:part") == "2"


# ---------------------------------------------------------------- user errors

def test_logo_on_the_cover(make_project):
    from PIL import Image

    png = io.BytesIO()
    Image.new("RGB", (120, 60), (0, 90, 160)).save(png, format="PNG")
    org = MINIMAL["conventions/_registre/organisations/caf62.yaml"]
    root = make_project({"conventions/_registre/organisations/caf62.yaml": org + "logo: logos/caf62.png\n",
                         "conventions/_registre/logos/caf62.png": png.getvalue()})
    build_pdf(root, CONVENTION)
    with pikepdf.open(pdf_path(root, CONVENTION)) as pdf:
        assert pdf.open_metadata().get("pdfaid:part") == "2"
    # pages that draw an image (LibreOffice shares one resource dictionary between pages)
    listing = subprocess.run(["pdfimages", "-list", str(pdf_path(root, CONVENTION))], capture_output=True,
                             text=True, check=True).stdout.splitlines()[2:]
    assert sorted({int(line.split()[0]) for line in listing}) == [1]
