"""What a document ready for signature needs from its signatories, that a draft may leave open:
the date of each authorising act, the start of each named representative's mandate; and the order
of the signature cells (« signature: ordre: »), each party exactly once."""

from __future__ import annotations

from ..assembly.context import avenant_signataires, by_office, reference_date
from ..assembly.parties import representative_at
from ..core.diagnostics import Diagnostics, closest
from ..core.french import elided_de
from ..sources.corpus import AvenantSource, Corpus, Located
from ..sources.schemas import Autorisation, Signataire, Signature, Statut

FINAL = (Statut.pret, Statut.signee, Statut.echue)  # « échue » : comme « signée » (docs/verifications.md)


class SignatoryChecks:
    def __init__(self, corpus: Corpus, diags: Diagnostics):
        self.corpus, self.diags = corpus, diags
        self.orgs = corpus.registry.organisations

    def run(self) -> None:
        for conv in self.corpus.conventions.values():
            self.document(conv.src, conv.meta.statut, conv.meta.signature, "signataires", conv.meta.signataires,
                          reference_date(conv.meta.signature.date, conv.meta.periode.debut))
            self.order(conv.src, conv.meta.signature, [s.organisation for s in conv.meta.signataires], "la convention")
        for av in self.corpus.avenants.values():
            self.avenant(av)

    def avenant(self, av: AvenantSource) -> None:
        meta = av.meta
        self.document(av.src, meta.statut, meta.signature, "signataires_ajoutes", meta.signataires_ajoutes,
                      reference_date(meta.signature.date, meta.effet))
        if meta.statut in FINAL:
            for org, aut in meta.autorisations.items():
                self.act_date(av.src, meta.statut, org, aut, ("autorisations", org))
        parent = self.corpus.conventions.get(meta.convention)
        if parent is not None:
            signers = [s.organisation for s in avenant_signataires(self.corpus, av, parent)]
            self.order(av.src, meta.signature, signers, "l'avenant")

    def document(self, src: Located, statut: Statut, signature: Signature, key: str, signataires: list[Signataire],
                 when) -> None:
        if statut not in FINAL:
            return
        for i, s in enumerate(signataires):
            if s.autorisation is not None:
                self.act_date(src, statut, s.organisation, s.autorisation, (key, i, "autorisation"))
            org = self.orgs.get(s.organisation)
            rep = None if org is None or by_office(org, s) else representative_at(org, when)
            if rep is not None and rep.debut is None:
                where = self.corpus.registry.organisation_src.get(org.id)
                self.diags.error(src.path, src.line(key, i), "debut-mandat-absent",
                                 f"le début du mandat {elided_de(f'{rep.prenom} {rep.nom}')} (« {org.id} ») n'est pas connu ; un "
                                 f"document « {statut.value} » nomme un signataire dont le mandat est daté : indiquez "
                                 f"« debut » dans {self.diags.rel(where.path) if where else 'le registre'}, ou "
                                 "désignez le signataire par sa fonction (« fonction: … »).")

    def act_date(self, src: Located, statut: Statut, org: str, aut: Autorisation, loc: tuple) -> None:
        if aut.date is None:
            known = self.orgs.get(org)
            who = f"« {known.nom} » ({org})" if known is not None and known.nom and known.nom != org else f"« {org} »"
            self.diags.error(src.path, src.line(*loc), "autorisation-sans-date",
                             f"l'autorisation de {who} — {aut.acte} — n'a pas de date ; un document "
                             f"« {statut.value} » ne cite que des actes déjà pris : indiquez la « date » de l'acte "
                             "(AAAA-MM-JJ), ou repassez le document au statut « projet ».")

    def order(self, src: Located, signature: Signature, signers: list[str], what: str) -> None:
        """Each signatory of the document exactly once in « signature: ordre: »."""
        if not signature.ordre:
            return
        seen: set[str] = set()
        for i, raw in enumerate(signature.ordre):
            ident = str(raw).lower()
            if ident not in signers:
                self.diags.error(src.path, src.line("signature", "ordre", i), "ordre-signature",
                                 f"« {raw} » n'est pas signataire de {what}{closest(ident, signers)}")
            elif ident in seen:
                self.diags.error(src.path, src.line("signature", "ordre", i), "ordre-signature",
                                 f"« {raw} » figure deux fois dans l'ordre des signatures ; chaque signataire "
                                 "y figure une fois.")
            seen.add(ident)
        missing = [s for s in signers if s not in seen]
        if missing:
            self.diags.error(src.path, src.line("signature", "ordre"), "ordre-signature",
                             f"l'ordre des signatures omet {', '.join(f'« {m} »' for m in missing)} : chaque "
                             f"signataire de {what} y figure une fois.")


def check_signatories(corpus: Corpus, diags: Diagnostics) -> None:
    SignatoryChecks(corpus, diags).run()
