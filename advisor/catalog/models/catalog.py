"""The catalog: every data file's validated model in one record, with the lookups the engine asks for."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from advisor.catalog.models.benchmarks import Benchmarks, Component, ResolvedProfile
from advisor.catalog.models.features import Feature, FeatureMatrix, OptionInfo
from advisor.catalog.models.migrations import Migrations, Move, Unsupported, mesh_matches
from advisor.catalog.models.platforms import Platform, Platforms
from advisor.catalog.models.pricing import Pricing
from advisor.catalog.models.rules import Rules
from advisor.records import record

DATA_FILES: tuple[str, ...] = (
    "features.toml",
    "benchmarks.toml",
    "pricing.toml",
    "rules.toml",
    "migrations.toml",
    "platforms.toml",
)
# Data read by other commands with their own checks (scan: advisor.scan.signals), not part of the catalog.
SIGNALS_FILE = "signals.toml"
OTHER_DATA_FILES: tuple[str, ...] = (SIGNALS_FILE, "hazards.toml")  # read by scan and check, not the catalog

# Every data file, the Catalog attribute it fills and the model it is validated as. A new data file
# is one entry here (and its name in DATA_FILES, a field on Catalog, and its models in a module of
# their own that advisor.catalog.models re-exports); validation, pinning
# (`python -m advisor.catalog.pin`) and loading follow from this table.
MODELS: tuple[tuple[str, str, type], ...] = (
    ("features.toml", "features", FeatureMatrix),
    ("benchmarks.toml", "benchmarks", Benchmarks),
    ("pricing.toml", "pricing", Pricing),
    ("rules.toml", "rules", Rules),
    ("migrations.toml", "migrations", Migrations),
    ("platforms.toml", "platforms", Platforms),
)


@record(eq=True)
class Catalog:
    features: FeatureMatrix
    benchmarks: Benchmarks
    pricing: Pricing
    rules: Rules
    migrations: Migrations
    platforms: Platforms
    data_version: str
    files: dict[str, str]  # data file name -> path it was read from
    profiles: dict[str, ResolvedProfile]

    @property
    def feature_ids(self) -> tuple[str, ...]:
        return tuple(f.id for f in self.features.features)

    def feature(self, feature_id: str) -> Feature:
        for feat in self.features.features:
            if feat.id == feature_id:
                return feat
        raise KeyError(feature_id)

    @property
    def platform_ids(self) -> tuple[str, ...]:
        return tuple(p.id for p in self.platforms.platforms)

    def platform(self, platform_id: str) -> Platform:
        for plat in self.platforms.platforms:
            if plat.id == platform_id:
                return plat
        raise KeyError(platform_id)

    def option(self, option_id: str) -> OptionInfo:
        for opt in self.features.options:
            if opt.id == option_id:
                return opt
        raise KeyError(option_id)

    @cached_property  # asked for a dozen times per recommend, and what-if recommends ~1,000 times
    def option_ids(self) -> tuple[str, ...]:
        return tuple(o.id for o in self.features.options)

    def traits_of(self, mesh: str) -> tuple[str, ...]:
        """An option's traits; "none" (no mesh) has none."""
        for opt in self.features.options:
            if opt.id == mesh:
                return opt.traits
        return ()

    def mesh_name(self, mesh: str) -> str:
        for opt in self.features.options:
            if opt.id == mesh:
                return opt.name
        return "no mesh"

    def applies(self, entry: Any, current: str, target: str) -> bool:
        """True when a migrations.toml entry covers the move from `current` to `target`."""
        if current == target:
            return False
        if not (
            mesh_matches(entry.from_mesh, current, self.traits_of(current))
            and mesh_matches(entry.to_mesh, target, self.traits_of(target))
        ):
            return False
        wanted = getattr(entry, "moves", ())
        if wanted:
            move = self.move(current, target)
            return move is not None and move.id in wanted
        return True

    def move(self, current: str, target: str) -> Move | None:
        return next((m for m in self.migrations.moves if not m.stay and self.applies(m, current, target)), None)

    def stay_move(self, current: str) -> Move | None:
        """The plan for staying on the current mesh (e.g. scoping its sidecars), when the data has one."""
        traits = self.traits_of(current)
        return next((m for m in self.migrations.moves if m.stay and mesh_matches(m.from_mesh, current, traits)), None)

    def unsupported(self, current: str, target: str) -> Unsupported | None:
        return next(
            (
                u
                for u in self.migrations.unsupported
                if mesh_matches(u.from_mesh, current, self.traits_of(current))
                and mesh_matches(u.to_mesh, target, self.traits_of(target))
            ),
            None,
        )

    def components_of(self, option_id: str) -> tuple[Component, ...]:
        return tuple(c for c in self.benchmarks.components if c.option == option_id)

    def default_prices(self) -> tuple[float, float]:
        preset = self.pricing.presets[self.pricing.default_preset]
        return preset.cpu_usd_per_vcpu_hour.value, preset.memory_usd_per_gib_hour.value
