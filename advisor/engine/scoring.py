"""The rules engine: answers + catalog + cost projection -> scored, explained options."""

from __future__ import annotations

from typing import Literal

from advisor.engine.costing.limits import reason_suffix
from advisor.answers.resolve import Answers
from advisor.catalog.models import CATEGORIES, Catalog, Range, When
from advisor.engine.costing import Projection, project
from advisor.engine.offerings import offerings_for, self_managed
from advisor.engine.readiness import readiness
from advisor.engine.standing import bill_share, cluster_bill, cost_points, latency_points
from advisor.humanize import dollars, number, percent
from advisor.engine.scored import Blocker, OptionScore, PartlyMet, Reason, Recommendation
from advisor.engine.summary import explain_line, largest_part, share_words, summarize

__all__ = ["Blocker", "OptionScore", "PartlyMet", "Reason", "Recommendation", "matches", "recommend"]


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


def asked_capabilities(answers: Answers, catalog: Catalog) -> list[tuple[str, str, str]]:
    """(feature id, "required" | "preferred" | "in-use", alias words) for every capability asked for.

    A feature that has variant rows (features.toml `variant_of`, e.g. the multicluster topologies)
    stands for the variant the answers name (multicluster_topology); unnamed, it means "any
    variant" and says so. In-use capabilities already required or preferred count once, as asked."""
    variants = {f.id: f.variant_of for f in catalog.features.features if f.variant_of}
    topology = answers.multicluster_topology
    out: list[tuple[str, str, str]] = []
    seen: set[str] = set()

    def add(fid: str, kind: str) -> None:
        alias = ""
        if topology in variants and variants[topology] == fid:
            alias = f"({fid} as {topology}, the multicluster_topology answer)"
            fid = topology
        elif fid in variants.values():
            alias = f"({fid}: any topology; --multicluster-topology names the one you need)"
        if fid not in seen:
            seen.add(fid)
            out.append((fid, kind, alias))

    for fid in answers.require:
        add(fid, "required")
    for fid in answers.prefer:
        add(fid, "preferred")
    for fid in answers.in_use:
        add(fid, "in-use")
    return out


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
    opts = {o.id: o for o in catalog.features.options}
    offered = offerings_for(answers, catalog)
    # features: points lost for each asked-for capability an option supports only in part; what
    # the cluster uses today (scan) weighs like a preference, never like a must-have
    asked = asked_capabilities(answers, catalog)
    blocking = set(rules.blocking_levels.get(answers.risk, ("none",)))
    in_use_rules = rules.in_use
    for fid, kind, alias in asked:
        feature = catalog.feature(fid)
        as_kind: Literal["required", "preferred"] = "required" if kind == "required" else "preferred"
        points = in_use_rules.points if kind == "in-use" and in_use_rules else rules.ask_points[as_kind]
        for option in option_ids:
            # The open-source level, or a vendor build's when the answers accept one (named then).
            cell = feature.cells[option]
            level, note, source, vendor = cell.effective(vendor_ok)
            if vendor:
                note = f"In {vendor} (a vendor distribution): {note}"
                vendored[option].append((fid, vendor))
            managed = offered.get(option)
            if managed is not None and fid in managed.levels:
                level, note, source = managed.levels[fid], f"{managed.name}: {managed.levels_note}", managed.source
            value = rules.level_values[level]
            # Fixed points per capability, not a mean: asking for more capabilities that every
            # option supports must not dilute the gap on the one that separates them.
            delta = -points * (1.0 - value)
            if explain:
                label = {"required": "required", "preferred": "nice to have", "in-use": "in use (scan)"}[kind]
                said = f"partly meets it ({level})" if kind == "required" and level == "partial" else level
                if level == "partial" and cell.missing:
                    said += f"; missing: {cell.missing}"
                tag = f"{fid} ({kind if kind != 'required' else 'required'}, {level}{', ' + vendor if vendor else ''})"
                text = f"{feature.name} ({label}): {said}. {note}"
                if alias:
                    text = f"{alias} {text}"
                reasons[option].append(Reason("features", delta, text, source, tag))
            else:
                reasons[option].append(Reason("features", delta, "", source, fid))
            if kind == "in-use" and level == "none" and in_use_rules and in_use_rules.losing_points:
                reasons[option].append(
                    Reason(
                        "features",
                        -in_use_rules.losing_points,
                        f"in use (scan): {feature.name} is used today and not offered here: the move reworks or drops it"
                        if explain
                        else "",
                        source,
                        f"in-use-lost ({fid})",
                    )
                )
            if kind == "required" and not vendor and (managed is None or fid not in managed.levels):
                for finding in readiness(cell, feature.name, opts[option].version, answers.risk, rules.maturity):
                    if finding.blocks:
                        blockers[option].append(
                            Blocker(fid, "not-production-ready", f"{finding.text}.", finding.source)
                        )
                    else:
                        reasons[option].append(
                            Reason("maturity", finding.points, finding.text, finding.source, f"{finding.kind} ({fid})")
                        )
            if kind != "required":
                kind_for_rules = "preferred"
            else:
                kind_for_rules = "required"
            if kind_for_rules == "required" and level in blocking:
                if level == "none":
                    why = "not offered"
                elif level == "partial":
                    why = f"only partly meets it, and risk is {answers.risk}"
                else:
                    why = f"only {level}, and risk is {answers.risk}"
                blockers[option].append(
                    Blocker(fid, level, f"{feature.name} is required; {names[option]}: {why}. {note}", source)
                )
            elif kind_for_rules == "required" and level == "partial":
                partly[option].append(PartlyMet(fid, note, source, cell.missing))
            for lr in rules.level_rules:
                if lr.level == level and lr.asked == kind_for_rules and answers.risk in lr.risk:
                    reasons[option].append(
                        Reason(
                            lr.category,
                            lr.delta,
                            lr.text.replace("{feature}", feature.name),
                            source,
                            f"{lr.id} ({fid})",
                        )
                    )

    # cost and latency: each option on its own absolute scale (engine/standing.py), never against
    # the best option, so prices move scores monotonically and a third option never reorders two
    basis = answers.cost_basis
    bill = cluster_bill(answers, catalog)
    costs = {o: projection.options[o].view(basis).monthly_usd for o in catalog.option_ids}
    per_percent = rules.cost_scale.points_per_unit
    per_ms = rules.latency_scale.points_per_unit
    rel_cost: dict[str, Reason] = {}
    rel_latency: dict[str, Reason] = {}
    relative: dict[str, dict[str, str]] = {o: {} for o in catalog.option_ids}
    for option in catalog.option_ids:
        oc = projection.options[option]
        view = oc.view(basis)
        delta = cost_points(costs[option], bill, catalog)
        lt = oc.latency
        lat_delta = latency_points(lt.end_to_end_p90_ms, catalog)
        if not explain:
            rel_cost[option] = Reason("cost", delta, "", "", "cost")
            rel_latency[option] = Reason("latency", lat_delta, "", "", "latency")
            reasons[option] += [rel_cost[option], rel_latency[option]]
            continue
        part, source = largest_part(oc, basis)
        source = source or f"benchmark profile {projection.profile}"
        share = bill_share(costs[option], bill)
        node_words = f"{bill.nodes:,} nodes of {bill.node_name}" + (
            " (node size not given: the reference node)" if bill.defaulted else ""
        )
        text = (
            f"{dollars(view.monthly_usd)}/month in {basis} ({number(view.cpu_vcpu)} vCPU, {number(view.memory_gib)} GiB): "
            f"{share_words(share)} of the cluster's compute bill of {dollars(bill.monthly_usd)}/month ({node_words})"
        )
        if part:
            text += f"; largest part: {part}"
        text += reason_suffix(oc)  # limits met and the scoped variant (issue 21)
        reasons[option].append(Reason("cost", delta, text, source, "cost"))
        relative[option]["cost"] = (
            f"100 − {per_percent:g} × {100 * share:.2f}% of the cluster's bill "
            f"(${number(costs[option])} {basis} ÷ ${number(bill.monthly_usd)})"
        )
        rel_cost[option] = reasons[option][-1]

        lat_source = lt.figures["per_hop_p90_ms"].source
        text = f"Adds about {lt.end_to_end_p90_ms:.2f} ms p90 over {lt.hops} hops (estimate)"
        reasons[option].append(Reason("latency", lat_delta, text, lat_source, "latency"))
        relative[option]["latency"] = f"100 − {per_ms:g} × {lt.end_to_end_p90_ms:.3f} ms p90 end to end"
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
            if rule_points is None or (rule.spares_current and opt.id == current):
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
            if opt.id in offered and offered[opt.id].id in con.unless_offering:
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

    # managed and vendor offerings the answers accept: what the option means here (platforms.toml)
    for option, managed in offered.items():
        reasons[option].append(
            Reason(
                "maturity",
                managed.points,
                f"{managed.name} ({managed.vendor}): {managed.text}",
                managed.source,
                managed.id,
            )
        )
        if managed.licence_usd_per_node_month is not None:
            lic = managed.licence_usd_per_node_month * answers.nodes
            lic_delta = cost_points(lic, bill, catalog)
            reasons[option].append(
                Reason(
                    "cost",
                    lic_delta,
                    f"{managed.name} licence: {dollars(lic)}/month at its list price ({managed.licence_note})",
                    managed.source,
                    f"{managed.id} licence",
                )
            )
        else:
            warnings[option].append(
                f"{managed.name}: licence not costed ({managed.licence_note or 'no published list price'})"
            )
    for option, found in self_managed(answers, catalog, offered).items():
        for category, points, text, source, oid in found:
            reasons[option].append(
                Reason(category, points, f"{platform.name}: {text}", source, f"self-managed ({oid})")
            )

    # A must-have met only in part is a real gap (rules.toml [partial_must_have]): the option's cost
    # standing carries what a cost lead of `small_cost_share` of the bill is worth, so it can win only
    # on a larger lead. A term of its own score, not a reordering against the others: a pairwise
    # "held behind" relation is not transitive and would let a third option reorder two.
    held_back = rules.partial_must_have
    if held_back is not None:
        for option in option_ids:
            if blockers[option] or not partly[option]:
                continue
            gaps = ", ".join(f"{g.feature} (missing: {g.missing or g.note.rstrip('.')})" for g in partly[option])
            reasons[option].append(
                Reason(
                    "cost",
                    cost_points(held_back.small_cost_share * bill.monthly_usd, bill, catalog),
                    f"Partly meets a must-have: {gaps}; counted as {percent(held_back.small_cost_share)} "
                    f"of the cluster's compute bill, so only a larger cost lead outweighs it ({held_back.text})",
                    partly[option][0].source,
                    "partial-must-have",
                )
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
            explain={cat: explain_line(cat, cat_scores[cat], reasons[option], relative[option]) for cat in CATEGORIES}
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
    summary = summarize(choice, eligible, options, weights, projection, basis, current, names) if explain else ""
    return Recommendation(
        choice=choice,
        ranking=ranking,
        confidence=confidence,
        summary=summary,
        options=options,
        weights=weights,
        weight_reasons=weight_notes,
        projection=projection,
        cluster_bill=bill,
    )
