"""Cross-file checks that keep the meshes in data: ids a file names must exist, and data the code reads by name must fit.

advisor.catalog.file_checks and advisor.catalog.migration_checks check each file and the option
set's coverage (cells, components, latency, rules, migrations' selectors, platform targets); this
module adds what issue 20 moved
out of the code: the answer that sizes a component (`replicas_answer`), the figures left out of the
default profile (`[[unpublished]]`), and the platform and mesh ids that rule and migration
conditions compare answers with. signals.toml is checked against the same ids by
advisor.scan.meshes. Every problem reads `file: field.path: message`.
"""

from __future__ import annotations

from typing import Any, Mapping

from advisor.catalog.files import data_files
from advisor.catalog.models import ComponentFigures, LatencyFigures, field_names
from advisor.catalog.raw_data import listed
from advisor.reading import MAX_DATA_FILE_BYTES, ReadProblem, parse_data_file, read_limited

# Answers whose values are ids of a data file: a condition on them naming an unknown id never holds.
_ID_ANSWERS = {"platform": "platform", "current_mesh": "option"}
NO_MESH = "none"  # current_mesh when the cluster runs no mesh


def _ids(raw: dict[str, Any] | None, key: str, field: str = "id") -> list[str] | None:
    """The ids of a file's `[[key]]` entries; None when the list is not readable (not checked then)."""
    entries = (raw or {}).get(key)
    if not isinstance(entries, list):
        return None
    return [e[field] for e in entries if isinstance(e, dict) and isinstance(e.get(field), str)]


def crosscheck(views: dict[str, Any], raw: dict[str, dict[str, Any]], questions: Mapping[str, Any]) -> list[str]:
    """Every problem the checks of this module find in the (possibly partly valid) files;
    `questions` is the answers registry (by key), whose answers data may name."""
    options = _ids(raw.get("features.toml"), "options")
    platforms = _ids(raw.get("platforms.toml"), "platforms")
    problems: list[str] = []
    if "benchmarks.toml" in views:
        problems.extend(_benchmarks(raw["benchmarks.toml"], options, questions))
    known = {"option": options, "platform": platforms}
    for name, key in (("rules.toml", "rules"), ("rules.toml", "weight_rules")):
        problems.extend(_conditions(name, key, raw.get(name), known))
    for key in ("costs", "blockers", "rework", "gaps"):
        problems.extend(_conditions("migrations.toml", key, raw.get("migrations.toml"), known))
    problems.extend(_by_omission(raw))
    return problems


def _by_omission(raw: dict[str, dict[str, Any]]) -> list[str]:
    """A rule, platform constraint or migration cost that names an option by id must name every option
    built the same way (the same traits): otherwise the other gets, or escapes, its points by omission (an exact
    copy of a mesh under a new id would outrank the original)."""
    declared = (raw.get("features.toml") or {}).get("options")
    if not isinstance(declared, list):
        return []
    traits: dict[str, frozenset[str]] = {}
    for o in declared:
        if isinstance(o, dict) and isinstance(o.get("id"), str) and isinstance(o.get("traits", []), list):
            traits[o["id"]] = frozenset(t for t in o.get("traits", []) if isinstance(t, str))
    built_alike: dict[frozenset[str], list[str]] = {}  # linear: a hostile file may declare 100,000 options
    for oid, mine in traits.items():
        built_alike.setdefault(mine, []).append(oid)

    def check(where: str, named: list[Any]) -> list[str]:
        out = []
        names = {n for n in named if isinstance(n, str)}
        for oid in dict.fromkeys(n for n in named if isinstance(n, str)):
            if oid not in traits:
                continue
            for twin in built_alike[traits[oid]]:
                if twin != oid and twin not in names:
                    out.append(
                        f"{where}: names option '{oid}' but not '{twin}', which has the same traits "
                        f"({', '.join(sorted(traits[oid])) or 'none'}); name both, or tell them apart by a trait"
                    )
        return out

    problems: list[str] = []
    for i, rule in enumerate(listed((raw.get("rules.toml") or {}).get("rules"))):
        if not isinstance(rule, dict):
            continue
        where = f"rules.toml: rules.{i}({rule.get('id')})"
        adjust = rule.get("adjust")
        if isinstance(adjust, dict):
            problems.extend(check(f"{where}.adjust", list(adjust)))
        for j, target in enumerate(listed(rule.get("targets"))):
            if isinstance(target, dict) and isinstance(target.get("options"), list):
                problems.extend(check(f"{where}.targets.{j}.options", target["options"]))
    # migration costs take points off a move: one that names an option by id and not its twin
    # lets the twin move for free (the plan's own checks cover the pairs themselves)
    for i, cost in enumerate(listed((raw.get("migrations.toml") or {}).get("costs"))):
        if isinstance(cost, dict):
            for side in ("from_mesh", "to_mesh"):
                if isinstance(cost.get(side), list):
                    where = f"migrations.toml: costs.{i}({cost.get('id')}).{side}"
                    problems.extend(check(where, cost[side]))
    for i, plat in enumerate(listed((raw.get("platforms.toml") or {}).get("platforms"))):
        if not isinstance(plat, dict):
            continue
        for j, con in enumerate(listed(plat.get("constraints"))):
            if not isinstance(con, dict):
                continue
            for k, target in enumerate(listed(con.get("targets"))):
                if isinstance(target, dict) and isinstance(target.get("options"), list):
                    where = f"platforms.toml: platforms.{i}({plat.get('id')}).constraints.{j}({con.get('id')}).targets.{k}.options"
                    problems.extend(check(where, target["options"]))
    return problems


def _benchmarks(data: dict[str, Any], options: list[str] | None, questions: Mapping[str, Any]) -> list[str]:
    problems: list[str] = []
    components = _ids(data, "components") or []
    known_components = set(components)
    for i, comp in enumerate(listed(data.get("components"))):
        if not isinstance(comp, dict) or not comp.get("replicas_answer"):
            continue
        where = f"benchmarks.toml: components.{i}({comp.get('id')}).replicas_answer"
        # which answers may pin replicas is checked with the component (catalog.validation)
        if comp.get("scaling") != "fixed":
            problems.append(f"{where}: only a component with scaling = 'fixed' has its replicas pinned by an answer")
    known_options = set(options or ())
    component_figures = set(field_names(ComponentFigures))
    latency_figures = set(field_names(LatencyFigures))
    for i, entry in enumerate(listed(data.get("unpublished"))):
        if not isinstance(entry, dict):
            continue
        where = f"benchmarks.toml: unpublished.{i}"
        comps = [c for c in listed(entry.get("components")) if isinstance(c, str)]
        lats = [o for o in listed(entry.get("latency")) if isinstance(o, str)]
        if not comps and not lats:
            problems.append(f"{where}: applies to nothing (give components, latency, or both)")
        for cid in comps:
            if cid not in known_components:
                problems.append(
                    f"{where}.components: unknown component '{cid}' (expected one of {', '.join(components)})"
                )
        for oid in lats:
            if options is not None and oid not in known_options:
                problems.append(f"{where}.latency: unknown option id '{oid}' (expected {', '.join(options)})")
        allowed = (component_figures if comps else set()) | (latency_figures if lats else set())
        for name in listed(entry.get("figures")):
            if isinstance(name, str) and name not in allowed:
                problems.append(
                    f"{where}.figures: '{name}' is not a figure of "
                    f"{'a component' if comps else ''}{' or ' if comps and lats else ''}{'an option latency' if lats else ''}"
                )
    return problems


def _conditions(file_name: str, key: str, data: dict[str, Any] | None, known: dict[str, list[str] | None]) -> list[str]:
    """`when.answers.platform = "gke"` and `when.answers.current_mesh = [...]` name existing ids."""
    problems: list[str] = []
    for i, entry in enumerate(listed((data or {}).get(key))):
        if not isinstance(entry, dict) or not isinstance(entry.get("when"), dict):
            continue
        answers = entry["when"].get("answers")
        if not isinstance(answers, dict):
            continue
        for answer, kind in _ID_ANSWERS.items():
            ids = known[kind]
            value = answers.get(answer)
            if ids is None or value is None:
                continue
            values = value if isinstance(value, list) else [value]
            allowed = [*ids, NO_MESH] if answer == "current_mesh" else ids
            allowed_set = set(allowed)
            for v in values:
                if isinstance(v, str) and v not in allowed_set:
                    problems.append(
                        f"{file_name}: {key}.{i}({entry.get('id')}).when.answers.{answer}: unknown {kind} id "
                        f"'{v}' (expected one of {', '.join(allowed)})"
                    )
    return problems


def declared_ids(data_dir: str | None) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None, tuple[str, ...] | None]:
    """(feature ids, option ids, platform ids) as the data files a directory resolves to declare
    them, read from the files as written: signals.toml is checked against them even when another
    file has problems of its own (each None when its file cannot be read)."""
    files = data_files(data_dir)

    def ids(name: str, key: str) -> tuple[str, ...] | None:
        try:
            doc = parse_data_file(read_limited(files.paths[name], MAX_DATA_FILE_BYTES))
        except ReadProblem:
            return None
        found = _ids(doc if isinstance(doc, dict) else None, key)
        return tuple(found) if found is not None else None

    return ids("features.toml", "features"), ids("features.toml", "options"), ids("platforms.toml", "platforms")
