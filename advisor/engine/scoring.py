"""The rules engine: answers + catalog + cost projection -> scored, explained options."""

from __future__ import annotations

from dataclasses import field
from typing import Literal

from advisor.answers.resolve import Answers
from advisor.catalog.models import CATEGORIES, Catalog, Range, When
from advisor.engine.costing import USAGE_FIGURES, OptionCost, Projection, project
from advisor.humanize import dollars, number, percent
from advisor.records import record


# Records (advisor.records): frozen, compared by their documents and never by value, cheap to define.
@record
class Reason:
    category: str
    delta: float
    text: str
    source: str
    label: str = ""  # a short name for the one-line explanation: a rule id, a feature id, ...


@record
class Blocker:
    feature: str
    level: str
    text: str
    source: str


@record
class PartlyMet:
    """A required capability an option supports only in part: said plainly, never read as met."""

    feature: str
    note: str
    source: str


@record
class OptionScore:
    option: str
    name: str
    eligible: bool
    score: float
    blockers: tuple[Blocker, ...]
    scores: dict[str, float]
    reasons: tuple[Reason, ...]
    warnings: tuple[str, ...] = ()
    # One line per category: what moved the score and by how much, so the arithmetic can be checked.
    explain: dict[str, str] = field(default_factory=dict)
    partly_met: tuple[PartlyMet, ...] = ()
    vendor_builds: tuple[tuple[str, str], ...] = ()  # (feature id, vendor) counted at a vendor build's level
    # Per category, the points from everything but the relative cost and latency comparison: what
    # stays fixed when only the figures move (advisor.engine.robustness rescores the draws from these).
    fixed_deltas: dict[str, float] | None = None


@record
class Recommendation:
    choice: str  # an option id, or "none"
    ranking: tuple[str, ...]
    confidence: str  # "clear" | "close"
    summary: str
    options: dict[str, OptionScore]
    weights: dict[str, float]  # effective category weights, summing to 1
    weight_reasons: tuple[str, ...]
    projection: Projection


def matches(when: When, answers: Answers) -> bool:
    """True when every condition holds. Conditions are data: equality, one-of, or a numeric range."""
    for key, cond in when.answers.items():
        value = getattr(answers, key)
        if isinstance(cond, Range):
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                return False
            if cond.min is not None and value < cond.min:
                return False
            if cond.max is not None and value > cond.max:
                return False
        elif isinstance(cond, tuple):
            if value not in cond:
                return False
        elif isinstance(cond, bool) or isinstance(value, bool):
            if value is not cond:
                return False
        elif value != cond:
            return False
    if when.requires_any and not set(when.requires_any) & set(answers.require):
        return False
    wanted = set(answers.require) | set(answers.prefer)
    if when.wants_any and not set(when.wants_any) & wanted:
        return False
    if set(when.wants_none) & wanted:
        return False
    return True


def effective_weights(answers: Answers, catalog: Catalog) -> tuple[dict[str, float], tuple[str, ...]]:
    rules = catalog.rules
    raw: dict[str, float] = {c: rules.weights.get(c, 0.0) for c in CATEGORIES}  # type: ignore[call-overload]
    notes: list[str] = []
    for wr in rules.weight_rules:
        if matches(wr.when, answers):
            raw[wr.category] *= wr.factor
            notes.append(wr.text)
    total = sum(raw.values())
    if total <= 0:
        raw = {c: 1.0 for c in CATEGORIES}
        total = float(len(CATEGORIES))
    return {c: raw[c] / total for c in CATEGORIES}, tuple(notes)


def _relative(best: float, value: float, floor: float) -> float:
    return 100.0 * (best + floor) / (value + floor)


def cost_floor(answers: Answers, catalog: Catalog, projection: Projection) -> float:
    """The difference in monthly cost that hardly matters: a share of the cluster's own compute
    bill when the node size is known (cost_scale.cluster_share), else cost_scale.floor."""
    scale = catalog.rules.cost_scale
    cluster = projection.cluster_monthly_usd
    if scale.cluster_share is not None and cluster:
        return max(scale.cluster_share * cluster, 1e-6)
    return scale.floor


def recommend(
    answers: Answers, catalog: Catalog, projection: Projection | None = None, explain: bool = True
) -> Recommendation:
    """Every option's score and the choice. `explain=False` gives the same scores and choice without
    the words (no summary, no per-category arithmetic, no cost and latency texts, no figure ranges):
    what-if scores hundreds of variants of the answers and reads only the choice and the scores."""
    projection = projection or project(answers, catalog, detail=explain)
    rules = catalog.rules
    weights, weight_notes = effective_weights(answers, catalog)
    reasons: dict[str, list[Reason]] = {o: [] for o in catalog.option_ids}
    warnings: dict[str, list[str]] = {o: [] for o in catalog.option_ids}
    blockers: dict[str, list[Blocker]] = {o: [] for o in catalog.option_ids}
    partly: dict[str, list[PartlyMet]] = {o: [] for o in catalog.option_ids}
    vendored: dict[str, list[tuple[str, str]]] = {o: [] for o in catalog.option_ids}
    names = {o.id: o.name for o in catalog.features.options}
    vendor_ok = answers.vendor_distribution

    option_ids = catalog.option_ids
    # features: points lost for each asked-for capability an option supports only in part
    asked: list[tuple[str, Literal["required", "preferred"]]] = [(f, "required") for f in answers.require]
    asked += [(f, "preferred") for f in answers.prefer]
    blocking = set(rules.blocking_levels.get(answers.risk, ("none",)))
    for fid, kind in asked:
        feature = catalog.feature(fid)
        points = rules.ask_points[kind]
        for option in option_ids:
            # The open-source level, or a vendor build's when the answers accept one (named then).
            level, note, source, vendor = feature.cells[option].effective(vendor_ok)
            if vendor:
                note = f"In {vendor} (a vendor distribution): {note}"
                vendored[option].append((fid, vendor))
            value = rules.level_values[level]
            # Fixed points per capability, not a mean: asking for more capabilities that every
            # option supports must not dilute the gap on the one that separates them.
            delta = -points * (1.0 - value)
            if explain:
                label = "required" if kind == "required" else "nice to have"
                said = f"partly meets it ({level})" if kind == "required" and level == "partial" else level
                tag = f"{fid} ({'required' if kind == 'required' else 'preferred'}, {level}{', ' + vendor if vendor else ''})"
                reasons[option].append(
                    Reason("features", delta, f"{feature.name} ({label}): {said}. {note}", source, tag)
                )
            else:
                reasons[option].append(Reason("features", delta, "", source, fid))
            if kind == "required" and level in blocking:
                if level == "none":
                    why = "not offered"
                elif level == "partial":
                    why = f"only partly meets it, and risk is {answers.risk}"
                else:
                    why = f"only {level}, and risk is {answers.risk}"
                blockers[option].append(
                    Blocker(fid, level, f"{feature.name} is required; {names[option]}: {why}. {note}", source)
                )
            elif kind == "required" and level == "partial":
                partly[option].append(PartlyMet(fid, note, source))
            for lr in rules.level_rules:
                if lr.level == level and lr.asked == kind and answers.risk in lr.risk:
                    reasons[option].append(
                        Reason(
                            lr.category,
                            lr.delta,
                            lr.text.replace("{feature}", feature.name),
                            source,
                            f"{lr.id} ({fid})",
                        )
                    )

    # cost and latency: relative to the best option, softened by a floor
    basis = answers.cost_basis
    costs = {o: projection.options[o].view(basis).monthly_usd for o in catalog.option_ids}
    best_cost_option = min(costs, key=lambda o: costs[o])
    lat = {o: projection.options[o].latency.end_to_end_p90_ms for o in catalog.option_ids}
    best_lat_option = min(lat, key=lambda o: lat[o])
    floor_usd = cost_floor(answers, catalog, projection)
    rel_cost: dict[str, Reason] = {}
    rel_latency: dict[str, Reason] = {}
    relative: dict[str, dict[str, str]] = {o: {} for o in catalog.option_ids}
    for option in catalog.option_ids:
        oc = projection.options[option]
        view = oc.view(basis)
        floor = floor_usd
        delta = _relative(costs[best_cost_option], costs[option], floor) - 100.0
        lt = oc.latency
        lat_floor = rules.latency_scale.floor
        lat_delta = _relative(lat[best_lat_option], lt.end_to_end_p90_ms, lat_floor) - 100.0
        if not explain:
            rel_cost[option] = Reason("cost", delta, "", "", "cost")
            rel_latency[option] = Reason("latency", lat_delta, "", "", "latency")
            reasons[option] += [rel_cost[option], rel_latency[option]]
            continue
        part, source = _largest_part(oc, basis)
        source = source or f"benchmark profile {projection.profile}"
        if option == best_cost_option:
            text = f"Lowest {basis} cost of the options: {dollars(view.monthly_usd)}/month ({number(view.cpu_vcpu)} vCPU, {number(view.memory_gib)} GiB)"
        else:
            text = (
                f"{dollars(view.monthly_usd)}/month in {basis} ({number(view.cpu_vcpu)} vCPU, {number(view.memory_gib)} GiB) "
                f"vs {dollars(costs[best_cost_option])} for {names[best_cost_option]}"
            )
        if part:
            text += f"; largest part: {part}"
        reasons[option].append(Reason("cost", delta, text, source, "cost"))
        relative[option]["cost"] = (
            f"100 × (best ${number(costs[best_cost_option])} + floor ${number(floor, 0)}) ÷ "
            f"(${number(costs[option])} {basis} + ${number(floor, 0)})"
        )
        rel_cost[option] = reasons[option][-1]

        lat_source = lt.figures["per_hop_p90_ms"].source
        if option == best_lat_option:
            text = f"Lowest added latency: about {lt.end_to_end_p90_ms:.2f} ms p90 over {lt.hops} hops (estimate)"
        else:
            text = (
                f"Adds about {lt.end_to_end_p90_ms:.2f} ms p90 over {lt.hops} hops (estimate) "
                f"vs {lat[best_lat_option]:.2f} ms for {names[best_lat_option]}"
            )
        reasons[option].append(Reason("latency", lat_delta, text, lat_source, "latency"))
        relative[option]["latency"] = (
            f"100 × (best {lat[best_lat_option]:.3f} ms + floor {lat_floor:g} ms) ÷ "
            f"({lt.end_to_end_p90_ms:.3f} ms p90 + {lat_floor:g} ms)"
        )
        rel_latency[option] = reasons[option][-1]

    # migration: what moving from the current mesh takes (data/migrations.toml); staying costs nothing
    current = answers.current_mesh
    if current in reasons:
        for option in catalog.option_ids:
            for cost in catalog.migrations.costs:
                if catalog.applies(cost, current, option) and matches(cost.when, answers):
                    reasons[option].append(Reason("migration", cost.delta, cost.text, cost.source, cost.id))

    # judgement rules from rules.toml
    for rule in rules.rules:
        if not matches(rule.when, answers):
            continue
        for opt in catalog.features.options:
            rule_points = rule.points_for(opt)
            if rule_points is None:
                continue
            reasons[opt.id].append(Reason(rule.category, rule_points, rule.text, rule.source, rule.id))
            if rule.warn:
                warnings[opt.id].append(rule.text)

    # the platform: what it rules out or costs, by trait; a managed offering only when accepted
    platform = catalog.platform(answers.platform)
    for con in platform.constraints:
        if con.vendor and not vendor_ok:
            continue
        for opt in catalog.features.options:
            con_points = con.points_for(opt)
            if con_points is None:
                continue
            if con.block:
                blockers[opt.id].append(Blocker(con.id, "platform", f"{platform.name}: {con.text}", con.source))
            elif con.vendor:
                text = f"{platform.name}, with {con.vendor} (a vendor offering you accept): {con.text}"
                reasons[opt.id].append(Reason(con.category, con_points, text, con.source, f"{con.id} ({con.vendor})"))
            else:
                reasons[opt.id].append(
                    Reason(con.category, con_points, f"{platform.name}: {con.text}", con.source, con.id)
                )

    options: dict[str, OptionScore] = {}
    for option in option_ids:
        # one pass over the reasons: each category's points, and those besides the relative cost
        # and latency points (robustness rescores those two); added in the reasons' order
        moved = {cat: 0.0 for cat in CATEGORIES}
        fixed = {cat: 0.0 for cat in CATEGORIES}
        relative_points = (rel_cost[option], rel_latency[option])
        for r in reasons[option]:
            moved[r.category] += r.delta
            if r is not relative_points[0] and r is not relative_points[1]:
                fixed[r.category] += r.delta
        cat_scores = {cat: round(min(100.0, max(0.0, 100.0 + moved[cat])), 1) for cat in CATEGORIES}
        total = sum(weights[c] * cat_scores[c] for c in CATEGORIES)
        options[option] = OptionScore(
            option=option,
            name=names[option],
            eligible=not blockers[option],
            score=round(total, 1),
            blockers=tuple(blockers[option]),
            scores=cat_scores,
            reasons=tuple(reasons[option]),
            warnings=tuple(warnings[option]),
            explain={cat: _explain(cat, cat_scores[cat], reasons[option], relative[option]) for cat in CATEGORIES}
            if explain
            else {},
            partly_met=tuple(partly[option]),
            vendor_builds=tuple(vendored[option]),
            fixed_deltas=fixed,
        )

    order = {o: i for i, o in enumerate(catalog.option_ids)}
    ranking = tuple(sorted(options, key=lambda o: (not options[o].eligible, -options[o].score, order[o])))
    eligible = [o for o in ranking if options[o].eligible]
    choice = eligible[0] if eligible else "none"
    close = len(eligible) >= 2 and options[eligible[0]].score - options[eligible[1]].score <= rules.close_margin
    confidence = "close" if close else "clear"
    summary = _summary(choice, eligible, options, weights, projection, basis, current, names) if explain else ""
    return Recommendation(
        choice=choice,
        ranking=ranking,
        confidence=confidence,
        summary=summary,
        options=options,
        weights=weights,
        weight_reasons=weight_notes,
        projection=projection,
    )


def _largest_part(oc: OptionCost, basis: str) -> tuple[str, str]:
    """The component behind the largest share of this option's monthly cost, and its figure's source.

    Named in the reason so a reader sees which figure decides the cost (e.g. a stand-in figure).
    """
    key = "usage_monthly_usd" if basis == "usage" else "requests_monthly_usd"
    total = sum(getattr(c, key) for c in oc.components)
    if total <= 0:
        return "", ""
    top = max(oc.components, key=lambda c: getattr(c, key))
    # The figures the view is made of, the deciding ones first; a component carries only the
    # request figures it used (`ha_request_*` with control_plane_ha).
    wanted = (
        USAGE_FIGURES
        if basis == "usage"
        else ("ha_request_cpu_millicores", "request_cpu_millicores", "ha_request_memory_mib", "request_memory_mib")
    )
    source = next((top.figures[name].source for name in wanted if name in top.figures), "")
    return f"{top.name}, {percent(getattr(top, key) / total)}", source


_CATEGORY_WORDS = {
    "features": "capabilities",
    "cost": "cost",
    "latency": "latency",
    "operability": "operability",
    "maturity": "maturity",
    "migration": "the cost of the move",
}


def _explain(category: str, score: float, reasons: list[Reason], relative: dict[str, str]) -> str:
    """`features 40.0 = 100 − 40.0 fault-injection (required, partial) − 20.0 required-partial`: the
    category's arithmetic in one line, every reason that moved it with its points."""
    if category in relative:
        return f"{category} {score:.1f} = {relative[category]}"
    moved = [r for r in reasons if r.category == category and abs(r.delta) > 0.05]
    raw = 100.0 + sum(r.delta for r in moved)
    if not moved:
        judged = [r.label or r.text for r in reasons if r.category == category]
        why = (
            f" ({', '.join(judged)}: nothing taken off)"
            if judged
            else {
                "features": " (nothing asked for)",
                "migration": " (no move, or nothing the move costs)",
            }.get(category, " (no rule took points)")
        )
        return f"{category} {score:.1f} = 100{why}"
    terms = "".join(f" {'−' if r.delta < 0 else '+'} {abs(r.delta):.1f} {r.label or r.text}" for r in moved)
    line = f"{category} {score:.1f} = 100{terms}"
    if round(raw, 1) != score:
        line += f" = {raw:.1f}, kept within 0–100"
    return line


def _level_words(level: str) -> str:
    if level == "platform":
        return "ruled out by the platform"
    return "only partly met (partial)" if level == "partial" else level


def _summary(
    choice: str,
    eligible: list[str],
    options: dict[str, OptionScore],
    weights: dict[str, float],
    projection: Projection,
    basis: str,
    current: str = "none",
    names: dict[str, str] | None = None,
) -> str:
    if choice == "none":
        parts = [
            f"{o.name}: " + ", ".join(f"{b.feature} is {_level_words(b.level)}" for b in o.blockers)
            for o in options.values()
        ]
        return "No option meets every requirement. " + "; ".join(parts) + ". Relax a requirement or the risk setting."
    top = options[choice]
    ruled_out = [o for o in options.values() if not o.eligible]
    out = f"{top.name} scores {top.score:.0f}/100"
    if current in options and choice == current:
        out = f"Stay on {top.name}: it scores {top.score:.0f}/100 with nothing to move"
    elif current in options:
        moving = 100.0 - top.scores["migration"]
        out = (
            f"Move from {options[current].name} to {top.name}: it scores {top.score:.0f}/100 "
            f"counting the move ({moving:.0f} migration points lost; `mesh-advisor plan --to {choice}` lists what it takes)"
        )
    if len(eligible) >= 2:
        second = options[eligible[1]]
        gaps = {c: weights[c] * (top.scores[c] - second.scores[c]) for c in CATEGORIES}
        leads = [c for c in sorted(gaps, key=lambda c: -gaps[c]) if gaps[c] >= 0.5][:2]
        trails = [c for c in sorted(gaps, key=lambda c: gaps[c]) if gaps[c] <= -0.5][:1]
        margin = top.score - second.score
        out += f", {margin:.1f} points ahead of {second.name} ({second.score:.0f})"
        if leads:
            out += f", leading on {' and '.join(_CATEGORY_WORDS[c] for c in leads)}"
        if trails:
            out += f" though behind on {_CATEGORY_WORDS[trails[0]]}"
    out += "."
    cost = projection.options[choice].view(basis)
    if current in options and choice == current:
        # Staying adds nothing to today's bill: say what each move would save or add against it instead.
        against = []
        for oid, opt in options.items():
            if oid == current or oid not in projection.options:
                continue
            delta = projection.options[oid].view(basis).monthly_usd - cost.monthly_usd
            verb = "save" if delta < 0 else "add"
            against.append(f"{opt.name} would {verb} about {dollars(abs(delta))}/month")
        out += (
            f" Staying adds nothing to today's cost (the mesh already runs at about {dollars(cost.monthly_usd)}/month, "
            f"{basis}, {projection.options[choice].latency.end_to_end_p90_ms:.2f} ms p90 end to end)"
            + (f"; against today, moving to {'; '.join(against)}." if against else ".")
        )
    else:
        out += (
            f" It adds about {dollars(cost.monthly_usd)}/month ({basis}) and "
            f"{projection.options[choice].latency.end_to_end_p90_ms:.2f} ms p90 end to end (estimate)."
        )
    by_vendor: dict[str, list[str]] = {}
    for fid, vendor in top.vendor_builds:
        by_vendor.setdefault(vendor, []).append(fid)
    for vendor, fids in by_vendor.items():
        out += f" It counts on a vendor distribution for {', '.join(fids)}: {vendor}."
    for gap in top.partly_met:
        out += f" It partly meets {gap.feature}: {gap.note.rstrip('.')}."
    for warning in top.warnings:
        out += f" Warning: {warning}."
    if ruled_out:
        out += (
            " Ruled out: "
            + "; ".join(f"{o.name} ({', '.join(b.feature for b in o.blockers)})" for o in ruled_out)
            + "."
        )
    return out
