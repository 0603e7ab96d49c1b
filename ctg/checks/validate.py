"""Cross-file checks on a loaded corpus: every problem is collected with its file and line."""

from __future__ import annotations

import re
from pathlib import Path

from ..assembly.context import by_office, covered_communes, earlier_avenants, reference_date
from ..assembly.parties import OrgView, overlapping_mandates, representative_at
from ..core.confine import excerpt, image_problem
from ..core.diagnostics import Diagnostics, closest
from ..core.french import BLANK_RX, date_fr
from ..sources.corpus import AvenantSource, ConventionSource, Corpus, Located
from ..sources.schemas import Signataire, Statut
from .clause_files import check_clause_folders
from .deliberations import check_deliberations, check_forms
from .equipment_types import check_equipment_types
from .epci_names import check_epci_names
from .signatories import check_signatories
from .renewals import check_renewals
from .territory_checks import check_territory

FINAL = (Statut.pret, Statut.signee)

PLACEHOLDERS = [
    (re.compile(r"JJ/MM/AAAA", re.I), "date à compléter « JJ/MM/AAAA »"),
    (re.compile(r"\bX{3,}\b"), "marque « XXX »"),
    (re.compile(r"\bTODO\b", re.I), "marque « TODO »"),
    (re.compile(r"\bTBD\b"), "marque « TBD »"),
    (re.compile(r"\[\s*(?:à|a) (?:compléter|completer|préciser|preciser)[^\]]*\]|\b(?:À|A) COMPL[ÉE]TER\b"),
     "mention « [à compléter] »"),
    (re.compile(r"\.{4,}|…\s*…|_{4,}"), "pointillés à remplir"),
    (re.compile(r"\ben\s+(?:…|\.{2,}|_+)\s*exemplaires", re.I), "nombre d'exemplaires laissé en blanc"),
    (re.compile(r"\bLe\s*\.{2,}", re.I), "date laissée en blanc"),
]


def find_placeholders(text: str) -> list[tuple[int, str, str]]:
    """(line index from 0, description, excerpt) for each placeholder in text."""
    found = []
    for i, line in enumerate(text.split("\n")):
        line = BLANK_RX.sub("", line)  # a form's blank, labelled with what to write there, is meant
        for rx, what in PLACEHOLDERS:
            m = rx.search(line)
            if m:
                found.append((i, what, excerpt(m.group(0), 40)))
                break
    return found


class Validator:
    def __init__(self, corpus: Corpus, diags: Diagnostics):
        self.corpus = corpus
        self.diags = diags
        self.orgs = corpus.registry.organisations

    def run(self) -> None:
        self.registry()
        for conv in self.corpus.conventions.values():
            self.convention(conv)
        for av in self.corpus.avenants.values():
            self.avenant(av)
        check_territory(self.corpus, self.diags)
        check_equipment_types(self.corpus, self.diags)
        check_epci_names(self.corpus, self.diags)
        check_renewals(self.corpus, self.diags)  # remplace:, donnees_officielles:, colonnes:
        check_deliberations(self.corpus, self.diags)  # conventions/_deliberations/
        check_forms(self.corpus, self.diags)  # maires.yaml
        check_clause_folders(self.corpus, self.diags)  # _registre/clauses/<territoire>/
        check_signatories(self.corpus, self.diags)  # acts' dates, mandates' starts, order of the signatures

    # ------------------------------------------------------------ registry

    def registry(self) -> None:
        reg = self.corpus.registry
        for oid, org in self.orgs.items():
            if oid in reg.commune_parties:
                continue  # made from the official data and maires.yaml (checked by check_forms)
            src = reg.organisation_src[oid]
            for i, code in enumerate(org.communes):
                if code not in reg.communes:
                    self.diags.error(src.path, src.line("communes", i), "commune-inconnue",
                                     f"la commune {code} n'est pas dans les données officielles "
                                     f"({self.diags.rel(reg.root / 'officiel')}).")
            for prev, nxt in overlapping_mandates(org.representants):
                i = org.representants.index(nxt)
                self.diags.error(src.path, src.line("representants", i), "mandats-chevauches",
                                 f"le mandat de {nxt.prenom} {nxt.nom} commence avant la fin de celui de "
                                 f"{prev.prenom} {prev.nom} ; précisez la date de fin du mandat précédent.")
            problem = image_problem(org.logo, reg.root, (self.corpus.root,)) if org.logo else None
            if problem is not None:  # checked by content, inside the project: never another file
                self.diags.error(src.path, src.line("logo"), "logo-introuvable",
                                 f"le logo « {excerpt(org.logo)} » est refusé : {problem} (chemin relatif au "
                                 "dossier _registre, sans sortir du dépôt).")

    # ------------------------------------------------------------ signatories

    def signatories(self, owner: Located, key: str, signataires: list[Signataire], when, what: str) -> None:
        seen = set()
        for i, s in enumerate(signataires):
            line = owner.line(key, i, "organisation")
            org = self.orgs.get(s.organisation)
            if org is None and s.commune is not None:
                self.diags.error(owner.path, line, "commune-inconnue",
                                 f"la commune {s.commune} n'est pas dans les données officielles "
                                 f"({self.diags.rel(self.corpus.registry.root / 'officiel')}) ; vérifiez le code INSEE.")
                continue
            if org is None:
                self.diags.error(owner.path, line, "organisation-inconnue",
                                 f"le signataire « {s.organisation} » n'existe pas dans le registre"
                                 f"{closest(s.organisation, self.orgs)}")
                continue
            if s.organisation in seen:
                self.diags.error(owner.path, line, "signataire-en-double", f"« {s.organisation} » signe deux fois.")
            seen.add(s.organisation)
            if by_office(org, s):
                if not (s.fonction or OrgView(org).default_function):
                    self.diags.error(owner.path, line, "fonction-absente",
                                     f"le registre ne nomme aucun représentant de « {org.id} » : indiquez la "
                                     "fonction du signataire (« fonction: Directeur »).")
            elif representative_at(org, when) is None:
                src = self.corpus.registry.organisation_src[org.id]
                self.diags.error(owner.path, line, "representant-absent",
                                 f"aucun représentant de « {org.id} » n'est en fonction le {date_fr(when)}, date de "
                                 f"référence {what} ; complétez les mandats dans {self.diags.rel(src.path)}.")

    # ------------------------------------------------------------ conventions

    def convention(self, conv: ConventionSource) -> None:
        meta, src = conv.meta, conv.src
        when = reference_date(meta.signature.date, meta.periode.debut)
        self.signatories(src, "signataires", meta.signataires, when,
                         "(date de signature)" if meta.signature.date else "(début de la convention)")
        territory = self.orgs.get(meta.territoire)
        if territory is None:
            self.diags.error(conv.path, src.line("territoire"), "organisation-inconnue",
                             f"le territoire « {meta.territoire} » n'existe pas dans le registre"
                             f"{closest(meta.territoire, self.orgs)}")
        elif territory.type.value != "epci":
            self.diags.error(conv.path, src.line("territoire"), "territoire-invalide",
                             f"le territoire « {meta.territoire} » doit être une intercommunalité (type epci).")
        for i, sid in enumerate(meta.sivom):
            org = self.orgs.get(sid)
            if org is None or org.type.value != "sivom":
                self.diags.error(conv.path, src.line("sivom", i), "organisation-inconnue",
                                 f"« {sid} » n'est pas un SIVOM du registre{closest(sid, self.orgs)}")
        if meta.emetteur and meta.emetteur not in self.orgs:
            self.diags.error(conv.path, src.line("emetteur"), "organisation-inconnue",
                             f"l'émetteur « {meta.emetteur} » n'existe pas dans le registre.")
        self.status(conv.path, src, meta.statut, meta.signature)
        self.annex_data(conv)
        self.equipment(conv, territory)
        self.plan(conv)
        if meta.statut in FINAL:
            self.scan_meta(src)
            self.no_placeholders(conv.path, conv.body_line, [s.text for s in conv.sections], conv.sections)
            for annex in conv.annexes:
                self.scan(annex.path, annex.body_line, annex.body)
            for fiche in conv.fiches.values():
                self.scan(fiche.path, 1, fiche.path.read_text(encoding="utf-8"))

    def status(self, path: Path, src: Located, statut: Statut, signature) -> None:
        if statut == Statut.signee and not (signature.lieu and signature.date):
            self.diags.error(path, src.line("statut"), "signature-incomplete",
                             "un document « signée » doit indiquer « signature : » avec « lieu » et « date ».")
        if statut == Statut.pret and not signature.lieu:
            self.diags.error(path, src.line("statut"), "signature-incomplete",
                             "un document « prêt pour signature » doit indiquer le lieu de signature "
                             "(« signature : lieu : … »).")

    def annex_data(self, conv: ConventionSource) -> None:
        kinds = {a.meta.contenu.value: a for a in conv.annexes}
        if "equipements" in kinds and conv.equipements_src is None \
                and not self.diags.failed(conv.folder / "donnees" / "equipements.yaml"):
            a = kinds["equipements"]
            self.diags.error(a.path, a.src.line("contenu"), "donnees-absentes",
                             "cette annexe affiche les équipements mais donnees/equipements.yaml est absent.")
        if "plan-actions" in kinds and conv.plan_src is None \
                and not self.diags.failed(conv.folder / "donnees" / "plan-actions.yaml"):
            a = kinds["plan-actions"]
            self.diags.error(a.path, a.src.line("contenu"), "donnees-absentes",
                             "cette annexe affiche le plan d'actions mais donnees/plan-actions.yaml est absent.")
        if conv.equipements_src is not None and "equipements" not in kinds:
            self.diags.warning(conv.equipements_src.path, 1, "donnees-inutilisees",
                               "aucune annexe de contenu « equipements » n'affiche ces données.")
        if conv.plan_src is not None and "plan-actions" not in kinds:
            self.diags.warning(conv.plan_src.path, 1, "donnees-inutilisees",
                               "aucune annexe de contenu « plan-actions » n'affiche ce plan.")

    def equipment(self, conv: ConventionSource, territory) -> None:
        if conv.equipements is None or conv.equipements_src is None:
            return
        covered = {c.insee for c in covered_communes(self.corpus, conv)}  # EPCI members ± declared
        signatory_orgs = {s.organisation for s in conv.meta.signataires} | set(conv.meta.sivom)
        signatory_communes = {self.orgs[o].insee for o in signatory_orgs if o in self.orgs and self.orgs[o].insee}
        src = conv.equipements_src
        for i, group in enumerate(conv.equipements.collectivites):
            code = group.collectivite
            line = src.line("collectivites", i, "collectivite")
            if code in covered or code in signatory_orgs or code in signatory_communes:
                continue
            if code in self.corpus.registry.communes:
                name = self.corpus.registry.communes[code].nom
                self.diags.error(src.path, line, "commune-non-couverte",
                                 f"la commune {code} ({name}) a des équipements soutenus mais n'est ni couverte par "
                                 "la convention (membre de l'EPCI) ni signataire ; ajoutez-la ou retirez ses équipements.")
            elif code in self.orgs:
                self.diags.error(src.path, line, "collectivite-non-signataire",
                                 f"« {code} » a des équipements soutenus mais n'est ni signataire ni SIVOM de la convention.")
            else:
                self.diags.error(src.path, line, "collectivite-inconnue",
                                 f"« {code} » n'est ni un code INSEE du registre ni une organisation"
                                 f"{closest(code, list(self.orgs) + list(self.corpus.registry.communes))}")

    def plan(self, conv: ConventionSource) -> None:
        if conv.plan is None or conv.plan_src is None:
            return
        src = conv.plan_src
        placed: set[str] = set()
        for node in conv.plan.nodes():
            for f, fid in enumerate(node.fiches):
                line = src.line(*node.loc, "fiches", f)
                if fid not in conv.fiches and not self.diags.failed(conv.folder / "fiches" / f"{fid}.yaml"):
                    self.diags.error(src.path, line, "fiche-inconnue",
                                     f"la fiche « {fid} » n'existe pas (fichier fiches/{fid}.yaml absent)"
                                     f"{closest(fid, conv.fiches)}")
                elif fid in node.fiches[:f]:
                    self.diags.error(src.path, line, "fiche-en-double",
                                     f"la fiche « {fid} » est déjà citée dans cet élément du plan.")
                placed.add(fid)
        for fid, fiche in sorted(conv.fiches.items()):
            if fid not in placed:
                self.diags.error(fiche.path, 1, "fiche-non-placee",
                                 f"la fiche « {fid} » n'est rattachée à aucun élément du plan d'actions "
                                 f"({self.diags.rel(src.path)}).")
            self.fiche_fields(fiche, conv.plan.champs, src)

    def fiche_fields(self, fiche, champs: tuple[str, ...], plan_src) -> None:
        """A field written in a fiche but not chosen by the plan's « champs » would not be printed."""
        for key in fiche.src.doc.data if isinstance(fiche.src.doc.data, dict) else ():
            if key != "titre" and key not in champs:
                self.diags.error(fiche.path, fiche.src.line(key), "champ-non-retenu",
                                 f"le champ « {key} » n'est pas retenu par le plan d'actions "
                                 f"({self.diags.rel(plan_src.path)}, clé « champs » : {', '.join(champs)}) ; "
                                 "ajoutez-le à cette liste ou retirez-le de la fiche.")

    # ------------------------------------------------------------ avenants

    def avenant(self, av: AvenantSource) -> None:
        meta, src = av.meta, av.src
        parent = self.corpus.conventions.get(meta.convention)
        if parent is None:
            self.diags.error(av.path, src.line("convention"), "convention-inconnue",
                             f"la convention « {meta.convention} » n'existe pas{closest(meta.convention, self.corpus.conventions)}")
            return
        if av.folder is not None and parent.folder != av.folder:
            self.diags.error(av.path, src.line("convention"), "avenant-mal-place",
                             f"cet avenant modifie « {meta.convention} » mais se trouve dans le dossier d'une autre "
                             f"convention ; déplacez-le dans {self.diags.rel(parent.folder / 'avenants')}.")
        p = parent.meta.periode
        if not (p.debut <= meta.effet <= p.fin):
            self.diags.error(av.path, src.line("effet"), "effet-hors-periode",
                             f"la date d'effet ({date_fr(meta.effet)}) est hors de la période de la convention "
                             f"(du {date_fr(p.debut)} au {date_fr(p.fin)}).")
        if meta.fin and (meta.fin < meta.effet or meta.fin > p.fin):
            self.diags.error(av.path, src.line("fin"), "fin-hors-periode",
                             f"la fin de l'avenant ({date_fr(meta.fin)}) doit suivre sa date d'effet et ne pas "
                             f"dépasser la fin de la convention ({date_fr(p.fin)}).")
        signed, parent_signed = meta.signature.date, parent.meta.signature.date
        if signed and parent_signed and signed < parent_signed:
            self.diags.error(av.path, src.line("signature", "date"), "avenant-signe-avant",
                             f"l'avenant est signé le {date_fr(signed)}, avant la convention qu'il modifie "
                             f"(signée le {date_fr(parent_signed)}) ; corrigez l'une des deux dates.")
        if parent.meta.statut not in (Statut.signee, Statut.echue):
            self.diags.error(av.path, src.line("convention"), "parent-non-signe",
                             f"un avenant modifie une convention signée ; « {parent.id} » est au statut "
                             f"« {parent.meta.statut.value} ».")
        when = reference_date(meta.signature.date, meta.effet)
        what = "(date de signature)" if meta.signature.date else "(date d'effet)"
        parent_orgs = {s.organisation for s in parent.meta.signataires}
        self.signatories(parent.src, "signataires",
                         [Signataire(organisation=s.organisation) for s in parent.meta.signataires], when,
                         f"{what} de l'avenant {meta.numero}")
        self.earlier_avenants(av, when, what, parent_orgs)
        self.signatories(src, "signataires_ajoutes", meta.signataires_ajoutes, when, what)
        for i, s in enumerate(meta.signataires_ajoutes):
            if s.organisation in parent_orgs:
                self.diags.error(av.path, src.line("signataires_ajoutes", i, "organisation"), "signataire-deja-partie",
                                 f"« {s.organisation} » est déjà signataire de la convention ou d'un avenant "
                                 "précédent.")
        everyone = parent_orgs | {s.organisation for s in meta.signataires_ajoutes}
        for key in meta.autorisations:
            if key not in everyone:
                self.diags.error(av.path, src.line("autorisations", key), "organisation-inconnue",
                                 f"« {key} » n'est pas signataire de cet avenant{closest(key, everyone)}")
        self.status(av.path, src, meta.statut, meta.signature)
        if meta.statut in FINAL:
            self.scan_meta(src)
            self.no_placeholders(av.path, av.body_line, [s.text for s in av.sections], av.sections)
            for annex in av.annexes:
                self.scan(annex.path, annex.body_line, annex.body)

    def earlier_avenants(self, av: AvenantSource, when, what: str, parent_orgs: set[str]) -> None:
        """An avenant is drafted on the convention as the avenants before it amend it: their added
        parties sign it too (parent_orgs grows with them), and each must be signed first."""
        for earlier in earlier_avenants(self.corpus, av):
            self.signatories(earlier.src, "signataires_ajoutes", earlier.meta.signataires_ajoutes, when,
                             f"{what} de l'avenant {av.meta.numero}")
            parent_orgs |= {s.organisation for s in earlier.meta.signataires_ajoutes}
            if earlier.meta.statut not in (Statut.signee, Statut.echue):
                self.diags.warning(av.path, av.src.line("numero"), "avenant-precedent-non-signe",
                                   f"l'avenant n°\u00a0{earlier.meta.numero} ({self.diags.rel(earlier.path)}), "
                                   f"qui précède celui-ci, est au statut « {earlier.meta.statut.value} » : ce texte "
                                   "est rédigé sur la convention telle qu'il la modifie ; il doit être signé avant "
                                   "celui-ci.")

    # ------------------------------------------------------------ placeholders

    def no_placeholders(self, path: Path, body_line: int, texts: list[str], sections) -> None:
        for section in sections:
            self.scan(section.path, section.line + 1, section.text)
            self.scan(section.path, section.line, section.title)

    def scan_meta(self, src: Located) -> None:
        """Blanks in the front matter (visas, titles…), each at the line of its value."""
        def walk(value, loc: tuple) -> None:
            if isinstance(value, str):
                self.scan(src.path, src.line(*loc), value.replace("\n", " "))
            elif isinstance(value, dict):
                for key, item in value.items():
                    walk(item, loc + (key,))
            elif isinstance(value, list):
                for i, item in enumerate(value):
                    walk(item, loc + (i,))

        walk(src.doc.data, ())

    def scan(self, path: Path, first_line: int, text: str) -> None:
        for i, what, quoted in find_placeholders(text):
            self.diags.error(path, first_line + i, "texte-a-completer",
                             f"{what} (« {quoted} ») dans un document prêt pour signature ou signé ; "
                             "complétez le texte ou repassez le document au statut « projet ».")


def validate_corpus(corpus: Corpus, diags: Diagnostics) -> None:
    Validator(corpus, diags).run()
