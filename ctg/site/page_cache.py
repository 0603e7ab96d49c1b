"""Rendered pages kept between site builds (.cache/pages/, one file per page and key).

mkdocs renders every page of the site again at every build: the Material theme
template (whose navigation is the same size as the site) and the search
indexing of the page's text. A page whose HTML cannot have changed is taken from
here instead, with its search index entries.

The key of a page hashes everything its final HTML depends on:
- the site as a whole (« context »): the nav as set by the model (titles, URIs,
  order), the URI of every file of the site (links are relative), mkdocs.yml,
  site_overrides/, the versions of mkdocs and Material, the project's code, the
  public or internal variant, the glossary's sigles and SOURCE_DATE_EPOCH;
- the page itself: its URI, title and content (the HTML made by the model, before
  the glossary's <abbr>, or the Markdown of a guide page with the glossary's
  abbreviations).

A changed nav therefore renders every page again (every page shows the nav);
editing one annex renders only the pages whose text changed.

Entries are written during the build under a name that is not read
(« .<key>.pending »), and become valid only after a build that succeeded (the
site is built in strict mode: a page that gave a warning never reaches the
cache); the entries no page of that build used are then deleted.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

FOLDER = Path(".cache") / "pages"
TEMPLATE = "ctg-page-cache.html"  # in site_overrides/: writes the cached HTML as it is


def context_key(config, nav: list, file_uris: list[str], public: bool, sigles: dict[str, str]) -> str:
    from importlib import metadata

    from ..build.cache import code_hash, hash_tree

    h = hashlib.sha256()
    h.update(json.dumps({"nav": nav, "files": sorted(file_uris), "public": public, "sigles": sigles,
                         "epoch": os.environ.get("SOURCE_DATE_EPOCH", ""),
                         "versions": [metadata.version("mkdocs"), metadata.version("mkdocs-material")],
                         "code": code_hash(), "site_url": config.get("site_url")}, ensure_ascii=False, sort_keys=True, default=str).encode("utf-8"))
    config_file = Path(config.config_file_path) if config.config_file_path else None
    if config_file is not None and config_file.is_file():
        h.update(config_file.read_bytes())
    custom_dir = config.theme.custom_dir
    if custom_dir:
        h.update(hash_tree(Path(custom_dir)).encode("ascii"))
    return h.hexdigest()


@dataclass
class PageCache:
    folder: Path
    context: str
    pending: set[str] = field(default_factory=set)  # keys written as « .<key>.pending », valid after commit()
    used: set[str] = field(default_factory=set)

    @classmethod
    def open(cls, root: Path, variant: str, context: str) -> PageCache:
        return cls(root / FOLDER / variant, context)

    def key(self, uri: str, title: str, content: str) -> str:
        h = hashlib.sha256()
        for part in (self.context, uri, title, content):
            h.update(part.encode("utf-8") + b"\0")
        return h.hexdigest()

    def get(self, key: str) -> dict | None:
        try:
            entry = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        self.used.add(key)
        return entry

    def put(self, key: str, html: str, search: list[dict]) -> None:
        """Written now (a site of thousands of pages is not kept in memory), under a name get()
        does not read until commit()."""
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / f".{key}.pending").write_text(json.dumps({"html": html, "search": search},
                                                               ensure_ascii=False), encoding="utf-8")
        self.pending.add(key)
        self.used.add(key)

    def commit(self, prune: bool = True) -> None:
        """After a successful build: the new entries become valid; those no page used are deleted,
        and so are the pending entries of builds that failed (not with prune=False: the preview's
        pages rendered in place, preview_update.py; its next full build prunes)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        for key in self.pending:
            os.replace(self.folder / f".{key}.pending", self.folder / f"{key}.json")
        self.pending.clear()
        if not prune:
            return
        for path in self.folder.iterdir():
            if path.suffix == ".json" and path.stem not in self.used:
                path.unlink(missing_ok=True)
            elif path.name.endswith((".tmp", ".pending")):
                path.unlink(missing_ok=True)

    def clear(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
