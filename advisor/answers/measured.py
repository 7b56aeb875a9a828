"""What the cluster's own containers use, read back from a scan document's `[[scan.measured]]`."""

from __future__ import annotations

import math
from typing import Any

from advisor.errors import clip
from advisor.records import record

MEASURED_KIND = "measured-in-cluster"
MAX_ROWS = 100_000


@record(eq=True)
class Measured:
    """One namespace's containers of one name, over the scan's window (cAdvisor series)."""

    namespace: str
    container: str
    memory_mib_mean: float | None  # per container, mean over the window
    memory_mib_p95: float | None
    cpu_vcpu_mean: float | None
    samples: int
    instances: int  # containers seen (pods), at least 1
    window: str
    query: str


_NUMBERS = ("memory_mib_mean", "memory_mib_p95", "cpu_vcpu_mean")


def parse_measured(raw: Any, label: str) -> tuple[Measured, ...]:
    """The rows of `[[scan.measured]]`; ValueError names the row and field."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ValueError(f"{label}: scan.measured: expected a list of tables")
    if len(raw) > MAX_ROWS:
        raise ValueError(f"{label}: scan.measured: {len(raw):,} rows; at most {MAX_ROWS:,} are read")
    out = []
    for i, row in enumerate(raw):
        at = f"{label}: scan.measured[{i}]"
        if not isinstance(row, dict):
            raise ValueError(f"{at}: expected a table")
        texts = {}
        for key in ("namespace", "container", "window", "query"):
            value = row.get(key, "")
            if not isinstance(value, str) or (key in ("namespace", "container") and not value.strip()):
                raise ValueError(f"{at}.{key}: expected text, got {clip(repr(value), 60)}")
            texts[key] = value
        numbers: dict[str, float | None] = {}
        for key in _NUMBERS:
            value = row.get(key)
            if value is None:
                numbers[key] = None
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
                raise ValueError(f"{at}.{key}: expected a number ≥ 0, got {clip(repr(value), 60)}")
            numbers[key] = float(value)
        counts = {}
        for key, default in (("samples", 0), ("instances", 1)):
            value = row.get(key, default)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{at}.{key}: expected a whole number ≥ 0, got {clip(repr(value), 60)}")
            counts[key] = value
        out.append(
            Measured(
                namespace=texts["namespace"],
                container=texts["container"],
                memory_mib_mean=numbers["memory_mib_mean"],
                memory_mib_p95=numbers["memory_mib_p95"],
                cpu_vcpu_mean=numbers["cpu_vcpu_mean"],
                samples=counts["samples"],
                instances=max(1, counts["instances"]),
                window=texts["window"],
                query=texts["query"],
            )
        )
    return tuple(out)
