"""Cost sweeps: repeat the projection over a range of one answer and find where options cross."""

from __future__ import annotations


from advisor.answers.resolve import Answers
from advisor.catalog.models import Catalog
from advisor.engine.costing import project
from advisor.errors import AnswerError
from advisor.humanize import quoted
from advisor.answers.registry import BY_KEY
from advisor.records import record

SWEEP_KEYS: tuple[str, ...] = ("pods", "nodes", "namespaces", "mesh_rps", "l7_ratio", "hops")
MAX_POINTS = 500
DEFAULT_STEPS = 12


# Records (advisor.records): frozen, compared by their documents and never by value, cheap to define.
@record
class SweepSpec:
    key: str
    start: float
    stop: float
    steps: int


@record
class Crossover:
    cheaper_below: str  # option cheaper just below the crossing
    cheaper_above: str
    at: float  # interpolated answer value where the two monthly costs meet


@record
class Sweep:
    key: str
    basis: str
    values: tuple[float, ...]
    usage_usd: dict[str, tuple[float, ...]]
    requests_usd: dict[str, tuple[float, ...]]
    crossovers: tuple[Crossover, ...]

    def series(self, basis: str | None = None) -> dict[str, tuple[float, ...]]:
        return self.usage_usd if (basis or self.basis) == "usage" else self.requests_usd


def parse_sweep(text: str) -> SweepSpec:
    """KEY=START:STOP[:STEPS], e.g. pods=100:10000:12."""
    usage = "expected KEY=START:STOP[:STEPS], e.g. pods=100:10000:12"
    # echo what was given, but not all of a pasted megabyte: the message stays one readable line
    given = quoted(text, 80)
    if "=" not in text:
        raise AnswerError(f"--sweep {given}: {usage}")
    key, _, rng = text.partition("=")
    key = key.strip().replace("-", "_")
    if key not in SWEEP_KEYS:
        raise AnswerError(f"--sweep {given}: unknown key {key!r}; expected one of {', '.join(SWEEP_KEYS)}")
    parts = rng.split(":")
    if len(parts) not in (2, 3):
        raise AnswerError(f"--sweep {given}: {usage}")
    q = BY_KEY[key]
    try:
        start = q.parse(parts[0])
        stop = q.parse(parts[1])
    except ValueError as exc:
        raise AnswerError(f"--sweep {given}: {key}: {exc}") from None
    if not start < stop:
        raise AnswerError(f"--sweep {given}: START ({_shown(start)}) must be below STOP ({_shown(stop)})")
    steps = DEFAULT_STEPS
    if len(parts) == 3:
        try:
            steps = int(parts[2].strip())
        except ValueError:
            raise AnswerError(f"--sweep {given}: STEPS must be a whole number from 2 to {MAX_POINTS}") from None
        if not 2 <= steps <= MAX_POINTS:
            raise AnswerError(
                f"--sweep {given}: STEPS must be from 2 to {MAX_POINTS} (at most {MAX_POINTS} points), got {steps}"
            )
    return SweepSpec(key=key, start=float(start), stop=float(stop), steps=steps)


def _shown(value: float) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:g}"


def sweep_values(spec: SweepSpec) -> tuple[float, ...]:
    span = spec.stop - spec.start
    raw = [spec.start + span * i / (spec.steps - 1) for i in range(spec.steps)]
    if BY_KEY[spec.key].kind == "int":
        return tuple(float(v) for v in dict.fromkeys(round(x) for x in raw))
    return tuple(raw)


def run_sweep(answers: Answers, catalog: Catalog, spec: SweepSpec) -> Sweep:
    values = sweep_values(spec)
    is_int = BY_KEY[spec.key].kind == "int"
    usage: dict[str, list[float]] = {o: [] for o in catalog.option_ids}
    requests: dict[str, list[float]] = {o: [] for o in catalog.option_ids}
    for v in values:
        point = answers.replace(**{spec.key: int(v) if is_int else v})
        proj = project(point, catalog, detail=False)  # only the expected monthly dollars are read
        for o, oc in proj.options.items():
            usage[o].append(oc.usage.monthly_usd)
            requests[o].append(oc.requests.monthly_usd)
    basis_series = usage if answers.cost_basis == "usage" else requests
    return Sweep(
        key=spec.key,
        basis=answers.cost_basis,
        values=values,
        usage_usd={o: tuple(s) for o, s in usage.items()},
        requests_usd={o: tuple(s) for o, s in requests.items()},
        crossovers=tuple(find_crossovers(values, basis_series)),
    )


def find_crossovers(values: tuple[float, ...], series: dict[str, list[float]]) -> list[Crossover]:
    """Where the cheaper of two options changes between neighbouring points (linear interpolation)."""
    found: list[Crossover] = []
    options = list(series)
    for i, a in enumerate(options):
        for b in options[i + 1 :]:
            diffs = [x - y for x, y in zip(series[a], series[b])]
            last_sign = 0
            last_index = -1
            for j, d in enumerate(diffs):
                sign = (d > 1e-9) - (d < -1e-9)
                if sign == 0:
                    continue
                if last_sign and sign != last_sign:
                    d0, d1 = diffs[last_index], d
                    x0, x1 = values[last_index], values[j]
                    at = x0 + (x1 - x0) * d0 / (d0 - d1)
                    below, above = (b, a) if last_sign > 0 else (a, b)
                    found.append(Crossover(cheaper_below=below, cheaper_above=above, at=at))
                last_sign, last_index = sign, j
    return sorted(found, key=lambda c: c.at)
