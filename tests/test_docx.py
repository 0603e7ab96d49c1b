"""The produced DOCX, opened with python-docx and as XML, and rendered by LibreOffice."""

from __future__ import annotations

import os
import re
import tempfile
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from conftest import run_build
from docx.oxml.ns import qn
from fixture_corpus import CONV, MINIMAL, as_typed

from ctg.checks.validate import find_placeholders
from ctg.writers import libreoffice
from ctg.writers.docx_post import END_BOOKMARK

DOC = "dist/ctg-test-2022-2026/ctg-test-2022-2026.docx"
AVENANT = "dist/ctg-test-2022-2026/ctg-test-2022-2026-avenant-2023-001.docx"


def xml(path: Path, part: str = "word/document.xml") -> str:
    with zipfile.ZipFile(path) as z:
        return z.read(part).decode("utf-8")


def parts(path: Path, prefix: str) -> str:
    with zipfile.ZipFile(path) as z:
        return "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.startswith(prefix))


def heading_texts(document, level: int) -> list[str]:
    return [as_typed(p.text) for p in document.paragraphs if p.style.name == f"Heading {level}"]


def style_of(p) -> str:
    el = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
    return el.get(qn("w:val")) if el is not None else ""


@pytest.fixture(scope="module")
def built(built_fixture):
    return built_fixture


def test_headings_are_real_styles_in_order(built):
    d = docx.Document(built / DOC)
    level1 = heading_texts(d, 1)
    assert level1[0] == "Préambule"
    articles = [t for t in level1 if t.startswith("Article")]
    assert len(articles) == 14
    assert articles[0] == "Article 1er – Objet de la convention"
    assert [int(re.match(r"Article (\d+)", t).group(1)) for t in articles[1:]] == list(range(2, 15))
    annexes = [t for t in level1 if t.startswith("Annexe")]
    assert annexes == ["Annexe\u00a01 – Liste des communes couvertes", "Annexe\u00a02 – Équipements et services soutenus",
                       "Annexe\u00a03 – Plan d'actions", "Annexe\u00a04 – Glossaire des sigles"]
    assert "4.1 – Petite enfance" in heading_texts(d, 2)
    assert "Fiche action n°\u00a01 – Renforcer le relais petite enfance" in heading_texts(d, 2)


def test_toc_is_a_field_with_filled_entries(built):
    body = xml(built / DOC)
    assert re.search(r'<w:instrText[^>]*> TOC \\o "1-2" \\h \\z \\u </w:instrText>', body)
    d = docx.Document(built / DOC)
    entries = [p for p in d.element.body.iter(qn("w:p")) if style_of(p) in ("TOC1", "TOC2")]
    level1 = heading_texts(d, 1)
    texts = [as_typed("".join(t.text for t in p.iter(qn("w:t")))) for p in entries]
    for title in level1:
        assert any(t.startswith(title) for t in texts), title
    pages = [int(re.search(r"(\d+)$", t).group(1)) for t in texts]
    assert pages == sorted(pages) and pages[0] >= 2
    assert "<w:t>00</w:t>" not in body


def test_header_and_footer_fields(built):
    headers = parts(built / DOC, "word/header")
    footers = parts(built / DOC, "word/footer")
    assert "CTG Test 2022-2026" in headers
    assert re.search(r"<w:instrText[^>]*> PAGE </w:instrText>", footers)
    assert re.search(r"<w:instrText[^>]*> NUMPAGES </w:instrText>", footers)
    assert "Page " in footers and " sur " in footers
    assert "<w:titlePg/>" in xml(built / DOC)  # the cover has no header


def test_sections_follow_annex_orientation(built):
    d = docx.Document(built / DOC)
    orientations = ["paysage" if s.page_width > s.page_height else "portrait" for s in d.sections]
    # body + communes (portrait), équipements + plan d'actions (paysage), glossaire (portrait)
    assert orientations == ["portrait", "paysage", "portrait"]
    pg = d.element.body.find(qn("w:sectPr")).find(qn("w:pgSz"))
    assert pg.get(qn("w:orient")) is None


def test_signature_block_one_cell_per_signatory(built):
    d = docx.Document(built / DOC)
    tables = [t for t in d.tables if t.cell(0, 0).paragraphs[0].style.name == "Signataire"]
    assert len(tables) == 1
    cells = [c for row in tables[0].rows for c in row.cells if c.text.strip()]
    assert len(cells) == 2
    assert "Pour la Caisse d'allocations familiales du Pas-de-Calais" in as_typed(cells[0].text)
    assert "Mme\u00a0Claire DURAND" in cells[0].text  # in office at the signature date, not her predecessor
    assert "M.\u00a0Paul LEFEBVRE" in cells[1].text
    assert "délibération du conseil communautaire n°\u00a02022-045 du 30\u00a0septembre\u00a02022" in as_typed(cells[1].text)
    for row in tables[0]._tbl.findall(qn("w:tr")):
        assert row.find(f"{qn('w:trPr')}/{qn('w:cantSplit')}") is not None


def test_numbering_cross_references_and_counts(built):
    body = xml(built / DOC)
    text = "\n".join(p.text for p in docx.Document(built / DOC).paragraphs)
    assert re.search(r'<w:hyperlink w:anchor="annexe-plan-actions"[^>]*>.*?Annexe\u00a03</w:t>', body)
    # « n° » printed as n + superscript o
    assert re.search(r'<w:hyperlink w:anchor="fiche-rpe"[^>]*>.*?fiche action n</w:t>.*?<w:vertAlign w:val="superscript"/>'
                     r'.*?>o</w:t>.*?>\u00a01</w:t>', body)
    assert re.search(r'<w:hyperlink w:anchor="article-duree"[^>]*>.*?article\u00a010</w:t>', body)
    assert "en deux exemplaires originaux" in text
    assert "Fait à Arras, le 8\u00a0novembre\u00a02022" in text
    assert "Les 3 communes du territoire" in text
    assert find_placeholders(text) == []


def test_table_header_rows_repeat_and_footnotes(built):
    body = xml(built / DOC)
    assert body.count("<w:tblHeader") >= 5  # communes, two équipements tables, plan, glossaire
    assert "Statuts de la communauté de communes." in xml(built / DOC, "word/footnotes.xml")


def test_libreoffice_rendering_shows_toc_pages_and_page_count(built, tmp_path):
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(built / DOC)], check=True, capture_output=True, timeout=180,
                   env=dict(os.environ, TMPDIR=str(tmp_path)))
    pdf = tmp_path / "ctg-test-2022-2026.pdf"
    pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                           check=True).stdout.split("\f")
    sommaire = next(p for p in pages if "Sommaire" in p)
    assert re.search(r"Article 1er – Objet de la convention\s*\.*\s*\d+", sommaire)
    assert re.search(r"Annexe.4 – Glossaire des sigles\s*\.*\s*\d+", sommaire)
    closing = next(i for i, p in enumerate(pages) if "exemplaires originaux" in p)
    stated = int(re.search(r"comporte (\d+) pages", pages[closing]).group(1))
    last_signature_page = max(i for i, p in enumerate(pages) if "Paul LEFEBVRE" in p and "Pour la" in p) + 1
    assert stated == last_signature_page
    assert "Page 2 sur" in pages[1]


def test_page_pass_leaves_nothing_behind_in_tmp(built, tmp_path, monkeypatch):
    # At national scale a leak per batch fills /tmp. The pass gets a temporary folder of its own
    # (TMPDIR), so that another LibreOffice running on the machine (a parallel test, a user's)
    # cannot make this test fail or pass. The LibreOffice of a small pass is kept for the next
    # passes of the run (its folder with it), and both go at the end of the run (close_all, at exit).
    private = tmp_path / "tmp"
    private.mkdir()
    monkeypatch.setenv("TMPDIR", str(private))
    monkeypatch.setattr(tempfile, "tempdir", None)  # tempfile reads TMPDIR again
    libreoffice.close_all()  # (LibreOffices kept by earlier tests of this worker)
    job = libreoffice.Job((built / DOC).read_bytes(), [END_BOOKMARK], pdf=True)
    result = libreoffice.lay_out([job] * 2)
    assert [r.total for r in result] == [result[0].total] * 2 and 1 < result[0].pages[END_BOOKMARK] < result[0].total
    assert all(r.pdf.startswith(b"%PDF-") for r in result)
    assert tempfile.gettempdir() == str(private)
    kept = list(libreoffice._idle)
    assert len(kept) == 1 and [p.name for p in private.iterdir()] == [kept[0].home.name]
    again = libreoffice.lay_out([job])
    assert (again[0].pages, again[0].total) == (result[0].pages, result[0].total)
    assert again[0].pdf.startswith(b"%PDF-") and libreoffice._idle == kept  # laid out by the same LibreOffice
    libreoffice.close_all()
    assert kept[0].office.returncode is not None and kept[0].driver.returncode == 0
    assert sorted(p.name for p in private.iterdir()) == []
    # one that has laid out more than KEEP_UP_TO documents is not kept (it slows down): closed at once
    monkeypatch.setattr(libreoffice, "KEEP_UP_TO", 1)
    libreoffice.lay_out([job] * 2)
    assert libreoffice._idle == [] and sorted(p.name for p in private.iterdir()) == []


def test_avenant_pulls_parent_facts(built):
    d = docx.Document(built / AVENANT)
    text = as_typed("\n".join(p.text for p in d.paragraphs))
    assert "Avenant n°\u00a02023-001 à la convention territoriale globale" in text
    assert "signée le 8\u00a0novembre\u00a02022" in text  # the parent's date, never retyped
    tables = [t for t in d.tables if t.cell(0, 0).paragraphs[0].style.name == "Signataire"]
    cells = [c for row in tables[0].rows for c in row.cells if c.text.strip()]
    assert len(cells) == 3
    assert any("Pour le Département du Pas-de-Calais" in c.text for c in cells)
    assert "en trois exemplaires originaux" in text


def test_draft_has_projet_mark_and_watermark(make_project):
    files = {f"{CONV}/convention.md": MINIMAL[f"{CONV}/convention.md"].replace("statut: signée", "statut: projet"),
             f"{CONV}/avenants/2023-001.md": None}
    root = make_project(files)
    assert run_build(root, "docx").code == 0
    path = root / DOC
    assert 'string="PROJET"' in parts(path, "word/header")
    assert docx.Document(path).paragraphs[0].text == "PROJET"


def test_many_signatories_each_get_a_cell(make_project):
    extra = {}
    signataires = ""
    for i in range(23):
        oid = f"commune-{i:02d}"
        extra[f"conventions/_registre/organisations/{oid}.yaml"] = (
            f"id: {oid}\ntype: commune\nnom: Commune numéro {i}\n"
            f"representants:\n  - {{civilite: Mme, prenom: Anne, nom: Maire{i}, fonction: Maire, debut: 2020-05-01}}\n")
        signataires += f"          - organisation: {oid}\n"
    conv = MINIMAL[f"{CONV}/convention.md"].replace("        annexes:\n", signataires + "        annexes:\n", 1)
    root = make_project(extra | {f"{CONV}/convention.md": conv, f"{CONV}/avenants/2023-001.md": None})
    result = run_build(root, "docx")
    assert result.code == 0, result.err
    d = docx.Document(root / DOC)
    table = next(t for t in d.tables if t.cell(0, 0).paragraphs[0].style.name == "Signataire")
    cells = [c for row in table.rows for c in row.cells if c.text.strip()]
    assert len(cells) == 25
    assert "en vingt-cinq exemplaires originaux" in "\n".join(p.text for p in d.paragraphs)


def test_cover_shows_logos_from_the_registry(make_project):
    from PIL import Image

    org = MINIMAL["conventions/_registre/organisations/caf62.yaml"].replace(
        "adresse:", "logo: logos/caf62.png\n        adresse:")
    root = make_project({"conventions/_registre/organisations/caf62.yaml": org,
                         f"{CONV}/avenants/2023-001.md": None}, fingerprints=False)
    (root / "conventions/_registre/logos").mkdir()
    Image.new("RGB", (120, 60), (20, 60, 140)).save(root / "conventions/_registre/logos/caf62.png")
    assert run_build(root, "empreintes").code == 0
    result = run_build(root, "docx")
    assert result.code == 0, result.err
    with zipfile.ZipFile(root / DOC) as z:
        media = [n for n in z.namelist() if n.startswith("word/media/")]
    assert len(media) == 1
    first_page = xml(root / DOC).split('w:type="page"')[0]
    assert "<w:drawing>" in first_page


def test_links_to_a_missing_identifier_become_plain_text():
    """An avenant cites the fiches of its convention (another file): the link becomes text. The
    links that resolve stay; the parsed document given to the writers is never modified."""
    import copy

    from ctg.core import pandoc
    from ctg.core.ast import stringify, unlink_missing_targets

    def links(ast) -> list[str]:
        found = []
        stack = [ast["blocks"]]
        while stack:
            node = stack.pop()
            if isinstance(node, list):
                stack.extend(node)
            elif isinstance(node, dict):
                if node.get("t") == "Link":
                    found.append(node["c"][2][0])
                stack.extend(v for v in node.values() if isinstance(v, (list, dict)))
        return sorted(found)

    ast = pandoc.to_ast("# Titre {#vu}\n\nVoir [la fiche](#vu), [l'autre](#absente) et [le site](https://caf.fr).\n\n"
                        "::: {#cadre}\n- [dans une liste](#cadre) puis [rien](#rien)\n:::\n")
    before = copy.deepcopy(ast)
    out = unlink_missing_targets(ast)
    assert links(out) == ["#cadre", "#vu", "https://caf.fr"]
    assert "l'autre" in stringify(out["blocks"]) and "rien" in stringify(out["blocks"])
    assert ast == before
    assert unlink_missing_targets(out) is out  # the second writer of the document: nothing left to do
    whole = pandoc.to_ast("# Titre {#vu}\n\nVoir [la fiche](#vu).\n")
    assert unlink_missing_targets(whole) is whole  # nothing to unlink: nothing copied


def test_a_large_page_pass_is_split_into_batches_with_the_same_pages(make_project, built, monkeypatch):
    """A national corpus is laid out by several soffice in turn (none waits on thousands of
    documents): batches of one document give the DOCX a build in one batch gives."""
    import io

    from ctg.build import build_outputs
    from ctg.build.pipeline import assemble_checked, load_and_check
    from ctg.core.diagnostics import Diagnostics
    from ctg.core.progress import Progress
    from ctg.core.project import Project
    from ctg.writers.docx_post import unfilled_pagerefs

    root = make_project()
    project = Project(root)
    diags = Diagnostics(root)
    docs = assemble_checked(project, load_and_check(project, diags), diags)
    assert not diags.errors and len(docs) >= 2
    monkeypatch.setattr(build_outputs, "LIBREOFFICE_BATCH", 1)
    build_outputs.configure(jobs=1, force=True)
    out = io.StringIO()
    try:
        produced = build_outputs.produce(project, docs, ["docx"], Progress(out, delay=0))
    finally:
        build_outputs.configure()
    assert f"({len(docs)} documents, {len(docs)} lots)" in out.getvalue()
    for rel in (DOC, AVENANT):
        data = produced.files[root / rel].read_bytes()
        assert unfilled_pagerefs(data) == 0
        assert data == (built / rel).read_bytes()


def test_a_document_libreoffice_cannot_lay_out_fails_the_pass_after_a_second_chance(built, monkeypatch):
    """LibreOffice stops on a document: the documents it answered are kept, a fresh LibreOffice
    takes the others, and the document that stopped it fails the pass on its second try (with a
    message for the user, not a traceback)."""
    good = libreoffice.Job((built / DOC).read_bytes(), [END_BOOKMARK])
    broken = libreoffice.Job(b"PK\x03\x04" + bytes(200), [END_BOOKMARK])  # not a DOCX LibreOffice can open
    runs = []
    real = libreoffice._batch

    def counted(exe, files):
        answers, problem = real(exe, files)
        runs.append((len(files), len(answers)))
        return answers, problem

    monkeypatch.setattr(libreoffice, "_batch", counted)
    said = []
    with pytest.raises(libreoffice.LibreOfficeFailed) as failed:
        libreoffice.lay_out([good, broken, good], said.append)
    assert runs == [(3, 1), (2, 0)]  # the first answer kept; the broken one tried twice, then the end
    # the restart is said in the progress output
    assert said == ["LibreOffice s'est arrêté (LibreOffice n'a pas pu ouvrir un des DOCX, code 2) après "
                    "1 document sur 3 ; un nouveau LibreOffice reprend les autres."]
    assert "n'a pas pu ouvrir un des DOCX" in str(failed.value) and "Traceback" not in str(failed.value)


def test_docx_is_valid_ooxml_and_says_its_pages(built_fixture):
    """Schema and semantic validation (openxml-audit): table properties in the schema's order,
    header and footer styles that the style sheet defines, no style based on a missing one; the
    extended properties name the real application and the page count of the layout."""
    from ooxml_check import ooxml_errors

    for name in (DOC, AVENANT):
        assert ooxml_errors(built_fixture / name) == [], name
    app = xml(built_fixture / DOC, "docProps/app.xml")
    assert "Microsoft" not in app
    pages = int(re.search(r"<Pages>(\d+)</Pages>", app).group(1))
    pdf = subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{built_fixture}/profile", "--convert-to", "pdf", "--outdir", str(built_fixture / "out"),
                          str(built_fixture / DOC)], capture_output=True, check=True, timeout=300)
    assert pdf.returncode == 0
    info = subprocess.run(["pdfinfo", str(built_fixture / "out" / Path(DOC).with_suffix(".pdf").name)],
                          capture_output=True, text=True, check=True).stdout
    assert pages == int(re.search(r"Pages:\s+(\d+)", info).group(1))


def test_a_column_no_row_fills_is_not_printed(built_fixture):
    """The équipements of the CCT fill neither « Gestionnaire » nor « Adresse »: its table has
    two columns; the commune's, filled, keeps its four. The assembled text keeps them all (a
    signed text's fingerprint does not depend on the layout)."""
    d = docx.Document(built_fixture / DOC)
    headers = [[c.text for c in t.rows[0].cells] for t in d.tables if t.rows[0].cells[0].text == "Type"]
    assert headers == [["Type", "Structure", "Gestionnaire", "Adresse"], ["Type", "Structure"]]
    for t in d.tables:
        if t.rows[0].cells[0].paragraphs[0].style.name == "Signataire":
            continue
        for j in range(len(t.columns)):
            assert any(row.cells[j].text.strip() for row in t.rows[1:]), (headers, j)


def test_each_fiche_action_is_a_two_column_table_on_its_own_page(built_fixture):
    """Label | content, the identity first (thématique, enjeu, objectif, pilote, partenaires,
    échéances); no row splits across pages; the fiche's heading opens a page."""
    d = docx.Document(built_fixture / DOC)
    body = d.element.body
    headings = [p for p in body.iterchildren(qn("w:p"))
                if "".join(t.text or "" for t in p.iter(qn("w:t"))).startswith("Fiche action n")]
    assert len(headings) == 2
    for h in headings:
        assert h.find(f"{qn('w:pPr')}/{qn('w:pageBreakBefore')}") is not None
        nxt = h.getnext()
        while nxt is not None and nxt.tag != qn("w:tbl"):
            nxt = nxt.getnext()
        table = docx.table.Table(nxt, d)
        labels = [row.cells[0].text for row in table.rows]
        assert len(table.columns) == 2
        assert labels[:6] == ["Thématique", "Enjeu", "Objectif", "Pilote", "Partenaires sollicités", "Échéances"]
        assert "Diagnostic initial" in labels and "Indicateurs d’évaluation" in labels
        assert all(row._tr.trPr is not None and row._tr.trPr.find(qn("w:cantSplit")) is not None
                   for row in table.rows)


def test_french_typography_of_the_printed_page(built_fixture):
    """Hyphenation on, French, never inside a word in capitals; ordinals and « n° » in their
    superscript forms; the typographic apostrophe; table text left, numbers right, nothing
    justified or centred in a table."""
    settings = xml(built_fixture / DOC, "word/settings.xml")
    assert "<w:autoHyphenation/>" in settings and "<w:doNotHyphenateCaps/>" in settings
    styles = xml(built_fixture / DOC, "word/styles.xml")
    assert '<w:lang w:val="fr-FR"' in styles
    for style in ("Heading1", "Couverturetitre", "Signataire"):  # titles and signature cells: no hyphen
        assert "<w:suppressAutoHyphens/>" in re.search(rf'w:styleId="{style}".*?</w:style>', styles).group(0), style
    body = xml(built_fixture / DOC)
    assert re.search(r">Article 1</w:t></w:r><w:r><w:rPr><w:vertAlign w:val=\"superscript\"/></w:rPr>"
                     r"<w:t[^>]*>er</w:t>", body)
    texts = [t for part in ("word/document.xml", "word/header") for t in re.findall(r"<w:t[^>]*>([^<]*)</w:t>",
                                                                                       parts(built_fixture / DOC, part))]
    assert not [t for t in texts if "'" in t] and any("\u2019" in t for t in texts)
    d = docx.Document(built_fixture / DOC)
    communes = next(t for t in d.tables if t.rows[0].cells[0].text == "Code INSEE")
    assert [c.paragraphs[0].alignment for c in communes.rows[1].cells] == [0, 0, 2]  # left, left, right
    for t in d.tables:
        for row in t.rows:
            for cell in row.cells:
                assert all(p.alignment not in (1, 3) for p in cell.paragraphs)  # centred, justified


def test_a_line_with_blanks_to_fill_is_aligned_left_not_justified(make_project):
    conv = MINIMAL[f"{CONV}/convention.md"].replace(
        "La CCT exerce", 'Fait à {{ blanc("lieu") }}, le {{ blanc("date") }}.\n\n        La CCT exerce').replace(
        "statut: signée", "statut: projet")
    root = make_project({f"{CONV}/convention.md": conv, f"{CONV}/avenants/2023-001.md": None}, fingerprints=False)
    result = run_build(root, "docx")
    assert result.code == 0, result.err
    d = docx.Document(root / DOC)
    line = next(p for p in d.paragraphs if p.text.startswith("Fait à \u2026"))
    assert line.style.name == "Formulaire" and line.style.paragraph_format.alignment == 0  # left
