"""« build.py registre [--mettre-a-jour …] »: show the official data of the registry, or regenerate it."""

from __future__ import annotations

import sys
from pathlib import Path

from ..core.diagnostics import Diagnostics, report
from ..core.progress import say
from ..sources.corpus import Registry
from ..sources.official_data import PACKAGE, POPULATION_LAG, update
from ..sources.territory import OFFICIAL_DIR, load_official


def add_arguments(p) -> None:
    p.add_argument("--mettre-a-jour", action="store_true",
                   help="télécharger le paquet avec npm et régénérer conventions/_registre/officiel/")
    p.add_argument("--version", metavar="VERSION",
                   help=f"version du paquet {PACKAGE} (par défaut : celle de territoire.yaml)")
    p.add_argument("--departements", nargs="+", metavar="DEP",
                   help="départements couverts, par exemple 62 (par défaut : ceux de territoire.yaml)")
    p.add_argument("--paquet", metavar="CHEMIN",
                   help="archive .tgz (ou dossier) du paquet déjà téléchargée, au lieu de npm")
    p.add_argument("--cog", type=int, metavar="ANNEE",
                   help="année du code officiel géographique (par défaut : lue dans le README du paquet)")
    p.add_argument("--millesime", type=int, metavar="ANNEE",
                   help=f"millésime des populations (par défaut : année du code géographique moins {POPULATION_LAG})")


def command(args, root: Path) -> int:
    """« build.py registre [--mettre-a-jour …] »: show or regenerate the official data."""
    registry = root / "conventions" / "_registre"
    diags = Diagnostics(root)
    if args.mettre_a_jour:
        paquet = Path(args.paquet).resolve() if args.paquet else None
        result = update(registry, diags, args.version, args.departements, paquet, args.cog, args.millesime)
        if result is None:
            report(diags.sorted())
            say("Aucun fichier n'a été écrit ni remplacé.", sys.stderr)
            return 1
        s = result.source
        say(f"Données officielles : {s.paquet} {s.version} (code officiel géographique {s.cog}, "
            f"populations {s.millesime_population}), départements {', '.join(result.departements)} : "
            f"{result.n_communes} communes, {result.n_epci} intercommunalités.")
        if result.changed:
            for path in result.changed:
                say(f"Écrit : {diags.rel(path)}")
        else:
            say("Aucun changement : les fichiers étaient déjà à jour.")
        return 0
    if any(getattr(args, k) for k in ("version", "departements", "paquet", "cog", "millesime")):
        say("build.py : erreur : ajoutez --mettre-a-jour pour régénérer les données.", sys.stderr)
        return 2
    reg = Registry(registry)
    load_official(registry, reg, diags)
    if diags.errors:
        report(diags.sorted())
        return 1
    if reg.source_officielle is None:
        say(f"Aucune donnée officielle ({diags.rel(registry / OFFICIAL_DIR)} absent) ; lancez "
            "« python build.py registre --mettre-a-jour --version 6.0.0 --departements 62 ».")
        return 0
    s = reg.source_officielle
    say(f"Données officielles : {s.paquet} {s.version} (code officiel géographique {s.cog}, "
        f"populations {s.millesime_population}) : {len(reg.communes)} communes, {len(reg.epci)} intercommunalités.")
    for year, vintage in sorted(reg.millesimes.items()):
        if vintage.folder != registry / OFFICIAL_DIR and vintage.source is not None:
            say(f"Autre millésime, {diags.rel(vintage.folder)} : code officiel géographique {year}, populations "
                f"{vintage.source.millesime_population}, {len(vintage.communes)} communes, "
                f"{len(vintage.epci)} intercommunalités.")
    return 0
