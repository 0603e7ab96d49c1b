"""The Jinja environment: sandboxed, strict, with errors mapped to file:line in French."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from ..core.diagnostics import Diagnostics
from ..core.french import NNBSP


class ReferenceError_(Exception):
    """A cross-reference to an identifier the document does not have."""


def _cell(value: Any) -> str:
    """Make text safe inside a Markdown pipe-table cell."""
    return " ".join(str(value).split()).replace("|", "\\|")


def _number(n: int) -> str:
    """« 276 895 » with a narrow no-break space as thousands separator."""
    return f"{n:,}".replace(",", NNBSP)


def _agree(n: int, singular: str, plural: str | None = None) -> str:
    """« 1 thématique », « 3 thématiques »: a count with its noun agreed."""
    return f"{_number(n)} {singular if n < 2 else (plural or singular + 's')}"


class RecordingLoader(jinja2.FileSystemLoader):
    """Remembers which library templates were read: a document's dependencies (for the
    integrity check of signed texts and for incremental builds)."""

    def __init__(self, searchpath: str):
        super().__init__(searchpath)
        self.used: set[str] = set()

    def get_source(self, environment, template):
        source, filename, uptodate = super().get_source(environment, template)
        self.used.add(template)
        return source, filename, uptodate


class MemoryBytecodeCache(jinja2.BytecodeCache):
    """Compiled library templates kept for the process, keyed by name and source checksum: the
    assembler empties the environment's template cache for each document (to record what it
    includes), so without this every clause would be compiled again for every document."""

    def __init__(self):
        self._codes: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._codes.get(bucket.key + bucket.checksum)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._codes[bucket.key + bucket.checksum] = bucket.bytecode_to_string()


_BYTECODE = MemoryBytecodeCache()


def from_string(env: SandboxedEnvironment, source: str) -> jinja2.Template:
    """env.from_string, compiled once per source text and environment (articles are rendered again
    for every consolidated version of a convention)."""
    codes = env.__dict__.setdefault("_ctg_codes", {})
    code = codes.get(source)
    if code is None:
        code = codes[source] = env.compile(source)
    return env.template_class.from_code(env, code, env.make_globals(None))


def make_environment(templates: Path) -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        bytecode_cache=_BYTECODE,
        loader=RecordingLoader(str(templates)),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=False,
    )
    env.filters["cellule"] = _cell
    env.globals["nombre"] = _number
    env.globals["accord"] = _agree
    return env


def _template_line(exc: BaseException, filename: str, first: bool = False) -> int | None:
    """Line in the template where exc happened, from Jinja's rewritten traceback
    (the innermost frame of that template, or the outermost one with first=True)."""
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
            if first:
                return line
        tb = tb.tb_next
    return line


def render(env: SandboxedEnvironment, diags: Diagnostics, context: dict, *, source: str | None = None,
           template: str | None = None, path: Path, first_line: int = 1) -> str | None:
    """Render source text (written in path from first_line on) or a library template.

    Every failure becomes a diagnostic at the right file and line; returns None then.
    """
    filename = "<template>"
    try:
        if template is not None:
            tpl = env.get_template(template)
            filename = tpl.filename or template
            first_line = 1
        else:
            tpl = from_string(env, source or "")
        return tpl.render(context)
    except jinja2.TemplateSyntaxError as exc:
        where, line = _syntax_location(exc, path, first_line, env)
        diags.error(where, line, "jinja-syntaxe", f"syntaxe de gabarit invalide : {_french_syntax(exc.message)}.")
    except jinja2.TemplateNotFound as exc:
        line = _template_line(exc, filename)
        diags.error(path, _abs(line, first_line), "inclusion-introuvable",
                    f"la clause « {exc.name} » est introuvable dans le dossier templates/ "
                    "(les chemins sont relatifs à templates/ et ne peuvent pas en sortir).")
    except jinja2.UndefinedError as exc:
        line = _template_line(exc, filename)
        diags.error(path, _abs(line, first_line), "variable-indefinie",
                    f"variable ou attribut inconnu : {_french_undefined(exc.message)} ; vérifiez l'orthographe "
                    "(variables disponibles : voir le guide de rédaction).")
    except SecurityError as exc:
        line = _template_line(exc, filename)
        diags.error(path, _abs(line, first_line), "gabarit-interdit",
                    f"opération interdite dans un gabarit ({_french_security(str(exc))}) ; seules les variables "
                    "documentées sont utilisables.")
    except ReferenceError_ as exc:
        line = _template_line(exc, filename)
        diags.error(path, _abs(line, first_line), "reference-inconnue", str(exc))
    except RecursionError as exc:
        line = _template_line(exc, filename, first=True)
        diags.error(path, _abs(line, first_line), "inclusion-circulaire",
                    "inclusion circulaire : une clause s'inclut elle-même, directement ou par une autre clause.")
    except (TypeError, ValueError, AttributeError, ZeroDivisionError) as exc:
        line = _template_line(exc, filename)
        diags.error(path, _abs(line, first_line), "gabarit-erreur", f"erreur dans le gabarit : {exc}.")
    return None


def _abs(line: int | None, first_line: int) -> int:
    return first_line + (line or 1) - 1


def _syntax_location(exc: jinja2.TemplateSyntaxError, path: Path, first_line: int, env) -> tuple[Path, int]:
    if exc.filename and exc.name:
        return Path(exc.filename), exc.lineno
    return path, _abs(exc.lineno, first_line)


_SYNTAX = {
    "unexpected end of template": "fin de texte inattendue (une balise « {% … %} » n'est pas fermée ?)",
    "unexpected '}'": "accolade fermante inattendue",
    "expected token": "jeton attendu",
    "Encountered unknown tag": "balise inconnue",
    "unexpected char": "caractère inattendu",
}


def _french_syntax(message: str | None) -> str:
    message = message or ""
    for en, fr in _SYNTAX.items():
        if message.startswith(en):
            return f"{fr} ({message})"
    return message


def _french_security(message: str) -> str:
    m = re.match(r"access to attribute '([^']+)' of '([^']+)' object is unsafe", message)
    if m:
        return f"accès à l'attribut « {m.group(1)} » d'un objet « {m.group(2)} »"
    return message


def _french_undefined(message: str | None) -> str:
    message = message or ""
    if message.startswith("'") and message.endswith("is undefined"):
        return f"« {message.split(chr(39))[1]} » n'est pas défini"
    return message
