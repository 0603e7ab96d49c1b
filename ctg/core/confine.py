"""What may be read into an output: files inside the project only, images that are images.

Nothing outside the project is ever read into an output (a symbolic link that leads out of it, a
link that loops, an image « ../../etc/passwd » or « /proc/self/environ »); an image is checked by
its content. Messages quote at most a short excerpt of what was read.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

EXCERPT = 60  # characters of a read value a message may quote


def excerpt(value: object, limit: int = EXCERPT) -> str:
    """A short, one-line excerpt of value for a message (never the whole of what was read)."""
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def escape_reason(path: Path, root: Path) -> str | None:
    """Why path may not be read as a source of the project at root (None: it may). A path that is
    not written under root is not judged here (the caller chose it)."""
    absolute = os.path.abspath(path)
    roots = {os.path.abspath(root), os.path.realpath(root)}
    if not any(_under(absolute, r) for r in roots):
        return None
    try:
        real = Path(path).resolve(strict=True)
    except RuntimeError:  # Python 3.11: « Symlink loop from … »
        return "lien symbolique en boucle"
    except OSError as exc:
        if exc.errno == 40:  # ELOOP
            return "lien symbolique en boucle"
        return None  # missing: reported by the reader
    if not _under(str(real), os.path.realpath(root)):
        return "lien symbolique qui mène hors du projet"
    return None


_SVG_FORBIDDEN = re.compile(rb"<!ENTITY|<!DOCTYPE|(?:href|src)\s*=\s*[\"'](?!#|data:)", re.I)


def image_kind(data: bytes) -> str | None:
    """« PNG », « JPEG », « GIF » or « SVG » from the first bytes, None for anything else (an SVG
    that points to other files or declares entities is not accepted)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "GIF"
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith((b"<?xml", b"<svg", b"<!--")) and b"<svg" in head and not _SVG_FORBIDDEN.search(data):
        return "SVG"
    return None


def image_problem(target: str, base: Path, allowed: tuple[Path, ...]) -> str | None:
    """Why the image target (as written in the text, relative to base, the writers' resource folder)
    may not be embedded: outside the allowed folders, a remote address, missing, not an image. None
    when it may."""
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target):
        return "une image doit être un fichier du projet, pas une adresse (« " + excerpt(target, 40) + " »)"
    candidate = Path(os.path.normpath(base / target))
    reals = [Path(os.path.realpath(folder)) for folder in allowed]
    if not any(_under(str(candidate), os.path.abspath(f)) for f in allowed):
        return "l'image est hors des dossiers d'images du projet"
    try:
        real = candidate.resolve(strict=True)
    except RuntimeError:
        return "lien symbolique en boucle"
    except OSError as exc:
        return "lien symbolique en boucle" if exc.errno == 40 else "le fichier d'image est introuvable"
    if not any(_under(str(real), str(r)) for r in reals):
        return "l'image est un lien symbolique qui mène hors du projet"
    if not real.is_file():
        return "le fichier d'image est introuvable"
    try:
        with open(real, "rb") as fh:
            head = fh.read(2048)
            data = head + fh.read() if b"<svg" in head else head
    except OSError:
        return "le fichier d'image est illisible"
    if image_kind(data) is None:
        return "le fichier n'est pas une image PNG, JPEG, GIF ou SVG (vérifié d'après son contenu)"
    return None
