"""Images of the assembled texts: only files of the project, and only images.

An image may come from its convention's folder or from the registry (_registre/, the logos); it
is checked by its content (PNG, JPEG, GIF or SVG). Anything else (« ../../etc/passwd »,
« /proc/self/environ », an address, a text renamed « .png ») is an error at the line of the
source that cites it, before anything is written. The writers' pandoc call checks again
(ctg/core/pandoc.py): a text that reaches it with such an image is refused there too.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

from ..core.confine import excerpt, image_problem
from ..core.diagnostics import Diagnostics
from ..core.document import AssembledDocument

_INLINE = re.compile(r"!\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*(<[^>]*>|[^)\s]+)")
_REF_USE = re.compile(r"!\[([^\]]*)\](?:\[([^\]]*)\])?")
_REF_DEF = re.compile(r"^ {0,3}\[([^\]]+)\]:\s*(<[^>]*>|\S+)", re.M)


def image_targets(markdown: str) -> list[str]:
    """Every image target of a Markdown text: inline « ![](cible) » and reference « ![x][ref] »."""
    targets = [t.strip("<>") for t in _INLINE.findall(markdown)]
    defs = {label.strip().lower(): target.strip("<>") for label, target in _REF_DEF.findall(markdown)}
    for alt, ref in _REF_USE.findall(markdown):
        label = (ref or alt).strip().lower()
        if label in defs:
            targets.append(defs[label])
    return list(dict.fromkeys(t.replace("\\", "") for t in targets))


def allowed_folders(conventions: Path, doc: AssembledDocument) -> tuple[Path, ...]:
    return (conventions / (doc.parent or doc.id), conventions / "_registre")


def check_images(docs: dict[str, AssembledDocument], conventions: Path, diags: Diagnostics) -> None:
    reported: set[tuple[str, str]] = set()
    for doc in docs.values():
        allowed = allowed_folders(conventions, doc)
        for target in image_targets(doc.markdown):
            problem = image_problem(target, conventions, allowed) or image_problem(unquote(target), conventions,
                                                                                   allowed)
            if problem is None:
                continue
            path, line = cited_at(target, doc, diags.root)
            if (path, target) in reported:
                continue
            reported.add((path, target))
            diags.error(path, line, "image-interdite",
                        f"image « {excerpt(target)} » refusée : {problem} ; une image doit être un fichier PNG, "
                        f"JPEG, GIF ou SVG du dossier de la convention ({(doc.parent or doc.id)}/) ou du registre "
                        "(_registre/), chemin relatif au dossier conventions/.")


def cited_at(target: str, doc: AssembledDocument, root: Path) -> tuple[str, int]:
    """The first source file of the document whose text cites target, and the line (else the
    document's own file)."""
    for rel in doc.sources:
        try:
            text = (root / rel).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for i, line in enumerate(text.split("\n"), start=1):
            if target in line:
                return rel, i
    return (doc.sources[0] if doc.sources else doc.id), 0
