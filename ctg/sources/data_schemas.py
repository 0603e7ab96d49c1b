"""pydantic schemas of the data files of a convention (donnees/equipements.yaml,
donnees/plan-actions.yaml, fiches/<id>.yaml) and of the registry's types of équipements."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Literal

from pydantic import AfterValidator, ConfigDict, Field, StringConstraints, model_validator

from .plan import FICHE_CHAMPS, HEADER_KEYS
from .schemas_base import Code, Model, ShortText, Text


class TypeEquipement(Model):
    """One type of équipement or service: in conventions/_registre/types-equipements.yaml, or among the
    « types » of a convention's donnees/equipements.yaml."""

    code: Text = Field(description="Ce que l'on écrit dans « type : » (« EAJE », « ALSH périscolaire »).")
    libelle: Text | None = Field(None, description="Ce qui est imprimé dans le tableau (par défaut, le code).")
    definition: Text | None = Field(None, description="Le nom développé (« Établissement d'accueil du jeune "
                                    "enfant »), pour le guide et les lecteurs.")
    famille: Text | None = Field(None, description="Petite enfance, enfance, jeunesse, parentalité, "
                                 "animation de la vie sociale…")
    synonymes: list[Text] = Field(default_factory=list, description="Autres façons d'écrire ce type "
                                  "(« EVS » pour « Espace de vie sociale »).")


class TypesEquipements(Model):
    types: list[TypeEquipement] = Field(min_length=1)


class Equipement(Model):
    type: Text = Field(description="Un code de conventions/_registre/types-equipements.yaml, ou un type "
                       "déclaré dans « types » de ce fichier.")
    nom: Text | None = None
    adresse: Text | None = None
    nom_adresse: Text | None = Field(None, description="Le nom et l'adresse dans une seule cellule, "
                                     "à la place de « nom » et « adresse ».")
    gestionnaire: Text | None = None

    @model_validator(mode="after")
    def _named(self):
        if self.nom_adresse and (self.nom or self.adresse):
            raise ValueError("écrivez soit « nom_adresse », soit « nom » (et « adresse »), pas les deux")
        if not (self.nom or self.nom_adresse):
            raise ValueError("un équipement a un « nom » (ou un « nom_adresse »)")
        return self

    @property
    def intitule(self) -> str:
        return self.nom or self.nom_adresse or ""


class EquipementsCollectivite(Model):
    collectivite: Code = Field(description="Code INSEE d'une commune ou identifiant d'une organisation (EPCI, SIVOM).")
    equipements: list[Equipement] = Field(min_length=1)


CleTri = Literal["saisie", "collectivite", "type", "nom", "gestionnaire"]
Colonne = Literal["type", "famille", "nom", "nom_adresse", "gestionnaire", "adresse"]


class Equipements(Model):
    types: list[TypeEquipement] = Field(default_factory=list, description="Types propres à cette convention, "
                                        "en plus de ceux du registre.")
    tri: list[CleTri] | CleTri | None = Field(None, description="L'ordre des lignes : « saisie » (l'ordre du "
                                              "fichier), ou des clés parmi collectivite, type, nom, gestionnaire ; "
                                              "par défaut, dans chaque collectivité, par type puis par nom.")
    colonnes: Literal["toutes", "remplies"] | list[Colonne] = Field(
        "toutes", description="Les colonnes des tableaux : « toutes » (par défaut : type, structure, "
        "gestionnaire, adresse), « remplies » (seulement celles qu'une ligne au moins remplit), ou leur liste.")
    collectivites: list[EquipementsCollectivite]


class NiveauPlan(Model):
    cle: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)] = Field(
        description="La clé YAML qui porte les éléments de ce niveau (« axes », « objectifs_generaux »…).")
    nom: Text = Field(description="Le nom du niveau, au singulier (« Objectif général »).")
    pluriel: Text | None = Field(None, description="Son pluriel, s'il n'est pas régulier (par défaut calculé).")
    prefixe: Text | None = Field(None, description="Le préfixe des numéros calculés (« OG » donne « OG 1.2 ») ; "
                                 "sans préfixe, aucun numéro n'est imprimé.")


ChampFiche = Enum("ChampFiche", {k: k for k in FICHE_CHAMPS}, type=str)


def _distinct(values: list) -> list:
    keys = [getattr(v, "cle", v) for v in values]
    twice = sorted({str(getattr(k, "value", k)) for k in keys if keys.count(k) > 1})
    if twice:
        raise ValueError(f"« {twice[0]} » figure deux fois dans la liste")
    reserved = [k for k in keys if k in ("titre", "fiches", *HEADER_KEYS)]
    if reserved:
        raise ValueError(f"« {reserved[0]} » est un mot réservé ; choisissez une autre clé pour ce niveau")
    return values


class PlanActions(Model):
    """The header of donnees/plan-actions.yaml; the tree under the key of its first level is read by
    ctg/sources/plan.py (its keys are the ones the levels declare)."""

    model_config = ConfigDict(extra="allow", frozen=True, str_strip_whitespace=True)
    niveaux: Annotated[list[NiveauPlan], AfterValidator(_distinct)] | None = Field(
        None, min_length=1, max_length=4,
        description="Les niveaux du plan, du plus large au plus fin (1 à 4) ; par défaut thématiques → "
        "enjeux → objectifs.")
    champs: Annotated[list[ChampFiche], AfterValidator(_distinct)] | None = Field(
        None, min_length=1, description="Les champs des fiches action, dans l'ordre d'impression ; par défaut "
        "ceux des fiches d'origine (voir le guide).")


class Fiche(Model):
    titre: Text
    pilotes: list[Text] = Field(default_factory=list, description="Identifiants d'organisations du registre, ou libellés.")
    echeances: ShortText | None = None
    calendrier: ShortText | None = None
    budget: ShortText | None = None
    diagnostic_initial: Text | None = None
    contexte: Text | None = None
    public_cible: Text | None = None
    objectifs_operationnels: Text | None = None
    description: Text | None = None
    exemples_actions: list[Text] = Field(default_factory=list)
    modalites: Text | None = None
    services_mobilises: Text | None = None
    moyens: Text | None = None
    financements: Text | None = None
    resultats_attendus: Text | None = None
    partenaires: list[Text] = Field(default_factory=list)
    indicateurs: list[Text] = Field(default_factory=list)


