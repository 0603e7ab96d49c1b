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
