"""« build.py fiches ID »: the forms of a convention pre-filled for each commune and SIVOM.

A convention's annex lists its form templates (« formulaires : [...] », files
formulaires/<id>.md: front matter + Markdown with Jinja2, see docs/deliberations.md).
For every collectivity they concern — the communes the convention covers, its SIVOM —
the templates are rendered with that collectivity's facts: name, INSEE code, mayor or
president at the reference date (registry: maires.yaml, or an organisation of the
registry with its representatives), convention, intercommunal délibération. A fact
that is not known in advance, or a mayor the registry does not know, is an allowed
blank (blanc("…")): a visible dotted line with what to write there, never an invented
value.

Outputs, in dist/<convention>/formulaires/: one DOCX and one PDF per collectivity, named
after it, and one DOCX and one PDF with all of them for printing. Each PDF is LibreOffice's
export of the DOCX beside it (one LibreOffice for all of them). Speed: pandoc runs once per
kind of collectivity (see produce()).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import sys
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..core import pandoc
from ..assembly.assemble import metadata_block
from ..core.document import AssembledDocument
from ..assembly.context import convention_facts, reference_date
from ..sources.corpus import ConventionSource, Corpus, FormSource
from ..core.diagnostics import Diagnostic, Diagnostics, UserError
from ..core.french import NBSP, blank, capitalize, date_fr, de, french_typography, seconds
from ..core.outputs import write_atomic
from ..assembly.parties import autorisation_text, in_office, representative_at
from ..core.project import Project
from ..core.progress import say
from ..sources.schemas import Representant
from ..assembly.templating import make_environment, render

FOLDER = "formulaires"


#: between two forms of a collectivity: a new page
NEW_PAGE = '\n```{=openxml}\n<w:p><w:r><w:br w:type="page"/></w:r></w:p>\n```\n\n'



@dataclass(frozen=True)
class Target:
    """A collectivity the forms are filled for."""

    kind: str  # "commune" | "sivom"
    nom: str
    insee: str | None
    org_id: str | None
    nom_complet: str  # « la commune de Béthune », « le Syndicat intercommunal … »
    representant: Representant | None
    slug: str

    @property
    def Nom_complet(self) -> str:  # noqa: N802 - template helper
        return capitalize(self.nom_complet)

    @property
    def de_nom_complet(self) -> str:
        return de(self.nom_complet)

    @property
    def assemblee(self) -> str:
        return "conseil municipal" if self.kind == "commune" else "comité syndical"

    @property
    def titre_representant(self) -> str:
        """« maire », « président » (« présidente »): the office, for the templates' sentences."""
        r = self.representant
        if r is not None:
            return r.fonction[:1].lower() + r.fonction[1:]
        return "maire" if self.kind == "commune" else "président ou présidente"

    @property
    def representant_texte(self) -> str:
        """« M. Ludovic PAJOT, Maire », or the allowed blank."""
        r = self.representant
        if r is None:
            who = "nom du maire" if self.kind == "commune" else "nom du président ou de la présidente"
            return blank(who)
        return f"{r.civilite}{NBSP}{r.prenom} {r.nom.upper()}, {r.fonction}"

    @property
    def code(self) -> str:
        return f"code INSEE {self.insee}" if self.insee else "syndicat intercommunal"


def slugify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def mayor_at(corpus: Corpus, insee: str, when: dt.date) -> Representant | None:
    """The mayor of a commune at a date: maires.yaml first, else a commune organisation of the registry."""
    reg = corpus.registry
    for term in reg.maires.get(insee, []):
        if in_office(term, when):
            return term
    for org in reg.organisations.values():
        if org.type.value == "commune" and org.insee == insee:
            return representative_at(org, when)
    return None


def targets(corpus: Corpus, conv: ConventionSource, kinds: list[str], when: dt.date) -> list[Target]:
    facts = convention_facts(corpus, conv)
    out = []
    if "commune" in kinds:
        for c in sorted(facts.communes, key=lambda c: (slugify(c.nom), c.insee)):
            out.append(Target("commune", c.nom, c.insee, None, f"la commune {de(c.nom)}",
                              mayor_at(corpus, c.insee, when), f"{slugify(c.nom)}-{c.insee}"))
    if "sivom" in kinds:
        for view in facts.sivom:
            org = view.org
            out.append(Target("sivom", org.nom, None, org.id, view.nom_complet, representative_at(org, when),
                              slugify(org.nom if len(org.nom) < 40 else org.id)))
    return out


def _when(conv: ConventionSource, form: FormSource) -> dt.date:
    return form.meta.date_reference or reference_date(conv.meta.signature.date, conv.meta.periode.debut)


def intercommunal(corpus: Corpus, conv: ConventionSource, form: FormSource) -> str:
    """« délibération du conseil communautaire … du 17 novembre 2020 », or an allowed blank."""
    if form.meta.deliberation_intercommunale is not None:
        return autorisation_text(form.meta.deliberation_intercommunale)
    for s in conv.meta.signataires:
        if s.organisation == conv.meta.territoire and s.autorisation is not None:
            return autorisation_text(s.autorisation)
    return blank("délibération du conseil communautaire : date et numéro")


# ------------------------------------------------------------------ rendering


class TokenTarget:
    """Stands for any collectivity of a kind: every value is a token (« §§3§§ ») that the fast path
    replaces, per collectivity, in pandoc's output (see produce)."""

    FIELDS = ("nom", "insee", "nom_complet", "Nom_complet", "de_nom_complet", "titre_representant",
              "representant_texte", "code", "slug")

    def __init__(self, kind: str):
        self.kind = kind
        self.assemblee = "conseil municipal" if kind == "commune" else "comité syndical"
        for n, name in enumerate(self.FIELDS):
            setattr(self, name, token(n))
        self.representant = None


def token(n: int) -> str:
    return f"§§{n}§§"


def token_values(target: Target) -> dict[str, str]:
    return {token(n): str(getattr(target, name) or "") for n, name in enumerate(TokenTarget.FIELDS)}


def substitute(text: str, values: dict[str, str], escape=lambda v: v) -> str:
    return re.sub(r"§§\d+§§", lambda m: escape(values[m.group(0)]) if m.group(0) in values else m.group(0), text)


def render_forms(project: Project, corpus: Corpus, conv: ConventionSource, diags: Diagnostics,
                 collectivities: list | None = None) -> list[tuple[Target, str]]:
    """(collectivity, Markdown of its forms) for every collectivity (or those given, e.g. TokenTarget)."""
    env = make_environment(project.templates)
    forms = list(conv.formulaires.values())
    facts = convention_facts(corpus, conv)
    kinds = sorted({k for f in forms for k in f.meta.destinataires})
    when = min(_when(conv, f) for f in forms)
    base = {
        "convention": conv.meta, "territoire": facts.territoire, "periode_texte": facts.periode_texte,
        "date": date_fr, "blanc": blank, "communes": facts.communes,
        "titre_convention": conv.meta.titre[:1].lower() + conv.meta.titre[1:],
        "signature_convention": date_fr(conv.meta.signature.date) if conv.meta.signature.date
        else blank("date de signature de la convention"),
    }
    compiled: dict[tuple[str, str], object] = {}
    out = []
    for target in (collectivities if collectivities is not None else targets(corpus, conv, kinds, when)):
        pieces = []
        for form in forms:
            if target.kind not in form.meta.destinataires:
                continue
            ctx = base | {"collectivite": target, "deliberation_intercommunale": intercommunal(corpus, conv, form),
                          "representant": target.representant_texte}
            texts = []
            for key, source, line in (("titre", form.meta.titre, form.src.line("titre")),
                                      ("corps", form.body, form.body_line)):
                tpl = compiled.get((form.id, key))
                text = None
                if tpl is not None:
                    try:
                        text = tpl.render(ctx)
                    except Exception:  # noqa: BLE001 - reported with its line by render() below
                        text = None
                if text is None:
                    text = render(env, diags, ctx, source=source, path=form.path, first_line=line)
                    if text is None:
                        return []
                    compiled[(form.id, key)] = env.from_string(source)
                texts.append(text)
            title, body = texts
            pieces.append(f"# {title.strip()}\n\n{body.strip()}\n")
        out.append((target, french_typography(NEW_PAGE.join(pieces))))
    return out


def _doc(conv: ConventionSource, target: Target, markdown: str) -> AssembledDocument:
    title = f"{capitalize(target.nom)} – formulaires de la {conv.meta.titre_court}"
    meta = conv.meta
    return AssembledDocument(
        id=target.slug, kind="formulaire", parent=conv.id, status="prêt pour signature", title=title,
        short_title=f"{target.nom} – {meta.titre_court}", territory=target.nom, start=meta.periode.debut,
        end=meta.periode.fin, signed_on=meta.signature.date, markdown=metadata_block(
            title, title, target.nom, [], meta.periode.debut, "prêt pour signature") + markdown,
        signatories=[], annexes=[], author=target.nom, keywords=[], sources=[])


def _docx_bytes(project: Project, markdown: str, title: str, author: str) -> bytes:
    ast = pandoc.to_ast(markdown)
    ast["meta"] = {"title": {"t": "MetaString", "c": title}, "author": {"t": "MetaString", "c": author},
                   "lang": {"t": "MetaString", "c": "fr-FR"}}
    return pandoc.from_ast(ast, "docx", ["--reference-doc", str(project.templates / "reference.docx"),
                                         "--resource-path", str(project.conventions)], cwd=project.conventions)


def _xml_escape(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _fill_docx(data: bytes, values: dict[str, str], date: dt.date) -> bytes:
    """Replace the tokens of a DOCX rendered once for a kind of collectivity by one's values."""
    import zipfile

    from ..writers.docx_post import normalize_zip

    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename.endswith(".xml"):
                content = substitute(content.decode("utf-8"), values, _xml_escape).encode("utf-8")
            dst.writestr(info, content)
    return normalize_zip(out.getvalue(), date)


def _pdfs(docx_files: list[tuple[AssembledDocument, bytes]]) -> list[bytes]:
    """Each DOCX laid out and exported by LibreOffice (two at once), its PDF finished."""
    from ..build.build_pdf import source_date_epoch
    from ..core.parallel import deal, thread_map, undeal
    from ..writers.libreoffice import Job, lay_out
    from ..writers.pdf import finish_pdf

    timestamp = source_date_epoch()
    batches = deal([Job(data, [], pdf=True) for _doc, data in docx_files], 2)
    layouts = undeal(thread_map(lambda jobs: lay_out(jobs, lambda m: say(m, sys.stderr)), batches, 2))
    return [finish_pdf(lay.pdf, doc, 0.0, timestamp, fields=False) for (doc, _), lay in zip(docx_files, layouts)]


def produce(project: Project, corpus: Corpus, conv: ConventionSource, diags: Diagnostics) -> dict[Path, bytes]:
    """Every file, in memory. Fast path: pandoc runs once per kind of collectivity (commune, SIVOM) on the
    forms rendered with tokens, whose values are then put in for each collectivity; a collectivity whose
    forms the tokens do not reproduce exactly (a template testing one of its values) goes through
    pandoc on its own."""
    rendered = render_forms(project, corpus, conv, diags)
    diags.raise_if_errors()
    kinds = sorted({t.kind for t, _md in rendered})
    token_md = dict(zip(kinds, (md for _t, md in render_forms(project, corpus, conv, diags,
                                                               [TokenTarget(k) for k in kinds]))))
    diags.raise_if_errors()
    folder = project.dist / conv.id / FOLDER
    meta = conv.meta
    date = meta.signature.date or meta.periode.debut
    title = f"{token(0)} – formulaires de la {meta.titre_court}"
    docx_tpl = {k: _docx_bytes(project, md, title, token(0)) for k, md in token_md.items()}
    made: list[tuple[AssembledDocument, bytes]] = []
    for target, md in rendered:
        values = token_values(target)
        if substitute(token_md[target.kind], values) == md:
            data = _fill_docx(docx_tpl[target.kind], values, date)
        else:
            own = _docx_bytes(project, md, f"{capitalize(target.nom)} – formulaires de la {meta.titre_court}",
                              target.nom)
            data = _fill_docx(own, {}, date)
        made.append((_doc(conv, target, md), data))
    everything = _combined(conv, [md for _t, md in rendered])
    made.append((everything, _fill_docx(_docx_bytes(project, NEW_PAGE.join(md for _t, md in rendered),
                                                    everything.title, everything.author), {}, date)))
    files: dict[Path, bytes] = {}
    names = [target.slug for target, _md in rendered] + [f"{conv.id}-formulaires"]
    for name, (_doc_, data), pdf in zip(names, made, _pdfs(made)):
        files[folder / f"{name}.docx"] = data
        files[folder / f"{name}.pdf"] = pdf
    return files


def _combined(conv: ConventionSource, markdowns: list[str]) -> AssembledDocument:
    title = f"Formulaires des communes et des SIVOM – {conv.meta.titre_court}"
    meta = conv.meta
    return AssembledDocument(
        id=f"{conv.id}-formulaires", kind="formulaire", parent=conv.id, status="prêt pour signature", title=title,
        short_title=meta.titre_court, territory="", start=meta.periode.debut, end=meta.periode.fin,
        signed_on=meta.signature.date, markdown="".join(markdowns), signatories=[], annexes=[], author=title,
        keywords=[], sources=[])


def command(args, project: Project, corpus: Corpus, diags: Diagnostics) -> int:
    started = time.perf_counter()
    ident = args.ids[0]
    conv = corpus.conventions.get(ident)
    if conv is None:
        diags.error("conventions", 0, "document-inconnu",
                    f"aucune convention « {ident} » ; « python build.py list » affiche les identifiants.")
        diags.raise_if_errors()
    if not conv.formulaires:
        raise UserError([Diagnostic(diags.rel(conv.path), 0, "formulaires-absents",
                                    f"la convention « {ident} » n'a pas de formulaire : listez-les dans "
                                    "« formulaires » d'une annexe (voir docs/deliberations.md).")])
    files = produce(project, corpus, conv, diags)
    for path, data in sorted(files.items()):
        write_atomic(path, data)
    n = len(files)
    folder = (project.dist / conv.id / FOLDER).relative_to(project.root).as_posix()
    collectivities = (n - 2) // 2
    say(f"{collectivities} collectivités : {n} fichiers écrits dans {folder}/ en "
        f"{seconds(time.perf_counter() - started)}.", sys.stderr)
    return 0
