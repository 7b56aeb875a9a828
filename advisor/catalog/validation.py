"""Validate data files with pydantic and report every problem as `file: field.path: message`.

Imported only when data must be validated: `data validate`, a --data-dir overlay, bundled data
that differs from the pinned form, and `python -m advisor.catalog.pin`.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import MISSING, fields
from typing import Annotated, Any, get_args, get_origin, get_type_hints

from pydantic import TypeAdapter, ValidationError

from advisor.errors import visible
from advisor.reading import ReadProblem, parse_text

import advisor.catalog.models as _catalog_module
import sys
from advisor.answers.registry import BY_KEY
from advisor.catalog.crosscheck import crosscheck
from advisor.catalog.files import DataFiles, read_data, read_signals
from advisor.scan.signals import signal_ids
from advisor.catalog.models import (
    ANSWER_KIND,
    CATEGORIES,
    DATA_FILES,
    ID_PATTERN,
    LEVELS,
    Benchmarks,
    ComponentFigures,
    FIGURE_KINDS,
    FIGURE_UNITS,
    MANIFEST_GENERATORS,
    LatencyFigures,
    Migrations,
    OptionInfo,
    Platforms,
    Pricing,
    Range,
    Rules,
    When,
    field_names,
    mesh_matches,
    resolve_profiles,
)

# The models' annotations are strings naming constrained types that a normal run never builds;
# pydantic resolves each model's annotations in the namespace of the module that defines it.
_CONSTRAINED = _catalog_module.constraint_types()
for _module in _catalog_module.model_modules():
    vars(sys.modules[_module]).update(_CONSTRAINED)

MODELS: tuple[tuple[str, type], ...] = tuple((name, model) for name, _, model in _catalog_module.MODELS)


@functools.lru_cache(maxsize=None)
def _adapter(annotation: Any) -> TypeAdapter:
    return TypeAdapter(annotation)


def validate_models(
    files: DataFiles, contents: dict[str, bytes] | None = None, read_problems: list[str] | None = None
) -> tuple[dict[str, Any] | None, list[str]]:
    """Parse and validate the data files' bytes; (models by file name, []) or (None, every problem).

    `contents` are the bytes the caller read (each file read once, so what is checked is what is
    used); without them the files are read here.
    """
    problems: list[str] = list(files.problems)
    if files.unusable:
        return None, [visible(p, one_line=True) for p in problems]
    if contents is None:
        contents, read_problems = read_data(files)
    problems.extend(read_problems or [])

    raw: dict[str, dict[str, Any]] = {}
    for name in files.paths:
        if name not in contents:
            continue
        try:
            raw[name] = parse_text(contents[name], as_json=False)
        except ReadProblem as exc:
            problems.append(f"{name}: {exc.message}")

    models: dict[str, Any] = {}
    # Files that fail validation still get cross-checked on the parts that do validate, so one
    # run reports every problem (a bad level and a duplicated feature), not the shape errors first.
    views: dict[str, Any] = {}
    for name, model in MODELS:
        if name not in raw:
            continue
        try:
            models[name] = views[name] = _adapter(model).validate_python(raw[name])
        except ValidationError as exc:
            problems.extend(_pydantic_problems(name, exc, raw[name]))
            views[name] = _salvage(model, raw[name])

    problems.extend(_cross_check(views, raw, _signal_ids(files)))
    problems.extend(_raw_checks(raw))
    if problems:
        # One file's problems together, files in the usual order; stray files first.
        order = {name: i for i, name in enumerate(DATA_FILES)}
        problems.sort(key=lambda p: order.get(p.split(":", 1)[0], -1))
        return None, [visible(p, one_line=True) for p in _dedupe(problems)]
    return models, []


def _salvage(cls: type, data: dict[str, Any]) -> Any:
    """The parts of an invalid file that validate on their own: whole fields, else the valid
    entries of a list or table of entries. Fields that cannot be read at all are None."""
    hints = get_type_hints(cls, include_extras=True)
    values: dict[str, Any] = {}
    for f in fields(cls):
        if f.default is not MISSING:
            default = f.default
        elif f.default_factory is not MISSING:
            default = f.default_factory()
        else:
            default = None
        if f.name not in data:
            values[f.name] = default
            continue
        annotation = hints[f.name]
        try:
            values[f.name] = _adapter(annotation).validate_python(data[f.name])
            continue
        except ValidationError:
            pass
        bare = get_args(annotation)[0] if get_origin(annotation) is Annotated else annotation
        origin, args = get_origin(bare), get_args(bare)
        if origin is tuple and len(args) == 2 and args[1] is Ellipsis and isinstance(data[f.name], list):
            item = _adapter(args[0])
            values[f.name] = tuple(v for v in (_valid_or_none(item, x) for x in data[f.name]) if v is not None)
        elif origin is dict and isinstance(data[f.name], dict):
            item = _adapter(args[1])
            values[f.name] = {k: v for k, x in data[f.name].items() if (v := _valid_or_none(item, x)) is not None}
        else:
            values[f.name] = default
    # A partial view for the cross-checks: required fields that could not be read are None.
    view = object.__new__(cls)
    for name, value in values.items():
        object.__setattr__(view, name, value)
    return view


def _valid_or_none(adapter: TypeAdapter, value: Any) -> Any:
    try:
        return adapter.validate_python(value)
    except ValidationError:
        return None


def _raw_entries(data: dict[str, Any] | None, key: str) -> list[dict[str, Any]]:
    """The tables of an array of tables as written, whether or not they validate."""
    entries = (data or {}).get(key)
    return [e for e in entries if isinstance(e, dict)] if isinstance(entries, list) else []


def _raw_ids(data: dict[str, Any] | None, key: str, field: str = "id") -> list[str]:
    # Stripped as pydantic strips them, so `id = "mtls "` is the same id as `mtls` in every check.
    return [e[field].strip() for e in _raw_entries(data, key) if isinstance(e.get(field), str)]


def _listing(ids: Any, limit: int = 20) -> str:
    """Ids for an "expected ..." hint, cut short so a file with 100,000 entries cannot make every
    message 100,000 ids long."""
    ids = list(ids)
    shown = ", ".join(ids[:limit])
    return shown + (f", ... ({len(ids) - limit} more)" if len(ids) > limit else "")


def _indexed(entries: tuple[Any, ...] | None, data: dict[str, Any], key: str) -> list[tuple[int, Any]]:
    """(position in the file, entry): a salvaged list skips invalid entries but keeps file order."""
    written = data.get(key) if isinstance(data.get(key), list) else []
    out: list[tuple[int, Any]] = []
    pos = 0
    for entry in entries or ():
        while pos < len(written) and not (
            isinstance(written[pos], dict) and str(written[pos].get("id", "")).strip() == entry.id
        ):
            pos += 1
        out.append((pos, entry))
        pos += 1
    return out


def _pydantic_problems(file_name: str, exc: ValidationError, data: dict[str, Any]) -> list[str]:
    out = []
    for err in exc.errors(include_url=False):
        loc = _field_path(data, err["loc"])
        msg = err["msg"]
        if err["type"] in ("extra_forbidden", "unexpected_keyword_argument"):
            msg = "unknown field"
        elif err["type"] in ("missing", "missing_argument"):
            msg = "required field is missing"
        elif isinstance(err.get("input"), (str, int, float, bool)):
            msg = f"{msg} (got {err['input']!r})"
        out.append(f"{file_name}: {loc or '(top level)'}: {msg}")
    return _dedupe(out)


def _field_path(data: Any, loc: tuple[Any, ...]) -> str:
    """`features.3(wasm).cells.linkerd.level`: list positions carry the entry's id when it has one."""
    parts: list[str] = []
    node = data
    for part in loc:
        if _is_union_tag(part):
            continue
        label = str(part)
        if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
            if isinstance(node, dict) and isinstance(node.get("id"), str):
                label = f"{part}({node['id']})"
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            node = None
        parts.append(label)
    return ".".join(parts)


def _is_union_tag(part: Any) -> bool:
    # pydantic puts the tried union member names in the location; they confuse users.
    return isinstance(part, str) and (part in ("bool", "int", "float", "str", "Range") or part.startswith("tuple["))


def _dedupe(items: list[str]) -> list[str]:
    seen: set[str] = set()
    return [x for x in items if not (x in seen or seen.add(x))]


def _duplicates(ids: list[str]) -> list[str]:
    """Ids given more than once, compared as they are used (surrounding spaces dropped): linear time."""
    seen: set[str] = set()
    dup: dict[str, None] = {}
    for i in ids:
        key = i.strip()
        if key in seen:
            dup[key] = None
        seen.add(key)
    return list(dup)


def _cross_check(
    views: dict[str, Any], raw: dict[str, dict[str, Any]], signal_ids: list[str] | None = None
) -> list[str]:
    """Checks across entries and files. A view may be a partly read (salvaged) file: ids, and
    whether something is missing, come from the file as written, so an entry that failed
    validation is reported once, for what is wrong with it, and never as missing or unknown."""
    problems: list[str] = []
    # The options declared in features.toml are the set every other file is checked against.
    # Without a readable list of options there is no set, so option ids are not checked.
    written_options = raw.get("features.toml", {}).get("options")
    # dict.fromkeys: the ids in file order, with O(1) membership (a hostile file may list 100,000)
    options = dict.fromkeys(_raw_ids(raw["features.toml"], "options")) if isinstance(written_options, list) else None
    if "features.toml" in views:
        problems.extend(_check_features(raw["features.toml"]))
    if "benchmarks.toml" in views:
        problems.extend(_check_benchmarks(views["benchmarks.toml"], raw["benchmarks.toml"], options))
    if "pricing.toml" in views:
        problems.extend(_check_pricing(views["pricing.toml"], raw["pricing.toml"]))
    # Without a readable list of features the feature ids are unknown, so they are not checked.
    written = raw.get("features.toml", {}).get("features")
    feature_ids = _raw_ids(raw["features.toml"], "features") if isinstance(written, list) else None
    if "rules.toml" in views:
        declared = _raw_entries(raw.get("features.toml"), "options") if options is not None else None
        known = set(feature_ids) if feature_ids is not None else None  # O(1) lookups
        problems.extend(_check_rules(views["rules.toml"], raw["rules.toml"], known, declared))
    if "migrations.toml" in views:
        problems.extend(_check_migrations(views["migrations.toml"], raw, feature_ids, signal_ids))
    if "platforms.toml" in views:
        declared = _raw_entries(raw.get("features.toml"), "options") if options is not None else None
        problems.extend(_check_platforms(views["platforms.toml"], raw["platforms.toml"], declared))
        problems.extend(_check_price_presets(views["platforms.toml"], raw.get("pricing.toml", {}).get("presets")))
    problems.extend(crosscheck(views, raw, BY_KEY))  # ids that data moved out of the code names (issue 20)
    return problems


def _check_features(data: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    option_ids = _raw_ids(data, "options")
    for dup in _duplicates(option_ids):
        problems.append(f"features.toml: options: option '{dup}' is listed twice")
    # A list that is absent or not a list is already reported as such.
    if isinstance(data.get("options"), list) and not option_ids:
        problems.append("features.toml: options: no options defined (the options listed here are the meshes compared)")
    for i, opt in enumerate(_raw_entries(data, "options")):
        ident = opt.get("id")
        if isinstance(ident, str) and not _ID.match(ident.strip()):
            problems.append(
                f"features.toml: options.{i}({ident}).id: expected a kebab-case id like 'istio-sidecar' (got {ident!r})"
            )
    expected_options = _listing(option_ids) or "the options listed under [[options]]"
    known_options = set(option_ids)
    group_ids = _raw_ids(data, "groups")
    known_groups = set(group_ids)
    for dup in _duplicates(group_ids):
        problems.append(f"features.toml: groups: group '{dup}' is listed twice")
    feature_ids = _raw_ids(data, "features")
    for dup in _duplicates(feature_ids):
        problems.append(f"features.toml: features: feature '{dup}' is defined twice")
    for k, feat in enumerate(_raw_entries(data, "features")):
        variant_of = feat.get("variant_of")
        if variant_of is not None and (variant_of not in feature_ids or variant_of == feat.get("id")):
            problems.append(
                f"features.toml: features.{k}({feat.get('id')}).variant_of: expected another feature's id, got {variant_of!r}"
            )
    if isinstance(data.get("features"), list) and not _raw_entries(data, "features"):
        problems.append("features.toml: features: no features defined")
    # Read from the file as written, so a feature with a bad level still has its cells checked.
    for i, feat in enumerate(data.get("features") or []):
        if not isinstance(feat, dict):
            continue
        where = f"features.toml: features.{i}" + (f"({feat['id']})" if isinstance(feat.get("id"), str) else "")
        group = feat.get("group")
        if isinstance(group, str) and group.strip() not in known_groups:
            problems.append(f"{where}.group: unknown group '{group}' (expected {_listing(group_ids)})")
        cells = feat.get("cells")
        if not isinstance(cells, dict):
            continue
        for cell_option, cell in cells.items():
            if cell_option not in known_options:
                problems.append(f"{where}.cells.{cell_option}: unknown option id (expected {expected_options})")
            if isinstance(cell, dict):
                problems.extend(_vendor_problems(f"{where}.cells.{cell_option}", cell))
        for o in option_ids:
            if o not in cells:
                problems.append(f"{where}.cells.{o}: cell is missing (every option needs a cell in every row)")
    return problems


_VENDOR_FIELDS = ("vendor", "vendor_level", "vendor_note", "vendor_source")


def _vendor_problems(where: str, cell: dict[str, Any]) -> list[str]:
    """A vendor build is said in full (who, what level, what it does, where that is written),
    and only when it offers more than the open-source level."""
    given = [f for f in _VENDOR_FIELDS if cell.get(f) not in (None, "")]
    if not given:
        return []
    problems = [
        f"{where}.{f}: required when a cell names a vendor build ({', '.join(given)} given)"
        for f in _VENDOR_FIELDS
        if f not in given
    ]
    level, vendor_level = cell.get("level"), cell.get("vendor_level")
    if level in LEVELS and vendor_level in LEVELS and LEVELS.index(vendor_level) >= LEVELS.index(level):
        problems.append(
            f"{where}.vendor_level: '{vendor_level}' is no better than the open-source level '{level}' "
            "(a vendor build is recorded only when it offers more)"
        )
    return problems


def _check_benchmarks(bm: Benchmarks, data: dict[str, Any], options: list[str] | None) -> list[str]:
    problems: list[str] = []
    expected = ", ".join(options or ())
    comp_ids = _raw_ids(data, "components")
    known_comps = set(comp_ids)
    for dup in _duplicates(comp_ids):
        problems.append(f"benchmarks.toml: components: component '{dup}' is defined twice")
    for i, comp in _indexed(bm.components, data, "components"):
        where = f"benchmarks.toml: components.{i}({comp.id})"
        if options is not None and comp.option not in options:
            problems.append(f"{where}.option: unknown option id '{comp.option}' (expected {expected})")
        if comp.traffic != "none" and comp.traversals < 1:
            problems.append(f"{where}.traversals: must be ≥ 1 when traffic is '{comp.traffic}'")
        pinned = BY_KEY.get(comp.replicas_answer) if comp.replicas_answer else None
        if comp.replicas_answer and (pinned is None or pinned.kind != "int"):
            whole = sorted(k for k, q in BY_KEY.items() if q.kind == "int" and "replicas" in k)
            problems.append(
                f"{where}.replicas_answer: '{comp.replicas_answer}' is not a whole-number answer "
                f"(expected one of {', '.join(whole) or 'none'})"
            )
    comp_options = _raw_ids(data, "components", field="option")
    for o in options or ():
        if isinstance(data.get("components"), list) and o not in comp_options:
            problems.append(f"benchmarks.toml: components: no component for option '{o}'")
    raw_profiles = data.get("profiles") if isinstance(data.get("profiles"), dict) else {}
    if bm.default_profile is not None and bm.default_profile not in raw_profiles:
        problems.append(
            f"benchmarks.toml: default_profile: unknown profile '{bm.default_profile}' "
            f"(expected one of {_listing(raw_profiles) or 'the profiles defined'})"
        )
    profiles = bm.profiles or {}
    all_resolved, cyclic, broken = resolve_profiles(bm)
    for pid, prof in profiles.items():
        where = f"benchmarks.toml: profiles.{pid}"
        for cid in prof.figures:
            if cid not in known_comps:
                problems.append(f"{where}.figures.{cid}: unknown component (expected {_listing(comp_ids)})")
        for oid in prof.latency:
            if options is not None and oid not in options:
                problems.append(f"{where}.latency.{oid}: unknown option id (expected {expected})")
        for cid, figs in prof.figures.items():
            problems.extend(_unit_problems(f"{where}.figures.{cid}", figs))
        for oid, figs in prof.latency.items():
            problems.extend(_unit_problems(f"{where}.latency.{oid}", figs))
        if prof.extends is not None and prof.extends not in raw_profiles:
            problems.append(
                f"{where}.extends: unknown profile '{prof.extends}' (expected one of {_listing(raw_profiles)})"
            )
            continue
        if pid in cyclic:
            problems.append(f"{where}.extends: profiles extend each other in a cycle")
            continue
        if pid in broken:
            continue  # inherits from a profile that failed validation: completeness is unknowable
        resolved = all_resolved[pid]
        for comp in bm.components or ():
            figs = resolved.figures.get(comp.id, ComponentFigures())
            at = f"{where}.figures.{comp.id}"
            if comp.traffic != "none" and figs.cpu_vcpu_per_1000rps is None and figs.cpu_vcpu_per_instance is None:
                problems.append(f"{at}: needs cpu_vcpu_per_1000rps or cpu_vcpu_per_instance")
            # A component that carries no traffic may have no published usage at all (shown as
            # unknown); one usage figure without the other would be a half-known cost.
            no_traffic_usage = figs.cpu_vcpu_per_instance is None and figs.memory_mb_per_instance is None
            if comp.traffic == "none" and not no_traffic_usage and figs.cpu_vcpu_per_instance is None:
                problems.append(
                    f"{at}.cpu_vcpu_per_instance: required field is missing (give CPU and memory usage, or neither when none is published)"
                )
            required = ["request_cpu_millicores", "request_memory_mib"]
            if comp.traffic != "none" or not no_traffic_usage:
                required.insert(0, "memory_mb_per_instance")
            for name in required:
                if getattr(figs, name) is None:
                    problems.append(f"{at}.{name}: required field is missing")
        for oid in options or ():
            lat = resolved.latency.get(oid, LatencyFigures())
            for name in ("per_hop_p50_ms", "per_hop_p90_ms", "per_hop_p99_ms"):
                if getattr(lat, name) is None:
                    problems.append(f"{where}.latency.{oid}.{name}: required field is missing")
            l7 = [getattr(lat, f"l7_per_hop_p{p}_ms") for p in (50, 90, 99)]
            if any(f is not None for f in l7) and not all(f is not None for f in l7):
                problems.append(
                    f"{where}.latency.{oid}: give all of l7_per_hop_p50_ms, l7_per_hop_p90_ms and l7_per_hop_p99_ms, or none"
                )
    return problems


def _check_pricing(pr: Pricing, data: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    raw_presets = data.get("presets") if isinstance(data.get("presets"), dict) else {}
    if pr.default_preset is not None and pr.default_preset not in raw_presets:
        problems.append(
            f"pricing.toml: default_preset: unknown preset '{pr.default_preset}' "
            f"(expected one of {_listing(raw_presets) or 'the presets defined'})"
        )
    for pid, preset in (pr.presets or {}).items():
        for name in ("cpu_usd_per_vcpu_hour", "memory_usd_per_gib_hour"):
            fig = getattr(preset, name)
            if fig.unit != FIGURE_UNITS[name]:
                problems.append(
                    f"pricing.toml: presets.{pid}.{name}.unit: expected '{FIGURE_UNITS[name]}', got '{fig.unit}'"
                )
            if fig.kind == "derived" and not fig.note:
                problems.append(
                    f"pricing.toml: presets.{pid}.{name}.note: a derived figure must say how it was derived"
                )
    return problems


def _check_rules(
    rl: Rules, data: dict[str, Any], feature_ids: set[str] | None, declared: list[dict[str, Any]] | None
) -> list[str]:
    problems: list[str] = []

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
        if feature_ids is None:
            return
        for field in ("requires_any", "wants_any", "wants_none"):
            for fid in getattr(when, field):
                if fid not in feature_ids:
                    problems.append(f"{where}.when.{field}: unknown feature id '{fid}'")

    options = [o["id"] for o in declared if isinstance(o.get("id"), str)] if declared is not None else None
    for i, rule in _indexed(rl.rules, data, "rules"):
        where = f"rules.toml: rules.{i}({rule.id})"
        check_when(where, rule.when)
        if not rule.adjust and not rule.targets:
            problems.append(f"{where}: applies to no option (give adjust by option id, or targets by trait)")
        if options is None:
            continue
        for oid in rule.adjust:
            if oid not in options:
                problems.append(f"{where}.adjust.{oid}: unknown option id (expected {', '.join(options)})")
        problems.extend(_target_problems(where, rule.targets, declared or []))
    if declared is not None and rl.rules is not None:
        problems.extend(_coverage_problems(rl, declared))
    for dup in _duplicates([r.id for r in rl.rules]):
        problems.append(f"rules.toml: rules: rule id '{dup}' is used twice")
    for i, wrule in _indexed(rl.weight_rules, data, "weight_rules"):
        check_when(f"rules.toml: weight_rules.{i}({wrule.id})", wrule.when)

    risks = BY_KEY["risk"].choices
    for i, lrule in _indexed(rl.level_rules, data, "level_rules"):
        for r in lrule.risk:
            if r not in risks:
                problems.append(
                    f"rules.toml: level_rules.{i}({lrule.id}).risk: unknown risk '{r}' (expected {', '.join(risks)})"
                )
    if rl.blocking_levels is not None:
        for r in rl.blocking_levels:
            if r not in risks:
                problems.append(f"rules.toml: blocking_levels.{r}: unknown risk (expected {', '.join(risks)})")
        for r in risks:
            if r not in rl.blocking_levels:
                problems.append(f"rules.toml: blocking_levels.{r}: missing (which levels block a required capability)")
    if rl.weights is not None:
        for cat in CATEGORIES:
            # migration came later: a rules file without its weight simply does not weigh the move
            if cat not in rl.weights and cat != "migration":
                problems.append(f"rules.toml: weights.{cat}: required field is missing")
        if rl.weights and sum(rl.weights.values()) <= 0:
            problems.append("rules.toml: weights: at least one weight must be above 0")
    return problems


def _target_problems(where: str, targets: Any, declared: list[dict[str, Any]]) -> list[str]:
    """Targets name declared options and traits some option declares (a typo would match nothing)."""
    options = [o["id"] for o in declared if isinstance(o.get("id"), str)]
    traits = sorted({t for o in declared for t in (o.get("traits") or ()) if isinstance(t, str)})
    problems: list[str] = []
    for j, target in enumerate(targets or ()):
        at = f"{where}.targets.{j}"
        for oid in target.options:
            if oid not in options:
                problems.append(f"{at}.options: unknown option id '{oid}' (expected {', '.join(options)})")
        for name in ("traits", "without_traits"):
            for trait in getattr(target, name):
                if trait not in traits:
                    problems.append(
                        f"{at}.{name}: trait '{trait}' is declared by no option (declared: {', '.join(traits) or 'none'})"
                    )
    return problems


def _check_platforms(pl: Platforms, data: dict[str, Any], declared: list[dict[str, Any]] | None) -> list[str]:
    problems: list[str] = []
    ids = _raw_ids(data, "platforms")
    for dup in _duplicates(ids):
        problems.append(f"platforms.toml: platforms: platform '{dup}' is defined twice")
    default = BY_KEY["platform"].default
    if isinstance(data.get("platforms"), list) and default not in ids:
        problems.append(f"platforms.toml: platforms: the default platform '{default}' is missing")
    for i, plat in _indexed(pl.platforms, data, "platforms"):
        where = f"platforms.toml: platforms.{i}({plat.id})"
        if not _ID.match(plat.id):
            problems.append(f"{where}.id: expected a kebab-case id like 'gke-autopilot' (got {plat.id!r})")
        for dup in _duplicates([c.id for c in plat.constraints]):
            problems.append(f"{where}.constraints: constraint '{dup}' is listed twice")
        for j, con in enumerate(plat.constraints):
            at = f"{where}.constraints.{j}({con.id})"
            if not con.targets:
                problems.append(f"{at}.targets: applies to no option (give at least one target)")
            if con.block and con.vendor:
                problems.append(f"{at}: a vendor offering adds or takes points; it cannot block")
            if declared is not None:
                problems.extend(_target_problems(at, con.targets, declared))
            offering_ids = {o.id for o in pl.offerings or ()}
            for oid in con.unless_offering or ():
                if oid not in offering_ids:
                    problems.append(
                        f"{at}.unless_offering: unknown offering '{oid}' (expected one of the [[offerings]] ids)"
                    )
    for k, off in _indexed(pl.offerings, data, "offerings"):
        at = f"platforms.toml: offerings.{k}({off.id})"
        for pid in off.platforms or ():
            if pid not in ids:
                problems.append(f"{at}.platforms: unknown platform '{pid}'")
        if declared is not None and off.targets:
            problems.extend(_target_problems(at, off.targets, declared))
    return problems


def _check_price_presets(pl: Platforms, presets: Any) -> list[str]:
    """A platform's price_preset names a preset of pricing.toml (issue 22: Fargate, Autopilot)."""
    if not isinstance(presets, dict):
        return []
    return [
        f"platforms.toml: platforms({plat.id}).price_preset: unknown preset '{plat.price_preset}' "
        f"(expected one of {', '.join(presets)})"
        for plat in pl.platforms or ()
        if getattr(plat, "price_preset", None) and plat.price_preset not in presets
    ]


def _coverage_problems(rl: Rules, declared: list[dict[str, Any]]) -> list[str]:
    """Every option is judged by at least one operability and one maturity rule: an option no rule
    names would start at 100 in those categories by omission (a copy of a mesh under a new id
    would outrank the original)."""
    problems: list[str] = []
    for entry in declared:
        if not isinstance(entry.get("id"), str):
            continue
        traits = tuple(t for t in (entry.get("traits") or ()) if isinstance(t, str))
        option = OptionInfo(id=entry["id"], name=str(entry.get("name", "")), version="", description="", traits=traits)
        for category in ("operability", "maturity"):
            if not any(r.category == category and r.points_for(option) is not None for r in rl.rules):
                problems.append(
                    f"rules.toml: rules: no {category} rule covers option '{option.id}' (traits: "
                    f"{', '.join(traits) or 'none'}); add one that targets it or its traits "
                    "(0 points if there is nothing to take off, with the reason and a source)"
                )
    return problems


def _signal_ids(files: DataFiles) -> list[str] | None:
    """The scan's signal ids; None when unreadable (the scan's own checks report that file)."""
    content = read_signals(files)
    return None if content is None else signal_ids(content)


def _check_migrations(
    mg: Migrations, raw: dict[str, dict[str, Any]], feature_ids: list[str] | None, signal_ids: list[str] | None
) -> list[str]:
    """Selectors name known options and traits, plan items known signals, capabilities, phases and moves."""
    problems: list[str] = []
    data = raw["migrations.toml"]
    options = raw.get("features.toml", {}).get("options")
    option_ids = _raw_ids(raw.get("features.toml"), "options") if isinstance(options, list) else None
    traits = {
        t
        for o in _raw_entries(raw.get("features.toml"), "options")
        for t in (o.get("traits") or [])
        if isinstance(t, str)
    }
    component_ids = _raw_ids(raw.get("benchmarks.toml"), "components")
    move_ids = [m.id for m in mg.moves or ()]
    phase_ids = [p.id for p in mg.phases or ()]

    def check_selector(where: str, field: str, selector: tuple[str, ...], allow_none: bool) -> None:
        for item in selector:
            if item.startswith("trait:"):
                if item.removeprefix("trait:") not in traits:
                    problems.append(
                        f"{where}.{field}: unknown trait '{item.removeprefix('trait:')}' (expected one of {', '.join(sorted(traits))})"
                    )
            elif item == "none":
                if not allow_none:
                    problems.append(f"{where}.{field}: 'none' cannot be a target")
            elif option_ids is not None and item not in option_ids:
                problems.append(
                    f"{where}.{field}: unknown option id '{item}' (expected none, trait:<trait> or one of {', '.join(option_ids)})"
                )

    def check_when(where: str, when: Any) -> None:
        if when is None:
            return
        for key in when.answers:
            if key not in BY_KEY:
                problems.append(f"{where}.when.answers.{key}: unknown answer key")
        if feature_ids is not None:
            for field in ("requires_any", "wants_any"):
                for fid in getattr(when, field):
                    if fid not in feature_ids:
                        problems.append(f"{where}.when.{field}: unknown feature id '{fid}'")

    def entries(key: str) -> list[tuple[int, Any]]:
        return _indexed(getattr(mg, key) or (), data, key)

    for key in ("moves", "costs", "phases", "blockers", "rework", "gaps"):
        for dup in _duplicates([e.id for e in getattr(mg, key) or ()]):
            problems.append(f"migrations.toml: {key}: id '{dup}' is used twice")
        for i, entry in entries(key):
            where = f"migrations.toml: {key}.{i}({entry.id})"
            if not _ID.match(entry.id):
                problems.append(f"{where}.id: expected a kebab-case id like 'vs-to-httproute'")
            check_selector(where, "from_mesh", entry.from_mesh, allow_none=True)
            check_selector(where, "to_mesh", entry.to_mesh, allow_none=False)
            check_when(where, getattr(entry, "when", None))
            for mid in getattr(entry, "moves", ()):
                if mid not in move_ids:
                    problems.append(f"{where}.moves: unknown move '{mid}' (expected one of {', '.join(move_ids)})")
            if key == "moves":
                for answer in entry.target_answers:
                    if answer not in BY_KEY:
                        problems.append(f"{where}.target_answers.{answer}: unknown answer key")
                for cid in entry.replaced_components:
                    if component_ids and cid not in component_ids:
                        problems.append(
                            f"{where}.replaced_components: unknown component '{cid}' (expected one of {', '.join(component_ids)})"
                        )
            if key in ("blockers", "rework", "gaps"):
                if not (entry.signals or entry.kinds or entry.capabilities or entry.when or entry.always):
                    problems.append(f"{where}: raised by nothing (give signals, kinds, capabilities, when or always)")
                if signal_ids is not None:
                    for field in ("signals", "except_signals"):
                        for sid in getattr(entry, field):
                            if sid not in signal_ids:
                                problems.append(f"{where}.{field}: unknown signal id '{sid}' (not in signals.toml)")
                if feature_ids is not None:
                    for fid in entry.capabilities:
                        if fid not in feature_ids:
                            problems.append(f"{where}.capabilities: unknown feature id '{fid}'")
                if entry.phase and entry.phase not in phase_ids:
                    problems.append(
                        f"{where}.phase: unknown phase '{entry.phase}' (expected one of {', '.join(phase_ids)})"
                    )
    problems += _check_manifest_steps(mg, phase_ids)
    if option_ids is not None:
        problems += _check_every_pair(mg, raw, option_ids)
    return problems


def _check_manifest_steps(mg: Migrations, phase_ids: list[str]) -> list[str]:
    """Every `[[moves.manifests]]` step names a generator the code has and a phase the data has."""
    problems = []
    for i, move in enumerate(mg.moves or ()):
        for j, step in enumerate(move.manifests):
            where = f"migrations.toml: moves.{i}({move.id}).manifests.{j}"
            if step.generator not in MANIFEST_GENERATORS:
                problems.append(
                    f"{where}.generator: unknown generator '{step.generator}' (expected one of {', '.join(MANIFEST_GENERATORS)})"
                )
            if step.phase not in phase_ids:
                problems.append(f"{where}.phase: unknown phase '{step.phase}'")
    return problems


def _check_every_pair(mg: Migrations, raw: dict[str, dict[str, Any]], option_ids: list[str]) -> list[str]:
    """Every ordered pair (no mesh or an option, to another option) has a move or an `[[unsupported]]` entry."""
    traits = {
        o.get("id"): tuple(t for t in (o.get("traits") or []) if isinstance(t, str))
        for o in _raw_entries(raw.get("features.toml"), "options")
    }

    def covered(entry: Any, a: str, b: str) -> bool:
        return mesh_matches(entry.from_mesh, a, traits.get(a, ())) and mesh_matches(entry.to_mesh, b, traits.get(b, ()))

    problems = []
    for a in ["none", *option_ids]:
        for b in option_ids:
            if a == b:
                continue
            moves = [m for m in mg.moves or () if not m.stay and covered(m, a, b)]
            if not moves and not any(covered(u, a, b) for u in mg.unsupported or ()):
                problems.append(
                    f"migrations.toml: no move from {a} to {b}: add a [[moves]] entry, or an [[unsupported]] "
                    "entry saying why (because, source)"
                )
    return problems


def _unit_problems(where: str, figs: Any) -> list[str]:
    out = []
    for name in field_names(figs):
        fig = getattr(figs, name)
        if fig is not None and fig.unit != FIGURE_UNITS[name]:
            out.append(f"{where}.{name}.unit: expected '{FIGURE_UNITS[name]}', got '{fig.unit}'")
        if fig is not None and fig.kind == "derived" and not fig.note:
            out.append(f"{where}.{name}.note: a derived figure must say how it was derived")
        if fig is None:
            continue
        if fig.low is not None and fig.low > fig.value:
            out.append(f"{where}.{name}.low: {fig.low:g} is above the value {fig.value:g} (a range must bracket it)")
        if fig.high is not None and fig.high < fig.value:
            out.append(f"{where}.{name}.high: {fig.high:g} is below the value {fig.value:g} (a range must bracket it)")
        if (fig.low is not None or fig.high is not None) and not fig.range_note.strip():
            out.append(f"{where}.{name}.range_note: a figure with low/high must say where the range comes from")
    return out


_ID = re.compile(ID_PATTERN)


def _raw_checks(raw: dict[str, dict[str, Any]]) -> list[str]:
    """Checks pydantic's lax mode would let through: ids' shape, figure values that are quoted or
    not finite, and tables that must name every level or kind of ask."""
    problems: list[str] = []
    for file_name, key in (("features.toml", "features"), ("rules.toml", "rules")):
        for i, entry in enumerate(_raw_entries(raw.get(file_name), key)):
            ident = entry.get("id")
            if isinstance(ident, str) and not _ID.match(ident.strip()):
                problems.append(
                    f"{file_name}: {key}.{i}({ident}).id: expected a kebab-case id like 'fault-injection' (got {ident!r})"
                )
    for file_name, data in raw.items():
        for where, figure in _figure_tables(data, ()):
            value = figure["value"]
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                problems.append(f"{file_name}: {where}.value: Input should be a valid number (got {value!r})")
            elif not math.isfinite(value):
                problems.append(f"{file_name}: {where}.value: Input should be a finite number (got {value!r})")
            if figure["kind"] == ANSWER_KIND:
                # the model's own kind for a value the answers give; a data figure is published
                problems.append(
                    f"{file_name}: {where}.kind: '{ANSWER_KIND}' is for values the answers give; "
                    f"a data figure's kind is one of {', '.join(FIGURE_KINDS)}"
                )
    rules = raw.get("rules.toml")
    if isinstance(rules, dict):
        levels = rules.get("level_values")
        if isinstance(levels, dict):
            missing = [lvl for lvl in LEVELS if lvl not in levels]
            if missing:
                problems.append(f"rules.toml: level_values: missing a value for level(s) {', '.join(missing)}")
        asks = rules.get("ask_points")
        if isinstance(asks, dict):
            # scoring looks up both for any --require/--prefer: a missing one was a KeyError (exit 1)
            missing = [ask for ask in ("required", "preferred") if ask not in asks]
            if missing:
                problems.append(f"rules.toml: ask_points: missing points for {' and '.join(missing)} capabilities")
    return problems


def _figure_tables(node: Any, path: tuple[str, ...]) -> list[tuple[str, dict[str, Any]]]:
    """Every table that looks like a figure (has value, unit and kind), with its dotted path."""
    out: list[tuple[str, dict[str, Any]]] = []
    if isinstance(node, dict):
        if "value" in node and "unit" in node and "kind" in node:
            out.append((".".join(path), node))
        for key, child in node.items():
            if isinstance(child, (dict, list)):
                out.extend(_figure_tables(child, (*path, str(key))))
    elif isinstance(node, list):
        for i, child in enumerate(node):
            out.extend(_figure_tables(child, (*path, str(i))))
    return out
