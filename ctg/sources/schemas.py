"""pydantic schemas of every source: front matters, registry and data files.

Keys are French because legal staff write them. Every model forbids unknown
keys, so a misspelt key is reported (with the closest valid key) instead of
being silently ignored.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, model_validator

from .identifiers import insee_problem, siren_problem
from .operations import operation_problem


def _code_to_str(value):
    """YAML reads an unquoted 62119 as a number; codes are strings (keep leading zeros)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:05d}" if value < 100000 else str(value)
    return value


def _checked(problem_of):
    """A validator raising the French explanation problem_of(value) gives, if any."""

    def check(value: str) -> str:
        problem = problem_of(value)
        if problem:
            raise ValueError(problem)
        return value

    return AfterValidator(check)


Code = Annotated[str, BeforeValidator(_code_to_str)]  # an INSEE code or an identifier (équipements)
Insee = Annotated[str, BeforeValidator(_code_to_str), _checked(insee_problem)]
Siren = Annotated[str, BeforeValidator(lambda v: f"{v:09d}" if isinstance(v, int) else v), _checked(siren_problem)]
Ident = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=80)]
Text = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Statut(str, Enum):
    projet = "projet"
    pret = "prêt pour signature"
    signee = "signée"
    echue = "échue"


# ---------------------------------------------------------------- registry


class Representant(Model):
    civilite: Literal["M.", "Mme"]
    prenom: Text
    nom: Text
    fonction: Text = Field(description="Fonction au masculin ou au féminin, sans article : « Directeur », « Présidente ».")
    debut: dt.date
    fin: dt.date | None = None

    @model_validator(mode="after")
    def _period(self):
        if self.fin and self.fin < self.debut:
            raise ValueError(f"la fin de mandat ({self.fin}) précède son début ({self.debut})")
        return self


class TypeOrganisation(str, Enum):
    caf = "caf"
    epci = "epci"
    commune = "commune"
    sivom = "sivom"
    msa = "msa"
    departement = "département"
    sivu = "sivu"
    ccas = "ccas"
    cias = "cias"
    cpam = "cpam"
    etat = "état"
    autre = "autre"


class Organisation(Model):
    id: Ident
    type: TypeOrganisation
    nom: Text | None = Field(None, description="Nom complet sans article : « Caisse d'allocations familiales du "
                             "Pas-de-Calais ». Pour une commune (insee) ou un EPCI (siren), tiré des données officielles.")
    article: Literal["la", "le", "l'"] | None = Field(
        None, description="Seulement pour le type « autre » : l'article et le genre des autres types "
        "découlent de leur nature (« la commune de … », « le Département … »).")
    genre: Literal["f", "m"] | None = None
    designation: Text | None = Field(None, description="Nom abrégé de « ci-après … » : « la Caf », « la CABBALR » "
                                     "(par défaut, le nom complet : « la commune de Wimille »).")
    adresse: Text | None = None
    siren: Siren | None = None
    logo: str | None = None
    insee: Insee | None = Field(None, description="Code INSEE, pour une organisation de type commune.")
    communes: list[Insee] = Field(default_factory=list, description="Codes INSEE des communes membres (EPCI, SIVOM).")
    representants: list[Representant] = Field(default_factory=list)

    @model_validator(mode="after")
    def _name(self):
        official = ((self.type == TypeOrganisation.commune and self.insee)
                    or (self.type == TypeOrganisation.epci and self.siren))
        if self.nom is None and not official:
            raise ValueError("indiquez le « nom » de l'organisation (pour une commune, son code « insee » suffit ; "
                             "pour une intercommunalité, son « siren »)")
        return self

    @model_validator(mode="after")
    def _gender(self):
        if self.type == TypeOrganisation.autre and self.article is None:
            raise ValueError("pour une organisation de type « autre », précisez son « article » (la, le, l')")
        if self.article == "l'" and self.genre is None:
            raise ValueError("avec l'article « l' », précisez « genre : f » ou « genre : m »")
        return self


class Commune(Model):
    insee: Insee
    nom: Text
    siren: str | None = None
    departement: str | None = None
    population: int = Field(ge=0)
    annee: int = Field(ge=1800, le=2100, description="Millésime de la population.")


class Epci(Model):
    """An EPCI of the generated official data (officiel/epci.yaml)."""

    siren: str
    nom: Text = Field(description="Nom publié par la DGCL : « CA de Béthune-Bruay, Artois-Lys Romane ».")
    nom_complet: Text = Field(description="Le même, sigle de nature développé : « Communauté d'agglomération de … ».")
    nature: str = Field(description="CA, CC, CU, METRO…")
    population: int = Field(ge=0)
    annee: int
    membres: list[Code]


class SourceTerritoire(Model):
    paquet: Text
    version: Text
    cog: int = Field(ge=1943, le=2100, description="Année du code officiel géographique.")
    millesime_population: int = Field(ge=1800, le=2100)


class Territoire(Model):
    """conventions/_registre/territoire.yaml: where the official data comes from, for which départements."""

    source: SourceTerritoire
    departements: list[Annotated[str, StringConstraints(pattern=r"^(\d{2}|2A|2B|97\d)$")]] = Field(min_length=1)


# ---------------------------------------------------------------- documents


class Autorisation(Model):
    acte: Text = Field(description="« délibération du conseil communautaire », « décision du conseil d'administration »…")
    numero: str | None = None
    date: dt.date


class Signataire(Model):
    organisation: Ident
    autorisation: Autorisation | None = None
    fonction: Text | None = Field(None, description="Signataire désigné par sa seule fonction (« Maire »), sans "
                                  "nom : une ligne reste pour le nom dans le bloc de signature.")
    designation: Text | None = Field(None, description="Le « ci-après dénommé(e) … » de cette partie dans ce "
                                     "document, s'il diffère de celui du registre.")


class Periode(Model):
    debut: dt.date
    fin: dt.date

    @model_validator(mode="after")
    def _order(self):
        if self.fin < self.debut:
            raise ValueError(f"la fin de la période ({self.fin}) précède son début ({self.debut}) ; inversez les dates")
        return self


class CommuneDeclaree(Model):
    insee: Insee
    nom: Text | None = None
    motif: Text


class Signature(Model):
    lieu: Text | None = None
    date: dt.date | None = None


class Convention(Model):
    identifiant: Ident
    titre: Text
    titre_court: Text
    territoire: Ident
    modele: Ident = "ctg"
    statut: Statut
    periode: Periode
    signature: Signature = Signature()
    signataires: list[Signataire] = Field(min_length=2)
    sivom: list[Ident] = Field(default_factory=list)
    visas: list[Text] = Field(default_factory=list)
    emetteur: Ident | None = Field(None, description="Organisation auteur du document (par défaut, le premier signataire).")
    mots_cles: list[Text] = Field(default_factory=list)
    annexes: list[Ident] = Field(default_factory=list)
    communes_ajoutees: list[CommuneDeclaree] = Field(
        default_factory=list, description="Communes couvertes bien qu'hors de l'EPCI, avec le motif.")
    communes_retirees: list[CommuneDeclaree] = Field(
        default_factory=list, description="Communes de l'EPCI que la convention ne couvre pas, avec le motif.")
    remplace: Ident | None = Field(
        None, description="Identifiant de la convention que celle-ci remplace (renouvellement).")
    donnees_officielles: int | None = Field(
        None, ge=1900, le=2100, description="Année du code officiel géographique des données officielles "
        "utilisées (dossier _registre/officiel/ANNEE/) ; par défaut, celles de _registre/officiel/.")


class Avenant(Model):
    numero: Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{3}$")]
    convention: Ident
    statut: Statut
    effet: dt.date
    fin: dt.date | None = None
    signature: Signature = Signature()
    signataires_ajoutes: list[Signataire] = Field(default_factory=list)
    autorisations: dict[Ident, Autorisation] = Field(default_factory=dict)
    visas: list[Text] = Field(default_factory=list)
    mots_cles: list[Text] = Field(default_factory=list)
    annexes: list[Ident] = Field(default_factory=list)
    modifications: list[Operation] = Field(
        default_factory=list, description="Les modifications de la convention, une par élément (voir le guide).")


class Contenu(str, Enum):
    texte = "texte"
    communes = "communes"
    equipements = "equipements"
    plan_actions = "plan-actions"
    glossaire = "glossaire"


class Annexe(Model):
    titre: Text
    orientation: Literal["portrait", "paysage"] = "portrait"
    diffusion: Literal["public", "interne"] = "public"
    contenu: Contenu = Contenu.texte
    colonnes: list[Annotated[str, StringConstraints(pattern=r"^[a-z_]+(@\d{4})?$")]] | None = Field(
        None, description="Annexe des communes : colonnes du tableau (insee, nom, population, population@ANNEE, "
        "evolution), dans l'ordre voulu.")
    formulaires: list[Ident] = Field(
        default_factory=list, description="Modèles de formulaires pré-remplis pour chaque commune et SIVOM "
        "(fichiers formulaires/<id>.md de la convention), produits par « build.py fiches ».")


# ---------------------------------------------------------------- data files


class TypeEquipement(str, Enum):
    eaje = "EAJE"
    laep = "LAEP"
    rpe = "RPE"
    alsh_extra = "ALSH extrascolaire"
    alsh_peri = "ALSH périscolaire"
    ados = "Accueil jeunes"
    ludotheque = "Ludothèque"
    sejours = "Séjours"
    bafa = "BAFA / BAFD"
    coordination = "Poste de coordination"
    centre_social = "Centre social"
    evs = "Espace de vie sociale"
    clas = "CLAS"
    reaap = "REAAP"


class Equipement(Model):
    type: TypeEquipement
    nom: Text
    gestionnaire: Text | None = None
    adresse: Text | None = None


class EquipementsCollectivite(Model):
    collectivite: Code = Field(description="Code INSEE d'une commune ou identifiant d'une organisation (EPCI, SIVOM).")
    equipements: list[Equipement] = Field(min_length=1)


class Equipements(Model):
    collectivites: list[EquipementsCollectivite]


class Objectif(Model):
    titre: Text
    fiches: list[Ident] = Field(default_factory=list)


class Enjeu(Model):
    titre: Text
    objectifs: list[Objectif] = Field(min_length=1)


class Thematique(Model):
    titre: Text
    enjeux: list[Enjeu] = Field(min_length=1)


class PlanActions(Model):
    thematiques: list[Thematique] = Field(min_length=1)


class Fiche(Model):
    titre: Text
    pilotes: list[Text] = Field(min_length=1, description="Identifiants d'organisations du registre, ou libellés.")
    diagnostic_initial: Text
    public_cible: Text
    objectifs_operationnels: Text
    modalites: Text
    echeances: Text
    services_mobilises: Text
    resultats_attendus: Text
    partenaires: list[Text] = Field(default_factory=list)
    indicateurs: list[Text] = Field(min_length=1)


class Operation(Model):
    """One change of an avenant to its convention: exactly one action key (which names its
    target), plus the details that action needs. Checked against the convention in ctg/versions/avenant_ops.py."""

    remplacer_article: Ident | None = None
    inserer_article: Ident | None = None
    supprimer_article: Ident | None = None
    remplacer_alinea: Ident | None = None
    inserer_alinea: Ident | None = None
    supprimer_alinea: Ident | None = None
    remplacer_annexe: Ident | None = None
    ajouter_annexe: Ident | None = None
    retirer_signataire: Ident | None = None
    ajouter_fiche: Ident | None = None
    modifier_fiche: Ident | None = None
    supprimer_fiche: Ident | None = None
    ajouter_equipement: Code | None = Field(None, description="La collectivité : code INSEE ou organisation.")
    retirer_equipement: Code | None = None
    ajouter_commune: Insee | None = None
    retirer_commune: Insee | None = None
    titre: Text | None = None
    texte: Text | None = Field(None, description="Le nouveau texte, en Markdown (renvois {{ article(…) }} permis).")
    apres: int | Ident | None = Field(None, description="Article, fiche ou annexe après lequel insérer ; "
                                      "pour un alinéa, son numéro (0 : au début de l'article).")
    alinea: int | None = Field(None, ge=1)
    thematique: Text | None = None
    enjeu: Text | None = None
    objectif: Text | None = None
    type: TypeEquipement | None = None
    nom: Text | None = None
    adresse: Text | None = None
    gestionnaire: Text | None = None
    motif: Text | None = None

    @model_validator(mode="after")
    def _shape(self):
        problem = operation_problem(self)
        if problem:
            raise ValueError(problem)
        return self


Avenant.model_rebuild()
