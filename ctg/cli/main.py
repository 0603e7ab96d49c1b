"""Command line (French): python build.py [commande] [options]."""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from ..build.pipeline import assemble_checked, load_and_check
from ..checks import integrity
from ..core.diagnostics import Diagnostics, UserError, report
from ..core.outputs import output_path
from ..core.progress import Progress, say
from ..core.project import Project
from ..build.staging import OutputsError, describe, lock, recover, try_lock, unlock
from ..core import interrupt
from ..core.pandoc import PandocError
from ..writers.libreoffice import ToolError
from . import registry

DESCRIPTION = """\
Conventions territoriales globales : vérification des sources, assemblage et
production des documents à signer (DOCX, PDF) et du site de publication.

Sans commande, « build.py » vérifie tout puis produit les DOCX, les PDF et le site."""

EPILOG = """\
exemples :
  python build.py check                      vérifier toutes les sources
  python build.py docx ctg-cabbalr-2021-2025 produire le DOCX d'une convention
  python build.py list --json                liste des documents pour les scripts
"""


_ARGPARSE_FR = {"usage: ": "utilisation : ", "positional arguments": "arguments", "options": "options",
                 "show this help message and exit": "afficher cette aide et quitter"}
argparse._ = lambda text: _ARGPARSE_FR.get(text, text)  # argparse looks its words up through this name


class FrenchParser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse's own messages are English: keep them short and add French
        self.print_usage(sys.stderr)
        say(f"build.py : erreur : {translate_argparse(message)}", sys.stderr)
        sys.exit(2)


def translate_argparse(message: str) -> str:
    replacements = {
        "invalid choice": "choix invalide",
        "choose from": "choisir parmi",
        "unrecognized arguments": "arguments non reconnus",
        "the following arguments are required": "arguments obligatoires manquants",
        "expected one argument": "une valeur est attendue",
    }
    for en, fr in replacements.items():
        message = message.replace(en, fr)
    return re.sub(r"^(argument [^:\s]+):", r"\1 :", message)


def make_parser() -> argparse.ArgumentParser:
    parser = FrenchParser(prog="build.py", description=DESCRIPTION, epilog=EPILOG, add_help=False,
                          formatter_class=argparse.RawDescriptionHelpFormatter)
    parser._positionals.title = "commandes"
    parser._optionals.title = "options"
    parser.add_argument("-h", "--help", action="help", help="afficher cette aide et quitter")
    parser.add_argument("--racine", type=Path, default=Path.cwd(), help="dossier du projet (par défaut : le dossier courant)")
    parser.add_argument("--strict", action="store_true", help="traiter les avertissements comme des erreurs")
    sub = parser.add_subparsers(dest="commande", metavar="COMMANDE", parser_class=FrenchParser)

    def add(name: str, help_text: str, ids: bool = False):
        p = sub.add_parser(name, help=help_text, description=help_text, add_help=False)
        p._positionals.title = "arguments"
        p._optionals.title = "options"
        p.add_argument("-h", "--help", action="help", help="afficher cette aide et quitter")
        if ids:
            p.add_argument("ids", nargs="*", metavar="ID", help="identifiants des documents (par défaut : tous)")
        return p

    add_build_options(parser)
    add("check", "vérifier toutes les sources sans rien produire")
    add_build_options(add("docx", "produire les DOCX prêts à signer", ids=True), argparse.SUPPRESS)
    add_build_options(add("pdf", "produire les PDF pour signature", ids=True), argparse.SUPPRESS)
    add("markdown", "afficher le texte assemblé (Markdown) d'un document", ids=True)
    fiches = add("fiches", "produire, pour chaque commune et SIVOM d'une convention, ses formulaires pré-remplis "
                           "(modèle de délibération, fiche d'engagement) en DOCX et PDF, et un PDF à imprimer")
    fiches.add_argument("ids", nargs=1, metavar="ID", help="identifiant de la convention")
    lst = add("list", "lister les documents (identifiant, type, parent, statut, période)")
    lst.add_argument("--json", action="store_true", help="sortie JSON pour les scripts")
    emp = add("empreintes", "enregistrer l'empreinte SHA-256 des textes signés (empreintes.yaml)", ids=True)
    emp.add_argument("--forcer", action="store_true",
                     help="remplacer une empreinte enregistrée (seulement si elle l'a été par erreur)")
    registry.add_arguments(add("registre", "afficher ou régénérer (--mettre-a-jour) les données officielles "
                                            "des communes et intercommunalités"))
    for name, help_text in (("site", "construire le site statique (dossier site/)"),
                            ("serve", "prévisualiser le site avec rechargement automatique")):
        site = add(name, help_text)
        if name == "site":
            add_build_options(site, argparse.SUPPRESS)
        site.add_argument("--interne", action="store_true",
                          help="site interne : avec les projets et les annexes à diffusion interne (dossier site-interne/)")
    from . import review_diff, scaffold  # working in git (new, diff, schemas)

    scaffold.add_arguments(add("new", "créer le squelette d'une convention ou d'un avenant "
                                      "(new convention, new avenant CONVENTION)"))
    review_diff.add_arguments(add("diff", "comparer le texte des documents entre deux révisions git (relecture), "
                                          "ou deux conventions (renouvellement)"))
    add("schemas", "régénérer les schémas JSON des sources (dossier schemas/) pour l'éditeur")
    from . import version_commands  # avenants applied: consolidated versions and redlines

    version_commands.add_arguments(
        add("consolidate", "produire la version consolidée d'une convention à une date (DOCX, PDF)"),
        add("redline", "comparer deux versions en modifications suivies Word (DOCX)"))
    return parser


def add_build_options(p, default=None) -> None:
    """-j, --force, --shard: on the main parser and again after docx, pdf, site (SUPPRESS keeps the
    main parser's value when the option is not repeated after the command)."""
    from ..core.parallel import ShardError, parse_shard

    def shard(text: str):
        try:
            return parse_shard(text)
        except ShardError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    p.add_argument("-j", "--jobs", type=_jobs, metavar="N", default=default,
                   help="nombre de documents produits en parallèle (par défaut : le nombre de cœurs)")
    p.add_argument("--force", action="store_true", default=default if default is not None else False,
                   help="tout reproduire sans réutiliser le cache (.cache/)")
    p.add_argument("--shard", type=shard, metavar="K/N", default=default,
                   help="ne produire que la part K sur N des conventions (intégration continue, voir README)")


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"« {text[:20]} » n'est pas un nombre de processus (un entier, "
                                         "par exemple -j 4)") from None
    if value < 1:
        raise argparse.ArgumentTypeError("le nombre de processus doit être au moins 1")
    return value


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    project = Project(args.racine.resolve())
    command = args.commande or "all"
    previous = interrupt.install()
    try:
        return run(command, args, project)
    except UserError as exc:
        report(exc.diagnostics)
    except (ToolError, OutputsError, PandocError, OSError) as exc:
        say(f"build.py : erreur : {_one_line(exc)}", sys.stderr)
    except KeyboardInterrupt:
        say("\nInterrompu : les sorties précédentes sont intactes.", sys.stderr)
        return 130
    finally:
        unlock()
        interrupt.restore(previous)
    say("Aucun fichier n'a été écrit ni remplacé.", sys.stderr)
    return 1


def _one_line(exc: Exception) -> str:
    """An error of the environment in one line (never a traceback, never a whole file)."""
    if isinstance(exc, OSError):
        return describe(exc) + "."
    text = " ".join(str(exc).split())
    text = text if len(text) <= 300 else text[:299] + "…"
    return text if text.endswith((".", "?", "!")) else text + "."


WRITING = ("docx", "pdf", "site", "all", "serve", "fiches", "consolidate", "redline", "empreintes")


def run(command: str, args, project: Project) -> int:
    if command in ("new", "diff", "schemas", "registre"):
        return _run_on_files(command, args, project)
    if command in WRITING:  # one build at a time; what a killed one left is undone first
        lock(project.root)
        recover(project.root)
    elif try_lock(project.root):
        recover(project.root)
        unlock()
    stamp = _stamp(command, args, project)
    if stamp is not None and not args.force and stamp.current():
        say("Rien à refaire : sources, modèles et outils inchangés depuis la dernière construction, "
            "sorties intactes (--force pour tout reproduire).", sys.stderr)
        return 0
    diags = Diagnostics(project.root)
    ids = getattr(args, "ids", None) or []
    if command in ("consolidate", "redline", "fiches", "list", "empreintes") or any(
            (project.conventions / "_deliberations" / i).is_dir() for i in ids):
        return _run_whole(command, args, project, diags, ids)
    from ..build.incremental import load_check_assemble

    # through the dependency index: after an edit, only the convention folders it changed are read again
    complete = command != "check" and (command in ("site", "all", "serve") or not ids or bool(getattr(args, "shard", None)))
    checked = load_check_assemble(project, diags, only=ids or None, complete=complete,
                                  force=getattr(args, "force", False), lint=command == "check")
    corpus, docs = checked.corpus, checked.docs
    _unknown_ids(corpus, diags, ids, set(checked.facts) | set(corpus.documents()))
    if command != "check" or not docs:  # the texts assembled: their prose is read too, all errors together
        diags.raise_if_errors(args.strict)
    if stamp is not None and args.shard:
        ids = shard_ids(corpus, ids, *args.shard)
        if not ids:
            say(f"Part {args.shard[0]}/{args.shard[1]} : aucune convention à produire.", sys.stderr)
            return 0
        docs = {i: d for i, d in docs.items() if i in ids}
    if command == "check":  # the prose of the sources: facts typed by hand (docs/verifications.md),
        from ..build.build_outputs import cached_page_counts
        from ..checks.prose import lint_corpus, lint_registry  # reported with the errors of the assembly

        found = Diagnostics(project.root)
        lint_corpus(corpus, project.templates, found, project.root, cached_page_counts(project, docs), **checked.scope)
        found.items.extend(checked.registry_lint(lambda into: lint_registry(corpus, into)))
        checked.record_lint(found)
        diags.extend(found)
        diags.items.extend(checked.unloaded_lint())
    diags.raise_if_errors(args.strict)
    if diags.warnings:
        report(diags.sorted())  # a warning replayed from the index and found again is said once
    if command == "check":
        for path, users in integrity.affected_by_changes(checked.facts.values(), project.root).items():
            say(f"Modification en cours de {path} : elle change {', '.join(users)}.")
        say(f"Sources valides : {len(checked.facts)} documents vérifiés.")
        return 0
    if command == "markdown":
        return _show(command, project, docs)
    return _produce(command, args, project, corpus, docs, diags, stamp)


def _unknown_ids(corpus, diags: Diagnostics, ids: list[str], known: set[str]) -> None:
    for ident in (i for i in ids if i not in known and not diags.failed(corpus.root / i.split("-avenant-")[0])):
        diags.error("conventions", 0, "document-inconnu",
                    f"aucun document « {ident} » ; « python build.py list » affiche les identifiants.")


def _run_whole(command: str, args, project: Project, diags: Diagnostics, ids: list[str]) -> int:
    """list, empreintes, consolidate, redline, fiches, a délibération's dossier: on the whole corpus."""
    corpus = load_and_check(project, diags)
    if command in ("consolidate", "redline", "fiches") or any(i in corpus.deliberations for i in ids):
        diags.raise_if_errors(args.strict)
        return _run_on_corpus(command, args, project, corpus, diags, ids)
    if ids:
        _unknown_ids(corpus, diags, ids, set(corpus.documents()))
    diags.raise_if_errors(args.strict)
    if command == "list":
        return list_documents(corpus, project, args.json)
    docs = assemble_checked(project, corpus, diags, ids or None)
    diags.raise_if_errors(args.strict)
    written = integrity.record(corpus, docs, diags, args.forcer)  # empreintes
    diags.raise_if_errors()
    if diags.warnings:  # --forcer replaced or removed a recorded fingerprint: said loudly
        report(diags.warnings)
    say(f"Empreintes enregistrées : {', '.join(written)}." if written else "Aucune nouvelle empreinte à enregistrer.")
    return 0


def _run_on_files(command: str, args, project: Project) -> int:
    """new, diff, schemas, registre: their own checks, on other files or revisions than the corpus."""
    if command == "registre":  # works on the registry's data files only, before any check of the corpus
        return registry.command(args, project.root)
    from . import editor_schemas, review_diff, scaffold

    module = {"new": scaffold, "diff": review_diff, "schemas": editor_schemas}[command]
    if command == "diff":  # two convention identifiers: a renewal compared with the convention it follows
        from . import renewal_diff

        module = renewal_diff if renewal_diff.applies(args, project.root) else module
    return module.command(args, project.root) if command != "schemas" else module.command(project.root)


def _stamp(command: str, args, project: Project):
    """The stamp of a docx, pdf, site or default run (equal to the last one's: nothing to do), else None."""
    if command not in ("docx", "pdf", "site", "all"):
        return None
    from ..build.build_outputs import configure
    from .build_commands import run_stamp

    configure(args.jobs, args.force)
    return run_stamp(project, command, getattr(args, "ids", None) or [], getattr(args, "interne", False),
                     args.strict, args.shard)


def _run_on_corpus(command: str, args, project: Project, corpus, diags: Diagnostics, ids: list[str]) -> int:
    """consolidate, redline, fiches, and a délibération's dossier: on the checked corpus, their own assembly."""
    if command in ("consolidate", "redline"):
        from . import version_commands

        run_version = {"consolidate": version_commands.consolidate_command,
                       "redline": version_commands.redline_command}[command]
        return run_version(args, project, corpus, diags, Progress())
    if command == "fiches":  # pre-filled forms of the communes and SIVOM of a convention
        from ..deliberations.commune_forms import command as fiches

        return fiches(args, project, corpus, diags)
    from ..deliberations.dossier_outputs import run_deliberations  # a délibération's dossier: one file

    return run_deliberations(command, project, corpus, diags, ids)


def _show(command: str, project: Project, docs) -> int:
    for doc in docs.values():  # markdown
        sys.stdout.write(doc.markdown)
    return 0


def _produce(command: str, args, project: Project, corpus, docs, diags: Diagnostics, stamp) -> int:
    from ..build.staging import Staging
    from .build_commands import build, output_folders  # writers are heavy: import them only when building

    formats = {"docx": ["docx"], "pdf": ["pdf"], "site": ["site"], "all": ["docx", "pdf", "site"],
               "serve": ["serve"]}[command]
    if getattr(args, "shard", None):  # a shard writes its part of dist/; the site is built once, from all parts
        formats = [f for f in formats if f != "site"] or ["docx", "pdf"]
    interne = getattr(args, "interne", False)
    if command == "serve":  # writes nothing
        return build(project, corpus, docs, formats, Progress(), diags, interne=interne)
    # dist/ and site/ are written aside and switched in at the end: whole, or not at all
    with Staging(project, output_folders(project, formats, interne)) as staging:
        staged = staging.staged
        code = build(staged, corpus, docs, formats, Progress(), diags, interne=interne,
                     manifest=not getattr(args, "shard", None))
        if code == 0 and command == "all" and corpus.deliberations and not getattr(args, "shard", None):
            # After build(): its worker processes are forked, which must happen before threads start here.
            from ..build.build_outputs import write_manifest
            from ..deliberations.dossier_outputs import run_deliberations

            run_deliberations("all", staged, corpus, diags, sorted(corpus.deliberations), docs)
            write_manifest(staged.dist)
        if code == 0:
            staging.commit()
    if code == 0 and stamp is not None:
        stamp.record()
    return code


def shard_ids(corpus, ids: list[str], k: int, n: int) -> list[str]:
    """The documents of shard k/n (among ids, if given): some conventions, with their avenants."""
    from ..core.parallel import shard_of

    chosen = shard_of(list(corpus.conventions), k, n)
    docs = [i for i in corpus.documents()
            if i in chosen or (i in corpus.avenants and corpus.avenants[i].meta.convention in chosen)]
    return [i for i in docs if not ids or i in ids]


def list_documents(corpus, project: Project, as_json: bool) -> int:
    import datetime as dt

    from ..core.statuses import status_on
    from ..site.status import reference_date

    rows = []
    for ident in corpus.documents():
        if ident in corpus.conventions:
            c = corpus.conventions[ident].meta
            row = {"identifiant": ident, "type": "convention", "parent": None, "statut": c.statut.value,
                   "debut": c.periode.debut.isoformat(), "fin": c.periode.fin.isoformat(), "titre": c.titre_court}
        else:
            a = corpus.avenants[ident]
            parent = corpus.conventions.get(a.meta.convention)
            fin = a.meta.fin or (parent.meta.periode.fin if parent else a.meta.effet)
            row = {"identifiant": ident, "type": "avenant", "parent": a.meta.convention, "statut": a.meta.statut.value,
                   "debut": a.meta.effet.isoformat(), "fin": fin.isoformat(), "titre": f"Avenant {a.meta.numero}"}
        # where the text stands today, in the site's words (ctg/statuses.py): « en vigueur », « signé »…
        row["etat"] = status_on(row["statut"], row["type"], dt.date.fromisoformat(row["debut"]),
                                dt.date.fromisoformat(row["fin"]), reference_date()).label
        row["sorties"] = {ext: output_path(project.dist, ident, row["parent"], ext).relative_to(project.root).as_posix()
                          for ext in ("docx", "pdf")}
        rows.append(row)
    from ..deliberations.dossier_outputs import output_path as dossier_path

    for ident, delib in sorted(corpus.deliberations.items()):
        seance = delib.meta.seance.isoformat()
        rows.append({"identifiant": ident, "type": "délibération", "parent": None, "statut": delib.meta.resultat,
                     "debut": seance, "fin": seance, "titre": f"Délibération n° {delib.meta.numero}",
                     "sorties": {ext: dossier_path(project, ident, ext).relative_to(project.root).as_posix()
                                 for ext in ("docx", "pdf")}})
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    headers = ["Identifiant", "Type", "Parent", "Statut", "Période"]
    table = [[r["identifiant"], r["type"], r["parent"] or "—", r.get("etat", r["statut"]), f"{r['debut']} → {r['fin']}"]
             for r in rows]
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *table)]
    for line in [headers, ["-" * w for w in widths], *table]:
        print("  ".join(str(x).ljust(w) for x, w in zip(line, widths)).rstrip())
    return 0


def entry() -> None:
    sys.exit(main())
