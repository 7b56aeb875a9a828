"""Scan entry points: files or the live cluster in, a ScanResult out. Pure: never prints."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, BinaryIO, Mapping

from advisor import __version__
from advisor.scan.files import FileReport, ScanInputError, read_sources
from advisor.scan.infer import Scanner
from advisor.scan.result import ScanResult, Traffic, build
from advisor.scan.signals import SignalSet


@dataclass(frozen=True)
class ScanContext:
    """What every scan needs from the rest of the tool."""

    signals: SignalSet
    feature_ids: tuple[str, ...]
    answer_keys: Mapping[str, Any]  # the question registry
    generated_at: str
    hide_names: bool = False


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
    report = FileReport()
    for obj, _origin in read_sources(paths, stdin, report):
        scanner.add(obj)
    if scanner.objects == 0:
        where = ", ".join(paths) if len(paths) <= 3 else f"{paths[0]} and {len(paths) - 1} more"
        raise ScanInputError(
            f"{where}: no Kubernetes objects found (read {len(report.files)} file{'s' if len(report.files) != 1 else ''}); expected manifests or a kubectl dump"
        )
    notes = list(warnings or [])
    if report.skipped:
        names = sorted(report.skipped)
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        count = sum(report.skipped.values())
        notes.append(f"skipped {count} document{'s' if count != 1 else ''} that are not Kubernetes objects, in {shown}")
    return build(
        scanner,
        meta=_meta(ctx, "files", files=len(report.files)),
        feature_ids=ctx.feature_ids,
        answer_keys=ctx.answer_keys,
        warnings=notes,
        complete=True,
        traffic=traffic,
        hide_names=ctx.hide_names,
    )
