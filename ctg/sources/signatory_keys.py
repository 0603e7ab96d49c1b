"""A signatory is an organisation of the registry, or a commune named by its INSEE code
(« signataires: - commune: "62178" »): how schemas.py reads the two keys."""

from __future__ import annotations


def _code_to_str(value) -> str:
    """YAML reads an unquoted 62119 as a number; a code keeps its leading zeros."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:05d}"
    return str(value)


def commune_as_organisation(data):
    """« commune: "62178" » names a commune of the official data as a party: its organisation is the
    registry's commune of that code, else one made from the official data (ctg/sources/commune_parties.py)."""
    if not isinstance(data, dict) or data.get("commune") is None:
        return data
    if data.get("organisation") is not None:
        raise ValueError("un signataire est soit une « organisation » du registre, soit une « commune » (code "
                         "INSEE) : gardez l'une des deux clés")
    return {**data, "organisation": _code_to_str(data["commune"]).lower()}


def organisation_or_commune(schema: dict) -> None:
    """The editor's schema: « organisation » or « commune », one of the two."""
    schema["required"] = [k for k in schema.get("required", []) if k != "organisation"]
    schema["oneOf"] = [{"required": ["organisation"]}, {"required": ["commune"]}]
    if not schema["required"]:
        del schema["required"]
