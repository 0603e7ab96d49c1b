"""Validate parsed YAML against a pydantic model; errors become French diagnostics."""

from __future__ import annotations

import difflib
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar, get_args

from pydantic import BaseModel, ValidationError

from ..core.confine import excerpt
from ..core.diagnostics import Diagnostics
from .sources import YamlDoc

M = TypeVar("M", bound=BaseModel)


def format_loc(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part + 1}]"  # 1-based for humans: « signataires[2] » is the second
        else:
            out += ("." if out else "") + str(part)
    return out or "en-tête"


def _submodel(model: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The model class that owns the last key of loc (for « did you mean »)."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        field = current.model_fields.get(part)
        if field is None:
            return None
        current = _model_in(field.annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _model_in(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _allowed(model: type[BaseModel], loc: tuple) -> list[str]:
    """Allowed values of an enum/literal field (or of the items of a list field), for the message."""
    while loc and isinstance(loc[-1], int):
        loc = loc[:-1]
    owner = _submodel(model, loc) if loc else None
    field = owner.model_fields.get(loc[-1]) if owner and loc and isinstance(loc[-1], str) else None
    if field is None:
        return []
    values: list[str] = []

    def collect(ann):
        if isinstance(ann, type) and issubclass(ann, Enum):
            values.extend(str(m.value) for m in ann)
        for arg in get_args(ann):
            if isinstance(arg, str):
                values.append(arg)
            else:
                collect(arg)

    collect(field.annotation)
    return values


def french_message(model: type[BaseModel], err: dict) -> str:
    loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith(("function-", "str-", "int-"))))
    name = excerpt(format_loc(loc), 80)
    kind = err["type"]
    raw = err.get("input")
    value = "rien" if raw is None else excerpt(raw)  # never Python's « None », never a whole file
    if kind == "missing":
        return f"champ obligatoire « {name} » manquant ; ajoutez-le."
    if kind == "extra_forbidden":
        key = excerpt(loc[-1], 80)
        owner = _submodel(model, loc)
        known = list(owner.model_fields) if owner else []
        guess = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
        hint = f" ; vouliez-vous dire « {guess[0]} » ?" if guess else (
            f" ; clés possibles : {', '.join(known)}." if known else ".")
        return f"clé inconnue « {name} »{hint}"
    if kind in ("enum", "literal_error"):
        allowed = _allowed(model, loc)
        options = ", ".join(f"« {a} »" for a in allowed) if allowed else err.get("ctx", {}).get("expected", "")
        guess = difflib.get_close_matches(value, allowed, n=1, cutoff=0.5) if allowed else []
        hint = f" ; vouliez-vous dire « {guess[0]} » ?" if guess else ""
        return f"« {name} » vaut « {value} » : valeurs possibles {options}{hint}"
    if kind.startswith("date") or kind.startswith("datetime"):
        return f"« {name} » doit être une date au format AAAA-MM-JJ (reçu : {_describe(raw)})."
    if kind == "string_type":
        return f"« {name} » doit être un texte (reçu : {_describe(raw)})."
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"« {name} » doit être un nombre entier (reçu : {_describe(raw)})."
    if kind == "list_type":
        return f"« {name} » doit être une liste (une ligne « - … » par élément) ; reçu : {_describe(raw)}."
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"« {name} » doit être un ensemble de clés « clé : valeur » ; reçu : {_describe(raw)}."
    if kind == "too_short":
        minimum = err.get("ctx", {}).get("min_length")
        if minimum is not None and minimum > 1:
            return f"« {name} » doit contenir au moins {minimum} éléments."
        return f"« {name} » ne peut pas être vide."
    if kind == "string_too_short":
        return f"« {name} » ne peut pas être vide."
    if kind == "string_pattern_mismatch":
        if loc and loc[-1] == "numero":
            return f"« {name} » vaut « {value} » : un numéro d'avenant s'écrit AAAA-NNN (par exemple 2023-001)."
        return (f"« {name} » vaut « {value} » : un identifiant ne contient que des minuscules sans accent, "
                "des chiffres et des tirets (par exemple « ctg-cabbalr-2021-2025 »).")
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return f"« {name} » vaut « {value} », hors des bornes permises."
    if kind == "value_error":
        msg = excerpt(err.get("ctx", {}).get("error", err["msg"]), 300)
        return f"« {name} » : {msg}." if loc else f"{msg[:1].upper()}{msg[1:]}."
    if kind in ("bool_type", "bool_parsing"):
        return f"« {name} » doit valoir « oui » ou « non »."
    return f"« {name} » : valeur invalide ({excerpt(err['msg'], 120)})."


def _describe(value: Any) -> str:
    if value is None:
        return "rien"
    if isinstance(value, dict):
        return "un ensemble de clés"
    if isinstance(value, list):
        return "une liste"
    return f"« {excerpt(value)} »"


def validate(model: type[M], doc: YamlDoc, path: Path, diags: Diagnostics, data: Any = None) -> M | None:
    """Validate doc.data (or data) against model; report every error with its line."""
    payload = doc.data if data is None else data
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and "[" in p))
            line = doc.line(loc)
            diags.error(path, line, _code(err["type"]), french_message(model, err))
        return None


def _code(kind: str) -> str:
    return {
        "missing": "champ-manquant",
        "extra_forbidden": "cle-inconnue",
        "enum": "valeur-inconnue",
        "literal_error": "valeur-inconnue",
    }.get(kind, "type-invalide" if not kind.startswith("value") else "valeur-invalide")
