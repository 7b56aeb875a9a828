"""Load and validate the data directory (features, benchmarks, pricing, rules) into frozen models."""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from advisor.errors import DataError

OPTION_IDS: tuple[str, ...] = ("linkerd", "istio-sidecar", "istio-ambient")
LEVELS: tuple[str, ...] = ("full", "beta", "partial", "alpha", "none")
FIGURE_KINDS: tuple[str, ...] = ("measured", "derived", "default-request", "published-claim")
CATEGORIES: tuple[str, ...] = ("features", "cost", "latency", "operability", "maturity")
DATA_FILES: tuple[str, ...] = ("features.toml", "benchmarks.toml", "pricing.toml", "rules.toml")

Level = Literal["full", "beta", "partial", "alpha", "none"]
Category = Literal["features", "cost", "latency", "operability", "maturity"]
NonEmpty = Annotated[str, Field(min_length=1)]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


# ---------------------------------------------------------------- features.toml


class OptionInfo(Frozen):
    id: NonEmpty
    name: NonEmpty
    version: NonEmpty
    description: NonEmpty
    traits: tuple[str, ...] = ()


class Group(Frozen):
    id: NonEmpty
    title: NonEmpty


class Cell(Frozen):
    level: Level
    note: NonEmpty
    version: NonEmpty
    source: NonEmpty
    contested: bool = False


class Feature(Frozen):
    id: Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
    group: NonEmpty
    name: NonEmpty
    description: NonEmpty
    cells: dict[str, Cell]


class FeatureMatrix(Frozen):
    data_version: NonEmpty
    options: tuple[OptionInfo, ...]
    groups: tuple[Group, ...]
    features: tuple[Feature, ...]


# ---------------------------------------------------------------- benchmarks.toml


class Figure(Frozen):
    value: Annotated[float, Field(ge=0, allow_inf_nan=False)]
    unit: NonEmpty
    source: NonEmpty
    version: NonEmpty
    kind: Literal["measured", "derived", "default-request", "published-claim"]
    note: str = ""


class Component(Frozen):
    id: NonEmpty
    option: NonEmpty
    name: NonEmpty
    role: Literal["data-plane", "node-agent", "control-plane"]
    scaling: Literal["per-pod", "per-node", "per-l7-namespace", "fixed"]
    replicas: Annotated[int, Field(ge=1, le=1000)] = 1
    traffic: Literal["all", "l7", "none"]
    traversals: Annotated[int, Field(ge=0, le=10)] = 0
    containers_per_instance: Annotated[int, Field(ge=0, le=100)] = 1
    description: str = ""


class ComponentFigures(Frozen):
    cpu_vcpu_per_1000rps: Figure | None = None
    cpu_vcpu_per_instance: Figure | None = None
    memory_mb_per_instance: Figure | None = None
    request_cpu_millicores: Figure | None = None
    request_memory_mib: Figure | None = None


class LatencyFigures(Frozen):
    per_hop_p50_ms: Figure | None = None
    per_hop_p90_ms: Figure | None = None
    per_hop_p99_ms: Figure | None = None
    l7_per_hop_p50_ms: Figure | None = None
    l7_per_hop_p90_ms: Figure | None = None
    l7_per_hop_p99_ms: Figure | None = None


FIGURE_UNITS: dict[str, str] = {
    "cpu_vcpu_per_1000rps": "vCPU per 1000 rps",
    "cpu_vcpu_per_instance": "vCPU",
    "memory_mb_per_instance": "MB",
    "request_cpu_millicores": "millicores",
    "request_memory_mib": "MiB",
    **{name: "ms" for name in LatencyFigures.model_fields},
    "cpu_usd_per_vcpu_hour": "USD per vCPU-hour",
    "memory_usd_per_gib_hour": "USD per GiB-hour",
}


class Profile(Frozen):
    title: NonEmpty
    description: str = ""
    extends: str | None = None
    figures: dict[str, ComponentFigures] = {}
    latency: dict[str, LatencyFigures] = {}


class Benchmarks(Frozen):
    data_version: NonEmpty
    default_profile: NonEmpty
    components: tuple[Component, ...]
    profiles: dict[str, Profile]


# ---------------------------------------------------------------- pricing.toml


class PricePreset(Frozen):
    title: NonEmpty
    description: str = ""
    cpu_usd_per_vcpu_hour: Figure
    memory_usd_per_gib_hour: Figure


class Pricing(Frozen):
    data_version: NonEmpty
    default_preset: NonEmpty
    presets: dict[str, PricePreset]


# ---------------------------------------------------------------- rules.toml


class Range(Frozen):
    min: float | None = None
    max: float | None = None


Condition = Union[bool, int, float, str, tuple[str, ...], Range]


class When(Frozen):
    """Conditions on answers; every condition given must hold. No expressions, no code."""

    answers: dict[str, Condition] = {}
    requires_any: tuple[str, ...] = ()
    wants_any: tuple[str, ...] = ()


class Rule(Frozen):
    id: Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
    category: Category
    when: When = When()
    adjust: dict[str, Annotated[float, Field(ge=-100, le=100, allow_inf_nan=False)]]
    text: NonEmpty
    source: NonEmpty
    # A warning is repeated in the summary when it applies to the chosen option.
    warn: bool = False


class WeightRule(Frozen):
    id: NonEmpty
    category: Category
    when: When = When()
    factor: Annotated[float, Field(ge=0, le=10, allow_inf_nan=False)]
    text: NonEmpty


class LevelRule(Frozen):
    """Points a category loses when an asked-for capability is only at `level` in an option."""

    id: NonEmpty
    level: Level
    asked: Literal["required", "preferred"]
    risk: tuple[str, ...]
    category: Category = "maturity"
    delta: Annotated[float, Field(ge=-100, le=0, allow_inf_nan=False)]
    text: NonEmpty


class RelativeScale(Frozen):
    floor: Annotated[float, Field(gt=0, allow_inf_nan=False)]
    text: str = ""


class Rules(Frozen):
    data_version: NonEmpty
    close_margin: Annotated[float, Field(ge=0, le=50)]
    blocking_levels: dict[str, tuple[Level, ...]]
    level_values: dict[Level, Annotated[float, Field(ge=0, le=1)]]
    ask_weights: dict[Literal["required", "preferred"], Annotated[float, Field(gt=0, le=100)]]
    weights: dict[Category, Annotated[float, Field(ge=0, le=1000)]]
    cost_scale: RelativeScale
    latency_scale: RelativeScale
    weight_rules: tuple[WeightRule, ...] = ()
    level_rules: tuple[LevelRule, ...] = ()
    rules: tuple[Rule, ...] = ()

    @field_validator("level_values")
    @classmethod
    def _all_levels(cls, value: dict[str, float]) -> dict[str, float]:
        missing = [lvl for lvl in LEVELS if lvl not in value]
        if missing:
            raise ValueError(f"missing a value for level(s) {', '.join(missing)}")
        return value


# ---------------------------------------------------------------- the catalog


@dataclass(frozen=True)
class ResolvedProfile:
    """A benchmark profile with `extends` applied: every figure the model needs, by name."""

    id: str
    title: str
    description: str
    chain: tuple[str, ...]
    figures: dict[str, ComponentFigures]
    latency: dict[str, LatencyFigures]


@dataclass(frozen=True)
class Catalog:
    features: FeatureMatrix
    benchmarks: Benchmarks
    pricing: Pricing
    rules: Rules
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

    def option(self, option_id: str) -> OptionInfo:
        for opt in self.features.options:
            if opt.id == option_id:
                return opt
        raise KeyError(option_id)

    @property
    def option_ids(self) -> tuple[str, ...]:
        return tuple(o.id for o in self.features.options)

    def components_of(self, option_id: str) -> tuple[Component, ...]:
        return tuple(c for c in self.benchmarks.components if c.option == option_id)

    def default_prices(self) -> tuple[float, float]:
        preset = self.pricing.presets[self.pricing.default_preset]
        return preset.cpu_usd_per_vcpu_hour.value, preset.memory_usd_per_gib_hour.value


def bundled_data_dir() -> Path:
    """The data directory shipped with the package (wheel) or beside it (source checkout)."""
    here = Path(__file__).resolve().parent
    packaged = here / "_data"
    if packaged.is_dir():
        return packaged
    return here.parent / "data"


_CACHE: dict[Path | None, Catalog] = {}


def load_catalog(data_dir: str | Path | None = None) -> Catalog:
    """Bundled data, with the files that `data_dir` holds replacing bundled ones by name."""
    key = Path(data_dir).resolve() if data_dir is not None else None
    if key not in _CACHE:
        catalog, problems = _load(data_dir)
        if problems:
            where = f"data directory {data_dir}" if data_dir is not None else "bundled data"
            raise DataError(
                f"{where} is invalid ({len(problems)} problem{'s' if len(problems) != 1 else ''}):",
                problems,
            )
        assert catalog is not None
        _CACHE[key] = catalog
    return _CACHE[key]


def validate_data_dir(data_dir: str | Path | None = None) -> list[str]:
    """Every problem in the data (overlay on the bundled files), as `file: field.path: message`."""
    _, problems = _load(data_dir)
    return problems


def _load(data_dir: str | Path | None) -> tuple[Catalog | None, list[str]]:
    problems: list[str] = []
    paths = {name: bundled_data_dir() / name for name in DATA_FILES}
    overlay: list[Path] = []
    if data_dir is not None:
        base = Path(data_dir)
        if not base.exists():
            return None, [f"{base}: no such directory"]
        if not base.is_dir():
            return None, [f"{base}: not a directory (expected a folder holding some of {', '.join(DATA_FILES)})"]
        for path in sorted(base.glob("*.toml")):
            if path.name in paths:
                paths[path.name] = path
                overlay.append(path)
            else:
                problems.append(
                    f"{path.name}: not a mesh-advisor data file (expected one of {', '.join(DATA_FILES)})"
                )
        if not overlay and not problems:
            problems.append(f"{base}: holds none of {', '.join(DATA_FILES)}")

    raw: dict[str, dict[str, Any]] = {}
    digest = hashlib.sha256()
    for name, path in paths.items():
        try:
            content = path.read_bytes()
        except OSError as exc:
            problems.append(f"{name}: cannot read {path}: {exc.strerror or exc}")
            continue
        if path in overlay:
            digest.update(name.encode() + b"\0" + content)
        try:
            raw[name] = tomllib.loads(content.decode("utf-8"))
        except UnicodeDecodeError:
            problems.append(f"{name}: not UTF-8 text")
        except tomllib.TOMLDecodeError as exc:
            problems.append(f"{name}: TOML syntax error: {exc}")

    models: dict[str, Any] = {}
    for name, model in (
        ("features.toml", FeatureMatrix),
        ("benchmarks.toml", Benchmarks),
        ("pricing.toml", Pricing),
        ("rules.toml", Rules),
    ):
        if name not in raw:
            continue
        try:
            models[name] = model.model_validate(raw[name])
        except ValidationError as exc:
            problems.extend(_pydantic_problems(name, exc))

    if len(models) == len(DATA_FILES):
        problems.extend(_cross_check(models))
    if problems:
        return None, problems

    profiles = {
        pid: _resolve_profile(models["benchmarks.toml"], pid)
        for pid in models["benchmarks.toml"].profiles
    }
    stamp = models["features.toml"].data_version
    if overlay:
        stamp = f"{stamp}+local.{digest.hexdigest()[:8]}"
    catalog = Catalog(
        features=models["features.toml"],
        benchmarks=models["benchmarks.toml"],
        pricing=models["pricing.toml"],
        rules=models["rules.toml"],
        data_version=stamp,
        files={name: str(path) for name, path in paths.items()},
        profiles=profiles,
    )
    return catalog, []


def _pydantic_problems(file_name: str, exc: ValidationError) -> list[str]:
    out = []
    for err in exc.errors(include_url=False):
        loc = ".".join(str(part) for part in err["loc"] if not _is_union_tag(part))
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown field"
        elif err["type"] == "missing":
            msg = "required field is missing"
        out.append(f"{file_name}: {loc or '(top level)'}: {msg}")
    return _dedupe(out)


def _is_union_tag(part: Any) -> bool:
    # pydantic puts the tried union member names in the location; they confuse users.
    return isinstance(part, str) and (
        part in ("bool", "int", "float", "str", "Range") or part.startswith("tuple[")
    )


def _dedupe(items: list[str]) -> list[str]:
    seen: set[str] = set()
    return [x for x in items if not (x in seen or seen.add(x))]


def _duplicates(ids: list[str]) -> list[str]:
    seen: set[str] = set()
    dup: list[str] = []
    for i in ids:
        if i in seen and i not in dup:
            dup.append(i)
        seen.add(i)
    return dup


def _cross_check(models: dict[str, Any]) -> list[str]:
    from advisor.questions import BY_KEY

    problems: list[str] = []
    fm: FeatureMatrix = models["features.toml"]
    bm: Benchmarks = models["benchmarks.toml"]
    pr: Pricing = models["pricing.toml"]
    rl: Rules = models["rules.toml"]

    # features.toml
    option_ids = [o.id for o in fm.options]
    for dup in _duplicates(option_ids):
        problems.append(f"features.toml: options: option '{dup}' is listed twice")
    unknown_opts = [o for o in option_ids if o not in OPTION_IDS]
    for o in unknown_opts:
        problems.append(f"features.toml: options: unknown option id '{o}' (expected {', '.join(OPTION_IDS)})")
    for o in OPTION_IDS:
        if o not in option_ids:
            problems.append(f"features.toml: options: option '{o}' is missing")
    group_ids = [g.id for g in fm.groups]
    for dup in _duplicates(group_ids):
        problems.append(f"features.toml: groups: group '{dup}' is listed twice")
    feature_ids = [f.id for f in fm.features]
    for dup in _duplicates(feature_ids):
        problems.append(f"features.toml: features: feature '{dup}' is defined twice")
    if not fm.features:
        problems.append("features.toml: features: no features defined")
    for i, feat in enumerate(fm.features):
        where = f"features.toml: features.{i}({feat.id})"
        if feat.group not in group_ids:
            problems.append(f"{where}.group: unknown group '{feat.group}' (expected {', '.join(group_ids)})")
        for cell_option in feat.cells:
            if cell_option not in OPTION_IDS:
                problems.append(
                    f"{where}.cells.{cell_option}: unknown option id (expected {', '.join(OPTION_IDS)})"
                )
        for o in OPTION_IDS:
            if o not in feat.cells:
                problems.append(f"{where}.cells.{o}: cell is missing")

    # benchmarks.toml
    comp_ids = [c.id for c in bm.components]
    for dup in _duplicates(comp_ids):
        problems.append(f"benchmarks.toml: components: component '{dup}' is defined twice")
    for i, comp in enumerate(bm.components):
        where = f"benchmarks.toml: components.{i}({comp.id})"
        if comp.option not in OPTION_IDS:
            problems.append(f"{where}.option: unknown option id '{comp.option}' (expected {', '.join(OPTION_IDS)})")
        if comp.traffic != "none" and comp.traversals < 1:
            problems.append(f"{where}.traversals: must be ≥ 1 when traffic is '{comp.traffic}'")
    for o in OPTION_IDS:
        if not any(c.option == o for c in bm.components):
            problems.append(f"benchmarks.toml: components: no component for option '{o}'")
    if bm.default_profile not in bm.profiles:
        problems.append(
            f"benchmarks.toml: default_profile: unknown profile '{bm.default_profile}' "
            f"(expected one of {', '.join(bm.profiles) or 'the profiles defined'})"
        )
    for pid, prof in bm.profiles.items():
        where = f"benchmarks.toml: profiles.{pid}"
        if prof.extends is not None and prof.extends not in bm.profiles:
            problems.append(f"{where}.extends: unknown profile '{prof.extends}'")
            continue
        chain = _extends_chain(bm, pid)
        if chain is None:
            problems.append(f"{where}.extends: profiles extend each other in a cycle")
            continue
        for cid in prof.figures:
            if cid not in comp_ids:
                problems.append(f"{where}.figures.{cid}: unknown component (expected {', '.join(comp_ids)})")
        for oid in prof.latency:
            if oid not in OPTION_IDS:
                problems.append(f"{where}.latency.{oid}: unknown option id (expected {', '.join(OPTION_IDS)})")
        for cid, figs in prof.figures.items():
            problems.extend(_unit_problems(f"{where}.figures.{cid}", figs))
        for oid, figs in prof.latency.items():
            problems.extend(_unit_problems(f"{where}.latency.{oid}", figs))
        resolved = _resolve_profile(bm, pid)
        for comp in bm.components:
            figs = resolved.figures.get(comp.id, ComponentFigures())
            at = f"{where}.figures.{comp.id}"
            if comp.traffic != "none" and figs.cpu_vcpu_per_1000rps is None and figs.cpu_vcpu_per_instance is None:
                problems.append(f"{at}: needs cpu_vcpu_per_1000rps or cpu_vcpu_per_instance")
            if comp.traffic == "none" and figs.cpu_vcpu_per_instance is None:
                problems.append(f"{at}.cpu_vcpu_per_instance: required field is missing (component handles no traffic)")
            for name in ("memory_mb_per_instance", "request_cpu_millicores", "request_memory_mib"):
                if getattr(figs, name) is None:
                    problems.append(f"{at}.{name}: required field is missing")
        for oid in OPTION_IDS:
            lat = resolved.latency.get(oid, LatencyFigures())
            for name in ("per_hop_p50_ms", "per_hop_p90_ms", "per_hop_p99_ms"):
                if getattr(lat, name) is None:
                    problems.append(f"{where}.latency.{oid}.{name}: required field is missing")
            l7 = [getattr(lat, f"l7_per_hop_p{p}_ms") for p in (50, 90, 99)]
            if any(f is not None for f in l7) and not all(f is not None for f in l7):
                problems.append(f"{where}.latency.{oid}: give all three of l7_per_hop_p50_ms/p90/p99 or none")

    # pricing.toml
    if pr.default_preset not in pr.presets:
        problems.append(f"pricing.toml: default_preset: unknown preset '{pr.default_preset}'")
    for pid, preset in pr.presets.items():
        for name in ("cpu_usd_per_vcpu_hour", "memory_usd_per_gib_hour"):
            fig = getattr(preset, name)
            if fig.unit != FIGURE_UNITS[name]:
                problems.append(
                    f"pricing.toml: presets.{pid}.{name}.unit: expected '{FIGURE_UNITS[name]}', got '{fig.unit}'"
                )

    # rules.toml
    known_features = set(feature_ids)

    def check_when(where: str, when: When) -> None:
        for key, cond in when.answers.items():
            q = BY_KEY.get(key)
            if q is None:
                problems.append(f"{where}.when.answers.{key}: unknown answer key")
                continue
            if q.kind in ("features",):
                problems.append(f"{where}.when.answers.{key}: use requires_any / wants_any for capabilities")
                continue
            values = cond if isinstance(cond, tuple) else (cond,)
            for v in values:
                if isinstance(v, Range):
                    if q.kind not in ("int", "float"):
                        problems.append(f"{where}.when.answers.{key}: a min/max range needs a numeric answer")
                    continue
                try:
                    q.parse(v)
                except ValueError as exc:
                    problems.append(f"{where}.when.answers.{key}: {exc}")
        for fid in (*when.requires_any, *when.wants_any):
            if fid not in known_features:
                problems.append(f"{where}.when: unknown feature id '{fid}'")

    for i, rule in enumerate(rl.rules):
        where = f"rules.toml: rules.{i}({rule.id})"
        check_when(where, rule.when)
        for oid in rule.adjust:
            if oid not in OPTION_IDS:
                problems.append(f"{where}.adjust.{oid}: unknown option id (expected {', '.join(OPTION_IDS)})")
    for dup in _duplicates([r.id for r in rl.rules]):
        problems.append(f"rules.toml: rules: rule id '{dup}' is used twice")
    for i, wrule in enumerate(rl.weight_rules):
        check_when(f"rules.toml: weight_rules.{i}({wrule.id})", wrule.when)
    from advisor.questions import BY_KEY as _Q

    risks = _Q["risk"].choices
    for i, lrule in enumerate(rl.level_rules):
        for r in lrule.risk:
            if r not in risks:
                problems.append(f"rules.toml: level_rules.{i}({lrule.id}).risk: unknown risk '{r}' (expected {', '.join(risks)})")
    for r in rl.blocking_levels:
        if r not in risks:
            problems.append(f"rules.toml: blocking_levels.{r}: unknown risk (expected {', '.join(risks)})")
    for r in risks:
        if r not in rl.blocking_levels:
            problems.append(f"rules.toml: blocking_levels.{r}: missing (which levels block a required capability)")
    for cat in CATEGORIES:
        if cat not in rl.weights:
            problems.append(f"rules.toml: weights.{cat}: required field is missing")
    if rl.weights and sum(rl.weights.values()) <= 0:
        problems.append("rules.toml: weights: at least one weight must be above 0")
    return problems


def _unit_problems(where: str, figs: BaseModel) -> list[str]:
    out = []
    for name in type(figs).model_fields:
        fig = getattr(figs, name)
        if fig is not None and fig.unit != FIGURE_UNITS[name]:
            out.append(f"{where}.{name}.unit: expected '{FIGURE_UNITS[name]}', got '{fig.unit}'")
        if fig is not None and fig.kind == "derived" and not fig.note:
            out.append(f"{where}.{name}.note: a derived figure must say how it was derived")
    return out


def _extends_chain(bm: Benchmarks, pid: str) -> tuple[str, ...] | None:
    chain: list[str] = []
    current: str | None = pid
    while current is not None:
        if current in chain:
            return None
        chain.append(current)
        prof = bm.profiles.get(current)
        current = prof.extends if prof else None
    return tuple(chain)


def _merge(base: BaseModel | None, top: BaseModel | None, model: type[BaseModel]) -> Any:
    if base is None:
        return top
    if top is None:
        return base
    merged = {name: getattr(top, name) or getattr(base, name) for name in model.model_fields}
    return model.model_construct(**merged)


def _resolve_profile(bm: Benchmarks, pid: str) -> ResolvedProfile:
    chain = _extends_chain(bm, pid) or (pid,)
    figures: dict[str, ComponentFigures] = {}
    latency: dict[str, LatencyFigures] = {}
    for name in reversed(chain):
        prof = bm.profiles[name]
        for cid, figs in prof.figures.items():
            figures[cid] = _merge(figures.get(cid), figs, ComponentFigures)
        for oid, figs in prof.latency.items():
            latency[oid] = _merge(latency.get(oid), figs, LatencyFigures)
    prof = bm.profiles[pid]
    return ResolvedProfile(
        id=pid, title=prof.title, description=prof.description, chain=chain,
        figures=figures, latency=latency,
    )
