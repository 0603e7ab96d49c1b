"""« build.py docx | pdf | site | serve » and the default run: the outputs through the cache, then
the site, which publishes them; and the stamp of a run whose inputs did not change (nothing to do)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..build import cache
from ..build.build_outputs import produce, write_manifest, write_outputs
from ..core.diagnostics import Diagnostics
from ..core.document import AssembledDocument
from ..core.outputs import remove_stale_temporaries, test_stop
from ..core.progress import Progress
from ..core.project import Project
from ..sources.corpus import Corpus


def build(project: Project, corpus: Corpus, docs: dict[str, AssembledDocument], formats: list[str],
          progress: Progress, diags: Diagnostics, interne: bool = False, manifest: bool = True) -> int:
    also = []
    if "site" in formats:  # what only the site publishes, built in the same pass as the documents
        from ..site.publish import site_documents

        also = site_documents(corpus, docs, interne or None)
    produced = produce(project, docs, formats, progress, also=also)
    test_stop("apres-production")
    remove_stale_temporaries(project.dist)
    written = write_outputs(produced)
    if formats == ["docx", "pdf", "site"] and manifest:
        write_manifest(project.dist)
    n = len(produced.files)
    if n or "site" not in formats:
        progress.done(f"{n} fichier{'s' if n > 1 else ''} à jour dans {project.dist.name}/ "
                      f"({produced.built} produit{'s' if produced.built > 1 else ''}, {produced.reused} "
                      f"réutilisé{'s' if produced.reused > 1 else ''} du cache, {written} "
                      f"écrit{'s' if written > 1 else ''}).")
    if "site" in formats or "serve" in formats:
        from ..site.publish import build_site

        return build_site(project, corpus, docs, serve="serve" in formats, progress=progress, interne=interne or None)
    return 0


def output_folders(project: Project, formats: list[str], interne: bool) -> list[str]:
    """The folders a build of formats replaces: dist/, and the site's folder when it builds the site."""
    from ..site.publish import site_dir, wants_internal

    folders = ["dist"]
    if "site" in formats:
        folders.append(site_dir(project, not (interne or wants_internal())).name)
    return folders


@dataclass
class RunStamp:
    """The inputs of one command line; equal to the last successful run's and its outputs untouched:
    nothing to do (no load, no assembly, no pandoc or LibreOffice)."""

    root: Path
    command: dict
    folders: list[str]
    key: str = ""

    def current(self) -> bool:
        self.key = cache.run_key(self.root, self.command)
        return cache.up_to_date(self.root, self.command, self.folders, self.key)

    def record(self) -> None:
        if self.key:
            cache.record_run(self.root, self.command, self.folders, self.key)


def run_stamp(project: Project, command: str, ids: list[str], interne: bool, strict: bool,
              shard: tuple[int, int] | None) -> RunStamp:
    from ..site.publish import site_dir, wants_internal

    folders = ["dist"]
    if command in ("site", "all") and not shard:
        folders.append(site_dir(project, not (interne or wants_internal())).name)
    return RunStamp(project.root, {"command": command, "ids": sorted(ids), "interne": interne, "strict": strict,
                                   "shard": list(shard) if shard else None}, folders)
