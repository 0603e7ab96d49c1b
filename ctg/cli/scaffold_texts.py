"""The files « build.py new » writes: a convention's skeleton (front matter, articles to fill, two
annexes) and an avenant's, as text, from what was asked."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ..assembly import org_names
from ..core.french import de
from ..sources.corpus import Registry


@dataclass
class NewConvention:
    ident: str
    territoire: str
    signataires: list[str]
    debut: dt.date
    fin: dt.date


def _designation_short(designation: str) -> str:
    """« la CABBALR » → « CABBALR »."""
    return re.sub(r"^(la |le |les |l')", "", designation, flags=re.I)


# Long on purpose: mostly the text of the file it writes, kept whole to be read as written (scripts/sizes.py).
def convention_text(new: NewConvention, reg: Registry) -> str:
    terr = reg.organisations[new.territoire]
    nom_complet = org_names.full_name(terr)
    years = f"{new.debut.year}-{new.fin.year}"
    signatories = []
    for org_id in new.signataires:
        code = org_id.upper()
        commune = code in reg.communes and org_id not in reg.organisations  # a commune by its INSEE code
        if commune:
            signatories.append(f'  - commune: "{code}"          # {reg.communes[code].nom}')
        else:
            signatories.append(f"  - organisation: {org_id}")
        if not commune and reg.organisations[org_id].type.value == "caf":
            continue
        signatories += [
            "    # autorisation:            # l'acte qui habilite le représentant à signer (facultatif)",
            f"    #   acte: délibération du conseil {'municipal' if commune else 'communautaire'}",
            '    #   numero: "…"',
            f"    #   date: {new.debut.isoformat()}   # peut attendre, dans un projet, que l'acte soit pris",
        ]
    head = f"""\
---
# Convention territoriale globale, créée par « python build.py new convention ».
# Complétez les articles sous l'en-tête, puis vérifiez avec « python build.py check ».
# Chaque clé est décrite dans le guide de rédaction (docs/convention.md).
identifiant: {new.ident}
titre: Convention territoriale globale au service du projet de territoire {de(nom_complet)}
titre_court: CTG {_designation_short(org_names.designation(terr))} {years}
territoire: {new.territoire}
# projet, puis « prêt pour signature » quand plus rien n'est à compléter, puis « signée »
statut: projet
periode:
  debut: {new.debut.isoformat()}
  fin: {new.fin.isoformat()}
# signature:                    # exigée dès « prêt pour signature » (lieu), puis à la signature (date)
#   lieu: Arras
#   date: {new.debut.isoformat()}
#   ordre: [{", ".join(new.signataires)}]   # l'ordre des cases de signature, s'il diffère de celui des signataires
# Les représentants sont choisis dans le registre à la date de signature (à défaut, au début de la période).
signataires:
{chr(10).join(signatories)}
# sivom: []                     # les SIVOM associés (identifiants du registre)
# visas: []                     # les « Vu … » placés avant les parties, un par ligne
# mots_cles: []                 # mots-clés du document (métadonnées du PDF)
# Les annexes, dans l'ordre : cet ordre donne leur numéro (un fichier annexes/<id>.md chacune).
annexes:
  - communes
  - glossaire
---

## Champs d'intervention {de(org_names.designation(terr))} {{#champs-epci}}

{{# À rédiger : les compétences de l'intercommunalité qui relèvent de la convention
   (petite enfance, enfance, jeunesse, parentalité, animation de la vie sociale,
   accès aux droits, logement, inclusion numérique…), l'organisation de ses services
   et les traits marquants du territoire. Des sous-articles « ### Titre » sont possibles ;
   ne numérotez rien, les numéros sont ajoutés à la production.
   Ce commentaire, entre accolades et dièses, n'apparaît pas dans les documents produits. #}}

Le territoire compte {{{{ communes | length }}}} communes, dont la liste figure en {{{{ annexe("communes") }}}}.

[à compléter : les compétences et les services {de(org_names.designation(terr))}]

## Enjeux et objectifs partagés {{#enjeux}}

{{# À rédiger : les enjeux issus du diagnostic partagé du territoire et les objectifs que
   les signataires se donnent pour la durée de la convention. Un plan d'actions détaillé
   peut être placé en annexe (contenu « plan-actions », avec donnees/plan-actions.yaml
   et une fiche par action dans fiches/ : voir docs/annexes.md). #}}

[à compléter : les enjeux et les objectifs partagés]
"""
    return head


ANNEX_COMMUNES = """\
---
titre: Liste des communes du territoire
contenu: communes
---

{# Le tableau des communes (code INSEE, nom, population) est produit à partir du registre :
   rien à saisir. Un court texte d'introduction peut être écrit à la place de ce commentaire. #}
"""

ANNEX_GLOSSAIRE = """\
---
titre: Glossaire des sigles
contenu: glossaire
casse: libre      # « Rsa » et « RSA » sont le même sigle
---

{# Le glossaire reprend les sigles du registre (_registre/sigles.yaml) employés dans le
   document : rien à saisir. #}
"""


def avenant_text(numero: str, parent: str, effet: dt.date, parent_end: dt.date, added: list[str]) -> str:
    lines = [
        "---",
        f"# Avenant n° {numero} à « {parent} », créé par « python build.py new avenant ».",
        "# Rédigez son objet sous l'en-tête, puis vérifiez avec « python build.py check ».",
        "# Chaque clé est décrite dans le guide de rédaction (docs/avenants.md).",
        f'numero: "{numero}"',
        f"convention: {parent}",
        "# projet, puis « prêt pour signature » quand plus rien n'est à compléter, puis « signée »",
        "statut: projet",
        f"effet: {effet.isoformat()}",
        f"# fin: {parent_end.isoformat()}               # facultative : par défaut, la fin de la convention",
        "# signature:                     # exigée dès « prêt pour signature » (lieu), puis à la signature (date)",
        "#   lieu: Arras",
    ]
    if added:
        lines.append("signataires_ajoutes:")
        for org_id in added:
            lines += [f"  - organisation: {org_id}",
                      "    # autorisation:              # l'acte qui habilite son représentant à signer (facultatif)",
                      "    #   acte: délibération de la commission permanente",
                      f"    #   date: {effet.isoformat()}"]
    else:
        lines.append("# signataires_ajoutes:           # les organisations qui rejoignent la convention")
        lines.append("#   - organisation: departement62")
    lines += [
        "# autorisations:                 # pour un signataire déjà partie, l'acte qui habilite son représentant",
        "---",
        "",
        "## Objet de l'avenant {#objet}",
        "",
        "{# À rédiger : ce que l'avenant change dans la convention (adhésion d'un signataire,",
        "   modification d'un article ou d'une annexe, prolongation…). Les articles « Incidences",
        "   sur la convention » et « Effet et durée de l'avenant » sont ajoutés d'office à partir",
        "   de la bibliothèque de clauses. Ce commentaire n'apparaît pas dans les documents produits. #}",
        "",
        "Le présent avenant a pour objet [à compléter : l'objet de l'avenant].",
        "",
    ]
    return "\n".join(lines)
