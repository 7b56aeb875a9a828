"""Checks on migrations.toml: selectors name known options and traits, plan items known signals,
capabilities, phases and moves, generators the code has, and every pair of meshes is planned or declined."""

from __future__ import annotations

from typing import Any

from advisor.answers.registry import BY_KEY
from advisor.catalog.models import MANIFEST_GENERATORS, Migrations, mesh_matches
from advisor.catalog.raw_data import KEBAB_ID, duplicates, indexed, listed, raw_entries, raw_ids


def check_migrations(
    mg: Migrations, raw: dict[str, dict[str, Any]], feature_ids: list[str] | None, signal_ids: list[str] | None
) -> list[str]:
    """Selectors name known options and traits, plan items known signals, capabilities, phases and moves."""
    problems: list[str] = []
    data = raw["migrations.toml"]
    options = raw.get("features.toml", {}).get("options")
    option_ids = raw_ids(raw.get("features.toml"), "options") if isinstance(options, list) else None
    traits = {
        t
        for o in raw_entries(raw.get("features.toml"), "options")
        for t in listed(o.get("traits"))
        if isinstance(t, str)
    }
    component_ids = raw_ids(raw.get("benchmarks.toml"), "components")
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
        return indexed(getattr(mg, key) or (), data, key)

    for key in ("moves", "costs", "phases", "blockers", "rework", "gaps"):
        for dup in duplicates([e.id for e in getattr(mg, key) or ()]):
            problems.append(f"migrations.toml: {key}: id '{dup}' is used twice")
        for i, entry in entries(key):
            where = f"migrations.toml: {key}.{i}({entry.id})"
            if not KEBAB_ID.match(entry.id):
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
        o["id"]: tuple(t for t in listed(o.get("traits")) if isinstance(t, str))
        for o in raw_entries(raw.get("features.toml"), "options")
        if isinstance(o.get("id"), str)  # another type is reported with the option
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
