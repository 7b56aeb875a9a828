"""How robust the choice is across the figures' ranges: a seeded joint sampling of every figure.

Each draw picks every figure that has a low and a high from a triangular distribution (low,
value, high), the same draw for the same figure wherever it is used, then recomputes each
option's monthly cost and end-to-end latency and rescores the cost and latency categories (the
other categories do not depend on the figures). The seed is fixed, so the same answers and data
give the same document. When the figures' bounds already decide every draw, the shares are known
without evaluating the draws (see `decided` in `robustness`): the same shares, exactly.
"""

from __future__ import annotations

import math
import random
from typing import Any, Callable

from advisor.answers.resolve import Answers
from advisor.catalog.models import CATEGORIES, Catalog, Figure
from advisor.engine.costing import HOURS_PER_MONTH, Model, build_model, compile_usage, latency_at, monthly_usd, usage_at
from advisor.records import record
from advisor.engine.scoring import Recommendation
from advisor.engine.standing import cluster_bill, cost_points, latency_points

DRAWS = 2000
SEED = 20261201
METHOD = (
    f"{DRAWS:,} draws, seed {SEED}: every figure with a low and a high drawn from a triangular "
    "distribution (low, value, high), one draw per figure shared by every component that uses it; "
    "each draw recomputes the options' monthly cost (the cost basis) and p90 latency and rescores "
    "those two categories. Figures without a range keep their value; requests (from charts, or "
    "the answers' proxy requests) have none."
)


# Records (advisor.records): frozen, compared by their documents and never by value, cheap to define.
@record
class Robustness:
    draws: int
    seed: int
    cheapest: dict[str, float]  # option -> share of draws in which it is the cheapest
    chosen: dict[str, float]  # option -> share of draws in which it would be recommended
    text: str
    method: str = METHOD


def _key(f: Figure) -> tuple[Any, ...]:
    return (f.unit, f.value, f.low, f.high, f.source)


def robustness(
    answers: Answers,
    catalog: Catalog,
    rec: Recommendation,
    draws: int = DRAWS,
    seed: int = SEED,
    *,
    short_cut: bool = True,
) -> Robustness:
    """The shares of draws in which each option is the cheapest and would be recommended.

    `short_cut=False` always draws (tests check that the short cut gives the same shares)."""
    model: Model = build_model(answers, catalog)
    basis = answers.cost_basis
    p_cpu, p_mem = answers.cpu_price, answers.memory_price
    options = list(model.options)
    names = {o.id: o.name for o in catalog.features.options}

    # The figures that vary, each once.
    ranged: dict[tuple[Any, ...], Figure] = {}
    for rows in model.options.values():
        for _, figs, _ in rows:
            for name in figs.__dataclass_fields__:
                f = getattr(figs, name)
                if f is not None and f.low is not None and f.high is not None and f.low < f.high:
                    ranged.setdefault(_key(f), f)
    for lat_figs in model.latency.values():
        for name in lat_figs.__dataclass_fields__:
            f = getattr(lat_figs, name)
            if f is not None and f.low is not None and f.high is not None and f.low < f.high:
                ranged.setdefault(_key(f), f)

    requests_usd = {o: rec.projection.options[o].requests.monthly_usd for o in options}
    fixed = {o: rec.options[o].fixed_deltas or {c: 0.0 for c in CATEGORIES} for o in options}
    eligible = [o for o in options if rec.options[o].eligible]
    weights = rec.weights
    bill = cluster_bill(answers, catalog)

    def cost_score(usd: float) -> float:
        return cost_points(usd, bill, catalog)

    def latency_score(ms: float) -> float:
        return latency_points(ms, catalog)

    hops = answers.hops

    def is_ranged(f: Figure | None) -> bool:
        return f is not None and f.low is not None and f.high is not None and f.low < f.high

    # Only components and latencies with a ranged figure change between draws: the rest are
    # computed once, and the moving ones are compiled to linear terms (2,000 draws stay fast).
    fixed_cost = {o: 0.0 for o in options}
    moving: dict[str, list[Any]] = {o: [] for o in options}
    for o in options:
        for _, figs, d in model.options[o]:
            if any(is_ranged(getattr(figs, name)) for name in figs.__dataclass_fields__):
                moving[o].append(compile_usage(figs, d))
            else:
                cpu, mem, _ = usage_at(figs, d, lambda name, f: f.value)
                fixed_cost[o] += monthly_usd(cpu, mem, p_cpu, p_mem)
    lat_moving = {
        o: any(is_ranged(getattr(model.latency[o], n)) for n in model.latency[o].__dataclass_fields__) for o in options
    }
    fixed_lat = {o: latency_at(model.latency[o], answers.l7_ratio, 90, lambda name, f: f.value) * hops for o in options}
    # Categories other than cost and latency do not move: their weighted points, once.
    still = {
        o: sum(
            weights[c] * round(min(100.0, max(0.0, 100.0 + fixed[o][c])), 1)
            for c in CATEGORIES
            if c not in ("cost", "latency")
        )
        for o in options
    }
    w_cost, w_lat = weights["cost"], weights["latency"]

    def evaluate(
        drawn: dict[tuple[Any, ...], list[float]], n: int
    ) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
        """Each option's monthly cost and p90 latency over `n` draws of the ranged figures."""

        def series(terms: Any) -> list[float]:
            const = sum(f.value * k for f, k in terms if not is_ranged(f))
            out = [const] * n
            for f, k in terms:
                if is_ranged(f):
                    out = [x + k * y for x, y in zip(out, drawn[_key(f)])]
            return out

        def one(f: Figure | None) -> list[float]:
            if f is None:
                return [0.0] * n
            return drawn[_key(f)] if is_ranged(f) else [f.value] * n

        cost: dict[str, list[float]] = {}
        lat: dict[str, list[float]] = {}
        for o in options:
            if basis == "usage":
                total = [fixed_cost[o]] * n
                for cu in moving[o]:
                    cpu = series(cu.cpu)
                    if cu.cpu_cap is not None:
                        cpu = [min(x, cu.cpu_cap) for x in cpu]
                    base = series(cu.memory_base)
                    a = one(cu.slope)
                    spp = one(cu.derived)
                    b = [x * y * cu.ports_per_service for x, y in zip(a, spp)]
                    mem = cu.in_view.sums(base, a, b, one(cu.endpoint), cu.cap)
                    total = [t + (c * p_cpu + m * to_gib * p_mem) * HOURS_PER_MONTH for t, c, m in zip(total, cpu, mem)]
                cost[o] = total
            else:
                cost[o] = [requests_usd[o]] * n
            figs = model.latency[o]
            if not lat_moving[o]:
                lat[o] = [fixed_lat[o]] * n
                continue
            r = answers.l7_ratio
            base_l = one(figs.per_hop_p90_ms)
            if figs.l7_per_hop_p90_ms is not None:
                l7 = one(figs.l7_per_hop_p90_ms)
                hop = one(figs.network_hop_p90_ms)
                lat[o] = [((1 - r) * b + r * (x + h)) * hops for b, x, h in zip(base_l, l7, hop)]
            else:
                lat[o] = [b * hops for b in base_l]
        return cost, lat

    to_gib = 1_000_000 / 1024**3

    def score(o: str, cost: float, lat: float, best_cost: float, best_lat: float) -> float:
        return _scores(
            still[o],
            w_cost,
            w_lat,
            fixed[o]["cost"],
            fixed[o]["latency"],
            [cost],
            [lat],
            [best_cost],
            [best_lat],
            cost_score,
            latency_score,
        )[0]

    # Exact short cut. Cost and latency grow with every figure (non-negative terms) and a score
    # falls with its own cost and latency and rises with the best ones, so every figure at its
    # lowest and every figure at its highest bound what any draw can give. When one option is the
    # cheapest even at its highest against the others at their lowest, and one eligible option's
    # lowest possible score beats every other's highest, every draw ends the same way and the
    # shares are exact without evaluating the draws. First with the figures' lows and highs (no
    # drawing at all: the usual case for a clear choice), then with the drawn extremes.
    monotone = short_cut and all(
        k >= 0 for o in options for cu in moving[o] for terms in (cu.cpu, cu.memory_base) for _, k in terms
    )

    def bounds(
        low: dict[tuple[Any, ...], list[float]], high: dict[tuple[Any, ...], list[float]]
    ) -> tuple[list[str], dict[str, float], dict[str, float]]:
        """Options that are the cheapest in every draw, and each eligible option's lowest and
        highest possible score."""
        # Widened by a relative 1e-9, far above floating-point rounding (1e-16) and far below any
        # real difference: a draw's own arithmetic can never land outside the bounds.
        lo_cost, lo_lat = ({o: [x[0] * (1 - _SLACK)] for o, x in v.items()} for v in evaluate(low, 1))
        hi_cost, hi_lat = ({o: [x[0] * (1 + _SLACK)] for o, x in v.items()} for v in evaluate(high, 1))
        cheap = [o for o in options if all(hi_cost[o][0] < lo_cost[other][0] for other in options if other != o)]
        lowest: dict[str, float] = {}
        highest: dict[str, float] = {}
        if eligible:
            best_lo = (min(v[0] for v in lo_cost.values()), min(v[0] for v in lo_lat.values()))
            best_hi = (min(v[0] for v in hi_cost.values()), min(v[0] for v in hi_lat.values()))
            lowest = {o: score(o, hi_cost[o][0], hi_lat[o][0], *best_lo) for o in eligible}
            highest = {o: score(o, lo_cost[o][0], lo_lat[o][0], *best_hi) for o in eligible}
        return cheap, lowest, highest

    def decided(cheap: list[str], lowest: dict[str, float], highest: dict[str, float]) -> Robustness | None:
        sure = [o for o in eligible if all(lowest[o] > highest[other] for other in eligible if other != o)]
        if not cheap or (eligible and not sure):
            return None
        return _result(
            {o: draws if o == cheap[0] else 0 for o in options},
            {o: draws if sure and o == sure[0] else 0 for o in options},
            draws,
            seed,
            names,
            rec.choice,
            basis,
            options,
        )

    if monotone:
        known = decided(
            *bounds(
                {k: [float(f.low or 0.0)] for k, f in ranged.items()},
                {k: [float(f.high or 0.0)] for k, f in ranged.items()},
            )
        )
        if known is not None:
            return known

    # Every ranged figure's draws at once (one list per figure), then each option's cost and
    # latency as lists over the draws: linear terms add list-wise; only the memory cap is per draw.
    drawn = _draws(ranged, draws, seed)
    # The options that can win a draw: one whose highest possible score is below another's lowest
    # never does, so it is not scored draw by draw (the winner of every draw stays the same).
    contenders = eligible
    if monotone and draws:
        cheap, lowest, highest = bounds(
            {k: [min(v)] for k, v in drawn.items()}, {k: [max(v)] for k, v in drawn.items()}
        )
        known = decided(cheap, lowest, highest)
        if known is not None:
            return known
        top = max(lowest.values(), default=0.0)
        contenders = [o for o in eligible if highest[o] >= top]
    cost, lat = evaluate(drawn, draws)

    # Per draw, column-wise: the cheapest option (the first of equal costs, in data order), then
    # each eligible option's score from its cost and latency, and the first of the highest.
    cheapest = {o: 0 for o in options}
    chosen = {o: 0 for o in options}
    costs_by_draw = list(zip(*(cost[o] for o in options)))
    best_cost = [min(row) for row in costs_by_draw]
    for row, low in zip(costs_by_draw, best_cost):
        cheapest[options[row.index(low)]] += 1
    if eligible:
        best_lat = [min(row) for row in zip(*(lat[o] for o in options))]
        scores = [
            _scores(
                still[o],
                w_cost,
                w_lat,
                fixed[o]["cost"],
                fixed[o]["latency"],
                cost[o],
                lat[o],
                best_cost,
                best_lat,
                cost_score,
                latency_score,
            )
            for o in contenders  # in data order: the first of equal scores wins, as in recommend
        ]
        for row in zip(*scores):
            chosen[contenders[row.index(max(row))]] += 1
    return _result(cheapest, chosen, draws, seed, names, rec.choice, basis, options)


def _result(
    cheapest: dict[str, int],
    chosen: dict[str, int],
    draws: int,
    seed: int,
    names: dict[str, str],
    choice: str,
    basis: str,
    options: list[str],
) -> Robustness:
    cheap_share = {o: cheapest[o] / draws for o in options}
    chosen_share = {o: chosen[o] / draws for o in options}
    return Robustness(
        draws=draws,
        seed=seed,
        cheapest=cheap_share,
        chosen=chosen_share,
        text=_words(cheap_share, chosen_share, names, draws, choice, basis),
    )


_SLACK = 1e-9

_DRAWN: dict[tuple[Any, ...], dict[tuple[Any, ...], list[float]]] = {}


def _draws(ranged: dict[tuple[Any, ...], Figure], draws: int, seed: int) -> dict[tuple[Any, ...], list[float]]:
    """Every ranged figure's draws, in order from one seeded stream. They depend only on the seed,
    the count and the figures, so one process (tests, the wizard) draws each set once; the lists
    are only read."""
    key = (seed, draws, *ranged)
    if key not in _DRAWN:
        if len(_DRAWN) >= 16:
            _DRAWN.pop(next(iter(_DRAWN)))
        rng = random.Random(seed)
        _DRAWN[key] = {k: _triangular(rng, f, draws) for k, f in ranged.items()}
    return _DRAWN[key]


def _triangular(rng: random.Random, f: Figure, draws: int) -> list[float]:
    """`draws` values of random.triangular(f.low, f.high, f.value): the same stream and the same
    arithmetic as the standard library's, inlined (one list instead of 2,000 calls)."""
    low, high, mode = float(f.low or 0.0), float(f.high or 0.0), f.value
    c = (mode - low) / (high - low)
    sqrt, rnd = math.sqrt, rng.random
    out = []
    for u in [rnd() for _ in range(draws)]:
        if u > c:
            out.append(high + (low - high) * sqrt((1.0 - u) * (1.0 - c)))
        else:
            out.append(low + (high - low) * sqrt(u * c))
    return out


def _scores(
    still: float,
    w_cost: float,
    w_lat: float,
    fixed_cost: float,
    fixed_lat: float,
    cost: list[float],
    lat: list[float],
    best_cost: list[float],
    best_lat: list[float],
    cost_score: Callable[[float], float],
    latency_score: Callable[[float], float],
) -> list[float]:
    """One option's total score in every draw: recommend's arithmetic for the cost and latency
    categories (engine/standing.py, clamped to 0-100, rounded to 0.1) over its fixed categories.
    The best cost and latency are kept in the signature but no longer move a score."""
    return [
        round(
            still
            + w_cost * round(min(100.0, max(0.0, 100.0 + fixed_cost + cost_score(c))), 1)
            + w_lat * round(min(100.0, max(0.0, 100.0 + fixed_lat + latency_score(x))), 1),
            1,
        )
        for c, x, bc, bl in zip(cost, lat, best_cost, best_lat)
    ]


def _pct(share: float) -> str:
    """Whole percentages, never rounding a real minority to 0% or a near-certainty to 100%."""
    pct = share * 100
    if 0 < pct < 1:
        return "<1%"
    if 99 < pct < 100:
        return ">99%"
    return f"{pct:.0f}%"


def _words(
    cheap: dict[str, float], chosen: dict[str, float], names: dict[str, str], draws: int, choice: str, basis: str
) -> str:
    ranked = [o for o in sorted(cheap, key=lambda o: -cheap[o]) if cheap[o] > 0]
    first, rest = ranked[0], ranked[1:]
    text = f"{names[first]} is cheapest ({basis}) in {_pct(cheap[first])} of {draws:,} draws"
    if rest:
        text += "; " + "; ".join(f"{names[o]} in {_pct(cheap[o])}" for o in rest)
    text += "."
    if choice != "none":
        text += f" {names[choice]} stays the recommendation in {_pct(chosen[choice])} of them."
    return text


def robustness_document(r: Robustness) -> dict[str, Any]:
    return {
        "draws": r.draws,
        "seed": r.seed,
        "cheapest": {o: round(v, 4) for o, v in r.cheapest.items()},
        "chosen": {o: round(v, 4) for o, v in r.chosen.items()},
        "text": r.text,
        "method": r.method,
    }
