"""« python build.py diff REV_A [REV_B] »: what a change does to the text a signatory reads.

Each revision's conventions/ and templates/ are exported from git (git archive) into a
temporary folder, then loaded, checked and assembled there with the current code. The
assembled texts are compared per document, word by word, so a reviewer sees the effect
of a change wherever it comes from: the document's own sources, or indirectly a shared
clause template, the registry or a data file (the changed files among the document's
dependencies are named). A signed document whose text would change is flagged: a
signed text only changes through an avenant (see ctg/checks/integrity.py).

Without REV_B, the work tree (with its uncommitted changes) is compared with REV_A.
"""

from __future__ import annotations

import difflib
import io
import os
import re
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..build.pipeline import assemble_checked, load_and_check
from ..core.diagnostics import Diagnostics
from ..core.document import AssembledDocument
from ..core.french import french_typography
from ..core.project import Project
from .review_report import DocReport, Excerpt, Review, Side, render_markdown, render_text

SOURCE_DIRS = ("conventions", "templates")
CONTEXT = 8  # words shown around a change
MAX_WORDS = 60  # longer additions or deletions are cut
WORKTREE = "arbre de travail"


fr = french_typography  # every line the user reads


class ReviewError(Exception):
    """A problem with git or the revisions (not with the sources): one French message."""


# ---------------------------------------------------------------- git


def _git(root: Path, *args: str, binary: bool = False):
    try:
        proc = subprocess.run(["git", *args], cwd=root, capture_output=True, timeout=300)
    except FileNotFoundError:
        raise ReviewError("git est introuvable ; installez-le pour comparer deux révisions.") from None
    if proc.returncode != 0:
        raise ReviewError(proc.stderr.decode("utf-8", "replace").strip() or f"git {' '.join(args)} a échoué.")
    return proc.stdout if binary else proc.stdout.decode("utf-8")


def resolve(root: Path, rev: str) -> str:
    try:
        return _git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").strip()
    except ReviewError:
        raise ReviewError(f"la révision « {rev} » est inconnue de git (branche, étiquette ou commit ; "
                          "une branche distante s'écrit « origin/main »).") from None


def _prefix(root: Path) -> str:
    """The project's folder inside the git repository (« » at the top, « sous/dossier/ » otherwise)."""
    try:
        return _git(root, "rev-parse", "--show-prefix").strip()
    except ReviewError:
        raise ReviewError(f"{root} n'est pas dans un dépôt git.") from None


def export(root: Path, sha: str, dest: Path) -> Path:
    """Write the revision's conventions/ and templates/ under dest; returns the project root there."""
    prefix = _prefix(root)
    paths = []
    for name in SOURCE_DIRS:
        try:
            _git(root, "cat-file", "-e", f"{sha}:{prefix}{name}")
            paths.append(f"{prefix}{name}")
        except ReviewError:
            pass  # absent at that revision: an empty corpus, or no clause library
    if paths:
        data = _git(root, "archive", "--format=tar", sha, "--", *paths, binary=True)
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            if hasattr(tarfile, "data_filter"):  # Python ≥ 3.11.4: refuse links and paths out of dest
                tar.extractall(dest, filter="data")
            else:
                tar.extractall(dest)  # noqa: S202 - git archive of our own repository
    project_root = dest / prefix
    (project_root / "conventions").mkdir(parents=True, exist_ok=True)
    return project_root


def changed_files(root: Path, sha_a: str, sha_b: str | None) -> set[str]:
    """Files of conventions/ and templates/ that differ (paths relative to the project root)."""
    revs = [sha_a] + ([sha_b] if sha_b else [])
    out = _git(root, "diff", "--name-only", "--no-renames", "--relative", *revs, "--", *SOURCE_DIRS)
    files = {line for line in out.splitlines() if line}
    if sha_b is None:
        untracked = _git(root, "ls-files", "--others", "--exclude-standard", "--", *SOURCE_DIRS)
        files |= {line for line in untracked.splitlines() if line}
    return files


# ---------------------------------------------------------------- one revision


def build_side(label: str, root: Path) -> Side:
    project = Project(root)
    diags = Diagnostics(root)
    try:
        corpus = load_and_check(project, diags)
        docs = {} if diags.errors else assemble_checked(project, corpus, diags)
    except Exception as exc:  # sources of an old revision the current code cannot read
        diags.error("conventions", 0, "revision-illisible", f"impossible d'assembler cette révision : {exc}")
        docs = {}
    if diags.errors:
        return Side(label, None, diags.sorted())
    return Side(label, docs, [])


# ---------------------------------------------------------------- readable text


@dataclass(frozen=True)
class Line:
    text: str
    heading: bool


_ATTRS = re.compile(r"\s*\{[#.][^}]*\}")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)(\{[^}]*\})?")
_LINK = re.compile(r"\[([^\]]*)\]\((?:#[^)]*)\)")
_TABLE_RULE = re.compile(r"^\|?[\s:|-]+\|?$")


def readable(markdown: str) -> list[Line]:
    """The text as read: no metadata block, layout divs, anchors or link targets; one entry per line."""
    lines = markdown.split("\n")
    if lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), 0)
        lines = lines[end + 1:]
    out = []
    for raw in lines:
        s = raw.strip()
        if not s or s.startswith(":::") or _TABLE_RULE.match(s):
            continue
        s = _LINK.sub(r"\1", _IMAGE.sub("", _ATTRS.sub("", s))).strip()
        heading = s.startswith("#")
        s = s.lstrip("#").strip() if heading else s
        if s:
            out.append(Line(s, heading))
    return out


# ---------------------------------------------------------------- comparison


def _cut(words: list[str]) -> str:
    if len(words) <= MAX_WORDS:
        return " ".join(words)
    return " ".join(words[:MAX_WORDS]) + f" … ({len(words)} mots)"


def word_excerpts(old: str, new: str, where: str) -> list[Excerpt]:
    a, b = old.split(), new.split()
    segments: list[list] = []  # ["=", words] or ["~", old words, new words]
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            segments.append(["=", a[i1:i2]])
        elif len(segments) >= 2 and segments[-1][0] == "=" and len(segments[-1][1]) <= 2 and segments[-2][0] == "~":
            # a word or two in common between two changes (« de », « la ») reads better inside the change
            common = segments.pop()[1]
            segments[-1][1] += common + a[i1:i2]
            segments[-1][2] += common + b[j1:j2]
        else:
            segments.append(["~", a[i1:i2], b[j1:j2]])
    pieces: list[tuple[str, list[str]]] = []
    for seg in segments:
        if seg[0] == "=":
            pieces.append(("=", seg[1]))
            continue
        if seg[1]:
            pieces.append(("-", seg[1]))
        if seg[2]:
            pieces.append(("+", seg[2]))
    excerpts: list[Excerpt] = []
    current: list[tuple[str, str]] = []
    for n, (kind, words) in enumerate(pieces):
        if kind != "=":
            current.append((kind, _cut(words)))
            continue
        first, last = n == 0, n == len(pieces) - 1
        if first:
            current.append(("=", ("… " if len(words) > CONTEXT else "") + " ".join(words[-CONTEXT:])))
        elif last:
            current.append(("=", " ".join(words[:CONTEXT]) + (" …" if len(words) > CONTEXT else "")))
        elif len(words) <= 2 * CONTEXT + 4:
            current.append(("=", " ".join(words)))
        else:
            current.append(("=", " ".join(words[:CONTEXT]) + " …"))
            excerpts.append(Excerpt(where, current))
            current = [("=", "… " + " ".join(words[-CONTEXT:]))]
    if any(k != "=" for k, _ in current):
        excerpts.append(Excerpt(where, current))
    return excerpts


def _heading_before(lines: list[Line], index: int) -> str:
    for line in reversed(lines[:index]):
        if line.heading:
            return line.text
    return "Début du document"


def compare_text(md_a: str, md_b: str) -> list[Excerpt]:
    a, b = readable(md_a), readable(md_b)
    ops = difflib.SequenceMatcher(None, [x.text for x in a], [x.text for x in b], autojunk=False).get_opcodes()
    out = []
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            continue
        # the heading above the change; a change starting with a heading is placed under it
        where = _heading_before(b, j1 + 1 if j2 > j1 and b[j1].heading else j1)
        old = " ".join(x.text for x in a[i1:i2])
        new = " ".join(x.text for x in b[j1:j2])
        out += word_excerpts(old, new, where)
    return out


def _own_text(path: str, doc: AssembledDocument) -> bool:
    """A Markdown file written for this very document (not a shared or parent file)."""
    if not path.endswith(".md") or path.startswith(("templates/", "conventions/_registre/")):
        return False
    return ("/avenants/" in path) == (doc.kind == "avenant")


def compare(side_a: Side, side_b: Side, changed: set[str]) -> list[DocReport]:
    docs_a, docs_b = side_a.docs or {}, side_b.docs or {}
    order = list(docs_a) + [i for i in docs_b if i not in docs_a]
    reports = []
    for ident in order:
        a, b = docs_a.get(ident), docs_b.get(ident)
        sources = sorted((set(a.sources) if a else set()) | (set(b.sources) if b else set()))
        touched = [s for s in sources if s in changed]
        ref = b or a
        indirect = bool(touched) and not any(_own_text(s, ref) for s in touched)
        if a is None:
            reports.append(DocReport(ident, "nouveau", None, b.status, touched, False))
        elif b is None:
            reports.append(DocReport(ident, "supprimé", a.status, None, touched, False))
        elif a.markdown == b.markdown:
            reports.append(DocReport(ident, "inchangé", a.status, b.status, touched, indirect))
        else:
            reports.append(DocReport(ident, "modifié", a.status, b.status, touched, indirect,
                                     compare_text(a.markdown, b.markdown)))
    return reports


# ---------------------------------------------------------------- command


def review(root: Path, rev_a: str, rev_b: str | None) -> Review:
    _prefix(root)  # inside a git repository?
    sha_a = resolve(root, rev_a)
    sha_b = resolve(root, rev_b) if rev_b else None
    changed = changed_files(root, sha_a, sha_b)
    with tempfile.TemporaryDirectory(prefix="ctg-diff-") as tmp:
        side_a = build_side(f"{rev_a} ({sha_a[:8]})", export(root, sha_a, Path(tmp) / "a"))
        if sha_b is None:
            side_b = build_side(WORKTREE, root)
        else:
            side_b = build_side(f"{rev_b} ({sha_b[:8]})", export(root, sha_b, Path(tmp) / "b"))
    reports = compare(side_a, side_b, changed) if side_a.docs is not None and side_b.docs is not None else []
    return Review(side_a, side_b, changed, reports)


def add_arguments(parser) -> None:
    parser.add_argument("rev_a", metavar="REV_A", help="révision de référence (branche, étiquette, commit), "
                                                       "par exemple la branche cible : origin/main")
    parser.add_argument("rev_b", metavar="REV_B", nargs="?",
                        help="révision proposée (par défaut : l'arbre de travail, modifications en cours comprises)")
    parser.add_argument("--format", choices=["texte", "markdown"], default="texte",
                        help="« markdown » : un relevé à joindre à une demande de fusion (par défaut : texte)")
    parser.add_argument("--sortie", type=Path, metavar="FICHIER", help="écrire le relevé dans ce fichier")
    parser.add_argument("--limite", type=int, metavar="N",
                        help="taille maximale du relevé Markdown, en caractères (commentaire de forge)")


def command(args, root: Path) -> int:
    try:
        result = review(root, args.rev_a, args.rev_b)
    except ReviewError as exc:
        print(fr(f"build.py diff : erreur : {exc}"), file=sys.stderr)
        return 2
    if args.format == "markdown":
        text = render_markdown(result, args.limite)
    else:
        color = args.sortie is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ
        text = render_text(result, color)
    if args.sortie:
        args.sortie.write_text(text, encoding="utf-8")
        print(fr(f"Relevé écrit dans {args.sortie}."))
    else:
        sys.stdout.write(text)
    if not result.valid:
        for side in (result.side_a, result.side_b):
            if side.docs is None:
                print(fr(f"build.py diff : erreur : les sources de {side.label} ne sont pas valides."), file=sys.stderr)
        return 1
    return 0
