"""Checks of the délibérations and rapports (conventions/_deliberations/) and of the mayors' terms
(maires.yaml), the sources of the councils' dossiers and the communes' forms."""

from __future__ import annotations

from dataclasses import dataclass

from ..assembly.parties import overlapping_mandates, personne, representative_at
from ..core.diagnostics import Diagnostics, closest
from ..core.french import date_fr
from ..sources.corpus import Corpus, DeliberationSource
from ..sources.schemas import Statut

NBSP = "\u00a0"


def check_deliberations(corpus: Corpus, diags: Diagnostics) -> None:
    for delib in corpus.deliberations.values():
        _check(corpus, delib, diags)


def _check(corpus: Corpus, delib: DeliberationSource, diags: Diagnostics) -> None:
    meta, src, path = delib.meta, delib.src, delib.path
    orgs = corpus.registry.organisations
    org = orgs.get(meta.organisation)
    if org is None:
        diags.error(path, src.line("organisation"), "organisation-inconnue",
                    f"l'organisation « {meta.organisation} » n'existe pas dans le registre{closest(meta.organisation, orgs)}")
    elif representative_at(org, meta.seance) is None:
        diags.error(path, src.line("organisation"), "representant-absent",
                    f"aucun représentant de « {org.id} » n'est en fonction le {date_fr(meta.seance)}, date de la "
                    "séance ; complétez les mandats dans le registre.")
    signer = orgs.get(meta.signature.signataire)
    if signer is None:
        diags.error(path, src.line("signature", "signataire"), "organisation-inconnue",
                    f"le signataire « {meta.signature.signataire} » n'existe pas dans le registre"
                    f"{closest(meta.signature.signataire, orgs)}")
    elif representative_at(signer, meta.signature.date) is None:
        diags.error(path, src.line("signature", "signataire"), "representant-absent",
                    f"aucun représentant de « {signer.id} » n'est en fonction le {date_fr(meta.signature.date)}, "
                    "date de signature de la délibération.")
    _check_members(delib, diags)
    _check_vote(delib, diags)
    _check_dates(delib, diags)
    _check_approved(corpus, delib, diags)
    _check_rapport(corpus, delib, diags)


def _check_members(delib: DeliberationSource, diags: Diagnostics) -> None:
    meta, src, path = delib.meta, delib.src, delib.path
    seen: dict[str, str] = {}
    for key in ("presents", "excuses", "presents_sans_voix", "excuses_sans_voix"):
        for i, name in enumerate(getattr(meta, key)):
            k = _key(name)
            if k in seen:
                diags.error(path, src.line(key, i), "membre-en-double",
                            f"« {name} » figure déjà dans « {seen[k]} » ; un membre n'apparaît qu'une fois.")
            seen.setdefault(k, key)
    present = {_key(n) for n in meta.presents}
    for key, who in (("presidence", meta.presidence), ("secretaire", meta.secretaire)):
        if who is not None and _key(f"{who.civilite} {who.prenom} {who.nom}") not in present:
            diags.error(path, src.line(key), "membre-absent",
                        f"{personne(who)} ({'présidence' if key == 'presidence' else 'secrétaire'}) ne figure pas "
                        "parmi les membres présents (« presents »).")


def _check_vote(delib: DeliberationSource, diags: Diagnostics) -> None:
    meta, src, path = delib.meta, delib.src, delib.path
    v = meta.vote
    votes = v.pour + v.contre + v.abstention + v.sans_participation
    expected = len(meta.presents) + v.pouvoirs
    if votes != expected:
        detail = f"{len(meta.presents)} membres présents" + (f" et {v.pouvoirs} pouvoirs" if v.pouvoirs else "")
        diags.error(path, src.line("vote"), "vote-incoherent",
                    f"les voix ne correspondent pas aux membres présents : pour {v.pour} + contre {v.contre} "
                    f"+ abstention {v.abstention}" + (f" + sans participation {v.sans_participation}"
                                                      if v.sans_participation else "")
                    + f" = {votes}, alors que {detail} donnent {expected} voix.")
    if v.pouvoirs > len(meta.excuses):
        diags.error(path, src.line("vote", "pouvoirs"), "pouvoirs-excessifs",
                    f"{v.pouvoirs} pouvoirs pour {len(meta.excuses)} membres excusés : un pouvoir ne peut venir "
                    "que d'un membre excusé.")
    adopted = v.pour > v.contre
    if (meta.resultat == "adopté") != adopted:
        diags.error(path, src.line("resultat"), "resultat-incoherent",
                    f"le résultat « {meta.resultat} » ne correspond pas au vote (pour {v.pour}, contre {v.contre}).")


def _check_dates(delib: DeliberationSource, diags: Diagnostics) -> None:
    meta, src, path = delib.meta, delib.src, delib.path
    if meta.signature.date < meta.seance:
        diags.error(path, src.line("signature", "date"), "date-incoherente",
                    f"la délibération est signée le {date_fr(meta.signature.date)}, avant la séance du "
                    f"{date_fr(meta.seance)}.")
    for key in ("controle_legalite", "publication_electronique"):
        when = getattr(meta.publication, key)
        if when is not None and when < meta.seance:
            diags.error(path, src.line("publication", key), "date-incoherente",
                        f"la date « {key} » ({date_fr(when)}) précède la séance du {date_fr(meta.seance)}.")


def _check_approved(corpus: Corpus, delib: DeliberationSource, diags: Diagnostics) -> None:
    meta, src, path = delib.meta, delib.src, delib.path
    known = corpus.documents()
    seen = set()
    for i, ident in enumerate(meta.approuve):
        line = src.line("approuve", i)
        if ident in seen:
            diags.error(path, line, "document-en-double", f"« {ident} » est approuvé deux fois.")
            continue
        seen.add(ident)
        statut = status_of(corpus, ident)
        if statut is None and diags.failed(corpus.root / ident.split("-avenant-")[0]):
            continue  # its sources have errors (reported): it is not « unknown »
        if statut is None:
            diags.error(path, line, "document-inconnu",
                        f"aucun document « {ident} » dans le corpus{closest(ident, known)}")
            continue
        if statut == Statut.projet:
            diags.error(path, line, "approbation-projet",
                        f"« {ident} » est au statut « projet » : une délibération n'approuve qu'un texte arrêté ; "
                        "passez-le au statut « prêt pour signature » ou retirez-le de « approuve ».")
        signataires, autorisations = _signatories_of(corpus, ident)
        if meta.organisation not in signataires:
            diags.error(path, line, "non-signataire",
                        f"« {meta.organisation} » n'est pas signataire de « {ident} » : la délibération ne peut "
                        "pas autoriser sa signature.")
            continue
        aut, owner = autorisations.get(meta.organisation, (None, None))
        if aut is not None and aut.numero and aut.numero != meta.numero:
            diags.error(owner.path, owner.line, "autorisation-incoherente",
                        f"l'autorisation de « {meta.organisation} » cite la délibération n° {aut.numero}, mais "
                        f"c'est la délibération n° {meta.numero} ({diags.rel(path)}) qui approuve ce document.")
        elif aut is not None and aut.date is not None and aut.date != meta.seance:
            diags.error(owner.path, owner.line, "autorisation-incoherente",
                        f"l'autorisation de « {meta.organisation} » est datée du {date_fr(aut.date)}, mais la "
                        f"délibération n° {meta.numero} a été prise le {date_fr(meta.seance)}.")


@dataclass
class _Where:
    path: object
    line: int


def _signatories_of(corpus: Corpus, ident: str):
    """(signatory organisation ids, {org: (autorisation, where it is written)}) of a document."""
    if ident in corpus.conventions:
        conv = corpus.conventions[ident]
        sigs = conv.meta.signataires
        auts = {s.organisation: (s.autorisation, _Where(conv.path, conv.src.line("signataires", i, "autorisation")))
                for i, s in enumerate(sigs)}
        return [s.organisation for s in sigs], auts
    av = corpus.avenants[ident]
    parent = corpus.conventions.get(av.meta.convention)
    orgs = ([s.organisation for s in parent.meta.signataires] if parent else []) + \
        [s.organisation for s in av.meta.signataires_ajoutes]
    auts = {s.organisation: (s.autorisation, _Where(av.path, av.src.line("signataires_ajoutes", i, "autorisation")))
            for i, s in enumerate(av.meta.signataires_ajoutes)}
    for org, aut in av.meta.autorisations.items():
        auts[org] = (aut, _Where(av.path, av.src.line("autorisations", org)))
    return orgs, auts


def _check_rapport(corpus: Corpus, delib: DeliberationSource, diags: Diagnostics) -> None:
    meta, src, path = delib.meta, delib.src, delib.path
    rapport = delib.rapport
    if meta.rapport is not None and rapport is None:
        if not (delib.folder / "rapport.md").exists():
            diags.error(path, src.line("rapport"), "rapport-absent",
                        f"la délibération répond au rapport n° {meta.rapport}, mais {diags.rel(delib.folder / 'rapport.md')} "
                        "n'existe pas.")
        return
    if rapport is None:
        return
    if meta.rapport is None:
        diags.error(path, src.line("identifiant"), "rapport-non-cite",
                    f"le dossier contient le rapport n° {rapport.meta.numero} : indiquez « rapport : "
                    f"{rapport.meta.numero} » dans l'en-tête de la délibération.")
    elif meta.rapport != rapport.meta.numero:
        diags.error(path, src.line("rapport"), "rapport-incoherent",
                    f"la délibération cite le rapport n° {meta.rapport}, mais {diags.rel(rapport.path)} porte le "
                    f"n° {rapport.meta.numero}.")
    orgs = corpus.registry.organisations
    for i, ident in enumerate(rapport.meta.epci):
        org = orgs.get(ident)
        if org is None or org.type.value != "epci":
            diags.error(rapport.path, rapport.src.line("epci", i), "organisation-inconnue",
                        f"« {ident} » n'est pas une intercommunalité du registre{closest(ident, orgs)}")
    covered: dict[str, int] = {}
    for section in rapport.sections:
        target = section.attrs.get("document")
        if target is None:
            continue
        if target not in meta.approuve:
            diags.error(rapport.path, section.line, "document-non-approuve",
                        f"cette partie présente « {target} », que la délibération n'approuve pas "
                        f"(« approuve » : {', '.join(meta.approuve)}).")
        elif target in covered:
            diags.error(rapport.path, section.line, "document-en-double",
                        f"« {target} » est déjà présenté ligne {covered[target]}.")
        covered.setdefault(target, section.line)
    for i, ident in enumerate(meta.approuve):
        if ident not in covered:
            diags.error(path, src.line("approuve", i), "rapport-incomplet",
                        f"le rapport ne présente pas « {ident} » : ajoutez-y une partie « ## Titre "
                        f"{{#identifiant document={ident}}} ».")


def _key(text: str) -> str:
    return " ".join(text.replace(NBSP, " ").casefold().split())


def status_of(corpus: Corpus, ident: str) -> Statut | None:
    if ident in corpus.conventions:
        return corpus.conventions[ident].meta.statut
    if ident in corpus.avenants:
        return corpus.avenants[ident].meta.statut
    return None


def check_forms(corpus: Corpus, diags: Diagnostics) -> None:
    """Mayors' terms (maires.yaml): known communes, no overlap."""
    reg = corpus.registry
    src = reg.maires_src
    if src is None:
        return
    for code, terms in reg.maires.items():
        if code not in reg.communes:
            diags.error(src.path, src.line("maires", code), "commune-inconnue",
                        f"la commune {code} n'est pas dans les données officielles.")
        for prev, nxt in overlapping_mandates(terms):
            diags.error(src.path, src.line("maires", code, terms.index(nxt)), "mandats-chevauches",
                        f"le mandat de {nxt.prenom} {nxt.nom} commence avant la fin de celui de "
                        f"{prev.prenom} {prev.nom} ; précisez la date de fin du mandat précédent.")
