"""Edits of a copy of the bundled data that rename an option or add an exact copy of one, by walking the parsed TOML.

Neither edit knows the files' shapes beyond two facts every data file states: an option is named by
its id (as a key, or as a string value), and a component belongs to the option named by its
`option` field (its own id is then renamed with it where it is named). Nothing here names an
option: the tests pick them from features.toml.
"""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any

import tomli_w

from advisor.catalog.files import bundled_data_dir
from advisor.catalog.models import DATA_FILES, SIGNALS_FILE

ALL_FILES = (*DATA_FILES, SIGNALS_FILE)


def read(path: Path) -> dict[str, Any]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def write(path: Path, doc: dict[str, Any]) -> None:
    path.write_text(tomli_w.dumps(doc), encoding="utf-8")


def bundled_options() -> tuple[str, ...]:
    return tuple(o["id"] for o in read(bundled_data_dir() / "features.toml")["options"])


def every_string(node: Any) -> set[str]:
    """Every key and string value in a parsed document (new ids must collide with none of them)."""
    if isinstance(node, dict):
        return set(node) | {s for v in node.values() for s in every_string(v)}
    if isinstance(node, list):
        return {s for v in node for s in every_string(v)}
    return {node} if isinstance(node, str) else set()


def bundled_strings() -> set[str]:
    return {s for name in ALL_FILES for s in every_string(read(bundled_data_dir() / name))}


def renamed(node: Any, mapping: dict[str, str]) -> Any:
    """The document with every key and string value equal to an old id replaced by the new id."""
    if isinstance(node, dict):
        return {mapping.get(k, k): renamed(v, mapping) for k, v in node.items()}
    if isinstance(node, list):
        return [renamed(v, mapping) for v in node]
    if isinstance(node, str):
        return mapping.get(node, node)
    return node


def rename_options(target: Path, mapping: dict[str, str]) -> Path:
    """A data directory holding every bundled file with options renamed by `mapping`."""
    target.mkdir(parents=True, exist_ok=True)
    for name in ALL_FILES:
        write(target / name, renamed(read(bundled_data_dir() / name), mapping))
    return target


def _with_copy(node: Any, names: dict[str, str]) -> Any:
    """Beside each key equal to an original id, the same entry under the copy's id; each list that
    names an original id also names the copy (right after it)."""
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            out[key] = _with_copy(value, names)
            if key in names:
                out[names[key]] = _with_copy(copy.deepcopy(value), names)
        return out
    if isinstance(node, list):
        items: list[Any] = []
        for value in node:
            items.append(_with_copy(value, names))
            if isinstance(value, str) and value in names and names[value] not in node:
                items.append(names[value])
        return items
    return node


def copy_option(target: Path, original: str, new: str, new_name: str) -> Path:
    """A data directory with an exact copy of `original` under `new`: its option entry (named
    `new_name`), its cells, components (ids suffixed with the new id), figures, latency, the
    membership signals that mark it (ids suffixed too), and every list or table that names it."""
    target.mkdir(parents=True, exist_ok=True)
    docs = {name: read(bundled_data_dir() / name) for name in ALL_FILES}
    features = docs["features.toml"]
    entry = next(o for o in features["options"] if o["id"] == original)
    clone = dict(copy.deepcopy(entry), id=new, name=new_name)
    clone.pop("mark", None)  # a chart mark is derived from the name unless given
    names = {original: new}
    for comp in docs["benchmarks.toml"]["components"]:
        if comp["option"] == original:
            names[comp["id"]] = f"{comp['id']}-{new}"
    for sig in docs[SIGNALS_FILE]["signals"]:
        if sig.get("mesh") == original:
            names[sig["id"]] = f"{sig['id']}-{new}"
    # entries that belong to the original (its option entry, components, signals) are copied whole
    features["options"].append(clone)
    docs["benchmarks.toml"]["components"] += [
        dict(copy.deepcopy(c), id=names[c["id"]], option=new)
        for c in docs["benchmarks.toml"]["components"]
        if c["option"] == original
    ]
    docs[SIGNALS_FILE]["signals"] += [
        dict(copy.deepcopy(s), id=names[s["id"]], mesh=new)
        for s in docs[SIGNALS_FILE]["signals"]
        if s.get("mesh") == original
    ]
    copied = {name: _with_copy(doc, names) for name, doc in docs.items()}
    # a move between the original and its copy is no move at all: declined, with the reason
    copied["migrations.toml"].setdefault("unsupported", []).extend(
        {
            "from_mesh": [a],
            "to_mesh": [b],
            "because": "the two are the same mesh under two ids: there is nothing to move",
            "source": "https://github.com/",
        }
        for a, b in ((original, new), (new, original))
    )
    for name, doc in copied.items():
        write(target / name, doc)
    return target
