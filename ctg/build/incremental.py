"""load → check → assemble through the dependency index (dependency_index.py): after an edit, only
the convention folders it changed, and those their checks compare them with, are read again; only
the former are assembled again."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..core.diagnostics import Diagnostic, Diagnostics
from ..core.document import AssembledDocument
from ..core.project import Project
from ..sources.corpus import Corpus
from . import dependency_index as di
from .lint_keys import LintKeys


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
    lint_keys: LintKeys | None = None  # the keys of the prose check's inputs, when asked
    # the délibérations whose approved documents were all read in this run (None: all of them): those
    # the prose check reads; the others' findings are the index's, their inputs unchanged
    deliberations_read: set[str] | None = None
    # the units the prose check reads (None: those loaded): the others loaded in this run (read for
    # the checks of a changed one) give back the index's findings, the inputs of their prose check unchanged
    lint_units: set[str] | None = None

    def all_ids(self) -> list[str]:
        return list(self.facts)

    @property
    def linted(self) -> set[str]:
        return self.loaded if self.lint_units is None else self.lint_units

    @property
    def scope(self) -> dict:
        """What the prose check reads in this run (lint_corpus's arguments)."""
        return {"deliberations": self.deliberations_read, "folders": self.linted}

    def unloaded_lint(self) -> list[Diagnostic]:
        """The prose findings of the units not loaded and of the délibérations not read (the inputs of
        their prose check unchanged)."""
        if self.index is None:
            return []
        out = [d for name, rec in self.index.units.items() if name not in self.linted for d in rec.lint]
        if self.deliberations_read is not None:
            out += [d for ident, (_, lint) in self.index.deliberation_lint.items()
                    if ident not in self.deliberations_read for d in lint]
        return out

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
        """Keep the prose findings of the units and délibérations read in this run, under the key of
        their inputs."""
        if self.index is None or self.project is None or self.lint_keys is None:
            return
        lint_keys = self.lint_keys.units(self.facts, self.linted)
        by_unit, _ = di.split_diagnostics(found)
        for name in self.linted:
            rec = self.index.units.get(name)
            if rec is not None:
                rec.lint_key, rec.lint = lint_keys.get(name, ""), by_unit.get(name, [])
        by_delib = di.split_deliberation_diagnostics(found)
        unit_keys = {name: rec.lint_key for name, rec in self.index.units.items()}
        read = self.index.deliberations if self.deliberations_read is None else self.deliberations_read
        for ident in read:
            key = self.lint_keys.deliberation(ident, self.index.deliberations.get(ident, []), self.facts, unit_keys)
            self.index.deliberation_lint[ident] = (key, by_delib.get(ident, []))
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
    the changed ones are read); lint: the units whose prose check must run
    again (LintKeys) are read too; signed: check the fingerprints of signed texts (integrity.py)."""
    from ..checks import integrity
    from .pipeline import assemble_checked

    root = project.root
    previous = None if force else di.read_index(root)
    since = previous is not None and saved is not None and previous.written == saved[1]
    scan = di.Scan(root, previous, saved[0] if since else None)
    lint_keys = LintKeys(project, scan) if lint else None
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
        delibs_bytes = pickle.dumps(corpus.deliberations, protocol=pickle.HIGHEST_PROTOCOL)
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
            di.write_blob(root, f"deliberations.{scan.shared[:16]}", delibs_bytes)
        checked.docs = _only(docs, only)
        return checked
    return _incremental(project, diags, previous, scan, registry, only, complete, lint_keys, signed, start)


def _incremental(project, diags, previous, scan, registry, only, complete, lint_keys, signed, start) -> Checked:
    from ..checks.validate import validate_corpus
    from ..sources.commune_parties import resolve_commune_parties
    from ..sources.loader import load_unit

    units = previous.units
    doc_unit = {f.id: name for name, rec in units.items() for f in rec.documents}
    needed = {name for name in scan.unit_names if scan.units[name] != units[name].key}
    needed |= {doc_unit[i] for i in only or [] if i in doc_unit}
    if lint_keys is not None:
        every_fact = {f.id: f for rec in units.values() for f in rec.documents}
        keys = lint_keys.units(every_fact)
        needed |= {name for name, rec in units.items() if rec.lint_key != keys.get(name)}
        needed |= _stale_deliberations(previous, lint_keys, every_fact, keys, doc_unit)
    corpus = Corpus(project.conventions, registry, input_keys=dict(scan.units), shared_keys=dict(scan.folder_keys))
    loaded: set[str] = set()

    def load(names) -> None:
        for name in sorted(set(names) - loaded):
            loaded.add(name)
            load_unit(project.conventions / name, corpus, diags)

    load(needed)
    every = _deliberations(project, scan)
    while True:  # the units the checks of the loaded ones compare them with
        related = _related(corpus, units, loaded, every, doc_unit)
        if related <= loaded:
            break
        load(related)
    resolve_commune_parties(corpus)
    loaded_docs = set(corpus.documents())
    corpus.deliberations = {k: d for k, d in every.items() if set(d.meta.approuve) <= loaded_docs}
    read_delibs = set(corpus.deliberations)
    validate_corpus(corpus, diags)
    docs = _assembled(project, corpus, diags, units, scan, loaded, signed) if not diags.has_errors() else {}
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
    linted = _to_lint(corpus, units, loaded, keys) if lint_keys is not None else None
    return Checked(corpus, _only(docs, only), complete, facts, loaded, index, scan, project, lint_keys, read_delibs,
                   linted)


def _assembled(project, corpus: Corpus, diags, units: dict, scan: di.Scan, loaded: set[str], signed: bool) -> dict:
    """The loaded units' documents, in the corpus's order. A unit whose files did not change was read
    for the checks of another only: its documents are those of its entry, for a text depends on its
    own folder and the shared inputs alone (an avenant filed in another convention's folder is an
    error), as for the units not read. The others are assembled, and their signed texts checked
    (assembly and that check report errors only: a unit taken from its entry had none)."""
    from ..checks import integrity
    from .pipeline import assemble_checked

    kept: dict = {}
    for name in sorted(loaded):
        entry = di.read_unit_entry(project.root, name, units[name].key) if scan.units[name] == units[name].key else None
        if entry is not None:
            kept.update(entry[2])
    order = corpus.documents()
    wanted = [i for i in order if i not in kept]
    fresh = assemble_checked(project, corpus, diags, wanted) if wanted else {}
    if signed and not diags.has_errors():
        integrity.check_signed(corpus, fresh, diags, project.root)
    return {i: fresh[i] if i in fresh else kept[i] for i in order if i in fresh or i in kept}


def _stale_deliberations(previous: di.Index, lint_keys: LintKeys, facts: dict, keys: dict, doc_unit: dict) -> set[str]:
    """The units of the documents approved by a délibération whose prose findings are to be read
    again: the prose check reads it with all of them."""
    out: set[str] = set()
    for ident, approved in previous.deliberations.items():
        if previous.deliberation_lint.get(ident, ("",))[0] != lint_keys.deliberation(ident, approved, facts, keys):
            out |= {doc_unit[i] for i in approved if i in doc_unit}
    return out


def _to_lint(corpus: Corpus, units: dict, loaded: set[str], keys: dict[str, str]) -> set[str]:
    """The loaded units whose prose check's inputs changed (the others give back the index's findings)."""
    linted = {name for name in loaded if units[name].lint_key != keys.get(name)}
    for av in corpus.avenants.values():  # an avenant is read against its convention's facts
        conv = corpus.conventions.get(av.meta.convention)
        if conv is not None and conv.folder.name in linted:
            linted.add(_unit_of_document(corpus, av.id))
    return linted


def _related(corpus: Corpus, units: dict, loaded: set[str], delibs: dict, doc_unit: dict) -> set[str]:
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
    for d in delibs.values():
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
        old = previous.units.get(name) if previous is not None else None
        kept = (old.lint_key, old.lint) if old is not None and old.key == scan.units[name] else ("", [])
        units[name] = di.UnitRecord(
            scan.units[name], conv.id if conv else None, conv.meta.territoire if conv else None,
            conv.meta.remplace if conv else None,
            [facts[i] for i in unit_docs], by_unit.get(name, []), *kept)  # the prose findings of unchanged files
        if old is None or old.key != scan.units[name] or not di.unit_entry_path(root, name, old.key).is_file():
            di.write_unit_entry(root, name, scan.units[name], (conv, avenants, unit_docs))
    delibs = {d.meta.identifiant: list(d.meta.approuve) for d in corpus.deliberations.values()}
    shared_diags = sorted(set(shared) | set(previous.shared_diagnostics if previous else []))
    same = previous is not None and previous.shared == scan.shared  # else its prose findings are not kept
    index = di.Index(di.VERSION, scan.shared, scan.files, di.new_written_time(), units, shared_diags, delibs,
                     previous.registry_lint if same else None, dict(previous.deliberation_lint) if same else {})
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


def _deliberations(project: Project, scan: di.Scan) -> dict:
    """Every délibération, as the last run loaded them (they are shared inputs, unchanged since):
    from its blob, else read again (their errors were reported then; the index holds none)."""
    kept = di.read_blob(project.root, f"deliberations.{scan.shared[:16]}", fresh=dict)
    if kept is not None:
        return kept
    from ..sources.deliberation_sources import load_deliberations

    corpus = Corpus(project.conventions, None)
    load_deliberations(project.conventions, corpus, Diagnostics(project.root))
    return corpus.deliberations


def _fresh_registry(registry):
    """The registry as loaded, with its own copies of what the run adds to it (the organisations of
    the communes that sign by their code, commune_parties.py): the rest is only read."""
    return dataclasses.replace(registry, organisations=dict(registry.organisations),
                               organisation_src=dict(registry.organisation_src),
                               commune_parties=set(registry.commune_parties))
