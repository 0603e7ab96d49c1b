"""Run the prose rules over every source of the corpus and report their findings as diagnostics.

Level: a rule says when a typed fact is wrong (an error); otherwise a finding is a warning,
except in a document « prêt pour signature », « signée » or « échue » (or a délibération) that
is being changed (one of its files differs from git's HEAD; outside a git checkout, where
nothing tells, every such document counts as changed): there every finding is an error.
« --strict » turns the remaining warnings into errors, as for every other check.

Where the text cannot use the template variables (the fields of a YAML file, a délibération and
its rapport), a typed count or reference that agrees with the computed one is not reported: only
one that disagrees (an error).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from ...sources.corpus import Corpus
from ...core.diagnostics import NBSP, Diagnostics
from ..integrity import modified_files
from . import blanks, codes, counts, dates, names, references, sigles, spelling, variants
from .known import known_from
from .text import Finding, Unit, finding
from .units import document_units, registry_units

RULES = (counts, codes, names, references, sigles, blanks, dates, spelling)
DATA_RULES = (blanks,)
PROSE_RULES = tuple(r for r in RULES if r is not blanks)
EXCEPTION_RULES = ("exception-sans-motif", "exception-inconnue")
VARIABLE_RULES = ("renvoi-tape",)  # warnings whose advice is a template variable


def rule_ids() -> set[str]:
    return {r for module in (*RULES, variants) for r in module.RULE_IDS}


def changed_files(root: Path) -> set[Path] | None:
    """Absolute paths of the files that differ from git's HEAD; None outside a git checkout."""
    try:
        proc = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=root, capture_output=True, text=True,
                              timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if proc.returncode != 0:
        return None
    top = Path(proc.stdout.strip())
    return {(top / p).resolve() for p in modified_files(top)}


def exception_findings(unit: Unit, known_ids: set[str]) -> list[Finding]:
    out = []
    for exc in unit.exceptions:
        unknown = [r for r in exc.rules if r not in known_ids]
        if unknown:
            out.append(finding("exception-inconnue", exc.line, exc.column,
                               f"exception pour une règle inconnue « {unknown[0]} » ; les règles sont listées "
                               "dans docs/verifications.md (« Relecture du texte »)."))
        if not exc.reason:
            example = f"<!-- ctg: ignorer {', '.join(exc.rules)} : raison -->"
            out.append(Finding("exception-sans-motif", exc.line, exc.column,
                               f"exception sans motif{NBSP}; écrivez la raison après la règle{NBSP}: "
                               f"«{NBSP}{example}{NBSP}»."))
    return out


def silenced(unit: Unit, finding: Finding) -> bool:
    """An exception covers its own line and the next line that holds prose."""
    for exc in unit.exceptions:
        if finding.rule not in exc.rules:
            continue
        if finding.line == exc.line:
            return True
        following = next((i for i in range(exc.line + 1, len(unit.lines) + 1) if unit.lines[i - 1].strip()), None)
        if finding.line == following:
            return True
    return False


def unit_findings(unit: Unit, known) -> list[Finding]:
    rules = DATA_RULES if not unit.markdown and not unit.prose_only else PROSE_RULES if unit.prose_only else RULES
    found = [f for module in rules for f in module.check(unit, known)]
    if not unit.variables:  # no variable to write instead: only a typed fact that is wrong
        found = [f for f in found if f.error or not (f.rule.startswith("compte-") or f.rule in VARIABLE_RULES)]
    return found


def lint_corpus(corpus: Corpus, templates: Path, diags: Diagnostics, root: Path,
                pages: dict[str, tuple[int, int]] | None = None, deliberations: set[str] | None = None,
                folders: set[str] | None = None) -> None:
    """The conventions, avenants and délibérations (the registry's data files: lint_registry).
    pages: {document id: (pages up to the signatures, in all)} of the layouts a build cached;
    deliberations: the ids of the délibérations to read (None: all; their approved documents must
    be in the corpus, whose facts their rapport is read against); folders: the convention folders whose
    documents are read (None: all)."""
    known = known_from(corpus)
    spelling.load_cache(root)
    if not spelling.available():
        diags.warning(corpus.registry.root, 0, "orthographe",
                      "dictionnaire français introuvable (paquet Debian « hunspell-fr » et paquet Python « spylls », "
                      "voir scripts/install.sh) : l'orthographe n'est pas vérifiée.")
    units = document_units(corpus, templates, changed_files(root), pages, deliberations, folders)
    found = {id(u): unit_findings(u, known) for u in units}
    for unit, f in variants.check(units, known, found, diags.rel):
        found[id(unit)].append(f)
    _report(units, found, diags)
    spelling.save_cache(root)


def lint_registry(corpus: Corpus, diags: Diagnostics) -> None:
    """The registry's data files (blanks only, units.registry_units)."""
    units = registry_units(corpus)
    known = known_from(corpus)
    _report(units, {id(u): unit_findings(u, known) for u in units}, diags)


def _report(units: list[Unit], found: dict[int, list[Finding]], diags: Diagnostics) -> None:
    ids = rule_ids()
    for unit in units:
        findings = [f for f in found[id(unit)] if not silenced(unit, f)]
        findings += exception_findings(unit, ids) if unit.owns_exceptions else []
        severe = unit.doc is not None and unit.doc.severe
        for f in findings:
            report = diags.error if f.error or (severe and f.rule not in EXCEPTION_RULES) else diags.warning
            report(unit.path, f.line, f.rule, f.message, f.column)
