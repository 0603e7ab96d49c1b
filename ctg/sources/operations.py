"""The shape of an avenant's operations (« modifications »): one action each, with the details it needs.

The schema (schemas.Operation) checks every operation with operation_problem when the avenant is
read; what an operation does to a convention is versions/avenant_ops.py.
"""

from __future__ import annotations

# action key -> (required details, other allowed details)
ACTIONS: dict[str, tuple[frozenset, frozenset]] = {
    "remplacer_article": (frozenset({"texte"}), frozenset({"titre"})),
    "inserer_article": (frozenset({"apres", "titre", "texte"}), frozenset()),
    "supprimer_article": (frozenset(), frozenset()),
    "remplacer_alinea": (frozenset({"alinea", "texte"}), frozenset()),
    "inserer_alinea": (frozenset({"apres", "texte"}), frozenset()),
    "supprimer_alinea": (frozenset({"alinea"}), frozenset()),
    "remplacer_annexe": (frozenset(), frozenset()),
    "ajouter_annexe": (frozenset(), frozenset({"apres"})),
    "retirer_signataire": (frozenset(), frozenset()),
    "ajouter_fiche": (frozenset(), frozenset({"apres", "thematique", "enjeu", "objectif"})),
    "modifier_fiche": (frozenset(), frozenset()),
    "supprimer_fiche": (frozenset(), frozenset()),
    "ajouter_equipement": (frozenset({"type", "nom"}), frozenset({"adresse", "gestionnaire"})),
    "retirer_equipement": (frozenset({"nom"}), frozenset({"type"})),
    "ajouter_commune": (frozenset({"motif"}), frozenset()),
    "retirer_commune": (frozenset({"motif"}), frozenset()),
}
DETAILS = ("titre", "texte", "apres", "alinea", "thematique", "enjeu", "objectif", "type", "nom", "adresse",
           "gestionnaire", "motif")


def operation_problem(op) -> str | None:
    """The shape of one operation (called by the schema): one action, the details it needs."""
    actions = [a for a in ACTIONS if getattr(op, a) is not None]
    if not actions:
        return ("une modification commence par une action : " + ", ".join(f"« {a} »" for a in ACTIONS))
    if len(actions) > 1:
        return (f"une modification ne fait qu'une chose, celle-ci en indique {len(actions)} "
                f"({', '.join(actions)}) ; écrivez-les en éléments « - » séparés")
    action = actions[0]
    required, optional = ACTIONS[action]
    given = {d for d in DETAILS if getattr(op, d) is not None}
    missing = sorted(required - given)
    if missing:
        return f"« {action} » demande aussi {', '.join(f'« {m} »' for m in missing)}"
    extra = sorted(given - required - optional)
    if extra:
        return f"{', '.join(f'« {e} »' for e in extra)} ne s'applique pas à « {action} »"
    if action == "inserer_alinea" and not isinstance(op.apres, int):
        return "pour « inserer_alinea », « apres » est le numéro de l'alinéa (0 : au début de l'article)"
    if action in ("inserer_article", "ajouter_fiche", "ajouter_annexe") and isinstance(op.apres, int):
        return f"pour « {action} », « apres » est un identifiant, pas un numéro"
    if action == "ajouter_fiche" and op.apres is None and not (op.thematique and op.enjeu and op.objectif):
        return ("« ajouter_fiche » demande sa place : « apres » (une fiche du plan) ou « thematique », "
                "« enjeu » et « objectif »")
    return None


def action_of(op) -> tuple[str, str]:
    action = next(a for a in ACTIONS if getattr(op, a) is not None)
    return action, getattr(op, action)


# ---------------------------------------------------------------- state
