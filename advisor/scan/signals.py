"""The signals of data/signals.toml: (kind, field) patterns, compiled once and matched against objects."""

from __future__ import annotations

import re
from dataclasses import field
from pathlib import Path
from typing import Any, Iterator

from advisor.errors import DataError
from advisor.catalog.files import signals_file
from advisor.reading import MAX_DATA_FILE_BYTES, ReadProblem, parse_data_file, read_limited
from advisor.records import record
from advisor.scan.meshes import NO_MESH, MeshOrder, TrafficQuery, mesh_problems, read_meshes, read_traffic_queries

SCOPES = ("object", "pod")
TESTS = ("equals", "one_of", "prefix", "contains", "min_items")
_SIGNAL_KEYS = {
    "id",
    "use_scope",
    "gateway_if",
    "kind",
    "groups",
    "scope",
    "match",
    "unless",
    "detail",
    "capability",
    "mesh",
    "l7",
    "platform",
    "cni",
    "text",
    "source",
    "version",
}
_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_PATH_TOKEN = re.compile(r'\.?([A-Za-z0-9_$-]+)|\["([^"]+)"\]|(\[\])|(\{\})')
_PLAIN_KEY = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$-]*$")

Step = tuple[str, str]  # ("key", name) | ("items", "") | ("values", "")


def compile_path(text: str) -> tuple[Step, ...]:
    """`spec.http[].match[].headers`, `metadata.labels["istio.io/rev"]`, `spec.portLevelMtls{}.mode`."""
    steps: list[Step] = []
    pos = 0
    while pos < len(text):
        m = _PATH_TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ValueError(f"cannot read path {text!r} at character {pos + 1}")
        if m.group(1) is not None:
            steps.append(("key", m.group(1)))
        elif m.group(2) is not None:
            steps.append(("key", m.group(2)))
        elif m.group(3):
            steps.append(("items", ""))
        else:
            steps.append(("values", ""))
        pos = m.end()
    if not steps:
        raise ValueError("empty path")
    return tuple(steps)


def _key_text(prefix: str, key: str) -> str:
    if _PLAIN_KEY.match(key):
        return f"{prefix}.{key}" if prefix else key
    return f'{prefix}["{key}"]'


def walk(value: Any, steps: tuple[Step, ...], where: str = "") -> Iterator[tuple[Any, str]]:
    """Every value the path reaches, with its concrete path (`spec.http[0].fault`)."""
    if not steps:
        yield value, where
        return
    kind, name = steps[0]
    rest = steps[1:]
    if kind == "key":
        if isinstance(value, dict) and name in value:
            yield from walk(value[name], rest, _key_text(where, name))
    elif kind == "items":
        if isinstance(value, list):
            for i, item in enumerate(value):
                yield from walk(item, rest, f"{where}[{i}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from walk(item, rest, f'{where}["{key}"]')


def _scalar_text(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    return None


@record
class Test:
    path: tuple[Step, ...]
    op: str  # "present" or one of TESTS
    arg: Any = None

    def passes(self, value: Any) -> bool:
        if self.op == "present":
            return value is not None and value != "" and value != [] and value != {}
        if self.op == "min_items":
            return isinstance(value, list) and len(value) >= self.arg
        text = _scalar_text(value)
        if text is None:
            return False
        low = text.lower()
        if self.op == "equals":
            return low == self.arg
        if self.op == "one_of":
            return low in self.arg
        if self.op == "prefix":
            return low.startswith(self.arg)
        return self.arg in low  # contains

    def first(self, obj: Any) -> str | None:
        """The concrete path of the first value that passes (the path text is built only then)."""
        trail = _first(obj, self.path, 0, self)
        if trail is None:
            return None
        where = ""
        for kind, part in reversed(trail):
            where = _key_text(where, part) if kind == "key" else f"{where}{part}"
        return where


def _first(value: Any, steps: tuple[Step, ...], i: int, test: "Test") -> list[tuple[str, str]] | None:
    """Depth-first search without generators (hot: every pod goes through a dozen of these)."""
    if i == len(steps):
        return [] if test.passes(value) else None
    kind, name = steps[i]
    if kind == "key":
        if type(value) is dict and name in value:
            trail = _first(value[name], steps, i + 1, test)
            if trail is not None:
                trail.append(("key", name))
            return trail
        return None
    if kind == "items":
        if type(value) is list:
            for n, item in enumerate(value):
                trail = _first(item, steps, i + 1, test)
                if trail is not None:
                    trail.append(("index", f"[{n}]"))
                    return trail
        return None
    if type(value) is dict:
        for key, item in value.items():
            trail = _first(item, steps, i + 1, test)
            if trail is not None:
                trail.append(("index", f'["{key}"]'))
                return trail
    return None


@record
class Signal:
    id: str
    kind: str
    groups: tuple[str, ...]
    scope: str
    tests: tuple[Test, ...]
    unless: tuple[str, ...]
    detail: tuple[Step, ...] | None
    capability: str | None
    mesh: str | None
    l7: bool
    platform: str | None
    cni: str | None
    text: str
    source: str
    version: str
    # Where the capability is used (issue 22): "mesh", "gateway" (an ingress gateway serves it, which
    # the target's ingress can take over) or "egress"; `gateway_if`: signal ids that, matched on the
    # same object, make it gateway-scoped (an EnvoyFilter patching only a gateway).
    use_scope: str = "mesh"
    gateway_if: tuple[str, ...] = ()

    def matches(self, obj: Any) -> str | None:
        """The concrete field path of the first alternative that matches, or None."""
        for test in self.tests:
            where = test.first(obj)
            if where is not None:
                return where
        return None

    def detail_of(self, obj: Any) -> str | None:
        if self.detail is None:
            return None
        seen: dict[str, None] = {}  # ordered, and linear in the values (an EnvoyFilter may patch 80,000 times)
        length = 0
        for value, _ in walk(obj, self.detail):
            text = _scalar_text(value)
            if text and text not in seen:
                seen[text] = None
                length += len(text) + 2
                if length > 200:
                    break  # only the first 200 characters are kept
        return ", ".join(seen)[:200] or None


@record
class SignalSet:
    signals: tuple[Signal, ...]
    by_kind: dict[tuple[str, str], tuple[Signal, ...]]  # (group, kind) -> object-scope signals
    pod: tuple[Signal, ...]
    resources: tuple[tuple[str, str, str], ...]  # (kind, group, plural)
    system_namespaces: frozenset[str]
    system_prefixes: tuple[str, ...]
    l7_app_protocols: frozenset[str]
    l7_name_protocols: frozenset[str]
    l7_source: str
    platform_priority: tuple[str, ...]
    data_version: str
    path: Path
    cluster_scoped_kinds: frozenset[str] = frozenset({"Namespace", "Node"})
    workload_kinds: frozenset[tuple[str, str]] = frozenset()  # (group, kind) counted like a Deployment
    # [meshes] (advisor.scan.meshes): which mesh wins when an object shows several, and which
    # meshes capture a labelled namespace's pods without marking them; [[traffic]]: Prometheus queries.
    meshes: MeshOrder = field(default_factory=MeshOrder)
    traffic: tuple[TrafficQuery, ...] = ()

    def by_id(self) -> dict[str, Signal]:
        return {s.id: s for s in self.signals}

    def is_system_namespace(self, name: str) -> bool:
        return name in self.system_namespaces or name.startswith(self.system_prefixes)


def load_signals(
    path: Path,
    feature_ids: tuple[str, ...] | None = None,
    option_ids: tuple[str, ...] | None = None,
    platform_ids: tuple[str, ...] | None = None,
) -> SignalSet:
    """Read and check signals.toml; every problem is reported at once (DataError).

    Given the catalog's option and platform ids, the file is also checked against them both ways
    (advisor.scan.meshes.mesh_problems): every option has membership signals and a place in each
    precedence, and every mesh, platform and feature id the file names exists."""
    label = str(path)
    try:
        # The shared bounded reader: a regular file within the data-file limit, depth and keys bounded.
        doc = parse_data_file(read_limited(path, MAX_DATA_FILE_BYTES))
    except ReadProblem as exc:
        raise DataError(f"{label}: {exc.message}") from None
    if not isinstance(doc, dict):
        raise DataError(f"{label}: expected a TOML table")
    doc = dict(doc)  # parsed documents are shared (parse_data_file): a wrong-typed list is replaced in a copy
    problems: list[str] = []
    signals: list[Signal] = []
    seen: set[str] = set()
    for key in ("signals", "resources", "workloads"):
        if not isinstance(doc.get(key, []), list):
            problems.append(f"{key}: expected [[{key}]] tables")
            doc[key] = []
    l7 = doc.get("l7_ports", {})
    if not isinstance(l7, dict):
        problems.append("l7_ports: expected a table with app_protocols and name_protocols")
        l7 = {}
    for key in ("app_protocols", "name_protocols"):
        value = l7.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            problems.append(f"l7_ports.{key}: expected a list of text")
            l7 = {**l7, key: []}
    for i, raw in enumerate(doc.get("signals", [])):
        where = f"signals[{i}]"
        try:
            sig = _signal(raw, feature_ids)
        except ValueError as exc:
            problems.append(f"{where}: {exc}")
            continue
        if sig.id in seen:
            problems.append(f"{where}: duplicate signal id {sig.id!r}")
        seen.add(sig.id)
        signals.append(sig)
    for sig in signals:
        for other in sig.unless:
            if other not in seen:
                problems.append(f"signal {sig.id}: unless names unknown signal {other!r}")
    resources = [
        (raw["kind"], raw["group"], raw["resource"])
        for raw in _tables(doc, "resources", ("kind", "group", "resource"), problems)
    ]
    workloads = [
        (raw["group"], raw["kind"]) for raw in _tables(doc, "workloads", ("kind", "group", "source"), problems)
    ]
    meshes = read_meshes(doc, problems)
    traffic = read_traffic_queries(doc, problems)
    problems.extend(mesh_problems(doc, signals, meshes, traffic, option_ids, platform_ids))
    for key in ("system_namespaces", "system_namespace_prefixes", "platform_priority", "cluster_scoped_kinds"):
        value = doc.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            problems.append(f"{key}: expected a list of text")
    if problems:
        raise DataError(f"{label}: {len(problems)} problem{'s' if len(problems) != 1 else ''}:", problems)
    by_kind: dict[tuple[str, str], list[Signal]] = {}
    for sig in signals:
        if sig.scope == "object":
            for group in sig.groups:
                by_kind.setdefault((group, sig.kind), []).append(sig)
    return SignalSet(
        signals=tuple(signals),
        by_kind={k: tuple(v) for k, v in by_kind.items()},
        pod=tuple(s for s in signals if s.scope == "pod"),
        resources=tuple(resources),
        system_namespaces=frozenset(doc.get("system_namespaces", [])),
        system_prefixes=tuple(doc.get("system_namespace_prefixes", [])),
        l7_app_protocols=frozenset(p.lower() for p in l7.get("app_protocols", [])),
        l7_name_protocols=frozenset(p.lower() for p in l7.get("name_protocols", [])),
        l7_source=str(l7.get("source", "")),
        platform_priority=tuple(doc.get("platform_priority", [])),
        data_version=str(doc.get("data_version", "")),
        path=path,
        cluster_scoped_kinds=frozenset(doc.get("cluster_scoped_kinds", ["Namespace", "Node"])),
        workload_kinds=frozenset(workloads),
        meshes=meshes,
        traffic=traffic,
    )


def _tables(doc: dict[str, Any], key: str, fields: tuple[str, ...], problems: list[str]) -> list[dict[str, Any]]:
    """The `[[key]]` tables whose `fields` are all text; a problem for each that is not."""
    out = []
    for i, raw in enumerate(doc.get(key, [])):
        if isinstance(raw, dict) and all(isinstance(raw.get(k), str) and raw.get(k) for k in fields):
            out.append(raw)
        else:
            problems.append(f"{key}[{i}]: expected {', '.join(fields[:-1])} and {fields[-1]} (text)")
    return out


def _text(raw: dict[str, Any], key: str, required: bool = True) -> str | None:
    value = raw.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{key}: expected non-empty text")
    return value


def _signal(raw: Any, feature_ids: tuple[str, ...] | None) -> Signal:
    if not isinstance(raw, dict):
        raise ValueError("expected a table")
    unknown = sorted(set(raw) - _SIGNAL_KEYS)
    if unknown:
        raise ValueError(f"unknown key(s) {', '.join(unknown)}")
    sid = _text(raw, "id")
    assert sid is not None
    if not _ID.match(sid):
        raise ValueError(f"id {sid!r}: expected kebab-case")
    scope = raw.get("scope", "object")
    if scope not in SCOPES:
        raise ValueError(f"{sid}: scope: expected one of {', '.join(SCOPES)}")
    groups = raw.get("groups", [""] if scope == "pod" else None)
    if not isinstance(groups, list) or not groups or not all(isinstance(g, str) for g in groups):
        raise ValueError(f'{sid}: groups: expected a list of API groups ("" for the core group)')
    matches = raw.get("match")
    if not isinstance(matches, list) or not matches:
        raise ValueError(f"{sid}: match: expected a list of alternatives")
    tests = []
    for alt in matches:
        if not isinstance(alt, dict) or not isinstance(alt.get("path"), str):
            raise ValueError(f"{sid}: match: each alternative needs a path")
        ops = [k for k in alt if k != "path"]
        if len(ops) > 1 or any(op not in TESTS for op in ops):
            raise ValueError(f"{sid}: match: at most one of {', '.join(TESTS)} per alternative")
        try:
            steps = compile_path(alt["path"])
        except ValueError as exc:
            raise ValueError(f"{sid}: {exc}") from None
        if not ops:
            tests.append(Test(steps, "present"))
            continue
        op = ops[0]
        arg = alt[op]
        if op == "min_items":
            if not isinstance(arg, int) or isinstance(arg, bool) or arg < 1:
                raise ValueError(f"{sid}: min_items: expected a whole number >= 1")
        elif op == "one_of":
            if not isinstance(arg, list) or not all(isinstance(a, str) for a in arg):
                raise ValueError(f"{sid}: one_of: expected a list of text")
            arg = frozenset(a.lower() for a in arg)
        elif not isinstance(arg, str):
            raise ValueError(f"{sid}: {op}: expected text")
        else:
            arg = arg.lower()
        tests.append(Test(steps, op, arg))
    capability = _text(raw, "capability", required=False)
    if capability is not None and feature_ids is not None and capability not in feature_ids:
        raise ValueError(f"{sid}: capability {capability!r} is not a feature id of features.toml")
    mesh = _text(raw, "mesh", required=False)
    if mesh is not None and not _ID.match(mesh):
        raise ValueError(f"{sid}: mesh: expected an option id or {NO_MESH!r} (got {mesh!r})")
    unless = raw.get("unless", [])
    if not isinstance(unless, list) or not all(isinstance(u, str) for u in unless):
        raise ValueError(f"{sid}: unless: expected a list of signal ids")
    detail = _text(raw, "detail", required=False)
    l7 = raw.get("l7", False)
    if not isinstance(l7, bool):
        raise ValueError(f"{sid}: l7: expected true or false")
    return Signal(
        id=sid,
        kind=_text(raw, "kind") or "",
        groups=tuple(groups),
        scope=scope,
        tests=tuple(tests),
        unless=tuple(unless),
        detail=compile_path(detail) if detail else None,
        capability=capability,
        mesh=mesh,
        l7=l7,
        platform=_text(raw, "platform", required=False),
        cni=_text(raw, "cni", required=False),
        text=_text(raw, "text") or "",
        source=_text(raw, "source") or "",
        version=_text(raw, "version") or "",
        use_scope=_use_scope(raw, sid),
        gateway_if=tuple(raw.get("gateway_if", ())),
    )


USE_SCOPES = ("mesh", "gateway", "egress")


def _use_scope(raw: dict[str, Any], sid: str) -> str:
    scope = raw.get("use_scope", "mesh")
    if scope not in USE_SCOPES:
        raise ValueError(f"{sid}: use_scope: expected one of {', '.join(USE_SCOPES)}")
    gateway_if = raw.get("gateway_if", [])
    if not isinstance(gateway_if, list) or not all(isinstance(g, str) for g in gateway_if):
        raise ValueError(f"{sid}: gateway_if: expected a list of signal ids")
    return str(scope)


def signal_ids(content: bytes) -> list[str] | None:
    """The signal ids in signals.toml's bytes, read leniently (None when it cannot be parsed): what the
    migration data's cross-checks need even when the file has other problems."""
    try:
        doc = parse_data_file(content)
    except ReadProblem:
        return None
    if not isinstance(doc, dict) or not isinstance(doc.get("signals", []), list):
        return None  # not [[signals]] tables: load_signals reports that file
    return [e["id"].strip() for e in doc.get("signals", []) if isinstance(e, dict) and isinstance(e.get("id"), str)]


def bundled_signals(feature_ids: tuple[str, ...] | None = None) -> SignalSet:
    return load_signals(signals_file(None), feature_ids)
