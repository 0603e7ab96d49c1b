"""Every call to pandoc goes through here (pypandoc-binary ships the executable).

The assembled Markdown is parsed once into pandoc's JSON AST; each writer
transforms its own copy of the AST and asks pandoc for its format.
"""

from __future__ import annotations

import json
import os
import subprocess
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


def _run(args: list[str], data: bytes, cwd: Path | None = None) -> bytes:
    env = dict(os.environ, LC_ALL="C.UTF-8")
    proc = subprocess.run([executable(), *args], input=data, capture_output=True, cwd=cwd, env=env)
    if proc.returncode != 0:
        raise PandocError(proc.stderr.decode("utf-8", "replace"))
    return proc.stdout


def to_ast(markdown: str) -> dict:
    out = _run(["-f", READER, "-t", "json"], markdown.encode("utf-8"))
    return json.loads(out)


def from_ast(ast: dict, fmt: str, args: list[str] | None = None, cwd: Path | None = None) -> bytes:
    return _run(["-f", "json", "-t", fmt, "--wrap=none", *(args or []), "-o", "-"],
                json.dumps(ast).encode("utf-8"), cwd)
