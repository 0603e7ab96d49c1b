"""The authoring guide stays true to the schemas, and the command line speaks French."""

from __future__ import annotations

import json
import re

from conftest import run_build
from fixture_corpus import ROOT

from ctg.sources.deliberation_schemas import (Avis, Deliberation, Formulaire, Maires, Personne, Publication, Rapport,
                                              SignatureDeliberation, Vote)
from ctg.sources.schemas import Annexe, Avenant, Commune, Convention, Fiche, Organisation, Representant

DOCS = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "docs").glob("*.md"))


def test_every_front_matter_key_is_documented():
    for model in (Convention, Avenant, Annexe, Organisation, Representant, Commune, Fiche, Deliberation, Vote,
                  Personne, SignatureDeliberation, Publication, Rapport, Avis, Formulaire, Maires):
        for key in model.model_fields:
            assert f"`{key}`" in DOCS or re.search(rf"^\s*{key}:", DOCS, re.M), f"{model.__name__}.{key}"


def test_every_model_article_is_documented():
    ids = re.findall(r"^  - id: (\S+)", (ROOT / "templates/modeles/ctg.yaml").read_text(encoding="utf-8"), re.M)
    assert len(ids) == 14
    for ident in ids:
        assert f"`{ident}`" in DOCS, ident


def test_help_is_french():
    result = run_build(ROOT, "--help")
    assert result.code == 0
    assert "utilisation" in result.out and "vérifier toutes les sources" in result.out
    assert "usage:" not in result.out


def test_unknown_command_is_a_french_usage_error():
    result = run_build(ROOT, "imprimer")
    assert result.code == 2
    assert "choix invalide" in result.err and "Traceback" not in result.err


def test_list_json_gives_documents_and_outputs(make_project):
    root = make_project()
    result = run_build(root, "list", "--json")
    assert result.code == 0, result.err
    rows = json.loads(result.out)
    assert [r["identifiant"] for r in rows] == ["ctg-test-2022-2026", "ctg-test-2022-2026-avenant-2023-001"]
    avenant = rows[1]
    assert avenant["type"] == "avenant" and avenant["parent"] == "ctg-test-2022-2026"
    assert avenant["debut"] == "2023-01-01" and avenant["fin"] == "2026-12-31"
    assert avenant["sorties"]["docx"] == "dist/ctg-test-2022-2026/ctg-test-2022-2026-avenant-2023-001.docx"
    table = run_build(root, "list").out
    assert "Identifiant" in table and "ctg-test-2022-2026-avenant-2023-001" in table


def test_unknown_document_id_is_reported(make_project):
    result = run_build(make_project(), "docx", "ctg-inconnue")
    assert result.code == 1
    assert "aucun document « ctg-inconnue »" in result.err


def test_bundled_corpus_is_valid():
    """No error; the one warning is meant: the illustrative avenant 2024-001 of the Pays d'Opale
    follows avenant 2023-001, not signed yet (it must be signed first)."""
    result = run_build(ROOT, "check")
    assert result.code == 0, result.err
    warnings = [line for line in result.err.splitlines() if "avertissement" in line and "[" in line]
    assert len(warnings) == 1 and "avenants/2024-001.md:8\u00a0" in warnings[0], result.err
    assert "[avenant-precedent-non-signe]" in warnings[0]
    assert "Sources valides\u00a0: " in result.out  # French typography in CLI messages (progress.say)


def test_cabbalr_annex_6_is_a_usable_model_with_its_blanks():
    """Annexe 6 of the CABBALR: the model délibération and the fiche d'engagement réciproque as the
    convention joins them, with labelled blanks (allowed in a signed text, unlike a bare « …… »)."""
    result = run_build(ROOT, "markdown", "ctg-cabbalr-2021-2025")
    assert result.code == 0, result.err
    annex = result.out[result.out.index("# Annexe\u00a06"):result.out.index("# Annexe\u00a07")]
    blank = "\u2026" * 12 + "\u00a0"
    for expected in (f"Séance du {blank}(conseil municipal ou comité syndical) du {blank}(date)",
                     "Vu la délibération du conseil communautaire de la CABBALR du",
                     "Vu la fiche d'engagement réciproque jointe à la présente délibération",
                     f"Par délibération du {blank}(date), la commune ou le SIVOM de {blank}(nom)\u00a0:",
                     f"Fait en deux exemplaires, à {blank}(lieu), le {blank}(date)",
                     f"Le maire ou le président\u00a0: {blank}(nom et prénom)",
                     "## Annexe facultative à la fiche d'engagement réciproque"):
        assert expected in annex, expected
    assert annex.count("\n1. de s'engager") == 1 and "\n3. d'autoriser le maire" in annex
    assert annex.count(f"{blank}(à compléter)") == 4
