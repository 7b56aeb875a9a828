"""Resolve answers from flags, an answers file, typed input and defaults, through one validation path."""

from __future__ import annotations

import difflib
import functools
from dataclasses import fields, replace
from pathlib import Path
from typing import Any, Mapping, Sequence

from advisor.records import record
from advisor.catalog.models import Catalog
from advisor.errors import AnswerError, clip
from advisor.reading import read_document
from advisor.answers.inventory import Inventory, check_totals, is_inventory, split_inventory
from advisor.answers.measured import Measured, parse_measured
from advisor.answers.registry import BY_KEY, QUESTIONS
from advisor.answers.question import Question
from advisor.answers.export import AnswersDocument

NO_MESH = "none"  # current_mesh when the cluster runs no mesh yet


@record(eq=True)
class Answers:
    pods: int
    nodes: int
    namespaces: int
    mesh_rps: float
    l7_ratio: float
    hops: int
    require: tuple[str, ...]
    prefer: tuple[str, ...]
    current_mesh: str
    team_experience: str
    envoy_experience: bool
    risk: str
    cost_sensitivity: str
    latency_sensitivity: str
    platform: str
    vendor_distribution: bool
    cpu_price: float
    memory_price: float
    cost_basis: str
    benchmark_profile: str
    cluster_pods: int | None = None
    # Kubernetes Services and their ports in the cluster; None: derived from pods (the data says how).
    services: int | None = None
    service_ports: int | None = None
    sidecar_scoping: bool = False
    control_plane_ha: bool = False
    istiod_replicas: int | None = None
    # Requests of each injected (per-pod) sidecar proxy, when the install overrides the chart's.
    proxy_cpu_request_millicores: int | None = None
    proxy_memory_request_mib: int | None = None
    node_vcpu: float | None = None
    node_memory_gib: float | None = None
    node_monthly_usd: float | None = None
    in_use: tuple[str, ...] = ()
    multicluster_topology: str = "unspecified"
    # The per-namespace answer; when given, pods/namespaces/mesh_rps/l7_ratio are derived from it.
    inventory: Inventory | None = None
    # What today's mesh uses in this cluster, from a scan's [[scan.measured]] (never an answer to type).
    measured: tuple[Measured, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """Every answer in registry order, with lists for feature sets (TOML/JSON friendly).

        With an inventory, `namespaces` is its list of tables and the answers it derives (pods,
        mesh_rps when the namespaces give rps, l7_ratio) are left out, so the export reads back
        as the same answers; `derived()` has them for showing.
        """
        out: dict[str, Any] = {}
        inv = self.inventory
        for q in QUESTIONS:
            if inv is not None and q.key in ("pods", "l7_ratio"):
                continue
            if inv is not None and q.key == "mesh_rps" and inv.has_rps:
                continue
            if inv is not None and q.key == "namespaces":
                out["namespaces"] = inv.as_list()
                continue
            value = getattr(self, q.key)
            out[q.key] = list(value) if isinstance(value, tuple) else value
        return out

    def derived(self) -> dict[str, Any]:
        """The flat answers an inventory stands for (sums and shares), for showing beside it."""
        if self.inventory is None:
            return {}
        inv = self.inventory
        return {
            "pods": self.pods,
            "namespaces": self.namespaces,
            "mesh_rps": self.mesh_rps,
            "l7_ratio": round(self.l7_ratio, 6),
            "l7_namespaces": sum(1 for ns in inv.namespaces if ns.needs_l7),
            "unmeshed_namespaces": len(inv.namespaces) - len(inv.meshed),
            "cluster_pods": self.cluster_pods if self.cluster_pods is not None else inv.all_pods,
        }

    def replace(self, **changes: Any) -> "Answers":
        data = {name: getattr(self, name) for name in _field_names()}
        data.update(changes)
        return Answers(**data)


@functools.cache
def _field_names() -> tuple[str, ...]:
    return tuple(f.name for f in fields(Answers))


@record(eq=True)
class Resolved:
    answers: Answers
    defaulted: tuple[str, ...]
    # key -> "flag" | "file" | "scan" | "typed" | "implied" (by another answer) | "default" (meta.origins)
    origin: dict[str, str]


def defaults(catalog: Catalog) -> dict[str, Any]:
    """Default answers; prices and the benchmark profile come from the data in use."""
    values = {q.key: q.default for q in QUESTIONS}
    values["cpu_price"], values["memory_price"] = catalog.default_prices()
    values["benchmark_profile"] = catalog.benchmarks.default_profile
    return values


def is_given(value: Any) -> bool:
    return value is not None and not (isinstance(value, (list, tuple)) and len(value) == 0)


@record(eq=True)
class Source:
    """One labelled mapping of answers in the chain; `origin` is what results record for its answers."""

    origin: str  # "flag" | "file" | "scan" | "typed"
    values: Mapping[str, Any]
    label: str = ""  # for messages: "cluster.toml: [answers]"
    # Files and scans give a feature list even when it is empty (require = [] means "none");
    # an empty flag list means the flag was not given.
    empty_lists_count: bool = False

    def gives(self, q: Question) -> bool:
        raw = self.values.get(q.key)
        return is_given(raw) or (self.empty_lists_count and q.kind == "features" and q.key in self.values)

    def where(self, q: Question) -> str:
        if self.origin == "flag":
            return _flag_label(q, self.values.get(q.key))
        if self.origin == "typed":
            return q.key
        return f"{self.label}: {q.key}"


ORIGINS: tuple[str, ...] = ("flag", "file", "scan", "typed", "default")


def _take_inventory(sources: Sequence[Source]) -> tuple[list[Source], Inventory | None, tuple[str, str]]:
    """The sources with a [[namespaces]] inventory taken out, the inventory, and (origin, label).

    The first source (in precedence order) whose `namespaces` is a list of tables gives the
    inventory; its own flat counts beside it are an error (split_inventory), and so are flags that
    give what it derives. A source of lower precedence than one giving flat counts is overruled
    whole; flat counts of lower precedence than the inventory are overruled by it.
    """
    derived = [BY_KEY[k] for k in ("pods", "namespaces", "l7_ratio", "mesh_rps")]
    out: list[Source] = []
    inventory: Inventory | None = None
    found: tuple[str, str] = ("file", "answers file")
    for i, source in enumerate(sources):
        values = source.values
        if inventory is None and is_inventory(values.get("namespaces")):
            try:
                rest, inv = split_inventory(values, source.label or source.origin)
            except ValueError as exc:
                raise AnswerError(str(exc)) from None
            has_rps = inv is not None and inv.has_rps
            higher = [(s, q) for s in sources[:i] for q in derived if s.gives(q) and (q.key != "mesh_rps" or has_rps)]
            if higher:
                s, q = higher[0]
                if s.origin == "flag":
                    raise AnswerError(
                        f"{q.flag}: {source.label or source.origin} describes the cluster per namespace "
                        f"([[namespaces]]), which already gives {q.key}; edit the inventory or drop the flag"
                    )
                out.append(replace(source, values={k: v for k, v in values.items() if k != "namespaces"}))
                continue
            inventory, found = inv, (source.origin, source.label or source.origin)
            out.append(replace(source, values=rest))
        elif inventory is not None:
            # what the inventory derives, a lower source cannot give
            keep = {
                k: v
                for k, v in values.items()
                if k not in ("pods", "namespaces", "l7_ratio") and not (k == "mesh_rps" and inventory.has_rps)
            }
            out.append(replace(source, values=keep))
        else:
            out.append(source)
    return out, inventory, found


def resolve_chain(catalog: Catalog, sources: Sequence[Source]) -> Resolved:
    """The first source (in order) that gives an answer decides it, through the one validation
    path (`parse_answer`); an answer no source gives takes its default. Every answer records its
    origin (copier's AnswersMap, a ChainMap of labelled sources, is the model)."""
    sources, inventory, inventory_origin = _take_inventory(sources)
    base = defaults(catalog)
    values: dict[str, Any] = {}
    origin: dict[str, str] = {}
    problems: list[str] = []
    for q in QUESTIONS:
        for source in sources:
            if source.gives(q):
                try:
                    values[q.key] = parse_answer(catalog, q, source.values.get(q.key))
                except ValueError as exc:
                    problems.append(f"{source.where(q)}: {exc}")
                origin[q.key] = source.origin
                break
        else:
            values[q.key] = base[q.key]
            origin[q.key] = "default"
    if not problems:
        _imply(catalog, values, origin)
    if inventory is not None and not problems:
        values["mesh_rps"] = inventory.mesh_rps(values["mesh_rps"])
        values["pods"] = inventory.pods
        values["namespaces"] = len(inventory.meshed)
        values["l7_ratio"] = inventory.l7_ratio(values["mesh_rps"])
        origin_of, label = inventory_origin
        for key in ("pods", "namespaces", "l7_ratio"):
            origin[key] = origin_of
        if inventory.has_rps:
            origin["mesh_rps"] = origin_of
        values["inventory"] = inventory
        try:
            check_totals(inventory, values["nodes"], values["cluster_pods"], label)
        except ValueError as exc:
            problems.append(str(exc))
    for source in sources:
        if "measured" in source.values:
            try:
                # the rows sit in the scan's [scan] table, not in [answers]: name the file alone
                label = (source.label or source.origin).removesuffix(": [answers]")
                values["measured"] = parse_measured(source.values["measured"], label)
            except ValueError as exc:
                problems.append(str(exc))
            break
    if inventory is not None and any(
        ns.services is not None or ns.service_ports is not None for ns in inventory.namespaces
    ):
        for key in ("services", "service_ports"):
            if origin.get(key) == "default":
                origin[key] = inventory_origin[0]  # the inventory gives them per namespace
    if not problems and values["cluster_pods"] is not None and values["cluster_pods"] < values["pods"]:
        problems.append(
            f"cluster_pods: {values['cluster_pods']:,} pods in the cluster, fewer than the {values['pods']:,} meshed pods"
        )
    if not problems:
        preferred = set(values["prefer"])
        both = [f for f in values["require"] if f in preferred]
        if both:
            problems.append(
                f"{', '.join(both)}: a capability cannot be both required and preferred "
                "(drop it from --prefer or from --require)"
            )
    if problems:
        raise _answer_error(problems)
    defaulted = tuple(k for k in (q.key for q in QUESTIONS) if origin[k] == "default")
    return Resolved(answers=Answers(**values), defaulted=defaulted, origin=origin)


def _imply(catalog: Catalog, values: dict[str, Any], origin: dict[str, str]) -> None:
    """Answers that follow from other answers when nobody gave them (origin "implied"): a team that
    runs an Envoy-based mesh today runs Envoy; a platform that bills pod requests is costed by its
    requests, at its own prices when the data has them. Read from data (traits, platforms.toml)."""
    if origin["envoy_experience"] == "default" and "envoy" in catalog.traits_of(values["current_mesh"]):
        values["envoy_experience"] = True
        origin["envoy_experience"] = "implied"
    platform = catalog.platform(values["platform"])
    if platform.billing == "requests" and origin["cost_basis"] == "default":
        values["cost_basis"] = "requests"
        origin["cost_basis"] = "implied"
    preset = catalog.pricing.presets.get(platform.price_preset) if platform.price_preset else None
    if preset is not None:
        for key, fig in (("cpu_price", preset.cpu_usd_per_vcpu_hour), ("memory_price", preset.memory_usd_per_gib_hour)):
            if origin[key] == "default":
                values[key] = fig.value
                origin[key] = "implied"


def resolve(
    catalog: Catalog,
    flags: Mapping[str, Any] | None = None,
    file_values: Mapping[str, Any] | None = None,
    file_label: str = "answers file",
    typed: Mapping[str, Any] | None = None,
    scan_values: Mapping[str, Any] | None = None,
    scan_label: str = "scan",
) -> Resolved:
    """Precedence: flag > answers file > scan > typed in the wizard > default."""
    return resolve_chain(
        catalog,
        (
            Source("flag", flags or {}),
            Source("file", file_values or {}, file_label, empty_lists_count=True),
            Source("scan", scan_values or {}, scan_label, empty_lists_count=True),
            Source("typed", typed or {}),
        ),
    )


def parse_answer(catalog: Catalog, q: Question, raw: Any) -> Any:
    """The one validation path: registry parse, then checks that need the data."""
    value = q.parse(raw)
    if q.kind == "features":
        known = catalog.feature_ids
        for fid in value:
            if fid not in known:
                raise ValueError(unknown_feature_message(fid, known))
    if q.kind == "option" and value != NO_MESH and value not in catalog.option_ids:
        close = difflib.get_close_matches(value, catalog.option_ids, n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise ValueError(
            f"unknown mesh {clip(value)!r}{hint}; expected {NO_MESH} or one of {', '.join(catalog.option_ids)}"
        )
    if q.key == "benchmark_profile" and value not in catalog.profiles:
        names = ", ".join(catalog.profiles)
        raise ValueError(f"unknown benchmark profile {clip(value)!r}; expected one of {names}")
    if q.key == "platform":
        value = value.lower()
        if value not in catalog.platform_ids:
            raise ValueError(f"unknown platform {clip(value)!r}; expected one of {', '.join(catalog.platform_ids)}")
    return value


def unknown_feature_message(fid: str, known: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(fid, known, n=3, cutoff=0.6)
    hint = f" (did you mean {' or '.join(close)}?)" if close else ""
    return f"unknown feature id {clip(fid)!r}{hint}; valid ids: {', '.join(known)}"


def _flag_label(q: Question, raw: Any) -> str:
    if q.kind == "bool":
        return q.flag if raw in (None, True) else q.negative_flag
    return q.flag


def _answer_error(problems: list[str]) -> AnswerError:
    if len(problems) == 1:
        return AnswerError(problems[0])
    return AnswerError(f"{len(problems)} problems with the answers:", problems)


def load_answers_file(path: str | Path) -> tuple[dict[str, Any], str]:
    """Read a plain answers file or a full export; returns (answers table, label for messages)."""
    doc = AnswersDocument.from_document(_read_answers(path), str(path), BY_KEY, AnswerError)
    return dict(doc.values), doc.label


def _read_answers(path: str | Path) -> Any:
    """An answers file, an export or a scan document, read and parsed (AnswerError naming the file)."""
    return read_document(
        path,
        AnswerError,
        missing="answers file not found",
        expected="expected a TOML or JSON answers file",
        parse_constant=_reject_constant,
    )


def is_scan_document(data: Any) -> bool:
    """A `mesh-advisor scan` document: an answers export with a [scan] table of evidence."""
    return isinstance(data, dict) and isinstance(data.get("scan"), dict) and isinstance(data.get("answers"), dict)


@record
class AnswerFiles:
    """The answers files given, each read and parsed once: up to one answers file and one scan."""

    file_values: Mapping[str, Any]
    file_label: str
    scan_values: Mapping[str, Any]
    scan_label: str
    scan: Mapping[str, Any] | None = None  # the scan document's [scan] table (its evidence), for `plan`


def read_answer_files(paths: Sequence[str]) -> AnswerFiles:
    """Read each answers file once. A scan document (it has a [scan] table) is the scan source;
    anything else is the answers file, which outranks the scan. Two answers files, or two scans,
    are an error."""
    found: dict[str, tuple[dict[str, Any], str, str]] = {}
    scan: Mapping[str, Any] | None = None
    for path in paths:
        data = _read_answers(path)
        kind = "scan" if is_scan_document(data) else "file"
        doc = AnswersDocument.from_document(data, str(path), BY_KEY, AnswerError)
        if kind in found:
            what = "scans" if kind == "scan" else "answers files"
            raise AnswerError(
                f"two {what} given ({found[kind][2]} and {path}); give one, or one answers file and one scan"
            )
        values = dict(doc.values)
        if kind == "scan":
            scan = data["scan"]
            if "measured" in scan:
                values["measured"] = scan["measured"]  # today's mesh as measured (read by resolve_chain)
        found[kind] = (values, doc.label, str(path))
    file_values, file_label, _ = found.get("file", ({}, "answers file", ""))
    scan_values, scan_label, _ = found.get("scan", ({}, "scan", ""))
    return AnswerFiles(file_values, file_label, scan_values, scan_label, scan)


def load_answer_sources(paths: Sequence[str]) -> tuple[dict[str, Any], str, dict[str, Any], str]:
    """(file values, file label, scan values, scan label): read_answer_files as a tuple."""
    files = read_answer_files(paths)
    return dict(files.file_values), files.file_label, dict(files.scan_values), files.scan_label


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a valid answer value")
