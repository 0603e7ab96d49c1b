"""Issue #21: nothing outside the project gets in. Images, symbolic links, the site's markup and
bounded resources: each hostile input gives its French error at its file (and line), exit code 1,
no traceback, and nothing written."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from conftest import run_build
from fixture_corpus import CONV
from test_validation import CONVENTION, FICHE, _with_body, check_fails, fails_at, replace

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89" \
      b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa75\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"


def article(text: str) -> dict[str, str]:
    return _with_body(f"""
        ## Article ajouté {{#ajoute apres="enjeux"}}

        {text}
        """)


# ------------------------------------------------------------------ 1. images


IMAGES = [
    ("parent-folders", "![x](../../../../etc/passwd)", "../../../../etc/passwd", "hors des dossiers d'images"),
    ("absolute", "![x](/etc/passwd)", "/etc/passwd", "hors des dossiers d'images"),
    ("proc-environ", "![x](/proc/self/environ)", "/proc/self/environ", "hors des dossiers d'images"),
    ("reference-style", "![x][ref]\n\n        [ref]: /etc/passwd", "[ref]: /etc/passwd", "hors des dossiers d'images"),
    ("percent-encoded", "![x](..%2F..%2F..%2Fetc%2Fpasswd)", "..%2F", "hors des dossiers d'images"),
    ("remote", "![x](https://exemple.fr/a.png)", "https://exemple.fr", "pas une adresse"),
    ("not-an-image", f"![x]({CONV.split('/')[1]}/faux.png)", "faux.png", "n'est pas une image PNG, JPEG, GIF ou SVG"),
    ("other-folder", "![x](_autre/logo.png)", "_autre/logo.png", "hors des dossiers d'images"),
]


@pytest.mark.parametrize("markdown,needle,fragment", [c[1:] for c in IMAGES], ids=[c[0] for c in IMAGES])
def test_image_from_outside_the_project_is_refused(make_project, markdown, needle, fragment):
    files = article(markdown) | {f"{CONV}/faux.png": "texte, pas une image\n",
                                 "conventions/_autre/logo.png": PNG}
    root = make_project(files, fingerprints=False)
    check_fails(root, CONVENTION, needle, "image-interdite", fragment)
    assert run_build(root, "docx").code == 1
    assert not (root / "dist").exists()


def test_image_of_the_convention_folder_is_embedded(make_project):
    import zipfile

    name = CONV.split("/")[1]
    root = make_project(article(f"![Schéma]({name}/images/schema.png)") | {f"{CONV}/images/schema.png": PNG})
    result = run_build(root, "docx")
    assert result.code == 0, result.err
    with zipfile.ZipFile(root / "dist" / name / f"{name}.docx") as z:
        media = [z.read(n) for n in z.namelist() if n.startswith("word/media/")]
    assert PNG in media


def test_image_symlinked_out_of_the_project_is_refused(make_project, tmp_path):
    outside = tmp_path / "secret.png"
    outside.write_bytes(PNG)
    name = CONV.split("/")[1]
    root = make_project(article(f"![x]({name}/lien.png)"), fingerprints=False)
    (root / CONV / "lien.png").symlink_to(outside)
    check_fails(root, CONVENTION, "lien.png", "lien symbolique qui mène hors du projet")


def test_pandoc_guard_refuses_an_image_that_reached_it(tmp_path):
    from ctg.core import pandoc

    ast = pandoc.to_ast("![x](/etc/passwd)\n")
    with pytest.raises(pandoc.UnsafeImage, match="refusée"):
        pandoc.from_ast(ast, "docx", ["--resource-path", str(tmp_path)], cwd=tmp_path)


# ------------------------------------------------------------------ 2. symbolic links


def _outside_copy(tmp_path: Path, text: str) -> Path:
    target = tmp_path / "ailleurs" / "copie.md"
    target.parent.mkdir(exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target


def test_annex_symlinked_out_of_the_project_is_refused(make_project, tmp_path):
    root = make_project(fingerprints=False)
    annex = root / CONV / "annexes/glossaire.md"
    outside = _outside_copy(tmp_path, annex.read_text(encoding="utf-8"))
    annex.unlink()
    annex.symlink_to(outside)
    fails_at(root, f"{CONV}/annexes/glossaire.md", "lien symbolique qui mène hors du projet", "[lien-interdit]")
    assert run_build(root, "docx").code == 1 and not (root / "dist").exists()


def test_fiche_symlinked_to_etc_passwd_is_refused_without_quoting_it(make_project):
    root = make_project(fingerprints=False)
    (root / CONV / "fiches/zz.yaml").symlink_to("/etc/passwd")
    err = fails_at(root, f"{CONV}/fiches/zz.yaml", "lien symbolique qui mène hors du projet")
    assert "root:" not in err


def test_clause_symlinked_to_etc_passwd_is_refused(make_project):
    root = make_project(fingerprints=False)
    clause = root / "templates/clauses/ctg/confidentialite.md.j2"
    clause.unlink()
    clause.symlink_to("/etc/passwd")
    err = fails_at(root, "templates/clauses/ctg/confidentialite.md.j2", "lien symbolique qui mène hors du dossier templates/")
    assert "root:" not in err
    assert run_build(root, "docx").code == 1 and not (root / "dist").exists()


def test_symlink_loops_are_refused(make_project):
    root = make_project(fingerprints=False)
    (root / CONV / "fiches/a.yaml").symlink_to("b.yaml")
    (root / CONV / "fiches/b.yaml").symlink_to("a.yaml")
    (root / "conventions/boucle").symlink_to("boucle")
    for rel in (f"{CONV}/fiches/a.yaml", f"{CONV}/fiches/b.yaml", "conventions/boucle"):
        fails_at(root, rel, "lien symbolique en boucle")


def test_convention_folder_symlinked_out_of_the_project_is_refused(make_project, tmp_path):
    root = make_project(fingerprints=False)
    (root / "conventions/ailleurs").symlink_to(tmp_path)
    fails_at(root, "conventions/ailleurs", "lien symbolique qui mène hors du projet")


def test_message_quotes_only_an_excerpt(make_project):
    long_value = "x" * 5000
    root = make_project(replace(FICHE, "titre:", f"titre: [{long_value}]\n        ancien_titre:"), fingerprints=False)
    result = run_build(root, "check")
    assert result.code == 1 and "Traceback" not in result.err
    assert "x" * 100 not in result.err
    assert all(len(line) < 600 for line in result.err.splitlines())


def test_no_op_stamp_sees_symlinked_folders_as_check_does(make_project, tmp_path):
    """A convention folder reached through a symbolic link inside the project: a change behind the
    link is seen by the run stamp (no « Rien à refaire »)."""
    root = make_project()
    real = root / "partage" / CONV.split("/")[1]
    real.parent.mkdir()
    (root / CONV).rename(real)
    (root / CONV).symlink_to(Path("..") / "partage" / real.name)
    assert run_build(root, "docx").code == 0
    assert "Rien à refaire" in run_build(root, "docx").err
    annex = real / "annexes/glossaire.md"
    annex.write_text(annex.read_text(encoding="utf-8") + "\nAjout.\n", encoding="utf-8")
    again = run_build(root, "docx")
    assert "Rien à refaire" not in again.err


def test_no_op_stamp_sees_a_new_loop(make_project):
    root = make_project()
    assert run_build(root, "docx").code == 0
    (root / CONV / "fiches/a.yaml").symlink_to("b.yaml")
    (root / CONV / "fiches/b.yaml").symlink_to("a.yaml")
    result = run_build(root, "docx")
    assert result.code == 1 and "lien symbolique en boucle" in result.err


# ------------------------------------------------------------------ 4. bounded resources

BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8))

BOUNDED = [
    ("yaml-alias-bomb", {FICHE: BOMB}, FICHE, "a: &a", ["yaml-demesure", "réutilisations d'ancres"]),
    ("yaml-nested-brackets", {FICHE: "titre: " + "[" * 3000 + "]" * 3000 + "\n"}, FICHE, "titre:",
     ["yaml-demesure", "crochets ou accolades imbriqués"]),
    ("yaml-unclosed-brackets", {FICHE: "titre: " + "[" * 3000 + "\n"}, FICHE, "titre:", ["yaml-demesure"]),
    ("front-matter-brackets", replace(CONVENTION, "titre_court: CTG Test 2022-2026", "titre_court: " + "[" * 3000),
     CONVENTION, "titre_court:", ["yaml-demesure"]),
    ("jinja-huge-range", article("{% for i in range(1000000) %}x{% endfor %}"), CONVENTION, "range(1000000)",
     ["gabarit-demesure", "boucle de plus de 10\u202f000 tours"]),
    ("jinja-nested-ranges", article("{% for i in range(9000) %}{% for j in range(9000) %}{% endfor %}{% endfor %}"),
     CONVENTION, "range(9000)", ["gabarit-demesure"]),
    ("jinja-string-times", article("{{ 'x' * 10**11 }}"), CONVENTION, "10**11", ["gabarit-demesure"]),
    ("jinja-power", article("{{ 2 ** 100000000 }}"), CONVENTION, "2 ** 1000", ["gabarit-demesure"]),
    ("jinja-format-width", article("{{ '%099999999999d' % 1 }}"), CONVENTION, "%0999", ["gabarit-demesure"]),
    ("jinja-center", article("{{ 'x' | center(10**10) }}"), CONVENTION, "center", ["gabarit-demesure"]),
    ("jinja-nested-brackets", article("{{ " + "[" * 3000 + "]" * 3000 + " }}"), CONVENTION, "{{ [[[",
     ["gabarit-demesure", "imbriquée sur trop de niveaux"]),
]


@pytest.mark.parametrize("files,rel,needle,fragments", [c[1:] for c in BOUNDED], ids=[c[0] for c in BOUNDED])
def test_bounded_resources(make_project, files, rel, needle, fragments):
    root = make_project(files, fingerprints=False)
    start = time.monotonic()
    check_fails(root, rel, needle, *fragments)
    assert time.monotonic() - start < 60  # generous: each stops within seconds on an idle machine


MARKDOWN = [
    ("nested-brackets", "[" * 3000 + "texte" + "]" * 3000, "[[[[[["),
    ("unclosed-brackets", "[" * 3000 + "texte", "[[[[[["),
    ("footnote-brackets", "[^" * 3000, "[^[^[^"),
    ("unclosed-links", "[x](" * 3000, "[x]([x]("),
    ("nested-spans", "<span>" * 3000, "<span><span>"),
    ("nested-quotes", "> " * 3000 + "x", "> > > >"),
    ("nested-lists", "- " * 3000 + "x", "- - - -"),
]


@pytest.mark.parametrize("markdown,needle", [c[1:] for c in MARKDOWN], ids=[c[0] for c in MARKDOWN])
def test_markdown_nested_too_deep_is_refused_before_pandoc(make_project, markdown, needle):
    root = make_project(article(markdown), fingerprints=False)
    start = time.monotonic()
    check_fails(root, CONVENTION, needle, "texte-demesure", "texte trop imbriqué")
    assert time.monotonic() - start < 60


def test_pandoc_stops_after_its_delay(monkeypatch):
    from ctg.core import pandoc

    monkeypatch.setenv(pandoc.DELAY, "1")
    monkeypatch.setattr(pandoc, "_memo", None)
    with pytest.raises(pandoc.PandocError, match="n'a pas fini en 1 s"):
        pandoc.to_ast("[" * 40 + "x" + "]" * 40 + "\n")


# ------------------------------------------------------------------ 3. nothing from the sources becomes markup

SCRIPT = "<script>alert(1)</script><img src=x onerror=alert(2)>"


def _site_html(root: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in (root / "site").rglob("*.html"))


def test_html_in_titles_and_names_is_escaped_on_the_site(make_project):
    files = replace(CONVENTION, "titre_court: CTG Test 2022-2026", f'titre_court: "CTG Test {SCRIPT}"')
    files[CONVENTION] = files[CONVENTION].replace("titre: Convention territoriale", f"titre: Convention {SCRIPT} territoriale", 1)
    caf = "conventions/_registre/organisations/caf62.yaml"
    files |= replace(caf, "designation: la Caf", f'designation: "la Caf {SCRIPT}"')
    root = make_project(files)
    result = run_build(root, "site")
    assert result.code == 0, result.err
    html = _site_html(root)
    assert "<script>alert" not in html and "<img src=x" not in html  # escaped: « &lt;img src=x … » is text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown as text


def test_raw_html_in_the_guide_is_sanitised(make_project):
    root = make_project()
    (root / "docs").mkdir()
    (root / "docs/index.md").write_text(
        "# Guide\n\nTexte <script>alert(3)</script> et <a href=\"javascript:alert(4)\">lien</a>.\n\n"
        "<div onclick=\"alert(5)\">bloc</div>\n\n<iframe src=\"https://exemple.fr\"></iframe>\n", encoding="utf-8")
    result = run_build(root, "site", "--interne")  # the guide is on the internal site only
    assert result.code == 0, result.err
    guide = (root / "site-interne/guide/index.html").read_text(encoding="utf-8")
    for bad in ("alert(3)", "javascript:", "onclick", "<iframe"):
        assert bad not in guide, bad
    assert "bloc" in guide and "lien" in guide


@pytest.mark.parametrize("logo,fragment", [("../../../../etc/passwd", "hors des dossiers d'images"),
                                           ("../ctg-test-2022-2026/convention.md", "n'est pas une image")],
                         ids=["outside", "not-an-image"])
def test_logo_must_be_an_image_of_the_project(make_project, logo, fragment):
    registry = "conventions/_registre/organisations/caf62.yaml"
    root = make_project(replace(registry, "designation: la Caf", f"designation: la Caf\n        logo: {logo}"),
                        fingerprints=False)
    check_fails(root, registry, "logo:", "logo-introuvable", fragment)
