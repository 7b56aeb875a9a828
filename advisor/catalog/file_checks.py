"""Checks within and across features, benchmarks, pricing, rules and platforms, on validated (or salvaged) models.

Each check reads ids from the file as written (advisor.catalog.raw_data), so an entry that failed
validation is reported once, for what is wrong with it. migrations.toml has its own module
(advisor.catalog.migration_checks).
"""

from __future__ import annotations

from typing import Any

from advisor.answers.registry import BY_KEY
from advisor.catalog.models import (
    CATEGORIES,
    FIGURE_UNITS,
    LEVELS,
    Benchmarks,
    ComponentFigures,
    LatencyFigures,
    OptionInfo,
    Platforms,
    Pricing,
    Range,
    Rules,
    When,
    field_names,
    resolve_profiles,
)
from advisor.catalog.raw_data import KEBAB_ID, duplicates, indexed, listed, listing, raw_entries, raw_ids


def check_features(data: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    option_ids = raw_ids(data, "options")
    for dup in duplicates(option_ids):
        problems.append(f"features.toml: options: option '{dup}' is listed twice")
    # A list that is absent or not a list is already reported as such.
    if isinstance(data.get("options"), list) and not option_ids:
        problems.append("features.toml: options: no options defined (the options listed here are the meshes compared)")
    for i, opt in enumerate(raw_entries(data, "options")):
        ident = opt.get("id")
        if isinstance(ident, str) and not KEBAB_ID.match(ident.strip()):
            problems.append(
                f"features.toml: options.{i}({ident}).id: expected a kebab-case id like 'istio-sidecar' (got {ident!r})"
            )
    expected_options = listing(option_ids) or "the options listed under [[options]]"
    known_options = set(option_ids)
    group_ids = raw_ids(data, "groups")
    known_groups = set(group_ids)
    for dup in duplicates(group_ids):
        problems.append(f"features.toml: groups: group '{dup}' is listed twice")
    feature_ids = raw_ids(data, "features")
    for dup in duplicates(feature_ids):
        problems.append(f"features.toml: features: feature '{dup}' is defined twice")
    for k, feat in enumerate(raw_entries(data, "features")):
        variant_of = feat.get("variant_of")
        if variant_of is not None and (variant_of not in feature_ids or variant_of == feat.get("id")):
            problems.append(
                f"features.toml: features.{k}({feat.get('id')}).variant_of: expected another feature's id, got {variant_of!r}"
            )
    if isinstance(data.get("features"), list) and not raw_entries(data, "features"):
        problems.append("features.toml: features: no features defined")
    # Read from the file as written, so a feature with a bad level still has its cells checked.
    for i, feat in enumerate(listed(data.get("features"))):
        if not isinstance(feat, dict):
            continue
        where = f"features.toml: features.{i}" + (f"({feat['id']})" if isinstance(feat.get("id"), str) else "")
        group = feat.get("group")
        if isinstance(group, str) and group.strip() not in known_groups:
            problems.append(f"{where}.group: unknown group '{group}' (expected {listing(group_ids)})")
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


def check_benchmarks(bm: Benchmarks, data: dict[str, Any], options: list[str] | None) -> list[str]:
    problems: list[str] = []
    expected = ", ".join(options or ())
    comp_ids = raw_ids(data, "components")
    known_comps = set(comp_ids)
    for dup in duplicates(comp_ids):
        problems.append(f"benchmarks.toml: components: component '{dup}' is defined twice")
    for i, comp in indexed(bm.components, data, "components"):
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
    comp_options = raw_ids(data, "components", field="option")
    for o in options or ():
        if isinstance(data.get("components"), list) and o not in comp_options:
            problems.append(f"benchmarks.toml: components: no component for option '{o}'")
    raw_profiles = data.get("profiles") if isinstance(data.get("profiles"), dict) else {}
    if bm.default_profile is not None and bm.default_profile not in raw_profiles:
        problems.append(
            f"benchmarks.toml: default_profile: unknown profile '{bm.default_profile}' "
            f"(expected one of {listing(raw_profiles) or 'the profiles defined'})"
        )
    profiles = bm.profiles or {}
    all_resolved, cyclic, broken = resolve_profiles(bm)
    for pid, prof in profiles.items():
        where = f"benchmarks.toml: profiles.{pid}"
        for cid in prof.figures:
            if cid not in known_comps:
                problems.append(f"{where}.figures.{cid}: unknown component (expected {listing(comp_ids)})")
        for oid in prof.latency:
            if options is not None and oid not in options:
                problems.append(f"{where}.latency.{oid}: unknown option id (expected {expected})")
        for cid, figs in prof.figures.items():
            problems.extend(_unit_problems(f"{where}.figures.{cid}", figs))
        for oid, figs in prof.latency.items():
            problems.extend(_unit_problems(f"{where}.latency.{oid}", figs))
        if prof.extends is not None and prof.extends not in raw_profiles:
            problems.append(
                f"{where}.extends: unknown profile '{prof.extends}' (expected one of {listing(raw_profiles)})"
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


def check_pricing(pr: Pricing, data: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    raw_presets = data.get("presets") if isinstance(data.get("presets"), dict) else {}
    if pr.default_preset is not None and pr.default_preset not in raw_presets:
        problems.append(
            f"pricing.toml: default_preset: unknown preset '{pr.default_preset}' "
            f"(expected one of {listing(raw_presets) or 'the presets defined'})"
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


def check_rules(
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
    for i, rule in indexed(rl.rules, data, "rules"):
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
    for dup in duplicates([r.id for r in rl.rules]):
        problems.append(f"rules.toml: rules: rule id '{dup}' is used twice")
    for i, wrule in indexed(rl.weight_rules, data, "weight_rules"):
        check_when(f"rules.toml: weight_rules.{i}({wrule.id})", wrule.when)

    risks = BY_KEY["risk"].choices
    for i, lrule in indexed(rl.level_rules, data, "level_rules"):
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
    traits = sorted({t for o in declared for t in listed(o.get("traits")) if isinstance(t, str)})
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


def check_platforms(pl: Platforms, data: dict[str, Any], declared: list[dict[str, Any]] | None) -> list[str]:
    problems: list[str] = []
    ids = raw_ids(data, "platforms")
    for dup in duplicates(ids):
        problems.append(f"platforms.toml: platforms: platform '{dup}' is defined twice")
    default = BY_KEY["platform"].default
    if isinstance(data.get("platforms"), list) and default not in ids:
        problems.append(f"platforms.toml: platforms: the default platform '{default}' is missing")
    for i, plat in indexed(pl.platforms, data, "platforms"):
        where = f"platforms.toml: platforms.{i}({plat.id})"
        if not KEBAB_ID.match(plat.id):
            problems.append(f"{where}.id: expected a kebab-case id like 'gke-autopilot' (got {plat.id!r})")
        for dup in duplicates([c.id for c in plat.constraints]):
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
    for k, off in indexed(pl.offerings, data, "offerings"):
        at = f"platforms.toml: offerings.{k}({off.id})"
        for pid in off.platforms or ():
            if pid not in ids:
                problems.append(f"{at}.platforms: unknown platform '{pid}'")
        if declared is not None and off.targets:
            problems.extend(_target_problems(at, off.targets, declared))
    return problems


def check_price_presets(pl: Platforms, presets: Any) -> list[str]:
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
        traits = tuple(t for t in listed(entry.get("traits")) if isinstance(t, str))
        option = OptionInfo(id=entry["id"], name=str(entry.get("name", "")), version="", description="", traits=traits)
        for category in ("operability", "maturity"):
            if not any(r.category == category and r.points_for(option) is not None for r in rl.rules):
                problems.append(
                    f"rules.toml: rules: no {category} rule covers option '{option.id}' (traits: "
                    f"{', '.join(traits) or 'none'}); add one that targets it or its traits "
                    "(0 points if there is nothing to take off, with the reason and a source)"
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
