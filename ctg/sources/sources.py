"""Reading source files: text decoding, front matter, YAML with line numbers.

Every problem becomes a diagnostic with file and line; nothing here raises for a
user mistake. The YAML is composed into nodes first so that each value keeps
the line it was written on (pydantic errors are then mapped back to lines).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..core.confine import escape_reason, excerpt
from ..core.diagnostics import Diagnostics

MAX_SOURCE_BYTES = 5 * 1024 * 1024  # a convention source is a few hundred kB at most

@dataclass
class YamlDoc:
    """Parsed YAML data plus the line of every key path (1-based, in the file)."""

    data: Any
    lines: dict[tuple, int] = field(default_factory=dict)
    first_line: int = 1

    def line(self, loc: tuple) -> int:
        loc = tuple(loc)
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return self.first_line


@dataclass
class SourceFile:
    path: Path
    text: str
    meta: YamlDoc | None  # front matter (None when the file has none)
    body: str
    body_line: int  # line number of the first body line


def read_text(path: Path, diags: Diagnostics) -> str | None:
    """Read a UTF-8 source; BOM is dropped, CRLF accepted. A symbolic link that leads out of the
    project (diags.root) or loops is refused: nothing outside the project is read."""
    reason = escape_reason(path, diags.root)
    if reason is not None:
        diags.error(path, 0, "lien-interdit",
                    f"{reason} : une source doit être un fichier du projet ; remplacez le lien par le fichier.")
        return None
    try:
        size = path.stat().st_size
    except OSError as exc:
        diags.error(path, 0, "fichier-illisible", f"impossible de lire le fichier ({_strerror(exc)}).")
        return None
    if size > MAX_SOURCE_BYTES:
        diags.error(path, 0, "fichier-trop-gros",
                    f"le fichier fait {size // (1024 * 1024)} Mo, au-delà de la limite de "
                    f"{MAX_SOURCE_BYTES // (1024 * 1024)} Mo pour une source ; découpez-le ou "
                    "retirez les données qui n'ont rien à y faire.")
        return None
    try:
        raw = path.read_bytes()
    except OSError as exc:
        diags.error(path, 0, "fichier-illisible", f"impossible de lire le fichier ({_strerror(exc)}) ; "
                    "vérifiez ses droits de lecture.")
        return None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        diags.error(path, line, "encodage",
                    "le fichier n'est pas encodé en UTF-8 ; enregistrez-le en UTF-8 "
                    "(dans votre éditeur : « Enregistrer avec l'encodage » → UTF-8).")
        return None
    if "\x00" in text:
        diags.error(path, text[: text.index("\x00")].count("\n") + 1, "fichier-binaire", "le fichier contient des octets nuls : ce n'est pas un texte.")
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _strerror(exc: OSError) -> str:
    """The system's reason in French for the common cases."""
    import errno

    return {errno.EACCES: "permission refusée", errno.EPERM: "opération non permise",
            errno.ENOENT: "fichier absent", errno.EISDIR: "c'est un dossier",
            errno.ELOOP: "lien symbolique en boucle"}.get(exc.errno, exc.strerror or "erreur du système")


class _Loader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text: pydantic parses them and reports bad ones with their line."""


_Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

if getattr(yaml, "__with_libyaml__", False):
    class _FastLoader(yaml.CSafeLoader):
        """The same loader on libyaml's parser (about ten times faster); used for text that parses,
        the pure-Python one gives the messages of text that does not."""

    _FastLoader.yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers
else:  # pragma: no cover - PyYAML without libyaml
    _FastLoader = None


def _fast_parse(text: str):
    """(root node, data) with libyaml, or None when it is absent or the text has any problem."""
    if _FastLoader is None:
        return None
    loader = _FastLoader(text)
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None)
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()


MAX_ALIASES = 50  # uses of « *ancre » in one file: a few are handy, thousands are an alias bomb
MAX_DEPTH = 100  # nesting of lists and mappings


class _TooComplex(Exception):
    def __init__(self, line: int, message: str, code: str = "yaml-demesure"):
        super().__init__(message)
        self.line, self.message, self.code = line, message, code


def _walk(node: yaml.Node, loc: tuple, lines: dict, dupes: list, offset: int, seen: dict | None = None) -> None:
    seen = {"nodes": set(), "aliases": 0} if seen is None else seen
    if len(loc) > MAX_DEPTH:
        raise _TooComplex(node.start_mark.line + 1 + offset,
                          f"YAML démesuré : plus de {MAX_DEPTH} niveaux de listes ou de clés imbriqués ; "
                          "simplifiez la structure")
    if isinstance(node, yaml.CollectionNode):
        if id(node) in seen["nodes"]:  # an alias: the node of its anchor, walked again
            seen["aliases"] += 1
            if seen["aliases"] > MAX_ALIASES:
                raise _TooComplex(node.start_mark.line + 1 + offset,
                                  f"YAML démesuré : plus de {MAX_ALIASES} réutilisations d'ancres (« *nom ») ; "
                                  "recopiez les valeurs au lieu de les référencer")
        seen["nodes"].add(id(node))
    lines[loc] = node.start_mark.line + 1 + offset
    if isinstance(node, yaml.MappingNode):
        keys: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise _TooComplex(key_node.start_mark.line + 1 + offset, "une clé doit être un simple texte, pas "
                                  "une liste ni un ensemble de clés (une clé ne s'écrit pas entre [ ] ou { })",
                                  "yaml-cle-invalide")
            key = key_node.value
            kline = key_node.start_mark.line + 1 + offset
            if key in keys:
                dupes.append((key, kline, keys[key]))
            keys[key] = kline
            lines[loc + (key,)] = kline
            _walk(value_node, loc + (key,), lines, dupes, offset, seen)
            lines[loc + (key,)] = kline  # a key's line is where the key is written
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, loc + (i,), lines, dupes, offset, seen)


def parse_yaml(text: str, path: Path, diags: Diagnostics, offset: int = 0) -> YamlDoc | None:
    """Parse YAML text; offset is the number of file lines before the text."""
    for i, line in enumerate(text.split("\n")):
        stripped = line.lstrip(" ")
        if stripped.startswith("\t"):
            diags.error(path, i + 1 + offset, "yaml-tabulation",
                        "tabulation en début de ligne : YAML n'accepte que des espaces pour "
                        "l'indentation ; remplacez la tabulation par des espaces.")
            return None
    depth = _flow_depth(text)
    if depth is not None:
        diags.error(path, depth + offset, "yaml-demesure",
                    f"plus de {MAX_DEPTH} crochets ou accolades imbriqués ; simplifiez la structure.")
        return None
    fast = _fast_parse(text)
    try:
        node = fast[0] if fast else yaml.compose(text, Loader=_Loader)
    except RecursionError:
        diags.error(path, offset + 1, "yaml-demesure", "structure YAML trop profonde ; simplifiez-la.")
        return None
    except yaml.MarkedYAMLError as exc:
        opened = (exc.context or "").startswith(("while parsing a flow", "while scanning a quoted"))
        mark = (exc.context_mark if opened else None) or exc.problem_mark or exc.context_mark
        line = (mark.line + 1 + offset) if mark else offset + 1
        diags.error(path, line, "yaml-syntaxe", f"syntaxe YAML invalide : {_french_yaml_problem(exc)}.")
        return None
    except yaml.YAMLError as exc:  # pragma: no cover - other YAML errors have marks
        diags.error(path, offset + 1, "yaml-syntaxe", f"syntaxe YAML invalide : {exc}.")
        return None
    if node is None:
        return YamlDoc(None, {}, offset + 1)
    lines: dict[tuple, int] = {}
    dupes: list = []
    try:
        _walk(node, (), lines, dupes, offset)
    except _TooComplex as exc:
        diags.error(path, exc.line, exc.code, f"{exc.message}.")
        return None
    for key, line, first in dupes:
        diags.error(path, line, "cle-en-double",
                    f"la clé « {excerpt(key, 80)} » est déjà définie ligne {first} ; supprimez l'un des deux.")
    if dupes:
        return None
    if fast:
        return YamlDoc(fast[1], lines, offset + 1)
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.MarkedYAMLError as exc:  # a value YAML cannot build, e.g. a lone « = »
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1 + offset) if mark else offset + 1
        diags.error(path, line, "yaml-valeur",
                    "valeur YAML invalide : mettez la valeur entre guillemets (« clé : \"valeur\" »).")
        return None
    return YamlDoc(data, lines, offset + 1)


def _flow_depth(text: str) -> int | None:
    """Line (from 1) where « [ » and « { » nest deeper than MAX_DEPTH (outside quotes), else None:
    the parsers recurse on them."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return None
    depth, quote = 0, ""
    line = 1
    for ch in text:
        if ch == "\n":
            line += 1
            quote = ""  # a quoted scalar spanning lines is rare in these sources; never overcount
        elif quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return line
        elif ch in "]}":
            depth = max(0, depth - 1)
    return None


_PROBLEMS = {
    "mapping values are not allowed here": "deux-points inattendu (une valeur contenant « : » doit être entre guillemets)",
    "could not find expected ':'": "deux-points « : » attendu après la clé",
    "found character '\\t' that cannot start any token": "tabulation interdite ; utilisez des espaces",
    "did not find expected key": "clé attendue (vérifiez l'indentation)",
    "did not find expected '-' indicator": "tiret « - » attendu (vérifiez l'indentation de la liste)",
    "found undefined alias": "alias non défini",
    "found unexpected end of stream": "fin de fichier inattendue (guillemet ou crochet non fermé ?)",
    "found unknown escape character": "caractère d'échappement inconnu (doublez la barre oblique inverse ou utilisez des guillemets simples)",
    "expected <block end>, but found '<block mapping start>'": "indentation incohérente",
    "expected <block end>, but found '-'": "indentation incohérente de la liste",
    "while scanning a quoted scalar": "guillemet ouvert sur cette ligne et jamais fermé",
    "while parsing a flow sequence": "crochet « [ » ouvert sur cette ligne et jamais fermé",
    "while parsing a flow mapping": "accolade « { » ouverte sur cette ligne et jamais fermée",
}


def _french_yaml_problem(exc: yaml.MarkedYAMLError) -> str:
    problem = exc.problem or ""
    context = exc.context or ""
    for en, fr in _PROBLEMS.items():  # the context (what was open) explains more than the symptom
        if context.startswith(en):
            return fr
    for en, fr in _PROBLEMS.items():
        if problem.startswith(en):
            return fr
    return excerpt(problem or context or "erreur inconnue", 120)


def split_front_matter(text: str, path: Path, diags: Diagnostics) -> tuple[str | None, int, str, int]:
    """Return (yaml_text, yaml_first_line_offset, body, body_first_line)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return None, 0, text, 1
    for i in range(1, len(lines)):
        if lines[i].strip() in ("---", "..."):
            return "\n".join(lines[1:i]), 1, "\n".join(lines[i + 1:]), i + 2
    diags.error(path, 1, "entete-non-fermee",
                "l'en-tête YAML ouvert par « --- » ligne 1 n'est jamais fermé ; ajoutez une ligne "
                "« --- » après la dernière clé de l'en-tête.")
    return None, 0, "", 0


def read_markdown(path: Path, diags: Diagnostics, require_front_matter: bool = True) -> SourceFile | None:
    text = read_text(path, diags)
    if text is None:
        return None
    if not text.strip():
        diags.error(path, 1, "fichier-vide", "le fichier est vide ; il doit commencer par un en-tête YAML entre deux lignes « --- ».")
        return None
    n_before = len(diags.errors)
    yaml_text, offset, body, body_line = split_front_matter(text, path, diags)
    if len(diags.errors) > n_before:
        return None
    if yaml_text is None:
        if require_front_matter:
            diags.error(path, 1, "entete-absent",
                        "en-tête YAML absent : le fichier doit commencer par une ligne « --- », "
                        "les métadonnées, puis une ligne « --- ».")
            return None
        return SourceFile(path, text, None, body, body_line)
    meta = parse_yaml(yaml_text, path, diags, offset)
    if meta is None:
        return None
    if not isinstance(meta.data, dict):
        diags.error(path, 2, "entete-invalide", "l'en-tête YAML doit être une liste de clés « clé : valeur ».")
        return None
    return SourceFile(path, text, meta, body, body_line)


def read_yaml(path: Path, diags: Diagnostics) -> YamlDoc | None:
    text = read_text(path, diags)
    if text is None:
        return None
    if not text.strip():
        diags.error(path, 1, "fichier-vide", "le fichier de données est vide.")
        return None
    return parse_yaml(text, path, diags)


def document_folders(root: Path, main_file: str, code: str, fix: str, diags: Diagnostics):
    """Sub-folders of root that hold main_file (« _… » and hidden folders skipped); the others are
    reported, so a misnamed file is never silently ignored."""
    entries = sorted(p for p in root.iterdir() if not p.name.startswith(("_", ".")))
    for link in (p for p in entries if p.is_symlink()):
        reason = escape_reason(link, diags.root)
        if reason is not None:
            diags.error(link, 0, "lien-interdit", f"{reason} : un dossier de document doit être dans le projet ; "
                        "remplacez le lien par le dossier.")
    for folder in (p for p in entries if p.is_dir() and escape_reason(p, diags.root) is None):
        if not (folder / main_file).exists():
            diags.error(folder, 0, code, f"ce dossier n'a pas de fichier « {main_file} » ; {fix}.")
            continue
        yield folder
