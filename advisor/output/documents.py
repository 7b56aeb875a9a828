"""The documents (plain dicts for JSON and TOML) of recommend, cost, matrix and data show.

Field names are a public schema (SPEC.md): add, never rename. advisor.output.formats looks the
builder up by the result's kind (DOCUMENT_BUILDERS).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from advisor.catalog.models import (
    Catalog,
    ComponentFigures,
    LatencyFigures,
    cell_dict,
    figure_items,
    to_dict,
)
from advisor.answers.registry import BY_KEY
from advisor.engine.results import CostResult, DataResult, MatrixResult, RecommendationResult, meta
from advisor.output.cost_limits import component_fields, option_fields
from advisor.schema import SCHEMA_VERSION

if TYPE_CHECKING:
    from advisor.answers.resolve import Resolved
    from advisor.engine.costing import OptionCost, Projection, Transition
    from advisor.engine.robustness import Robustness
    from advisor.engine.scoring import Recommendation
    from advisor.engine.sweep import Sweep
    from advisor.engine.whatif import Finding, WhatIf


# ---------------------------------------------------------------- by result kind


def recommendation_result_document(result: RecommendationResult) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    if result.what_if is not None:
        extra.update(what_if_document(result.what_if))
    if result.warnings:
        extra["warnings"] = list(result.warnings)
    doc = recommendation_document(
        result.catalog, result.resolved, result.recommendation, result.generated_at, extra=extra
    )
    if result.robustness is not None:
        doc["recommendation"]["robustness"] = robustness_document(result.robustness)
    return doc


def cost_result_document(result: CostResult) -> dict[str, Any]:
    doc = cost_document(
        result.catalog,
        result.resolved,
        result.projection,
        result.generated_at,
        sweep_document(result.sweep) if result.sweep else None,
    )
    if result.warnings:
        doc["warnings"] = list(result.warnings)
    return doc


def matrix_result_document(result: MatrixResult) -> dict[str, Any]:
    return matrix_document(result.catalog, list(result.feature_ids), result.generated_at)


def data_result_document(result: DataResult) -> dict[str, Any]:
    return data_document(result.catalog, result.generated_at)


# ---------------------------------------------------------------- parts


def robustness_document(r: Robustness) -> dict[str, Any]:
    return {
        "draws": r.draws,
        "seed": r.seed,
        "cheapest": {o: round(v, 4) for o, v in r.cheapest.items()},
        "chosen": {o: round(v, 4) for o, v in r.chosen.items()},
        "text": r.text,
        "method": r.method,
    }


def sweep_document(sweep: Sweep) -> dict[str, Any]:
    is_int = BY_KEY[sweep.key].kind == "int"
    return {
        "key": sweep.key,
        "basis": sweep.basis,
        # whole-number answers stay whole numbers, so a value can be fed back as that answer
        "values": [int(v) if is_int else v for v in sweep.values],
        "monthly_usd": {o: [round(x, 2) for x in s] for o, s in sweep.series().items()},
        "usage_monthly_usd": {o: [round(x, 2) for x in s] for o, s in sweep.usage_usd.items()},
        "requests_monthly_usd": {o: [round(x, 2) for x in s] for o, s in sweep.requests_usd.items()},
        "crossovers": [
            {"at": round(c.at, 4), "cheaper_below": c.cheaper_below, "cheaper_above": c.cheaper_above}
            for c in sweep.crossovers
        ],
    }


def finding_document(f: Finding) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "key": f.key,
        "kind": f.kind,
        "from": f.from_value,
        "to": f.to_value,
        "choice": f.choice,
        "margin": f.margin,
        "runner_up": f.runner_up,
        "distance": round(f.distance, 6),
        "text": f.text,
        "changes": f.changes,
    }
    if f.kind == "threshold":
        doc["direction"] = f.direction
        doc["until"] = f.until
    if f.kind == "capability":
        doc["feature"] = f.key
    return doc


def what_if_document(result: WhatIf) -> dict[str, Any]:
    """The `what_if` list and a `what_if_search` table saying how it was found, for recommendation_document(extra=...)."""
    # deferred: the what-if search module loads only when --what-if was asked
    from advisor.engine.whatif import DISTANCE, METHOD, typed_value

    return {
        "what_if": [finding_document(f) for f in result.findings],
        "what_if_search": {
            "choice": result.choice,
            "margin": result.margin,
            "runner_up": result.runner_up,
            "method": METHOD,
            "distance": DISTANCE,
            "evaluations": result.evaluations,
            "ranges": {
                key: {
                    "low": typed_value(key, low),
                    "high": typed_value(key, high),
                    **({"note": result.capped[key]} if key in result.capped else {}),
                }
                for key, (low, high) in result.searched.items()
            },
        },
    }


def _r(x: float, digits: int = 4) -> float:
    return round(float(x), digits)


def option_cost_doc(oc: OptionCost) -> dict[str, Any]:
    doc = _option_cost_doc(oc)
    if oc.transition is not None:
        doc["cost"]["transition"] = transition_doc(oc.transition)
    return doc


def transition_doc(t: Transition) -> dict[str, Any]:
    """Both meshes side by side during the move (an upper bound: both at full size)."""
    return {
        "from": t.current,
        "usage": {
            "cpu_vcpu": _r(t.usage.cpu_vcpu),
            "memory_gib": _r(t.usage.memory_gib),
            "monthly_usd": _r(t.usage.monthly_usd, 2),
        },
        "requests": {
            "cpu_vcpu": _r(t.requests.cpu_vcpu),
            "memory_gib": _r(t.requests.memory_gib),
            "monthly_usd": _r(t.requests.monthly_usd, 2),
        },
        "components": list(t.components),
        "replaced": list(t.replaced),
        "note": "upper bound while the move is under way: today's mesh and the target at full size"
        + (f"; the target's own replace {', '.join(t.replaced)}" if t.replaced else ""),
        "source": t.source,
    }


def _option_cost_doc(oc: OptionCost) -> dict[str, Any]:
    return {
        "cost": {
            "usage": {
                "cpu_vcpu": _r(oc.usage.cpu_vcpu),
                "memory_gib": _r(oc.usage.memory_gib),
                "monthly_usd": _r(oc.usage.monthly_usd, 2),
                # every figure at its low and at its high (figures without a range keep their value)
                "monthly_usd_low": _r(oc.usd_spread("usage").low, 2),
                "monthly_usd_high": _r(oc.usd_spread("usage").high, 2),
            },
            "requests": {
                "cpu_vcpu": _r(oc.requests.cpu_vcpu),
                "memory_gib": _r(oc.requests.memory_gib),
                "monthly_usd": _r(oc.requests.monthly_usd, 2),
                # chart values have no range: low and high are the value
                "monthly_usd_low": _r(oc.requests.monthly_usd, 2),
                "monthly_usd_high": _r(oc.requests.monthly_usd, 2),
            },
            "containers_added": oc.containers_added,
            **({"nodes": _nodes_doc(oc.nodes)} if oc.nodes is not None else {}),
            "components": [
                {
                    "name": c.name,
                    "id": c.id,
                    "role": c.role,
                    "scaling": c.scaling,
                    "instances": c.instances,
                    "containers_added": c.containers_added,
                    "handled_rps": _r(c.handled_rps, 2),
                    "cpu_vcpu": _r(c.cpu_vcpu),
                    "memory_gib": _r(c.memory_gib),
                    "monthly_usd": _r(c.usage_monthly_usd, 2),
                    "monthly_usd_low": _r(c.usage_usd_spread.low if c.usage_usd_spread else c.usage_monthly_usd, 2),
                    "monthly_usd_high": _r(c.usage_usd_spread.high if c.usage_usd_spread else c.usage_monthly_usd, 2),
                    "usage_known": c.usage_known,
                    **({"usage_capped_at_limit": True} if c.capped else {}),
                    "requests_cpu_vcpu": _r(c.requests_cpu_vcpu),
                    "requests_memory_gib": _r(c.requests_memory_gib),
                    "requests_monthly_usd": _r(c.requests_monthly_usd, 2),
                    "source": "; ".join(c.sources),
                    **component_fields(c),
                }
                for c in oc.components
            ],
            **option_fields(oc),
        },
        "latency": {
            "per_hop_p50_ms": _r(oc.latency.per_hop_p50_ms),
            "per_hop_p90_ms": _r(oc.latency.per_hop_p90_ms),
            "per_hop_p99_ms": _r(oc.latency.per_hop_p99_ms),
            "end_to_end_p50_ms": _r(oc.latency.end_to_end_p50_ms),
            "end_to_end_p90_ms": _r(oc.latency.end_to_end_p90_ms),
            "end_to_end_p99_ms": _r(oc.latency.end_to_end_p99_ms),
            **_latency_spreads(oc),
            "hops": oc.latency.hops,
            "estimate": "upper-bound estimate: added latency per hop x hops, from lab runs at fixed load"
            + ("; per hop blends the L4 and waypoint paths by l7_ratio" if oc.latency.blended else "")
            + (
                "; the waypoint path includes its extra network hop"
                if oc.latency.network_hop
                else "; the waypoint path omits its extra network hop (no published figure: set network_hop_p*_ms)"
                if oc.latency.blended
                else ""
            ),
            "source": "; ".join(dict.fromkeys(f.source for f in oc.latency.figures.values())),
        },
    }


def _latency_spreads(oc: OptionCost) -> dict[str, Any]:
    out: dict[str, Any] = {}
    lt = oc.latency
    for p, spread in (lt.per_hop_spread or {}).items():
        out[f"per_hop_{p}_ms_low"] = _r(spread.low)
        out[f"per_hop_{p}_ms_high"] = _r(spread.high)
    for p, spread in (lt.per_hop_spread or {}).items():
        out[f"end_to_end_{p}_ms_low"] = _r(spread.low * lt.hops)
        out[f"end_to_end_{p}_ms_high"] = _r(spread.high * lt.hops)
    return out


def _nodes_doc(n: Any) -> dict[str, Any]:
    return {
        "extra_nodes": n.extra_nodes,
        "node_monthly_usd": _r(n.node_monthly_usd, 2),
        "monthly_usd": _r(n.monthly_usd, 2),
        "cluster_monthly_usd": _r(n.cluster_monthly_usd, 2),
        "share_of_cluster": _r(n.share_of_cluster),
        "usage_share_of_cluster": _r(n.usage_share.expected),
        "usage_share_of_cluster_low": _r(n.usage_share.low),
        "usage_share_of_cluster_high": _r(n.usage_share.high),
        "method": n.method,
    }


def _with_inventory(doc: dict[str, Any], resolved: Resolved) -> dict[str, Any]:
    """An inventory's derived flat answers, beside [answers] (which holds the inventory itself)."""
    derived = resolved.answers.derived()
    if derived:
        doc["inventory"] = derived
    return doc


def cost_document(
    catalog: Catalog,
    resolved: Resolved,
    projection: Projection,
    generated_at: str,
    sweep: dict[str, Any] | None = None,
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "meta": meta(catalog, resolved, generated_at),
        "answers": resolved.answers.as_dict(),
        "options": {o: option_cost_doc(oc) for o, oc in projection.options.items()},
    }
    if sweep is not None:
        doc["sweep"] = sweep
    return _with_inventory(doc, resolved)


def recommendation_document(
    catalog: Catalog, resolved: Resolved, rec: Recommendation, generated_at: str, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for oid, score in rec.options.items():
        entry: dict[str, Any] = {
            "name": score.name,
            "eligible": score.eligible,
            "score": score.score,
            "blockers": [
                {"feature": b.feature, "level": b.level, "text": b.text, "source": b.source} for b in score.blockers
            ],
            "scores": dict(score.scores),
            "warnings": list(score.warnings),
            "explain": dict(score.explain),
            "partly_met": [
                {"feature": g.feature, "note": g.note, "source": g.source, "missing": g.missing}
                for g in score.partly_met
            ],
            "vendor_builds": [{"feature": f, "vendor": v} for f, v in score.vendor_builds],
        }
        entry.update(option_cost_doc(rec.projection.options[oid]))
        entry["reasons"] = [
            {"category": r.category, "delta": _r(r.delta, 1), "text": r.text, "source": r.source} for r in score.reasons
        ]
        options[oid] = entry
    doc: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "meta": meta(catalog, resolved, generated_at),
        "answers": resolved.answers.as_dict(),
        "recommendation": {
            "choice": rec.choice,
            "ranking": list(rec.ranking),
            "confidence": rec.confidence,
            "summary": rec.summary,
            "weights": {k: _r(v) for k, v in rec.weights.items()},
            "weight_reasons": list(rec.weight_reasons),
            **({"cluster_bill": _bill(rec.cluster_bill)} if rec.cluster_bill is not None else {}),
        },
        "options": options,
    }
    if extra:
        doc.update(extra)
    return _with_inventory(doc, resolved)


def matrix_document(catalog: Catalog, feature_ids: list[str] | None, generated_at: str) -> dict[str, Any]:
    wanted = feature_ids or list(catalog.feature_ids)
    features = []
    for feat in catalog.features.features:
        if feat.id not in wanted:
            continue
        features.append(
            {
                "id": feat.id,
                "group": feat.group,
                "name": feat.name,
                "description": feat.description,
                **({"variant_of": feat.variant_of} if feat.variant_of else {}),
                "cells": {o: cell_dict(cell) for o, cell in feat.cells.items()},
            }
        )
    return {
        "schema_version": SCHEMA_VERSION,
        "meta": meta(catalog, None, generated_at),
        "options": [to_dict(o) for o in catalog.features.options],
        "groups": [to_dict(g) for g in catalog.features.groups],
        "features": features,
    }


def _figures(figs: ComponentFigures | LatencyFigures) -> dict[str, Any]:
    return {name: to_dict(f) for name, f in figure_items(figs)}


def data_document(catalog: Catalog, generated_at: str) -> dict[str, Any]:
    bm = catalog.benchmarks
    return {
        "schema_version": SCHEMA_VERSION,
        "meta": meta(catalog, None, generated_at),
        "files": dict(catalog.files),
        "default_profile": bm.default_profile,
        "components": [to_dict(c) for c in bm.components],
        "profiles": {
            pid: {
                "title": prof.title,
                "description": prof.description,
                **({"extends": prof.extends} if prof.extends else {}),
                "figures": {cid: _figures(f) for cid, f in prof.figures.items()},
                "latency": {oid: _figures(f) for oid, f in prof.latency.items()},
            }
            for pid, prof in bm.profiles.items()
        },
        "workload": {name: to_dict(f) for name, f in bm.workload.items()},
        "not_in_default_profile": [
            {"figures": name, "applies_to": list(applies), "why": why}
            for name, applies, why in bm.unpublished_figures()
        ],
        "default_preset": catalog.pricing.default_preset,
        "prices": {
            pid: {
                "title": p.title,
                "description": p.description,
                "cpu_usd_per_vcpu_hour": to_dict(p.cpu_usd_per_vcpu_hour),
                "memory_usd_per_gib_hour": to_dict(p.memory_usd_per_gib_hour),
            }
            for pid, p in catalog.pricing.presets.items()
        },
        **(
            {
                "reference_node": {
                    "name": catalog.pricing.reference_node.name,
                    "vcpu": to_dict(catalog.pricing.reference_node.vcpu),
                    "memory_gib": to_dict(catalog.pricing.reference_node.memory_gib),
                }
            }
            if catalog.pricing.reference_node is not None
            else {}
        ),
    }


def _bill(bill: Any) -> dict[str, Any]:
    """The cost category's yardstick, as the reasons quote it; `node_defaulted` when no node size was given."""
    return {
        "monthly_usd": _r(bill.monthly_usd, 2),
        "nodes": bill.nodes,
        "node": bill.node_name,
        "node_vcpu": bill.node_vcpu,
        "node_memory_gib": bill.node_memory_gib,
        "node_monthly_usd": _r(bill.node_monthly_usd, 2),
        "node_defaulted": bill.defaulted,
        "source": bill.source,
    }
