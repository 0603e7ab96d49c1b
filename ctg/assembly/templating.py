"""The Jinja environment: sandboxed, strict, with errors mapped to file:line in French."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from ..core.diagnostics import Diagnostics
from ..core.french import number_fr


class ReferenceError_(Exception):
    """A cross-reference to an identifier the document does not have."""


def _cell(value: Any) -> str:
    """Make text safe inside a Markdown pipe-table cell."""
    return " ".join(str(value).split()).replace("|", "\\|")


def _agree(n: int, singular: str, plural: str | None = None) -> str:
    """« 1 thématique », « 3 thématiques »: a count with its noun agreed."""
    return f"{number_fr(n)} {singular if n < 2 else (plural or singular + 's')}"


class OutsideTemplate(Exception):
    """A library template that is a symbolic link leading out of templates/, or looping."""

    def __init__(self, name: str, filename: str, reason: str):
        super().__init__(name)
        self.name, self.filename, self.reason = name, filename, reason


class Bounded(Exception):
    """A template asked for more than a document needs (a huge loop, a huge text): stopped."""


MAX_RANGE = 10_000  # items of one range()
MAX_RANGE_TOTAL = 200_000  # items of all the range() of one rendering
MAX_TEXT = 1_000_000  # characters of a text made by « * » or a filter
MAX_OUTPUT = 20_000_000  # characters of one rendering


class RecordingLoader(jinja2.FileSystemLoader):
    """Remembers which library templates were read: a document's dependencies (for the
    integrity check of signed texts and for incremental builds). A template that is a symbolic
    link out of templates/ (or a loop) is refused: nothing outside the project is included."""

    def __init__(self, searchpath: str):
        super().__init__(searchpath)
        self.used: set[str] = set()

    def get_source(self, environment, template):
        source, filename, uptodate = super().get_source(environment, template)
        root = os.path.realpath(self.searchpath[0])
        try:
            real = str(Path(filename).resolve(strict=True))
        except (RuntimeError, OSError):
            raise OutsideTemplate(template, filename, "lien symbolique en boucle") from None
        if not real.startswith(root.rstrip(os.sep) + os.sep):
            raise OutsideTemplate(template, filename, "lien symbolique qui mène hors du dossier templates/")
        self.used.add(template)
        return source, filename, uptodate


class _BoundedSandbox(SandboxedEnvironment):
    """The sandbox with bounded loops and texts: a template stops within a second, memory bounded."""

    intercepted_binops = frozenset(["*", "**", "%"])

    def call_binop(self, context, operator, left, right):
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(n, int) and len(seq) * n > MAX_TEXT:
                    raise Bounded(f"texte ou liste de plus de {number_fr(MAX_TEXT)} éléments")
        if operator == "**" and isinstance(left, int) and isinstance(right, int) and \
                right > 0 and abs(left) > 1 and right * abs(left).bit_length() > 4096:
            raise Bounded("nombre démesuré")
        if operator == "%" and isinstance(left, str) and re.search(r"%[-+ #0]*\d{5,}", left):
            raise Bounded("largeur de format démesurée")
        return super().call_binop(context, operator, left, right)


def _bounded_range(env: SandboxedEnvironment):
    def bounded(*args: int) -> range:
        items = range(*args)
        budget = env.__dict__.get("_ctg_range_budget", MAX_RANGE_TOTAL)
        if len(items) > MAX_RANGE or len(items) > budget:
            raise Bounded(f"boucle de plus de {number_fr(MAX_RANGE)} tours" if len(items) > MAX_RANGE
                          else f"plus de {number_fr(MAX_RANGE_TOTAL)} tours de boucle en tout")
        env.__dict__["_ctg_range_budget"] = budget - len(items)
        return items

    return bounded


def _bounded_filter(filt, name: str):
    def bounded(*args, **kwargs):
        if any(isinstance(v, int) and v > MAX_TEXT for v in (*args[1:], *kwargs.values())):
            raise Bounded("largeur démesurée")
        if name == "format" and args and isinstance(args[0], str) and re.search(r"%[-+ #0]*\d{5,}", args[0]):
            raise Bounded("largeur de format démesurée")
        return filt(*args, **kwargs)

    return bounded


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
    env = _BoundedSandbox(
        bytecode_cache=_BYTECODE,
        loader=RecordingLoader(str(templates)),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=False,
    )
    env.filters["cellule"] = _cell
    env.globals["nombre"] = number_fr
    env.globals["accord"] = _agree
    env.globals["range"] = _bounded_range(env)
    for name in ("center", "indent", "wordwrap", "truncate", "format", "batch", "slice"):
        env.filters[name] = _bounded_filter(env.filters[name], name)
    return env


def _render_bounded(env: SandboxedEnvironment, tpl: jinja2.Template, context: dict) -> str:
    """tpl.render, stopped once the text passes MAX_OUTPUT characters (a loop that writes forever)."""
    env.__dict__["_ctg_range_budget"] = MAX_RANGE_TOTAL
    out, size = [], 0
    for chunk in tpl.generate(context):
        size += len(chunk)
        if size > MAX_OUTPUT:
            raise Bounded(f"texte produit de plus de {MAX_OUTPUT // 1_000_000} millions de caractères")
        out.append(chunk)
    return "".join(out)


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
        tpl = _compile(env, template, source)
        if template is not None:
            filename, first_line = tpl.filename or template, 1
        return _render_bounded(env, tpl, context)
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
    except OutsideTemplate as exc:
        diags.error(exc.filename, 0, "lien-interdit",
                    f"la clause « {exc.name} » est un {exc.reason} ; une clause doit être un fichier du "
                    "projet : remplacez le lien par le fichier.")
    except Bounded as exc:
        line = getattr(exc, "line", None) or _template_line(exc, filename)
        diags.error(path, _abs(line, first_line), "gabarit-demesure",
                    f"gabarit arrêté : {exc} ; un texte de convention n'en a jamais besoin.")
    except (OverflowError, MemoryError) as exc:
        line = _template_line(exc, filename)
        diags.error(path, _abs(line, first_line), "gabarit-demesure",
                    "gabarit arrêté : calcul démesuré ; un texte de convention n'en a jamais besoin.")
    except RecursionError as exc:
        line = _template_line(exc, filename, first=True)
        diags.error(path, _abs(line, first_line), "inclusion-circulaire",
                    "inclusion circulaire : une clause s'inclut elle-même, directement ou par une autre clause.")
    except (TypeError, ValueError, AttributeError, ZeroDivisionError) as exc:
        line = _template_line(exc, filename)
        diags.error(path, _abs(line, first_line), "gabarit-erreur", f"erreur dans le gabarit : {exc}.")
    return None


def _compile(env: SandboxedEnvironment, template: str | None, source: str | None) -> jinja2.Template:
    try:
        return env.get_template(template) if template is not None else from_string(env, source or "")
    except RecursionError:  # Jinja's parser recurses on each bracket or parenthesis
        text = source if template is None else env.loader.get_source(env, template)[0]
        nested = Bounded("expression imbriquée sur trop de niveaux (crochets, parenthèses)")
        nested.line = _most_nested_line(text or "")  # type: ignore[attr-defined]
        raise nested from None


def _most_nested_line(text: str) -> int:
    """Line (from 1) of text with the most brackets and parentheses: where a nesting is too deep."""
    counts = [sum(line.count(c) for c in "[({") for line in text.split("\n")]
    return counts.index(max(counts)) + 1 if counts else 1


def _abs(line: int | None, first_line: int) -> int:
    return first_line + (line or 1) - 1


def _syntax_location(exc: jinja2.TemplateSyntaxError, path: Path, first_line: int, env) -> tuple[Path, int]:
    if exc.filename and exc.name:
        return Path(exc.filename), exc.lineno
    return path, _abs(exc.lineno, first_line)


_TOKENS = {"end of print statement": "la fin de « }} »", "end of statement block": "la fin de « %} »",
           "name": "un nom", "end of template": "la fin du texte"}


def _token(text: str) -> str:
    return _TOKENS.get(text, f"« {text} »")


_SYNTAX = [  # Jinja's English messages, in French with the names they quote
    (r"(?i)unexpected end of template.*the innermost block that needs to be closed is '(\w+)'",
     lambda m: f"fin de texte inattendue : la balise « {{% {m[1]} %}} » n'est jamais fermée "
               f"(« {{% end{m[1]} %}} » attendu)"),
    (r"(?i)unexpected end of template", lambda m: "fin de texte inattendue (une balise « {% … %} » n'est pas fermée ?)"),
    (r"Encountered unknown tag '(\w+)'", lambda m: f"balise inconnue « {m[1]} »"),
    (r"expected token '([^']+)', got '([^']+)'", lambda m: f"trouvé {_token(m[2])} à la place de {_token(m[1])}"),
    (r"Expected an expression, got '([^']+)'", lambda m: f"une expression était attendue avant {_token(m[1])}"),
    (r"unexpected '(.)', expected '(.)'", lambda m: f"« {m[1]} » inattendu, « {m[2]} » attendu"),
    (r"unexpected '(.)'", lambda m: f"« {m[1]} » inattendu (accolade ou parenthèse mal fermée ?)"),
    (r"unexpected char (.)(.)\1", lambda m: f"caractère « {m[2]} » inattendu (guillemet non fermé ?)"
     if m[2] in "'\"" else f"caractère « {m[2]} » inattendu"),
    (r"tag name expected", lambda m: "nom de balise attendu après « {% »"),
]


def _french_syntax(message: str | None) -> str:
    message = message or ""
    for pattern, french in _SYNTAX:
        m = re.search(pattern, message)
        if m:
            return french(m)
    return "construction non reconnue (voir les balises permises dans le guide de rédaction)"


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
