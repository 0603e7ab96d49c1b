"""Content-hash cache of built outputs (.cache/ at the project root, ignored by git).

An output is found again only under a key that hashes everything it depends on:

- the document itself: its assembled Markdown and every field a writer reads
  (title, signatories, annexes…). The assembled text embeds its sources, the
  registry entries and the clause templates it includes, so a change to any of
  them changes the key; files the text only points to (logos, images) are
  hashed by content as well;
- the writers' own input: templates/reference.docx (the PDF is LibreOffice's
  export of the DOCX);
- the toolchain: versions of pandoc, LibreOffice, python-docx, pikepdf and
  pyHanko, a hash of the project's own code (ctg/), and the environment
  variables that change outputs (SOURCE_DATE_EPOCH).

Entries are immutable files named by their key; a stale entry can only be
unused, never wrong. « --force » ignores the cache (and refills it).

Before that, a run stamp short-cuts a rebuild in which nothing changed at all
(no-op): the hash of every input file, the toolchain and the command line,
plus the size and modification time of every file the previous run wrote. If
all match, nothing needs to be loaded, assembled or rebuilt.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import pickle
import re
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

CODE_ROOT = Path(__file__).resolve().parents[1]  # ctg/
FOLDER = ".cache"
VERSION = "1"  # bump when the layout of keys or entries changes
ENV_OUTPUTS = ("SOURCE_DATE_EPOCH",)


def sha256(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def hash_files(paths: list[Path], base: Path) -> str:
    """Relative path and content of each file; a symbolic link by its target too, and never by the
    content of what lies outside base or loops (the checks refuse those)."""
    from ..core.confine import escape_reason

    h = hashlib.sha256()
    for path in sorted(paths):
        h.update(path.relative_to(base).as_posix().encode("utf-8") + b"\0")
        if path.is_symlink():
            h.update(b"-> " + os.readlink(path).encode("utf-8", "surrogateescape") + b"\0")
            if escape_reason(path, base) is not None:
                h.update(b"<hors-projet>\0")
                continue
        try:
            h.update(path.read_bytes() if path.is_file() else b"<absent>")
        except OSError:
            h.update(b"<illisible>")
        h.update(b"\0")
    return h.hexdigest()


def hash_tree(folder: Path) -> str:
    """Every file under folder, by relative path and content (« <absent> » for no folder)."""
    if not folder.is_dir():
        return sha256("<absent>")
    return hash_files([p for p in folder.rglob("*") if p.is_file()], folder)


# ------------------------------------------------------------------ toolchain


@lru_cache(maxsize=1)
def code_hash() -> str:
    """Every source file of the project's own code (writers, assembly, the UNO helper…)."""
    return hash_files([p for p in CODE_ROOT.rglob("*") if p.is_file() and p.suffix in (".py", ".html", ".j2", ".typ")
                        and "__pycache__" not in p.parts], CODE_ROOT)


def _package_version(name: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "absent"


@lru_cache(maxsize=1)
def libreoffice_version() -> str:
    """LibreOffice's identity without starting it: its versionrc and the date of its main library."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        return "absent"
    program = Path(os.path.realpath(exe)).parent
    parts = [str(program)]
    rc = program / "versionrc"
    if rc.is_file():
        parts.append(rc.read_text(encoding="utf-8", errors="replace"))
    for lib in ("libmergedlo.so", "libswlo.so"):
        if (program / lib).is_file():
            st = (program / lib).stat()
            parts.append(f"{lib}:{st.st_size}:{st.st_mtime_ns}")
    return sha256("\n".join(parts))


def file_identity(path: str | None) -> str:
    if not path:
        return "absent"
    try:
        real = os.path.realpath(path)
        st = os.stat(real)
    except OSError:
        return f"{path}:absent"
    return f"{real}:{st.st_size}:{st.st_mtime_ns}"


@lru_cache(maxsize=1)
def pandoc_identity() -> str:
    """Which pandoc pypandoc may pick (its own binary, $PYPANDOC_PANDOC or the one on PATH), without
    running it: a no-op rebuild starts no external program."""
    import importlib.util

    spec = importlib.util.find_spec("pypandoc")
    bundled = Path(spec.origin).parent / "files" / "pandoc" if spec and spec.origin else None
    return sha256("\n".join([_package_version("pypandoc_binary"), _package_version("pypandoc"),
                             file_identity(str(bundled) if bundled else None),
                             file_identity(os.environ.get("PYPANDOC_PANDOC")),
                             file_identity(shutil.which("pandoc"))]))


@lru_cache(maxsize=1)
def toolchain() -> dict[str, str]:
    return {
        "cache": VERSION,
        "pandoc": pandoc_identity(),
        "pikepdf": _package_version("pikepdf"),
        "python-docx": _package_version("python-docx"),
        "pyhanko": _package_version("pyhanko"),
        "libreoffice": libreoffice_version(),
        "code": code_hash(),
    }


def environment() -> dict[str, str]:
    return {name: os.environ.get(name, "") for name in ENV_OUTPUTS}


# ------------------------------------------------------------------ output keys

_TARGET = re.compile(r"!\[[^\]]*\]\(<?([^)\s>]+)")  # image targets in the assembled Markdown


def resource_files(markdown: str, resources: tuple[Path, ...]) -> list[Path]:
    """Files an image of the text points to (a logo's bytes are not in the text, only its name)."""
    from ..core.confine import image_problem

    out = []
    for target in sorted(set(_TARGET.findall(markdown))):
        for folder in resources:  # only images of the project are read (the checks refused the others)
            if image_problem(target, folder, (folder,)) is None:
                out.append(folder / target)
                break
    return out


def document_fingerprint(doc, resources: tuple[Path, ...]) -> str:
    """The assembled document as a writer sees it (everything but the list of its source files)."""
    fields = {k: v for k, v in dataclasses.asdict(doc).items() if k != "sources"}
    h = hashlib.sha256(json.dumps(fields, sort_keys=True, default=str, ensure_ascii=False).encode("utf-8"))
    images = doc.markdown + "".join(f"![]({logo})" for logo in doc.logos)  # the cover's logos too
    for path in resource_files(images, resources):
        h.update(b"\0resource\0" + str(path).encode("utf-8") + b"\0" + sha256(path.read_bytes()).encode("ascii"))
    return h.hexdigest()


def writer_inputs(templates: Path) -> dict[str, str]:
    """The files each writer reads besides the document (the PDF is exported from the DOCX)."""
    reference = hash_files([templates / "reference.docx"], templates)
    return {"docx": reference, "pdf": reference}


class OutputKeys:
    """Keys of the outputs of one build, computed once per run."""

    def __init__(self, templates: Path, resources: tuple[Path, ...]):
        self.resources = resources
        self.common = sha256(json.dumps([toolchain(), environment(), writer_inputs(templates)], sort_keys=True))

    def key(self, doc, fmt: str, variant: str = "") -> str:
        return self.keyed(document_fingerprint(doc, self.resources), fmt, variant)

    def keyed(self, fingerprint: str, fmt: str, variant: str = "") -> str:
        """The key of an output whose own inputs hash to fingerprint (a document, a dossier)."""
        return sha256(f"{self.common}\0{fmt}\0{variant}\0{fingerprint}")


# ------------------------------------------------------------------ store


class Store:
    """Immutable entries .cache/outputs/<2 hex>/<key>.<ext>, written atomically."""

    def __init__(self, root: Path, enabled: bool = True):
        self.folder = root / FOLDER / "outputs"
        self.enabled = enabled
        self.fresh: set[tuple[str, str]] = set()  # built by this run: valid even when the cache is not read

    def path(self, key: str, ext: str) -> Path:
        return self.folder / key[:2] / f"{key}.{ext}"

    def has(self, key: str, ext: str) -> bool:
        return (self.enabled or (key, ext) in self.fresh) and self.path(key, ext).is_file()

    def get(self, key: str, ext: str) -> bytes | None:
        if not self.enabled:
            return None
        try:
            return self.path(key, ext).read_bytes()
        except OSError:
            return None

    def put(self, key: str, ext: str, data: bytes) -> None:
        write_atomic(self.path(key, ext), data)


def write_atomic(path: Path, data: bytes) -> None:
    """Write path whole or not at all (a temporary file beside it, then a rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_pickle(path: Path):
    """An entry pickled by write_pickle, or None when it is missing or unreadable (then rebuilt)."""
    try:
        with open(path, "rb") as fh:
            return pickle.load(fh)  # noqa: S301 - written by this program in the project's .cache/
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        return None


def write_pickle(path: Path, value) -> None:
    write_atomic(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


# ------------------------------------------------------------------ run stamp (no-op)

STAMP_INPUTS = ("conventions", "templates", "docs", "site_overrides", "mkdocs.yml")


def input_files(root: Path) -> list[Path]:
    """Every file the run may read, as « check » sees them (input_names)."""
    return [Path(name) for name in input_names(root)]


def input_names(root: Path, links: list[str] | None = None) -> list[str]:
    """Every file the run may read, as « check » sees them: through symbolic links to folders (each
    real folder once, so a loop ends), links that lead out or loop listed (by their target only).
    links: receives the folders reached through a symbolic link, and the links to files.
    Paths as strings: at national scale this walk meets some 40,000 files at every command."""
    out: list[str] = []
    for name in STAMP_INPUTS:
        path = root / name
        if path.is_file() or path.is_symlink() and not path.is_dir():
            out.append(str(path))
            if links is not None and path.is_symlink():
                links.append(str(path))
        elif path.is_dir():
            out += _walk_links(str(path), str(root), links)
    return out


def _walk_links(folder: str, root: str, links: list[str] | None) -> list[str]:
    from ..core.confine import escape_reason

    out: list[str] = []
    seen: set[str] = set()
    inside = os.path.realpath(root) + os.sep

    def visit(current: str, expected: str, linked: bool) -> None:
        # expected: the real path when no symbolic link leads here (then none is resolved)
        real = os.path.realpath(current) if linked else expected
        if links is not None and real != expected:
            links.append(current)
        if real in seen or (current != folder and not (real + os.sep).startswith(inside)
                            and escape_reason(Path(current), Path(root)) is not None):
            out.append(current)  # a loop or a link out of the project: hashed by its target, not walked
            return
        seen.add(real)
        try:
            entries = list(os.scandir(current))
        except OSError:
            return
        folders = []
        for entry in entries:
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                if entry.name != "__pycache__":
                    folders.append(entry)
                continue
            out.append(entry.path)
            if links is not None and entry.is_symlink():
                links.append(entry.path)
        for entry in folders:
            visit(entry.path, os.path.join(expected, entry.name), linked or entry.is_symlink())

    visit(folder, os.path.realpath(folder), False)
    return out


def run_key(root: Path, command: dict) -> str:
    """Everything a whole run reads: input files, toolchain, environment, command line."""
    env = {k: v for k, v in os.environ.items() if k.startswith("CTG_")} | environment()
    h = hashlib.sha256(json.dumps([toolchain(), env, command], sort_keys=True).encode("utf-8"))
    h.update(hash_files(input_files(root), root).encode("ascii"))
    if (CODE_ROOT.parent / "mkdocs.yml").is_file():
        h.update(sha256((CODE_ROOT.parent / "mkdocs.yml").read_bytes()).encode("ascii"))
    return h.hexdigest()


def _tree_state(root: Path, folders: list[str]) -> dict[str, list[int]]:
    state = {}
    for name in folders:
        folder = root / name
        if folder.is_dir():
            for p in folder.rglob("*"):
                if p.is_file():
                    st = p.stat()
                    state[p.relative_to(root).as_posix()] = [st.st_size, st.st_mtime_ns]
    return state


def _stamp_path(root: Path, command: dict) -> Path:
    return root / FOLDER / "runs" / f"{sha256(json.dumps(command, sort_keys=True))[:16]}.json"


def up_to_date(root: Path, command: dict, folders: list[str], key: str) -> bool:
    """True when the last successful run of this command had the same inputs and its outputs are untouched."""
    try:
        stamp = json.loads(_stamp_path(root, command).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return stamp.get("key") == key and stamp.get("outputs") == _tree_state(root, folders) and bool(stamp["outputs"])


def record_run(root: Path, command: dict, folders: list[str], key: str) -> None:
    path = _stamp_path(root, command)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.dumps({"key": key, "outputs": _tree_state(root, folders)}, sort_keys=True)
    fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(data)
    os.replace(tmp, path)
