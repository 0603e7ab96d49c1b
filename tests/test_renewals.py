"""Renewals (« remplace: », « build.py diff ANCIENNE NOUVELLE ») and official data pinned per convention
(« donnees_officielles: », officiel/ANNEE/, the communes annex's « colonnes: »)."""

from __future__ import annotations

import dataclasses
import textwrap

import pytest
from conftest import run_build
from fixture_corpus import CONV, MINIMAL, OFFICIAL, PACKAGE, SOURCE
from test_territory import make_package

from ctg.sources import official_data

NEW = "conventions/ctg-test-2027-2031"
_conv = textwrap.dedent(MINIMAL[f"{CONV}/convention.md"])

#: The fixture convention renewed: five years later, replacing it, an article rewritten and one added.
RENEWAL = {
    f"{NEW}/convention.md": (
        _conv.replace("identifiant: ctg-test-2022-2026", "identifiant: ctg-test-2027-2031\nremplace: ctg-test-2022-2026")
        .replace("titre_court: CTG Test 2022-2026", "titre_court: CTG Test 2027-2031")
        .replace("statut: signée", "statut: projet")
        .replace("debut: 2022-01-01", "debut: 2027-01-01").replace("fin: 2026-12-31", "fin: 2031-12-31")
        .replace("  lieu: Arras\n  date: 2022-11-08\n", "  lieu: Arras\n")
        .replace("  - equipements\n  - plan-actions\n  - glossaire\n", "")
        .replace("Les enjeux sont détaillés au plan d'actions ({{ annexe(\"plan-actions\") }}), en particulier la "
                 "{{ fiche(\"rpe\") }}.", "Les enjeux sont ceux du diagnostic renouvelé en 2026.")
        .replace("(voir l'{{ article(\"duree\") }})", "et de loisirs")
        + "\n## Parentalité {#parentalite apres=\"enjeux\"}\n\nLes signataires soutiennent les lieux d'accueil enfants-parents.\n"),
    f"{NEW}/annexes/communes.md": MINIMAL[f"{CONV}/annexes/communes.md"],
}


def test_renewal_is_checked(make_project):
    root = make_project(RENEWAL)
    result = run_build(root, "check")
    assert result.code == 0, result.err


def test_diff_of_two_conventions_summarises_the_renewal(make_project):
    root = make_project(RENEWAL)
    result = run_build(root, "diff", "ctg-test-2022-2026", "ctg-test-2027-2031")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[:5] == [
        "Comparaison de ctg-test-2022-2026 (CTG Test 2022-2026) et de ctg-test-2027-2031 (CTG Test 2027-2031)",
        "ctg-test-2027-2031 remplace ctg-test-2022-2026.",
        "",
        "Période\u00a0: du 1er\u00a0janvier\u00a02022 au 31\u00a0décembre\u00a02026 → du 1er\u00a0janvier\u00a02027 au "
        "31\u00a0décembre\u00a02031",
        "Parties ajoutées\u00a0: aucune",
    ]
    text = result.out.replace("\u00a0", " ").replace("\u202f", " ")
    for line in [
        "  modifié : Article 4 – Enjeux et objectifs partagés (15 mots en moins, 8 mots en plus)",
        "      Les enjeux sont [-détaillés au plan d'actions (Annexe 3), en particulier la fiche action n° 1.-] "
        "{+ceux du diagnostic renouvelé en 2026.+} Petite enfance Développer l'offre d'accueil "
        "[-(voir l'article 10).-] {+et de loisirs.+}",
        "  ajouté : Article 5 – Parentalité",
        "  renuméroté : Article 9 – Communication → Article 10 – Communication",
        "  modifié : Article 11 – Durée de la convention (2 mots en moins, 2 mots en plus)",
        "  retiré : Annexe 3 – Plan d'actions",
        "  inchangés : 1",
    ]:
        assert line + "\n" in text, line


@pytest.mark.parametrize("files, ident, line, message", [
    ({f"{NEW}/convention.md": RENEWAL[f"{NEW}/convention.md"].replace("remplace: ctg-test-2022-2026",
                                                                     "remplace: ctg-test-2022-2062")},
     "ctg-test-2027-2031", 3, "la convention remplacée « ctg-test-2022-2062 » n'existe pas ; vouliez-vous dire « ctg-test-2022-2026 » ? "
        "[remplace-inconnue]"),
    ({f"{NEW}/convention.md": RENEWAL[f"{NEW}/convention.md"].replace("remplace: ctg-test-2022-2026",
                                                                     "remplace: ctg-test-2027-2031")},
     "ctg-test-2027-2031", 3, "une convention ne peut pas se remplacer elle-même. [remplace-elle-meme]"),
    ({f"{CONV}/convention.md": _conv.replace("identifiant: ctg-test-2022-2026",
                                             "identifiant: ctg-test-2022-2026\nremplace: ctg-test-2027-2031")},
     "ctg-test-2022-2026", 3, "« remplace: » forme un cercle (ctg-test-2022-2026 → ctg-test-2027-2031 … → ctg-test-2022-2026) ; une "
        "convention ne remplace qu'une convention plus ancienne. [remplacement-circulaire]"),
])
def test_remplace_is_validated(make_project, files, ident, line, message):
    root = make_project({**RENEWAL, **files}, fingerprints=False)
    result = run_build(root, "check")
    assert result.code == 1
    assert f"conventions/{ident}/convention.md:{line}\u00a0: erreur\u00a0: {message}" in result.err


def test_convention_replaced_twice_is_refused(make_project):
    other = RENEWAL[f"{NEW}/convention.md"].replace("identifiant: ctg-test-2027-2031", "identifiant: ctg-test-bis")
    root = make_project({**RENEWAL, "conventions/ctg-test-bis/convention.md": other,
                         "conventions/ctg-test-bis/annexes/communes.md": RENEWAL[f"{NEW}/annexes/communes.md"]},
                        fingerprints=False)
    result = run_build(root, "check")
    assert result.code == 1
    assert ("conventions/ctg-test-bis/convention.md:3\u00a0: erreur\u00a0: la convention « ctg-test-2022-2026 » est "
            "déjà remplacée par « ctg-test-2027-2031 » ; une convention n'est remplacée que par une seule. "
            "[remplacee-deux-fois]") in result.err


# ---------------------------------------------------------------- official data pinned per convention

#: MADE-UP TEST DATA: an earlier vintage (geographic code 2021, populations 2018) of the fixture's communes.
POPULATIONS_2021 = {"62001": 1900, "62002": 230, "62003": 590, "62004": 7650, "80810": 140}


def vintage_files(year: int, populations: dict[str, int]) -> dict[str, str]:
    package = [dict(c, population=populations.get(c["code"], c.get("population"))) for c in PACKAGE["communes"]]
    source = dataclasses.replace(SOURCE, version=f"{year - 2020}.0.0", cog=year, millesime_population=year - 3)
    official = official_data.transform(package, PACKAGE["epci"], ["62"], source)
    mark = "# DONNÉES DE TEST INVENTÉES (tests/test_renewals.py), pas des populations légales.\n"
    folder = f"conventions/_registre/officiel/{year}"
    return {f"{folder}/communes.yaml": mark + official_data.render_communes(official),
            f"{folder}/epci.yaml": mark + official_data.render_epci(official)}


def markdown(root, ident: str) -> str:
    result = run_build(root, "markdown")
    assert result.code == 0, result.err
    start = result.out.index(f"identifiant: {ident}") if False else 0
    return result.out[start:]


def test_pinned_convention_keeps_its_populations_when_a_vintage_is_added(make_project, tmp_path):
    pinned = _conv.replace("territoire: cc-test", "territoire: cc-test\ndonnees_officielles: 2021")
    root = make_project({f"{CONV}/convention.md": pinned, **vintage_files(2021, POPULATIONS_2021)})
    before = run_build(root, "markdown")
    assert before.code == 0, before.err
    assert "| 62001 | Ablain-Saint-Nazaire | 1\u202f900 |" in before.out
    assert "(population municipale 2018)" in before.out
    assert "| 62001 | Ablain-Saint-Nazaire | 1\u202f968 |" not in before.out
    # a new vintage comes: « registre --mettre-a-jour » writes it beside the others, the signed text stays
    tgz = make_package(tmp_path, version="7.0.0", readme="| 2027 | 7.0.0 |\n")
    update = run_build(root, "registre", "--mettre-a-jour", "--paquet", str(tgz), "--departements", "62")
    assert update.code == 0, update.err
    assert "Écrit\u00a0: conventions/_registre/officiel/2027/communes.yaml" in update.out
    assert (root / "conventions/_registre/officiel/2027/epci.yaml").is_file()
    check = run_build(root, "check")
    assert check.code == 0, check.err
    shown = run_build(root, "registre")
    assert shown.code == 0, shown.err
    assert ("Autre millésime, conventions/_registre/officiel/2021\u00a0: code officiel géographique 2021, "
            "populations 2018, 4 communes, 2 intercommunalités.") in shown.out
    assert ("Autre millésime, conventions/_registre/officiel/2027\u00a0: code officiel géographique 2027, "
            "populations 2024, 4 communes, 2 intercommunalités.") in shown.out
    after = run_build(root, "markdown")
    assert after.out == before.out


def test_unknown_vintage_is_reported(make_project):
    pinned = _conv.replace("territoire: cc-test", "territoire: cc-test\ndonnees_officielles: 2019")
    root = make_project({f"{CONV}/convention.md": pinned}, fingerprints=False)
    result = run_build(root, "check")
    assert result.code == 1
    assert ("conventions/ctg-test-2022-2026/convention.md:6\u00a0: erreur\u00a0: aucune donnée officielle du code "
            "géographique 2019 (années présentes : 2026) ; ajoutez le dossier "
            "conventions/_registre/officiel/2019 avec « python build.py registre --mettre-a-jour », ou corrigez "
            "l'année. [millesime-inconnu]") in result.err


COLUMNS = """\
    ---
    titre: Liste des communes couvertes
    contenu: communes
    colonnes: [nom, insee, population@2021, population, evolution]
    ---
    """


def test_communes_annex_shows_the_columns_asked_for(make_project):
    root = make_project({f"{CONV}/annexes/communes.md": COLUMNS, **vintage_files(2021, POPULATIONS_2021)})
    text = markdown(root, "ctg-test-2022-2026")
    n = "\u202f"
    for line in ["| Commune | Code INSEE | Population 2018 | Population 2023 | Évolution |",
                 "|:----------|:----------|----------:|----------:|----------:|",
                 "| Ablain-Saint-Nazaire | 62001 | 1\u202f900 | 1\u202f968 | +68 |",
                 "| Ablainzevelle | 62002 | 230 | 220 | \u221210 |",
                 f"| **Total (3 communes)** |  | **2{n}720** | **2{n}789** | **+69** |"]:
        assert line + "\n" in text, line


def test_unknown_column_is_reported(make_project):
    root = make_project({f"{CONV}/annexes/communes.md": COLUMNS.replace("population@2021, population, evolution",
                                                                        "evolution, habitants")},
                        fingerprints=False)
    result = run_build(root, "check")
    assert result.code == 1
    path = "conventions/ctg-test-2022-2026/annexes/communes.md:4\u00a0: erreur\u00a0: "
    assert (path + "la colonne « evolution » suit deux colonnes de population (par exemple population@2021 et "
            "population) : elle en donne la différence. [evolution-sans-populations]") in result.err
    assert (path + "colonne « habitants » inconnue ; colonnes possibles : insee, nom, population, "
            "population@ANNEE, evolution. [colonne-inconnue]") in result.err


# ---------------------------------------------------------------- a sigle added after a text was signed

SIGLES = textwrap.dedent(MINIMAL["conventions/_registre/sigles.yaml"])


def test_sigle_added_after_signature_leaves_the_signed_glossary_alone(make_project):
    root = make_project()
    plain = SIGLES + "CCT: Communauté de communes du Test\n"  # the signed text says « La CCT exerce… »
    (root / "conventions/_registre/sigles.yaml").write_text(plain, encoding="utf-8")
    refused = run_build(root, "check")
    assert refused.code == 1
    assert "[texte-signe-modifie]" in refused.err
    dated = SIGLES + "CCT: {sens: Communauté de communes du Test, depuis: 2025-03-01}\n"
    (root / "conventions/_registre/sigles.yaml").write_text(dated, encoding="utf-8")
    accepted = run_build(root, "check")
    assert accepted.code == 0, accepted.err
    # a text signed on or after that day has it in its glossary
    later = make_project({f"{CONV}/convention.md": _conv.replace("date: 2022-11-08", "date: 2025-03-01"),
                          "conventions/_registre/sigles.yaml": dated, f"{CONV}/avenants/2023-001.md": None})
    text = run_build(later, "markdown")
    assert text.code == 0, text.err
    assert "| CCT | Communauté de communes du Test |" in text.out
    assert "| CCT |" not in run_build(root, "markdown").out


def test_site_links_a_renewal_and_the_convention_it_replaces(make_project):
    import os
    import subprocess
    import sys

    from fixture_corpus import ROOT

    root = make_project(RENEWAL)
    env = dict(os.environ, SOURCE_DATE_EPOCH="1735689600", CTG_SITE_INTERNE="1")  # the projet is on the internal site
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "--racine", str(root), "site"],
                            capture_output=True, text=True, timeout=900, env=env)
    assert result.returncode == 0, result.stderr
    pages = root / "site-interne" / "conventions"
    old = (pages / "ctg-test-2022-2026" / "index.html").read_text(encoding="utf-8")
    new = (pages / "ctg-test-2027-2031" / "index.html").read_text(encoding="utf-8")
    abbr = '<abbr title="Convention territoriale globale">CTG</abbr>'
    assert f'<p>Remplacée par\u00a0: <a href="../ctg-test-2027-2031/">{abbr} Test 2027-2031</a></p>' in old
    assert f'<p>Remplace\u00a0: <a href="../ctg-test-2022-2026/">{abbr} Test 2022-2026</a></p>' in new
    assert "Remplace\u00a0:" not in old and "Remplacée par" not in new
    listing = (pages / "index.html").read_text(encoding="utf-8")
    assert ("31\u00a0décembre\u00a02026\u202f; remplacée par «\u00a0<abbr title=\"Convention territoriale globale\" "
            "tabindex=\"0\">CTG</abbr> Test 2027-2031\u00a0»</li>") in listing


# ---------------------------------------------------------------- redline between two conventions

def test_redline_of_a_renewal_has_a_cover_a_closing_and_the_signatures_after_it(make_project, tmp_path):
    import subprocess

    import docx
    from docx.oxml.ns import qn

    root = make_project(RENEWAL)
    result = run_build(root, "redline", "ctg-test-2022-2026", "ctg-test-2027-2031")
    assert result.code == 0, result.err
    path = root / "dist/ctg-test-2027-2031/comparaison-ctg-test-2022-2026--ctg-test-2027-2031.docx"
    body = list(docx.Document(str(path)).element.body.iterchildren())

    def text(el) -> str:
        return "".join(t.text or "" for t in el.iter(qn("w:t")))

    texts = [text(el) for el in body]
    assert texts[:6] == ["Texte comparé\u00a0: CTG Test 2027-2031", "La Communauté de communes du Test", "2027 – 2031",
                         "Entre", "La Caisse d’allocations familiales du Pas-de-Calais",
                         "La Communauté de communes du Test"]
    closing = texts.index("Le présent texte comparé est un document de travail, qui n’est pas destiné à la signature.")
    assert body[closing + 1].tag == qn("w:tbl")
    assert texts[closing + 1].startswith("Pour la Caisse d’allocations familiales du Pas-de-Calais")
    assert not any("version consolidée comporte" in t or "Convention non signée" in t for t in texts)
    # the sommaire: every entry titled (the annexes the renewal drops are deleted text, not entries)
    start = texts.index("Sommaire")
    entries = [t for t in texts[start + 1:start + 40] if t and t[-1].isdigit()]
    assert entries[-1] == "Annexe\u00a01 – Liste des communes couvertes8"
    assert all(t.rstrip("0123456789") for t in entries)
    # the page: the signatures follow the closing on the same page
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   capture_output=True, timeout=300, check=True)
    pdf = subprocess.run(["pdftotext", "-layout", str(tmp_path / (path.stem + ".pdf")), "-"], capture_output=True,
                         text=True, check=True).stdout
    page = next(p for p in pdf.split("\f") if "texte comparé est un document de travail" in p)
    assert "Pour la Caisse d’allocations familiales du" in page.split("texte comparé est un document de travail")[1]


def test_the_guides_columns_example_builds(make_project):
    import re

    from fixture_corpus import ROOT

    guide = (ROOT / "docs/annexes.md").read_text(encoding="utf-8")
    example = next(b for b in re.findall(r"```yaml\n(.*?)```", guide, re.S) if "colonnes:" in b)
    root = make_project({f"{CONV}/annexes/communes.md": example})
    result = run_build(root, "markdown")
    assert result.code == 0, result.err
    # population@2026 is the default data's year: the same populations, an evolution of zero
    assert "| Acheville | 62003 | 601 | 601 | 0 |\n" in result.out


# ---------------------------------------------------------------- the bundled corpus: a renewal of the Ternois CTG

TERNOIS = "ctg-cc-ternois-2023-2027"
RENEWED = "ctg-cc-ternois-2028-2032"


@pytest.fixture(scope="module")
def bundled_renewal(tmp_path_factory):
    """A copy of the bundled corpus with the Ternois CTG renewed for 2028-2032: without the MSA, one sentence
    rewritten, its plan d'actions retitled."""
    import shutil

    from fixture_corpus import ROOT

    root = tmp_path_factory.mktemp("bundled-renewal")
    for folder in ("conventions", "templates"):
        shutil.copytree(ROOT / folder, root / folder)
    folder = root / "conventions" / RENEWED
    shutil.copytree(root / "conventions" / TERNOIS, folder)
    (folder / "empreintes.yaml").unlink(missing_ok=True)
    conv = folder / "convention.md"
    text = (conv.read_text(encoding="utf-8")
            .replace(f"identifiant: {TERNOIS}", f"identifiant: {RENEWED}\nremplace: {TERNOIS}")
            .replace("titre_court: Ctg du Ternois 2023-2027", "titre_court: Ctg du Ternois 2028-2032")
            .replace("statut: prêt pour signature", "statut: projet")
            .replace("debut: 2023-01-01", "debut: 2028-01-01").replace("fin: 2027-12-31", "fin: 2032-12-31")
            .replace("  - organisation: msa-npdc\n", "")
            .replace("l'expérience d'une première Ctg, conclue pour la période 2018-2022.",
                     "l'expérience de deux Ctg, conclues pour les périodes 2018-2022 et 2023-2027."))
    conv.write_text(text, encoding="utf-8")
    plan = folder / "annexes" / "plan-actions.md"
    plan.write_text(plan.read_text(encoding="utf-8").replace("2023-2027", "2028-2032"), encoding="utf-8")
    return root


def test_bundled_renewal_diff(bundled_renewal):
    result = run_build(bundled_renewal, "diff", TERNOIS, RENEWED)
    assert result.code == 0, result.err
    text = result.out.replace("\u00a0", " ").replace("\u202f", " ")
    for line in [
        f"{RENEWED} remplace {TERNOIS}.",
        "Parties retirées : la Mutualité sociale agricole Nord-Pas-de-Calais",
        "  modifié : Article 3 – Champs d'intervention de la Communauté de communes du Ternois (6 mots en moins, "
        "8 mots en plus)",
        "      … de communes aborde cette convention forte de l'expérience [-d'une première Ctg, conclue pour la "
        "période 2018-2022.-] {+de deux Ctg, conclues pour les périodes 2018-2022 et 2023-2027.+} Les compétences "
        "mobilisées Parmi les compétences de la …",
        "      … à la date de la dernière signature, en [-quatre-] {+trois+} exemplaires originaux. Pour la Caisse "
        "d'allocations familiales du …",
        "  renommé : Annexe 3 – Plan d'actions 2023-2027 et moyens mobilisés par chaque signataire → Annexe 3 – Plan "
        "d'actions 2028-2032 et moyens mobilisés par chaque signataire",
        "  inchangés : 4",
    ]:
        assert line + "\n" in text, line


def test_bundled_renewal_redline(bundled_renewal):
    import docx
    from docx.oxml.ns import qn

    result = run_build(bundled_renewal, "redline", TERNOIS, RENEWED)
    assert result.code == 0, result.err
    path = bundled_renewal / f"dist/{RENEWED}/comparaison-{TERNOIS}--{RENEWED}.docx"
    body = list(docx.Document(str(path)).element.body.iterchildren())
    texts = ["".join(t.text or "" for t in el.iter(qn("w:t"))) for el in body]
    entre = texts.index("Entre")
    assert texts[entre + 1:entre + 4] == ["La Caisse d’allocations familiales du Pas-de-Calais",
                                          "La Communauté de communes du Ternois", "Le Département du Pas-de-Calais"]
    closing = texts.index("Le présent texte comparé est un document de travail, qui n’est pas destiné à la signature.")
    assert body[closing + 1].tag == qn("w:tbl") and "Pour la Caisse" in texts[closing + 1]
    assert "Pour la Mutualité sociale agricole" not in texts[closing + 1]  # deleted text: w:delText
    deleted = "".join(t.text or "" for t in body[closing + 1].iter(qn("w:delText")))
    assert "Pour la Mutualité sociale agricole Nord-Pas-de-Calais" in deleted


def vintage_with_members(year: int, members: list[str]) -> dict[str, str]:
    """MADE-UP TEST DATA: the CC du Test of that year with other members."""
    epci = [dict(e, membres=[{"code": c, "siren": "", "nom": "", "populationTotale": 0, "populationMunicipale": 0}
                             for c in members]) if e["code"] == "200072460" else e for e in PACKAGE["epci"]]
    source = dataclasses.replace(SOURCE, version=f"{year - 2020}.0.0", cog=year, millesime_population=year - 3)
    official = official_data.transform(PACKAGE["communes"], epci, ["62"], source)
    folder = f"conventions/_registre/officiel/{year}"
    mark = "# DONNÉES DE TEST INVENTÉES (tests/test_renewals.py), pas des données officielles.\n"
    return {f"{folder}/communes.yaml": mark + official_data.render_communes(official),
            f"{folder}/epci.yaml": mark + official_data.render_epci(official)}


def test_pinned_convention_takes_the_members_of_its_year(make_project):
    members = vintage_with_members(2021, ["62001", "62002", "62003", "62004"])
    pinned = _conv.replace("territoire: cc-test", "territoire: cc-test\ndonnees_officielles: 2021")
    root = make_project({f"{CONV}/convention.md": pinned, **members})
    text = markdown(root, "ctg-test-2022-2026")
    assert "| | **Total (4 communes)** |" in text
    assert "| 62004 | Achicourt |" in text
    added = pinned.replace("annexes:\n", "communes_ajoutees:\n  - insee: \"62004\"\n    motif: essai\nannexes:\n")
    bad = make_project({f"{CONV}/convention.md": added, **members}, fingerprints=False)
    result = run_build(bad, "check")
    assert result.code == 1
    assert ("conventions/ctg-test-2022-2026/convention.md:22\u00a0: erreur\u00a0: la commune 62004 (Achicourt) est déjà "
            "membre de la CCT au 1er janvier 2021 (code officiel géographique 2021) : elle est couverte sans être "
            "déclarée ; retirez-la de « communes_ajoutees ». [commune-deja-membre]") in result.err
