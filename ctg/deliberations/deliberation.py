"""Délibérations and rapports: decision articles, assembled texts (their checks: checks/deliberations.py).

A délibération (conventions/_deliberations/<id>/deliberation.md) approves documents of the
corpus by identifier. Its decision articles, and the rapport's list of proposed decisions,
are generated from the approved documents' assembled signatories: the parties a
délibération names are, by construction, the document's own signatories other than the
collectivity that deliberates.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..assembly.assemble import lower_first, metadata_block
from ..assembly.parties import OrgView, Party, personne, representative_at
from ..core.diagnostics import Diagnostics
from ..core.document import AssembledDocument, Signatory
from ..core.french import capitalize, date_fr, de, french_typography
from ..sources.corpus import Corpus, DeliberationSource
from ..sources.schemas import Representant

NBSP = "\u00a0"


# ------------------------------------------------------------------ wording


def member(text: str) -> str:
    """A member as written in the source (« M. Jean-Claude Leroy ») with the name in capitals."""
    civ, _, rest = text.partition(" ")
    words = rest.split(" ")
    # the first word is the first name (possibly hyphenated), the rest the surname
    return f"{civ}{NBSP}{words[0]} {' '.join(w.upper() for w in words[1:])}".rstrip()


def join_fr(items: list[str]) -> str:
    """« a, b et c »."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " et " + items[-1]


def document_phrase(doc: AssembledDocument) -> str:
    """« l'avenant n° 2023-001 à la convention … », « la convention territoriale globale … »."""
    title = lower_first(doc.title)
    return f"l'{title}" if doc.kind == "avenant" else f"la {title}"


def other_parties(doc: AssembledDocument, org_id: str) -> list[Signatory]:
    """The document's signatories other than the collectivity that deliberates, in their order."""
    return [s for s in doc.signatories if s.org_id != org_id]


@dataclass(frozen=True)
class Authorised:
    """Who the délibération authorises to sign: the collectivity's representative at the séance."""

    org: OrgView
    representant: Representant

    @property
    def fonction_article(self) -> str:
        """« le Président du Conseil départemental »."""
        return Party(self.org, self.representant, None).fonction_article

    @property
    def au_nom(self) -> str:
        """« au nom et pour le compte du Département »."""
        return f"au nom et pour le compte {self.org.de_designation}"


def decision(lead: str, who: Authorised, doc: AssembledDocument, end: str) -> str:
    """lead: « D'autoriser le Président du Conseil départemental à signer » or « m'autoriser à signer »."""
    others = [s.organisation for s in other_parties(doc, who.org.id)]
    avec = f", avec {join_fr(others)}" if others else ""
    return f"{lead}, {who.au_nom}{avec}, {document_phrase(doc)}, {end}"


def decision_articles(who: Authorised, approved: list[AssembledDocument]) -> list[str]:
    lead = f"D'autoriser {who.fonction_article} à signer"
    return [decision(lead, who, doc, "dans les termes du projet joint en annexe à la présente délibération.")
            for doc in approved]


def proposed_decisions(who: Authorised, approved: list[AssembledDocument]) -> list[str]:
    out = []
    for i, doc in enumerate(approved):
        end = "dans les termes du projet joint en annexe" + (" ;" if i < len(approved) - 1 else ".")
        out.append(decision("m'autoriser à signer", who, doc, end))
    return out


def authorised(corpus: Corpus, delib: DeliberationSource) -> Authorised | None:
    org = corpus.registry.organisations.get(delib.meta.organisation)
    if org is None:
        return None
    rep = representative_at(org, delib.meta.seance)
    return Authorised(OrgView(org), rep) if rep is not None else None


def approving(corpus: Corpus, ident: str) -> list[DeliberationSource]:
    """The délibérations that approve a document, by séance date."""
    found = [d for d in corpus.deliberations.values() if ident in d.meta.approuve]
    return sorted(found, key=lambda d: (d.meta.seance, d.id))


# ------------------------------------------------------------------ assembled texts


@dataclass
class DeliberationTexts:
    deliberation: AssembledDocument
    rapport: AssembledDocument | None
    approved: list[AssembledDocument]


def _short(meta) -> str:
    return f"Délibération n°{NBSP}{meta.numero} du {date_fr(meta.seance)}"


def _members(label_one: str, label_many: str, names: list[str]) -> str:
    if not names:
        return ""
    label = label_one if len(names) == 1 else label_many
    return f"**{label}** : {', '.join(member(n) for n in names)}."


def _signature_block(corpus: Corpus, delib: DeliberationSource) -> str:
    sig = delib.meta.signature
    org = corpus.registry.organisations[sig.signataire]
    rep = representative_at(org, sig.date)
    art = "La" if rep.civilite == "Mme" else "Le"
    lines = [f"{sig.lieu}, le {date_fr(sig.date)}", "", f"{art} {rep.fonction},", "", personne(rep)]
    if sig.delegation:
        lines += ["", f"*{sig.delegation}*"]
    return "::: {.signature-deliberation}\n" + "\n".join(lines) + "\n:::\n"


def _vote_lines(meta) -> str:
    v = meta.vote

    def line(label: str, n: int, groups: list[str]) -> str:
        tail = f" ({' ; '.join(groups)})" if groups else ""
        return f"- {label} : {n} voix{tail} ;"

    lines = [line("Pour", v.pour, v.groupes_pour), line("Contre", v.contre, v.groupes_contre),
             line("Abstention", v.abstention, v.groupes_abstention)]
    if v.sans_participation:
        lines.append(f"- Ne prennent pas part au vote : {v.sans_participation} ;")
    lines[-1] = lines[-1].rstrip(" ;") + "."
    verdict = "Adopté" if meta.resultat == "adopté" else "Rejeté"
    return "Dans les conditions de vote ci-dessous :\n\n" + "\n".join(lines) + f"\n\n**({verdict})**\n"


def _avis_visa(avis) -> str:
    return (f"Vu l'avis {avis.sens} {de(avis.commission)}, rendu lors de sa réunion du {date_fr(avis.date)}")


def deliberation_markdown(corpus: Corpus, delib: DeliberationSource, approved: list[AssembledDocument]) -> str:
    meta = delib.meta
    who = authorised(corpus, delib)
    org = corpus.registry.organisations[meta.organisation]
    anchor = "deliberation"
    parts = []
    pub = meta.publication
    notes = []
    if pub.controle_legalite:
        notes.append(f"Envoi au contrôle de légalité le {date_fr(pub.controle_legalite)}")
    if pub.publication_electronique:
        notes.append(f"Publication électronique le {date_fr(pub.publication_electronique)}")
    if notes:
        parts.append("::: {.mentions-publication}\n" + "\n\n".join(notes) + "\n:::\n")
    parts.append(f"# Délibération n°{NBSP}{meta.numero} {de(meta.assemblee)} {{#{anchor}}}\n")
    head = [f"**{OrgView(org).Nom_complet}** – réunion du {date_fr(meta.seance)}",
            f"Présidence de {personne(meta.presidence)}"]
    if meta.secretaire:
        head.append(f"Secrétaire : {personne(meta.secretaire)}")
    head += [x for x in (
        _members("Était présent", "Étaient présents", meta.presents),
        _members("Excusé", "Excusés", meta.excuses),
        _members("Assistait également sans voix délibérative", "Assistaient également sans voix délibérative",
                 meta.presents_sans_voix),
        _members("Excusé sans voix délibérative", "Excusés sans voix délibérative", meta.excuses_sans_voix),
    ) if x]
    parts.append("::: {.seance}\n" + "\n\n".join(head) + "\n:::\n")
    parts.append(f"## {meta.titre} {{#{anchor}-objet}}\n")
    visas = list(meta.visas)
    if delib.rapport is not None:
        fonction = who.representant.fonction if who else ""
        visas.append(f"Vu le rapport n°{NBSP}{delib.rapport.meta.numero} du {fonction}, ci-annexé")
        visas += [_avis_visa(a) for a in delib.rapport.meta.avis]
    body = [f"{capitalize(meta.assemblee)},"]
    body += [v.rstrip(" ;.") + " ;" for v in visas]
    if delib.body.strip():
        body.append(delib.body.strip())
    body += ["Après en avoir délibéré,", "**DÉCIDE** :"]
    parts.append("\n\n".join(body) + "\n")
    if who is not None:
        for i, text in enumerate(decision_articles(who, approved), start=1):
            label = "1er" if i == 1 else str(i)
            parts.append(f"## Article {label} {{#{anchor}-article-{i}}}\n\n{text}\n")
    parts.append(_vote_lines(meta))
    parts.append(_signature_block(corpus, delib))
    return "\n".join(parts)


def rapport_markdown(corpus: Corpus, delib: DeliberationSource, approved: list[AssembledDocument]) -> str:
    rapport = delib.rapport
    meta, r = delib.meta, rapport.meta
    who = authorised(corpus, delib)
    org = corpus.registry.organisations[meta.organisation]
    orgs = corpus.registry.organisations
    head = [f"**{OrgView(org).Nom_complet}**"] + [x for x in r.service]
    if r.territoires:
        head.append(f"Territoire{'s' if len(r.territoires) > 1 else ''} : {', '.join(r.territoires)}")
    if r.epci:
        names = [capitalize(OrgView(orgs[e]).nom) for e in r.epci if e in orgs]
        head.append(f"Intercommunalité{'s' if len(names) > 1 else ''} : {' ; '.join(names)}")
    head.append(f"{capitalize(meta.assemblee)} – réunion du {date_fr(meta.seance)}")
    parts = [f"# Rapport n°{NBSP}{r.numero} – {meta.titre} {{#rapport}}\n",
             "::: {.seance}\n" + "\n\n".join(head) + "\n:::\n"]
    for section in rapport.sections:
        parts.append(f"## {section.title} {{#rapport-{section.id}}}\n\n{section.text.strip()}\n")
    if who is not None:
        items = "\n".join(f"- {text}" for text in proposed_decisions(who, approved))
        parts.append(f"## Décisions proposées {{#rapport-decisions}}\n\n"
                     f"Il convient de statuer sur cette affaire et, le cas échéant, de :\n\n{items}\n")
    tail = [f"{capitalize(a.commission)} a émis un avis {a.sens} sur ce rapport lors de sa réunion du "
            f"{date_fr(a.date)}." for a in r.avis]
    tail.append("Je vous prie de bien vouloir en délibérer.")
    parts.append("\n\n".join(tail) + "\n")
    if who is not None:
        art = "La" if who.representant.civilite == "Mme" else "Le"
        parts.append(f"::: {{.signature-deliberation}}\n{art} {who.representant.fonction},\n\n"
                     f"{personne(who.representant)}\n:::\n")
    return "\n".join(parts)


def _doc(corpus: Corpus, delib: DeliberationSource, ident: str, title: str, short: str, markdown: str,
         sources: list[str], kind: str) -> AssembledDocument:
    meta = delib.meta
    org = corpus.registry.organisations[meta.organisation]
    text = metadata_block(title, short, org.nom, [], meta.seance, "signée") + markdown
    return AssembledDocument(
        id=ident, kind=kind, parent=None, status="signée" if kind == "deliberation" else "prêt pour signature",
        title=title, short_title=short, territory=org.nom, start=meta.seance, end=meta.seance,
        signed_on=meta.signature.date, markdown=french_typography(text), signatories=[], annexes=[],
        author=org.nom, keywords=[], sources=sources)


def assemble_deliberation(corpus: Corpus, delib: DeliberationSource,
                          docs: dict[str, AssembledDocument], diags: Diagnostics) -> DeliberationTexts | None:
    """docs: the assembled approved documents (at least). None if something is missing (reported)."""
    missing = [i for i in delib.meta.approuve if i not in docs]
    for ident in missing:
        diags.error(delib.path, delib.src.line("approuve", delib.meta.approuve.index(ident)), "document-non-assemble",
                    f"le document « {ident} » n'a pas pu être assemblé ; corrigez d'abord ses erreurs.")
    if missing or authorised(corpus, delib) is None:
        return None
    approved = [docs[i] for i in delib.meta.approuve]
    meta = delib.meta
    title = f"Délibération n°{NBSP}{meta.numero} {de(meta.assemblee)} du {date_fr(meta.seance)}"
    sources = sorted({diags.rel(delib.path), *(s for d in approved for s in d.sources)})
    deliberation = _doc(corpus, delib, delib.id, title, _short(meta),
                        deliberation_markdown(corpus, delib, approved), sources, "deliberation")
    rapport = None
    if delib.rapport is not None:
        r = delib.rapport.meta
        rapport = _doc(corpus, delib, f"{delib.id}-rapport", f"Rapport n°{NBSP}{r.numero} – {meta.titre}",
                       f"Rapport n°{NBSP}{r.numero}", rapport_markdown(corpus, delib, approved),
                       sources + [diags.rel(delib.rapport.path)], "rapport")
    return DeliberationTexts(deliberation, rapport, approved)


def deliberation_ids(corpus: Corpus, ids: list[str]) -> list[str]:
    return [i for i in ids if i in corpus.deliberations]

