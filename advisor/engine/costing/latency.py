"""Added latency per hop and end to end: the base path blended with the L7 path by the L7 share."""

from __future__ import annotations

import functools
from typing import Callable

from advisor.answers.resolve import Answers
from advisor.catalog.models import Figure, LatencyFigures
from advisor.engine.costing.cost_records import Latency, Spread
from advisor.engine.costing.usage import _expected, _high, _low


# ---------------------------------------------------------------- latency


def latency_at(figs: LatencyFigures, r: float, p: int, value: Callable[[str, Figure], float]) -> float:
    base: Figure = getattr(figs, f"per_hop_p{p}_ms")
    out = value(f"per_hop_p{p}_ms", base)
    l7: Figure | None = getattr(figs, f"l7_per_hop_p{p}_ms")
    if l7 is not None:
        l7_value = value(f"l7_per_hop_p{p}_ms", l7)
        hop: Figure | None = getattr(figs, f"network_hop_p{p}_ms")
        if hop is not None:
            l7_value += value(f"network_hop_p{p}_ms", hop)
        out = (1 - r) * out + r * l7_value
    return out


def latency_of(figs: LatencyFigures, answers: Answers, detail: bool = True) -> Latency:
    """Per hop: the base path, blended with the L7 path by the L7 share when the option has one.
    `detail=False`: no ranges (each spread is the expected value) and no list of figures used."""
    return _latency(figs, answers.l7_ratio, answers.hops, detail)


# Latency depends only on the figures, the L7 share and the hops: a sweep or what-if that varies
# anything else (pods, nodes, prices) reuses it. The records are only read.
@functools.lru_cache(maxsize=256)
def _latency(figs: LatencyFigures, r: float, h: int, detail: bool) -> Latency:
    blended = figs.l7_per_hop_p50_ms is not None
    used: dict[str, Figure] = {}
    for p in (50, 90, 99) if detail else ():
        for name in (f"per_hop_p{p}_ms", f"l7_per_hop_p{p}_ms", f"network_hop_p{p}_ms"):
            f = getattr(figs, name)
            if f is not None and (name.startswith("per_hop") or blended):
                used[name] = f
    per_hop = {p: latency_at(figs, r, p, _expected) for p in (50, 90, 99)}
    if detail:
        spreads = {
            f"p{p}": Spread(latency_at(figs, r, p, _low), per_hop[p], latency_at(figs, r, p, _high))
            for p in (50, 90, 99)
        }
    else:
        spreads = {f"p{p}": Spread(per_hop[p], per_hop[p], per_hop[p]) for p in (50, 90, 99)}
    p90 = spreads["p90"]
    return Latency(
        per_hop_p50_ms=per_hop[50],
        per_hop_p90_ms=per_hop[90],
        per_hop_p99_ms=per_hop[99],
        end_to_end_p50_ms=per_hop[50] * h,
        end_to_end_p90_ms=per_hop[90] * h,
        end_to_end_p99_ms=per_hop[99] * h,
        hops=h,
        l7_share=r,
        blended=blended,
        figures=used,
        end_to_end_p90_spread=Spread(p90.low * h, p90.expected * h, p90.high * h),
        per_hop_spread=spreads,
        network_hop=blended and figs.network_hop_p90_ms is not None,
    )
