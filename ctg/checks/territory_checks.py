"""Checks against the official territorial data (officiel/, see ctg/territory.py).

- a commune's name must match its INSEE code (accent, hyphen and « Saint »/« St » variants
  are explained); an unknown or wrong code names the closest match;
- an EPCI is known by its SIREN; a typed list of members must be the official one;
- the communes a convention covers are its EPCI's members, except those declared in
  « communes_ajoutees » / « communes_retirees » with a reason; a commune signatory
  outside them is an error (equipment is checked by validate.py with the same set).
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata

from ..assembly import org_names
from ..assembly.context import covered_communes, pinned_data
from ..core.diagnostics import Diagnostics
from ..core.french import de
from ..sources.corpus import ConventionSource, Corpus, Located, Registry
from ..sources.schemas import Organisation, TypeOrganisation
from ..sources.commune_table import commune_names, derived
from ..sources.territory import members_source
from .epci_names import same_name


def _deaccent(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFD", text) if unicodedata.category(ch) != "Mn")


def _saints(text: str) -> str:
    text = re.sub(r"\bSte\b\.?", "Sainte", text, flags=re.I)
    return re.sub(r"\bSt\b\.?", "Saint", text, flags=re.I)


@functools.lru_cache(maxsize=200_000)  # every official commune's name, at each check of a long-lived preview
def name_key(name: str) -> str:
    """Comparison key: no accents, case, hyphens, apostrophes or « St » abbreviations."""
    return re.sub(r"[^a-z0-9]", "", _deaccent(_saints(name)).casefold())


def name_variants(typed: str, official: str) -> list[str]:
    """Why typed differs from official when it is the same name written differently (else [])."""
    if typed == official or name_key(typed) != name_key(official):
        return []
    reasons = []
    t = _saints(typed)
    if t != typed:
        reasons.append("« Saint » et « Sainte » s'écrivent en toutes lettres, sans abréviation « St » ou « Ste »")
    if "’" in t and "'" in official:
        reasons.append("l'apostrophe est droite (')")
        t = t.replace("’", "'")
    if re.sub(r"\w+", "x", t) != re.sub(r"\w+", "x", official):
        reasons.append("les mots sont reliés par des traits d'union, sans espace" if "-" in official
                       else "les espaces et les traits d'union diffèrent")
    letters_t, letters_o = re.sub(r"\W+", "", t), re.sub(r"\W+", "", official)
    if letters_t.casefold() != letters_o.casefold():
        capital = any(c.isupper() and _deaccent(c) != c for c in official)
        reasons.append("les accents diffèrent" + (" (les majuscules s'accentuent aussi : « É »)" if capital else ""))
    if _deaccent(letters_t) != _deaccent(letters_o) and _deaccent(letters_t).casefold() == _deaccent(letters_o).casefold():
        reasons.append("les majuscules diffèrent")
    return reasons or ["l'orthographe diffère"]


def _by_name_key(communes) -> dict[str, list[str]]:
    by_key: dict[str, list[str]] = {}
    for code, nom, _ in sorted(commune_names(communes)):
        by_key.setdefault(name_key(nom), []).append(code)
    return by_key


class NameIndex:
    """Official communes by name key, for « did you mean »."""

    _last: list = []  # [communes, by_key]: a long-lived preview checks the same official data at each save

    def __init__(self, reg: Registry):
        self.reg = reg
        if NameIndex._last and NameIndex._last[0] is reg.communes:
            self.by_key = NameIndex._last[1]
        else:
            self.by_key = derived(reg.communes, "name-keys", _by_name_key)
            NameIndex._last[:] = [reg.communes, self.by_key]
        self.keys = list(self.by_key)

    @staticmethod
    def prepare(communes) -> None:
        """Compute and keep with a commune table the index of every commune by name."""
        derived(communes, "name-keys", _by_name_key)

    def label(self, code: str) -> str:
        return f"{code} ({self.reg.communes[code].nom})"

    def codes_named(self, name: str) -> list[str]:
        return self.by_key.get(name_key(name), [])

    def closest_name(self, name: str) -> str | None:
        guess = difflib.get_close_matches(name_key(name), self.keys, n=1, cutoff=0.75)
        return self.by_key[guess[0]][0] if guess else None

    def closest_code(self, code: str) -> str | None:
        same_dep = [c for c in self.reg.communes if c[:2] == code[:2]] or list(self.reg.communes)
        guess = difflib.get_close_matches(code, same_dep, n=1, cutoff=0.6)
        return guess[0] if guess else None

    def unknown(self, code: str, typed_name: str | None) -> str:
        """Message for a code absent from the official data, naming the closest match."""
        msg = f"le code INSEE {code} n'est celui d'aucune commune {members_source(self.reg)}"
        if typed_name:
            named = self.codes_named(typed_name) or ([self.closest_name(typed_name)] if self.closest_name(typed_name) else [])
            if named:
                return f"{msg} ; « {typed_name} » a le code {named[0]}" + (
                    "." if self.reg.communes[named[0]].nom == typed_name else f" ({self.reg.communes[named[0]].nom}).")
        near = self.closest_code(code)
        return f"{msg}" + (f" ; code le plus proche : {self.label(near)}." if near else ".")

    def name_problem(self, code: str, typed: str) -> tuple[str, str] | None:
        """(diagnostic code, message) if typed is not the official name of commune code."""
        official = self.reg.communes[code].nom
        if typed == official:
            return None
        variants = name_variants(typed, official)
        if variants:
            return ("nom-commune", f"la commune {code} s'écrit « {official} » et non « {typed} » : "
                                   f"{' ; '.join(variants)}.")
        others = [c for c in self.codes_named(typed) if c != code]
        if others:
            return ("code-insee-errone", f"le code INSEE {code} est celui de « {official} », pas de « {typed} », "
                                         f"qui a le code {others[0]} ; corrigez le code ou le nom.")
        near = self.closest_name(typed)
        hint = (f" ; « {typed} » ressemble à la commune {self.label(near)}" if near and near != code else "")
        return ("nom-commune", f"le code INSEE {code} est celui de « {official} », pas de « {typed} »{hint} ; "
                               "corrigez le code ou le nom.")


def _typed(src: Located, key: str) -> bool:
    return isinstance(src.doc.data, dict) and src.doc.data.get(key) is not None


class TerritoryChecks:
    def __init__(self, corpus: Corpus, diags: Diagnostics):
        self.corpus, self.diags = corpus, diags
        self.reg = corpus.registry
        self.names = NameIndex(self.reg)

    def run(self) -> None:
        if self.reg.source_officielle is None:
            return  # no official data in this registry: nothing to compare with
        for oid, org in self.reg.organisations.items():
            if oid in self.reg.commune_parties:
                continue  # made from the official data: nothing typed to compare
            src = self.reg.organisation_src[oid]
            if org.type == TypeOrganisation.epci:
                self.epci(org, src)
            elif org.type == TypeOrganisation.commune:
                self.commune(org, src)
        for conv in self.corpus.conventions.values():
            self.convention(conv)

    def _list(self, codes) -> str:
        codes = sorted(codes)
        shown = ", ".join(self.names.label(c) if c in self.reg.communes else c for c in codes[:12])
        return shown + (f" et {len(codes) - 12} autres" if len(codes) > 12 else "")

    # ------------------------------------------------------------ organisations

    def epci(self, org: Organisation, src: Located) -> None:
        reg, diags = self.reg, self.diags
        if org.siren is None:
            diags.error(src.path, src.line("type"), "siren-absent",
                        "une intercommunalité renvoie aux données officielles par son SIREN : ajoutez "
                        f"« siren: \"…\" »{self._closest_epci(org.nom)}")
            return
        e = reg.epci.get(org.siren)
        if e is None:
            diags.error(src.path, src.line("siren"), "epci-inconnu",
                        f"le SIREN {org.siren} n'est celui d'aucune intercommunalité {members_source(reg)}"
                        f"{self._closest_epci(org.nom if _typed(src, 'nom') else None, org.siren)}")
            return
        if _typed(src, "nom") and org.nom != e.nom and not same_name(org.nom, e.nom_complet):
            diags.error(src.path, src.line("nom"), "nom-officiel",
                        f"le nom officiel de l'intercommunalité {e.siren} est « {e.nom_complet} », pas « {org.nom} » ; "
                        "retirez la clé « nom » : le nom est repris des données officielles.")
        if _typed(src, "communes"):
            typed, official = set(org.communes), set(e.membres)
            if typed != official:
                parts = []
                if official - typed:
                    parts.append(f"manquent {self._list(official - typed)}")
                if typed - official:
                    parts.append(f"en trop : {self._list(typed - official)}")
                diags.error(src.path, src.line("communes"), "membres-differents",
                            f"la liste « communes » ne correspond pas aux {len(official)} membres {de(org_names.designation(org))} "
                            f"{members_source(reg)} : {' ; '.join(parts)}. Retirez la liste : les membres sont repris "
                            "des données officielles.")

    def _closest_epci(self, name: str | None, siren: str | None = None) -> str:
        reg = self.reg
        if name:
            names = {e.nom_complet: s for s, e in reg.epci.items()} | {e.nom: s for s, e in reg.epci.items()}
            guess = difflib.get_close_matches(name, list(names), n=1, cutoff=0.6)
            if guess:
                e = reg.epci[names[guess[0]]]
                return f" ; « {e.nom_complet} » a le SIREN {e.siren}."
        if siren:
            guess = difflib.get_close_matches(siren, list(reg.epci), n=1, cutoff=0.6)
            if guess:
                return f" ; SIREN le plus proche : {guess[0]} ({reg.epci[guess[0]].nom_complet})."
        return "."

    def commune(self, org: Organisation, src: Located) -> None:
        if org.insee is None:
            self.diags.warning(src.path, src.line("type"), "insee-absent",
                               "une commune renvoie aux données officielles par son code « insee » ; sans lui, "
                               "son nom et son appartenance au territoire ne sont pas vérifiés.")
            return
        typed_name = org.nom if _typed(src, "nom") else None
        if org.insee not in self.reg.communes:
            self.diags.error(src.path, src.line("insee"), "commune-inconnue", self.names.unknown(org.insee, typed_name))
            return
        if typed_name:
            problem = self.names.name_problem(org.insee, typed_name)
            if problem:
                self.diags.error(src.path, src.line("nom"), problem[0],
                                 problem[1] + " Vous pouvez aussi retirer la clé « nom » : il est repris des données.")
        official_siren = self.reg.communes[org.insee].siren
        if _typed(src, "siren") and official_siren and org.siren != official_siren:
            self.diags.error(src.path, src.line("siren"), "siren-commune",
                             f"le SIREN de la commune {self.names.label(org.insee)} est {official_siren}, pas "
                             f"{org.siren} ; retirez la clé « siren » : il est repris des données officielles.")

    # ------------------------------------------------------------ conventions

    def _data_of(self, conv: ConventionSource, territory) -> tuple[dict, set[str], str]:
        """The communes known to the convention's official data, the territory's members there, and
        « au 1er janvier 2026 (code officiel géographique 2026) » for messages (« donnees_officielles: »)."""
        if territory is None:
            return self.reg.communes, set(), members_source(self.reg)
        known, members = pinned_data(self.corpus, conv, territory)
        vintage = self.reg.millesimes.get(conv.meta.donnees_officielles or 0)
        return known, set(members), members_source(self.reg, vintage.source if vintage else None)

    def convention(self, conv: ConventionSource) -> None:
        meta, src, reg = conv.meta, conv.src, self.reg
        territory = reg.organisations.get(meta.territoire)
        known, members, when = self._data_of(conv, territory)
        who = org_names.designation(territory) if territory is not None else meta.territoire
        seen: dict[str, str] = {}
        for key in ("communes_ajoutees", "communes_retirees"):
            for i, d in enumerate(getattr(meta, key)):
                line = src.line(key, i, "insee")
                if d.insee in seen:
                    self.diags.error(conv.path, line, "commune-declaree-deux-fois",
                                     f"la commune {d.insee} est déjà déclarée dans « {seen[d.insee]} ».")
                    continue
                seen[d.insee] = key
                if d.insee not in known:
                    self.diags.error(conv.path, line, "commune-inconnue", self.names.unknown(d.insee, d.nom))
                    continue
                if d.insee not in reg.communes:
                    continue  # a commune of the convention's own vintage only (merged since): nothing to compare
                if d.nom:
                    problem = self.names.name_problem(d.insee, d.nom)
                    if problem:
                        self.diags.error(conv.path, src.line(key, i, "nom"), problem[0], problem[1])
                if territory is None:
                    continue
                if key == "communes_ajoutees" and d.insee in members:
                    self.diags.error(conv.path, line, "commune-deja-membre",
                                     f"la commune {self.names.label(d.insee)} est déjà membre {de(who)} "
                                     f"{when} : elle est couverte sans être déclarée ; retirez-la de "
                                     "« communes_ajoutees ».")
                if key == "communes_retirees" and d.insee not in members:
                    self.diags.error(conv.path, line, "commune-non-membre",
                                     f"la commune {self.names.label(d.insee)} n'est pas membre {de(who)} "
                                     f"{when} : il n'y a rien à retirer ; supprimez cette déclaration.")
        covered = {c.insee for c in covered_communes(self.corpus, conv)}
        for i, s in enumerate(meta.signataires):
            org = reg.organisations.get(s.organisation)
            if org is None or org.type != TypeOrganisation.commune or org.insee is None or org.insee not in reg.communes:
                continue
            if org.insee not in covered:
                self.diags.error(conv.path, src.line("signataires", i, "organisation"), "signataire-hors-territoire",
                                 f"la commune {self.names.label(org.insee)} signe la convention mais n'est pas membre "
                                 f"{de(who)} {when} ; déclarez-la dans « communes_ajoutees » avec son "
                                 "motif, ou retirez-la des signataires.")


def check_territory(corpus: Corpus, diags: Diagnostics) -> None:
    TerritoryChecks(corpus, diags).run()
