"""One layout: every PDF the project writes for the bundled corpus is LibreOffice's layout of the
DOCX published beside it, page for page (conventions, avenants, délibération dossier, commune
forms), and the figures that depend on the layout agree everywhere.

The bundled corpus is built once (real pandoc, real LibreOffice, real pyHanko); each published
DOCX is then opened and exported by a separate LibreOffice, as a reader's LibreOffice would, and
compared page by page with the published PDF (pdftotext)."""

from __future__ import annotations

import functools
import json
import re
import subprocess
from pathlib import Path

import pikepdf
import pytest

from conftest import BUNDLED_FORMS_OF as FORMS_OF
from conftest import BUNDLED_REDLINE as REDLINE
from conftest import run_build
from fixture_corpus import ROOT
from pdf_text import pdftotext


@functools.cache
def pdf_text(pdf: Path, layout: bool = False) -> str:
    """pdftotext's text of a PDF, read once per test module (the PDFs are never written here)."""
    return pdftotext(pdf, *(["-layout"] if layout else []))


def words_by_page(pdf: Path) -> list[list[str]]:
    """The words of each page, as pdftotext reads them."""
    return [page.split() for page in pdf_text(pdf).split("\f")[:-1]]


@pytest.fixture(scope="module")
def bundled(corpus_project):
    """The bundled corpus built in full (documents, site, dossiers) plus the commune forms of
    FORMS_OF and the redline REDLINE (conftest.corpus_project, shared with the site tests)."""
    return corpus_project


@pytest.fixture(scope="module")
def pairs(bundled, tmp_path_factory) -> list[tuple[Path, Path]]:
    """(published PDF, the DOCX beside it opened and exported by another LibreOffice), for every PDF.

    The reference is a fresh LibreOffice loading the published DOCX as a reader's LibreOffice does
    (UNO load). « soffice --convert-to pdf » is not used: on a signature block kept with its closing
    that ends exactly at a page's foot, LibreOffice 7.4's batch conversion and its UNO load were seen
    to break the page one line apart, for the same file."""
    from ctg.writers.libreoffice import Job, lay_out

    pdfs = sorted((bundled / "dist").rglob("*.pdf"))
    out_dir = tmp_path_factory.mktemp("rendered")
    for pdf in pdfs:
        assert pdf.with_suffix(".docx").is_file(), f"{pdf} has no DOCX beside it"
    layouts = lay_out([Job(pdf.with_suffix(".docx").read_bytes(), [], pdf=True) for pdf in pdfs])
    out = []
    for n, (pdf, layout) in enumerate(zip(pdfs, layouts)):
        rendered = out_dir / f"{n:04d}.pdf"
        rendered.write_bytes(layout.pdf)
        out.append((pdf, rendered))
    return out


def read_in_full(pairs) -> list[tuple[Path, Path]]:
    """The pairs whose text is read page by page: every document, and of the commune forms (about a
    hundred copies of one template, all of them also in one file, which is read) one in eight."""
    forms = [pair for pair in pairs if _single_form(pair[0])]
    return [pair for pair in pairs if not _single_form(pair[0])] + forms[::8]


def _single_form(pdf: Path) -> bool:
    return "/formulaires/" in pdf.as_posix() and not pdf.stem.endswith("-formulaires")


def page_count(pdf: Path) -> int:
    with pikepdf.open(pdf) as opened:
        return len(opened.pages)


def test_every_pdf_is_the_layout_of_its_docx_page_for_page(pairs):
    kinds = {"convention": 0, "avenant": 0, "dossier": 0, "formulaire": 0}
    for published, rendered in pairs:  # every PDF: as many pages as the DOCX laid out again
        assert page_count(published) == page_count(rendered), published.name
    for published, rendered in read_in_full(pairs):  # and the same words on each page
        ours, theirs = words_by_page(published), words_by_page(rendered)
        assert len(ours) == len(theirs), (published.name, len(ours), len(theirs))
        for n, (a, b) in enumerate(zip(ours, theirs), start=1):
            assert a == b, (published.name, n, [w for w in a if w not in b][:8], [w for w in b if w not in a][:8])
        name = published.as_posix()
        kind = ("dossier" if "/deliberations/" in name else "formulaire" if "/formulaires/" in name
                else "avenant" if "-avenant-" in name else "convention")
        kinds[kind] += 1
    assert kinds["convention"] == 6 and kinds["avenant"] == 3 and kinds["dossier"] == 1
    assert kinds["formulaire"] > 10  # all forms in one file, and one in eight of the single ones
    assert sum(_single_form(p) for p, _ in pairs) > 100  # one per commune and SIVOM


def test_every_pdf_is_pdfa_tagged_french_titled_with_its_fonts_embedded(pairs):
    for published, _ in pairs:
        with pikepdf.open(published) as pdf:
            meta = pdf.open_metadata()
            assert (meta.get("pdfaid:part"), meta.get("pdfaid:conformance")) == ("2", "B"), published.name
            assert meta.get("pdfuaid:part") == "1"
            assert pdf.Root.OutputIntents[0].S == "/GTS_PDFA1"
            assert "/StructTreeRoot" in pdf.Root and str(pdf.Root.Lang) == "fr-FR"
            assert meta.get("dc:title") and str(pdf.docinfo.Title) == meta.get("dc:title")
            for page in pdf.pages:
                for font in (page.Resources.get("/Font") or {}).values():
                    desc = font.get("/FontDescriptor") or font.DescendantFonts[0].FontDescriptor
                    assert any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")), \
                        (published.name, str(font.BaseFont))


def _sommaire(pdf: Path) -> list[tuple[str, int]]:
    """(title, page) of each sommaire entry of the PDF's text (entries may wrap over two lines)."""
    text = pdftotext(pdf, "-layout", "-f", "2", "-l", "6")
    entries, pending, started = [], "", False
    for n, page in enumerate(text.split("\f")):
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        if started and lines:
            lines = lines[1:]  # the running header
        for line in lines:
            if not started:
                started = line == "Sommaire"
                continue
            if line.startswith("Page "):
                break
            m = re.match(r"(.*?) ?\.+ ?(\d+)$", line)
            if m:
                entries.append((" ".join(f"{pending} {m.group(1)}".split()), int(m.group(2))))
                pending = ""
            else:
                pending = f"{pending} {line}"
        if entries and not any(re.search(r"\.{4,}", x) for x in lines):
            break  # a page after the sommaire
    return entries


def test_outline_equals_the_sommaire_and_each_entry_is_on_its_page(pairs):
    conventions = [p for p, _ in pairs if "/formulaires/" not in p.as_posix() and "/deliberations/" not in p.as_posix()]
    for published in conventions:
        entries = _sommaire(published)
        assert entries, published.name
        pages = words_by_page(published)
        with pikepdf.open(published) as pdf:
            outline = []

            def walk(items):
                for item in items:
                    outline.append(" ".join(item.title.split()))
                    walk(item.children)

            walk(pdf.open_outline().root)
        titles = [" ".join(t.replace("\u00a0", " ").split()) for t, _ in entries]
        assert titles == [t.replace("\u00a0", " ") for t in outline], published.name
        for title, page in entries:
            first_words = title.replace("\u00a0", " ").split()[:3]
            page_text = " ".join(pages[page - 1]).replace("\u00a0", " ")
            assert " ".join(first_words) in page_text, (published.name, title, page)


def test_comporte_n_pages_is_the_page_of_the_last_signature_in_every_copy(bundled, pairs):
    own = {}
    for published, _ in pairs:
        if "/formulaires/" in published.as_posix() or "/deliberations/" in published.as_posix():
            continue
        pages = words_by_page(published)
        text = " ".join(" ".join(p) for p in pages)
        m = re.search(r"(La présente convention|Le présent avenant) comporte (\d+) pages", text)
        assert m, published.name
        with pikepdf.open(published) as pdf:
            index = {p.objgen: i for i, p in enumerate(pdf.pages)}
            fields = [f for f in pdf.Root.AcroForm.Fields if f.get("/FT") == "/Sig"] if "/AcroForm" in pdf.Root else []
            last = max(index[f.P.objgen] for f in fields) + 1 if fields else None
        if last is not None:  # the last signature field sits in the last signature cell
            assert int(m.group(2)) == last, published.name
        own[published.stem] = m.group(0)
    # the délibération's dossier cites each approved document with its own PDF's count
    dossier = next(p for p, _ in pairs if "/deliberations/" in p.as_posix())
    text = " ".join(" ".join(p) for p in words_by_page(dossier))
    rows = json.loads(run_build(bundled, "list", "--json").out)
    approved = next(r for r in rows if r["type"] == "délibération")
    for ext in ("docx", "pdf"):  # the full build wrote the dossier, and its manifest lists it
        assert (bundled / approved["sorties"][ext]).is_file()
        assert f"deliberations/{approved['identifiant']}.{ext}" in (bundled / "dist/MANIFEST.sha256").read_text()
    cited = re.findall(r"(?:La présente convention|Le présent avenant) comporte \d+ pages", text)
    assert len(cited) == 3
    for sentence in cited:
        assert sentence in own.values()
    for ident in ("ctg-cc-ternois-2023-2027", "ctg-cc-pays-opale-2022-2026-avenant-2023-001",
                  "ctg-cc-region-audruicq-2022-2026-avenant-2023-001"):
        assert own[ident] in cited, ident


def test_a_signature_block_stays_with_its_closing_and_no_cell_stands_alone(pairs):
    for published, _ in pairs:
        name = published.as_posix()
        if "/formulaires/" in name or "/deliberations/" in name:
            continue
        pages = [" ".join(p) for p in words_by_page(published)]
        closing = next(i for i, p in enumerate(pages) if "exemplaires originaux" in p)
        last = int(re.search(r"comporte (\d+) pages", " ".join(pages)).group(1))  # the body ends there
        cells = [i for i, p in enumerate(pages[:last]) if i >= closing
                 for _ in re.findall(r"\bPour (?:la|le|l['’])", p)]
        assert cells and cells[0] == closing, (published.name, closing, cells)  # « Fait à » with the first cell
        per_page = {i: cells.count(i) for i in set(cells)}
        assert all(n >= 2 for n in per_page.values()) or len(cells) == 1, (published.name, per_page)


#: Word's fonts and the free fonts with the same metrics that scripts/install.sh installs
METRIC_TWINS = {"Arial": "Liberation Sans", "Times New Roman": "Liberation Serif", "Courier New": "Liberation Mono",
                "Calibri": "Carlito", "Cambria": "Caladea"}


def test_reference_document_fonts_have_their_metric_twin_installed():
    import zipfile

    with zipfile.ZipFile(ROOT / "templates" / "reference.docx") as z:
        xml = z.read("word/styles.xml").decode("utf-8") + z.read("word/theme/theme1.xml").decode("utf-8")
    fonts = set(re.findall(r'w:(?:ascii|hAnsi)="([^"]+)"', xml)) | set(re.findall(r'<a:latin typeface="([^"]+)"', xml))
    assert "Arial" in fonts and not re.search(r"w:asciiTheme=\"minorHAnsi\"", xml.split("</w:docDefaults>")[0])
    for font in fonts:
        assert font in METRIC_TWINS, font  # Word has it, and LibreOffice lays it out with the same widths
        found = subprocess.run(["fc-match", "-f", "%{family}", font], capture_output=True, text=True).stdout
        assert METRIC_TWINS[font] in found, (font, found)


def test_every_docx_the_project_writes_is_valid_ooxml(bundled):
    """Conventions, avenants, consolidated versions, the délibération's dossier, every commune form
    and the redline: zero schema or semantic error (openxml-audit, the Open XML SDK's rules)."""
    from ooxml_check import ooxml_errors

    docxs = sorted((bundled / "dist").rglob("*.docx"))
    assert any("comparaison-" in d.name for d in docxs) and any("/formulaires/" in d.as_posix() for d in docxs)
    assert any("/deliberations/" in d.as_posix() for d in docxs)
    bad = {d.relative_to(bundled).as_posix(): errors[:3] for d in docxs if (errors := ooxml_errors(d))}
    assert bad == {}


def test_page_x_sur_y_is_true_on_every_page_of_every_pdf(pairs):
    """The footer's Y is the page count of the PDF and its X the page, in every document (a dossier
    is numbered as one document; pages without a footer are covers; the single commune forms are
    read one in eight, all of them being read in their common file)."""
    checked = 0
    for published, _ in read_in_full(pairs):
        pages = words_by_page(published)
        for n, words in enumerate(pages, start=1):
            text = " ".join(words).replace("\u00a0", " ")
            for x, y in re.findall(r"Page (\d+) sur (\d+)", text):
                assert (int(x), int(y)) == (n, len(pages)), (published.name, n, x, y)
                checked += 1
    assert checked > 200


def test_a_projet_says_so_on_every_page_of_its_docx_and_pdf_and_has_no_signature_field(pairs):
    """Rendered from the DOCX alone (a reader's LibreOffice) and as published: « PROJET » on every
    page, cover included; the published PDF has no signature field."""
    drafts = [(p, r) for p, r in pairs if "avenant-2024-001" in p.name]  # the corpus's projet
    assert drafts
    for published, rendered in drafts:
        for pdf in (rendered, published):
            assert all("PROJET" in words for words in words_by_page(pdf)), pdf.name
        with pikepdf.open(published) as pdf:
            fields = pdf.Root.AcroForm.Fields if "/AcroForm" in pdf.Root else []
            assert not [f for f in fields if f.get("/FT") == "/Sig"], published.name


def test_words_are_hyphenated_the_french_way_and_acronyms_never(pairs):
    """LibreOffice hyphenates (hyphen-fr, w:autoHyphenation): a long word in a narrow column is cut
    with a hyphen (« Accompagne- ment »), never mid-word without one (« Accompagneme nt »); a word
    in capitals (an acronym: « CCPO ») is never cut."""
    cabbalr = next(p for p, _ in pairs if p.name == "ctg-cabbalr-2021-2025.pdf")
    layout = pdf_text(cabbalr, layout=True)
    assert "Accompagneme " not in layout and "Accompagne-" in layout
    for published, _ in pairs:
        if "/formulaires/" in published.as_posix():
            continue
        text = pdf_text(published, layout=True)
        assert not re.findall(r"\b[A-Z]{2,}-(?:\s|$)", text), published.name
