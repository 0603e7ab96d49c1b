"""Any kind of organisation signs, named the French way (SIVU, CCAS, association, the State, France
Travail, communes cited by their INSEE code); signatories by office only; the order of the signature
cells; authorising acts and mandates not known yet in a « projet », required when ready to sign;
sigles in the glossary whatever their case (issue 18, points 3, 5, 6 and 8)."""

from __future__ import annotations

import re

import docx
from conftest import run_build
from fixture_corpus import CONV, MINIMAL, as_typed

from ctg.assembly.parties import autorisation_text
from ctg.sources.schemas import Autorisation

ID = "ctg-test-2022-2026"
DOC = f"dist/{ID}/{ID}.docx"
CONV_MD = f"{CONV}/convention.md"
ORGS = "conventions/_registre/organisations"

SIGLES = MINIMAL["conventions/_registre/sigles.yaml"].rstrip(" ") + "        RSA: Revenu de solidarité active\n"

REGISTRY = {
    f"{ORGS}/sivu-hem.yaml": """\
        id: sivu-hem
        type: sivu
        nom: Syndicat intercommunal à vocation unique de la Vallée de la Hem
        designation: le SIVU
        representants:
          - civilite: Mme
            prenom: Anne
            nom: Caron
            fonction: Présidente
        """,  # her mandate's start is not known
    f"{ORGS}/ccas-ablain.yaml": """\
        id: ccas-ablain
        type: ccas
        nom: Centre communal d'action sociale d'Ablain-Saint-Nazaire
        designation: le CCAS
        """,
    f"{ORGS}/asso-petits-pas.yaml": """\
        id: asso-petits-pas
        type: association
        nom: Association Les Petits Pas
        adresse: 3 rue des Écoles, 62153 Ablain-Saint-Nazaire
        representants:
          - {civilite: Mme, prenom: Julie, nom: Morel, fonction: Présidente, debut: 2021-06-01}
        """,
    f"{ORGS}/prefecture62.yaml": """\
        id: prefecture62
        type: état
        nom: Préfecture du Pas-de-Calais
        designation: l'État
        """,
    f"{ORGS}/france-travail.yaml": """\
        id: france-travail
        type: france travail
        nom: France Travail
        representants:
          - {civilite: M., prenom: Marc, nom: Dupuis, fonction: Directeur territorial, debut: 2021-09-01}
        """,
    "conventions/_registre/maires.yaml": """\
        maires:
          "62001":
            - {civilite: Mme, prenom: Sophie, nom: Lenoir, fonction: Maire, debut: 2020-05-25}
        """,
}

SIGNATAIRES = """\
        signataires:
          - organisation: caf62
          - organisation: cc-test
            autorisation:
              acte: délibération du conseil communautaire
              numero: "2025-045"
          - organisation: sivu-hem
            autorisation:
              acte: délibération du comité syndical du
              date: 2025-03-12
          - organisation: ccas-ablain
          - organisation: asso-petits-pas
          - organisation: prefecture62
          - organisation: france-travail
          - commune: "62001"
          - commune: "62003"
        """
ORDRE = """\
        signature:
          lieu: Arras
          ordre: [prefecture62, caf62, cc-test, "62001", "62003", sivu-hem, ccas-ablain, asso-petits-pas, france-travail]
        """


def convention(statut: str = "projet", signataires: str = SIGNATAIRES, signature: str = ORDRE) -> str:
    signataires, signature = signataires.rstrip(" "), signature.rstrip(" ")
    text = MINIMAL[CONV_MD]
    head, rest = text.split("        signataires:\n", 1)
    rest = rest[rest.index("        annexes:\n"):]
    head = head.replace("statut: signée", f"statut: {statut}").replace(
        "        signature:\n          lieu: Arras\n          date: 2022-11-08\n", signature)
    return head + signataires + rest + "\n        Le Rsa et la prime d'activité sont versés par la Caf.\n"


def project(make_project, statut: str = "projet", files: dict | None = None, **kw):
    return make_project({**REGISTRY, CONV_MD: convention(statut, **kw), f"{CONV}/avenants/2023-001.md": None,
                         "conventions/_registre/sigles.yaml": SIGLES, **(files or {})}, fingerprints=False)


def markdown(root) -> str:
    result = run_build(root, "markdown", ID)
    assert result.code == 0, result.err
    return result.out


def said(result) -> str:
    """The messages as typed in the code: their French typography (no-break spaces before « : » and
    « ; », inside « ») is the diagnostics' report, tested elsewhere."""
    return result.err.replace("\u00a0", " ").replace("\u202f", " ")


def line_of(root, text: str, start: int = 0) -> int:
    """1-based number of the first line of the convention containing text, after line start."""
    lines = (root / CONV_MD).read_text(encoding="utf-8").split("\n")
    return next(i + 1 for i, line in enumerate(lines) if i + 1 > start and text in line)


PARTIES = [
    "La Caisse d'allocations familiales du Pas-de-Calais, dont le siège est situé 11 rue Félix Adam, 62000 Arras, "
    "représentée par M.\u00a0Jean MARTIN, Directeur, ci-après dénommée «\u00a0la Caf\u00a0»",
    "La Communauté de communes du Test, SIREN 200072460, représentée par M.\u00a0Paul LEFEBVRE, Président, dûment "
    "habilité par délibération du conseil communautaire n°\u00a02025-045, ci-après dénommée «\u00a0la CCT\u00a0»",
    "Le Syndicat intercommunal à vocation unique de la Vallée de la Hem, représenté par Mme\u00a0Anne CARON, "
    "Présidente, dûment habilitée par délibération du comité syndical du 12\u00a0mars\u00a02025, ci-après dénommé "
    "«\u00a0le SIVU\u00a0»",
    "Le Centre communal d'action sociale d'Ablain-Saint-Nazaire, représenté par son Président, ci-après dénommé "
    "«\u00a0le CCAS\u00a0»",
    "L'Association Les Petits Pas, dont le siège est situé 3 rue des Écoles, 62153 Ablain-Saint-Nazaire, "
    "représentée par Mme\u00a0Julie MOREL, Présidente, ci-après dénommée «\u00a0l'Association Les Petits Pas\u00a0»",
    "La Préfecture du Pas-de-Calais, représentée par le Préfet, ci-après dénommée «\u00a0l'État\u00a0»",
    "France Travail, représenté par M.\u00a0Marc DUPUIS, Directeur territorial, ci-après dénommé "
    "«\u00a0France Travail\u00a0»",
    "La commune d'Ablain-Saint-Nazaire, SIREN 216200014, représentée par Mme\u00a0Sophie LENOIR, Maire, ci-après "
    "dénommée «\u00a0la commune d'Ablain-Saint-Nazaire\u00a0»",
    "La commune d'Acheville, SIREN 216200030, représentée par son Maire, ci-après dénommée "
    "«\u00a0la commune d'Acheville\u00a0»",
]

CELLS = [  # in the order « signature: ordre: » gives, not that of the parties
    ["Pour la Préfecture du Pas-de-Calais", "Le Préfet", "Nom et prénom\u00a0:"],
    ["Pour la Caisse d'allocations familiales du Pas-de-Calais", "Le Directeur", "M.\u00a0Jean MARTIN"],
    ["Pour la Communauté de communes du Test", "Le Président", "M.\u00a0Paul LEFEBVRE",
     "Habilité par délibération du conseil communautaire n°\u00a02025-045"],
    ["Pour la commune d'Ablain-Saint-Nazaire", "La Maire", "Mme\u00a0Sophie LENOIR"],
    ["Pour la commune d'Acheville", "Le Maire de la commune d'Acheville", "Nom et prénom\u00a0:"],
    ["Pour le Syndicat intercommunal à vocation unique de la Vallée de la Hem", "La Présidente", "Mme\u00a0Anne CARON",
     "Habilitée par délibération du comité syndical du 12\u00a0mars\u00a02025"],
    ["Pour le Centre communal d'action sociale d'Ablain-Saint-Nazaire",
     "Le Président du Centre communal d'action sociale d'Ablain-Saint-Nazaire", "Nom et prénom\u00a0:"],
    ["Pour l'Association Les Petits Pas", "La Présidente", "Mme\u00a0Julie MOREL"],
    ["Pour France Travail", "Le Directeur territorial", "M.\u00a0Marc DUPUIS"],
]


def test_every_kind_of_organisation_signs_named_the_french_way_in_the_order_given(make_project):
    """A SIVU, a CCAS, an association, the State, France Travail and two communes cited by their INSEE
    code (no registry file): the parties of « Entre » in the order of « signataires », the signature
    cells in the order of « signature: ordre: », a signatory without named person by office only."""
    root = project(make_project)
    check = run_build(root, "check")
    assert check.code == 0, check.err
    assert "[autorisation-sans-date]" not in check.err and "[debut-mandat-absent]" not in check.err
    result = run_build(root, "docx", ID)
    assert result.code == 0, result.err
    d = docx.Document(root / DOC)
    text = [as_typed(p.text) for p in d.paragraphs]
    start = text.index("La présente convention est conclue entre\u00a0:")
    parties = [t.rstrip(" ;.\u202f") for t in text[start + 1:text.index("Sommaire")] if t and t != "et"]
    assert parties == PARTIES
    cells = [[as_typed(p.text) for p in cell.paragraphs if p.text.strip()]
             for table in d.tables for row in table.rows for cell in row.cells]
    cells = [c for c in cells if c and c[0].startswith("Pour ")]
    assert cells == CELLS
    assert not any("du du" in t for t in text)


def test_authorising_acts_wording_never_doubles_du():
    act = "délibération du conseil communautaire"
    assert autorisation_text(Autorisation(acte=act, numero="2023-12", date="2023-12-12")) == \
        "délibération du conseil communautaire n°\u00a02023-12 du 12\u00a0décembre\u00a02023"
    assert autorisation_text(Autorisation(acte=act + " du", date="2023-12-12")) == \
        "délibération du conseil communautaire du 12\u00a0décembre\u00a02023"
    assert autorisation_text(Autorisation(acte=act + " du", numero="7")) == \
        "délibération du conseil communautaire n°\u00a07"
    assert autorisation_text(Autorisation(acte="arrêté préfectoral en date du", numero="7", date="2024-02-01")) == \
        "arrêté préfectoral n°\u00a07 en date du 1er\u00a0février\u00a02024"


def test_ready_for_signature_requires_the_acts_dates_and_the_mandates_starts(make_project):
    root = project(make_project, "prêt pour signature")
    result = run_build(root, "check")
    assert result.code == 1
    cc_test = line_of(root, "autorisation:", line_of(root, "organisation: cc-test"))
    sivu = line_of(root, "organisation: sivu-hem")
    assert (f"{CONV_MD}:{cc_test} : erreur : l'autorisation de « Communauté de communes du Test » "
            "(cc-test) — délibération du conseil communautaire — n'a pas de date ; un document « prêt pour signature » ne cite que des actes déjà pris : indiquez la "
            "« date » de l'acte (AAAA-MM-JJ), ou repassez le document au statut « projet ». "
            "[autorisation-sans-date]") in said(result)
    assert (f"{CONV_MD}:{sivu} : erreur : le début du mandat d'Anne Caron (« sivu-hem ») n'est pas connu ; un "
            "document « prêt pour signature » nomme un signataire dont le mandat est daté : indiquez « debut » dans "
            f"{ORGS}/sivu-hem.yaml, ou désignez le signataire par sa fonction (« fonction: … »). "
            "[debut-mandat-absent]") in said(result)
    assert said(result).count("erreur :") == 2, result.err


def test_once_the_act_is_dated_and_the_mandate_known_the_text_is_ready(make_project):
    signataires = SIGNATAIRES.replace('numero: "2025-045"\n', 'numero: "2025-045"\n              date: 2025-03-28\n')
    sivu = REGISTRY[f"{ORGS}/sivu-hem.yaml"].rstrip(" ") + "            debut: 2020-09-15\n"
    root = project(make_project, "prêt pour signature", {f"{ORGS}/sivu-hem.yaml": sivu}, signataires=signataires)
    result = run_build(root, "check")
    assert result.code == 0, result.err
    assert "par délibération du conseil communautaire n°\u00a02025-045 du 28\u00a0mars\u00a02025, ci-après" in markdown(root)


def test_the_signature_order_names_every_party_exactly_once(make_project):
    ordre = ORDRE.replace('"62003", ', "").replace("ccas-ablain", "ccas-ablin").replace(
        "france-travail]", "france-travail, caf62]")
    root = project(make_project, signature=ordre)
    result = run_build(root, "check")
    assert result.code == 1
    at = f"{CONV_MD}:{line_of(root, 'ordre:')} : erreur : "
    assert (at + "« ccas-ablin » n'est pas signataire de la convention ; vouliez-vous dire « ccas-ablain » ? "
            "[ordre-signature]") in said(result)
    assert at + "« caf62 » figure deux fois dans l'ordre des signatures ; chaque signataire y figure une fois. " \
        "[ordre-signature]" in said(result)
    assert (at + "l'ordre des signatures omet « ccas-ablain », « 62003 » : chaque signataire de la convention y "
            "figure une fois. [ordre-signature]") in said(result)


def test_a_commune_code_unknown_to_the_official_data_is_reported(make_project):
    root = project(make_project, signataires=SIGNATAIRES.replace('"62003"', '"62999"'),
                   signature=ORDRE.replace('"62003"', '"62999"'))
    result = run_build(root, "check")
    assert result.code == 1
    line = line_of(root, 'commune: "62999"')
    assert (f"{CONV_MD}:{line} : erreur : la commune 62999 n'est pas dans les données "
            "officielles (conventions/_registre/officiel) ; vérifiez le code INSEE. [commune-inconnue]") in said(result)


GLOSSARY = f"{CONV}/annexes/glossaire.md"


def test_the_glossary_recognises_a_sigle_whatever_its_case_when_asked(make_project):
    """« Rsa » in the text is the sigle RSA of the registry with « casse: libre »; by default (texts
    signed before this option) only the registry's spelling counts."""
    libre = MINIMAL[GLOSSARY].replace("contenu: glossaire\n", "contenu: glossaire\n        casse: libre\n")
    root = project(make_project, files={GLOSSARY: libre})
    text = markdown(root)
    glossary = text[text.index("{#annexe-glossaire}"):]
    assert "| RSA | Revenu de solidarité active |" in glossary
    root = project(make_project)
    text = markdown(root)
    assert "RSA" not in text[text.index("{#annexe-glossaire}"):]


def test_the_site_marks_a_sigle_whatever_its_case_keeping_its_spelling():
    from ctg.site.glossary import add_abbreviations

    sigles = {"RSA": "Revenu de solidarité active", "Caf": "Caisse d'allocations familiales", "VIF": "Violences"}
    page = add_abbreviations("<p>Le Rsa, la CAF, un vif débat.</p>", sigles)
    assert page == ('<p>Le <abbr title="Revenu de solidarité active" tabindex="0">Rsa</abbr>, la '
                    '<abbr title="Caisse d&#x27;allocations familiales" tabindex="0">CAF</abbr>, un vif débat.</p>')


def test_a_new_convention_may_name_communes_by_their_insee_code_and_passes_check(make_project):
    root = make_project({f"{CONV}/avenants/2023-001.md": None})
    new = run_build(root, "new", "convention", "--territoire", "cc-test", "--signataires", "caf62,cc-test,62001,62002",
                    "--debut", "2027-01-01", "--fin", "2031-12-31")
    assert new.code == 0, new.err
    text = (root / "conventions/ctg-cc-test-2027-2031/convention.md").read_text(encoding="utf-8")
    assert '  - commune: "62001"          # Ablain-Saint-Nazaire\n' in text
    assert "#   acte: délibération du conseil municipal" in text
    check = run_build(root, "check")
    assert check.code == 0, check.err
    assert "erreur" not in said(check)
    result = run_build(root, "markdown", "ctg-cc-test-2027-2031")
    assert "La commune d'Ablainzevelle, SIREN 216200022, représentée par son Maire" in result.out


def test_a_commune_signing_by_code_takes_the_keys_of_its_registry_file(make_project):
    ablain = """\
        id: mairie-ablain
        type: commune
        insee: "62001"
        designation: la Ville d'Ablain
        adresse: 1 rue de la Mairie, 62153 Ablain-Saint-Nazaire
        """
    root = project(make_project, files={f"{ORGS}/mairie-ablain.yaml": ablain})
    assert run_build(root, "check").code == 0
    assert ("La commune d'Ablain-Saint-Nazaire, dont le siège est situé 1 rue de la Mairie, 62153 Ablain-Saint-Nazaire, "
            "SIREN 216200014, représentée par Mme\u00a0Sophie LENOIR, Maire, ci-après dénommée «\u00a0la Ville "
            "d'Ablain\u00a0»") in markdown(root)


def test_a_signatory_is_an_organisation_or_a_commune_not_both(make_project):
    signataires = SIGNATAIRES.replace('  - commune: "62003"\n',
                                      '  - commune: "62003"\n            organisation: acheville\n')
    root = project(make_project, signataires=signataires)
    result = run_build(root, "check")
    assert result.code == 1
    line = line_of(root, 'commune: "62003"')
    assert (f"{CONV_MD}:{line} : erreur : « signataires[9] » : un signataire est soit une « organisation » du "
            "registre, soit une « commune » (code INSEE) : gardez l'une des deux clés. [valeur-invalide]") in said(result)


def test_names_of_the_other_kinds_and_of_a_gender_given_by_the_registry():
    from ctg.assembly.org_names import full_name, kind_of
    from ctg.sources.schemas import Organisation

    def named(**keys) -> tuple[str, bool, str]:
        org = Organisation(id="x", **keys)
        return full_name(org), kind_of(org).feminine, kind_of(org).function

    assert named(type="état", nom="État") == ("l'État", False, "Préfet")
    assert named(type="état", nom="Direction départementale de l'emploi, du travail et des solidarités") == \
        ("la Direction départementale de l'emploi, du travail et des solidarités", True, "Préfet")
    assert named(type="région", nom="Région Hauts-de-France") == \
        ("la Région Hauts-de-France", True, "Président du Conseil régional")
    assert named(type="syndicat mixte", nom="Syndicat mixte du Montreuillois") == \
        ("le Syndicat mixte du Montreuillois", False, "Président")
    assert named(type="association", nom="Centre social La Passerelle", genre="m") == \
        ("le Centre social La Passerelle", False, "Président")
    assert named(type="cpam", nom="Caisse primaire d'assurance maladie de l'Artois")[:2] == \
        ("la Caisse primaire d'assurance maladie de l'Artois", True)
    assert named(type="autre", nom="Udaf du Pas-de-Calais", article="l'", genre="f")[:2] == \
        ("l'Udaf du Pas-de-Calais", True)
    assert named(type="autre", nom="Pôle emploi", article="aucun", genre="m")[:2] == ("Pôle emploi", False)


def test_an_avenant_orders_its_cells_among_the_conventions_parties_and_its_own(make_project):
    avenant = f"{CONV}/avenants/2023-001.md"
    text = MINIMAL[avenant].replace("          date: 2023-12-15\n",
                                    "          date: 2023-12-15\n          ordre: [departement62, cc-test, caf62]\n")
    root = make_project({avenant: text})
    result = run_build(root, "markdown", f"{ID}-avenant-2023-001")
    assert result.code == 0, result.err
    cells = re.findall(r"#signataire-([\w-]+) ", result.out)
    assert cells == ["departement62", "cc-test", "caf62"]
    wrong = make_project({avenant: text.replace("cc-test, caf62]", "cc-test]")})
    check = run_build(wrong, "check")
    assert (f"{avenant}:{text.split(chr(10)).index('          ordre: [departement62, cc-test, caf62]') + 1} : erreur : "
            "l'ordre des signatures omet « caf62 » : chaque signataire de l'avenant y figure une fois. "
            "[ordre-signature]") in said(check)
