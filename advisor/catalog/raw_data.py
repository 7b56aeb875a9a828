"""The data files as written (entries, ids, positions), and the checks made on the raw data.

What pydantic's lax mode would let through (ids' shape, figure values that are quoted or not
finite, tables that must name every level), and the readers the per-file checks share: an entry
that failed validation still has its id read here, so it is reported once, never as missing.
"""

from __future__ import annotations

import math
import re
from typing import Any

from advisor.catalog.models import ANSWER_KIND, FIGURE_KINDS, ID_PATTERN, LEVELS

KEBAB_ID = re.compile(ID_PATTERN)


def listed(value: Any) -> list[Any]:
    """A list from the files as written, or nothing: a value of another type (`traits = 5`) is reported
    by validation, and a check that walks the raw data must not trip over it."""
    return value if isinstance(value, list) else []


def raw_entries(data: dict[str, Any] | None, key: str) -> list[dict[str, Any]]:
    """The tables of an array of tables as written, whether or not they validate."""
    entries = (data or {}).get(key)
    return [e for e in entries if isinstance(e, dict)] if isinstance(entries, list) else []


def raw_ids(data: dict[str, Any] | None, key: str, field: str = "id") -> list[str]:
    # Stripped as pydantic strips them, so `id = "mtls "` is the same id as `mtls` in every check.
    return [e[field].strip() for e in raw_entries(data, key) if isinstance(e.get(field), str)]


def listing(ids: Any, limit: int = 20) -> str:
    """Ids for an "expected ..." hint, cut short so a file with 100,000 entries cannot make every
    message 100,000 ids long."""
    ids = list(ids)
    shown = ", ".join(ids[:limit])
    return shown + (f", ... ({len(ids) - limit} more)" if len(ids) > limit else "")


def indexed(entries: tuple[Any, ...] | None, data: dict[str, Any], key: str) -> list[tuple[int, Any]]:
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


def duplicates(ids: list[str]) -> list[str]:
    """Ids given more than once, compared as they are used (surrounding spaces dropped): linear time."""
    seen: set[str] = set()
    dup: dict[str, None] = {}
    for i in ids:
        key = i.strip()
        if key in seen:
            dup[key] = None
        seen.add(key)
    return list(dup)


def raw_checks(raw: dict[str, dict[str, Any]]) -> list[str]:
    """Checks pydantic's lax mode would let through: ids' shape, figure values that are quoted or
    not finite, and tables that must name every level or kind of ask."""
    problems: list[str] = []
    for file_name, key in (("features.toml", "features"), ("rules.toml", "rules")):
        for i, entry in enumerate(raw_entries(raw.get(file_name), key)):
            ident = entry.get("id")
            if isinstance(ident, str) and not KEBAB_ID.match(ident.strip()):
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
