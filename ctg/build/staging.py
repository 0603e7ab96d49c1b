"""A build replaces dist/ and site/ as a whole, or not at all; one build at a time per checkout.

The outputs are written into a staging folder beside them (« .sorties.XXXX/ » at the project's
root: dist/ starts as a copy of the current one, made of hard links, so what this run does not
rebuild stays), and switched in at the end: the current folders are moved aside, the new ones
moved in, the old ones deleted. A failure, Ctrl-C or a kill before the switch leaves the previous
outputs exactly as they were; a kill during the switch is undone by the next run (recover()),
which also removes what a killed run left behind. The lock (.cache/verrou, fcntl.flock) keeps a
second build in the same checkout from starting while one runs.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..core.outputs import test_stop
from ..core.project import Project

PREFIX = ".sorties."
ASIDE = ".ancien"  # suffix of a current folder moved aside during the switch
LOCK = Path(".cache") / "verrou"


class OutputsError(Exception):
    """The outputs cannot be written (the environment, not the sources): one line for the user."""


_LOCK_FD: list[int] = []


def lock(root: Path) -> None:
    """Hold .cache/verrou for this process (and its workers); another build running: OutputsError."""
    if _LOCK_FD:
        return
    path = root / LOCK
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise OutputsError(f"impossible de créer le verrou {LOCK} ({describe(exc)}) ; le dossier du projet "
                           "doit être accessible en écriture") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise OutputsError("une autre construction est en cours dans ce dossier (verrou .cache/verrou) ; "
                           "relancez la commande quand elle sera terminée") from None
    _LOCK_FD.append(fd)


def unlock() -> None:
    while _LOCK_FD:
        os.close(_LOCK_FD.pop())


def try_lock(root: Path) -> bool:
    """lock() when nobody holds it; False when another build runs (or no lock can be made)."""
    try:
        lock(root)
    except OutputsError:
        return False
    return True


def describe(exc: OSError) -> str:
    """The system's reason, in French for the usual cases, with the file it is about."""
    reason = {errno.EACCES: "permission refusée", errno.EPERM: "opération non permise",
              errno.EROFS: "système de fichiers en lecture seule", errno.ENOSPC: "disque plein",
              errno.ENOTDIR: "un fichier est à la place d'un dossier",
              errno.EEXIST: "un fichier est à la place d'un dossier", errno.EISDIR: "un dossier est à la place "
              "d'un fichier", errno.ENOENT: "fichier ou dossier absent", errno.ELOOP: "lien symbolique en boucle",
              errno.EDQUOT: "quota de disque dépassé"}.get(exc.errno, exc.strerror or "erreur du système")
    return f"{reason} : {exc.filename}" if exc.filename else reason


def recover(root: Path) -> None:
    """Undo what a killed run left (call with the lock held): a switch half done is rolled back,
    staging folders and the site's temporary folders are removed."""
    for stage in sorted(root.glob(PREFIX + "*")):
        for aside in stage.glob("*" + ASIDE):
            target = root / aside.name[: -len(ASIDE)]
            if target.exists():  # the new folder was moved in: it goes, the previous one comes back
                os.replace(target, stage / (target.name + ".nouveau"))
            os.replace(aside, target)
        shutil.rmtree(stage, ignore_errors=True)
    for leftover in (*root.glob(".site.*"), *root.glob(".site-interne.*")):
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)


@dataclass
class Staging:
    """with Staging(project, ["dist", "site"]) as staged: build into staged.project, staged.commit()."""

    project: Project
    names: list[str]
    folder: Path = field(init=False)
    committed: bool = False

    def __enter__(self) -> "Staging":
        root = self.project.root
        for name in self.names:
            current = root / name
            if current.exists() and not current.is_dir():
                raise OutputsError(f"{name} n'est pas un dossier : un fichier porte ce nom ; déplacez-le ou "
                                   "supprimez-le")
        try:
            self.folder = Path(tempfile.mkdtemp(prefix=PREFIX, dir=root))
            if (root / "dist").is_dir() and "dist" in self.names:
                shutil.copytree(root / "dist", self.folder / "dist", symlinks=True, copy_function=_link)
        except OSError as exc:
            self._clean()
            raise OutputsError(f"impossible de préparer les sorties ({describe(exc)})") from None
        return self

    @property
    def staged(self) -> Project:
        return Project(self.project.root, outputs=self.folder)

    def commit(self) -> None:
        """Move the current folders aside, the new ones in, delete the old ones."""
        test_stop("avant-bascule")
        root = self.project.root
        names = [n for n in self.names if (self.folder / n).exists()]
        try:
            for name in names:
                if (root / name).exists():
                    os.replace(root / name, self.folder / (name + ASIDE))
            test_stop("pendant-bascule")
            for name in names:
                os.replace(self.folder / name, root / name)
        except OSError as exc:
            recover(root)
            raise OutputsError(f"impossible de remplacer les sorties ({describe(exc)}) ; elles sont "
                               "inchangées") from None
        self.committed = True

    def __exit__(self, *exc) -> None:
        self._clean()

    def _clean(self) -> None:
        if getattr(self, "folder", None) is not None and self.folder.exists():
            shutil.rmtree(self.folder, ignore_errors=True)


def _link(src: str, dst: str) -> None:
    """A hard link (outputs are only ever replaced by a rename, never changed in place), or a copy."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)
