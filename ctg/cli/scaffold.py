"""« python build.py new convention » and « python build.py new avenant PARENT »: skeletons.

The few facts needed (territory, signatories, period; for an avenant its number and
effect date) come from options, or are asked when stdin is a terminal. The skeleton
is valid at once (status « projet »): what remains to write is marked « [à compléter …] »,
which « check » accepts in a draft and refuses once the document is « prêt pour
signature ». Explanations are Jinja comments « {# … #} », which never reach the
produced documents. An existing file is never overwritten.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from pathlib import Path

from ..build.pipeline import assemble_checked, load_and_check
from ..core.diagnostics import Diagnostics, closest, report
from ..core.french import french_typography
from ..core.project import Project
from ..sources.corpus import Corpus, Registry
from ..sources.loader import REGISTRY_DIR, load_corpus, load_registry
from ..sources.schemas import Statut
from .scaffold_texts import ANNEX_COMMUNES, ANNEX_GLOSSAIRE, NewConvention, avenant_text, convention_text

IDENT = re.compile(r"^[a-z0-9][a-z0-9-]*$")
NUMERO = re.compile(r"^\d{4}-\d{3}$")


fr = french_typography  # every line the user reads


class Abort(Exception):
    """A usage problem: printed in French with the usage line, exit code 2."""


# ---------------------------------------------------------------- command line


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The « new » command: one sub-command per kind of document."""
    sub = parser.add_subparsers(dest="type_document", metavar="TYPE", parser_class=type(parser), required=True)

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text, add_help=False)
        p._positionals.title = "arguments"
        p._optionals.title = "options"
        p.add_argument("-h", "--help", action="help", help="afficher cette aide et quitter")
        return p

    conv = add("convention", "créer le squelette d'une nouvelle convention (dossier conventions/<identifiant>/)")
    conv.add_argument("--territoire", metavar="ID", help="l'intercommunalité (identifiant du registre, type epci)")
    conv.add_argument("--signataires", metavar="ID,ID…",
                      help="les signataires dans l'ordre du bloc de signature, séparés par des virgules "
                           "(exemple : caf62,cabbalr)")
    conv.add_argument("--debut", metavar="AAAA-MM-JJ", help="début de la période")
    conv.add_argument("--fin", metavar="AAAA-MM-JJ", help="fin de la période")
    conv.add_argument("--identifiant", metavar="ID", help="par défaut : ctg-<territoire>-<année de début>-<année de fin>")
    conv.set_defaults(_usage=conv.format_usage)

    av = add("avenant", "créer le squelette d'un avenant à une convention signée")
    av.add_argument("parent", metavar="CONVENTION", nargs="?", help="identifiant de la convention modifiée")
    av.add_argument("--effet", metavar="AAAA-MM-JJ", help="date de prise d'effet")
    av.add_argument("--numero", metavar="AAAA-NNN", help="par défaut : le suivant de l'année de la date d'effet")
    av.add_argument("--signataires", metavar="ID,ID…",
                    help="les organisations qui rejoignent la convention par cet avenant (facultatif)")
    av.set_defaults(_usage=av.format_usage)


def command(args, root: Path) -> int:
    prompt = Prompter(interactive=sys.stdin.isatty())
    try:
        if args.type_document == "convention":
            written = new_convention(root, args, prompt)
        else:
            written = new_avenant(root, args, prompt)
    except Abort as exc:
        sys.stderr.write(args._usage().replace("usage: ", "utilisation : "))
        print(fr(f"build.py new {args.type_document} : erreur : {exc}"), file=sys.stderr)
        return 2
    except (EOFError, KeyboardInterrupt):
        print(fr("\nInterrompu : aucun fichier n'a été créé."), file=sys.stderr)
        return 130
    return after_writing(root, written)


# ---------------------------------------------------------------- asking


class Prompter:
    """Options first; a missing one is asked in a terminal, or reported at the end otherwise."""

    def __init__(self, interactive: bool):
        self.interactive = interactive
        self.missing: list[str] = []

    def get(self, value, option: str, question: str, parse, default: str | None = None, optional: bool = False):
        """parse(text) -> value, raising ValueError with a French message. An optional answer may be empty."""
        if value is not None:
            try:
                return parse(value)
            except ValueError as exc:
                raise Abort(f"{option} : {exc}") from None
        if not self.interactive:
            if default is not None:
                return parse(default)
            self.missing.append(option)
            return None
        while True:
            shown = f" [{default}]" if default else ""
            answer = input(fr(f"{question}{shown} : ")).strip() or (default or "")
            if not answer and not optional:
                continue
            try:
                return parse(answer)
            except ValueError as exc:
                print(fr(f"  {exc}"))

    def check(self) -> None:
        if self.missing:
            raise Abort(f"option{'s' if len(self.missing) > 1 else ''} manquante{'s' if len(self.missing) > 1 else ''} : "
                        f"{', '.join(self.missing)} (ou lancez la commande dans un terminal : elle les demandera).")


def parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"« {text} » n'est pas une date au format AAAA-MM-JJ.") from None


def org_parser(reg: Registry, kind: str | None = None):
    def parse(text: str) -> str:
        ident = text.strip()
        org = reg.organisations.get(ident)
        pool = {k: o for k, o in reg.organisations.items() if kind is None or o.type.value == kind}
        if org is None:
            raise ValueError(f"« {ident} » n'existe pas dans le registre{closest(ident, pool)}")
        if kind is not None and org.type.value != kind:
            raise ValueError(f"« {ident} » n'est pas une intercommunalité (type {kind}) ; "
                             f"intercommunalités du registre : {', '.join(sorted(pool)) or 'aucune'}.")
        return ident
    return parse


def orgs_parser(reg: Registry, minimum: int):
    one = org_parser(reg)

    def one_or_commune(part: str) -> str:
        """An organisation of the registry, or a commune of the official data by its INSEE code."""
        return part.strip() if part.strip().upper() in reg.communes else one(part)

    def parse(text: str) -> list[str]:
        ids = [one_or_commune(part) for part in text.replace(";", ",").split(",") if part.strip()]
        if len(set(ids)) != len(ids):
            raise ValueError("un signataire est cité deux fois.")
        if len(ids) < minimum:
            raise ValueError(f"il faut au moins {minimum} signataires.")
        return ids
    return parse


# ---------------------------------------------------------------- convention


def new_convention(root: Path, args, prompt: Prompter) -> list[Path]:
    reg = load_registry(root / "conventions" / REGISTRY_DIR, Diagnostics(root))
    epci = sorted(k for k, o in reg.organisations.items() if o.type.value == "epci")
    caf = next((k for k, o in sorted(reg.organisations.items()) if o.type.value == "caf"), None)
    territoire = prompt.get(args.territoire, "--territoire",
                            f"Intercommunalité ({', '.join(epci) or 'aucune dans le registre'})", org_parser(reg, "epci"))
    default_signatories = ",".join(x for x in (caf, territoire) if x) if territoire else None
    signataires = prompt.get(args.signataires, "--signataires",
                             "Signataires, dans l'ordre du bloc de signature, séparés par des virgules",
                             orgs_parser(reg, 2), default_signatories if prompt.interactive else None)
    debut = prompt.get(args.debut, "--debut", "Début de la période (AAAA-MM-JJ)", parse_date)
    fin_default = (dt.date(debut.year + 4, 12, 31).isoformat() if debut and debut.month == 1 and debut.day == 1
                   else None)
    fin = prompt.get(args.fin, "--fin", "Fin de la période (AAAA-MM-JJ)", parse_date,
                     fin_default if prompt.interactive else None)
    prompt.check()
    if fin < debut:
        raise Abort(f"la fin de la période ({fin}) précède son début ({debut}).")
    ident = args.identifiant or f"ctg-{territoire}-{debut.year}-{fin.year}"
    if not IDENT.match(ident):
        raise Abort(f"l'identifiant « {ident} » ne doit contenir que des minuscules sans accent, des chiffres et des tirets.")
    corpus = load_corpus(root / "conventions", Diagnostics(root))
    if ident in corpus.conventions:
        raise Abort(f"la convention « {ident} » existe déjà ({corpus.conventions[ident].path.relative_to(root)}).")
    new = NewConvention(ident, territoire, signataires, debut, fin)
    folder = root / "conventions" / ident
    files = {
        folder / "convention.md": convention_text(new, reg),
        folder / "annexes" / "communes.md": ANNEX_COMMUNES,
        folder / "annexes" / "glossaire.md": ANNEX_GLOSSAIRE,
    }
    return write_new(root, files)


# ---------------------------------------------------------------- avenant


def new_avenant(root: Path, args, prompt: Prompter) -> list[Path]:
    corpus = load_corpus(root / "conventions", Diagnostics(root))
    signed = sorted(k for k, c in corpus.conventions.items() if c.meta.statut in (Statut.signee, Statut.echue))
    parent_id = prompt.get(args.parent, "CONVENTION", f"Convention modifiée ({', '.join(signed) or 'aucune signée'})",
                           _parent_parser(corpus))
    effet = prompt.get(args.effet, "--effet", "Date de prise d'effet (AAAA-MM-JJ)", parse_date)
    if parent_id is None or effet is None:
        prompt.check()
    parent = corpus.conventions[parent_id]
    p = parent.meta.periode
    if not (p.debut <= effet <= p.fin):
        raise Abort(f"la date d'effet ({effet}) est hors de la période de la convention ({p.debut} → {p.fin}).")
    numero = prompt.get(args.numero, "--numero", "Numéro de l'avenant (AAAA-NNN)", _numero_parser(),
                        next_numero(parent.folder, effet.year))
    parent_orgs = {s.organisation for s in parent.meta.signataires}
    added = prompt.get(args.signataires, "--signataires",
                       "Organisations qui rejoignent la convention, séparées par des virgules (Entrée : aucune)",
                       _added_parser(corpus.registry, parent_orgs), default="", optional=True)
    prompt.check()
    files = {parent.folder / "avenants" / f"{numero}.md": avenant_text(numero, parent_id, effet, p.fin, added or [])}
    return write_new(root, files)


def _parent_parser(corpus: Corpus):
    def parse(text: str) -> str:
        ident = text.strip()
        conv = corpus.conventions.get(ident)
        if conv is None:
            raise ValueError(f"la convention « {ident} » n'existe pas{closest(ident, corpus.conventions)}")
        if conv.meta.statut not in (Statut.signee, Statut.echue):
            raise ValueError(f"un avenant modifie une convention signée ; « {ident} » est au statut "
                             f"« {conv.meta.statut.value} ».")
        return ident
    return parse


def _numero_parser():
    def parse(text: str) -> str:
        numero = text.strip()
        if not NUMERO.match(numero):
            raise ValueError(f"« {numero} » n'est pas un numéro d'avenant au format AAAA-NNN (exemple : 2024-001).")
        return numero
    return parse


def _added_parser(reg: Registry, parent_orgs: set[str]):
    one = org_parser(reg)

    def one_or_commune(part: str) -> str:
        """An organisation of the registry, or a commune of the official data by its INSEE code."""
        return part.strip() if part.strip().upper() in reg.communes else one(part)

    def parse(text: str) -> list[str]:
        ids = [one_or_commune(part) for part in text.replace(";", ",").split(",") if part.strip()]
        for ident in ids:
            if ident in parent_orgs:
                raise ValueError(f"« {ident} » est déjà signataire de la convention.")
        return ids
    return parse


def next_numero(folder: Path, year: int) -> str:
    used = [int(p.stem[5:]) for p in (folder / "avenants").glob(f"{year}-*.md") if NUMERO.match(p.stem)]
    return f"{year}-{max(used, default=0) + 1:03d}"


# ---------------------------------------------------------------- writing and checking


def write_new(root: Path, files: dict[Path, str]) -> list[Path]:
    """Create every file, or none if one of them already exists (never overwrite)."""
    existing = [p for p in files if p.exists()]
    if existing:
        raise Abort(f"{', '.join(p.relative_to(root).as_posix() for p in existing)} existe déjà ; "
                    "aucun fichier n'a été créé ni remplacé.")
    written = []
    try:
        for path, text in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("x", encoding="utf-8", newline="\n") as fh:
                fh.write(fr(text))
            written.append(path)
    except FileExistsError as exc:  # created meanwhile by someone else: undo ours
        for path in written:
            path.unlink()
        raise Abort(f"{Path(exc.filename).relative_to(root).as_posix()} existe déjà.") from None
    return written


def after_writing(root: Path, written: list[Path]) -> int:
    rels = [p.relative_to(root).as_posix() for p in written]
    print(fr("Fichiers créés :"))
    for rel in rels:
        print(f"  {rel}")
    project = Project(root)
    diags = Diagnostics(root)
    corpus = load_and_check(project, diags)
    if not diags.errors:
        assemble_checked(project, corpus, diags)
    mine = [d for d in diags.sorted() if d.path in rels]
    if any(d.level == "erreur" for d in mine):
        report(mine)
        print(fr("Les fichiers ont été créés, mais « python build.py check » y signale les erreurs ci-dessus ; "
                 "corrigez-les (souvent dans le registre : un mandat de représentant à compléter)."), file=sys.stderr)
        return 1
    if diags.errors:
        print(fr("Le squelette est valide ; « python build.py check » signale cependant des erreurs dans "
                 "d'autres fichiers."))
    else:
        print(fr("Le squelette est valide (« python build.py check ») : complétez les passages "
                 "« [à compléter …] » avant de passer le document au statut « prêt pour signature »."))
    return 0
