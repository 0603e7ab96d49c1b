"""load → check → assemble through the dependency index (dependency_index.py): after an edit, only
the convention folders it changed, and those their checks compare them with, are read again."""

from __future__ import annotations

import dataclasses
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..core.diagnostics import Diagnostic, Diagnostics
from ..core.document import AssembledDocument
from ..core.project import Project
from ..sources.corpus import Corpus
from . import cache, dependency_index as di


@dataclass
class Checked:
    """The checked sources and their assembled documents.

    complete: corpus and docs hold every convention (else only those an incremental run loaded,
    which is all « check », « markdown ID » and « docx ID » need); facts: every document of the
    corpus, loaded or not (identifier, status, sources)."""

    corpus: Corpus
    docs: dict[str, AssembledDocument]
    complete: bool
    facts: dict[str, di.DocumentFacts]
    loaded: set[str] = field(default_factory=set)  # units read in this run
    index: di.Index | None = None
    scan: di.Scan | None = None
    project: Project | None = None
    lint_keys: object = None  # (facts, units) → {unit: key of its prose check's inputs}, when asked

    def all_ids(self) -> list[str]:
        return list(self.facts)

    def unloaded_lint(self) -> list[Diagnostic]:
        """The prose findings of the units not loaded (the inputs of their prose check unchanged)."""
        if self.index is None:
            return []
        return [d for name, rec in self.index.units.items() if name not in self.loaded for d in rec.lint]

    def registry_lint(self, compute: Callable[[Diagnostics], None]) -> list[Diagnostic]:
        """The prose findings on the registry's data files: those the index kept (_record keeps them
        while no shared input changes; they depend on nothing else), else compute(diagnostics), kept
        by record_lint."""
        if self.index is not None and self.index.registry_lint is not None:
            return list(self.index.registry_lint)
        found = Diagnostics(self.project.root)
        compute(found)
        if self.index is not None:
            self.index.registry_lint = list(found.items)
        return found.items

    def record_lint(self, found: Diagnostics) -> None:
        """Keep the prose findings of the units read in this run, under the key of their inputs."""
        if self.index is None or self.project is None or self.lint_keys is None:
            return
        lint_keys = self.lint_keys(self.facts, self.loaded)
        by_unit, _ = di.split_diagnostics(found)
        for name in self.loaded:
            rec = self.index.units.get(name)
            if rec is not None:
                rec.lint_key, rec.lint = lint_keys.get(name, ""), by_unit.get(name, [])
        di.write_index(self.project.root, self.index)


def load_check_assemble(project: Project, diags: Diagnostics, only: list[str] | None = None,
                        complete: bool = True, force: bool = False, lint: bool = False,
                        signed: bool = True, saved: tuple[set[str], float] | None = None) -> Checked:
    """saved: (files saved, time the index was written): the preview knows which files it was told
    were saved since it wrote the index; only they are looked at, if the index is still that one."""
    try:
        return _load_check_assemble(project, diags, only, complete, force, lint, signed, saved)
    except di.IndexIncomplete:  # an entry removed by hand: the whole run again, without the index
        del diags.items[:]
        return _load_check_assemble(project, diags, only, complete, True, lint, signed, None)


def _load_check_assemble(project: Project, diags: Diagnostics, only, complete, force, lint, signed,
                         saved=None) -> Checked:
    """The checked corpus and its assembled documents, through the dependency index.

    only: the documents the caller needs (with complete=False, only their convention folders and
    the changed ones are read); lint_keys(facts, units) → {unit: key}: the units whose prose check
    must run again are read too; signed: check the fingerprints of signed texts (integrity.py)."""
    from ..checks import integrity
    from .pipeline import assemble_checked, load_and_check

    root = project.root
    previous = None if force else di.read_index(root)
    since = previous is not None and saved is not None and previous.written == saved[1]
    scan = di.Scan(root, previous, saved[0] if since else None)
    lint_keys = lint_keys_for(project, scan) if lint else None
    start = len(diags.items)
    registry = _registry(root, scan) if previous is not None and previous.shared == scan.shared else None
    if (registry is None or previous is None or previous.shared != scan.shared
            or set(previous.units) != set(scan.unit_names)):
        from ..sources.loader import REGISTRY_DIR, load_registry

        registry = load_registry(project.conventions / REGISTRY_DIR, diags)
        import pickle

        registry_bytes = pickle.dumps(_packed(registry), protocol=pickle.HIGHEST_PROTOCOL)
        from ..sources.loader import load_corpus
        from ..checks.validate import validate_corpus

        corpus = load_corpus(project.conventions, diags, registry=registry)
        validate_corpus(corpus, diags)
        docs = assemble_checked(project, corpus, diags) if not diags.has_errors() else {}
        if signed and not diags.has_errors():
            integrity.check_signed(corpus, docs, diags, root)
        corpus.input_keys, corpus.shared_keys = dict(scan.units), dict(scan.folder_keys)
        checked = Checked(corpus, docs, True, _facts(project, corpus, docs), set(scan.unit_names), None, scan, project,
                          lint_keys)
        if not diags.has_errors() and signed:
            checked.index = _record(project, scan, corpus, docs, diags, start, None, set(scan.unit_names),
                                    write=lint_keys is None)
            di.write_blob(root, f"registry.{scan.shared[:16]}", registry_bytes)
        checked.docs = _only(docs, only)
        return checked
    return _incremental(project, diags, previous, scan, registry, only, complete, lint_keys, signed, start)


def _incremental(project, diags, previous, scan, registry, only, complete, lint_keys, signed, start) -> Checked:
    from ..checks import integrity
    from ..checks.validate import validate_corpus
    from ..sources.commune_parties import resolve_commune_parties
    from ..sources.deliberation_sources import load_deliberations
    from ..sources.loader import load_unit
    from .pipeline import assemble_checked

    root = project.root
    units = previous.units
    doc_unit = {f.id: name for name, rec in units.items() for f in rec.documents}
    needed = {name for name in scan.unit_names if scan.units[name] != units[name].key}
    needed |= {doc_unit[i] for i in only or [] if i in doc_unit}
    if lint_keys is not None:
        keys = lint_keys({f.id: f for rec in units.values() for f in rec.documents})
        needed |= {name for name, rec in units.items() if rec.lint_key != keys.get(name)}
    corpus = Corpus(project.conventions, registry, input_keys=dict(scan.units), shared_keys=dict(scan.folder_keys))
    loaded: set[str] = set()

    def load(names) -> None:
        for name in sorted(set(names) - loaded):
            loaded.add(name)
            load_unit(project.conventions / name, corpus, diags)

    load(needed)
    all_delibs = Corpus(project.conventions, registry)
    load_deliberations(project.conventions, all_delibs, Diagnostics(root))  # read twice: its errors once
    while True:  # the units the checks of the loaded ones compare them with
        related = _related(corpus, units, loaded, all_delibs, doc_unit)
        if related <= loaded:
            break
        load(related)
    resolve_commune_parties(corpus)
    load_deliberations(project.conventions, corpus, diags)
    loaded_docs = set(corpus.documents())
    every = {d.meta.identifiant: d for d in corpus.deliberations.values()}
    corpus.deliberations = {k: d for k, d in every.items() if set(d.meta.approuve) <= loaded_docs}
    validate_corpus(corpus, diags)
    docs = assemble_checked(project, corpus, diags) if not diags.has_errors() else {}
    if signed and not diags.has_errors():
        integrity.check_signed(corpus, docs, diags, root)
    corpus.deliberations = every
    # what the units not read reported last time, and what was reported on shared files
    for name, rec in units.items():
        if name not in loaded:
            diags.items.extend(rec.diagnostics)
    diags.items.extend(previous.shared_diagnostics)
    facts = {f.id: f for name, rec in units.items() if name not in loaded for f in rec.documents}
    facts |= _facts(project, corpus, docs)
    facts = {i: facts[i] for i in sorted(facts, key=_document_order(facts, units, corpus))}
    index = None
    if not diags.has_errors() and signed:
        index = _record(project, scan, corpus, docs, diags, start, previous, loaded, write=lint_keys is None)
    if complete and not diags.has_errors():
        _complete(project, corpus, docs, index or previous, loaded)
        resolve_commune_parties(corpus)
        docs = {i: docs[i] for i in corpus.documents() if i in docs}  # the order of a run without the index
    return Checked(corpus, _only(docs, only), complete, facts, loaded, index, scan, project, lint_keys)


def _related(corpus: Corpus, units: dict, loaded: set[str], delibs: Corpus, doc_unit: dict) -> set[str]:
    """Units whose checks read the loaded ones: same territory, « remplace » either way, a délibération
    that approves a document of both."""
    by_conv = {rec.conv_id: name for name, rec in units.items() if rec.conv_id}
    territories = {c.meta.territoire for c in corpus.conventions.values()}
    replaced = {c.meta.remplace for c in corpus.conventions.values() if c.meta.remplace}
    ids = set(corpus.conventions)
    for name in loaded & set(units):  # and what they were related to before the edit
        territories.add(units[name].territoire)
        replaced |= {units[name].remplace} - {None}
        ids |= {units[name].conv_id} - {None}
    out = {name for name, rec in units.items()
           if rec.territoire in territories or rec.conv_id in replaced or rec.remplace in ids | replaced}
    out |= {by_conv[i] for i in replaced if i in by_conv}
    for av in corpus.avenants.values():  # an avenant filed in another convention's folder
        if av.meta.convention in by_conv:
            out.add(by_conv[av.meta.convention])
    docs = set(corpus.documents())
    for d in delibs.deliberations.values():
        if docs & set(d.meta.approuve):
            out |= {doc_unit[i] for i in d.meta.approuve if i in doc_unit}
    return out


def _document_order(facts, units, corpus):
    order = {}
    for name in sorted(set(units) | {c.folder.name for c in corpus.conventions.values()}):
        for i in [f.id for f in units[name].documents] if name in units else []:
            order.setdefault(i, len(order))
    return lambda i: (order.get(i, len(order)), i)


def _only(docs: dict, only: list[str] | None) -> dict:
    return {i: d for i, d in docs.items() if not only or i in only}


def _facts(project: Project, corpus: Corpus, docs: dict[str, AssembledDocument]) -> dict[str, di.DocumentFacts]:
    from .build_outputs import layout_paths

    paths = layout_paths(project, docs)
    return {i: di.DocumentFacts(i, d.status, sorted(d.sources), [str(p) for p in paths[i]],
                                _unit_of_document(corpus, i)) for i, d in docs.items()}


def _unit_of_document(corpus: Corpus, ident: str) -> str:
    if ident in corpus.conventions:
        return corpus.conventions[ident].folder.name
    av = corpus.avenants[ident]
    return (av.folder or av.path.parent.parent).name


def _record(project, scan, corpus, docs, diags, start, previous, loaded, write: bool = True) -> di.Index:
    """The index after a run without errors: the units read in it, the others as they were. Not
    written with write=False: the prose check adds its findings first (Checked.record_lint)."""
    root = project.root
    by_unit, shared = di.split_diagnostics(diags, start)
    units = dict(previous.units) if previous is not None else {}
    docs_by_unit: dict[str, dict] = {}
    for ident, doc in docs.items():
        docs_by_unit.setdefault(_unit_of_document(corpus, ident), {})[ident] = doc
    facts = _facts(project, corpus, docs)
    for name in loaded:
        conv = next((c for c in corpus.conventions.values() if c.folder.name == name), None)
        unit_docs = docs_by_unit.get(name, {})
        avenants = {i: corpus.avenants[i] for i in unit_docs if i in corpus.avenants}
        avenants |= {a.id: a for a in corpus.avenants.values() if (a.folder and a.folder.name == name)}
        units[name] = di.UnitRecord(
            scan.units[name], conv.id if conv else None, conv.meta.territoire if conv else None,
            conv.meta.remplace if conv else None,
            [facts[i] for i in unit_docs], by_unit.get(name, []))
        di.write_unit_entry(root, name, scan.units[name], (conv, avenants, unit_docs))
    delibs = {d.meta.identifiant: list(d.meta.approuve) for d in corpus.deliberations.values()}
    shared_diags = sorted(set(shared) | set(previous.shared_diagnostics if previous else []))
    kept = previous.registry_lint if previous is not None and previous.shared == scan.shared else None
    index = di.Index(di.VERSION, scan.shared, scan.files, di.new_written_time(), units, shared_diags, delibs, kept)
    if write:
        di.write_index(root, index)
    return index


def _complete(project, corpus: Corpus, docs: dict, index, loaded: set[str]) -> None:
    """The units not read in this run, from their entries: the whole corpus, in the loader's order."""
    conventions = dict(corpus.conventions)
    avenants = dict(corpus.avenants)
    for name, rec in index.units.items():
        if name in loaded:
            continue
        entry = di.read_unit_entry(project.root, name, rec.key)
        if entry is None:
            raise di.IndexIncomplete(name)
        conv, unit_avenants, unit_docs = entry
        if conv is not None:
            conventions[conv.id] = conv
        avenants.update(unit_avenants)
        docs.update(unit_docs)
    order = {c.folder.name: k for k, c in enumerate(sorted(conventions.values(), key=lambda c: c.folder.name))}
    corpus.conventions = dict(sorted(conventions.items(), key=lambda kv: order[kv[1].folder.name]))
    corpus.avenants = dict(sorted(avenants.items(), key=lambda kv: (order.get((kv[1].folder or kv[1].path.parent.parent)
                                                                          .name, -1), str(kv[1].path))))


def _packed(registry):
    """The registry as the index keeps it: its communes as a table, with what the checks derive
    from every commune's name computed once (commune_table.py)."""
    from ..checks.prose import known
    from ..checks.territory_checks import NameIndex
    from ..sources.commune_table import packed

    stored = packed(registry)
    known.prepare(stored.communes)
    NameIndex.prepare(stored.communes)
    return stored


def _registry(root: Path, scan: di.Scan):
    return di.read_blob(root, f"registry.{scan.shared[:16]}", fresh=_fresh_registry)


def _fresh_registry(registry):
    """The registry as loaded, with its own copies of what the run adds to it (the organisations of
    the communes that sign by their code, commune_parties.py): the rest is only read."""
    return dataclasses.replace(registry, organisations=dict(registry.organisations),
                               organisation_src=dict(registry.organisation_src),
                               commune_parties=set(registry.commune_parties))


def lint_keys_for(project: Project, scan: di.Scan):
    """{unit: key} of the prose check's inputs: its files, the layouts a build cached for its
    documents (typed page counts), the files git sees changed in it (signed texts being changed)."""
    from ..checks.prose.lint import changed_files

    from ..checks.prose import spelling

    changed = sorted(str(p) for p in changed_files(project.root) or ())
    base = spelling.dictionary_base()  # the French dictionary installed, or none (spelling not checked)
    dictionary = cache.sha256(repr([base, base and cache.file_identity(base + ".dic")]))
    layouts: dict[str, tuple[int, int] | None] = {}  # this run's look at each layout file

    def layout(paths: list[str]) -> tuple | None:
        """The first layout a build cached for a document, by size and time: a build writes a new
        one, never changes one (its name is the key of the document's text), so looking at every
        document's costs a stat, not a read (page counts: build_outputs.page_counts_at)."""
        for k, path in enumerate(paths):
            if path not in layouts:
                try:
                    st = os.stat(path)
                    layouts[path] = (st.st_size, st.st_mtime_ns)
                except OSError:
                    layouts[path] = None
            if layouts[path] is not None:
                return (k, *layouts[path])
        return None

    def keys(facts: dict[str, di.DocumentFacts], names=None) -> dict[str, str]:
        """The keys of the units named (default: every unit)."""
        names = scan.unit_names if names is None else [n for n in scan.unit_names if n in names]
        wanted = set(names)
        by_unit: dict[str, list] = {}
        for ident, f in facts.items():
            if f.unit in wanted:
                by_unit.setdefault(f.unit, []).append((ident, layout(f.pages_keys)))
        out = {}
        for name in names:
            folder = str(project.conventions / name) + "/"
            h = hashlib.sha256((scan.units[name] + dictionary).encode())
            h.update(repr(sorted(by_unit.get(name, []))).encode())
            h.update(repr([c for c in changed if c.startswith(folder)]).encode())
            out[name] = h.hexdigest()
        return out

    return keys
