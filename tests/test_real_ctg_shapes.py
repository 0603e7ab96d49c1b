"""The bundled convention modelled on a real CTG whose communes sign directly
(ctg-ca-boulonnais-2025-2029), built with the rest of the bundled corpus (conftest.corpus_project):
22 communes among 26 signatories, a signatory by function only, acts not yet dated (a projet),
signature cells in the convention's own order, lettered sub-articles, one clause of the library
changed for this convention alone, a text added after a library clause, an annex list and an
unnumbered piece after the signatures, an axe / objectif général / objectif opérationnel plan
with an objective without fiche and a fiche serving two objectives, équipements in one
« nom et adresse » cell with a type of the convention's own, and communes with two vintages of
the official data. Each expectation below is read off the real DOCX, PDF and site."""

from __future__ import annotations

import re
from pathlib import Path

import docx
import pytest
from pdf_text import pdftotext

CAB = "ctg-ca-boulonnais-2025-2029"
COMMUNES = 22  # members of the CA du Boulonnais in the official data of 2026 (officiel/epci.yaml)


def normal(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").replace("’", "'").split())


@pytest.fixture(scope="module")
def document(corpus_project):
    return docx.Document(str(corpus_project / "dist" / CAB / f"{CAB}.docx"))


@pytest.fixture(scope="module")
def paragraphs(document) -> list[str]:
    return [normal(p.text) for p in document.paragraphs if p.text.strip()]


def signature_cells(document) -> list[str]:
    """The first line of every signature cell (« Pour … »), in the order of the document."""
    cells = []
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                first = normal(cell.text.split("\n")[0])
                if first.startswith("Pour ") and first not in cells:
                    cells.append(first)
    return cells


def table_rows(document, header: str) -> list[list[str]]:
    """The rows (cell texts) of every table whose first row holds the cell `header`."""
    rows = []
    for table in document.tables:
        first = [normal(c.text) for c in table.rows[0].cells]
        if header in first:
            rows += [[normal(c.text) for c in r.cells] for r in table.rows[1:]]
    return rows


def test_twenty_two_communes_sign_and_each_party_is_named_the_french_way(paragraphs):
    parties = [p for p in paragraphs if re.match(r"(La|Le) (commune|Caisse|Communauté|Département|Centre)", p)
               and "ci-après dénommé" in p]
    assert len(parties) == 4 + COMMUNES
    assert sum(p.startswith("La commune ") for p in parties) == COMMUNES
    assert "La commune d'Isques, SIREN 216204743, représentée par son Maire, ci-après dénommée « la commune " \
           "d'Isques » ;" in parties
    ccas = next(p for p in parties if p.startswith("Le Centre communal"))
    assert "représenté par son Vice-président délégué" in ccas  # a signatory by function only: no invented name
    assert f"en {'vingt-six'} exemplaires originaux" in " ".join(paragraphs)


def test_acts_not_dated_yet_are_cited_without_blank_nor_du_du(paragraphs):
    text = " ".join(paragraphs)
    assert "dûment habilité par délibération du conseil communautaire, ci-après dénommée « la CAB »" in text
    assert "du du" not in text and "……" not in text and "..." not in text


def test_signature_cells_follow_the_order_the_convention_gives(document):
    cells = signature_cells(document)
    assert len(cells) == 4 + COMMUNES
    assert cells[0] == "Pour la Communauté d'agglomération du Boulonnais"
    assert cells[1] == "Pour la commune de Baincthun"
    assert cells[-3:] == ["Pour le Centre communal d'action sociale de Boulogne-sur-Mer",
                          "Pour le Département du Pas-de-Calais", "Pour la Caisse d'allocations familiales du Pas-de-Calais"]


def test_lettered_sub_articles_the_addition_and_the_clause_of_this_convention(paragraphs):
    assert "3 - a – Le territoire" in paragraphs and "3 - c – Les compétences des communes" in paragraphs
    engagements = paragraphs.index("Article 5 – Engagements des partenaires")
    added = paragraphs.index("5 - a – Engagements propres aux communes")
    assert engagements < added < paragraphs.index("Article 6 – Collaboration, pilotage et animation de la démarche")
    communication = paragraphs.index("Article 9 – Communication")
    assert "chaque commune signataire peut y ajouter le sien" in paragraphs[communication + 1]
    assert not any(re.match(r"Article \d+ – Article", p) for p in paragraphs)


def test_annex_list_and_territory_follow_the_signatures(paragraphs):
    closing = next(i for i, p in enumerate(paragraphs) if p.startswith("Fait à Boulogne-sur-Mer"))
    annex_list = paragraphs.index("Sommaire des annexes")
    territory = paragraphs.index("Territoire couvert")
    first_annex = len(paragraphs) - 1 - paragraphs[::-1].index("Annexe 1 – Diagnostic partagé")  # the annex itself
    assert closing < annex_list < territory < first_annex
    assert paragraphs[annex_list + 1:annex_list + 6] == [
        "Annexe 1 – Diagnostic partagé", "Annexe 2 – Liste des communes couvertes",
        "Annexe 3 – Équipements et services aux familles", "Annexe 4 – Plan d'actions 2025-2029",
        "Annexe 5 – Glossaire des sigles"]
    assert f"couvre les {COMMUNES} communes membres de la CAB" in paragraphs[territory + 1]


def test_plan_keeps_every_objective_and_numbers_each_level(document):
    rows = table_rows(document, "Objectif général")
    general = {r[1] for r in rows}
    assert "OG 1.3 – Favoriser l'inclusion des enfants en situation de handicap" in general  # no fiche: still there
    assert "OG 3.2 – Conforter l'animation de la vie sociale" in general
    assert len(general) == 7  # three in axe 1, two in axes 2 and 3
    operational = [r[2] for r in rows]
    assert "OO 2.2.2 – Faciliter les déplacements des jeunes de l'arrière-pays" in operational
    # one fiche serves two objectives: two rows, one fiche
    shared = [r for r in rows if re.match(r"fiche action n\S* 3 – ", r[3])]  # « n° » (o in superscript)
    assert [r[2][:8] for r in shared] == ["OO 1.2.1", "OO 1.2.2"]
    headers = [normal(t.rows[0].cells[0].text) for t in document.tables]
    assert headers.count("Axe") == 1 + 6  # the plan's table, then six fiches, each headed by its axe


def test_fiche_fields_are_those_the_convention_chose(paragraphs, document):
    labels = {normal(r.cells[0].text) for t in document.tables for r in t.rows}
    assert {"Calendrier", "Contexte", "Exemples d'actions", "Indicateurs d'évaluation"} <= labels
    assert not {"Diagnostic initial", "Public cible", "Modalités de mise en œuvre"} & labels


def test_equipements_in_one_cell_with_the_convention_type_and_counts(paragraphs, document):
    rows = table_rows(document, "Nom et adresse")
    assert len(rows) == 21
    assert ["Maison des familles", "Maison des familles du Boulonnais, Outreau", "CAB"] in rows
    header = [normal(c.text) for c in next(t for t in document.tables
                                            if "Nom et adresse" in normal(t.rows[0].cells[1].text)).rows[0].cells]
    assert header == ["Type", "Nom et adresse", "Gestionnaire"]  # the empty Adresse column is left out
    text = " ".join(paragraphs)
    assert "Elles gèrent ou soutiennent les 21 équipements et services recensés en Annexe 3, dont 7 équipements " \
           "de la petite enfance." in text
    assert "ALSH péri et extrascolaire : 3 ;" in paragraphs
    # counts over the communes from the official data, with Jinja's filters (docs/convention.md)
    assert "à dominante rurale : 11 communes comptent moins de 2 000 habitants, sur une population totale de " \
           "111 647 habitants en 2023." in text


def test_communes_annex_shows_two_vintages_of_the_official_data(document):
    table = next(t for t in document.tables if normal(t.rows[0].cells[0].text) == "Commune")
    assert [normal(c.text) for c in table.rows[0].cells] == ["Commune", "Code INSEE", "Population 2021",
                                                             "Population 2023", "Évolution"]
    rows = {normal(r.cells[0].text): [normal(c.text) for c in r.cells] for r in table.rows[1:]}
    assert rows["Boulogne-sur-Mer"][1:] == ["62160", "40 910", "40 539", "−371"]
    assert len(rows) == COMMUNES + 1  # and the total


def test_pdf_is_built_and_says_projet(corpus_project):
    pdf = corpus_project / "dist" / CAB / f"{CAB}.pdf"
    text = pdftotext(pdf, "-l", "1")
    assert "PROJET" in text and "Boulonnais" in text


def test_site_publishes_it_internally_only(corpus_site, corpus_site_internal):
    page = corpus_site_internal / "conventions" / CAB / "index.html"
    assert page.is_file()
    html = normal(page.read_text(encoding="utf-8"))
    assert '<span class="ctg-statut ctg-statut--projet">projet</span> Du 1er janvier 2025 au 31 décembre 2029 ; ' \
           "non signée." in html  # only signed texts are « en vigueur »
    assert not (corpus_site / "conventions" / CAB).exists()
    plan = (corpus_site_internal / "conventions" / CAB / "annexes" / "plan-actions" / "index.html").read_text(
        encoding="utf-8")
    assert "OG 1.3" in plan and "Favoriser l’inclusion" in plan.replace("'", "’")


def test_the_registry_holds_no_file_per_commune():
    root = Path(__file__).resolve().parents[1] / "conventions" / "_registre" / "organisations"
    assert not any("type: commune" in p.read_text(encoding="utf-8") for p in root.glob("*.yaml"))


RENEWAL, RENEWED = "ctg-cc-pays-opale-2027-2031", "ctg-cc-pays-opale-2022-2026"


def test_the_bundled_renewal_is_summarised_article_by_article(corpus_project):
    from conftest import run_build

    result = run_build(corpus_project, "diff", RENEWED, RENEWAL)
    assert result.code == 0, result.err
    lines = [normal(line) for line in result.out.splitlines()]
    assert f"{RENEWAL} remplace {RENEWED}." in lines
    assert "Période : du 1er janvier 2022 au 31 décembre 2026 → du 1er janvier 2027 au 31 décembre 2031" in lines
    assert "Parties ajoutées : le Département du Pas-de-Calais" in lines
    assert "modifié : Article 10 – Durée de la convention (2 mots en moins, 2 mots en plus)" in lines
    assert "inchangés : 11" in lines and "Nouveau document" not in result.out


def test_the_internal_site_links_the_renewal_both_ways(corpus_site_internal, corpus_site):
    new = (corpus_site_internal / "conventions" / RENEWAL / "index.html").read_text(encoding="utf-8")
    old = (corpus_site_internal / "conventions" / RENEWED / "index.html").read_text(encoding="utf-8")
    assert re.search(rf"Remplace\s*:.*?href=\"[^\"]*{RENEWED}/?\"", normal(new), re.S)
    assert re.search(rf"Remplacée par\s*:.*?href=\"[^\"]*{RENEWAL}/?\"", normal(old), re.S)
    # a projet is not published: the public page of the signed convention does not link to it
    public = (corpus_site / "conventions" / RENEWED / "index.html").read_text(encoding="utf-8")
    assert RENEWAL not in public


def test_the_fiche_index_names_the_first_level_as_the_plans_do(corpus_site, corpus_site_internal):
    def label(site: Path) -> str:
        page = (site / "fiches-action" / "index.html").read_text(encoding="utf-8")
        return re.search(r'<label>([^<]*?) <select name="thematique"', page).group(1)

    assert label(corpus_site) == "Thématique"  # the published plans all have thématiques
    assert label(corpus_site_internal) == "Axe ou thématique"  # the Boulonnais projet's plan has axes
