"""Avenants as structured changes: the operations of « modifications » and their effect.

A Version (convention_state.py) is the state of a convention's parts after some of its
avenants. apply() applies one avenant's operations in
order, reports an operation on a part the convention does not have (at its file and
line), and records a Change per operation: the avenant's text is drafted from those
(avenant_text.py) and the consolidated text built from the resulting Version
(consolidate.py), so what is signed and what is applied cannot disagree.
"""

from __future__ import annotations

from ..assembly.parties import OrgView
from ..core.diagnostics import Diagnostics, closest
from ..sources.corpus import AnnexSource, AvenantSource, Corpus, FicheSource, Section
from ..sources.operations import action_of
from ..sources.plan import data_nodes, remove_fiche
from ..sources.schemas import CommuneDeclaree, Equipement
from .convention_state import AlineaChange, ArticleState, Change, Party, Version

SUFFIXES = ["bis", "ter", "quater", "quinquies", "sexies", "septies", "octies", "nonies", "decies"]


# ---------------------------------------------------------------- applying an avenant


def _suffixed(base: str, taken: set[str]) -> str:
    root = base.split(" ")[0]
    for suffix in SUFFIXES:
        label = f"{root} {suffix}"
        if label not in taken:
            return label
    return f"{root} {len(taken)}"


def _text_section(ident: str, title: str, op, av: AvenantSource, i: int) -> Section:
    line = av.src.line("modifications", i, "texte")
    return Section(ident, title or "", {}, op.texte + "\n", line, av.path)


class Applier:
    """Applies one avenant to a copy of a version; errors go to diags at the operation's line."""

    def __init__(self, corpus: Corpus, diags: Diagnostics):
        self.corpus = corpus
        self.diags = diags

    def apply(self, version: Version, av: AvenantSource) -> tuple[Version, list[Change]]:
        v = version.copy()
        changes: list[Change] = []
        for s in av.meta.signataires_ajoutes:
            v.parties.append(Party(s, av.meta.signature.date or av.meta.effet, by=av.meta.numero))
        used_fiches: set[str] = set()
        for i, op in enumerate(av.meta.modifications):
            action, target = action_of(op)
            line = av.src.line("modifications", i, action)
            ctx = (v, av, i, op, target, line)
            change = getattr(self, action)(*ctx)
            if action in ("ajouter_fiche", "modifier_fiche"):
                used_fiches.add(target)
            if change is not None:
                changes.append(change)
        for fid, fiche in sorted(av.fiches.items()):
            if fid not in used_fiches:
                self.diags.error(fiche.path, 1, "fiche-inutilisee",
                                 f"la fiche « {fid} » de l'avenant n'est ni ajoutée (« ajouter_fiche ») ni "
                                 "modifiée (« modifier_fiche ») par ses « modifications ».")
        v.applied.append(av)
        return v, changes

    def _error(self, av: AvenantSource, line: int, code: str, message: str) -> None:
        self.diags.error(av.path, line, code, message)

    def _known(self, kind: str, v: Version, ident: str, av, line, what: str, known: list[str]) -> bool:
        """False, with an error: ident is not a part of the version (or no longer: deleting twice)."""
        gone = v.deleted.get((kind, ident))
        if gone:
            done = {"article": "supprimé", "signataire": "retiré"}.get(kind, "supprimée")
            self._error(av, line, "deja-supprime", f"{what} « {ident} » a déjà été {done} par l'avenant "
                        f"n°\u00a0{gone} ; il n'y a plus rien à modifier.")
        else:
            self._error(av, line, "cible-inconnue", f"{what} « {ident} » n'existe pas dans la convention"
                        f"{closest(ident, known)}")
        return False

    # ------------------------------------------------------------ articles

    def _article(self, v: Version, ident: str, av, line) -> ArticleState | None:
        art = v.article(ident)
        if art is None or art.deleted_by:
            self._known("article", v, ident, av, line, "l'article", [a.id for a in v.articles if not a.deleted_by])
            return None
        return art

    def remplacer_article(self, v, av, i, op, target, line):
        art = self._article(v, target, av, line)
        if art is None:
            return None
        old_title = art.title if art.section is None else art.section.title
        art.section = _text_section(target, op.titre or old_title or "", op, av, i)
        art.title, art.clause, art.alineas = None, None, []
        return Change("remplacer_article", target, op, line, label=art.label, title=op.titre or "",
                      old_title=old_title or "", section=art.section)

    def inserer_article(self, v, av, i, op, target, line):
        if v.article(target) is not None:
            self._error(av, line, "article-existant", f"l'article « {target} » existe déjà dans la convention ; "
                        "choisissez un autre identifiant.")
            return None
        after = self._article(v, str(op.apres), av, av.src.line("modifications", i, "apres"))
        if after is None:
            return None
        index = v.articles.index(after)
        while index + 1 < len(v.articles) and v.articles[index + 1].label.split(" ")[0] == after.label.split(" ")[0] \
                and " " in v.articles[index + 1].label:
            index += 1  # after 6, 6 bis already there: the new one comes after it, as 6 ter
        label = _suffixed(after.label, {a.label for a in v.articles})
        section = _text_section(target, op.titre, op, av, i)
        v.articles.insert(index + 1, ArticleState(target, label, None, None, section))
        return Change("inserer_article", target, op, line, label=label, after_label=after.label, title=op.titre,
                      section=section)

    def supprimer_article(self, v, av, i, op, target, line):
        art = self._article(v, target, av, line)
        if art is None:
            return None
        art.deleted_by = av.meta.numero
        v.deleted[("article", target)] = av.meta.numero
        return Change("supprimer_article", target, op, line, label=art.label)

    def _alinea(self, action, v, av, i, op, target, line):
        art = self._article(v, target, av, line)
        if art is None:
            return None
        number = op.alinea if action != "inserer_alinea" else op.apres
        section = _text_section(target, "", op, av, i) if op.texte else None
        art.alineas.append(AlineaChange(action, number, section, av, av.src.line(
            "modifications", i, "alinea" if action != "inserer_alinea" else "apres")))
        return Change(action, target, op, line, label=art.label, section=section)

    def remplacer_alinea(self, *ctx):
        return self._alinea("remplacer_alinea", *ctx)

    def inserer_alinea(self, *ctx):
        return self._alinea("inserer_alinea", *ctx)

    def supprimer_alinea(self, *ctx):
        return self._alinea("supprimer_alinea", *ctx)

    # ------------------------------------------------------------ annexes

    def _avenant_annex(self, av, target, line) -> AnnexSource | None:
        found = next((a for a in av.annexes if a.id == target), None)
        if found is None:
            self._error(av, line, "annexe-absente",
                        f"le nouveau texte de l'annexe « {target} » doit être une annexe de l'avenant : ajoutez "
                        f"« {target} » à sa liste « annexes » (fichier avenants/{av.meta.numero}/{target}.md).")
        return found

    def remplacer_annexe(self, v, av, i, op, target, line):
        number = v.annex_number(target)
        if number is None:
            self._known("annexe", v, target, av, line, "l'annexe", [a.id for a in v.annexes])
            return None
        new = self._avenant_annex(av, target, line)
        if new is None:
            return None
        old = v.annexes[number - 1]
        v.annexes[number - 1] = new
        return Change("remplacer_annexe", target, op, line, label=str(number), title=new.meta.titre,
                      old_title=old.meta.titre)

    def ajouter_annexe(self, v, av, i, op, target, line):
        if v.annex_number(target) is not None:
            self._error(av, line, "annexe-existante", f"la convention a déjà une annexe « {target} » ; pour la "
                        "remplacer, écrivez « remplacer_annexe ».")
            return None
        new = self._avenant_annex(av, target, line)
        if new is None:
            return None
        index = len(v.annexes)
        if op.apres is not None:
            after = v.annex_number(str(op.apres))
            if after is None:
                self._known("annexe", v, str(op.apres), av, av.src.line("modifications", i, "apres"), "l'annexe",
                            [a.id for a in v.annexes])
                return None
            index = after
        v.annexes.insert(index, new)
        return Change("ajouter_annexe", target, op, line, label=str(index + 1), title=new.meta.titre)

    # ------------------------------------------------------------ signatories

    def retirer_signataire(self, v, av, i, op, target, line):
        party = next((p for p in v.parties if p.signataire.organisation == target), None)
        if party is None:
            self._known("signataire", v, target, av, line, "le signataire",
                        [p.signataire.organisation for p in v.parties])
            return None
        v.parties.remove(party)
        v.deleted[("signataire", target)] = av.meta.numero
        org = self.corpus.registry.organisations.get(target)
        return Change("retirer_signataire", target, op, line, title=org.nom if org else target)

    # ------------------------------------------------------------ fiches

    def _fiche_file(self, av, target, line) -> FicheSource | None:
        fiche = av.fiches.get(target)
        if fiche is None:
            self._error(av, line, "fiche-absente",
                        f"le texte de la fiche « {target} » est attendu dans avenants/{av.meta.numero}/fiches/"
                        f"{target}.yaml (mêmes clés qu'une fiche de la convention).")
        return fiche

    def _fiche(self, v, target, av, line) -> bool:
        if target in v.fiches:
            return True
        return self._known("fiche", v, target, av, line, "la fiche", list(v.fiches))

    def ajouter_fiche(self, v, av, i, op, target, line):
        if target in v.fiches or target in v.fiche_labels:
            self._error(av, line, "fiche-existante", f"la fiche « {target} » existe déjà dans le plan d'actions ; "
                        "pour la changer, écrivez « modifier_fiche ».")
            return None
        fiche = self._fiche_file(av, target, line)
        if fiche is None:
            return None
        order = v.fiche_order()
        if op.apres is not None:
            after = str(op.apres)
            if not self._fiche(v, after, av, av.src.line("modifications", i, "apres")):
                return None
            node = next(n for n in data_nodes(v.plan, v.plan_levels) if after in (n.get("fiches") or []))
            node["fiches"].insert(node["fiches"].index(after) + 1, target)  # where the fiche is first cited
        else:
            keys = [lv.cle for lv in v.plan_levels]
            if len(keys) != 3:
                self._error(av, line, "plan-niveaux", "« thematique », « enjeu » et « objectif » ne placent une "
                            "fiche que dans un plan à trois niveaux ; écrivez « apres » (la fiche qu'elle suit).")
                return None
            th = _find_or_add(v.plan.setdefault(keys[0], []), op.thematique, keys[1])
            en = _find_or_add(th.setdefault(keys[1], []), op.enjeu, keys[2])
            ob = _find_or_add(en.setdefault(keys[2], []), op.objectif, "fiches")
            ob.setdefault("fiches", []).append(target)
        new_order = v.fiche_order()
        position = new_order.index(target)
        taken = set(v.fiche_labels.values())
        if position == len(new_order) - 1 or not order:
            label = str(max((int(x.split(" ")[0]) for x in taken), default=0) + 1)
        else:
            previous = new_order[position - 1] if position else new_order[position + 1]
            label = _suffixed(v.fiche_labels[previous], taken)
        v.fiches[target] = fiche
        v.fiche_labels[target] = label
        v.marks[target] = "nouvelle"
        return Change("ajouter_fiche", target, op, line, label=label, title=fiche.data.titre)

    def modifier_fiche(self, v, av, i, op, target, line):
        if not self._fiche(v, target, av, line):
            return None
        fiche = self._fiche_file(av, target, line)
        if fiche is None:
            return None
        old = v.fiches[target]
        v.fiches[target] = fiche
        v.marks.setdefault(target, "mise à jour")
        return Change("modifier_fiche", target, op, line, label=v.fiche_labels[target], title=fiche.data.titre,
                      old_title=old.data.titre)

    def supprimer_fiche(self, v, av, i, op, target, line):
        if not self._fiche(v, target, av, line):
            return None
        old = v.fiches.pop(target)
        remove_fiche(v.plan, v.plan_levels, target)
        v.deleted[("fiche", target)] = av.meta.numero
        return Change("supprimer_fiche", target, op, line, label=v.fiche_labels[target], title=old.data.titre)

    # ------------------------------------------------------------ data annexes

    def _collectivite(self, code: str) -> str | None:
        reg = self.corpus.registry
        if code in reg.communes:
            return f"la commune {_de_nom(reg.communes[code].nom)}"
        org = reg.organisations.get(code)
        return OrgView(org).nom_complet if org is not None else None

    def ajouter_equipement(self, v, av, i, op, target, line):
        name = self._collectivite(target)
        if name is None:
            reg = self.corpus.registry
            self._error(av, line, "collectivite-inconnue", f"« {target} » n'est ni un code INSEE du registre ni "
                        f"une organisation{closest(target, list(reg.organisations) + list(reg.communes))}")
            return None
        group = next((g for g in v.equipements if g["collectivite"] == target), None)
        if group is None:
            group = {"collectivite": target, "equipements": []}
            v.equipements.append(group)
        if any(e.nom == op.nom for e in group["equipements"]):
            self._error(av, line, "equipement-existant", f"« {op.nom} » figure déjà parmi les équipements de {name}.")
            return None
        group["equipements"].append(Equipement(type=op.type, nom=op.nom, adresse=op.adresse,
                                               gestionnaire=op.gestionnaire))
        return Change("ajouter_equipement", target, op, line, title=name)

    def retirer_equipement(self, v, av, i, op, target, line):
        group = next((g for g in v.equipements if g["collectivite"] == target), None)
        found = [e for e in (group["equipements"] if group else [])
                 if e.nom == op.nom and (op.type is None or e.type == op.type)]
        if not found:
            names = [e.nom for e in (group["equipements"] if group else [])]
            self._error(av, line, "equipement-inconnu", f"aucun équipement « {op.nom} » pour « {target} » dans "
                        f"la convention{closest(op.nom, names)}")
            return None
        group["equipements"].remove(found[0])
        return Change("retirer_equipement", target, op, line, title=self._collectivite(target) or target)

    def _covered(self, v: Version) -> set[str]:
        territory = self.corpus.registry.organisations.get(v.conv.meta.territoire)
        members = set(territory.communes) if territory else set()
        return (members - {c.insee for c in v.communes_retirees}) | {c.insee for c in v.communes_ajoutees}

    def ajouter_commune(self, v, av, i, op, target, line):
        commune = self.corpus.registry.communes.get(target)
        if commune is None:
            self._error(av, line, "commune-inconnue", f"la commune {target} n'est pas dans les données officielles.")
            return None
        if target in self._covered(v):
            self._error(av, line, "commune-deja-couverte", f"la commune {target} ({commune.nom}) est déjà couverte "
                        "par la convention.")
            return None
        _undo_or_declare(v.communes_retirees, v.communes_ajoutees, commune, op.motif)
        return Change("ajouter_commune", target, op, line, title=commune.nom)

    def retirer_commune(self, v, av, i, op, target, line):
        commune = self.corpus.registry.communes.get(target)
        if commune is None or target not in self._covered(v):
            self._error(av, line, "commune-non-couverte", f"la commune {target}"
                        f"{' (' + commune.nom + ')' if commune else ''} n'est pas couverte par la convention ; "
                        "elle ne peut pas en être retirée.")
            return None
        _undo_or_declare(v.communes_ajoutees, v.communes_retirees, commune, op.motif)
        return Change("retirer_commune", target, op, line, title=commune.nom)


def _undo_or_declare(opposite: list[CommuneDeclaree], declared: list[CommuneDeclaree], commune, motif: str) -> None:
    """A commune added back after being left out (or the reverse) cancels the declaration; otherwise declare it."""
    earlier = [c for c in opposite if c.insee == commune.insee]
    if earlier:
        opposite.remove(earlier[0])
    else:
        declared.append(CommuneDeclaree(insee=commune.insee, nom=commune.nom, motif=motif))


def _de_nom(nom: str) -> str:
    return ("d'" if nom[:1].lower() in "aeiouyéèêh" else "de ") + nom


def _find_or_add(items: list[dict], title: str, child: str) -> dict:
    found = next((x for x in items if x["titre"] == title), None)
    if found is None:
        found = {"titre": title, child: []}
        items.append(found)
    return found
