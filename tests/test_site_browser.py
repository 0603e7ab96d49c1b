"""The public site in Chromium (issue #20): accessibility (axe-core) of every page type at two
widths, French search, the fiche index's layout and shareable filters, sigle tooltips from the
keyboard, the 404 page under a sub-path. The site is the bundled corpus's, served under « /ctg/ »
as its host would (conftest.py); screenshots of every page type are kept for a person to look at
(CTG_CAPTURES=folder)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fixture_corpus import ROOT

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = (1366, 390)
OPALE = "conventions/ctg-cc-pays-opale-2022-2026/"

PAGE_TYPES = {
    "accueil": "",
    "liste-conventions": "conventions/",
    "convention": OPALE,
    "avenant": OPALE + "avenants/2023-001/",
    "annexe": OPALE + "annexes/plan-actions/",
    "annexe-tableau": OPALE + "annexes/equipements/",
    "fiche": OPALE + "fiches/parentalite/",
    "fiche-avenant": OPALE + "avenants/2023-001/fiches/forum-naissance/",
    "version": OPALE + "versions/2023-01-01/",
    "comparaison": OPALE + "versions/2023-01-01-comparaison/",
    "territoire": "territoires/cabbalr/",
    "liste-territoires": "territoires/",
    "fiches-action": "fiches-action/",
    "glossaire": "glossaire/",
    "deliberation": "deliberations/deliberation-cp-2023-578/",
    "accessibilite": "accessibilite/",
    "introuvable": "page/qui/n-existe-pas/",
}


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.is_file():
        pytest.skip("axe-core absent : « npm ci » (scripts/install.sh --tests)")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture
def tab(chromium):
    context = chromium.new_context(viewport={"width": 1366, "height": 900}, locale="fr-FR")
    page = context.new_page()
    yield page
    context.close()


def serious(page, axe_source: str) -> list[str]:
    page.add_script_tag(content=axe_source)
    # resultTypes: only the violations are detailed (the passes are only counted): same violations,
    # about 40 % less time on the long pages
    result = page.evaluate("""() => axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',
                                                                 'best-practice'],
                                                       resultTypes: ['violations']})""")
    return [f"{v['id']} ({v['impact']}) : {v['nodes'][0]['target']} — {v['help']}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("width", WIDTHS)
def test_no_serious_accessibility_violation_on_any_page_type(tab, corpus_server, axe_source, width,
                                                             tmp_path_factory):
    out = Path(os.environ.get("CTG_CAPTURES") or tmp_path_factory.mktemp("captures"))
    out.mkdir(parents=True, exist_ok=True)
    tab.set_viewport_size({"width": width, "height": 900})
    found = {}
    for name, rel in PAGE_TYPES.items():
        response = tab.goto(corpus_server + rel)
        assert response.status == (404 if name == "introuvable" else 200), name
        tab.wait_for_load_state("load")
        problems = serious(tab, axe_source)
        if problems:
            found[name] = problems
        tab.screenshot(path=str(out / f"{name}-{width}.png"))
    assert not found, found


def search(page, base: str, query: str) -> list[dict]:
    page.goto(base)
    page.click("label.md-search__icon, .md-search__input")
    # the index is ready when the dialog invites to type; then the answer counts what it found
    meta = "document.querySelector('.md-search-result__meta').textContent"
    page.wait_for_function(f"() => {meta}.includes('Taper pour démarrer')", timeout=30000)
    page.type("input.md-search__input", query, delay=10)
    page.wait_for_function(f"() => / trouvés?/.test({meta})", timeout=30000)
    return page.eval_on_selector_all(  # each result's page (its sections follow it)
        ".md-search-result__item > .md-search-result__link:first-child",
        "els => els.map(e => ({href: e.href, title: e.querySelector('h1, h2').textContent.trim()}))")


@pytest.mark.parametrize("query,expected", [
    ("Opale", "Pays d'Opale"),
    ("creche", "crèche"),
    ("Bethune", "Béthune"),
    ("departement", "Département"),
])
def test_search_finds_french_words_without_their_accents_or_elisions(tab, corpus_server, query, expected):
    results = search(tab, corpus_server, query)
    assert results, query
    texts = tab.inner_text(".md-search-result")
    assert expected.lower() in texts.lower(), (query, texts[:500])


def test_search_result_titles_are_unique_and_name_their_convention(tab, corpus_server):
    results = search(tab, corpus_server, "parentalité")
    titles = [r["title"] for r in results]
    assert len(titles) >= 3
    assert len(titles) == len(set(titles)), titles
    for r in results:
        if "/conventions/" in r["href"] and "/fiches/" in r["href"]:
            assert "Ctg " in r["title"] or "CTG " in r["title"], r


LAYOUT = """() => {
  const canvas = document.createElement('canvas').getContext('2d');
  const cells = [...document.querySelectorAll('#ctg-fiches td')].filter(td => td.offsetParent !== null);
  const cut = [];
  for (const td of cells) {
    const style = getComputedStyle(td);
    canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    // a line may break at a space or after a hyphen (« Pas-de- / Calais »), nowhere else
    const widest = Math.max(...td.innerText.split(/\\s+|(?<=-)/).map(w => canvas.measureText(w).width));
    if (widest > td.clientWidth + 1) cut.push(td.innerText.slice(0, 40) + ' (' + td.clientWidth + ' px)');
  }
  const title = document.querySelector('#ctg-fiches td.ctg-col-titre');
  return {scroll: document.scrollingElement.scrollWidth - window.innerWidth, cut,
          title: title.getBoundingClientRect().width};
}"""


@pytest.mark.parametrize("width,title_min", [(1366, 200), (390, 300)])
def test_fiche_index_is_readable_at_desktop_and_phone_widths(tab, corpus_server, width, title_min):
    tab.set_viewport_size({"width": width, "height": 900})
    tab.goto(corpus_server + "fiches-action/")
    layout = tab.evaluate(LAYOUT)
    assert layout["scroll"] <= 0, layout  # no horizontal scroll
    assert not layout["cut"], layout["cut"][:5]  # no word wider than its cell, so none broken
    assert layout["title"] >= title_min, layout


def test_fiche_index_filters_live_in_the_address(tab, corpus_server):
    tab.goto(corpus_server + "fiches-action/")
    total = tab.locator("tr.ctg-fiche:visible").count()
    tab.select_option("#filtre-thematique", index=1)
    chosen = tab.eval_on_selector("#filtre-thematique", "s => s.value")
    shown = tab.locator("tr.ctg-fiche:visible").count()
    assert 0 < shown < total
    assert "thematique=" in tab.url
    shared = tab.url
    other = tab.context.new_page()  # the address, opened elsewhere, shows the same list
    other.goto(shared)
    assert other.eval_on_selector("#filtre-thematique", "s => s.value") == chosen
    assert other.locator("tr.ctg-fiche:visible").count() == shown
    other.close()
    tab.go_back()
    tab.wait_for_function("() => document.querySelector('#filtre-thematique').value === ''")
    assert tab.locator("tr.ctg-fiche:visible").count() == total


def test_sigle_tooltip_reachable_from_the_keyboard(tab, corpus_server):
    tab.goto(corpus_server + OPALE + "fiches/parentalite/")
    abbr = tab.locator("article abbr[tabindex='0']").first
    meaning = abbr.get_attribute("title")
    assert meaning
    for _ in range(200):  # Tab through the page until the first sigle has the focus
        tab.keyboard.press("Tab")
        if tab.evaluate("() => document.activeElement.tagName") == "ABBR":
            break
    assert tab.evaluate("() => document.activeElement.tagName") == "ABBR"
    tooltip = tab.locator(".md-tooltip2, .md-tooltip, [role=tooltip]").filter(has_text=meaning[:20])
    tooltip.first.wait_for(state="visible", timeout=5000)


def test_404_page_works_under_a_sub_path(tab, corpus_server):
    response = tab.goto(corpus_server + "un/chemin/inconnu/")
    assert response.status == 404
    assert tab.locator("h1").first.inner_text() == "Page introuvable"
    # its style sheets and links work from any depth
    assert tab.evaluate("() => getComputedStyle(document.querySelector('.md-header')).position") == "sticky"
    tab.click("article a:has-text(\"Page d'accueil\")")
    assert tab.url == corpus_server
    assert tab.locator("h1").first.inner_text() == "Conventions territoriales globales"
