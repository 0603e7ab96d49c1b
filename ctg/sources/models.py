"""Clause models (templates/modeles/*.yaml): the ordered articles of a kind of document."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import BeforeValidator, Field, model_validator

from ..core.diagnostics import Diagnostics
from .schema_errors import validate
from .schemas import Ident, Model, Text
from .sources import read_yaml


def _oui_non(value):
    if isinstance(value, str) and value.lower() in ("oui", "non"):
        return value.lower() == "oui"
    return value


class ModelArticle(Model):
    id: Ident
    titre: Text | None = None
    clause: str | None = None
    local: Annotated[bool, BeforeValidator(_oui_non)] = False

    @model_validator(mode="after")
    def _source(self):
        if not self.local and not (self.titre and self.clause):
            raise ValueError("un article du modèle a un « titre » et une « clause », ou bien « local : oui »")
        return self


class ClauseModel(Model):
    preambule: str | None = None
    articles: list[ModelArticle] = Field(min_length=1)


def load_model(templates: Path, name: str, diags: Diagnostics) -> ClauseModel | None:
    path = templates / "modeles" / f"{name}.yaml"
    if not path.exists():
        return None
    doc = read_yaml(path, diags)
    if doc is None:
        return None
    model = validate(ClauseModel, doc, path, diags)
    if model is None:
        return None
    for i, art in enumerate(model.articles):
        if art.clause and not (templates / "clauses" / art.clause).is_file():
            diags.error(path, doc.line(("articles", i, "clause")), "clause-absente",
                        f"la clause « {art.clause} » est introuvable dans {diags.rel(templates / 'clauses')}.")
    if model.preambule and not (templates / "clauses" / model.preambule).is_file():
        diags.error(path, doc.line(("preambule",)), "clause-absente",
                    f"le préambule « {model.preambule} » est introuvable.")
    return model
