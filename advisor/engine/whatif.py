"""Decision boundaries: the smallest changes to the answers that would change the recommended option."""

from __future__ import annotations

import math
from dataclasses import field
from typing import Any, Callable

from advisor.answers.resolve import Answers
from advisor.catalog.models import Catalog
from advisor.engine.costing import Projection, project, reprice
from advisor.humanize import readable, signed_percent
from advisor.answers.inventory import DERIVED_KEYS
from advisor.answers.registry import BY_KEY, NUMERIC_KEYS, QUESTIONS
from advisor.records import record
from advisor.engine.scoring import Recommendation, recommend

# Shares live on a fixed 0-1 scale, so a linear grid suits them; counts, rates and prices span
# orders of magnitude, where equal ratios (a log grid) are the meaningful steps.
LINEAR_KEYS: frozenset[str] = frozenset({"l7_ratio"})
POINTS_PER_DECADE = 24  # about 10% between neighbouring grid points
LINEAR_STEP = 0.01
RELATIVE_RESOLUTION = 1e-3  # bisection stops within 0.1% of the value
LINEAR_RESOLUTION = 1e-3  # ... or within 0.001 for l7_ratio; whole numbers are exact
SEARCH_FACTOR = 1000.0  # how far up an answer with no practical maximum is searched
CAPABILITY_STATES: tuple[str, ...] = ("required", "preferred", "not needed")
_MAX_BISECTIONS = 80
_KIND_ORDER = {"threshold": 0, "alternative": 1, "capability": 2}

METHOD = (
    f"Numbers: a scan over a grid ({POINTS_PER_DECADE} log-spaced points per decade for counts, "
    f"request rates and prices; steps of {LINEAR_STEP:g} for l7_ratio) outward from the current value in "
    f"both directions, then bisection of the first step where the choice changes, to within "
    f"{RELATIVE_RESOLUTION:.1%} of the value ({LINEAR_RESOLUTION:g} for l7_ratio; exact for whole numbers). "
    f"Answers with no practical maximum are searched up to {SEARCH_FACTOR:,.0f}x the current value "
    f"(or the default, if larger) or the answer's maximum, whichever is lower. A window narrower than "
    f"one grid step can be missed. Choices, true/false and benchmark profiles: every alternative is tried. "
    f"Capabilities: each matrix feature is moved between required, preferred and not needed."
)
METHOD_SHORT = (
    f"log-spaced scan ({POINTS_PER_DECADE} points per decade; l7_ratio in steps of {LINEAR_STEP:g}), then "
    f"bisection to {RELATIVE_RESOLUTION:.1%} of the value (l7_ratio {LINEAR_RESOLUTION:g}; whole numbers exact); "
    f"open-ended answers searched up to {SEARCH_FACTOR:,.0f}x; every alternative of the other answers tried"
)
DISTANCE = (
    "Findings are ranked by the size of the change, on one scale of steps: for numbers |log2(new / now)|, "
    "so halving and doubling are both 1 step and a cut from 60 to 2 is about 4.9 (log2(1 + |new - now| / "
    "default) when now or new is 0); for choices the number of steps between the two "
    "values in their listed order (e.g. risk conservative -> early-adopter is 2); true/false and "
    "benchmark profiles 1; capabilities the steps between required, preferred and not needed "
    "(required -> not needed is 2)."
)


# Records (advisor.records): frozen, compared by their documents and never by value, cheap to define.
@record
class Finding:
    key: str  # an answer key; for capability toggles, the feature id
    kind: str  # "threshold" | "alternative" | "capability"
    from_value: Any
    to_value: Any
    choice: str  # the option that would be chosen
    margin: float  # its lead in points over the best other eligible option, at the changed value
    runner_up: str  # that other option, or "none" when every other option is blocked
    distance: float
    text: str
    changes: dict[str, Any]  # answers to apply (`Answers.replace(**changes)`) to see this result
    until: Any = None  # thresholds: the last value where `choice` still holds, when it stops in range
    direction: str = ""  # thresholds: "up" | "down"


@record
class WhatIf:
    choice: str
    margin: float
    runner_up: str
    findings: tuple[Finding, ...]
    searched: dict[str, tuple[float, float]]  # numeric key -> (lowest, highest) value searched
    capped: dict[str, str] = field(default_factory=dict)  # numeric key -> why the top is where it is
    evaluations: int = 0


def lead(rec: Recommendation) -> tuple[float, str]:
    """The chosen option's lead in points over the best other eligible option (and that option)."""
    if rec.choice == "none":
        return 0.0, "none"
    top = rec.options[rec.choice]
    others = [o for o in rec.ranking if o != rec.choice and rec.options[o].eligible]
    if not others:
        # Everything else is blocked: the whole score is the lead.
        return top.score, "none"
    return round(top.score - rec.options[others[0]].score, 1), others[0]


_PRICES = frozenset({"cpu_price", "memory_price"})


class _Evaluator:
    """Scores answer variants and counts the evaluations (the unit of the time budget)."""

    def __init__(self, answers: Answers, catalog: Catalog) -> None:
        self.answers = answers
        self.catalog = catalog
        self.count = 0
        self._choices: dict[tuple[str, float], str] = {}
        self._base: Projection | None = None

    def rec(self, **changes: Any) -> Recommendation:
        self.count += 1
        answers = self.answers.replace(**changes)
        projection = None
        if changes and set(changes) <= _PRICES:
            # a price changes only the money: the base's resources, repriced (costing.reprice)
            if self._base is None:
                self._base = project(self.answers, self.catalog, detail=False)
            projection = reprice(self._base, answers)
        # only the choice and the scores are read: skip the words and the ranges
        return recommend(answers, self.catalog, projection, explain=False)

    def choice_at(self, key: str, value: float) -> str:
        cache_key = (key, value)
        if cache_key not in self._choices:
            self._choices[cache_key] = self.rec(**{key: typed_value(key, value)}).choice
        return self._choices[cache_key]


def typed_value(key: str, value: float) -> Any:
    return int(round(value)) if BY_KEY[key].kind == "int" else float(value)


def what_if(answers: Answers, catalog: Catalog) -> WhatIf:
    """Every single-answer change (nearest threshold per direction, every alternative) that changes the choice."""
    ev = _Evaluator(answers, catalog)
    base = ev.rec()
    choice = base.choice
    margin, runner_up = lead(base)
    candidates: list[Finding] = []
    searched: dict[str, tuple[float, float]] = {}
    capped: dict[str, str] = {}

    for q in QUESTIONS:
        if q.key in NUMERIC_KEYS:
            if (
                not q.wizard
                or getattr(answers, q.key) is None
                or (answers.inventory is not None and q.key in DERIVED_KEYS)
            ):
                # sizing details (node size, replicas) are not searched; an answer not given has no
                # value to move from; an inventory's sums move with its namespaces, not on their own
                continue
            low, high, note = search_range(q.key, getattr(answers, q.key))
            searched[q.key] = (low, high)
            if note:
                capped[q.key] = note
            for direction, end in (("down", low), ("up", high)):
                found = _threshold(ev, q.key, getattr(answers, q.key), end, direction, choice)
                if found is not None:
                    candidates.append(found)
        elif q.kind in ("choice", "bool", "text"):
            candidates.extend(_alternatives(ev, q.key, catalog, choice))
    candidates.extend(_capabilities(ev, catalog, choice))

    order = {id(f): i for i, f in enumerate(candidates)}

    def rank(f: Finding) -> tuple[Any, ...]:
        # Equal-sized changes: numbers, then choices, then capabilities; capabilities with the same
        # effect side by side (so `grouped` can merge them), larger leads first.
        effect: tuple[Any, ...] = (f.to_value, f.choice, -f.margin) if f.kind == "capability" else ()
        return (round(f.distance, 9), _KIND_ORDER[f.kind], *effect, order[id(f)])

    findings = tuple(sorted(candidates, key=rank))
    return WhatIf(
        choice=choice,
        margin=margin,
        runner_up=runner_up,
        findings=findings,
        searched=searched,
        capped=capped,
        evaluations=ev.count,
    )


# ---------------------------------------------------------------- numbers


def search_range(key: str, current: float) -> tuple[float, float, str]:
    """(lowest, highest, note): the registry's range, the top cut at SEARCH_FACTOR x for open-ended answers."""
    q = BY_KEY[key]
    low = float(q.minimum if q.minimum is not None else 0.0)
    if key in LINEAR_KEYS:
        return low, float(q.maximum if q.maximum is not None else 1.0), ""
    reference = max(abs(float(current)), float(q.default))
    reach = reference * SEARCH_FACTOR
    maximum = float(q.maximum) if q.maximum is not None else math.inf
    if reach < maximum:
        basis = "the current value" if abs(float(current)) >= float(q.default) else "the default"
        return low, reach, f"searched up to {SEARCH_FACTOR:,.0f}x {basis}"
    return low, maximum, ""


def _grid(key: str, start: float, end: float) -> list[float]:
    """Grid points from `start` (excluded) to `end` (included), nearest first."""
    q = BY_KEY[key]
    if start == end:
        return []
    points: list[float] = []
    if key in LINEAR_KEYS:
        n = max(1, math.ceil(abs(end - start) / LINEAR_STEP - 1e-9))
        points = [start + (end - start) * i / n for i in range(1, n + 1)]
    elif end > start:
        first = start if start > 0 else float(q.default) / SEARCH_FACTOR
        if start <= 0:
            points.append(first)
        n = max(1, math.ceil(math.log10(end / first) * POINTS_PER_DECADE))
        points += [first * (end / first) ** (i / n) for i in range(1, n + 1)]
    else:
        # Downward: log-spaced to the minimum, or to 1/SEARCH_FACTOR of the value and then 0.
        floor = end if end > 0 else start / SEARCH_FACTOR
        n = max(1, math.ceil(math.log10(start / floor) * POINTS_PER_DECADE))
        points = [start * (floor / start) ** (i / n) for i in range(1, n + 1)]
        if end <= 0:
            points.append(0.0)
    if q.kind == "int":
        points = [float(round(p)) for p in points]
    points[-1] = float(end)
    out: list[float] = []
    for p in points:
        if p != start and (not out or p != out[-1]):
            out.append(p)
    return out


def _resolution(key: str, a: float, b: float) -> float:
    if BY_KEY[key].kind == "int":
        return 1.0
    if key in LINEAR_KEYS:
        return LINEAR_RESOLUTION
    # The absolute floor ends the search for a change that happens only at exactly 0.
    return max(RELATIVE_RESOLUTION * max(abs(a), abs(b)), float(BY_KEY[key].default) * 1e-9)


def _bisect(ev: _Evaluator, key: str, holds: float, fails: float, keeps: Callable[[str], bool]) -> tuple[float, float]:
    """Narrow [holds, fails] (keeps(choice) true at `holds`, false at `fails`) to the resolution."""
    is_int = BY_KEY[key].kind == "int"
    for _ in range(_MAX_BISECTIONS):
        if abs(fails - holds) <= _resolution(key, holds, fails):
            break
        mid = float(math.floor((holds + fails) / 2)) if is_int else (holds + fails) / 2
        if keeps(ev.choice_at(key, mid)):
            holds = mid
        else:
            fails = mid
    return holds, fails


def _tidy(ev: _Evaluator, key: str, inside: float, outside: float, wanted: Callable[[str], bool]) -> float:
    """A short value at `inside` rounded away from `outside`, as long as it still gives the wanted choice.

    Reported values are meant to be pasted back as flags, so they must give the stated choice.
    """
    if BY_KEY[key].kind == "int":
        return inside
    step = _resolution(key, inside, outside)
    if step <= 0:
        return inside
    step = 10.0 ** math.floor(math.log10(step))
    decimals = max(0, -int(math.floor(math.log10(step))))
    # The 1e-9 keeps a value already on the step (0.351 / 0.001) from moving a whole step.
    if inside > outside:
        tidy = round(math.ceil(inside / step - 1e-9) * step, decimals)
    else:
        tidy = round(math.floor(inside / step + 1e-9) * step, decimals)
    q = BY_KEY[key]
    if q.minimum is not None:
        tidy = max(tidy, float(q.minimum))
    if q.maximum is not None:
        tidy = min(tidy, float(q.maximum))
    if tidy != inside and wanted(ev.choice_at(key, tidy)):
        return tidy
    return inside


def _threshold(ev: _Evaluator, key: str, current: float, end: float, direction: str, choice: str) -> Finding | None:
    """The nearest value in one direction where the choice changes, and how far the new choice holds."""
    start = float(current)
    grid = _grid(key, start, end)
    if not grid:
        return None
    # Scanned lazily, in order: the points past where the new choice stops holding are never needed.
    first = next((i for i, v in enumerate(grid) if ev.choice_at(key, v) != choice), None)
    if first is None:
        return None
    before = grid[first - 1] if first else start
    _, changed_at = _bisect(ev, key, before, grid[first], lambda c: c == choice)
    new_choice = ev.choice_at(key, changed_at)
    at = _tidy(ev, key, changed_at, before, lambda c: c == new_choice)

    # Where does the new choice stop holding, further along the same direction?
    until: float | None = None
    last_holding = changed_at
    for value in grid[first:]:
        if ev.choice_at(key, value) == new_choice:
            last_holding = value
            continue
        holds, _ = _bisect(ev, key, last_holding, value, lambda c: c == new_choice)
        until = _tidy(ev, key, holds, value, lambda c: c == new_choice)
        break

    rec = ev.rec(**{key: typed_value(key, at)})
    return _finding(
        rec,
        key,
        "threshold",
        typed_value(key, start),
        typed_value(key, at),
        _relative_change(key, start, at),
        _threshold_words(key, start, at, until, direction),
        changes={key: typed_value(key, at)},
        until=None if until is None else typed_value(key, until),
        direction=direction,
    )


def _finding(
    rec: Recommendation,
    key: str,
    kind: str,
    from_value: Any,
    to_value: Any,
    distance: float,
    words: str,
    **extra: Any,
) -> Finding:
    """A finding about `rec`, the result with the change applied; `words` finish "X would be chosen ..."."""
    margin, runner_up = lead(rec)
    return Finding(
        key=key,
        kind=kind,
        from_value=from_value,
        to_value=to_value,
        choice=rec.choice,
        margin=margin,
        runner_up=runner_up,
        distance=distance,
        text=f"{rec.choice} would be chosen {words}",
        **extra,
    )


def _relative_change(key: str, start: float, to: float) -> float:
    """How big a change of a number is, on the scale of one step of a choice: |log2(to / now)|.

    Symmetric, so halving and doubling are both 1 (one step), and a cut from 60 nodes to 2 (log2 30,
    about 4.9) is bigger than one step, as a person would see it. Where now or the new value is 0,
    the change is measured against the default instead: log2(1 + |to - now| / default).
    """
    if start > 0 and to > 0:
        return abs(math.log2(to / start))
    reference = abs(start) if start != 0 else abs(float(BY_KEY[key].default)) or 1.0
    return math.log2(1 + abs(to - start) / reference)


def show_value(key: str, value: Any) -> str:
    """An answer value as a person would read it: 1,234 / 0.351 / 0.0316."""
    if isinstance(value, (tuple, list)):
        return str(value)
    return readable(value, whole=isinstance(value, (int, float)) and BY_KEY[key].kind == "int")


def change_size(finding: Finding) -> str:
    """How big a change is, for a person: -97% for a number, "2 steps" for a choice or capability."""
    if finding.kind == "threshold":
        base = finding.from_value if finding.from_value else None
        if base:
            return signed_percent((finding.to_value - finding.from_value) / abs(base))
        return f"{show_value(finding.key, finding.from_value)} → {show_value(finding.key, finding.to_value)}"
    steps = round(finding.distance)
    return f"{steps} step{'s' if steps != 1 else ''}"


def _threshold_words(key: str, start: float, at: float, until: float | None, direction: str) -> str:
    now = f" (now {show_value(key, start)})"
    if until is None:
        sign = "≥" if direction == "up" else "≤"
        return f"at {key} {sign} {show_value(key, at)}{now}"
    low, high = sorted((at, until))
    return f"at {key} from {show_value(key, low)} to {show_value(key, high)}{now}"


# ---------------------------------------------------------------- choices, true/false, profiles


def _alternatives(ev: _Evaluator, key: str, catalog: Catalog, choice: str) -> list[Finding]:
    q = BY_KEY[key]
    current = getattr(ev.answers, key)
    if q.kind == "bool":
        values: tuple[Any, ...] = (False, True)
    elif q.kind == "choice":
        values = q.choices
    elif key == "benchmark_profile":
        values = tuple(catalog.profiles)
    else:
        return []
    found: list[Finding] = []
    for value in values:
        if value == current:
            continue
        rec = ev.rec(**{key: value})
        if rec.choice in (choice, "none"):
            continue
        if q.kind == "choice" and current in values:
            steps = float(abs(values.index(value) - values.index(current)))
        else:
            steps = 1.0
        found.append(
            _finding(
                rec,
                key,
                "alternative",
                current,
                value,
                steps,
                f"with {_flag_words(key, value)} (now {show_value(key, current)})",
                changes={key: value},
            )
        )
    return found


def _flag_words(key: str, value: Any) -> str:
    q = BY_KEY[key]
    if q.kind == "bool":
        return q.flag if value else q.negative_flag
    return f"{q.flag} {value}"


# ---------------------------------------------------------------- capabilities


def capability_state(answers: Answers, feature_id: str) -> str:
    if feature_id in answers.require:
        return "required"
    if feature_id in answers.prefer:
        return "preferred"
    return "not needed"


def _capabilities(ev: _Evaluator, catalog: Catalog, choice: str) -> list[Finding]:
    found: list[Finding] = []
    answers = ev.answers
    for fid in catalog.feature_ids:
        now = capability_state(answers, fid)
        for state in CAPABILITY_STATES:
            if state == now:
                continue
            # Moving a feature takes it out of both lists first, so it is never both required and preferred.
            require = [f for f in answers.require if f != fid] + ([fid] if state == "required" else [])
            prefer = [f for f in answers.prefer if f != fid] + ([fid] if state == "preferred" else [])
            rec = ev.rec(require=tuple(require), prefer=tuple(prefer))
            if rec.choice in (choice, "none"):
                continue
            steps = float(abs(CAPABILITY_STATES.index(state) - CAPABILITY_STATES.index(now)))
            found.append(
                _finding(
                    rec,
                    fid,
                    "capability",
                    now,
                    state,
                    steps,
                    _capability_words(fid, now, state),
                    changes={"require": require, "prefer": prefer},
                )
            )
    return found


def _capability_words(fid: str, now: str, state: str) -> str:
    if state == "not needed":
        return f"if {fid} were not {now}"
    if state == "preferred" and now == "required":
        return f"if {fid} were only preferred, not required"
    if state == "required" and now == "preferred":
        return f"if {fid} were required, not just preferred"
    return f"if {fid} were {state}"


def grouped(findings: tuple[Finding, ...] | list[Finding]) -> list[tuple[str, tuple[Finding, ...]]]:
    """Neighbouring capability findings with the same effect, merged into one line of text.

    Moving any of several capabilities often has the same effect (same new choice, same lead);
    one line naming them all reads better than one line each.
    """
    groups: list[list[Finding]] = []
    for f in findings:
        last = groups[-1][-1] if groups else None
        same = (
            last is not None
            and f.kind == last.kind == "capability"
            and (f.choice, f.from_value, f.to_value, f.margin, f.distance)
            == (last.choice, last.from_value, last.to_value, last.margin, last.distance)
        )
        if same:
            groups[-1].append(f)
        else:
            groups.append([f])
    out: list[tuple[str, tuple[Finding, ...]]] = []
    for group in groups:
        first = group[0]
        if len(group) == 1:
            out.append((first.text, (first,)))
            continue
        ids = [f.key for f in group]
        named = (
            f"{', '.join(ids[:-1])} or {ids[-1]}"
            if len(ids) <= 4
            else f"any of {', '.join(ids[:3])} or {len(ids) - 3} others"
        )
        out.append(
            (
                f"{first.choice} would be chosen {_capability_words(named, first.from_value, first.to_value)}",
                tuple(group),
            )
        )
    return out
