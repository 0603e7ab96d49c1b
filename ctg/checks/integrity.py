"""Signed texts never change silently.

When a document is signed, the SHA-256 of its assembled text is recorded in
its convention folder (empreintes.yaml, committed with the sources). From then
on any change that would alter that text — its own sources, a clause of the
shared library, the registry, a data file — makes `check` fail: a signed
convention changes only through an avenant. A clause library that must move
on for the next generation does so in a new model version (see docs/).
"""

from __future__ import annotations

import hashlib
import re
import subprocess
from pathlib import Path

import yaml

from ..core.diagnostics import Diagnostics
from ..core.document import AssembledDocument
from ..sources.corpus import Corpus
from ..sources.sources import read_yaml

FILE = "empreintes.yaml"
SIGNED = ("signée", "échue")
HEADER = ("# Empreintes SHA-256 des textes signés, enregistrées par « python build.py empreintes ».\n"
          "# Ne pas modifier à la main : un texte signé ne change que par avenant.\n")


_LAYOUT_ONLY = re.compile(r"^\s*\|?(\s*:?-+:?\s*\|)+\s*:?-*:?\s*$")  # a pipe table's column widths


def fingerprint(doc: AssembledDocument) -> str:
    """SHA-256 of the text a signatory reads: the assembled Markdown without the lines that only
    set table column widths, so a layout change of a table template leaves signed texts alone."""
    text = "\n".join(line for line in doc.markdown.split("\n") if not _LAYOUT_ONLY.match(line))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _folder(corpus: Corpus, doc: AssembledDocument) -> Path:
    return corpus.conventions[doc.parent or doc.id].folder


def _source(corpus: Corpus, doc: AssembledDocument):
    return corpus.conventions[doc.id] if doc.id in corpus.conventions else corpus.avenants[doc.id]


def read_recorded(folder: Path, diags: Diagnostics) -> dict[str, str] | None:
    """{document: fingerprint}; None when the file cannot be read (reported: nothing is said then of
    the documents it should hold, rather than calling them « sans empreinte »)."""
    path = folder / FILE
    if not path.exists() and not path.is_symlink():
        return {}
    doc = read_yaml(path, diags)
    if doc is None:
        return None
    data = doc.data or {}
    if not isinstance(data, dict):
        diags.error(path, doc.first_line, "empreintes-invalides",
                    "le fichier d'empreintes doit associer chaque document à son empreinte (« identifiant: empreinte »).")
        return None
    bad = [k for k, v in data.items() if not (isinstance(v, str) and re.fullmatch(r"[0-9a-f]{64}", v))]
    for key in bad:
        diags.error(path, doc.line((key,)), "empreintes-invalides",
                    f"l'empreinte de « {key} » n'est pas une empreinte SHA-256 (64 caractères hexadécimaux) ; "
                    "le fichier ne se modifie pas à la main : reprenez-le de l'historique git.")
    return None if bad else data


def modified_files(root: Path) -> set[str]:
    """Files changed in the work tree against git's HEAD (empty outside a git checkout)."""
    try:
        proc = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=root,
                              capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return set()
    if proc.returncode != 0:
        return set()
    out = set()
    for line in proc.stdout.splitlines():
        path = line[3:].split(" -> ")[-1].strip('"')
        out.add(path)
    return out


def check_signed(corpus: Corpus, docs: dict[str, AssembledDocument], diags: Diagnostics, root: Path) -> None:
    recorded_by_folder: dict[Path, dict[str, str]] = {}
    changed = None
    for doc in docs.values():
        folder = _folder(corpus, doc)
        if folder not in recorded_by_folder:
            recorded_by_folder[folder] = read_recorded(folder, diags)
        recorded = recorded_by_folder[folder]
        if recorded is None or (doc.status not in SIGNED and doc.id not in recorded):
            continue  # an unreadable file is reported; a text never signed is free to change
        src = _source(corpus, doc)
        line = src.src.line("statut")
        if doc.id not in recorded:
            diags.error(src.path, line, "empreinte-absente",
                        f"« {doc.id} » est signé mais son empreinte n'est pas enregistrée ; après avoir vérifié que "
                        "le texte produit est bien celui qui a été signé, lancez « python build.py empreintes "
                        f"{doc.id} » et versionnez {diags.rel(folder / FILE)}.")
        elif recorded[doc.id] != fingerprint(doc):
            if changed is None:
                changed = modified_files(root)
            culprits = [s for s in doc.sources if s in changed]
            hint = (f" Fichiers modifiés dont il dépend : {', '.join(culprits)}." if culprits else "")
            status = (f" Son empreinte est enregistrée : il reste figé quel que soit son statut (« {doc.status} »)."
                      if doc.status not in SIGNED else "")
            diags.error(src.path, line, "texte-signe-modifie",
                        f"le texte signé de « {doc.id} » serait modifié ; un document signé ne change que par "
                        f"avenant.{status}{hint} Annulez la modification, ou, pour faire évoluer la bibliothèque de clauses, "
                        "créez une nouvelle version du modèle (guide de rédaction, page « Textes signés »).")


def affected_by_changes(docs, root: Path) -> dict[str, list[str]]:
    """Shared files (templates, registry) changed in the work tree → unsigned documents including them
    (docs: each with its id, status and sources)."""
    changed = {p for p in modified_files(root) if p.startswith(("templates/", "conventions/_registre/"))}
    out: dict[str, list[str]] = {}
    for path in sorted(changed):
        users = [d.id for d in docs if path in d.sources and d.status not in SIGNED]
        if users:
            out[path] = users
    return out


def record(corpus: Corpus, docs: dict[str, AssembledDocument], diags: Diagnostics, force: bool) -> list[str]:
    """Write the fingerprints of signed documents; returns the ids recorded. With force (the only
    way to change a recorded fingerprint), each one replaced or removed is a warning, loud."""
    by_folder: dict[Path, dict[str, str]] = {}
    written = []
    for doc in docs.values():
        folder = _folder(corpus, doc)
        if folder not in by_folder:
            by_folder[folder] = dict(read_recorded(folder, diags) or {})
        recorded = by_folder[folder]
        src = _source(corpus, doc)
        if doc.status not in SIGNED:
            if doc.id in recorded and force:  # signed by mistake: its fingerprint goes
                del recorded[doc.id]
                _forced(diags, src, doc, "retirée", folder)
            continue
        value = fingerprint(doc)
        if recorded.get(doc.id) == value:
            continue
        if doc.id in recorded and not force:
            diags.error(src.path, src.src.line("statut"), "texte-signe-modifie",
                        f"l'empreinte enregistrée de « {doc.id} » ne correspond plus au texte ; elle n'est remplacée "
                        "qu'avec --forcer, si le texte enregistré par erreur n'était pas celui signé.")
            continue
        if doc.id in recorded:
            _forced(diags, src, doc, "remplacée", folder)
        recorded[doc.id] = value
        written.append(doc.id)
    if diags.errors:
        return []
    from ..core.outputs import write_atomic

    for folder, recorded in by_folder.items():
        text = HEADER + yaml.safe_dump(dict(sorted(recorded.items())), allow_unicode=True, sort_keys=False)
        if recorded or (folder / FILE).exists():
            write_atomic(folder / FILE, text.encode("utf-8"))
    return written


def _forced(diags: Diagnostics, src, doc: AssembledDocument, what: str, folder: Path) -> None:
    diags.warning(src.path, src.src.line("statut"), "empreinte-forcee",
                  f"ATTENTION : l'empreinte du texte signé de « {doc.id} » est {what} de force (--forcer) ; "
                  f"seulement si le texte enregistré n'était pas celui signé. Dites pourquoi dans le message du "
                  f"commit de {diags.rel(folder / FILE)}.")
