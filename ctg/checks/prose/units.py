"""The files the prose rules read, each with the document it belongs to.

A convention with its annexes, forms, fiches and data files; each avenant with its own; each
délibération with its rapport, whose sections about one document (« {#ternois
document=ctg-cc-ternois-2023-2027} ») are read against that document's facts; the registry's
data files (blanks only). A YAML file is read twice: every line for blanks, its prose fields
for the other rules (data_text.py).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from ...sources.corpus import Corpus, DeliberationSource
from .data_text import data_prose_unit
from .facts import DocFacts, avenant_facts, convention_facts, deliberation_facts
from .text import Unit, data_unit, markdown_unit

REGISTRY_DATA = ("organisations/*.yaml", "maires.yaml", "sigles.yaml", "territoire.yaml")


def read(path: Path) -> str | None:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None  # reported by the loader
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")  # as sources.read_text


def _severe(facts: DocFacts, files: list[Path], changed: set[Path] | None) -> bool:
    return facts.final and (changed is None or any(p.resolve() in changed for p in files))


def _document(facts: DocFacts, texts: list[Path], data: list[Path]) -> list[Unit]:
    units: list[Unit] = []
    for p in texts:
        if (t := read(p)) is not None:
            units.append(markdown_unit(p, t, facts))
    for p in data:
        if (t := read(p)) is not None:
            units += [data_unit(p, t, facts), data_prose_unit(p, t, facts)]
    for unit in units:
        unit.group = facts.id
    return units


def convention_units(corpus: Corpus, templates: Path, changed: set[Path] | None,
                     pages: dict[str, tuple[int, int]], folders: set[str] | None = None
                     ) -> tuple[list[Unit], dict[str, DocFacts]]:
    """The units of the documents written in the convention folders named (None: all), and the facts
    of every document of the corpus (a rapport's section is read against them)."""
    units: list[Unit] = []
    facts_of: dict[str, DocFacts] = {}
    for conv in corpus.conventions.values():
        docs = [(convention_facts(corpus, conv, templates),
                 [conv.path] + [a.path for a in conv.annexes] + [f.path for f in conv.formulaires.values()],
                 sorted((conv.folder / "donnees").glob("*.yaml")) + [f.path for f in conv.fiches.values()])]
        for av in corpus.avenants.values():
            facts = avenant_facts(corpus, av, templates) if av.meta.convention == conv.id else None
            if facts is not None:
                docs.append((facts, [av.path] + [a.path for a in av.annexes], [f.path for f in av.fiches.values()]))
        for facts, texts, data in docs:
            facts.severe = _severe(facts, [*texts, *data], changed)
            facts.pages = pages.get(facts.id)
            facts_of[facts.id] = facts
            if folders is None or texts[0].relative_to(corpus.root).parts[0] in folders:
                units += _document(facts, texts, data)
    return units, facts_of


def deliberation_units(delib: DeliberationSource, facts_of: dict[str, DocFacts],
                       changed: set[Path] | None) -> list[Unit]:
    """The délibération and its rapport; a section of the rapport about one approved document is read
    against that document's counts and references (the délibération's own level kept)."""
    facts = deliberation_facts(delib)
    files = [delib.path] + ([delib.rapport.path] if delib.rapport else [])
    facts.severe = _severe(facts, files, changed)
    units = _document(facts, [delib.path], [])
    for unit in units:
        unit.variables = False  # a délibération is not a template
    if delib.rapport is None or (text := read(delib.rapport.path)) is None:
        return units
    whole = markdown_unit(delib.rapport.path, text, facts)
    whole.group, whole.variables = facts.id, False
    sections = delib.rapport.sections
    for i, section in enumerate(sections):
        about = facts_of.get(section.attrs.get("document", ""))
        if about is None:
            continue
        last = sections[i + 1].line - 1 if i + 1 < len(sections) else len(whole.lines)
        part = dataclasses.replace(whole, lines=[line if section.line <= n <= last else ""
                                                 for n, line in enumerate(whole.lines, start=1)],
                                   doc=dataclasses.replace(about, severe=facts.severe, status=facts.status),
                                   owns_exceptions=False, variables=False)
        whole.lines = [line if not section.line <= n <= last else "" for n, line in enumerate(whole.lines, start=1)]
        units.append(part)
    return units + [whole]


def document_units(corpus: Corpus, templates: Path, changed: set[Path] | None,
                   pages: dict[str, tuple[int, int]] | None = None,
                   deliberations: set[str] | None = None, folders: set[str] | None = None) -> list[Unit]:
    """The units of the conventions, avenants and délibérations (not the registry's: registry_units).
    deliberations: the ids of those to read; folders: the convention folders whose documents are
    read (None: all)."""
    units, facts_of = convention_units(corpus, templates, changed, pages or {}, folders)
    for ident, delib in corpus.deliberations.items():
        if deliberations is None or ident in deliberations:
            units += deliberation_units(delib, facts_of, changed)
    return units


def registry_units(corpus: Corpus) -> list[Unit]:
    """The registry's data files, read for blanks only: what they report depends on their text alone
    (no document's facts), so a run that did not change them can take their findings from the last."""
    reg_root = corpus.registry.root
    return [data_unit(p, t) for pattern in REGISTRY_DATA for p in sorted(reg_root.glob(pattern))
            if (t := read(p)) is not None]
