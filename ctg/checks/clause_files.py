"""The files of own clauses that would be silently left unused: a territory folder
(conventions/_registre/clauses/<territoire>/) named after no organisation of the registry, a file
outside such a folder, a file not named <identifiant>.md.j2 (ctg/assembly/local_clauses.py reads them)."""

from __future__ import annotations

from ..assembly.local_clauses import FOLDER, SUFFIX
from ..core.diagnostics import Diagnostics
from ..sources.corpus import Corpus


def check_clause_folders(corpus: Corpus, diags: Diagnostics) -> None:
    root = corpus.registry.root / FOLDER
    folders = [conv.folder / FOLDER for conv in corpus.conventions.values()]
    folders += [p for p in sorted(root.iterdir()) if p.is_dir()] if root.is_dir() else []
    for folder in folders:
        for path in sorted(folder.iterdir()) if folder.is_dir() else []:
            if not path.name.endswith(SUFFIX):
                diags.error(path, 0, "clause-mal-nommee",
                            f"« {path.name} » n'est pas lu : une clause s'appelle <identifiant>{SUFFIX} "
                            f"(par exemple « {path.name.split('.')[0]}{SUFFIX} »).")
    if not root.is_dir():
        return
    territories = sorted(o.id for o in corpus.registry.organisations.values() if o.type.value == "epci")
    for entry in sorted(root.iterdir()):
        if not entry.is_dir():
            diags.error(entry, 1, "clause-mal-placee",
                        f"« {entry.name} » doit être rangé dans un dossier au nom du territoire : "
                        f"{diags.rel(root)}/<territoire>/{entry.name}.")
        elif entry.name not in corpus.registry.organisations:
            diags.error(entry, 0, "territoire-inconnu",
                        f"le dossier « {entry.name} » ne porte le nom d'aucune organisation du registre ; ses clauses "
                        f"ne serviraient à aucune convention (territoires : {', '.join(territories) or 'aucun'}).")
