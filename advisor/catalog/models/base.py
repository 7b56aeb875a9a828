"""What every data file's models share: the @model decorator, the levels and categories, and the
constrained types their annotations name (built only for validation)."""

from __future__ import annotations

from dataclasses import asdict, field, fields
from typing import TYPE_CHECKING, Any, Literal, TypeVar, dataclass_transform

from advisor.records import record

T = TypeVar("T", bound=type)

LEVELS: tuple[str, ...] = ("full", "beta", "partial", "alpha", "none")
# "migration" scores the move from the current mesh; it is weighed only when there is one.
CATEGORIES: tuple[str, ...] = ("features", "cost", "latency", "operability", "maturity", "migration")
ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"  # feature and rule ids (checked in advisor.catalog.validation)

Level = Literal["full", "beta", "partial", "alpha", "none"]
Category = Literal["features", "cost", "latency", "operability", "maturity", "migration"]


def constraint_types() -> dict[str, Any]:
    """The constrained types the models' annotations name, for validation only.

    Annotations are strings (postponed evaluation), so a normal run never builds these;
    advisor.catalog.validation adds them to the namespace of every module that defines a model
    (model_modules) before pydantic reads the models.
    """
    from typing import Annotated

    from pydantic import Field

    return {
        "Annotated": Annotated,
        "Field": Field,
        "NonEmpty": Annotated[str, Field(min_length=1)],
        # ≤ 1e9: far above any real figure, low enough that figure x the answers' maxima stays
        # finite. Finiteness and "a number, not a quoted number" are checked on the raw data.
        "FigureValue": Annotated[float, Field(ge=0, le=1e9)],
        "Points": Annotated[float, Field(ge=-100, le=100)],
    }


if TYPE_CHECKING:
    from typing import Annotated

    from pydantic import Field

    NonEmpty = Annotated[str, Field(min_length=1)]
    FigureValue = Annotated[float, Field(ge=0, le=1e9)]
    Points = Annotated[float, Field(ge=-100, le=100)]


# pydantic reads this from each stdlib dataclass when it validates one (advisor.catalog.validation).
_STRICT_SHAPE = {"extra": "forbid", "str_strip_whitespace": True}


_MODEL_CLASSES: list[type] = []


@dataclass_transform(frozen_default=True, eq_default=False, field_specifiers=(field,))
def model(cls: T) -> T:
    """A frozen record (advisor.records: never compared, cheap to define) that pydantic validates
    with unknown fields forbidden."""
    cls.__pydantic_config__ = _STRICT_SHAPE  # type: ignore[attr-defined]
    built = record(cls)
    _MODEL_CLASSES.append(built)
    return built


def model_modules() -> tuple[str, ...]:
    """The modules that define models (by name, in definition order): pydantic resolves a model's
    annotations in its own module's namespace, so each needs the constrained types."""
    return tuple(dict.fromkeys(cls.__module__ for cls in _MODEL_CLASSES))


def to_dict(obj: Any) -> dict[str, Any]:
    """A model as plain data (for JSON/TOML documents)."""
    return asdict(obj)


def field_names(obj_or_cls: Any) -> tuple[str, ...]:
    return tuple(f.name for f in fields(obj_or_cls))
