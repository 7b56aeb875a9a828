"""`mesh-advisor scan` between the CLI and the core: options, sources, emission."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from advisor.errors import UserError
from advisor.answers.registry import BY_KEY
from advisor.catalog.files import signals_file
from advisor.catalog.load import load_catalog
from advisor.scan.core import ScanContext, scan_files
from advisor.scan.names import check_live_names
from advisor.scan.result import hasher
from advisor.scan.signals import load_signals

_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$")
_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


@dataclass(frozen=True)
class ScanOptions:
    paths: list[str] = field(default_factory=list)
    context: str | None = None
    kubeconfig: str | None = None
    namespaces: list[str] = field(default_factory=list)
    timeout: str = "60s"
    prometheus: str | None = None
    prometheus_token_file: str | None = None  # a bearer token (else MESH_ADVISOR_PROMETHEUS_TOKEN)
    window: str = "1d"
    hide_names: bool = False
    data_dir: str | None = None  # signals.toml and the feature ids from here, over the bundled ones
    namespace_label: str = "namespace"  # label names of the cAdvisor series (--namespace-label)
    container_label: str = "container"  # (--container-label)


def parse_duration(raw: str, flag: str, minimum: float = 0.001, maximum: float = 366 * 86400) -> float:
    """`30s`, `2m`, `1h`, `7d` as seconds; anything else is a usage error naming the flag."""
    text = (raw or "").strip().lower()
    m = _DURATION.match(text)
    if not m:
        shown = raw if len(raw) <= 60 else raw[:57] + "..."
        raise UserError(f"{flag}: expected a duration such as 30s, 5m, 1h or 7d, got {shown!r}")
    seconds = float(m.group(1)) * _SECONDS[m.group(2)]
    if not minimum <= seconds <= maximum:
        raise UserError(f"{flag}: expected a duration from {minimum:g}s to {maximum / 86400:g}d, got {raw!r}")
    return seconds


def run_scan(options: ScanOptions, generated_at: str, stdin: BinaryIO | None = None) -> Any:
    timeout = parse_duration(options.timeout, "--timeout", maximum=3600)
    window = parse_duration(options.window, "--window", minimum=60)
    live_only = [
        flag
        for flag, given in (("--context", options.context), ("--kubeconfig", options.kubeconfig))
        if given is not None
    ]
    if options.paths and live_only:
        raise UserError(f"{', '.join(live_only)}: only for a live scan (no PATH); files were given")
    if options.paths and options.namespaces:
        raise UserError("--namespace: only for a live scan (no PATH); files were given")
    check_live_names(options.context, options.kubeconfig, options.namespaces)
    catalog = load_catalog(options.data_dir)
    ctx = ScanContext(
        signals=load_signals(
            signals_file(options.data_dir), catalog.feature_ids, catalog.option_ids, catalog.platform_ids
        ),
        feature_ids=catalog.feature_ids,
        answer_keys=BY_KEY,
        generated_at=generated_at,
        hide_names=options.hide_names,
        timeout_s=timeout,
    )
    traffic = None
    edges: list[dict[str, Any]] = []
    warnings: list[str] = []
    measured: list[dict[str, Any]] = []
    if options.prometheus_token_file is not None and options.prometheus is None:
        raise UserError("--prometheus-token-file: only with --prometheus URL")
    if options.prometheus is not None:
        # deferred: the traffic reader loads only for --prometheus
        from advisor.scan.prometheus import endpoint, read_edges, read_traffic
        from advisor.scan.usage import check_label

        try:
            labels = (
                check_label(options.namespace_label, "--namespace-label"),
                check_label(options.container_label, "--container-label"),
            )
        except ValueError as exc:
            raise UserError(str(exc)) from None
        ep = endpoint(options.prometheus, options.prometheus_token_file)
        label = hasher(options.hide_names)(ep.shown)
        traffic, notes = read_traffic(ep, window, timeout, ctx.signals.traffic, label=label)
        warnings.extend(notes)
        edges = read_edges(ep, window, timeout)
        measured = _measure(ep, catalog, window, timeout, labels, warnings)
    if options.paths:
        result = scan_files(ctx, options.paths, stdin=stdin, traffic=traffic, warnings=warnings)
    else:
        # deferred: the live scan's kubectl transport loads only without PATH
        from advisor.scan.kubectl import Kubectl, scan_live

        kubectl = Kubectl(context=options.context, kubeconfig=options.kubeconfig, timeout=timeout)
        result = scan_live(ctx, kubectl, options.namespaces, traffic=traffic, warnings=warnings)
    if edges and not options.hide_names:
        result = dataclasses.replace(result, edges=tuple(edges))
    if measured:
        hide = hasher(options.hide_names)
        result = dataclasses.replace(result, measured=tuple({**m, "namespace": hide(m["namespace"])} for m in measured))
    return result


def _measure(
    ep: Any, catalog: Any, window: float, timeout: float, labels: tuple[str, str], warnings: list[str]
) -> list[dict[str, Any]]:
    """[[scan.measured]]: what the mesh's containers (named in the benchmark data) use over the window."""
    # deferred: the Prometheus client loads only for --prometheus
    from advisor.scan.prometheus import query
    from advisor.scan.usage import mesh_containers, read_usage

    rows, notes = read_usage(
        lambda promql: query(ep, promql, timeout),
        mesh_containers(catalog.benchmarks.components),
        window,
        namespace_label=labels[0],
        container_label=labels[1],
    )
    warnings.extend(notes)
    return rows
