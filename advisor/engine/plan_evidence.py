"""The scan's evidence a plan rests on: its findings as objects, the signals and system namespaces
it knows, and one entry per object however many signals matched it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from advisor.catalog.files import signals_file
from advisor.errors import DataError
from advisor.scan.signals import SignalSet, load_signals


@dataclass(frozen=True)
class Evidence:
    """One object a plan item rests on (from the scan's findings)."""

    kind: str
    namespace: str
    name: str
    field: str
    signal: str = ""
    detail: str = ""

    def to_document(self) -> dict[str, Any]:
        out = {"kind": self.kind, "namespace": self.namespace, "name": self.name, "field": self.field}
        if self.signal:
            out["signal"] = self.signal
        if self.detail:
            out["detail"] = self.detail
        return out

    @property
    def where(self) -> str:
        return f"{self.kind} {self.namespace}/{self.name}" if self.namespace else f"{self.kind} {self.name}"


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def findings_of(scan: Mapping[str, Any] | None) -> tuple[Evidence, ...]:
    """Every finding the scan listed, read leniently: an entry without a kind is skipped."""
    out: list[Evidence] = []
    for f in (scan or {}).get("findings") or ():
        if not isinstance(f, dict) or not _text(f.get("kind")):
            continue
        out.append(
            Evidence(
                kind=_text(f.get("kind")),
                namespace=_text(f.get("namespace")),
                name=_text(f.get("name")),
                field=_text(f.get("field")),
                signal=_text(f.get("signal")),
                detail=_text(f.get("detail")),
            )
        )
    return tuple(out)


def load_signal_set(path: Path | None = None) -> SignalSet | None:
    """The scan's signals.toml (`path`, else the bundled one), through the scan's reader; None when it
    cannot be read (`data validate` and `scan` report that file)."""
    try:
        return load_signals(path or signals_file(None))
    except DataError:
        return None


def known_signals(signals: SignalSet | None) -> frozenset[str]:
    """The scan's signal ids."""
    return frozenset(s.id for s in signals.signals) if signals is not None else frozenset()


def system_namespaces(signals: SignalSet | None) -> frozenset[str]:
    """Namespaces that hold the platform itself (the scan's list): never moved."""
    return signals.system_namespaces if signals is not None else frozenset()


def scan_capabilities(scan: Mapping[str, Any] | None) -> list[str]:
    """The capability ids the scan inferred from objects (its [[scan.capabilities]])."""
    caps = (scan or {}).get("capabilities") or ()
    return [c["id"] for c in caps if isinstance(c, dict) and isinstance(c.get("id"), str)]


def unique_objects(found: Any) -> tuple[Evidence, ...]:
    """One entry per object; an object several signals matched keeps every field they matched."""
    by_object: dict[tuple[str, str, str], Evidence] = {}
    for f in found:
        key = (f.kind, f.namespace, f.name)
        if key in by_object:
            seen = by_object[key]
            if f.field and f.field not in seen.field.split("; "):
                by_object[key] = Evidence(
                    seen.kind,
                    seen.namespace,
                    seen.name,
                    f"{seen.field}; {f.field}".strip("; "),
                    seen.signal,
                    seen.detail or f.detail,
                )
        else:
            by_object[key] = f
    return tuple(by_object.values())
