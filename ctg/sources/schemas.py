"""pydantic schemas of every source: front matters, registry and data files.

Keys are French because legal staff write them. Every model forbids unknown
keys, so a misspelt key is reported (with the closest valid key) instead of
being silently ignored.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StringConstraints, model_validator

from .data_schemas import (ChampFiche, Equipement, Equipements, EquipementsCollectivite, Fiche,  # noqa: F401
                           NiveauPlan, PlanActions, TypeEquipement, TypesEquipements)  # the data files' schemas
from .operations import operation_problem
from .schemas_base import Code, Ident, Insee, Model, Siren, Text  # noqa: F401 (Code, Siren: imported from here)
from .signatory_keys import commune_as_organisation, organisation_or_commune


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
    debut: dt.date | None = Field(None, description="Début du mandat ; s'il n'est pas connu, le mandat vaut depuis "
                                  "toujours (permis pour un projet, demandé au statut « prêt pour signature »).")
    fin: dt.date | None = None

    @model_validator(mode="after")
    def _period(self):
        if self.fin and self.debut and self.fin < self.debut:
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
    region = "région"
    syndicat_mixte = "syndicat mixte"
    association = "association"
    france_travail = "france travail"
    autre = "autre"


class Organisation(Model):
    id: Ident
    type: TypeOrganisation
    nom: Text | None = Field(None, description="Nom complet sans article : « Caisse d'allocations familiales du "
                             "Pas-de-Calais ». Pour une commune (insee) ou un EPCI (siren), tiré des données officielles.")
    article: Literal["la", "le", "l'", "aucun"] | None = Field(
        None, description="Seulement pour le type « autre » : l'article et le genre des autres types "
        "découlent de leur nature (« la commune de … », « le Département … ») ; « aucun » pour un nom "
        "sans article (« France Travail »).")
    genre: Literal["f", "m"] | None = Field(None, description="Le genre du nom, quand il n'est pas celui du type : "
                                            "« genre: f » pour « la Préfecture du Pas-de-Calais » (type état).")
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
        if self.article in ("l'", "aucun") and self.genre is None:
            raise ValueError(f"avec l'article « {self.article} », précisez « genre : f » ou « genre : m »")
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
    date: dt.date | None = Field(None, description="Date de l'acte ; peut manquer dans un projet (l'acte n'est pas "
                                 "encore pris), demandée au statut « prêt pour signature ».")


class Signataire(Model):
    model_config = ConfigDict(**Model.model_config, json_schema_extra=organisation_or_commune)

    organisation: Ident = Field(description="Identifiant d'une organisation du registre.")
    commune: Insee | None = Field(None, description="Au lieu d'« organisation » : le code INSEE d'une commune "
                                  "signataire, prise dans les données officielles (son maire dans maires.yaml).")
    autorisation: Autorisation | None = None
    fonction: Text | None = Field(None, description="Signataire désigné par sa seule fonction (« Maire »), sans "
                                  "nom : une ligne reste pour le nom dans le bloc de signature.")
    designation: Text | None = Field(None, description="Le « ci-après dénommé(e) … » de cette partie dans ce "
                                     "document, s'il diffère de celui du registre.")

    @model_validator(mode="before")
    @classmethod
    def _from_commune(cls, data):
        return commune_as_organisation(data)


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
    ordre: list[Code] = Field(
        default_factory=list, description="L'ordre des cases de signature, s'il diffère de celui des parties : "
        "chaque signataire une fois (identifiant, ou code INSEE d'une commune).")


class Numerotation(Model):
    sous_articles: Literal["chiffres", "lettres"] = Field(
        "chiffres", description="« chiffres » : 6.1, 6.2 (par défaut) ; « lettres » : 6 - a, 6 - b.")
    sommaire_annexes: Literal["non", "apres-signatures"] = Field(
        "non", description="« apres-signatures » : la liste des annexes suit les signatures.")


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
    numerotation: Numerotation = Numerotation()
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
    casse: Literal["exacte", "libre"] = Field(
        "exacte", description="Pour un glossaire : « libre » reconnaît aussi un sigle écrit en capitales ou avec sa "
        "seule initiale en capitale (« Rsa » pour RSA, « CAF » pour Caf) ; « exacte » (par défaut), tel que le "
        "registre l'écrit.")
    colonnes: list[Annotated[str, StringConstraints(pattern=r"^[a-z_]+(@\d{4})?$")]] | None = Field(
        None, description="Annexe des communes : colonnes du tableau (insee, nom, population, population@ANNEE, "
        "evolution), dans l'ordre voulu.")
    formulaires: list[Ident] = Field(
        default_factory=list, description="Modèles de formulaires pré-remplis pour chaque commune et SIVOM "
        "(fichiers formulaires/<id>.md de la convention), produits par « build.py fiches ».")


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
    type: Text | None = None
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
