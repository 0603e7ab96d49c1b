"""One spelling of an intercommunalité's name everywhere: the registry's. The official data may
write « Communauté de communes Pays d'Opale » and the texts « … du Pays d'Opale »; the registry
may add the article after the nature (a « nom » the check of the data accepts), and every title
and text of its conventions and avenants must then write the name as the registry does."""

from __future__ import annotations

import re

from ..core.diagnostics import Diagnostics
from ..sources.corpus import Corpus
from ..sources.schemas import TypeOrganisation

NATURE = r"(Communauté (?:de communes|d'agglomération|urbaine)|Métropole)"
ARTICLE = r"(?:du |de la |de l'|de l’|des |d'|d’|de )?"


def _core(name: str) -> tuple[str, str] | None:
    """(nature, name without nature nor article): ("Communauté de communes", "Pays d'Opale")."""
    m = re.match(NATURE + r"\s+" + ARTICLE + r"(.+)$", name, re.I)
    return (m.group(1), m.group(2)) if m else None


def same_name(typed: str, official: str) -> bool:
    """The official name, or the same with an article after the nature."""
    a, b = _core(typed), _core(official)
    return typed == official or (a is not None and b is not None and a[0].lower() == b[0].lower() and a[1] == b[1])


def variants(name: str) -> re.Pattern | None:
    core = _core(name)
    if core is None:
        return None
    return re.compile(re.escape(core[0]) + r"\s+" + ARTICLE + re.escape(core[1]), re.I)


def _texts(conv, avenants):
    """(path, line, text) of the titles and articles of a convention and of its avenants."""
    yield conv.path, conv.src.line("titre"), conv.meta.titre
    for owner in [conv, *avenants]:
        for section in owner.sections:
            for i, line in enumerate(section.text.split("\n")):
                yield section.path, section.line + 1 + i, line
        for annex in owner.annexes:
            for i, line in enumerate(annex.body.split("\n")):
                yield annex.path, annex.body_line + i, line


def check_epci_names(corpus: Corpus, diags: Diagnostics) -> None:
    for conv in corpus.conventions.values():
        org = corpus.registry.organisations.get(conv.meta.territoire)
        if org is None or org.type != TypeOrganisation.epci or not org.nom:
            continue
        pattern = variants(org.nom)
        if pattern is None:
            continue
        avenants = [av for av in corpus.avenants.values() if av.meta.convention == conv.id]
        for path, line, text in _texts(conv, avenants):
            for m in pattern.finditer(text):
                if m.group(0) != org.nom:
                    diags.warning(path, line, "nom-epci-variante",
                                  f"« {m.group(0)} » : le registre écrit « {org.nom} » ; écrivez le nom de "
                                  "l'intercommunalité de la même façon partout (dans un texte, "
                                  "{{ territoire.nom }} le reprend du registre).")
