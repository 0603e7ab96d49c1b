"""Délibérations, rapports, their dossier (DOCX, PDF), the site's links, and the communes' forms.

The fixture corpus gets a délibération of the commission permanente approving the signed
convention and its avenant (the Département signs the avenant), with its rapport; and the
convention gets two form templates and a mayor for one of its three communes.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import zipfile

import pytest
from ctg.assembly import org_names
from conftest import run_build
from fixture_corpus import CONV, as_typed

from ctg.build.pipeline import assemble_checked, load_and_check
from ctg.core.diagnostics import Diagnostics
from ctg.core.project import Project
from ctg.core.french import BLANK_RX
from ctg.deliberations.deliberation import assemble_deliberation, other_parties

DELIB_ID = "deliberation-cp-2023-578"
DELIB = f"conventions/_deliberations/{DELIB_ID}/deliberation.md"
RAPPORT = f"conventions/_deliberations/{DELIB_ID}/rapport.md"
AVENANT_ID = "ctg-test-2022-2026-avenant-2023-001"

DELIB_TEXT = """\
    ---
    identifiant: deliberation-cp-2023-578
    organisation: departement62
    assemblee: la Commission permanente du Conseil départemental du Pas-de-Calais
    numero: "2023-578"
    titre: Avenant à la convention territoriale globale du Test
    seance: 2023-12-11
    presidence: {civilite: M., prenom: Pierre, nom: Leroux}
    secretaire: {civilite: Mme, prenom: Anne, nom: Carpentier}
    presents:
      - M. Pierre Leroux
      - Mme Anne Carpentier
      - M. Jacques Fontaine
      - Mme Lucie Delannoy
    excuses:
      - M. Henri Vasseur
    presents_sans_voix:
      - M. Paul Deschamps
    visas:
      - Vu le code général des collectivités territoriales
    rapport: 7
    approuve:
      - ctg-test-2022-2026-avenant-2023-001
      - ctg-suite-2027-2031
    vote:
      pour: 4
      contre: 0
      abstention: 1
      pouvoirs: 1
      groupes_pour: [Groupe A, Groupe B]
    resultat: adopté
    signature:
      lieu: Arras
      date: 2023-12-11
      signataire: departement62
    publication:
      controle_legalite: 2023-12-20
      publication_electronique: 2023-12-20
    ---
    """

RAPPORT_TEXT = """\
    ---
    numero: 7
    service: [Pôle Solidarités]
    territoires: [Arrageois]
    epci: [cc-test]
    avis:
      - commission: la 2e commission « Solidarités humaines »
        date: 2023-11-27
    ---

    ## Contexte {#contexte}

    Le Département rejoint la convention du Test.

    ## L'avenant {#avenant document=ctg-test-2022-2026-avenant-2023-001}

    L'avenant fait entrer le Département dans la convention.

    ## La nouvelle convention {#convention document=ctg-suite-2027-2031}

    La convention suivante est prête pour signature.
    """

ANNEX_WITH_FORMS = """\
    ---
    titre: Engagement des communes
    formulaires: [deliberation-commune, fiche-engagement]
    ---

    Les communes s'engagent par une délibération et une fiche d'engagement.
    """

FORM_DELIB = """\
    ---
    titre: Modèle de délibération
    deliberation_intercommunale:
      acte: délibération du conseil communautaire
      numero: "2022-045"
      date: 2022-09-30
    ---

    **{{ collectivite.Nom_complet }}** ({{ collectivite.code }})

    Séance du {{ collectivite.assemblee }} du {{ blanc("date de la séance") }}

    Exposé de {{ representant }}.

    Vu la {{ deliberation_intercommunale }} de {{ territoire.nom_complet }} ;
    vu la {{ convention.titre_court }}, {{ periode_texte }}.
    """

FORM_FICHE = """\
    ---
    titre: Fiche d'engagement réciproque
    destinataires: [commune]
    ---

    {{ collectivite.Nom_complet }} s'engage dans la {{ convention.titre_court }}, signée le {{ signature_convention }}.

    Fait à {{ blanc("lieu") }}, le {{ blanc("date") }}. {{ representant }}
    """

MAYORS = """\
    maires:
      "62001":
        - civilite: Mme
          prenom: Odile
          nom: Marchand
          fonction: Maire
          debut: 2020-05-25
    """

SUITE = "conventions/ctg-suite-2027-2031/convention.md"
SUITE_TEXT = """\
    ---
    identifiant: ctg-suite-2027-2031
    titre: Convention territoriale globale au service du projet social de territoire de la Communauté de communes du Test
    titre_court: CTG Test 2027-2031
    territoire: cc-test
    statut: prêt pour signature
    periode:
      debut: 2027-01-01
      fin: 2031-12-31
    signature:
      lieu: Arras
    signataires:
      - organisation: caf62
      - organisation: cc-test
      - organisation: departement62
        autorisation:
          acte: délibération de la commission permanente du Conseil départemental
          numero: "2023-578"
          date: 2023-12-11
    ---

    ## Champs d'intervention de {{ territoire.designation }} {#champs-epci}

    La CCT exerce la compétence petite enfance.

    ## Enjeux et objectifs partagés {#enjeux}

    Développer l'offre d'accueil.
    """

FILES = {
    SUITE: SUITE_TEXT,
    DELIB: DELIB_TEXT,
    RAPPORT: RAPPORT_TEXT,
    f"{CONV}/annexes/engagement.md": ANNEX_WITH_FORMS,
    f"{CONV}/formulaires/deliberation-commune.md": FORM_DELIB,
    f"{CONV}/formulaires/fiche-engagement.md": FORM_FICHE,
    "conventions/_registre/maires.yaml": MAYORS,
}


def _with_engagement_annex(files: dict) -> dict:
    from fixture_corpus import MINIMAL

    conv = MINIMAL[f"{CONV}/convention.md"].replace("          - glossaire\n", "          - glossaire\n          - engagement\n")
    assert conv != MINIMAL[f"{CONV}/convention.md"]
    return {f"{CONV}/convention.md": conv, **files}


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    from fixture_corpus import write_project

    return write_project(tmp_path_factory.mktemp("delib"), _with_engagement_annex(FILES))


def _line(root, rel: str, needle: str) -> int:
    lines = (root / rel).read_text(encoding="utf-8").split("\n")
    return next(i for i, line in enumerate(lines, start=1) if needle in line)


# ------------------------------------------------------------------ checks and decision articles


def test_bundled_deliberation_is_valid_and_generates_the_seed_articles():
    from fixture_corpus import ROOT

    project = Project(ROOT)
    diags = Diagnostics(ROOT)
    corpus = load_and_check(project, diags)
    assert not diags.errors, diags.errors
    delib = corpus.deliberations["deliberation-cp-2023-578"]
    docs = assemble_checked(project, corpus, diags, list(delib.meta.approuve))
    texts = assemble_deliberation(corpus, delib, docs, diags)
    md = texts.deliberation.markdown
    assert md.count("D'autoriser le Président du Conseil départemental à signer, au nom et pour le compte "
                    "du Département, avec") == 3
    assert "l'avenant n°\u00a02023-001 à la convention territoriale globale au service du projet de territoire " \
           "de la Communauté de communes de la Région d'Audruicq" in md
    assert "Pour\u00a0: 44\u00a0voix" in md.replace(" voix", "\u00a0voix") or "Pour\u00a0: 44 voix" in md


def test_decision_articles_name_exactly_the_documents_parties(project):
    diags = Diagnostics(project)
    p = Project(project)
    corpus = load_and_check(p, diags)
    assert not diags.errors, [d.format() for d in diags.errors]
    docs = assemble_checked(p, corpus, diags)
    delib = corpus.deliberations[DELIB_ID]
    texts = assemble_deliberation(corpus, delib, docs, diags)
    all_orgs = {o.id: o for o in corpus.registry.organisations.values()}
    articles = re.findall(r"^D'autoriser .*$", texts.deliberation.markdown, re.M)
    proposed = re.findall(r"^- m'autoriser .*$", texts.rapport.markdown, re.M)
    assert len(articles) == len(proposed) == 2
    for text, ident in zip(articles, delib.meta.approuve):
        doc = docs[ident]
        named = re.search(r", avec (.*), (?:l'avenant|la convention)", text).group(1)
        expected = [s.organisation for s in other_parties(doc, "departement62")]
        assert named == ", ".join(expected[:-1]) + " et " + expected[-1] if len(expected) > 1 else expected[0]
        for org in all_orgs.values():  # nobody else: the Département signs, the others are listed
            full = org_names.full_name(org)
            assert (full in named) == (org.id in {s.org_id for s in doc.signatories} and org.id != "departement62")
    for text in proposed:
        assert "au nom et pour le compte du Département, avec la Caisse d'allocations familiales" in text
    assert "Communauté de communes du Test" in articles[0] or "CC du Test" in articles[0]


def test_vote_that_does_not_add_up_is_an_error_with_file_and_line(make_project):
    root = make_project(_with_engagement_annex({**FILES, DELIB: DELIB_TEXT.replace("pour: 4", "pour: 7")}))
    result = run_build(root, "check")
    assert result.code == 1
    line = _line(root, DELIB, "vote:")
    assert f"{DELIB}:{line}\u00a0: erreur\u00a0: les voix ne correspondent pas aux membres présents" in result.err
    assert "[vote-incoherent]" in result.err and "Traceback" not in result.err


def test_approving_a_projet_is_an_error_with_file_and_line(make_project):
    from fixture_corpus import MINIMAL

    avenant = MINIMAL[f"{CONV}/avenants/2023-001.md"].replace("statut: signée", "statut: projet")
    root = make_project(_with_engagement_annex({**FILES, f"{CONV}/avenants/2023-001.md": avenant}))
    result = run_build(root, "check")
    assert result.code == 1, result.err
    line = _line(root, DELIB, f"- {AVENANT_ID}")
    assert f"{DELIB}:{line}\u00a0: erreur\u00a0: « {AVENANT_ID} » est au statut « projet »" in result.err
    assert "[approbation-projet]" in result.err


def test_unknown_document_non_signatory_and_rapport_without_its_section_are_errors(make_project):
    rapport = RAPPORT_TEXT.split("    ## La nouvelle convention")[0]
    delib = DELIB_TEXT.replace("      - ctg-suite-2027-2031\n",
                               "      - ctg-suite-2027-2031\n      - ctg-tset-2022-2026\n      - ctg-test-2022-2026\n")
    root = make_project(_with_engagement_annex({**FILES, DELIB: delib, RAPPORT: rapport}))
    result = run_build(root, "check")
    assert result.code == 1
    assert "aucun document « ctg-tset-2022-2026 »" in result.err and "vouliez-vous dire" in result.err
    assert "le rapport ne présente pas « ctg-suite-2027-2031 »" in result.err
    assert "« departement62 » n'est pas signataire de « ctg-test-2022-2026 »" in result.err


# ------------------------------------------------------------------ the dossier


def _page_texts(pdf: bytes) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def _flat(text: str) -> str:
    return as_typed(" ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split()))


def test_dossier_pdf_is_numbered_as_one_document_and_cites_each_document_own_page_count(project, tmp_path):
    result = run_build(project, "pdf", DELIB_ID)
    assert result.code == 0, result.err
    path = project / "dist/deliberations" / f"{DELIB_ID}.pdf"
    pdf = path.read_bytes()
    pages = [_flat(p) for p in _page_texts(pdf)]
    text = " ".join(pages)
    # one file: délibération, rapport, then the approved documents in the order of « approuve »
    order = [text.index("Délibération n° 2023-578 de la Commission"), text.index("Rapport n° 7 –"),
             text.index("Document approuvé n° 1 – Avenant n° 2023-001"),
             text.index("Document approuvé n° 2 – Convention territoriale globale au service du projet social")]
    assert order == sorted(order)
    # numbered as one document: the pages a PDF viewer shows (covers have no footer)
    for n, page in enumerate(pages[1:], start=2):
        assert f"Page {n} sur {len(pages)}" in page or page.startswith("Document approuvé n°"), (n, page[-80:])
    assert sum("Page " in p for p in pages) >= len(pages) - 3
    # the sommaire gives those pages: each entry's heading starts on the page it cites
    entries = re.findall(r"(Document approuvé n° \d|Rapport n° 7|Article 1er – Objet de l'avenant)[^.]*?\.{4,} ?(\d+)",
                         pages[1])
    assert len(entries) >= 4
    for heading, page in entries:
        assert heading in pages[int(page) - 1], (heading, page)
    # each approved document states its own PDF's page count, not its pages within the dossier
    assert run_build(project, "pdf").code == 0
    for ident in ("ctg-test-2022-2026-avenant-2023-001", "ctg-suite-2027-2031"):
        own = " ".join(_flat(p) for p in _page_texts(next((project / "dist").rglob(f"{ident}.pdf")).read_bytes()))
        stated = re.search(r"(?:La présente convention|Le présent avenant) comporte (\d+) pages", own).group(0)
        assert stated in text, stated
    assert b"/AcroForm" not in pdf or b"/FT /Sig" not in pdf  # no signature field in a dossier
    # the PNG of the first pages (looked at when writing the test: cover, sommaire, délibération)
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "3", str(path), str(tmp_path / "page")],
                   check=True)
    assert len(list(tmp_path.glob("page-*.png"))) == 3


def test_dossier_docx_is_numbered_as_one_document_and_fills_its_sommaire(project):
    from ctg.writers.docx_post import unfilled_pagerefs

    result = run_build(project, "docx", DELIB_ID)
    assert result.code == 0, result.err
    data = (project / "dist/deliberations" / f"{DELIB_ID}.docx").read_bytes()
    assert unfilled_pagerefs(data) == 0
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = z.read("word/document.xml").decode("utf-8")
        headers = [_flat(z.read(n).decode("utf-8")) for n in z.namelist() if re.match(r"word/header\d+\.xml$", n)]
    assert "pgNumType" not in xml  # no restart: « Page X sur Y » counts the whole dossier
    assert "Document approuvé n° 1" in _flat(xml)
    assert any("Rapport n° 7" in h for h in headers)


def test_markdown_of_a_dossier_and_unknown_id_next_to_a_deliberation(project):
    result = run_build(project, "markdown", DELIB_ID)
    assert result.code == 0, result.err
    assert "::: {#p3-debut .partie" in result.out
    bad = run_build(project, "pdf", DELIB_ID, "ctg-inconnue")
    assert bad.code == 1 and "« ctg-inconnue » n'est pas une délibération" in bad.err


def test_a_dossier_is_laid_out_again_only_when_what_it_shows_changed(project):
    """A dossier's files are kept in the output cache under a key of everything it is made of: its
    délibération and rapport, each approved document and its page count. A build that changed none
    of them takes the files from the cache, byte for byte those it built."""
    path = project / "dist/deliberations" / f"{DELIB_ID}.pdf"
    first = run_build(project, "pdf", DELIB_ID)
    assert first.code == 0, first.err
    built = path.read_bytes()
    edits = {RAPPORT: ("Le Département rejoint la convention du Test.",
                       "Le Département rejoint désormais la convention du Test."),
             SUITE: ("Développer l'offre d'accueil.", "Développer l'offre d'accueil des jeunes enfants.")}
    for rel, (old, new) in edits.items():
        source = project / rel
        text = source.read_text(encoding="utf-8")
        assert old in text
        source.write_text(text.replace(old, new), encoding="utf-8")
        try:
            changed = run_build(project, "pdf", DELIB_ID)
            assert changed.code == 0, changed.err
            assert "repris du cache" not in changed.err, (rel, changed.err)
            shown = _flat(" ".join(_page_texts(path.read_bytes())))
            assert as_typed(new) in shown and as_typed(old) not in shown, rel
        finally:
            source.write_text(text, encoding="utf-8")
        back = run_build(project, "pdf", DELIB_ID)  # the sources as they were: the dossier as it was
        assert back.code == 0, back.err
        assert "1 fichier en" in back.err and "(1 inchangé, repris du cache)" in back.err, (rel, back.err)
        assert path.read_bytes() == built, rel


# ------------------------------------------------------------------ site


def test_site_links_documents_to_the_deliberations_that_approved_them(project):
    from ctg.site.model import build_model

    p = Project(project)
    diags = Diagnostics(project)
    corpus = load_and_check(p, diags)
    docs = assemble_checked(p, corpus, diags)
    model = build_model(corpus, docs, public=True, downloads={}, today=dt.date(2024, 1, 1))
    page = f"deliberations/{DELIB_ID}.md"
    assert page in model.pages
    assert "Documents approuvés" in model.pages[page].html and "Rapport n°" in model.pages[page].html
    linking = sorted(key for key, gen in model.pages.items()
                     if f'href="ctg:{page}"' in gen.html and key != "deliberations/index.md")  # the list of all
    assert linking == ["conventions/ctg-suite-2027-2031/index.md",
                       next(k for k in model.pages if "avenant" in k and "2023-001" in k and k.endswith("index.md"))]
    assert any("Délibérations" in item for item in model.nav)


# ------------------------------------------------------------------ forms of the communes


ALLOWED_BLANKS = {"date de la séance", "lieu", "date", "nom du maire"}


def test_fiches_one_file_per_commune_with_its_name_and_mayor_and_only_allowed_blanks(project):
    import docx

    result = run_build(project, "fiches", "ctg-test-2022-2026")
    assert result.code == 0, result.err
    assert re.search(r"3 collectivités\u00a0: 8 fichiers écrits .* en \d+,\d\u00a0s\.", result.err)
    folder = project / "dist/ctg-test-2022-2026/formulaires"
    communes = {"62001": "Ablain-Saint-Nazaire", "62002": "Ablainzevelle", "62003": "Acheville"}
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted([f"{n.lower()}-{c}.{ext}" for c, n in communes.items() for ext in ("docx", "pdf")]
                           + ["ctg-test-2022-2026-formulaires.docx", "ctg-test-2022-2026-formulaires.pdf"])
    for code, name in communes.items():
        stem = folder / f"{name.lower()}-{code}"
        document = docx.Document(str(stem.with_suffix(".docx")))
        docx_text = "\n".join(p.text for p in document.paragraphs)
        pdf_text = re.sub(r"(\w)-\n(\w)", r"\1\2", "\n".join(_page_texts(stem.with_suffix(".pdf").read_bytes())))
        for text in (docx_text, pdf_text.replace("\n", " ")):
            flat = as_typed(" ".join(text.replace("\u00a0", " ").split()))
            assert f"La commune d'{name}" in flat or f"La commune de {name}" in flat
            assert f"code INSEE {code}" in flat
            assert "délibération du conseil communautaire n° 2022-045 du 30 septembre 2022" in flat
            assert "CTG Test 2022-2026" in flat and "signée le 8 novembre 2022" in flat
            if code == "62001":
                assert "Mme Odile MARCHAND, Maire" in flat
                assert "nom du maire" not in flat
            else:
                assert "(nom du maire)" in flat and "MARCHAND" not in flat
            for bad in ("§§", "{{", "}}", "None", "[à compléter]", "XXX"):
                assert bad not in flat, (code, bad)
            labels = BLANK_RX.findall(text.replace("\n", " "))
            assert labels and set(labels) <= ALLOWED_BLANKS, labels
            assert len(re.findall("…{6,}", text)) == len(labels)  # every dotted line is an allowed blank
        assert document.core_properties.title.startswith(name)
    combined = _page_texts((folder / "ctg-test-2022-2026-formulaires.pdf").read_bytes())
    assert sum("Modèle de délibération" in p for p in combined) == 3
