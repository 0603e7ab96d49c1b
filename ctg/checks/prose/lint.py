"""Run the prose rules over every source of the corpus and report their findings as diagnostics.

Level: a rule says when a typed fact is wrong (an error); otherwise a finding is a warning,
except in a document « prêt pour signature », « signée » or « échue » that is being changed
(one of its files differs from git's HEAD; outside a git checkout, where nothing tells,
every such document counts as changed): there every finding is an error. « --strict »
turns the remaining warnings into errors, as for every other check.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from ...sources.corpus import Corpus
from ...core.diagnostics import NBSP, Diagnostics
from ..integrity import modified_files
from . import blanks, codes, counts, dates, names, references, sigles, spelling
from .facts import avenant_facts, convention_facts
from .known import known_from
from .text import Finding, Unit, data_unit, finding, markdown_unit

RULES = (counts, codes, names, references, sigles, blanks, dates, spelling)
DATA_RULES = (blanks,)
EXCEPTION_RULES = ("exception-sans-motif", "exception-inconnue")
REGISTRY_DATA = ("organisations/*.yaml", "maires.yaml", "sigles.yaml", "territoire.yaml")


def rule_ids() -> set[str]:
    return {r for module in RULES for r in module.RULE_IDS}


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


def _read(path: Path) -> str | None:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None  # reported by the loader
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")  # as sources.read_text


def document_units(corpus: Corpus, templates: Path, changed: set[Path] | None) -> list[Unit]:
    units: list[Unit] = []
    for conv in corpus.conventions.values():
        docs = [(convention_facts(corpus, conv, templates),
                 [conv.path] + [a.path for a in conv.annexes] + [f.path for f in conv.formulaires.values()],
                 sorted((conv.folder / "donnees").glob("*.yaml")) + [f.path for f in conv.fiches.values()])]
        for av in corpus.avenants.values():
            facts = avenant_facts(corpus, av, templates) if av.meta.convention == conv.id else None
            if facts is not None:
                docs.append((facts, [av.path] + [a.path for a in av.annexes], [f.path for f in av.fiches.values()]))
        for facts, texts, data in docs:
            files = [*texts, *data]
            facts.severe = facts.final and (changed is None or any(p.resolve() in changed for p in files))
            units += [markdown_unit(p, t, facts) for p in texts if (t := _read(p)) is not None]
            units += [data_unit(p, t, facts) for p in data if (t := _read(p)) is not None]
    reg_root = corpus.registry.root
    for pattern in REGISTRY_DATA:
        units += [data_unit(p, t) for p in sorted(reg_root.glob(pattern)) if (t := _read(p)) is not None]
    return units


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


def lint_corpus(corpus: Corpus, templates: Path, diags: Diagnostics, root: Path) -> None:
    known = known_from(corpus)
    ids = rule_ids()
    spelling.load_cache(root)
    if not spelling.available():
        diags.warning(corpus.registry.root, 0, "orthographe",
                      "dictionnaire français introuvable (paquet Debian « hunspell-fr » et paquet Python « spylls », "
                      "voir scripts/install.sh) : l'orthographe n'est pas vérifiée.")
    for unit in document_units(corpus, templates, changed_files(root)):
        rules = RULES if unit.markdown else DATA_RULES
        findings = [f for module in rules for f in module.check(unit, known)]
        findings = [f for f in findings if not silenced(unit, f)] + exception_findings(unit, ids)
        severe = unit.doc is not None and unit.doc.severe
        for f in findings:
            report = diags.error if f.error or (severe and f.rule not in EXCEPTION_RULES) else diags.warning
            report(unit.path, f.line, f.rule, f.message, f.column)
    spelling.save_cache(root)
