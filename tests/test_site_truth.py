"""The public site tells the legal truth (issue #20), read from the files of the bundled corpus's
sites as built by « build.py site » (public) and « build.py site --interne » (conftest.py), on
1 January 2025: Pays d'Opale and Audruicq each have an avenant 2023-001 « prêt pour signature »,
effective 1 January 2023; Ternois is « prêt pour signature »; Pays d'Opale's avenant 2024-001 is a
« projet » (internal site only)."""

from __future__ import annotations

import html as html_lib
import re
import subprocess
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import SITE_URL
from fixture_corpus import ROOT

OPALE = "conventions/ctg-cc-pays-opale-2022-2026"
AUDRUICQ = "conventions/ctg-cc-region-audruicq-2022-2026"


def read(site: Path, rel: str) -> str:
    path = site / rel
    if path.is_dir():
        path = path / "index.html"
    return path.read_text(encoding="utf-8")


def article(page: str) -> str:
    """The page's own content (Material's <article>), without the navigation around it."""
    return page[page.index('<article class="md-content__inner'):page.index("</article>")]


def text(html: str) -> str:
    """The words of some HTML, entities decoded, white space (not the no-break ones) folded."""
    inline = re.sub(r"</?(a|abbr|span|strong|em|code|ins|del)\b[^>]*>", "", html)
    words = html_lib.unescape(re.sub(r"<[^>]+>", " ", inline))
    return re.sub(r"[ \t\r\n]+", " ", re.sub(r" +(?=[,.;:)])", "", words)).strip()


def html_pages(site: Path):
    for path in sorted(site.rglob("*.html")):
        yield path.relative_to(site).as_posix(), path.read_text(encoding="utf-8")


# ------------------------------------------------------------------ 1. « en vigueur » means signed


@pytest.mark.parametrize("conv", [OPALE, AUDRUICQ])
def test_a_version_with_an_unsigned_avenant_is_a_projet_and_names_it(corpus_site, conv):
    version = article(read(corpus_site, f"{conv}/versions/2023-01-01"))
    assert re.search(r"<h1[^>]*>Projet de version consolidée au 1er\u00a0janvier\u00a02023", version)
    words = text(version)
    assert "Ce texte n'est pas en vigueur" in words
    assert "l'avenant n°\u00a02023-001 (non signé à ce jour\u00a0: prêt pour signature)" in words
    # the convention's page never calls it « en vigueur »
    convention = text(article(read(corpus_site, conv)))
    assert "Version en vigueur" not in convention
    assert "Aucune version consolidée n'est en vigueur à ce jour" in convention
    assert not re.search(r"consolidée au 1er\u00a0janvier\u00a02023 en vigueur", convention)
    # its DOCX says so too, on the cover and in the banner
    name = conv.split("/")[1]
    with zipfile.ZipFile(corpus_site / f"telechargements/{name}/{name}-consolidee-2023-01-01.docx") as z:
        xml = re.sub(r"<[^>]+>", "", z.read("word/document.xml").decode("utf-8"))
    assert "Projet de version consolidée au 1er\u00a0janvier\u00a02023" in xml
    assert "PROJET" in xml and "non signé" in xml


# ------------------------------------------------------------------ 2. one vocabulary

VOCABULARY = {"projet", "prêt pour signature", "signée", "signé", "en vigueur", "échue", "échu", "résiliée", "résilié"}


def test_every_status_badge_uses_the_vocabulary_and_tells_the_truth(corpus_site):
    labels = set()
    for rel, page in html_pages(corpus_site):
        for key, label in re.findall(r'class="ctg-statut ctg-statut--([\w-]+)">([^<]*)<', page):
            labels.add(label)
            assert label in VOCABULARY, (rel, label)
    assert {"en vigueur", "prêt pour signature", "échue"} <= labels or {"en vigueur", "prêt pour signature"} <= labels
    # the three texts « prêt pour signature » carry that badge, never « projet »
    for rel in ("conventions/ctg-cc-ternois-2023-2027", f"{OPALE}/avenants/2023-001", f"{AUDRUICQ}/avenants/2023-001"):
        head = article(read(corpus_site, rel)).split('class="ctg-texte', 1)[0]
        assert 'ctg-statut--pret">prêt pour signature<' in head, rel
        assert "ctg-statut--projet" not in head, rel
    home = text(article(read(corpus_site, "index.html")))
    assert "Ctg du Ternois 2023-2027 prêt pour signature" in home
    assert "Avenant n°\u00a02023-001, prêt pour signature, effet au 1er\u00a0janvier\u00a02023" in home


def test_build_list_speaks_the_same_words(corpus_project):
    import os

    env = dict(os.environ, SOURCE_DATE_EPOCH="1735689600")
    out = subprocess.run([sys.executable, str(ROOT / "build.py"), "--racine", str(corpus_project), "list"],
                         capture_output=True, text=True, env=env, timeout=300).stdout
    rows = {line.split()[0]: line for line in out.splitlines()[2:] if line.strip()}
    assert "prêt pour signature" in rows["ctg-cc-pays-opale-2022-2026-avenant-2023-001"]
    assert "prêt pour signature" in rows["ctg-cc-ternois-2023-2027"]
    assert "en vigueur" in rows["ctg-cc-pays-opale-2022-2026"]
    assert "projet" in rows["ctg-cc-pays-opale-2022-2026-avenant-2024-001"]


# ------------------------------------------------------------------ 3. pages an avenant changes


@pytest.mark.parametrize("fiche", ["parentalite", "offre-jeunesse"])
def test_a_fiche_an_avenant_replaces_says_so_both_ways(corpus_site, fiche):
    original = article(read(corpus_site, f"{OPALE}/fiches/{fiche}"))
    notice = original[original.index('class="ctg-avis"'):]
    assert "Cette fiche est modifiée par l'" in text(notice)
    assert f'href="../../avenants/2023-001/fiches/{fiche}/"' in notice
    assert "cet avenant n'est pas signé\u00a0: le texte ci-dessous reste celui en vigueur" in text(notice)
    new = article(read(corpus_site, f"{OPALE}/avenants/2023-001/fiches/{fiche}"))
    assert "Cette fiche remplace la fiche action n°" in text(new)
    assert f'href="../../../../fiches/{fiche}/"' in new


@pytest.mark.parametrize("fiche,number", [("forum-naissance", "3\u00a0bis"), ("parents-isoles", "15")])
def test_a_fiche_an_avenant_adds_says_so_and_is_in_the_index(corpus_site, fiche, number):
    page = text(article(read(corpus_site, f"{OPALE}/avenants/2023-001/fiches/{fiche}")))
    assert "Cette fiche est ajoutée à la convention par l'avenant n°\u00a02023-001" in page
    assert "elle n'est pas en vigueur" in page
    index = article(read(corpus_site, "fiches-action"))
    row = next(r for r in re.findall(r"<tr class=\"ctg-fiche\".*?</tr>", index, re.S) if f"2023-001/fiches/{fiche}/" in r)
    assert text(row).startswith(number.replace("\u00a0", " ")) or text(row).startswith(number)
    assert "Ajout proposé par l'avenant n°\u00a02023-001 (prêt pour signature)" in text(row)


def test_fiche_index_lists_each_current_fiche_once(corpus_site):
    index = article(read(corpus_site, "fiches-action"))
    links = re.findall(r'<td class="ctg-col-titre"><a href="([^"]+)"', index)
    assert len(links) == len(set(links))
    assert "../conventions/ctg-cc-pays-opale-2022-2026/fiches/parentalite/" in links  # still the one in force


# ------------------------------------------------------------------ 4. headings and table of contents


class _Headings(HTMLParser):
    def __init__(self):
        super().__init__()
        self.levels: list[int] = []

    def handle_starttag(self, tag, attrs):
        if re.fullmatch(r"h[1-6]", tag):
            self.levels.append(int(tag[1]))


@pytest.mark.parametrize("rel", [f"{OPALE}/versions/2023-01-01", f"{OPALE}/versions/2023-01-01-comparaison",
                                 "deliberations/deliberation-cp-2023-578"])
def test_consolidated_comparison_and_deliberation_pages_have_one_h1_and_a_toc(corpus_site, rel):
    page = read(corpus_site, rel)
    parser = _Headings()
    parser.feed(article(page))
    assert parser.levels.count(1) == 1 and parser.levels[0] == 1
    toc = page[page.index('md-nav--secondary'):page.index('<div class="md-content"')]
    if "versions" in rel:
        assert 'href="#article-objet"' in toc and 'href="#preambule"' in toc
    else:
        assert len(re.findall(r'class="md-nav__link"', toc)) >= 2


def test_no_page_skips_a_heading_level(corpus_site):
    skipped = []
    for rel, page in html_pages(corpus_site):
        if "md-content__inner" not in page:
            continue
        parser = _Headings()
        parser.feed(article(page))
        for before, after in zip(parser.levels, parser.levels[1:]):
            if after > before + 1:
                skipped.append(f"{rel}: h{before} → h{after}")
                break
    assert not skipped, "\n".join(skipped[:10])


# ------------------------------------------------------------------ 7. French sort order


def test_communes_in_french_order(corpus_site):
    def names(rel):
        return re.findall(r"<tr><td>\d{5}</td><td>([^<]+)</td>", read(corpus_site, rel))

    cabbalr = names("territoires/cabbalr")
    assert cabbalr.index("Béthune") < cabbalr.index("Busnes")
    ternois = names("territoires/cc-ternois")
    assert ternois.index("Écoivres") < ternois.index("Willencourt")
    assert ternois.index("Écoivres") < ternois.index("Frévent")


# ------------------------------------------------------------------ 8. French everywhere

ENGLISH = ["Made with", "Not found", "Previous", "Next", "Search", "Table of contents", "Skip to content",
           "Back to top"]


def test_every_label_is_french(corpus_site):
    for rel, page in html_pages(corpus_site):
        assert '<html lang="fr"' in page, rel
        visible = text(re.sub(r"<(script|style)\b.*?</\1>", "", page, flags=re.S))
        for word in ENGLISH:
            assert not re.search(rf"\b{word}\b", visible), (rel, word)
    missing = read(corpus_site, "404.html")
    assert "Page introuvable" in missing and "Accessibilité\u00a0: non conforme" in text(missing)


# ------------------------------------------------------------------ 9. accessibility statement


def test_accessibility_statement_on_every_page(corpus_site):
    statement = text(article(read(corpus_site, "accessibilite")))
    assert "Déclaration d'accessibilité" in statement and "non conforme" in statement
    assert "Défenseur des droits" in statement
    assert "[à compléter par l'éditeur du site dans mkdocs.yml, «\u00a0extra: accessibilite: contact\u00a0»]" in statement
    for rel, page in html_pages(corpus_site):
        assert re.search(r'<a href="([^"]*accessibilite/|\./)">Accessibilité', page), rel


# ------------------------------------------------------------------ 10. the authoring guide

DRAFT = ["Ludothèque de Licques", "2024-001"]  # the draft avenant of Pays d'Opale (« projet »)


def test_guide_only_on_the_internal_site_and_no_draft_in_the_public_site(corpus_site, corpus_site_internal):
    assert not (corpus_site / "guide").exists()
    assert (corpus_site_internal / "guide/avenants/index.html").is_file()
    search = (corpus_site / "search/search_index.json").read_text(encoding="utf-8")
    assert '"location":"guide/' not in search
    for path in corpus_site.rglob("*"):
        if path.suffix in (".html", ".json", ".xml"):
            content = path.read_text(encoding="utf-8")
            for words in DRAFT:
                assert words not in content, (path, words)


def test_guide_examples_are_fictitious():
    guide = "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs").glob("*.md")))
    for real in ("Licques", "Hardinghen", "ctg-cc-pays-opale", "ctg-cabbalr", "ctg-cc-ternois", "ctg-cc-region-audruicq"):
        assert real not in guide, real


# ------------------------------------------------------------------ 11. smaller ones


def test_sitemap_lists_the_pages_at_the_published_address(corpus_site):
    sitemap = (corpus_site / "sitemap.xml").read_text(encoding="utf-8")
    assert f"<loc>{SITE_URL}{OPALE}/</loc>" in sitemap
    assert f"<loc>{SITE_URL}fiches-action/</loc>" in sitemap


def test_previous_and_next_stay_in_their_convention(corpus_site):
    for rel, page in html_pages(corpus_site):
        if not rel.startswith("conventions/") or rel.count("/") < 2:
            continue
        here = rel.split("/")[1]
        for href in re.findall(r'<a href="([^"]+)" class="md-footer__link', page):
            target = (corpus_site / rel).parent.joinpath(href).resolve().relative_to(corpus_site.resolve()).as_posix()
            assert target == f"conventions/{here}" or target.startswith(f"conventions/{here}/"), (rel, target)


def test_tabs_open_lists(corpus_site):
    page = read(corpus_site, f"{OPALE}/fiches/parentalite")
    tabs = dict((t.strip(), h) for h, t in re.findall(r'<a href="([^"]+)" class="md-tabs__link">\s*([^<]+?)\s*</a>', page))
    assert tabs["Conventions"] == "../../../"
    assert tabs["Territoires"] == "../../../../territoires/"
    conventions = text(article(read(corpus_site, "conventions")))
    assert "Ctg du Pays d'Opale 2022-2026 en vigueur" in conventions


def test_deliberation_page_has_one_title_and_offers_its_download(corpus_site):
    page = article(read(corpus_site, "deliberations/deliberation-cp-2023-578"))
    assert page.count("<h1") == 1
    links = re.findall(r'<a class="md-button[^"]*" href="([^"]+)" download>Télécharger en ([^<]+)</a>', page)
    assert [label for _h, label in links][:1] == ["Word (DOCX)"]
    folder = corpus_site / "deliberations/deliberation-cp-2023-578"
    docx = (folder / links[0][0]).resolve()
    with zipfile.ZipFile(docx) as z:
        xml = re.sub(r"<[^>]+>", "", z.read("word/document.xml").decode("utf-8"))
    assert "2023-578" in xml
    for href, label in links[1:]:
        assert label == "PDF" and (folder / href).resolve().read_bytes()[:5] == b"%PDF-"
