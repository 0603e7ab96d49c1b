"""The building blocks of the schemas: the base model (unknown keys refused) and the value types."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, StringConstraints

from .identifiers import insee_problem, siren_problem


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
# a short text that YAML may read as a number: « calendrier: 2026 », « budget: 15000 »
ShortText = Annotated[str, BeforeValidator(lambda v: str(v) if isinstance(v, (int, float)) and not isinstance(v, bool)
                                           else v, json_schema_input_type=str | int | float),
                      StringConstraints(min_length=1, strip_whitespace=True)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
