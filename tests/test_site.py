"""The published site, tested on the BUILT site (files and a real headless Chromium).

The fixture corpus gets: a second signed convention with a word of its own
(search), a convention in « projet » status, an avenant in « projet » status
and an annex « diffusion : interne » (each with a secret word that must never
reach the public site), and hostile raw HTML in a source.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import serve_folder
from fixture_corpus import CONV, MINIMAL, ROOT, write_project

playwright_api = pytest.importorskip("playwright.sync_api")


SEARCH_WORD = "ornithorynque"  # only in ctg-autre-2023-2027
SECRETS = {
    "projet convention": "brouillonnage",
    "projet avenant": "zygomatique",
    "annexe interne": "confidentialissime",
}
HOSTILE = """

<script>alert("xss-script")</script>

Un [lien piégé](javascript:alert('xss-link')) et <a href="JaVaScRiPt:alert('xss-a')">un autre</a>.

<img src="x.png" onerror="alert('xss-img')"> et [un survol]{onmouseover="alert('xss-span')"}.

<div onclick="alert('xss-div')">Texte cliquable</div>
"""

_conv = MINIMAL[f"{CONV}/convention.md"]


def derived_convention(ident: str, short_title: str, sentence: str) -> str:
    """The fixture convention under another id, without annexes, one sentence of its own."""
    return (_conv.replace("identifiant: ctg-test-2022-2026", f"identifiant: {ident}")
            .replace("titre_court: CTG Test 2022-2026", f"titre_court: {short_title}")
            .replace("""annexes:
          - communes
          - equipements
          - plan-actions
          - glossaire
        """, "")
            .replace("""Les enjeux sont détaillés au plan d'actions ({{ annexe("plan-actions") }}), en particulier la {{ fiche("rpe") }}.""",
                     sentence)
            .replace("""(voir l'{{ article("duree") }})""", ""))

SITE_FILES = {
    # hostile HTML in a published convention, and an internal annex
    f"{CONV}/convention.md": _conv.replace("  - glossaire\n", "  - glossaire\n          - interne\n")
                                 .replace("### Petite enfance\n", textwrap.indent(HOSTILE, " " * 8)
                                          + "\n        ### Petite enfance\n"),
    f"{CONV}/annexes/interne.md": """\
        ---
        titre: Notes de négociation
        diffusion: interne
        ---

        Le montant confidentialissime reste entre les signataires.
        """,
    # an avenant in projet status
    f"{CONV}/avenants/2024-001.md": """\
        ---
        numero: 2024-001
        convention: ctg-test-2022-2026
        statut: projet
        effet: 2024-06-01
        ---

        ## Objet de l'avenant {#objet}

        Le présent avenant zygomatique modifie la convention.
        """,
    # a second signed convention, with a word of its own
    "conventions/ctg-autre-2023-2027/convention.md": derived_convention(
        "ctg-autre-2023-2027", "CTG Autre 2023-2027", f"Un {SEARCH_WORD} figure dans cette seule convention.")
        .replace("debut: 2022-01-01", "debut: 2023-01-01").replace("fin: 2026-12-31", "fin: 2027-12-31"),
    # a convention in projet status
    "conventions/ctg-projet-2024-2028/convention.md": derived_convention(
        "ctg-projet-2024-2028", "CTG Projet 2024-2028", "Le texte brouillonnage n'est pas encore arrêté.")
        .replace("statut: signée", "statut: projet")
        .replace("""signature:
          lieu: Arras
          date: 2022-11-08
        """, ""),
}


def build_site(root: Path, internal: bool = False) -> subprocess.CompletedProcess:
    env = dict(os.environ, SOURCE_DATE_EPOCH="1735689600")  # 1er janvier 2025
    if internal:
        env["CTG_SITE_INTERNE"] = "1"
    else:
        env.pop("CTG_SITE_INTERNE", None)
    return subprocess.run([sys.executable, str(ROOT / "build.py"), "--racine", str(root), "site"],
                          capture_output=True, text=True, timeout=900, env=env)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = write_project(tmp_path_factory.mktemp("site"), SITE_FILES)
    shutil.copytree(ROOT / "docs", root / "docs")  # the authoring guide, published under guide/
    return root


@pytest.fixture(scope="module")
def site(project) -> Path:
    result = build_site(project)
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    return project / "site"


@pytest.fixture(scope="module")
def server(site):
    httpd, url = serve_folder(site)
    yield url
    httpd.shutdown()


@pytest.fixture
def page(chromium):
    pg = chromium.new_page(viewport={"width": 1300, "height": 900})
    dialogs: list[str] = []
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    pg.dialogs = dialogs
    yield pg
    pg.close()


def site_texts(site: Path):
    """(path, text) of every file of the built site, DOCX and PDF included (as their text)."""
    for path in sorted(site.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if path.suffix == ".docx":
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                text = " ".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))
        elif path.suffix == ".pdf":
            from pypdf import PdfReader

            text = " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages)
        elif path.suffix == ".gz":
            import gzip

            text = gzip.decompress(data).decode("utf-8", "replace")
        else:
            text = data.decode("utf-8", "replace")
        yield path, text


# ------------------------------------------------------------------ files of the built site


def test_pages_of_the_site(site):
    for rel in ["index.html", "conventions/ctg-test-2022-2026/index.html",
                "conventions/ctg-test-2022-2026/annexes/plan-actions/index.html",
                "conventions/ctg-test-2022-2026/fiches/rpe/index.html",
                "conventions/ctg-test-2022-2026/avenants/2023-001/index.html",
                "territoires/cc-test/index.html", "fiches-action/index.html", "glossaire/index.html",
                "telechargements/ctg-test-2022-2026/ctg-test-2022-2026.docx"]:
        assert (site / rel).is_file(), rel
    home = (site / "index.html").read_text(encoding="utf-8")
    assert '<html lang="fr"' in home
    assert "du 1er\u00a0janvier\u00a02022 au 31\u00a0décembre\u00a02026" in home
    assert "Avenant n°\u00a02023-001</a>, signé le 15\u00a0décembre\u00a02023" in home
    assert "en vigueur" in home
    territory = (site / "territoires/cc-test/index.html").read_text(encoding="utf-8")
    assert "62001" in territory and "Ablain-Saint-Nazaire" in territory and "1\u202f968" in territory
    search = json.loads((site / "search/search_index.json").read_text(encoding="utf-8"))
    assert search["config"]["lang"] == ["fr"]
    # consolidated versions repeat the convention and its avenants: their pages exist, the search
    # finds the convention and the avenants instead
    assert (site / "conventions/ctg-test-2022-2026/versions/2023-01-01/index.html").is_file()
    locations = [d["location"] for d in search["docs"]]
    assert any(loc.startswith("conventions/ctg-test-2022-2026/avenants/") for loc in locations)
    assert not any("/versions/" in loc for loc in locations)
    assert not (site / "guide").exists()  # the authoring guide is on the internal site only


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        for key in ("href", "src"):
            if a.get(key):
                self.links.append(a[key])


def test_every_internal_link_resolves(site):
    parsed: dict[Path, _Links] = {}

    def parse(path: Path) -> _Links:
        if path not in parsed:
            p = _Links()
            p.feed(path.read_text(encoding="utf-8"))
            parsed[path] = p
        return parsed[path]

    broken = []
    for page in site.rglob("*.html"):
        for link in parse(page).links:
            parts = urlsplit(link)
            if parts.scheme or link.startswith(("//", "mailto:")):
                continue
            base = site if parts.path.startswith("/") else page.parent  # 404.html links from the root
            target = (base / unquote(parts.path.lstrip("/"))).resolve() if parts.path else page
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                broken.append(f"{page.relative_to(site)} → {link}")
            elif parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in parse(target).ids:
                broken.append(f"{page.relative_to(site)} → {link} (ancre absente)")
    assert not broken, "\n".join(broken[:20])


def test_nothing_from_projet_or_interne_documents(site, project):
    for path, text in site_texts(site):
        for what, word in SECRETS.items():
            assert word not in text, f"{what} : « {word} » dans {path.relative_to(site)}"
    assert not list(site.rglob("*projet-2024*"))
    assert not list(site.rglob("*2024-001*"))
    page = (site / "conventions/ctg-test-2022-2026/index.html").read_text(encoding="utf-8")
    assert "Notes de négociation" not in page and "diffusion interne, non publiée" in page


def test_internal_site_has_them(project, site):
    result = build_site(project, internal=True)
    assert result.returncode == 0, result.stderr
    internal = project / "site-interne"
    texts = "\n".join(t for p, t in site_texts(internal) if p.suffix in (".html", ".json"))
    for word in SECRETS.values():
        assert word in texts  # the public test above is not vacuous
    assert (project / "site" / "index.html").is_file()  # the public site is untouched
    # the authoring guide is published there, with French typography (its sources keep plain spaces)
    guide = (internal / "guide/avenants/index.html").read_text(encoding="utf-8")
    prose = re.sub(r"<(pre|code)\b.*?</\1>", "", guide, flags=re.S)
    assert "\u00a0:" in prose and "\u202f;" in prose and not re.search(r"\w [;:!?](?=\s)", prose)


def sidebar_titles(page_html: str) -> list[str]:
    """The entries of a page's navigation (left sidebar), in order."""
    nav = page_html[page_html.index("md-nav--primary"):page_html.index('class="md-content"')]
    return [" ".join(re.sub(r"<[^>]+>", " ", t).split()) for t in re.findall(r'<span class="md-ellipsis">(.*?)</span>',
                                                                          nav, re.S)]


def test_long_sections_of_the_sidebar_show_only_the_open_entry(project, site, tmp_path):
    conv_page = "conventions/ctg-test-2022-2026/annexes/plan-actions/index.html"
    # default limit: both published conventions are listed on each other's pages
    titles = sidebar_titles((site / conv_page).read_text(encoding="utf-8"))
    assert "CTG Autre 2023-2027" in titles and not any("voir l'accueil" in t for t in titles)
    # a site whose sections may hold one entry: the other convention is replaced by a link to the home page
    copy = tmp_path / "projet"
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns("site"))
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for rel in ("ctg/site/hooks.py", "site_overrides"):  # mkdocs resolves them from the config file's folder
        config = config.replace(f" {rel}", f" {ROOT / rel}")
    assert "menu_max_entrees: 50" in config
    # a value that is not a positive whole number: a French error naming the file and the key
    (copy / "mkdocs.yml").write_text(config.replace("menu_max_entrees: 50", "menu_max_entrees: zéro"),
                                     encoding="utf-8")
    result = build_site(copy)
    assert result.returncode != 0 and not (copy / "site").exists()
    assert "mkdocs.yml\u00a0: « extra: menu_max_entrees\u00a0» doit être un nombre entier positif" in result.stderr
    assert "Traceback" not in result.stderr
    (copy / "mkdocs.yml").write_text(config.replace("menu_max_entrees: 50", "menu_max_entrees: 1"), encoding="utf-8")
    result = build_site(copy)
    assert result.returncode == 0, result.stderr
    page_html = (copy / "site" / conv_page).read_text(encoding="utf-8")
    titles = sidebar_titles(page_html)
    assert "CTG Test 2022-2026" in titles and "CTG Autre 2023-2027" not in titles
    assert "… et 1 autre (voir l'accueil)" in titles
    link = re.search(r'<a href="([^"]*)" class="md-nav__link">\s*<span class="md-ellipsis">\s*… et 1 autre', page_html)
    assert link and (copy / "site" / conv_page).parent.joinpath(link.group(1), "index.html").resolve() == \
        (copy / "site" / "index.html").resolve()
    # the other convention keeps its own page, listed on the home page
    home = (copy / "site" / "index.html").read_text(encoding="utf-8")
    assert "conventions/ctg-autre-2023-2027/" in home


def test_hostile_html_never_reaches_the_pages(site):
    for path, text in site_texts(site):
        if path.suffix not in (".html", ".json"):
            continue
        assert "xss-" not in text or path.suffix == ".json" and "alert" not in text, path
        assert not re.search(r"javascript\s*:", text, re.I), path
        assert not re.search(r"<[^>]+\son(error|mouseover|click)\s*=", text, re.I), path
    page = (site / "conventions/ctg-test-2022-2026/index.html").read_text(encoding="utf-8")
    assert "lien piégé" in page and "Texte cliquable" in page  # the words stay, the script goes


def test_downloads_are_published_with_checksums(site):
    folder = site / "telechargements"
    manifest = (folder / "MANIFEST.sha256").read_text(encoding="utf-8")
    assert "ctg-test-2022-2026/ctg-test-2022-2026.docx" in manifest
    check = subprocess.run(["sha256sum", "-c", "MANIFEST.sha256"], cwd=folder, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


# ------------------------------------------------------------------ in the browser


def test_search_finds_the_only_convention_with_a_word(page, server):
    page.goto(server)
    page.click("label.md-search__icon, .md-search__input")
    page.type("input.md-search__input", SEARCH_WORD, delay=20)
    page.wait_for_selector(".md-search-result__item", timeout=15000)
    hrefs = page.eval_on_selector_all(".md-search-result__item a", "els => els.map(e => e.href)")
    assert hrefs and all("ctg-autre-2023-2027" in h for h in hrefs), hrefs


def test_download_links_return_real_docx_and_pdf(page, server):
    page.goto(server + "conventions/ctg-test-2022-2026/")
    links = page.eval_on_selector_all(".ctg-telechargements a", "els => els.map(e => e.href)")
    docx = [h for h in links if h.endswith(".docx")]
    assert docx, links
    body = page.request.get(docx[0]).body()
    assert body[:2] == b"PK" and b"word/document.xml" in body
    from ctg.site.publish import pdf_builder

    pdf = [h for h in links if h.endswith(".pdf")]
    if pdf_builder() is None:
        pytest.skip("ctg.build.build_pdf absent : pas de PDF")
    assert pdf, links
    assert page.request.get(pdf[0]).body()[:5] == b"%PDF-"


def test_consolidated_version_offers_its_docx_and_pdf(page, server):
    """The page of a consolidated version links to its DOCX and PDF, built like every download; on the
    public site without the internal annex."""
    page.goto(server + "conventions/ctg-test-2022-2026/versions/2023-01-01/")
    assert page.locator("h1").first.inner_text() == "Version consolidée au 1er\u00a0janvier\u00a02023"
    links = page.eval_on_selector_all(".ctg-telechargements a", "els => els.map(e => e.href)")
    docx = [h for h in links
            if h.endswith("/telechargements/ctg-test-2022-2026/ctg-test-2022-2026-consolidee-2023-01-01.docx")]
    assert docx, links
    body = page.request.get(docx[0]).body()
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    text = "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", xml))  # « 1er » printed as 1 + superscript « er »
    assert "Version consolidée au 1er\u00a0janvier\u00a02023" in text and "signés font foi" in text
    assert "Département du Pas-de-Calais" in xml  # the avenant's new party
    assert "confidentialissime" not in xml and "Notes de négociation" not in xml
    from ctg.site.publish import pdf_builder

    if pdf_builder() is None:
        pytest.skip("ctg.build.build_pdf absent : pas de PDF")
    pdf = [h for h in links if h.endswith("ctg-test-2022-2026-consolidee-2023-01-01.pdf")]
    assert pdf, links
    assert page.request.get(pdf[0]).body()[:5] == b"%PDF-"


def test_glossary_tooltip_on_a_sigle(page, server):
    page.goto(server + "conventions/ctg-test-2022-2026/fiches/rpe/")
    abbr = page.locator("article abbr", has_text="RPE").first
    assert abbr.get_attribute("title") == "Relais petite enfance"
    abbr.hover()
    tooltip = page.locator(".md-tooltip, .md-tooltip2, [role=tooltip]")
    tooltip.first.wait_for(state="visible", timeout=5000)
    assert "Relais petite enfance" in tooltip.first.inner_text()
    page.goto(server + "glossaire/")
    for sigle in ("CAF", "EAJE", "RPE", "SDSF"):
        assert page.locator("article abbr", has_text=sigle).count() >= 1


def test_fiche_index_filter_narrows_the_list(page, server):
    page.goto(server + "fiches-action/")
    rows = page.locator("tr.ctg-fiche")
    assert rows.count() == 2
    assert page.locator("tr.ctg-fiche:visible").count() == 2
    page.select_option("#filtre-pilote", "La Caf")
    assert page.locator("tr.ctg-fiche:visible").count() == 1
    assert "Créer un guichet unique" in page.locator("tr.ctg-fiche:visible").inner_text()
    assert page.inner_text("#ctg-compte").startswith("1 fiche action")
    page.goto(server + "fiches-action/?partenaire=PMI")
    assert page.locator("tr.ctg-fiche:visible").count() == 1


def test_no_script_runs_from_sources(page, server):
    page.goto(server + "conventions/ctg-test-2022-2026/")
    page.hover("text=un survol")
    page.click("text=Texte cliquable")
    page.click("text=lien piégé")
    assert page.dialogs == []
    handlers = page.evaluate("""() => [...document.querySelectorAll('article *')]
        .flatMap(e => [...e.attributes].filter(a => a.name.startsWith('on')).map(a => e.tagName + ' ' + a.name))""")
    assert handlers == []
    assert page.locator("article script").count() == 0


def test_screenshots(page, server, tmp_path_factory):
    """Home, a convention, a fiche, a consolidated version and its changes; the files are kept for a
    person to look at."""
    out = Path(os.environ.get("CTG_CAPTURES", tmp_path_factory.mktemp("captures")))
    out.mkdir(parents=True, exist_ok=True)
    for name, url in [("accueil", ""), ("convention", "conventions/ctg-test-2022-2026/"),
                      ("version", "conventions/ctg-test-2022-2026/versions/2023-01-01/"),
                      ("comparaison", "conventions/ctg-test-2022-2026/versions/2023-01-01-comparaison/"),
                      ("fiche", "conventions/ctg-test-2022-2026/fiches/rpe/")]:
        page.goto(server + url)
        path = out / f"{name}.png"
        page.screenshot(path=str(path))
        assert path.stat().st_size > 10_000
    assert page.locator("h1").first.inner_text().startswith("Fiche action n°\u00a01")
