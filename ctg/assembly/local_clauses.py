"""A convention's own versions of library clauses, without copying the library.

Search order for the clause of article ID (or of the preamble, « preambule ») of a convention:

1. a section « ## … {#ID} » of the convention's body (the article written in full, as before);
2. the file ``conventions/<convention>/clauses/ID.md.j2`` (the convention's version of the clause);
3. the file ``conventions/_registre/clauses/<territoire>/ID.md.j2`` (the territory's version, shared
   by every convention of that territory);
4. the library clause named by the model (``templates/clauses/…``).

Sections {#avant-ID} and {#apres-ID} add text at the start or the end of article ID, whichever of
these gave its text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..core.diagnostics import Diagnostics
from ..sources.corpus import AnnexSource, ConventionSource, Corpus, Section
from ..sources.models import ClauseModel
from ..sources.sources import read_text
from .numbering import DASH, additions, after_signatures, annex_anchor, shift_headings
from .templating import render

SUFFIX = ".md.j2"
FOLDER = "clauses"


@dataclass
class LocalClauses:
    overrides: dict[str, tuple[Path, str]] = field(default_factory=dict)  # id -> (file, text)
    added: dict[str, tuple[list[Section], list[Section]]] = field(default_factory=dict)
    pieces: list[Section] = field(default_factory=list)  # unnumbered, after the signatures
    home: Path | None = None  # the file whose sections these are

    @property
    def paths(self) -> list[Path]:
        return [path for path, _text in self.overrides.values()]


def clause_folders(corpus: Corpus, conv: ConventionSource) -> list[Path]:
    """The folders searched for a convention's clauses, first found first used."""
    return [conv.folder / FOLDER, corpus.registry.root / FOLDER / conv.meta.territoire]


def replaceable(model: ClauseModel) -> list[str]:
    """Ids of the clauses a file can replace: the model's library articles, and its preamble."""
    return (["preambule"] if model.preambule else []) + [a.id for a in model.articles if a.clause]


def local_clauses(corpus: Corpus, conv: ConventionSource, model: ClauseModel, diags: Diagnostics) -> LocalClauses:
    out = LocalClauses(home=conv.path)
    ids = replaceable(model)
    written = {s.id: s for s in conv.sections}
    for folder in clause_folders(corpus, conv):
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob(f"*{SUFFIX}")):  # other names: checks/clause_files.py
            ident = path.name[: -len(SUFFIX)]
            if ident not in ids:
                diags.error(path, 1, "clause-inconnue",
                            f"le fichier « {path.name} » ne remplace aucune clause du modèle « {conv.meta.modele} » "
                            f"(clauses : {', '.join(ids)}) ; nommez-le d'après l'identifiant de l'article.")
                continue
            if ident in out.overrides:
                continue  # the convention's version hides the territory's
            if ident in written and folder == conv.folder / FOLDER:
                diags.error(path, 1, "clause-en-double",
                            f"l'article « {ident} » est déjà écrit dans {diags.rel(conv.path)} (ligne "
                            f"{written[ident].line}) ; gardez l'un des deux.")
                continue
            text = read_text(path, diags)
            if text is not None:
                out.overrides[ident] = (path, text)
    out.added = additions(conv.sections)  # those to an unknown article: reported by number_articles
    out.pieces = after_signatures(conv.sections)
    return out


def after_signatures_parts(env, diags: Diagnostics, conv: ConventionSource, local: LocalClauses,
                           ctx: dict, annexes: list[AnnexSource]) -> list[str]:
    """The list of annexes when the convention puts it after the signatures (« numerotation :
    sommaire_annexes : apres-signatures »), then the unnumbered pieces written to follow them
    (« ## Territoire couvert {#territoire apres="signatures"} »), in their order."""
    out = []
    if conv.meta.numerotation.sommaire_annexes == "apres-signatures" and annexes:
        items = []
        for number, annex in enumerate(annexes, start=1):
            title = render(env, diags, ctx, source=annex.meta.titre, path=annex.path,
                           first_line=annex.src.line("titre"))
            item = f"- [Annexe\u00a0{number} {DASH} {(title or '').strip()}](#{annex_anchor(annex.id)})"
            if annex.meta.diffusion == "interne":  # left out of public copies with the annex itself
                item = f'\n::: {{.annexe-liste diffusion="interne"}}\n{item}\n:::\n'
            items.append(item)
        out.append("# Sommaire des annexes {#sommaire-annexes}\n\n" + "\n".join(items).strip("\n") + "\n")
    for piece in local.pieces:
        title = render(env, diags, ctx, source=piece.title, path=piece.path, first_line=piece.line)
        body = render(env, diags, ctx, source=piece.text, path=piece.path, first_line=piece.line + 1)
        if title is not None and body is not None:
            out.append(f"# {title.strip()} {{#{piece.id}}}\n\n{shift_headings(body.strip(), None)}\n")
    return out
