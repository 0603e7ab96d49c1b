"""JSON Schemas of the sources, for editors (VS Code's YAML extension), generated from ctg/schemas.py.

« python build.py schemas » writes schemas/<name>.schema.json and the « yaml.schemas »
mapping of .vscode/settings.json. Nothing here is kept by hand: a test compares the
committed files with what this module generates, so they cannot drift from the models.

Front matters of Markdown files (convention, avenant, annexe) get a schema too, but the
YAML extension does not read front matter in Markdown (redhat-developer/vscode-yaml#207):
for those files the editor relies on the « check » task (see docs/editeur.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, Field, create_model
from pydantic.json_schema import GenerateJsonSchema

from ..core.french import french_typography
from ..sources import deliberation_schemas, schemas

SCHEMA_DIR = "schemas"
SETTINGS = ".vscode/settings.json"
DIALECT = "http://json-schema.org/draft-07/schema#"


@dataclass(frozen=True)
class SchemaSpec:
    name: str
    model: type[BaseModel]
    title: str
    description: str
    files: tuple[str, ...]  # YAML files it describes, from the project root (front matters: none)
    front_matter: str | None = None  # glob of the Markdown files whose front matter it describes


def _official(name: str, key: str, item: type[BaseModel]) -> type[BaseModel]:
    """The generated files of officiel/: their source, départements and the list of items."""
    return create_model(name, __base__=schemas.Model, source=(schemas.SourceTerritoire, ...),
                        departements=(list[str], Field(min_length=1)), **{key: (list[item], ...)})


SPECS: tuple[SchemaSpec, ...] = (
    SchemaSpec("convention", schemas.Convention, "En-tête d'une convention",
               "En-tête YAML de conventions/<convention>/convention.md.", (),
               "conventions/*/convention.md"),
    SchemaSpec("avenant", schemas.Avenant, "En-tête d'un avenant",
               "En-tête YAML de conventions/<convention>/avenants/<numéro>.md.", (),
               "conventions/*/avenants/*.md"),
    SchemaSpec("annexe", schemas.Annexe, "En-tête d'une annexe",
               "En-tête YAML d'une annexe (annexes/<id>.md d'une convention ou d'un avenant).", (),
               "conventions/*/annexes/*.md"),
    SchemaSpec("organisation", schemas.Organisation, "Organisation du registre",
               "Une organisation du registre partagé : conventions/_registre/organisations/<id>.yaml.",
               ("conventions/_registre/organisations/*.yaml",)),
    SchemaSpec("communes", _official("FichierCommunes", "communes", schemas.Commune), "Communes officielles",
               "Liste des communes (données officielles générées par « python build.py registre "
               "--mettre-a-jour ») : conventions/_registre/officiel/communes.yaml.",
               ("conventions/_registre/officiel/communes.yaml",)),
    SchemaSpec("epci", _official("FichierEpci", "epci", schemas.Epci), "Intercommunalités officielles",
               "Liste des intercommunalités (données officielles générées) : "
               "conventions/_registre/officiel/epci.yaml.",
               ("conventions/_registre/officiel/epci.yaml",)),
    SchemaSpec("territoire", schemas.Territoire, "Source des données territoriales",
               "conventions/_registre/territoire.yaml : paquet, version et départements des données officielles.",
               ("conventions/_registre/territoire.yaml",)),
    SchemaSpec("equipements", schemas.Equipements, "Équipements soutenus",
               "Les équipements et services soutenus, par collectivité : donnees/equipements.yaml.",
               ("conventions/*/donnees/equipements.yaml",)),
    SchemaSpec("types-equipements", schemas.TypesEquipements, "Types d'équipements et de services",
               "La liste ouverte des types d'équipements : conventions/_registre/types-equipements.yaml.",
               ("conventions/_registre/types-equipements.yaml",)),
    SchemaSpec("plan-actions", schemas.PlanActions, "Plan d'actions",
               "Niveaux du plan (par défaut thématiques, enjeux, objectifs), champs des fiches, et les éléments "
               "du plan sous la clé du premier niveau : donnees/plan-actions.yaml.",
               ("conventions/*/donnees/plan-actions.yaml",)),
    SchemaSpec("fiche", schemas.Fiche, "Fiche action", "Une fiche action : fiches/<identifiant>.yaml.",
               ("conventions/*/fiches/*.yaml",)),
    SchemaSpec("deliberation", deliberation_schemas.Deliberation, "En-tête d'une délibération",
               "En-tête YAML de conventions/_deliberations/<identifiant>/deliberation.md.", (),
               "conventions/_deliberations/*/deliberation.md"),
    SchemaSpec("rapport", deliberation_schemas.Rapport, "En-tête d'un rapport",
               "En-tête YAML de conventions/_deliberations/<identifiant>/rapport.md.", (),
               "conventions/_deliberations/*/rapport.md"),
    SchemaSpec("formulaire", deliberation_schemas.Formulaire, "En-tête d'un formulaire",
               "En-tête YAML d'un modèle de formulaire pré-rempli : formulaires/<identifiant>.md d'une convention.",
               (), "conventions/*/formulaires/*.md"),
    SchemaSpec("maires", deliberation_schemas.Maires, "Maires des communes",
               "Les maires, par code INSEE, avec leurs mandats : conventions/_registre/maires.yaml.",
               ("conventions/_registre/maires.yaml",)),
)


class _Generator(GenerateJsonSchema):
    def function_before_schema(self, schema):
        """Codes (INSEE, SIREN) are strings, but the loader also accepts a YAML number: so does the schema."""
        inner = super().function_before_schema(schema)
        if inner.get("type") == "string":
            return {"anyOf": [inner, {"type": "integer"}]}
        return inner


def _tidy(node):
    """Drop pydantic's English titles (« Titre Court », class names): hovers show the French descriptions,
    given French typography."""
    if isinstance(node, dict):
        return {k: french_typography(v) if k == "description" and isinstance(v, str) else _tidy(v)
                for k, v in node.items() if k != "title" or not isinstance(v, str)}
    if isinstance(node, list):
        return [_tidy(v) for v in node]
    return node


def schema_of(spec: SchemaSpec) -> dict:
    raw = spec.model.model_json_schema(mode="validation", schema_generator=_Generator)
    body = _tidy(raw)
    for definition in body.get("$defs", {}).values():
        definition.pop("description", None)  # model docstrings are developer notes, in English
    body.pop("description", None)
    head = {"$schema": DIALECT, "title": french_typography(spec.title),
            "description": french_typography(spec.description) + " Fichier généré par « python build.py schemas » "
            "à partir de ctg/schemas.py : ne pas modifier à la main."}
    return head | body


def render(spec: SchemaSpec) -> str:
    return json.dumps(schema_of(spec), ensure_ascii=False, indent=2) + "\n"


def generated_files() -> dict[str, str]:
    """{path relative to the project root: content} of every schema file."""
    return {f"{SCHEMA_DIR}/{spec.name}.schema.json": render(spec) for spec in SPECS}


def vscode_mapping() -> dict[str, list[str]]:
    """The « yaml.schemas » setting: schema file → YAML files it validates."""
    return {f"./{SCHEMA_DIR}/{spec.name}.schema.json": [f"**/{glob}" for glob in spec.files]
            for spec in SPECS if spec.files}


def write(root: Path) -> list[str]:
    """Write the schema files and the yaml.schemas mapping; returns the files changed."""
    from ..core.outputs import write_atomic

    changed = []
    for rel, text in generated_files().items():
        path = root / rel
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, text.encode("utf-8"))
            changed.append(rel)
    settings_path = root / SETTINGS
    try:
        settings = json.loads(settings_path.read_text(encoding="utf-8")) if settings_path.exists() else {}
    except json.JSONDecodeError:
        settings = None  # comments in settings.json (JSONC): leave it to the user
    if settings is None:
        print(french_typography(f"{SETTINGS} contient des commentaires : mettez à jour « yaml.schemas » à la main "
                                f"avec {json.dumps(vscode_mapping(), ensure_ascii=False)}"))
    elif settings.get("yaml.schemas") != vscode_mapping():
        settings["yaml.schemas"] = vscode_mapping()
        settings_path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(settings_path, (json.dumps(settings, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
        changed.append(SETTINGS)
    return changed


def command(root: Path) -> int:
    changed = write(root)
    if changed:
        print(french_typography(f"Schémas mis à jour : {', '.join(changed)}."))
    else:
        print(french_typography("Schémas à jour : rien à écrire."))
    return 0
