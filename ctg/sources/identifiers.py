"""Checks of official identifiers: SIREN (Luhn key) and INSEE commune codes."""

from __future__ import annotations

import re

_INSEE = re.compile(r"^(\d{2}|2A|2B)\d{3}$")


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 1:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


def siren_problem(value: str) -> str | None:
    """None if value is a valid SIREN, else a French explanation."""
    compact = value.replace(" ", "")
    if not re.fullmatch(r"\d{9}", compact):
        return f"le SIREN « {value} » doit compter 9 chiffres"
    if not luhn_ok(compact):
        return f"le SIREN « {value} » a une clé de contrôle (Luhn) invalide : vérifiez les chiffres"
    return None


def insee_problem(value: str) -> str | None:
    if not isinstance(value, str) or not _INSEE.fullmatch(value):
        return (f"le code INSEE « {value} » est mal formé : 5 caractères, deux chiffres de département "
                "(ou 2A, 2B) puis trois chiffres, écrit entre guillemets (\"62119\")")
    return None
