"""Scan entry points: files or the live cluster in, a ScanResult out. Pure: never prints."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, BinaryIO, Mapping

from advisor import __version__
from advisor.scan.files import FileReport, ScanInputError
from advisor.scan.infer import Scanner
from advisor.scan.sources import read_sources, skipped_summary
from advisor.scan.result import ScanResult, Traffic, build, hasher
from advisor.scan.signals import SignalSet


@dataclass(frozen=True)
class ScanContext:
    """What every scan needs from the rest of the tool."""

    signals: SignalSet
    feature_ids: tuple[str, ...]
    answer_keys: Mapping[str, Any]  # the question registry
    generated_at: str
    hide_names: bool = False
    timeout_s: float = 60.0  # each external call's deadline (kubectl kustomize, helm template)


def _meta(ctx: ScanContext, source: str, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "tool": "mesh-advisor",
        "tool_version": __version__,
        "generated_at": ctx.generated_at,
        "source": source,
    }
    out.update({k: v for k, v in extra.items() if v is not None})
    return out


def scan_files(
    ctx: ScanContext,
    paths: list[str],
    stdin: BinaryIO | None = None,
    traffic: Mapping[str, Traffic] | None = None,
    warnings: list[str] | None = None,
) -> ScanResult:
    scanner = Scanner(ctx.signals)
    report = FileReport(timeout_s=ctx.timeout_s)
    for obj, origin in read_sources(paths, stdin, report):
        scanner.add(obj, origin)
    if scanner.objects == 0:
        where = ", ".join(paths) if len(paths) <= 3 else f"{paths[0]} and {len(paths) - 1} more"
        skipped = len(report.not_manifests) + report.other_files
        why = f"; skipped {skipped} that are not" if skipped else ""
        more = f" ({'; '.join(report.notes)})" if report.notes else ""
        raise ScanInputError(
            f"{where}: no Kubernetes objects found (read {len(report.files)} file{'s' if len(report.files) != 1 else ''}{why})"
            f"{more}; expected manifests or a kubectl dump"
        )
    notes = list(warnings or [])
    found = list(report.notes)
    summary = skipped_summary(report)
    if summary:
        found.append(summary)
    rendered = list(report.rendered)
    if ctx.hide_names:  # paths name things too: each is replaced by its hash, longest first
        hide = hasher(True)
        paths = sorted(
            {*report.files, *report.not_manifests, *report.skipped, *(r.rsplit(" (", 1)[0] for r in rendered)},
            key=len,
            reverse=True,
        )
        for path in paths:
            found = [n.replace(path, hide(path)) for n in found]
        rendered = [hide(r.rsplit(" (", 1)[0]) for r in rendered]
        for note in report.notes:  # a Kustomize root or chart that was skipped: its directory
            if ": " in note:
                path = note.split(": ", 1)[0]
                found = [n.replace(path, hide(path)) for n in found]
    notes.extend(found)
    return build(
        scanner,
        meta=_meta(ctx, "files", files=len(report.files), rendered=rendered or None),
        feature_ids=ctx.feature_ids,
        answer_keys=ctx.answer_keys,
        warnings=notes,
        complete=True,
        traffic=traffic,
        hide_names=ctx.hide_names,
    )
