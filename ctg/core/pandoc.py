"""Every call to pandoc goes through here (pypandoc-binary ships the executable).

The assembled Markdown is parsed once into pandoc's JSON AST; each writer
transforms its own copy of the AST and asks pandoc for its format.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

import pypandoc

READER = "markdown+fenced_divs+bracketed_spans+pipe_tables+footnotes+header_attributes-smart"


class PandocError(RuntimeError):
    pass


@lru_cache(maxsize=1)
def executable() -> str:
    return pypandoc.get_pandoc_path()


@lru_cache(maxsize=1)
def version() -> str:
    return pypandoc.get_pandoc_version()


DELAY = "CTG_PANDOC_DELAI"  # seconds a pandoc call may take (300 by default): a bound, whatever the text


def _run(args: list[str], data: bytes, cwd: Path | None = None) -> bytes:
    env = dict(os.environ, LC_ALL="C.UTF-8")
    delay = float(os.environ.get(DELAY) or 300)
    try:
        proc = subprocess.run([executable(), *args], input=data, capture_output=True, cwd=cwd, env=env,
                              timeout=delay)
    except subprocess.TimeoutExpired:
        raise PandocError(f"pandoc n'a pas fini en {delay:g} s : un texte est trop complexe pour être mis en "
                          "page (crochets, listes ou citations imbriqués ?) ; simplifiez-le") from None
    if proc.returncode != 0:
        raise PandocError(proc.stderr.decode("utf-8", "replace"))
    return proc.stdout


# Content-addressed memo of pure calls (no file arguments): .cache/pandoc/, set by ctg/build/cache.py.
_memo: Path | None = None


def use_memo(folder: Path | None) -> None:
    global _memo
    _memo = folder


def _memoized(args: list[str], data: bytes) -> bytes:
    if _memo is None:
        return _run(args, data)
    key = hashlib.sha256(json.dumps([version(), args]).encode("utf-8") + b"\0" + data).hexdigest()
    path = _memo / key[:2] / key
    try:
        return path.read_bytes()
    except OSError:
        pass
    out = _run(args, data)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=path.parent)
    with os.fdopen(fd, "wb") as fh:
        fh.write(out)
    os.replace(tmp, path)
    return out


def to_ast(markdown: str) -> dict:
    out = _memoized(["-f", READER, "-t", "json"], markdown.encode("utf-8"))
    return json.loads(out)


class UnsafeImage(PandocError):
    """An image of the text that is not a file of the resource folder, or not an image."""


def _images(node) -> list[str]:
    if isinstance(node, dict):
        if node.get("t") == "Image":
            return [node["c"][2][0]]
        return _images(node.get("c"))
    if isinstance(node, list):
        return [target for item in node for target in _images(item)]
    return []


def check_images(ast: dict, resources: Path) -> None:
    """Last guard before pandoc reads files: every image is a file of resources, and an image."""
    from .confine import excerpt, image_problem

    for target in dict.fromkeys(_images(ast.get("blocks", []))):
        problem = image_problem(target, resources, (resources,))
        if problem is not None:
            raise UnsafeImage(f"image « {excerpt(target)} » refusée : {problem}.")


def from_ast(ast: dict, fmt: str, args: list[str] | None = None, cwd: Path | None = None) -> bytes:
    if cwd is not None or "--resource-path" in (args or []):  # pandoc may read the images it cites
        check_images(ast, cwd or Path.cwd())
    command = ["-f", "json", "-t", fmt, "--wrap=none", *(args or []), "-o", "-"]
    data = json.dumps(ast).encode("utf-8")
    if not args and cwd is None:  # no file read: a pure function of the AST
        return _memoized(command, data)
    return _run(command, data, cwd)
