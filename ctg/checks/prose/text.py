"""A source file as lines of prose: what is not prose is blanked out, columns are kept.

Masked (replaced by spaces, so that a finding keeps the author's line and column):
fenced and inline code, Jinja expressions and blocks, HTML comments and tags, URLs,
link targets, heading attributes {#id …}, footnote marks, and the front matter except
the keys that are prose (titre, titre_court, visas). Exceptions are read from the
comments before they are masked: « <!-- ctg: ignorer RULE : reason --> » (or
« # ctg: ignorer RULE : reason » in YAML) silences RULE on its own line and the next one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

_MASKED = re.compile(
    r"```.*?(?:```|\Z)|~~~.*?(?:~~~|\Z)"  # fenced code
    r"|\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}"  # Jinja
    r"|<!--.*?-->"  # HTML comments (exceptions are read before)
    r"|`[^`\n]*`"  # inline code
    r"|<[a-zA-Z/][^>\n]*>"  # HTML tags
    r"|https?://[^\s)>\]]+|www\.[^\s)>\]]+|[\w.+-]+@[\w-]+\.[\w.-]+"  # URLs, e-mail addresses
    r"|(?<![\w@.])[\w-]+(?:\.[\w-]+)*\.(?:fr|com|org|net|eu|info)(?![\w-]|\.\w)(?:/[^\s)>\]]*)?"  # « monenfant.fr »
    r"|\]\([^)\n]*\)"  # link targets
    r"|\{[#.][^}\n]*\}"  # heading and span attributes
    r"|\[\^[^\]\n]*\]",  # footnote marks
    re.S)
_EXCEPTION = re.compile(r"(?:<!--|#)\s*ctg\s*:\s*ignorer\s+([\w\-, ]+?)\s*(?::\s*(.*?))?\s*(?:-->|$)", re.I)
_PROSE_KEYS = re.compile(r"^(titre|titre_court)\s*:\s*(.*)$")
_LIST_ITEM = re.compile(r"^\s+-\s+(.*)$")


@dataclass(frozen=True)
class Finding:
    """What a rule found: line and column are 1-based, in the source file."""

    rule: str
    line: int
    column: int
    message: str
    error: bool = False  # an error by nature (a typed fact that is wrong), else a warning


@dataclass
class Exception_:
    line: int
    column: int
    rules: tuple[str, ...]
    reason: str


@dataclass
class Unit:
    """One source file to lint: its masked lines and the document it belongs to (or None)."""

    path: Path
    lines: list[str]
    doc: object | None = None  # DocFacts of the document, None for registry and shared data
    exceptions: list[Exception_] = field(default_factory=list)
    markdown: bool = True
    head: int = 0  # lines of front matter
    prose_only: bool = False  # the prose fields of a YAML file: every rule but blanks
    owns_exceptions: bool = True  # False: another unit of the same file reports its exceptions
    variables: bool = True  # the text may use the template variables (False: YAML fields, délibérations)
    group: str = ""  # the document the file belongs to (one spelling of each name in a document)

    def numbered(self):
        for i, line in enumerate(self.lines, start=1):
            if line.strip():
                yield i, line


def blank(match: re.Match) -> str:
    return re.sub(r"[^\n]", " ", match.group(0))


def mask(text: str) -> str:
    return _MASKED.sub(blank, text)


def read_exceptions(lines: list[str]) -> list[Exception_]:
    found = []
    for i, line in enumerate(lines, start=1):
        for m in _EXCEPTION.finditer(line):
            rules = tuple(r.strip().lower() for r in m.group(1).split(",") if r.strip())
            found.append(Exception_(i, m.start() + 1, rules, (m.group(2) or "").strip()))
    return found


def front_matter_end(lines: list[str]) -> int:
    """Number of lines of the front matter (0 when the file has none), fences included."""
    if not lines or lines[0].strip() != "---":
        return 0
    for i in range(1, len(lines)):
        if lines[i].strip() in ("---", "..."):
            return i + 1
    return 0


def _front_matter_prose(lines: list[str]) -> list[str]:
    """Keep only the values of titre, titre_court and the items of visas, in place."""
    out, in_visas = [], False
    for line in lines:
        kept = " " * len(line)
        m = _PROSE_KEYS.match(line)
        if m:
            kept = " " * m.start(2) + m.group(2)
        elif in_visas and _LIST_ITEM.match(line):
            item = _LIST_ITEM.match(line)
            kept = " " * item.start(1) + item.group(1)
        if line and not line[0].isspace():
            in_visas = line.startswith("visas:")
        out.append(kept)
    return out


def markdown_unit(path: Path, text: str, doc=None) -> Unit:
    lines = text.split("\n")
    exceptions = read_exceptions(lines)
    end = front_matter_end(lines)
    head = _front_matter_prose(lines[:end]) if end else []
    body = mask("\n".join(lines[end:])).split("\n") if end < len(lines) else []
    return Unit(path, head + body, doc, exceptions, head=end)


def data_unit(path: Path, text: str, doc=None) -> Unit:
    """A YAML data file: every line, comments blanked (blanks and repeated words only)."""
    lines = text.split("\n")
    exceptions = read_exceptions(lines)
    masked = [re.sub(r"(^|\s)#.*$", lambda m: m.group(1) + " " * (len(m.group(0)) - len(m.group(1))), line)
              for line in lines]
    return Unit(path, masked, doc, exceptions, markdown=False)


SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[«A-ZÀ-ÖØ-Þ\d(])")


def sentence_span(line: str, pos: int) -> tuple[int, int]:
    """(start, end) of the sentence of line that holds position pos (0-based)."""
    start = 0
    for m in SENTENCE_END.finditer(line):
        if m.end() > pos:
            return start, m.start()
        start = m.end()
    return start, len(line)


def sentence_at(line: str, pos: int) -> str:
    start, end = sentence_span(line, pos)
    return line[start:end]


def of(name: str) -> str:
    """« de Achicourt » → « d'Achicourt »: the French elision before a vowel."""
    return f"d'{name}" if name[:1].lower() in "aâàeéèêiîoôuûhy" else f"de {name}"


def table_cells(line: str) -> list[str] | None:
    """The cells of a Markdown pipe-table row, None for any other line."""
    s = line.strip()
    if not s.startswith("|"):
        return None
    return [c.strip() for c in s.strip("|").split("|")]


def typo(message: str) -> str:
    """French typography of a message: no-break spaces before ; : ! ? and inside « »."""
    message = re.sub(r" ([;:!?»])", "\u00a0\\1", message)
    return message.replace("« ", "«\u00a0")


def finding(rule: str, line: int, column: int, message: str, error: bool = False) -> Finding:
    return Finding(rule, line, column, typo(message), error)
