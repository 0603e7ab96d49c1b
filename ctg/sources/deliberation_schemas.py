"""pydantic schemas of the délibérations, rapports, communes' forms and mayors' terms
(conventions/_deliberations/, maires.yaml); the shared types are in schemas.py."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, StringConstraints

from .schemas import Autorisation, Ident, Insee, Model, Representant, Text

Membre = Annotated[str, StringConstraints(pattern=r"^(M\.|Mme) \S.*$", strip_whitespace=True)]


class Personne(Model):
    civilite: Literal["M.", "Mme"]
    prenom: Text
    nom: Text


class Vote(Model):
    pour: int = Field(ge=0)
    contre: int = Field(0, ge=0)
    abstention: int = Field(0, ge=0)
    sans_participation: int = Field(0, ge=0, description="Membres présents qui ne prennent pas part au vote.")
    pouvoirs: int = Field(0, ge=0, description="Nombre de pouvoirs confiés par des membres excusés.")
    groupes_pour: list[Text] = Field(default_factory=list)
    groupes_contre: list[Text] = Field(default_factory=list)
    groupes_abstention: list[Text] = Field(default_factory=list)


class SignatureDeliberation(Model):
    lieu: Text
    date: dt.date
    signataire: Ident = Field(description="Organisation du registre dont le représentant signe, choisi à la date.")
    delegation: Text | None = Field(None, description="Mention de la signature par délégation, une ligne : "
                                    "« Pour le Président du Conseil départemental, la Directrice générale des services, "
                                    "Mme Maryline Vinclaire ».")


class Publication(Model):
    controle_legalite: dt.date | None = None
    publication_electronique: dt.date | None = None


class Deliberation(Model):
    identifiant: Ident
    organisation: Ident = Field(description="La collectivité dont l'assemblée délibère (registre).")
    assemblee: Text = Field(description="L'assemblée, avec son article : « la Commission permanente du Conseil "
                            "départemental du Pas-de-Calais ».")
    numero: Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z][0-9A-Za-z/-]*$")]
    titre: Text
    seance: dt.date
    presidence: Personne
    secretaire: Personne | None = None
    presents: list[Membre] = Field(min_length=1)
    excuses: list[Membre] = Field(default_factory=list)
    presents_sans_voix: list[Membre] = Field(default_factory=list)
    excuses_sans_voix: list[Membre] = Field(default_factory=list)
    visas: list[Text] = Field(default_factory=list)
    rapport: Annotated[str, BeforeValidator(lambda v: str(v) if isinstance(v, int) else v)] | None = Field(
        None, description="Numéro du rapport auquel la délibération répond (fichier rapport.md du même dossier).")
    approuve: list[Ident] = Field(min_length=1, description="Identifiants des documents approuvés, dans l'ordre.")
    vote: Vote
    resultat: Literal["adopté", "rejeté"]
    signature: SignatureDeliberation
    publication: Publication = Publication()


class Avis(Model):
    commission: Text = Field(description="« la 2e commission – Solidarités humaines ».")
    date: dt.date
    sens: Literal["favorable", "défavorable", "réservé"] = "favorable"


class Rapport(Model):
    numero: Annotated[str, BeforeValidator(lambda v: str(v) if isinstance(v, int) else v)]
    service: list[Text] = Field(default_factory=list, description="Pôle, direction et service auteurs, du plus "
                                "général au plus précis.")
    territoires: list[Text] = Field(default_factory=list)
    epci: list[Ident] = Field(default_factory=list, description="Intercommunalités concernées (registre).")
    avis: list[Avis] = Field(default_factory=list)


class Formulaire(Model):
    """Front matter of a form template: conventions/<convention>/formulaires/<id>.md."""

    titre: Text
    destinataires: list[Literal["commune", "sivom"]] = Field(
        default_factory=lambda: ["commune", "sivom"], min_length=1)
    deliberation_intercommunale: Autorisation | None = Field(
        None, description="La délibération intercommunale à laquelle le formulaire renvoie (par défaut : "
        "l'autorisation du signataire intercommunal de la convention).")
    date_reference: dt.date | None = Field(
        None, description="Date à laquelle maires et présidents sont choisis (par défaut : la date de signature "
        "de la convention, sinon son début).")


class Maires(Model):
    """conventions/_registre/maires.yaml: the mayors, by INSEE code, with their terms of office."""

    maires: dict[Insee, list[Representant]]

