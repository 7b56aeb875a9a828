"""Properties of the cost category (issue 22), over thousands of random answers: it is monotone in
every price, and adding or removing an option never reorders the other two (independence of
irrelevant alternatives). Scores are kept to 0.1 point, so score comparisons allow 0.1 of rounding."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.answers.resolve import Answers, resolve
from advisor.catalog.load import load_catalog
from advisor.engine.costing import project
from advisor.engine.scoring import recommend
from advisor.engine.standing import cluster_bill

CATALOG = load_catalog()
FEATURES = list(CATALOG.feature_ids)
ROUNDING = 0.1 + 1e-9  # each score is rounded to 0.1 point

pytestmark = pytest.mark.slow

ANSWERS = st.fixed_dictionaries(
    {
        "pods": st.integers(1, 20_000),
        "nodes": st.integers(1, 500),
        "namespaces": st.integers(1, 60),
        "mesh_rps": st.integers(0, 200_000),
        "l7_ratio": st.integers(0, 100).map(lambda pct: pct / 100),
        "hops": st.integers(1, 10),
        "require": st.lists(st.sampled_from(FEATURES), max_size=3, unique=True),
        "risk": st.sampled_from(["conservative", "balanced", "early-adopter"]),
        "team_experience": st.sampled_from(["none", "some", "expert"]),
        "cost_sensitivity": st.sampled_from(["low", "medium", "high"]),
        "latency_sensitivity": st.sampled_from(["low", "medium", "high"]),
        "cost_basis": st.sampled_from(["usage", "requests"]),
        "platform": st.sampled_from(list(CATALOG.platform_ids)),
        "vendor_distribution": st.booleans(),
        "current_mesh": st.sampled_from(["none", *CATALOG.option_ids]),
        "cpu_price": st.floats(0.001, 0.2),
        "memory_price": st.floats(0.0001, 0.03),
    },
    optional={
        "node_vcpu": st.sampled_from([2.0, 4.0, 8.0, 16.0, 64.0]),
        "node_memory_gib": st.sampled_from([4.0, 16.0, 32.0, 128.0, 512.0]),
        "in_use": st.lists(st.sampled_from(FEATURES), max_size=3, unique=True),
    },
)


def _answers(raw: dict[str, Any]) -> Answers:
    raw = dict(raw)
    raw["in_use"] = [f for f in raw.get("in_use", []) if f not in raw["require"]]
    return resolve(CATALOG, flags={k: v if isinstance(v, (list, bool)) else str(v) for k, v in raw.items()}).answers


def _scored(answers: Answers) -> tuple[dict[str, tuple[float, float]], dict[str, float], set[str]]:
    """One projection and one scoring of `answers` (as the pipeline does: project once, score from it):
    - the (vCPU, GiB) each option adds in the scored view, what a price multiplies;
    - each option's score;
    - the options whose cost category is above its floor: what adds half the cluster's bill or more
      scores 0 however much more it adds, so past there the category cannot move."""
    p = project(answers, CATALOG, detail=False)
    views = {o: (v.cpu_vcpu, v.memory_gib) for o, v in ((o, p.options[o].view(answers.cost_basis)) for o in p.options)}
    rec = recommend(answers, CATALOG, p, explain=False)
    return (
        views,
        {o: s.score for o, s in rec.options.items()},
        {o for o, s in rec.options.items() if s.scores["cost"] > 0},
    )


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=ANSWERS, factor=st.floats(1.01, 20.0), resource=st.sampled_from(["memory", "cpu"]))
def test_raising_a_price_never_raises_the_option_that_spends_more_of_it(raw, factor, resource) -> None:
    """a's extra over b leans to the resource at least as much as the cluster's own nodes do
    (extra GiB / node GiB >= extra vCPU / node vCPU, for memory): then raising that resource's price
    never raises a's score over b's. (The bill grows with the price too, so an option whose extra is
    mostly the other resource can gain: its extra is a smaller share of a dearer bill.) Both options
    under half the bill, where the category moves at all."""
    low = _answers(raw)
    key = f"{resource}_price"
    high = low.replace(**{key: getattr(low, key) * factor})
    (views, before, moving_low), (_, after, moving_high) = _scored(low), _scored(high)
    bill = cluster_bill(low, CATALOG)
    node = (bill.node_vcpu, bill.node_memory_gib)
    moving = moving_low & moving_high  # above the floor at both prices
    for a in views:
        for b in views:
            if a == b or not {a, b} <= moving:
                continue
            extra_cpu = (views[a][0] - views[b][0]) / node[0]
            extra_mem = (views[a][1] - views[b][1]) / node[1]
            leans = extra_mem >= extra_cpu if resource == "memory" else extra_cpu >= extra_mem
            if leans and (extra_cpu > 0 or extra_mem > 0):
                assert after[a] - after[b] <= before[a] - before[b] + 2 * ROUNDING, (a, b, resource)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=ANSWERS, factor=st.floats(1.01, 20.0), resource=st.sampled_from(["memory", "cpu"]))
def test_with_the_node_price_answered_more_of_a_resource_always_loses_when_it_gets_dearer(
    raw, factor, resource
) -> None:
    """With node_monthly_usd given the bill does not move with unit prices: an option that adds more
    of a resource (and no less of the other) never gains on another when that resource's price rises."""
    low = _answers({**raw, "node_monthly_usd": 300.0})
    key = f"{resource}_price"
    high = low.replace(**{key: getattr(low, key) * factor})
    (views, before, moving_low), (_, after, moving_high) = _scored(low), _scored(high)
    i, j = (1, 0) if resource == "memory" else (0, 1)
    moving = moving_low & moving_high  # above the floor at both prices
    for a in views:
        for b in views:
            if {a, b} <= moving and a != b and views[a][i] > views[b][i] and views[a][j] >= views[b][j]:
                assert after[a] - after[b] <= before[a] - before[b] + 2 * ROUNDING, (a, b, resource)


def _without(option: str) -> Any:
    """The catalog with one option left out, as if the data declared only the other two."""
    kept = tuple(o for o in CATALOG.features.options if o.id != option)
    return replace(CATALOG, features=replace(CATALOG.features, options=kept))


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=ANSWERS, dropped=st.sampled_from(list(CATALOG.option_ids)))
def test_removing_a_third_option_never_reorders_the_other_two(raw, dropped) -> None:
    answers = _answers(raw)
    if answers.current_mesh == dropped:
        answers = answers.replace(current_mesh="none")
    full = recommend(answers, CATALOG, project(answers, CATALOG, detail=False), explain=False)
    reduced_catalog = _without(dropped)
    reduced = recommend(answers, reduced_catalog, project(answers, reduced_catalog, detail=False), explain=False)
    kept = [o for o in full.ranking if o != dropped]
    assert list(reduced.ranking) == kept
    for o in kept:
        assert reduced.options[o].score == full.options[o].score
        assert reduced.options[o].eligible == full.options[o].eligible
