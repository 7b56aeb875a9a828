"""Validate data files with pydantic and report every problem as `file: field.path: message`.

Imported only when data must be validated: `data validate`, a --data-dir overlay, bundled data
that differs from the pinned form, and `python -m advisor.catalog.pin`. The pass is here: parse,
validate each file's model, salvage what validates of an invalid file, then run the checks on the
raw data (advisor.catalog.raw_data), within and across files (advisor.catalog.file_checks,
advisor.catalog.migration_checks, advisor.catalog.crosscheck), and report them together.
"""

from __future__ import annotations

import functools
import sys
from dataclasses import MISSING, fields
from typing import Annotated, Any, get_args, get_origin, get_type_hints

from pydantic import TypeAdapter, ValidationError

from advisor.errors import visible
from advisor.reading import ReadProblem, parse_data_file

from advisor.answers.registry import BY_KEY
from advisor.catalog import models as catalog_models
from advisor.catalog.crosscheck import crosscheck
from advisor.catalog.file_checks import (
    check_benchmarks,
    check_features,
    check_platforms,
    check_price_presets,
    check_pricing,
    check_rules,
)
from advisor.catalog.files import DataFiles, read_data, read_signals
from advisor.catalog.migration_checks import check_migrations
from advisor.catalog.models import DATA_FILES
from advisor.catalog.raw_data import raw_checks, raw_entries, raw_ids
from advisor.scan.signals import signal_ids

# The models' annotations are strings naming constrained types that a normal run never builds;
# pydantic resolves each model's annotations in the namespace of the module that defines it.
_CONSTRAINED = catalog_models.constraint_types()
for _module in catalog_models.model_modules():
    vars(sys.modules[_module]).update(_CONSTRAINED)

MODELS: tuple[tuple[str, type], ...] = tuple((name, model) for name, _, model in catalog_models.MODELS)


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
            raw[name] = parse_data_file(contents[name])
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
    problems.extend(raw_checks(raw))
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
    options = dict.fromkeys(raw_ids(raw["features.toml"], "options")) if isinstance(written_options, list) else None
    if "features.toml" in views:
        problems.extend(check_features(raw["features.toml"]))
    if "benchmarks.toml" in views:
        problems.extend(check_benchmarks(views["benchmarks.toml"], raw["benchmarks.toml"], options))
    if "pricing.toml" in views:
        problems.extend(check_pricing(views["pricing.toml"], raw["pricing.toml"]))
    # Without a readable list of features the feature ids are unknown, so they are not checked.
    written = raw.get("features.toml", {}).get("features")
    feature_ids = raw_ids(raw["features.toml"], "features") if isinstance(written, list) else None
    if "rules.toml" in views:
        declared = raw_entries(raw.get("features.toml"), "options") if options is not None else None
        known = set(feature_ids) if feature_ids is not None else None  # O(1) lookups
        problems.extend(check_rules(views["rules.toml"], raw["rules.toml"], known, declared))
    if "migrations.toml" in views:
        problems.extend(check_migrations(views["migrations.toml"], raw, feature_ids, signal_ids))
    if "platforms.toml" in views:
        declared = raw_entries(raw.get("features.toml"), "options") if options is not None else None
        problems.extend(check_platforms(views["platforms.toml"], raw["platforms.toml"], declared))
        problems.extend(check_price_presets(views["platforms.toml"], raw.get("pricing.toml", {}).get("presets")))
    problems.extend(crosscheck(views, raw, BY_KEY))  # ids that data moved out of the code names (issue 20)
    return problems


def _signal_ids(files: DataFiles) -> list[str] | None:
    """The scan's signal ids; None when unreadable (the scan's own checks report that file)."""
    content = read_signals(files)
    return None if content is None else signal_ids(content)
