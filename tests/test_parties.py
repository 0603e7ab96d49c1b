"""Parties named the French way, whatever the kind of organisation, and signatories designated by
their office only (the assembled text, the DOCX and the site model all read the same names)."""

from __future__ import annotations

import zipfile

import docx
from conftest import run_build
from fixture_corpus import CONV, MINIMAL
from pdf_text import pdftotext

DOC = "dist/ctg-test-2022-2026/ctg-test-2022-2026.docx"
COMMUNES = {"baincthun": "Baincthun", "le-portel": "Le Portel", "isques": "Isques",
            "la-capelle": "La Capelle-lès-Boulogne", "wimille": "Wimille"}


def communes_sign(make_project, statut: str = "prêt pour signature"):
    """The minimal convention, signed also by the Département and five communes whose mayors the
    registry does not name (the convention designates them by office)."""
    files = {f"conventions/_registre/organisations/{oid}.yaml": f"id: {oid}\ntype: commune\nnom: {nom}\n"
             for oid, nom in COMMUNES.items()}
    signataires = "          - organisation: departement62\n" + "".join(
        f"          - organisation: {oid}\n" for oid in COMMUNES)
    conv = MINIMAL[f"{CONV}/convention.md"].replace("statut: signée", f"statut: {statut}").replace(
        "        annexes:\n", signataires + "        annexes:\n", 1)
    files |= {f"{CONV}/convention.md": conv, f"{CONV}/avenants/2023-001.md": None}
    return make_project(files, fingerprints=False)


def markdown(root) -> str:
    result = run_build(root, "markdown", "ctg-test-2022-2026")
    assert result.code == 0, result.err
    return result.out


def test_communes_departement_and_epci_are_named_with_article_elision_and_gender(make_project):
    root = communes_sign(make_project)
    text = markdown(root)
    assert "La commune de Baincthun, représentée par son Maire, ci-après dénommée «\u00a0la commune de Baincthun\u00a0»" \
        in text
    assert "La commune d'Isques" in text and "La commune de La Capelle-lès-Boulogne" in text
    assert "**Pour la commune de Le Portel**" in text
    assert "Le Département du Pas-de-Calais, représenté par M.\u00a0Pierre LEROUX" in text
    assert "ci-après dénommé «\u00a0le Département\u00a0»" in text
    for wrong in ("La Baincthun", "la Le Portel", "La La Capelle", "de Isques", "représentée par M.\u00a0Pierre"):
        assert wrong not in text, wrong
    # the cover lists the parties under the same names
    d = docx.Document(root / DOC) if run_build(root, "docx").code == 0 else None
    cover = [p.text for p in d.paragraphs[:40]]
    assert "La commune de Le Portel" in cover and "Le Département du Pas-de-Calais" in cover


def test_a_signatory_designated_by_office_leaves_a_line_for_the_name_and_is_ready_to_sign(make_project):
    root = communes_sign(make_project)
    check = run_build(root, "check")
    assert check.code == 0, check.err + check.out
    text = markdown(root)
    cell = text[text.index("#signataire-wimille"):]
    cell = cell[:cell.index(":::")]
    assert "Le Maire de la commune de Wimille" in cell and "Nom et prénom\u00a0:" in cell
    assert "Habilit" not in cell


def test_a_convention_sets_the_short_name_and_office_of_a_party(make_project):
    root = communes_sign(make_project)
    conv_path = root / CONV / "convention.md"
    conv = conv_path.read_text(encoding="utf-8").replace(
        "  - organisation: wimille\n", "  - organisation: wimille\n    fonction: Maire délégué\n"
        "    designation: la Ville de Wimille\n")
    conv_path.write_text(conv, encoding="utf-8")
    text = markdown(root)
    assert "représentée par son Maire délégué, ci-après dénommée «\u00a0la Ville de Wimille\u00a0»" in text
    assert "Le Maire délégué de la commune de Wimille" in text


def test_a_named_representative_out_of_office_stays_an_error(make_project):
    root = communes_sign(make_project)
    org = root / "conventions/_registre/organisations/wimille.yaml"
    org.write_text(org.read_text(encoding="utf-8") + "representants:\n  - {civilite: M., prenom: Jean, nom: Ancien, "
                   "fonction: Maire, debut: 2001-03-01, fin: 2008-03-01}\n", encoding="utf-8")
    result = run_build(root, "check")
    assert result.code != 0
    assert "convention.md:" in result.err and "[representant-absent]" in result.err and "Traceback" not in result.err


def test_an_epci_keeps_one_spelling_and_check_points_at_another(make_project):
    """The registry may write the official name with its article (« Communauté de communes du
    Test »); a text spelling it otherwise is reported with its file and line."""
    org = MINIMAL["conventions/_registre/organisations/cc-test.yaml"].replace(
        "type: epci\n", "type: epci\n        nom: Communauté de communes du Test\n")
    conv = MINIMAL[f"{CONV}/convention.md"].replace(
        "La CCT exerce", "La Communauté de communes Test exerce").replace("statut: signée", "statut: projet")
    root = make_project({"conventions/_registre/organisations/cc-test.yaml": org, f"{CONV}/convention.md": conv,
                         f"{CONV}/avenants/2023-001.md": None}, fingerprints=False)
    result = run_build(root, "check")
    assert result.code == 0, result.err
    assert "convention.md:29\u00a0: avertissement\u00a0: « Communauté de communes Test »" in result.err
    assert "[nom-epci-variante]" in result.err
    text = markdown(root)
    assert "Communauté de communes Test" not in text.replace("La Communauté de communes Test exerce", "")
    assert text.count("Communauté de communes du Test") >= 3  # cover, parties, signature


def test_a_cover_with_24_parties_and_their_logos_fits_its_page_and_no_page_is_blank(make_project):
    from PIL import Image

    files = {}
    signataires = ""
    for i in range(22):
        oid = f"commune-{i:02d}"
        files[f"conventions/_registre/organisations/{oid}.yaml"] = (
            f"id: {oid}\ntype: commune\nnom: Saint-Martin-{i}-lès-Boulogne\nlogo: logos/{oid}.png\n")
        signataires += f"          - organisation: {oid}\n"
    conv = MINIMAL[f"{CONV}/convention.md"].replace("statut: signée", "statut: prêt pour signature").replace(
        "        annexes:\n", signataires + "        annexes:\n", 1)
    root = make_project(files | {f"{CONV}/convention.md": conv, f"{CONV}/avenants/2023-001.md": None},
                        fingerprints=False)
    (root / "conventions/_registre/logos").mkdir()
    for i in range(22):
        Image.new("RGB", (160, 80), (20 + 9 * i, 60, 140)).save(root / f"conventions/_registre/logos/commune-{i:02d}.png")
    result = run_build(root, "pdf")
    assert result.code == 0, result.err
    pdf = root / "dist/ctg-test-2022-2026/ctg-test-2022-2026.pdf"
    text = pdftotext(pdf)
    pages = text.split("\f")[:-1]
    assert "La commune de Saint-Martin-21-lès-Boulogne" in pages[0]  # the whole list on the cover
    assert pages[1].lstrip().startswith("CTG Test") and "La présente convention est conclue entre" in pages[1]
    assert all(len(p.split()) > 5 for p in pages), [i for i, p in enumerate(pages) if len(p.split()) <= 5]
    assert run_build(root, "docx").code == 0
    with zipfile.ZipFile(root / DOC) as z:
        first_page = z.read("word/document.xml").decode("utf-8").split('w:type="page"')[0]
    assert first_page.count("<w:drawing>") == 22
