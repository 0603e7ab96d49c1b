"""The list of the library's clauses, for the authoring guide (docs/clauses.md).

For each model (templates/modeles/*.yaml), each article in order: its id, its title, the file of
its clause, the variables and functions the clause uses (read from the template itself) and what it
assumes (the clause's first comment, « {# suppose : … #} »). docs/clauses.md holds this list between
two markers; a test checks that it is the list the library gives today. To write it again:

    python -m ctg.assembly.clause_catalog
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import jinja2
from jinja2 import meta

from ..core.diagnostics import Diagnostics
from ..sources.models import load_model

START = "<!-- début de la liste produite par « python -m ctg.assembly.clause_catalog » : ne pas modifier à la main -->"
END = "<!-- fin de la liste produite -->"

#: What each name a clause may use means, in the guide's words. A clause using a name missing here
#: fails the test: the guide documents every variable the library uses.
NAMES = {
    "convention": "l'en-tête de la convention (`convention.periode.debut`, `convention.titre`…)",
    "territoire": "l'organisation du territoire (`territoire.designation`, `territoire.nom_complet`)",
    "caf": "la Caf signataire (`caf.designation`, `caf.Designation` avec majuscule)",
    "communes": "les communes couvertes (registre et données officielles)",
    "communes_signataires": "les communes qui signent elles-mêmes la convention (aucune quand elles "
                            "s'engagent par une fiche d'engagement)",
    "sivom": "les SIVOM déclarés dans l'en-tête (`sivom:`)",
    "signataires": "les parties, dans l'ordre de l'en-tête",
    "parent": "l'en-tête de la convention que l'avenant modifie",
    "avenant": "l'en-tête de l'avenant",
    "avenant_fin": "la date de fin de l'avenant (celle de la convention par défaut)",
    "ajoutes": "les organisations que l'avenant fait signataires",
    "date": "fonction : une date en toutes lettres (« 1er janvier 2022 »)",
    "annexe": "fonction : renvoi calculé à une annexe (« Annexe 3 »)",
    "a_annexe": "fonction : vrai si la convention a cette annexe",
    "article": "fonction : renvoi calculé à un article",
    "fiche": "fonction : renvoi calculé à une fiche action",
}

_SUPPOSE = re.compile(r"^\{#\s*suppose\s*:\s*(.*?)\s*#\}", re.DOTALL)


def clause_entry(templates: Path, clause: str) -> tuple[list[str], str]:
    """(names the clause uses, what it assumes) of templates/clauses/<clause>."""
    source = (templates / "clauses" / clause).read_text(encoding="utf-8")
    names = meta.find_undeclared_variables(jinja2.Environment().parse(source))
    m = _SUPPOSE.match(source)
    return sorted(names), (" ".join(m.group(1).split()) if m else "")


def catalog(templates: Path) -> str:
    """The Markdown list of every model's articles and clauses."""
    diags = Diagnostics(templates.parent)
    out = []
    for path in sorted((templates / "modeles").glob("*.yaml"), key=lambda p: (p.stem != "ctg", p.stem)):
        model = load_model(templates, path.stem, diags)
        if model is None:
            continue
        out.append(f"### Modèle « {path.stem} »\n")
        rows = [("preambule", "Préambule", model.preambule)] if model.preambule else []
        rows += [(a.id, a.titre, a.clause) for a in model.articles]
        for ident, title, clause in rows:
            if clause is None:
                out.append(f"- **`{ident}`** : article propre à chaque document, écrit dans son corps "
                           f"(« ## Titre {{#{ident}}} »).\n")
                continue
            names, assumes = clause_entry(templates, clause)
            used = ", ".join(f"`{n}`" for n in names) or "aucune"
            out.append(f"- **`{ident}`** — {title} (`templates/clauses/{clause}`)\n"
                       f"  - variables : {used}\n"
                       f"  - suppose : {assumes or 'rien de particulier'}\n")
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def with_catalog(page: str, templates: Path) -> str:
    """page with the text between START and END replaced by the catalog of today's library."""
    before, _, rest = page.partition(START + "\n")
    _, _, after = rest.partition(END)
    return f"{before}{START}\n\n{catalog(templates)}\n{END}{after}"


if __name__ == "__main__":  # python -m ctg.assembly.clause_catalog [racine]
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path.cwd()
    doc = root / "docs" / "clauses.md"
    doc.write_text(with_catalog(doc.read_text(encoding="utf-8"), root / "templates"), encoding="utf-8")
