"""Renewals and pinned official data: « remplace: » names an existing, earlier convention with no cycle;
« donnees_officielles: » names a vintage on disk; the communes annex's « colonnes: » are known ones."""

from __future__ import annotations

from ..core.diagnostics import Diagnostics, closest
from ..sources.corpus import ConventionSource, Corpus

COLUMNS = ("insee", "nom", "population", "evolution")


def check_renewals(corpus: Corpus, diags: Diagnostics) -> None:
    replaced_by: dict[str, str] = {}
    for conv in corpus.conventions.values():
        _check_replaces(corpus, conv, diags, replaced_by)
        _check_vintage(corpus, conv, diags)
        _check_columns(corpus, conv, diags)


def _check_replaces(corpus: Corpus, conv: ConventionSource, diags: Diagnostics, replaced_by: dict[str, str]) -> None:
    old = conv.meta.remplace
    if old is None:
        return
    line = conv.src.line("remplace")
    if old == conv.id:
        diags.error(conv.path, line, "remplace-elle-meme", "une convention ne peut pas se remplacer elle-même.")
        return
    if old not in corpus.conventions:
        diags.error(conv.path, line, "remplace-inconnue",
                    f"la convention remplacée « {old} » n'existe pas{closest(old, corpus.conventions)}")
        return
    if old in replaced_by:
        diags.error(conv.path, line, "remplacee-deux-fois",
                    f"la convention « {old} » est déjà remplacée par « {replaced_by[old]} » ; une convention n'est "
                    "remplacée que par une seule.")
        return
    replaced_by[old] = conv.id
    seen, current = {conv.id}, old
    while current in corpus.conventions and corpus.conventions[current].meta.remplace:
        current = corpus.conventions[current].meta.remplace
        if current in seen:
            diags.error(conv.path, line, "remplacement-circulaire",
                        f"« remplace: » forme un cercle ({' → '.join([conv.id, old])} … → {current}) ; une "
                        "convention ne remplace qu'une convention plus ancienne.")
            return
        seen.add(current)
    earlier = corpus.conventions[old].meta.periode
    if earlier.debut >= conv.meta.periode.debut:
        diags.error(conv.path, line, "remplace-posterieure",
                    f"la convention remplacée « {old} » commence le {earlier.debut.isoformat()}, pas avant celle-ci "
                    f"({conv.meta.periode.debut.isoformat()}) ; vérifiez « remplace: » et les périodes.")


def _check_vintage(corpus: Corpus, conv: ConventionSource, diags: Diagnostics) -> None:
    year = conv.meta.donnees_officielles
    vintages = corpus.registry.millesimes
    if year is not None and year not in vintages:
        known = ", ".join(str(y) for y in sorted(vintages)) or "aucune"
        diags.error(conv.path, conv.src.line("donnees_officielles"), "millesime-inconnu",
                    f"aucune donnée officielle du code géographique {year} (années présentes : {known}) ; "
                    f"ajoutez le dossier {diags.rel(corpus.registry.root / 'officiel' / str(year))} avec "
                    "« python build.py registre --mettre-a-jour », ou corrigez l'année.")


def _check_columns(corpus: Corpus, conv: ConventionSource, diags: Diagnostics) -> None:
    for annex in conv.annexes:
        columns = annex.meta.colonnes or []
        populations = 0
        for i, col in enumerate(columns):
            name, _, year = col.partition("@")
            line = annex.src.line("colonnes", i)
            if name not in COLUMNS or (year and name != "population"):
                diags.error(annex.path, line, "colonne-inconnue",
                            f"colonne « {col} » inconnue ; colonnes possibles : insee, nom, population, "
                            "population@ANNEE, evolution.")
            elif year and int(year) not in corpus.registry.millesimes:
                diags.error(annex.path, line, "millesime-inconnu",
                            f"aucune donnée officielle du code géographique {year} pour la colonne « {col} ».")
            elif name == "evolution" and populations < 2:
                diags.error(annex.path, line, "evolution-sans-populations",
                            "la colonne « evolution » suit deux colonnes de population (par exemple "
                            "population@2021 et population) : elle en donne la différence.")
            populations += name == "population"
        if columns and annex.meta.contenu.value != "communes":
            diags.error(annex.path, annex.src.line("colonnes"), "colonnes-hors-communes",
                        "« colonnes: » ne vaut que pour l'annexe des communes (« contenu: communes »).")
