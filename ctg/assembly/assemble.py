"""Assembly: sources + clause library → one Markdown document per output document.

The result (AssembledDocument) is all a writer sees: it never reads sources.
The Markdown is pandoc's, with a few fenced divs that writers give a layout:
.couverture, .parties, .sommaire, .cloture, .signatures/.signataire, .annexe.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from ..core.diagnostics import Diagnostics
from ..core.document import AnnexInfo, AssembledDocument, Signatory
from ..core.french import date_fr, french_typography
from ..sources.corpus import AnnexSource, AvenantSource, ConventionSource, Corpus, Section
from ..sources.loader import REGISTRY_DIR
from ..sources.models import ClauseModel, load_model
from . import annex_content
from .context import (ConventionFacts, avenant_parties, avenant_visas, base_context, convention_facts,
                      sigles_at)
from .local_clauses import LocalClauses, after_signatures_parts, local_clauses
from .numbering import (ArticlePlan, additions, annex_anchor, article_label, fiche_anchor, number_articles,
                        shift_headings, typed_annex_number, typed_numbers)
from .parties import Party
from .signature_block import closing, signature_block
from .templating import ReferenceError_, make_environment, render

DASH = "\u2013"


class Assembler:
    def __init__(self, corpus: Corpus, templates: Path, diags: Diagnostics):
        self.corpus = corpus
        self.templates = templates
        self.diags = diags
        self.env = make_environment(templates)
        self._models: dict[str, ClauseModel | None] = {}
        self._local: dict[str, LocalClauses] = {}  # convention id -> its own clauses (local_clauses.py)
        self.histories: dict = {}  # convention id -> its avenants applied in order (consolidate.py)

    # ------------------------------------------------------------ helpers

    def model(self, name: str, owner: Path, line: int) -> ClauseModel | None:
        if name not in self._models:
            self._models[name] = load_model(self.templates, name, self.diags)
            if self._models[name] is None and not (self.templates / "modeles" / f"{name}.yaml").exists():
                known = sorted(p.stem for p in (self.templates / "modeles").glob("*.yaml"))
                self.diags.error(owner, line, "modele-inconnu",
                                 f"le modèle « {name} » n'existe pas dans templates/modeles/ "
                                 f"(modèles disponibles : {', '.join(known)}).")
        return self._models[name]

    def _render_section(self, section: Section, ctx: dict) -> tuple[str, str] | None:
        title = render(self.env, self.diags, ctx, source=section.title, path=section.path, first_line=section.line)
        body = render(self.env, self.diags, ctx, source=section.text, path=section.path, first_line=section.line + 1)
        if title is None or body is None:
            return None
        return title, body

    def local(self, conv: ConventionSource) -> LocalClauses:
        if conv.id not in self._local:
            model = self.model(conv.meta.modele, conv.path, conv.src.line("modele"))
            self._local[conv.id] = local_clauses(self.corpus, conv, model, self.diags) if model else LocalClauses()
        return self._local[conv.id]

    def _local_of(self, ctx: dict) -> LocalClauses:
        conv = self.corpus.conventions.get(getattr(ctx.get("convention"), "identifiant", ""))
        return self.local(conv) if conv is not None else LocalClauses()

    def _clause(self, ident: str, clause: str, ctx: dict, local: LocalClauses) -> str | None:
        """The text of a library clause, or of the convention's or territory's version of it."""
        if ident in local.overrides:
            path, text = local.overrides[ident]
            return render(self.env, self.diags, ctx, source=text, path=path, first_line=1)
        return render(self.env, self.diags, ctx, template=f"clauses/{clause}", path=self.templates / "clauses" / clause)

    def _render_articles(self, articles: list[ArticlePlan], ctx: dict, local: LocalClauses | None = None) -> list[str]:
        """local: the document's own clauses and additions (by default, those of ctx's convention)."""
        local = self._local_of(ctx) if local is None else local
        style = ctx["convention"].numerotation.sous_articles if "convention" in ctx else "chiffres"
        out = []
        for art in articles:
            own = art.section is None or art.section.path == local.home  # not an avenant's new text
            if art.section is not None:
                rendered = self._render_section(art.section, ctx)
                if rendered is None:
                    continue
                title, body = rendered
            else:
                title = render(self.env, self.diags, ctx, source=art.title or "", path=self.templates / "modeles",
                               first_line=1)
                body = self._clause(art.id, art.clause or "", ctx, local)
                if title is None or body is None:
                    continue
            before, after = local.added.get(art.id, ([], [])) if own else ([], [])
            extra = [self._render_section(s, ctx) for s in (*before, *after)]
            if any(e is None for e in extra):
                continue
            texts = [e[1].strip() for e in extra[:len(before)]] + [body.strip()] + \
                    [e[1].strip() for e in extra[len(before):]]
            body = "\n\n".join(t for t in texts if t)
            heading = f"# {article_label(art.number)} {DASH} {title.strip()} {{#{art.anchor}}}"
            out.append(heading + "\n\n" + shift_headings(body, str(art.number), style) + "\n")
        return out

    def _preamble(self, model: ClauseModel, sections: list[Section], ctx: dict) -> str:
        local = next((s for s in sections if s.id == "preambule"), None)
        if local is not None:
            rendered = self._render_section(local, ctx)
            if rendered is None:
                return ""
            title, body = rendered
        elif model.preambule:
            title = "Préambule"
            body = self._clause("preambule", model.preambule, ctx, self._local_of(ctx))
            if body is None:
                return ""
        else:
            return ""
        return f"# {title.strip()} {{#preambule}}\n\n{shift_headings(body.strip(), None)}\n"

    def _references(self, owner_id: str, articles: list[ArticlePlan], annexes: list[AnnexSource],
                    fiche_numbers: dict[str, str]) -> dict:
        annex_numbers = {a.id: i + 1 for i, a in enumerate(annexes)}
        article_numbers = {a.id: a.number for a in articles}

        def annexe(ident: str) -> str:
            if ident not in annex_numbers:
                raise ReferenceError_(
                    f"renvoi à une annexe inconnue « {ident} » ; annexes de « {owner_id} » : "
                    f"{', '.join(annex_numbers) or 'aucune'}.")
            return f"[Annexe\u00a0{annex_numbers[ident]}](#{annex_anchor(ident)})"

        def article(ident: str) -> str:
            if ident not in article_numbers:
                raise ReferenceError_(
                    f"renvoi à un article inconnu « {ident} » ; articles : {', '.join(article_numbers)}.")
            n = article_numbers[ident]
            return f"[article\u00a0{'1er' if n == 1 else n}](#article-{ident})"

        def fiche(ident: str) -> str:
            if ident not in fiche_numbers:
                raise ReferenceError_(
                    f"renvoi à une fiche action inconnue « {ident} » ; fiches : {', '.join(fiche_numbers) or 'aucune'}.")
            return f"[fiche action n°\u00a0{fiche_numbers[ident]}](#{fiche_anchor(ident)})"

        def a_annexe(ident: str) -> bool:
            return ident in annex_numbers

        return {"annexe": annexe, "article": article, "fiche": fiche, "a_annexe": a_annexe}

    def _annexes(self, annexes: list[AnnexSource], ctx: dict, data: dict, text_so_far: str) -> list[str]:
        rendered: dict[str, str] = {}
        glossary_ids = []
        for number, annex in enumerate(annexes, start=1):
            if annex.meta.contenu.value == "glossaire":
                glossary_ids.append((number, annex))
                continue
            rendered[annex.id] = self._annex(number, annex, ctx, data, None)
        used_text = text_so_far + "\n".join(rendered.values())
        for number, annex in glossary_ids:
            rendered[annex.id] = self._annex(number, annex, ctx, data, used_text)
        return [rendered[a.id] for a in annexes if rendered.get(a.id)]

    def _annex(self, number: int, annex: AnnexSource, ctx: dict, data: dict, used_text: str | None) -> str:
        typed = typed_annex_number(annex.meta.titre)
        if typed:
            self.diags.error(annex.path, annex.src.line("titre"), "numero-tape",
                             f"le titre « {annex.meta.titre} » commence par un numéro tapé (« {typed} ») ; le numéro "
                             "d'une annexe est calculé d'après la liste « annexes » : retirez-le du titre.")
            return ""
        title = render(self.env, self.diags, ctx, source=annex.meta.titre, path=annex.path,
                       first_line=annex.src.line("titre"))
        body = render(self.env, self.diags, ctx, source=annex.body, path=annex.path, first_line=annex.body_line)
        if title is None or body is None:
            return ""
        generated = annex_content.render_generated(annex, self.env, self.diags, ctx, data, used_text)
        if generated is None:
            return ""
        m = annex.meta
        return (f'::: {{.annexe orientation="{m.orientation}" diffusion="{m.diffusion}"}}\n'
                f"# Annexe\u00a0{number} {DASH} {title.strip()} {{#{annex_anchor(annex.id)}}}\n\n"
                f"{body.strip()}\n\n{generated.strip()}\n:::\n")

    # ------------------------------------------------------------ documents

    def _start_recording(self) -> None:
        self.env.cache.clear()  # so that every template a document includes is seen by the loader
        self.env.loader.used.clear()

    def _templates_used(self) -> list[Path]:
        return [self.templates / name for name in sorted(self.env.loader.used)]

    def _registry_files(self, parties: list[Party], facts: ConventionFacts) -> list[Path]:
        reg = self.corpus.registry
        ids = {p.org.id for p in parties} | {s.id for s in facts.sivom}
        if facts.territoire:
            ids.add(facts.territoire.id)
        conv = facts.conv  # organisations named in the annexes: fiche pilots, équipements' collectivités
        ids |= {p for f in conv.fiches.values() for p in f.data.pilotes if p in reg.organisations}
        if conv.equipements is not None:
            ids |= {g.collectivite for g in conv.equipements.collectivites if g.collectivite in reg.organisations}
        paths = [reg.organisation_src[i].path for i in ids if i in reg.organisation_src]
        paths += [reg.commune_src[c.insee][0] for c in facts.communes if c.insee in reg.commune_src]
        for org_id in ids:  # the official record of each EPCI involved (name, members)
            siren = reg.organisations[org_id].siren if org_id in reg.organisations else None
            if siren in reg.epci_src:
                paths.append(reg.epci_src[siren][0])
        if reg.sigles_src is not None:
            paths.append(reg.sigles_src.path)
        if conv.equipements is not None and reg.types_equipements_src is not None:
            paths.append(reg.types_equipements_src.path)
        if conv.meta.donnees_officielles or any(a.meta.colonnes for a in conv.annexes):  # pinned vintages
            paths += [v.folder / name for v in reg.millesimes.values() for name in ("communes.yaml", "epci.yaml")
                      if (v.folder / name).exists()]
        return paths

    def convention(self, conv: ConventionSource) -> AssembledDocument | None:
        meta = conv.meta
        n_errors = len(self.diags.errors)
        self._start_recording()
        facts = convention_facts(self.corpus, conv)
        model = self.model(meta.modele, conv.path, conv.src.line("modele"))
        if model is None:
            return None
        articles = self._articles(model, conv.sections)
        data = annex_content.prepare(self.corpus, conv, facts)
        ctx = base_context(facts, self.corpus) | {"signataires": facts.parties} | data["context"]
        ctx |= self._references(conv.id, articles, conv.annexes, data["fiche_numbers"])
        parts = [
            cover(meta.titre, facts.territoire.nom_complet if facts.territoire else "", meta.periode.debut,
                  meta.periode.fin, facts.parties, meta.statut.value, "convention"),
            parties_section("La présente convention est conclue entre", facts.parties, meta.visas),
            SOMMAIRE,
            self._preamble(model, conv.sections, ctx),
            *self._render_articles(articles, ctx),
            closing("la présente convention", meta.signature.lieu, meta.signature.date, facts.parties,
                    bool(conv.annexes)),
            signature_block(facts.parties, meta.signature.ordre),
            *after_signatures_parts(self.env, self.diags, conv, self.local(conv), ctx, conv.annexes),
        ]
        body = "\n".join(p for p in parts if p)
        annex_parts = self._annexes(conv.annexes, ctx, data, body)
        if len(self.diags.errors) > n_errors:
            return None
        return self._document(
            ident=conv.id, kind="convention", parent=None, status=meta.statut.value, title=meta.titre,
            short_title=meta.titre_court, facts=facts, start=meta.periode.debut, end=meta.periode.fin,
            signed_on=meta.signature.date, parties=facts.parties, annexes=conv.annexes,
            keywords=list(meta.mots_cles), body=body, annex_parts=annex_parts,
            author_id=meta.emetteur,
            sources=self._sources_of(conv, None, self._registry_files(facts.parties, facts)),
        )

    def avenant(self, av: AvenantSource, draft_changes) -> AssembledDocument | None:
        """draft_changes(assembler, avenant, convention): the text of the avenant's structured changes
        (versions/avenant_text.py's avenant_extras), passed in by the caller: drafting them needs the
        convention's history, a later stage than assembly."""
        parent = self.corpus.conventions.get(av.meta.convention)
        if parent is None:
            return None  # reported by validate
        n_errors = len(self.diags.errors)
        self._start_recording()
        facts = convention_facts(self.corpus, parent)
        parties = avenant_parties(self.corpus, av, parent)
        model = self.model("avenant", av.path, 1)
        if model is None:
            return None
        extras = draft_changes(self, av, parent)
        articles = self._articles(model, av.sections + extras.sections)
        added = [p for p in parties if p.org.id in {s.organisation for s in av.meta.signataires_ajoutes}]
        fin = av.meta.fin or parent.meta.periode.fin
        title = f"Avenant n°\u00a0{av.meta.numero} à la {lower_first(parent.meta.titre)}"
        ctx = base_context(facts, self.corpus) | {
            "signataires": parties, "parent": parent.meta, "avenant": av.meta, "ajoutes": added,
            "avenant_fin": fin, "sigles_registre": sigles_at(self.corpus, av.meta.signature.date),
        } | extras.context
        ctx |= self._references(av.id, articles, av.annexes, extras.fiche_numbers)
        visas = avenant_visas(self.corpus, av, parent, lower_first(parent.meta.titre))
        parts = [
            cover(title, facts.territoire.nom_complet if facts.territoire else "", av.meta.effet, fin, parties,
                  av.meta.statut.value, "avenant"),
            parties_section("Le présent avenant est conclu entre", parties, visas),
            SOMMAIRE,
            *self._render_articles(articles, ctx, LocalClauses(added=additions(av.sections), home=av.path)),
            closing("le présent avenant", av.meta.signature.lieu, av.meta.signature.date, parties,
                    bool(av.annexes)),
            signature_block(parties, av.meta.signature.ordre),
        ]
        body = "\n".join(p for p in parts if p)
        annex_parts = self._annexes(av.annexes, ctx, extras.data, body)
        if len(self.diags.errors) > n_errors:
            return None
        return self._document(
            ident=av.id, kind="avenant", parent=parent.id, status=av.meta.statut.value, title=title,
            short_title=f"Avenant {av.meta.numero} – {parent.meta.titre_court}", facts=facts,
            start=av.meta.effet, end=fin, signed_on=av.meta.signature.date, parties=parties,
            annexes=av.annexes, keywords=list(av.meta.mots_cles) or list(parent.meta.mots_cles),
            body=body, annex_parts=annex_parts, author_id=parent.meta.emetteur,
            sources=self._sources_of(parent, av, self._registry_files(parties, facts)),
        )

    def _articles(self, model: ClauseModel, sections: list[Section]) -> list[ArticlePlan]:
        problems: list = []
        articles = number_articles(model, sections, problems)
        typed_numbers(sections, problems)
        for section, code, message in problems:
            self.diags.error(section.path, section.line, code, message)
        return articles

    def _document(self, *, ident, kind, parent, status, title, short_title, facts: ConventionFacts, start, end,
                  signed_on, parties: list[Party], annexes: list[AnnexSource], keywords, body, annex_parts,
                  author_id, sources) -> AssembledDocument:
        author_org = self.corpus.registry.organisations.get(author_id) if author_id else None
        author = (author_org.nom if author_org else (parties[0].org.nom if parties else ""))
        markdown = metadata_block(title, short_title, author, keywords, start, status) + body + "\n" + "\n".join(annex_parts)
        return AssembledDocument(
            id=ident, kind=kind, parent=parent, status=status, title=title, short_title=short_title,
            territory=facts.territoire.nom_complet if facts.territoire else "", start=start, end=end,
            signed_on=signed_on, markdown=french_typography(markdown),
            signatories=[Signatory(p.org.id, p.org.nom_complet, p.personne, p.fonction, p.representation()) for p in parties],
            annexes=[AnnexInfo(a.id, i + 1, a.meta.titre, a.meta.orientation, a.meta.diffusion)
                     for i, a in enumerate(annexes)],
            author=author, keywords=keywords, sources=sources,
            logos=[f"{REGISTRY_DIR}/{p.org.org.logo}" for p in parties if p.org.org.logo],
        )

    def _sources_of(self, conv: ConventionSource, av: AvenantSource | None, registry: list[Path]) -> list[str]:
        models = self.templates / "modeles"
        paths = [*registry, *self._templates_used(), models / f"{conv.meta.modele}.yaml", conv.path,
                 *self.local(conv).paths,
                 *(a.path for a in conv.annexes), *(f.path for f in conv.fiches.values())]
        for src in (conv.equipements_src, conv.plan_src):
            if src is not None:
                paths.append(src.path)
        if av is not None:
            paths += [models / "avenant.yaml", av.path, *(a.path for a in av.annexes), *(f.path for f in av.fiches.values())]
        main = self.diags.rel(av.path if av is not None else conv.path)
        return [main, *sorted({self.diags.rel(p) for p in paths} - {main})]  # the document's own file first


# ---------------------------------------------------------------- fragments

SOMMAIRE = "::: {.sommaire}\nSommaire\n:::\n"


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def metadata_block(title: str, short_title: str, author: str, keywords: list[str], start: dt.date,
                   status: str) -> str:
    meta = {
        "title": title,
        "short-title": short_title,
        "author": author,
        "lang": "fr-FR",
        "date": start.isoformat(),
        "keywords": keywords,
        "statut": status,
    }
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=10_000) + "---\n\n"


def cover(title: str, territory: str, start: dt.date, end: dt.date, parties: list[Party], status: str,
          kind: str) -> str:
    # image paths relative to conventions/, the writers' resource folder
    lines = ["::: {.couverture}"]
    if status == "projet":
        lines += ["::: {.mention-projet}", "PROJET", ":::"]
    lines += ["::: {.titre-document}", title, ":::", "::: {.territoire}", territory[:1].upper() + territory[1:], ":::",
              "::: {.periode}", f"{start.year} {DASH} {end.year}" if kind == "convention"
              else f"Du {date_fr(start)} au {date_fr(end)}", ":::"]
    lines += ["::: {.signataires-couverture}", "Entre", ""]
    lines += [line for p in parties for line in (p.org.Nom_complet, "")]
    lines.append(":::")
    lines.append(":::")
    return "\n".join(lines) + "\n"


def parties_section(intro: str, parties: list[Party], visas: list[str]) -> str:
    """Visas, then « Entre : » and one paragraph per party (« d'une part / d'autre part » for two)."""
    blocks = [v.rstrip(" ;.") + (" ;" if i < len(visas) - 1 else ".") for i, v in enumerate(visas)]
    blocks.append(f"{intro} :")
    n = len(parties)
    for i, party in enumerate(parties):
        if n == 2:
            end = ", d'une part," if i == 0 else ", d'autre part."
        else:
            end = " ;" if i < n - 1 else "."
        blocks.append(party.comparution() + end)
        if i == n - 2:
            blocks.append("et")
    return "::: {.parties}\n" + "\n\n".join(blocks) + "\n:::\n"

