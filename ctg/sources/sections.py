"""Split a Markdown body into its level-2 sections (one article each)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from ..core.diagnostics import Diagnostics
from .corpus import Section

_HEADING = re.compile(r"^##(?!#)\s+(?P<title>.*?)\s*(?:\{(?P<attrs>[^}]*)\})?\s*$")
_FENCE = re.compile(r"^(```|~~~)")


def parse_attrs(raw: str) -> tuple[str | None, list[str], dict[str, str]]:
    """Parse a pandoc attribute block « #id .class key=value »."""
    ident, classes, kv = None, [], {}
    try:
        parts = shlex.split(raw)
    except ValueError:
        parts = raw.split()
    for part in parts:
        if part.startswith("#"):
            ident = part[1:]
        elif part.startswith("."):
            classes.append(part[1:])
        elif "=" in part:
            k, v = part.split("=", 1)
            kv[k] = v
    return ident, classes, kv


def split_sections(body: str, body_line: int, path: Path, diags: Diagnostics) -> list[Section]:
    lines = body.split("\n")
    sections: list[Section] = []
    current: Section | None = None
    buf: list[str] = []
    in_fence = False
    preamble_line = None

    def close():
        if current is not None:
            current.text = "\n".join(buf).rstrip("\n") + "\n"  # keep leading lines: line numbers
            sections.append(current)

    for i, line in enumerate(lines):
        lineno = body_line + i
        if _FENCE.match(line):
            in_fence = not in_fence
        m = None if in_fence else _HEADING.match(line)
        if m:
            close()
            buf = []
            ident, _classes, kv = parse_attrs(m.group("attrs") or "")
            if not ident:
                diags.error(path, lineno, "article-sans-identifiant",
                            f"le titre « {m.group('title')} » n'a pas d'identifiant ; ajoutez-en un à la fin "
                            "de la ligne, par exemple « {#champs-epci} ».")
                ident = f"sans-identifiant-{lineno}"
            current = Section(ident, m.group("title"), kv, "", lineno, path)
        elif current is None:
            if line.strip() and preamble_line is None:
                preamble_line = lineno
        else:
            buf.append(line)
    close()
    if preamble_line is not None:
        diags.error(path, preamble_line, "texte-hors-article",
                    "du texte précède le premier article ; placez-le sous un titre « ## Titre {#identifiant} ».")
    seen: dict[str, int] = {}
    for s in sections:
        if s.id in seen:
            diags.error(path, s.line, "article-en-double",
                        f"l'identifiant d'article « {s.id} » est déjà utilisé ligne {seen[s.id]}.")
        seen.setdefault(s.id, s.line)
    return sections
