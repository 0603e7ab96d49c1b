"""A synthetic corpus, deterministic from a seed, realistic in size and shape.

N conventions, each with a préambule and the 14 articles of the national model
(two written locally), 30–100 communes, an équipements table, a plan d'actions
with 10–30 fiches and 1–3 avenants. The official data (officiel/communes.yaml,
officiel/epci.yaml) is synthetic too, written by the same code as
« build.py registre --mettre-a-jour » (ctg/sources/official_data.py), so it has the real format.

Délibérations (conventions/_deliberations/<id>/deliberation.md and rapport.md): one for each group
of up to 3 consecutive conventions, as one sitting approves several documents. The deliberating body
is the Caf's conseil d'administration: the Caf is the only organisation that signs every generated
convention (the Département, in the registry, signs none, and a délibération may only authorise the
signature of a document its collectivity signs: check « non-signataire »). Each délibération approves
the latest avenant of each convention of its group (« prêt pour signature », the text a délibération
authorises to sign; the conventions are already « signée »), at a séance in the year before the last
of those avenants takes effect, after every convention of the group is signed. Its rapport has a
context section and one section per approved document (« {#slug document=<id>} »). Each group has its
own generator, seeded apart from the conventions' (the rest of the corpus is the same with or without
délibérations, and a full group is the same at every scale).
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

WORDS = ("accompagnement familles territoire enfance jeunesse parentalité accueil service commune partenaires "
         "projet action diagnostic besoins offre structure accès droits insertion logement mobilité "
         "animation vie sociale solidarité habitants associations équipement coordination réseau "
         "professionnels qualité développement soutien public enfants parents adolescents numérique "
         "information prévention santé culture loisirs emploi formation inclusion handicap isolement").split()
FIRST = ["Claire", "Paul", "Sophie", "Marc", "Julie", "Thomas", "Nadia", "Hugo", "Léa", "Karim", "Anne", "Louis"]
LAST = ["Martin", "Bernard", "Dubois", "Lefebvre", "Leroy", "Moreau", "Petit", "Roux", "Fontaine", "Garnier"]
PLACES = ["Val", "Mont", "Bois", "Pré", "Fontaine", "Pont", "Champ", "Côte", "Marais", "Plaine", "Roche", "Vigne"]
SUFFIX = ["-sur-Canche", "-en-Artois", "-lès-Marais", "-le-Grand", "-le-Petit", "-Saint-Martin", "", "", ""]
TYPES = ["EAJE", "LAEP", "RPE", "ALSH extrascolaire", "ALSH périscolaire", "Accueil jeunes", "Ludothèque",
         "Centre social", "Espace de vie sociale", "CLAS"]
THEMES = ["Petite enfance", "Enfance et jeunesse", "Parentalité", "Animation de la vie sociale",
          "Accès aux droits", "Logement", "Inclusion numérique"]


def luhn_complete(prefix: str) -> str:
    """prefix + the Luhn check digit (a valid SIREN from 8 digits)."""
    for d in range(10):
        digits = prefix + str(d)
        total = 0
        for i, ch in enumerate(reversed(digits)):
            n = int(ch) * (2 if i % 2 else 1)
            total += n - 9 if n > 9 else n
        if total % 10 == 0:
            return digits
    raise AssertionError("unreachable")


class Text:
    def __init__(self, rng: random.Random):
        self.rng = rng

    def sentence(self, n: int | None = None) -> str:
        words = self.rng.sample(WORDS, n or self.rng.randint(10, 22))  # no word twice (mot-repete)
        return words[0].capitalize() + " " + " ".join(words[1:]) + "."

    def paragraph(self, sentences: int = 5) -> str:
        return " ".join(self.sentence() for _ in range(sentences))

    def title(self) -> str:
        words = self.rng.sample(WORDS, self.rng.randint(3, 6))  # no word twice (mot-repete)
        return " ".join(words).capitalize()


DELIBERATION_GROUP = 3  # documents approved at one sitting of the Caf's conseil d'administration
# members of the conseil d'administration: a first name decides the civilité
WOMEN = {"Claire", "Sophie", "Julie", "Nadia", "Léa", "Anne"}
COLLEGES = ["Collège des représentants des assurés sociaux", "Collège des représentants des employeurs",
            "Collège des représentants des travailleurs indépendants", "Personnes qualifiées"]
SECTEURS = ["Secteur Nord", "Secteur Sud", "Secteur Est", "Secteur Ouest", "Secteur Centre"]

NATIONAL = 400  # conventions: above, the corpus is national (communes per convention as in France)


@dataclass
class Shape:
    conventions: int
    communes: tuple[int, int] = (30, 100)
    fiches: tuple[int, int] = (10, 30)
    avenants: tuple[int, int] = (1, 3)


def generate(dest: Path, n_conventions: int, seed: int = 2026, shape: Shape | None = None) -> dict:
    """Write a complete project (templates/ copied from this repository) into dest; returns its figures."""
    from ctg.sources import official_data

    # A national corpus (France: 1,254 EPCI, 34,900 communes) has about 28 communes per intercommunalité;
    # 30 to 100 (a dense département's) would give it twice the communes of France, and an official
    # file past the 5 Mo limit of a source, which real data does not reach (about 4 Mo for all of France).
    shape = shape or (Shape(n_conventions) if n_conventions <= NATIONAL else Shape(n_conventions, communes=(10, 48)))
    rng = random.Random(seed)
    text = Text(rng)
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(ROOT / "templates", dest / "templates")
    files: dict[str, str] = {}

    # --- official data: one EPCI per convention, its communes in départements 01…95
    communes_json, epci_json, epcis = [], [], []
    next_code: dict[str, int] = {}
    deps = [f"{d:02d}" for d in range(1, 96) if d != 20]
    rngs = []  # convention i has its own generator: it is the same at every scale (edit_cost.py compares them)
    for i in range(n_conventions):
        rng_i = random.Random(f"{seed}-{i}")
        rngs.append(rng_i)
        dep = deps[i % len(deps)]
        n = rng_i.randint(*shape.communes)
        members = []
        for _ in range(n):
            k = next_code.get(dep, 1)
            if k > 999:
                raise ValueError(f"plus de 999 communes dans le département {dep}\u00a0: corpus trop grand")
            next_code[dep] = k + 1
            code = f"{dep}{k:03d}"
            nom = f"{rng_i.choice(PLACES)}-{rng_i.choice(WORDS).capitalize()}{rng_i.choice(SUFFIX)}"
            communes_json.append({"code": code, "nom": nom, "type": "commune-actuelle", "departement": dep,
                                  "siren": luhn_complete(f"21{code}{rng_i.randint(0, 9)}"),
                                  "population": rng_i.randint(80, 12000)})
            members.append(code)
        siren = luhn_complete(f"24{i:06d}")
        nom = f"CC du Territoire {i + 1:04d}"
        epci_json.append({"code": siren, "nom": nom, "type": "CC",
                          "membres": [{"code": c} for c in members]})
        epcis.append((siren, members))
    source = official_data.Source("@etalab/decoupage-administratif", "6.0.0", 2026, 2023)
    official = official_data.transform(communes_json, epci_json, deps, source)
    files["conventions/_registre/officiel/communes.yaml"] = official_data.render_communes(official)
    files["conventions/_registre/officiel/epci.yaml"] = official_data.render_epci(official)
    files["conventions/_registre/territoire.yaml"] = official_data.render_config(source, deps)
    files["conventions/_registre/sigles.yaml"] = "".join(
        f"{s}: {d}\n" for s, d in [("CAF", "Caisse d'allocations familiales"), ("EAJE", "Établissement d'accueil du "
                                   "jeune enfant"), ("RPE", "Relais petite enfance"), ("LAEP", "Lieu d'accueil "
                                   "enfants-parents"), ("CLAS", "Contrat local d'accompagnement à la scolarité"),
                                   ("CTG", "Convention territoriale globale"), ("PMI", "Protection maternelle et "
                                   "infantile")])
    files["conventions/_registre/organisations/caf.yaml"] = _organisation(
        "caf", "caf", "la", "la Caf", text, nom="Caisse d'allocations familiales du Territoire")
    files["conventions/_registre/organisations/departement.yaml"] = _organisation(
        "departement", "département", "le", "le Département", text, nom="Département du Territoire")

    conventions = []
    for i, (siren, members) in enumerate(epcis):
        epci_id = f"cc-territoire-{i + 1:04d}"
        own = Text(rngs[i])
        files[f"conventions/_registre/organisations/{epci_id}.yaml"] = _organisation(
            epci_id, "epci", "la", f"la CCT{i + 1}", own, siren=siren)
        start = 2020 + i % 5
        ident = f"ctg-{epci_id}-{start}-{start + 4}"
        files.update(_convention(ident, epci_id, start, members, rngs[i], own, shape))
        conventions.append((ident, epci_id, f"la CCT{i + 1}"))
    # délibérations last, each group from its own generator: what comes before is unchanged by them
    for g in range(0, len(conventions), DELIBERATION_GROUP):
        files.update(_deliberation(g // DELIBERATION_GROUP, conventions[g:g + DELIBERATION_GROUP], files, seed))
    for rel, content in files.items():
        path = dest / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    record_fingerprints(dest)
    return {"conventions": n_conventions, "fichiers": len(files), "communes": len(communes_json)}


def record_fingerprints(root: Path) -> None:
    """Signed conventions need their recorded fingerprint: « build.py empreintes », as a user would."""
    subprocess.run([sys.executable, str(ROOT / "build.py"), "--racine", str(root), "empreintes"], check=True,
                   capture_output=True)


def _organisation(ident: str, kind: str, article: str, designation: str, text: Text, nom: str | None = None,
                  siren: str | None = None) -> str:
    rng = text.rng
    lines = [f"id: {ident}", f"type: {kind}"]
    if nom:
        lines.append(f"nom: {nom}")
    if siren:
        lines.append(f'siren: "{siren}"')
    lines += [f"article: {article}", f"designation: {designation}", "representants:",
              f"  - civilite: {rng.choice(['M.', 'Mme'])}", f"    prenom: {rng.choice(FIRST)}",
              f"    nom: {rng.choice(LAST)}", "    fonction: Président" if kind != "caf" else "    fonction: Directeur",
              "    debut: 2015-01-01"]
    return "\n".join(lines) + "\n"


def _convention(ident: str, epci_id: str, start: int, members: list[str], rng: random.Random, text: Text,
                shape: Shape) -> dict[str, str]:
    folder = f"conventions/{ident}"
    out: dict[str, str] = {}
    n_fiches = rng.randint(*shape.fiches)
    fiche_ids = [f"fiche-{k + 1:02d}" for k in range(n_fiches)]
    out[f"{folder}/convention.md"] = f"""\
---
identifiant: {ident}
titre: Convention territoriale globale au service du projet de territoire de la Communauté de communes du Territoire {epci_id[-4:]}
titre_court: CTG Territoire {epci_id[-4:]} {start}-{start + 4}
territoire: {epci_id}
statut: signée
periode:
  debut: {start}-01-01
  fin: {start + 4}-12-31
signature:
  lieu: Chef-lieu
  date: {start - 1}-12-15
signataires:
  - organisation: caf
  - organisation: {epci_id}
    autorisation:
      acte: délibération du conseil communautaire
      numero: "{start}-{rng.randint(1, 300):03d}"
      date: {start - 1}-11-15
mots_cles:
  - petite enfance
  - parentalité
annexes:
  - diagnostic
  - communes
  - equipements
  - plan-actions
  - glossaire
---

## Champs d'intervention de {{{{ territoire.designation }}}} {{#champs-epci}}

La communauté de communes regroupe {{{{ communes | length }}}} communes ({{{{ annexe("communes") }}}}).

{text.paragraph(6)}

### Les compétences mobilisées

{text.paragraph(5)}

{text.paragraph(5)}

## Enjeux et objectifs partagés {{#enjeux}}

Les enjeux sont déclinés dans le plan d'actions ({{{{ annexe("plan-actions") }}}}), notamment la {{{{ fiche("{fiche_ids[0]}") }}}}.

{text.paragraph(6)}

{text.paragraph(4)}
"""
    out[f"{folder}/annexes/diagnostic.md"] = (
        "---\ntitre: Diagnostic partagé\n---\n\n" + "\n\n".join(
            f"## {text.title()}\n\n{text.paragraph(6)}\n\n{text.paragraph(5)}" for _ in range(4)) + "\n")
    for name, title, kind, orient in (("communes", "Liste des communes couvertes", "communes", "portrait"),
                                      ("equipements", "Équipements et services soutenus", "equipements", "paysage"),
                                      ("plan-actions", "Plan d'actions", "plan-actions", "paysage"),
                                      ("glossaire", "Glossaire des sigles", "glossaire", "portrait")):
        out[f"{folder}/annexes/{name}.md"] = (f"---\ntitre: {title}\ncontenu: {kind}\n"
                                              f"orientation: {orient}\n---\n")
    eq = ["collectivites:"]
    for code in sorted(rng.sample(members, max(3, len(members) // 4))):
        eq += [f'  - collectivite: "{code}"', "    equipements:"]
        for _ in range(rng.randint(1, 3)):
            eq += [f"      - type: {rng.choice(TYPES)}", f"        nom: {text.title()}",
                   "        gestionnaire: Commune", f"        adresse: {rng.randint(1, 90)} rue {rng.choice(LAST)}"]
    out[f"{folder}/donnees/equipements.yaml"] = "\n".join(eq) + "\n"
    plan = ["thematiques:"]
    chunks = [fiche_ids[k:k + 4] for k in range(0, len(fiche_ids), 4)]
    for k, chunk in enumerate(chunks):
        plan += [f"  - titre: {THEMES[k % len(THEMES)]}", "    enjeux:", f"      - titre: {text.title()}",
                 "        objectifs:", f"          - titre: {text.title()}", f"            fiches: [{', '.join(chunk)}]"]
    out[f"{folder}/donnees/plan-actions.yaml"] = "\n".join(plan) + "\n"
    for fid in fiche_ids:
        out[f"{folder}/fiches/{fid}.yaml"] = f"""\
titre: {text.title()}
pilotes: [{epci_id}]
diagnostic_initial: {text.paragraph(3)}
public_cible: {text.sentence(8)}
objectifs_operationnels: |
  - {text.sentence(10)}
  - {text.sentence(10)}
modalites: {text.paragraph(3)}
echeances: "{start}-{start + 2}"
services_mobilises: {text.sentence(10)}
resultats_attendus: {text.sentence(12)}
partenaires: [Département, PMI]
indicateurs: [{text.title()}, {text.title()}]
"""
    for k in range(rng.randint(*shape.avenants)):
        year = start + 1 + k
        out[f"{folder}/avenants/{year}-{k + 1:03d}.md"] = f"""\
---
numero: "{year}-{k + 1:03d}"
convention: {ident}
statut: prêt pour signature
effet: {year}-01-01
signature:
  lieu: Chef-lieu
---

## Objet de l'avenant {{#objet}}

{text.paragraph(5)}

### Contexte

{text.paragraph(6)}
"""
    return out


def _deliberation(g: int, group: list[tuple[str, str, str]], files: dict[str, str],
                  seed: int) -> dict[str, str]:
    """The délibération of the Caf's conseil d'administration approving the latest avenant of each
    convention of group g ((convention id, intercommunalité id, designation)), with its rapport;
    a convention without avenant (a Shape allowing none) is left out, a group without any has none."""
    rng = random.Random(f"{seed + 1}-deliberation-{g}")
    text = Text(rng)
    approved = []  # (avenant id, intercommunalité id, designation)
    last_year = 0
    for ident, epci_id, designation in group:
        prefix = f"conventions/{ident}/avenants/"
        latest = max((k for k in files if k.startswith(prefix)), default=None)  # « 2023-003.md »: year, rank grow
        if latest is None:
            continue
        numero = latest.removeprefix(prefix).removesuffix(".md")
        approved.append((f"{ident}-avenant-{numero}", epci_id, designation))
        last_year = max(last_year, int(numero[:4]))
    if not approved:
        return {}
    # the year before the last avenant takes effect: every convention of the group is signed by then
    seance = dt.date(last_year - 1, rng.randint(9, 11), rng.randint(1, 28))
    numero = f"{seance.year}-{g + 1:03d}"  # unique: one group, one number
    ident = f"deliberation-ca-{numero}"
    names = rng.sample([(f, n) for f in FIRST for n in LAST], rng.randint(16, 24))
    members = [f"{'Mme' if f in WOMEN else 'M.'} {f} {n}" for f, n in names]
    n_present = rng.randint(10, len(members) - 4)
    presents, rest = members[:n_present], members[n_present:]
    n_excuses = len(rest) - rng.randint(1, 2)
    excuses, sans_voix = rest[:n_excuses], rest[n_excuses:]
    president, secretary = names[0], names[1]
    pouvoirs = rng.randint(0, len(excuses))
    abstention = rng.choice([0, 0, 0, 1])
    designations = [d for _, _, d in approved]
    if len(approved) == 1:
        titre = f"Avenant à la convention territoriale globale {_de(designations[0])}"
    else:
        titre = ("Avenants aux conventions territoriales globales "
                 + ", ".join(_de(d) for d in designations[:-1]) + f" et {_de(designations[-1])}")

    def person(first_last: tuple[str, str]) -> str:
        f, n = first_last
        return f"{{civilite: {'Mme' if f in WOMEN else 'M.'}, prenom: {f}, nom: {n}}}"

    def listing(key: str, items: list[str]) -> list[str]:
        return [f"{key}:"] + [f"  - {m}" for m in items] if items else []

    lines = ["---", f"identifiant: {ident}", "organisation: caf",
             "assemblee: le Conseil d'administration de la Caisse d'allocations familiales du Territoire",
             f'numero: "{numero}"', f"titre: {titre}", f"seance: {seance}",
             f"presidence: {person(president)}", f"secretaire: {person(secretary)}"]
    lines += listing("presents", presents) + listing("excuses", excuses) + listing("presents_sans_voix", sans_voix)
    rapport_no = rng.randint(1, 40)
    lines += ["visas:",
              "  - Vu le code de la sécurité sociale, notamment ses articles L. 121-1 et L. 263-1",
              "  - Vu la convention d'objectifs et de gestion conclue entre l'État et la Caisse nationale des "
              "allocations familiales",
              f"rapport: {rapport_no}", "approuve:"] + [f"  - {a}" for a, _, _ in approved]
    lines += ["vote:", f"  pour: {len(presents) + pouvoirs - abstention}", "  contre: 0",
              f"  abstention: {abstention}", f"  pouvoirs: {pouvoirs}", "  groupes_pour:"]
    lines += [f"    - {c}" for c in COLLEGES]
    published = seance + dt.timedelta(days=rng.randint(7, 20))
    lines += ["resultat: adopté", "signature:", "  lieu: Chef-lieu", f"  date: {seance}", "  signataire: caf",
              "publication:", f"  publication_electronique: {published}", "---"]
    folder = f"conventions/_deliberations/{ident}"
    avis = seance - dt.timedelta(days=rng.randint(7, 21))
    rapport = ["---", f"numero: {rapport_no}", "service:", "  - Direction de l'action sociale",
               "  - Pôle Développement territorial", "  - Service Partenariats et territoires",
               f"territoires: [{', '.join(sorted(rng.sample(SECTEURS, rng.randint(1, 2))))}]",
               f"epci: [{', '.join(e for _, e, _ in approved)}]", "avis:",
               "  - commission: la Commission d'action sociale", f"    date: {avis}", "---", "",
               "## Contexte {#contexte}", "", text.paragraph(5), "", text.paragraph(4)]
    for avenant, epci_id, designation in approved:
        rapport += ["", f"## Avenant à la convention {_de(designation)} {{#{epci_id} document={avenant}}}", "",
                    text.paragraph(5), "", text.paragraph(3)]
    return {f"{folder}/deliberation.md": "\n".join(lines) + "\n",
            f"{folder}/rapport.md": "\n".join(rapport) + "\n"}


def _de(designation: str) -> str:
    """« de la CCT1 », « du … »."""
    article, _, rest = designation.partition(" ")
    return {"le": f"du {rest}", "les": f"des {rest}"}.get(article, f"de {designation}")
