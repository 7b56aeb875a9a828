"""The data catalog (features, benchmarks, pricing, rules, migrations, platforms) as frozen models.

The models are plain frozen dataclasses so that a normal run never imports pydantic: the bundled
data is validated ahead of time (advisor.catalog.pin), other data when it is read
(advisor.catalog.validation). Which files are read is advisor.catalog.files; loading them,
advisor.catalog.load.

One module per data file (features, benchmarks, pricing, rules, migrations, platforms), what they
share in base, and the Catalog that holds them in catalog; every public name is re-exported here,
so `from advisor.catalog.models import X` is the one way in.
"""

from __future__ import annotations

from advisor.catalog.models.base import (
    CATEGORIES,
    ID_PATTERN,
    LEVELS,
    Category,
    Level,
    constraint_types,
    field_names,
    model,
    model_modules,
    to_dict,
)
from advisor.catalog.models.benchmarks import (
    ANSWER_KIND,
    FIGURE_KINDS,
    FIGURE_UNITS,
    Benchmarks,
    Component,
    ComponentFigures,
    Figure,
    LatencyFigures,
    Profile,
    ResolvedProfile,
    Unpublished,
    answer_figure,
    figure_items,
    resolve_profiles,
)
from advisor.catalog.models.catalog import DATA_FILES, MODELS, OTHER_DATA_FILES, SIGNALS_FILE, Catalog
from advisor.catalog.models.features import Cell, Feature, FeatureMatrix, Group, OptionInfo, cell_dict
from advisor.catalog.models.migrations import (
    MANIFEST_GENERATORS,
    ManifestStep,
    Migrations,
    Move,
    MoveCost,
    Phase,
    PlanItem,
    Unsupported,
    mesh_matches,
)
from advisor.catalog.models.platforms import Constraint, Offering, Platform, Platforms
from advisor.catalog.models.pricing import PricePreset, Pricing, ReferenceNode
from advisor.catalog.models.rules import (
    Condition,
    InUseRules,
    LevelRule,
    MaturityRules,
    PartialMustHave,
    Range,
    RelativeScale,
    Rule,
    Rules,
    SanityCheck,
    Target,
    WeightRule,
    When,
)

__all__ = [
    "ANSWER_KIND",
    "CATEGORIES",
    "DATA_FILES",
    "FIGURE_KINDS",
    "FIGURE_UNITS",
    "ID_PATTERN",
    "LEVELS",
    "MANIFEST_GENERATORS",
    "MODELS",
    "OTHER_DATA_FILES",
    "SIGNALS_FILE",
    "Benchmarks",
    "Catalog",
    "Category",
    "Cell",
    "Component",
    "ComponentFigures",
    "Condition",
    "Constraint",
    "Feature",
    "FeatureMatrix",
    "Figure",
    "Group",
    "InUseRules",
    "LatencyFigures",
    "Level",
    "LevelRule",
    "ManifestStep",
    "MaturityRules",
    "Migrations",
    "Move",
    "MoveCost",
    "Offering",
    "OptionInfo",
    "PartialMustHave",
    "Phase",
    "PlanItem",
    "Platform",
    "Platforms",
    "PricePreset",
    "Pricing",
    "Profile",
    "Range",
    "ReferenceNode",
    "RelativeScale",
    "ResolvedProfile",
    "Rule",
    "Rules",
    "SanityCheck",
    "Target",
    "Unpublished",
    "Unsupported",
    "WeightRule",
    "When",
    "answer_figure",
    "cell_dict",
    "constraint_types",
    "field_names",
    "figure_items",
    "mesh_matches",
    "model",
    "model_modules",
    "resolve_profiles",
    "to_dict",
]
