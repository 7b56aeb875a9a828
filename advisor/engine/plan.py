"""Plan a move from the current mesh to a target: blockers, rework, phases, gaps and cost, each sourced.

Pure: answers + catalog (+ the scan's evidence when the answers came from a scan) -> PlanResult.
What a move takes is data (data/migrations.toml); nothing here names an option.
"""

from __future__ import annotations

from pathlib import Path
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Mapping

from advisor.engine.plan_cost import plan_cost
from advisor.engine.plan_evidence import (
    Evidence,
    findings_of,
    known_signals,
    load_signal_set,
    scan_capabilities,
    system_namespaces,
    unique_objects,
)
from advisor.engine.plan_manifests import plan_manifests
from advisor.engine.results import meta
from advisor.engine.scoring import Recommendation, matches, recommend
from advisor.errors import UserError
from advisor.records import record
from advisor.scan.infer import MEMBERSHIP_KINDS

if TYPE_CHECKING:
    from advisor.answers.resolve import Resolved
    from advisor.catalog.models import Catalog, PlanItem

NO_MESH = "none"
SCAN_HINT = "run `mesh-advisor scan` and plan from its file for the objects behind each item"


@dataclass(frozen=True)
class Item:
    id: str
    text: str
    source: str
    objects: tuple[Evidence, ...] = ()
    basis: str = "answers"  # "scan" (objects found), "answers" (a capability or condition), "move" (every such move)
    action: str = ""
    phase: str = ""

    def to_document(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "text": self.text, "source": self.source, "basis": self.basis}
        if self.action:
            out["action"] = self.action
        if self.phase:
            out["phase"] = self.phase
        out["objects"] = [o.to_document() for o in self.objects]
        return out


@dataclass(frozen=True)
class Step:
    namespace: str
    text: str
    objects: tuple[Evidence, ...] = ()

    def to_document(self) -> dict[str, Any]:
        return {"namespace": self.namespace, "text": self.text, "objects": [o.to_document() for o in self.objects]}


@dataclass(frozen=True)
class PhasePlan:
    id: str
    order: int
    title: str
    text: str
    source: str
    steps: tuple[Step, ...] = ()
    objects: tuple[Evidence, ...] = ()

    def to_document(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "order": self.order,
            "title": self.title,
            "text": self.text,
            "source": self.source,
            "objects": [o.to_document() for o in self.objects],
            "steps": [s.to_document() for s in self.steps],
        }


@dataclass(frozen=True)
class Namespace:
    name: str
    pods: int
    l7: float  # share of its traffic that needs L7, 0-1 (True = 1)
    l7_known: bool
    objects: int  # objects in it that the plan must rework or that block the move


@record
class PlanResult:
    """`plan --to OPTION`: what the move from the current mesh takes."""

    kind: ClassVar[str] = "plan"
    catalog: Catalog
    resolved: Resolved
    current: str
    target: str
    move: Any  # catalog Move
    evidence: str  # "scan" | "answers"
    blockers: tuple[Item, ...]
    rework: tuple[Item, ...]
    phases: tuple[PhasePlan, ...]
    gaps: tuple[Item, ...]
    cost: dict[str, Any]
    unrecognised: tuple[Evidence, ...]
    namespaces: tuple[Namespace, ...]
    generated_at: str
    notes: tuple[str, ...] = field(default_factory=tuple)
    manifests: Any = None  # engine.manifests.ManifestSet with --manifests, else None
    waypoints: tuple[Any, ...] = ()  # engine.waypoints.WaypointNeed, when the move has waypoints

    @property
    def current_name(self) -> str:
        return self.catalog.mesh_name(self.current)

    @property
    def target_name(self) -> str:
        return self.catalog.mesh_name(self.target)

    @property
    def summary(self) -> str:
        head = f"Plan: {self.current_name} to {self.target_name}"
        if self.current == self.target:
            head = f"Plan: stay on {self.current_name} ({self.move.title})"
        elif self.current == NO_MESH:
            head = f"Plan: a first install of {self.target_name}"
        parts = [
            f"{len(self.blockers)} blocker{'s' if len(self.blockers) != 1 else ''}"
            + (" to resolve first" if self.blockers else ""),
            f"{len(self.rework)} piece{'s' if len(self.rework) != 1 else ''} of rework "
            f"({sum(len(r.objects) for r in self.rework)} objects)",
            f"{len(self.phases)} phases",
            f"{len(self.gaps)} gap{'s' if len(self.gaps) != 1 else ''} during the move",
        ]
        c = self.cost
        money = (
            f"${c['target']['monthly_usd']:,.0f}/month against ${c['today']['monthly_usd']:,.0f} today ({c['basis']})"
        )
        if c.get("transition"):
            money += f", up to ${c['transition']['monthly_usd']:,.0f} while both run"
        basis = "from the scan's evidence" if self.evidence == "scan" else "from the answers alone (no scan evidence)"
        return f"{head}, {basis}: {', '.join(parts)}; {money}."

    def to_document(self) -> dict[str, Any]:
        return {
            "schema_version": 1,
            "meta": meta(self.catalog, self.resolved, self.generated_at),
            "answers": self.resolved.answers.as_dict(),
            "plan": {
                "from": self.current,
                "to": self.target,
                "from_name": self.current_name,
                "to_name": self.target_name,
                "move": {
                    "id": self.move.id,
                    "title": self.move.title,
                    "text": self.move.text,
                    "source": self.move.source,
                },
                "evidence": self.evidence,
                "summary": self.summary,
                "notes": list(self.notes),
                "namespaces": [
                    {"name": n.name, "pods": n.pods, "l7": n.l7, "objects": n.objects} for n in self.namespaces
                ],
            },
            "blockers": [b.to_document() for b in self.blockers],
            "rework": [r.to_document() for r in self.rework],
            "phases": [p.to_document() for p in self.phases],
            "gaps": [g.to_document() for g in self.gaps],
            "cost": self.cost,
            "unrecognised": [u.to_document() for u in self.unrecognised],
            **({"waypoints": [w.to_document() for w in self.waypoints]} if self.waypoints else {}),
            **({"manifests": self.manifests.to_document()} if self.manifests is not None else {}),
        }


# ---------------------------------------------------------------- the plan


def check_target(catalog: Catalog, current: str, target: str, stay: bool = False) -> None:
    """--to names an option the data declares and differs from the current mesh (unless the data plans
    staying, as with --sidecar-scoping); else exit 2."""
    if target not in catalog.option_ids:
        import difflib

        close = difflib.get_close_matches(target, catalog.option_ids, n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise UserError(f"--to: unknown option {target!r}{hint}; expected one of {', '.join(catalog.option_ids)}")
    if target == current and not stay:
        raise UserError(
            f"--to {target}: the cluster already runs {catalog.mesh_name(target)} (current_mesh); nothing to plan"
        )


def build_plan(
    catalog: Catalog,
    resolved: Resolved,
    target: str,
    scan: Mapping[str, Any] | None,
    generated_at: str,
    signals: Path | None = None,
    recommendation: Recommendation | None = None,
    sidecar_scoping: bool = False,
    objects: list[dict[str, Any]] | None = None,
) -> PlanResult:
    """The plan; `recommendation` is the answers' scoring when the caller has it (advisor.engine.pipeline), so
    the answers are scored and projected once. With `objects` (the manifests or dump the scan read), the
    manifests the move needs too."""
    answers = resolved.answers
    rec = recommendation or recommend(answers, catalog)
    current = answers.current_mesh
    check_target(catalog, current, target, stay=sidecar_scoping)
    move = _the_move(catalog, current, target, sidecar_scoping)
    findings = findings_of(scan)
    evidence = "scan" if scan is not None else "answers"
    notes: list[str] = []
    if scan is None:
        notes.append(
            f"No scan evidence: this plan rests on the answers alone (the capabilities required or preferred); {SCAN_HINT}."
        )
    elif not findings:
        notes.append("The scan found no mesh resources that this move has to rework.")
    if current == NO_MESH and scan is None:
        notes.append(
            "No current mesh: planned as a first install (set current_mesh, or scan the cluster, to plan a move)."
        )
    elif current == NO_MESH:
        resources = {(f.kind, f.namespace, f.name) for f in findings if f.kind not in MEMBERSHIP_KINDS}
        kinds = ", ".join(sorted({kind for kind, _, _ in resources}))
        n = len(resources)
        found = (
            f"; it did find {n} mesh or routing object{'s' if n != 1 else ''} ({kinds}), which a first install does "
            "not translate"
            if resources
            else ""
        )
        notes.append(
            f"No current mesh: the scan found no meshed workloads (no injection label, ambient label or proxy "
            f"container), so this is planned as a first install{found}"
            + (
                f". If a mesh serves them, give --current-mesh OPTION ({', '.join(catalog.option_ids)}) or set "
                "current_mesh in the answers file to plan that move."
                if resources
                else "."
            )
        )

    mg = catalog.migrations
    # A capability the scan inferred is explained by its evidence: an item whose signals and kinds
    # match none of those objects is not raised for it (an HTTPRoute's weights are no VirtualService
    # to rewrite). A capability asked for beyond the scan still raises its items.
    explained = frozenset(scan_capabilities(scan))
    blockers = [
        i for i in (_raise(catalog, e, current, target, findings, answers, explained) for e in mg.blockers) if i
    ]
    covered = {c for e in mg.blockers if e.id in {b.id for b in blockers} for c in e.capabilities}
    blockers += _capability_blockers(rec, target, scan, covered)
    rework = [i for i in (_raise(catalog, e, current, target, findings, answers, explained) for e in mg.rework) if i]
    gaps = [i for i in (_raise(catalog, e, current, target, findings, answers, explained) for e in mg.gaps) if i]

    involved = {(o.kind, o.namespace, o.name) for item in (*blockers, *rework) for o in item.objects}
    signals_data = load_signal_set(signals)  # read once: the namespaces and the signal ids come from it
    namespaces = _namespaces(scan, current, findings, involved, system_namespaces(signals_data))
    phases = _phases(catalog, current, target, namespaces, blockers, rework, gaps, move)
    unrecognised = _unrecognised(catalog, findings, known_signals(signals_data))
    if unrecognised:
        notes.append(
            f"{len(unrecognised)} finding{'s' if len(unrecognised) != 1 else ''} name a signal or kind the migration "
            "data does not know; listed under unrecognised, not planned"
        )
    manifests, waypoints, more = plan_manifests(
        catalog, resolved, move, target, phases, namespaces, scan, objects, system_namespaces(signals_data)
    )
    notes.extend(more)
    return PlanResult(
        manifests=manifests,
        waypoints=tuple(waypoints),
        catalog=catalog,
        resolved=resolved,
        current=current,
        target=target,
        move=move,
        evidence=evidence,
        blockers=tuple(blockers),
        rework=tuple(rework),
        phases=tuple(phases),
        gaps=tuple(gaps),
        cost=plan_cost(catalog, resolved, rec.projection, current, target, dict(move.target_answers)),
        unrecognised=unrecognised,
        namespaces=tuple(namespaces),
        generated_at=generated_at,
        notes=tuple(notes),
    )


def _the_move(catalog: Catalog, current: str, target: str, stay: bool) -> Any:
    """The data's move for this pair; a pair it declines or lacks is refused, naming what is missing."""
    if stay:
        move = catalog.stay_move(current) if current == target else None
        if move is None:
            raise UserError(
                f"--sidecar-scoping: the migration data plans no stay on {catalog.mesh_name(current)} with --to "
                f"{target} (it plans scoping only when the cluster already runs the mesh it scopes: set --current-mesh)"
            )
        return move
    move = catalog.move(current, target)
    if move is not None:
        return move
    declined = catalog.unsupported(current, target)
    pair = f"{catalog.mesh_name(current)} to {catalog.mesh_name(target)}"
    if declined is not None:
        raise UserError(f"--to {target}: a move from {pair} is not supported: {declined.because} ({declined.source})")
    raise UserError(
        f"--to {target}: migrations.toml has no [[moves]] entry from {current} to {target} and no [[unsupported]] "
        f"entry saying why; add one (mesh-advisor data validate lists every missing pair)"
    )


def _raise(
    catalog: Catalog,
    entry: PlanItem,
    current: str,
    target: str,
    findings: tuple[Evidence, ...],
    answers: Any,
    explained: frozenset[str] = frozenset(),
) -> Item | None:
    """The item, with the objects behind it, when evidence, the answers or the move itself raise it."""
    if not catalog.applies(entry, current, target):
        return None
    excepted = {(f.kind, f.namespace, f.name) for f in findings if f.signal and f.signal in entry.except_signals}
    objects = unique_objects(
        f
        for f in findings
        if ((f.signal and f.signal in entry.signals) or f.kind in entry.kinds)
        and (f.kind, f.namespace, f.name) not in excepted
    )
    wanted = (set(answers.require) | set(answers.prefer) | set(answers.in_use)) - explained
    if objects:
        basis = "scan"
    elif set(entry.capabilities) & wanted or (entry.when is not None and matches(entry.when, answers)):
        basis = "answers"
    elif entry.always:
        basis = "move"
    else:
        return None
    return Item(entry.id, entry.text, entry.source, objects, basis, entry.action, entry.phase)


def _capability_blockers(
    rec: Recommendation, target: str, scan: Mapping[str, Any] | None, covered: set[str]
) -> list[Item]:
    """What the scoring already blocks for the target (a required capability it lacks, a platform
    constraint), with the scan's evidence for that capability as its objects."""
    evidence: dict[str, tuple[Evidence, ...]] = {}
    for cap in (scan or {}).get("capabilities") or ():
        if isinstance(cap, dict) and isinstance(cap.get("id"), str):
            evidence[cap["id"]] = findings_of({"findings": cap.get("evidence") or ()})
    out = []
    for b in rec.options[target].blockers:
        if b.feature in covered:  # a migration blocker already says it, with its objects
            continue
        objects = unique_objects(evidence.get(b.feature, ()))
        out.append(Item(f"requires-{b.feature}", b.text, b.source, objects, "scan" if objects else "answers"))
    return out


def _share(value: Any) -> tuple[float, bool]:
    if value is True:
        return 1.0, True
    if value is False:
        return 0.0, True
    if isinstance(value, (int, float)):
        return float(value), True
    return 0.0, False


def _namespaces(
    scan: Mapping[str, Any] | None,
    current: str,
    findings: tuple[Evidence, ...],
    involved: set,
    system: frozenset[str] = frozenset(),
) -> list[Namespace]:
    """The namespaces to move, least coupled and least L7-dependent first.

    From the scan: those the current mesh meshes (with no mesh, those not opted out). Order: no L7
    before L7 (by share), then fewest objects to rework or blocking, then fewest pods, then name.
    """
    out: list[Namespace] = []
    per_namespace: dict[Any, int] = {}  # counted once: a count per namespace made this quadratic
    for k in involved:
        per_namespace[k[1]] = per_namespace.get(k[1], 0) + 1
    # `system`: the platform's own namespaces (the mesh's control plane too), never moved
    for ns in (scan or {}).get("namespaces") or ():
        if not isinstance(ns, dict) or not isinstance(ns.get("name"), str) or ns["name"] in system:
            continue
        meshed_by = ns.get("meshed_by", NO_MESH)
        if current == NO_MESH:
            if meshed_by != NO_MESH:
                continue
        elif meshed_by != current:
            continue
        pods = ns.get("pods") if isinstance(ns.get("pods"), int) else 0
        if pods <= 0:
            continue
        l7, known = _share(ns.get("l7"))
        objects = per_namespace.get(ns["name"], 0)
        out.append(Namespace(ns["name"], pods, l7, known, objects))
    out.sort(key=lambda n: (n.l7 > 0, n.l7, n.objects, n.pods, n.name))
    return out


def _phases(catalog, current, target, namespaces, blockers, rework, gaps, move=None) -> list[PhasePlan]:
    if move is not None and move.stay:
        chosen = (p for p in catalog.migrations.phases if move.id in p.moves)
    else:
        chosen = (p for p in catalog.migrations.phases if catalog.applies(p, current, target))
    phases = sorted(chosen, key=lambda p: p.order)
    out = []
    by_namespace: dict[str, list[Evidence]] | None = None
    for p in phases:
        objects: tuple[Evidence, ...] = ()
        if p.id == next((q.id for q in phases if q.order == min(x.order for x in phases)), None):
            objects = unique_objects(o for b in blockers for o in b.objects)  # the first phase resolves the blockers
        else:
            objects = unique_objects(o for r in rework if r.phase == p.id for o in r.objects)
        steps: list[Step] = []
        if p.per_namespace != "no":
            if by_namespace is None:  # once: a 25,000-namespace scan made this loop quadratic
                by_namespace = {}
                for r in (*rework, *blockers):
                    for o in r.objects:
                        by_namespace.setdefault(o.namespace, []).append(o)
            chosen = [n for n in namespaces if p.per_namespace == "all" or n.l7 > 0 or not n.l7_known]
            for i, n in enumerate(chosen, 1):
                l7 = (
                    "L7 unknown"
                    if not n.l7_known
                    else ("no L7" if n.l7 == 0 else f"L7 {n.l7:.0%}" if n.l7 < 1 else "needs L7")
                )
                mine = unique_objects(by_namespace.get(n.name, ()))
                pods = f"{n.pods} pod{'s' if n.pods != 1 else ''}"
                objs = f"{n.objects} object{'s' if n.objects != 1 else ''} to rework or blocking"
                steps.append(Step(n.name, f"{i}. {n.name}: {pods}, {l7}, {objs}", mine))
            if not namespaces:
                which = "that needs L7" if p.per_namespace == "l7" else "to move"
                steps.append(
                    Step(
                        "",
                        f"Each namespace {which}, one at a time, least coupled and least L7-dependent first ({SCAN_HINT} in order)",
                    )
                )
        out.append(PhasePlan(p.id, p.order, p.title, p.text, p.source, tuple(steps), objects))
    return out


def _unrecognised(
    catalog: Catalog, findings: tuple[Evidence, ...], signal_ids: frozenset[str] = frozenset()
) -> tuple[Evidence, ...]:
    known = set(signal_ids)
    kinds: set[str] = set()
    mg = catalog.migrations
    for entry in (*mg.blockers, *mg.rework, *mg.gaps):
        known.update(entry.signals)
        kinds.update(entry.kinds)
    return tuple(f for f in findings if not ((f.signal and f.signal in known) or (not f.signal and f.kind in kinds)))
