"""The authoring guide (docs/) on the internal site: its pages under guide/, their titles.

The public site has no guide: it describes drafts and commands, which are internal.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from mkdocs.structure.files import File, Files

GUIDE = "guide"


def guide_pages(docs_dir: str, public: bool) -> list[tuple[str, str]]:
    """(URI, title) of the guide's pages, its index first in each folder; none on the public site."""
    if public:
        return []
    root = Path(docs_dir)
    pages = []
    for path in sorted(root.rglob("*.md")):
        rel = path.relative_to(root).as_posix()
        pages.append((f"{GUIDE}/{rel}", markdown_title(path)))
    pages.sort(key=lambda p: (not p[0].endswith("/index.md") and p[0] != f"{GUIDE}/index.md", p[0]))
    return pages


def markdown_title(path: Path) -> str:
    """The page's « title: » in its front matter, else its first heading, else its file name."""
    text = path.read_text(encoding="utf-8", errors="replace")
    m = re.search(r"^title:\s*(.+)$", text.split("\n---", 1)[0], re.M) if text.startswith("---") else None
    if m:
        return m.group(1).strip().strip("'\"")
    m = re.search(r"^#\s+(.+?)\s*(\{.*\})?\s*$", text, re.M)
    return m.group(1) if m else path.stem.replace("-", " ").capitalize()


def move_guide(files: Files, config, public: bool) -> Files:
    """mkdocs' files, the guide's moved under guide/ (dropped on the public site)."""
    out = Files([])
    docs_dir = os.path.normpath(config.docs_dir)
    for f in files:
        if f.generated_by is None and f.src_dir and os.path.normpath(f.src_dir) == docs_dir:
            if not public:
                out.append(File.generated(config, f"{GUIDE}/{f.src_uri}", abs_src_path=f.abs_src_path))
        else:
            out.append(f)
    return out
