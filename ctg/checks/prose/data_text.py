"""The text fields of a fiche or data file (fiches/*.yaml, donnees/*.yaml) as lines of prose.

Only the values of the keys that hold prose are kept (titles, the fields of a fiche action, the
names of équipements); keys, identifiers (« pilotes », « fiches », « type », « collectivite »),
addresses, comments and quotes are blanked out, columns kept, so that a finding is reported at
the line and column of the value in the YAML file. A block scalar (« modalites: | ») keeps its
lines; a list under a prose key (« indicateurs: ») keeps its items.
"""

from __future__ import annotations

import re

from .text import Unit, mask, read_exceptions

#: keys whose values are prose a reader sees in the document
PROSE_KEYS = frozenset({
    "titre", "diagnostic_initial", "public_cible", "objectifs_operationnels", "modalites", "echeances",
    "services_mobilises", "resultats_attendus", "partenaires", "indicateurs", "nom", "texte", "thematique",
    "enjeu", "objectif",
})
_KEY = re.compile(r"^(?P<indent>\s*)(?:-\s+)?(?P<key>[\w]+)\s*:(?:\s+|$)(?P<value>.*)$")
_ITEM = re.compile(r"^(?P<indent>\s*)-\s+(?P<value>.*)$")
_BLOCK = re.compile(r"^[|>][-+]?\d*\s*$")


def _blank(line: str) -> str:
    return " " * len(line)


def _keep(line: str, start: int, end: int | None = None) -> str:
    """line with only line[start:end] kept (quotes and brackets around it blanked)."""
    end = len(line) if end is None else end
    value = line[start:end]
    stripped = value.strip()
    if len(stripped) >= 2 and stripped[0] in "\"'[" and stripped[-1] in "\"']":
        first = start + value.index(stripped[0])
        last = start + value.rindex(stripped[-1])
        return " " * (first + 1) + line[first + 1:last] + " " * (len(line) - last)
    return " " * start + value + " " * (len(line) - end)


def _without_comment(line: str) -> str:
    return re.sub(r"(^|\s)#.*$", lambda m: m.group(1) + " " * (len(m.group(0)) - len(m.group(1))), line)


def prose_lines(lines: list[str]) -> list[str]:
    """Every line of the file, only its prose values left."""
    out: list[str] = []
    block: int | None = None  # indentation of the key whose block scalar is being read
    items: int | None = None  # indentation of the prose key whose list is being read
    for raw in lines:
        indent = len(raw) - len(raw.lstrip())
        if block is not None:
            if not raw.strip() or indent > block:
                out.append(raw)
                continue
            block = None
        line = _without_comment(raw)
        item = _ITEM.match(line)
        key = _KEY.match(line)
        if items is not None and item and not key and len(item.group("indent")) >= items:
            out.append(_keep(line, item.start("value")))
            continue
        items = None
        if key is None or key.group("key") not in PROSE_KEYS:
            out.append(_blank(line))
            continue
        value = key.group("value")
        if _BLOCK.match(value):
            block = len(key.group("indent"))
            out.append(_blank(line))
        elif not value.strip():
            items = len(key.group("indent"))
            out.append(_blank(line))
        else:
            out.append(_keep(line, key.start("value")))
    return out


def data_prose_unit(path, text: str, doc=None) -> Unit:
    """The prose fields of a YAML file: every rule but blanks (data_unit reads blanks on every line)."""
    lines = text.split("\n")
    kept = mask("\n".join(prose_lines(lines))).split("\n")
    return Unit(path, kept, doc, read_exceptions(lines), markdown=False, prose_only=True,
                owns_exceptions=False, variables=False)
