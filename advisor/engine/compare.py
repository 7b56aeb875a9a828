"""Compare two saved recommendation results: answers, choice, scores, costs and reasons that changed."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from advisor import __version__
from advisor.engine.results import ComparisonResult
from advisor.catalog.models import CATEGORIES
from advisor.errors import UserError, visible
from advisor.reading import read_document
from advisor.answers.registry import BY_KEY, QUESTIONS
from advisor.records import record
from advisor.schema import SCHEMA_VERSION, check_schema_version

EXPECTED = "expected a result written by `mesh-advisor recommend -o FILE` (TOML or JSON)"


class ResultFileError(UserError):
    """A file given to `compare` is missing, unreadable or not a recommendation result."""


# ---------------------------------------------------------------- reading


@record
class SavedRecommendation:
    """A recommendation result read back from a file (for `compare`), checked once on the way in."""

    document: Mapping[str, Any]
    label: str

    @classmethod
    def from_document(cls, doc: Any, label: str) -> SavedRecommendation:
        check_result(doc, label)
        return cls(document=doc, label=label)


def load_result(path: str | Path) -> SavedRecommendation:
    """Read and check one saved recommendation result; every problem is one ResultFileError line."""
    label = str(path)
    doc = read_document(
        path, ResultFileError, missing=f"file not found; {EXPECTED}", expected=EXPECTED, sniff_json=True
    )
    _check_numbers(doc, label)
    return SavedRecommendation.from_document(doc, label)


# Far above any figure mesh-advisor writes, far enough below the float limit that B - A stays finite.
_LARGEST = 1e300


def _check_numbers(doc: Any, label: str) -> None:
    """NaN, infinity (both legal in TOML) or a number near the float limit would make the deltas
    NaN or infinite, and the comparison a document other tools cannot read."""
    stack: list[tuple[str, Any]] = [("", doc)]
    while stack:  # a loop, not recursion: the file decides how deep it goes
        path, node = stack.pop()
        if isinstance(node, dict):
            stack.extend((f"{path}.{k}" if path else str(k), v) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((f"{path}[{i}]", v) for i, v in enumerate(node))
        elif _is_number(node) and not (abs(node) <= _LARGEST):  # `not <=` also catches NaN
            shown = repr(node) if isinstance(node, float) else "a number too large"
            raise ResultFileError(f"{label}: {path}: expected a finite number below 1e300, got {shown}; {EXPECTED}")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _need(doc: Any, path: str, label: str, kind: str) -> Any:
    """The value at a dotted path, of the expected kind, or a one-line error naming the path."""
    value = doc
    walked: list[str] = []
    for part in path.split("."):
        walked.append(part)
        if not isinstance(value, dict) or part not in value:
            raise ResultFileError(f"{label}: not a recommendation result: {'.'.join(walked)} is missing; {EXPECTED}")
        value = value[part]
    ok = {
        "table": isinstance(value, dict),
        "list": isinstance(value, list),
        "text": isinstance(value, str),
        "number": _is_number(value),
        "bool": isinstance(value, bool),
    }[kind]
    if not ok:
        raise ResultFileError(
            f"{label}: not a recommendation result: {path}: expected {kind}, got {type(value).__name__}; {EXPECTED}"
        )
    return value


def check_result(doc: Any, label: str) -> None:
    """Newer schema first (its layout may differ), then the keys `compare` reads."""
    if not isinstance(doc, dict):
        raise ResultFileError(f"{label}: not a recommendation result: expected a table at the top level; {EXPECTED}")
    check_schema_version(
        doc, label, ResultFileError, missing=f"not a recommendation result: schema_version is missing; {EXPECTED}"
    )
    if "recommendation" not in doc and isinstance(doc.get("options"), dict) and "answers" in doc:
        raise ResultFileError(
            f"{label}: a cost projection, not a recommendation result (no [recommendation] table); {EXPECTED}"
        )
    _need(doc, "meta.data_version", label, "text")
    _need(doc, "answers", label, "table")
    _need(doc, "recommendation.choice", label, "text")
    options = _need(doc, "options", label, "table")
    for oid in options:
        _need(doc, f"options.{oid}.score", label, "number")
        _need(doc, f"options.{oid}.eligible", label, "bool")
        _need(doc, f"options.{oid}.cost.usage.monthly_usd", label, "number")
        _need(doc, f"options.{oid}.cost.requests.monthly_usd", label, "number")
        for i, reason in enumerate(_need(doc, f"options.{oid}.reasons", label, "list")):
            if not (
                isinstance(reason, dict)
                and isinstance(reason.get("category"), str)
                and isinstance(reason.get("text"), str)
                and _is_number(reason.get("delta"))
            ):
                raise ResultFileError(
                    f"{label}: not a recommendation result: options.{oid}.reasons[{i}]: "
                    f"expected category, text and delta; {EXPECTED}"
                )


# ---------------------------------------------------------------- comparing


def _same(a: Any, b: Any) -> bool:
    # Capability lists are sets: the order they were given in means nothing.
    if isinstance(a, list) and isinstance(b, list):
        return sorted(map(str, a)) == sorted(map(str, b))
    if _is_number(a) and _is_number(b):
        return float(a) == float(b)
    return a == b


def _pair(a: Any, b: Any, digits: int) -> dict[str, Any]:
    out: dict[str, Any] = {"a": a, "b": b}
    if _is_number(a) and _is_number(b):
        out["delta"] = round(float(b) - float(a), digits)
    return out


def answers_changed(a: dict[str, Any], b: dict[str, Any]) -> list[dict[str, Any]]:
    registry = [q.key for q in QUESTIONS]
    keys = registry + [k for k in [*a, *b] if k not in BY_KEY]
    out: list[dict[str, Any]] = []
    for key in dict.fromkeys(keys):
        if key not in a and key not in b:
            continue
        if key in a and key in b and _same(a[key], b[key]):
            continue
        entry: dict[str, Any] = {"key": key}
        if key in a:
            entry["a"] = a[key]
        if key in b:
            entry["b"] = b[key]
        if key not in a or key not in b:
            entry["missing_in"] = "a" if key not in a else "b"
        out.append(entry)
    return out


def _reason(r: dict[str, Any]) -> dict[str, Any]:
    return {"category": r["category"], "delta": r["delta"], "text": r["text"], "source": r.get("source", "")}


def reasons_changed(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Reasons matched by category and text: appeared (only in B), disappeared (only in A), changed delta."""

    def keyed(reasons: list[dict[str, Any]]) -> dict[tuple[str, str], list[dict[str, Any]]]:
        out: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for r in reasons:
            out.setdefault((r["category"], r["text"]), []).append(r)
        return out

    in_a, in_b = keyed(a), keyed(b)
    appeared: list[dict[str, Any]] = []
    disappeared: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    for key in dict.fromkeys([*in_a, *in_b]):
        ra, rb = in_a.get(key, []), in_b.get(key, [])
        for x, y in zip(ra, rb):
            if float(x["delta"]) != float(y["delta"]):
                changed.append({**_reason(y), "delta_a": x["delta"], "delta_b": y["delta"]})
        disappeared.extend(_reason(r) for r in ra[len(rb) :])
        appeared.extend(_reason(r) for r in rb[len(ra) :])
    for entry in changed:
        entry.pop("delta")
    return {"appeared": appeared, "disappeared": disappeared, "changed": changed}


def _option(a: dict[str, Any] | None, b: dict[str, Any] | None) -> dict[str, Any]:
    if a is None or b is None:
        only = a if b is None else b
        return {"only_in": "a" if b is None else "b", "name": only.get("name", ""), "score": only["score"]}
    out: dict[str, Any] = {
        "name": b.get("name") or a.get("name", ""),
        "eligible": {"a": a["eligible"], "b": b["eligible"]},
        "score": _pair(a["score"], b["score"], 1),
        "monthly_usd": {
            basis: _pair(a["cost"][basis]["monthly_usd"], b["cost"][basis]["monthly_usd"], 2)
            for basis in ("usage", "requests")
        },
    }
    sa, sb = a.get("scores"), b.get("scores")
    if isinstance(sa, dict) and isinstance(sb, dict):
        out["scores"] = {
            c: _pair(sa[c], sb[c], 1) for c in CATEGORIES if _is_number(sa.get(c)) and _is_number(sb.get(c))
        }
    out["reasons"] = reasons_changed(a["reasons"], b["reasons"])
    return out


def compare(saved_a: SavedRecommendation, saved_b: SavedRecommendation, generated_at: str) -> ComparisonResult:
    """Compare two saved results (A, then B: deltas are B - A)."""
    return ComparisonResult(
        compare_results(saved_a.document, saved_b.document, saved_a.label, saved_b.label, generated_at)
    )


def compare_results(
    a: Mapping[str, Any], b: Mapping[str, Any], a_label: str, b_label: str, generated_at: str
) -> dict[str, Any]:
    """The comparison document (JSON/TOML); both inputs already passed check_result."""
    ra, rb = a["recommendation"], b["recommendation"]
    warnings: list[str] = []
    dva, dvb = a["meta"]["data_version"], b["meta"]["data_version"]
    if dva != dvb:
        warnings.append(
            f"A and B were made with different data versions ({visible(dva, one_line=True)} and {visible(dvb, one_line=True)}): "
            "differences may come from the data, not only from the answers"
        )
    option_ids = list(dict.fromkeys([*a["options"], *b["options"]]))
    options = {o: _option(a["options"].get(o), b["options"].get(o)) for o in option_ids}
    changed = ra["choice"] != rb["choice"]
    differing = answers_changed(a["answers"], b["answers"])
    return {
        "schema_version": SCHEMA_VERSION,
        "meta": {"tool": "mesh-advisor", "tool_version": __version__, "generated_at": generated_at},
        "a": _side(a, a_label),
        "b": _side(b, b_label),
        "warnings": warnings,
        "summary": _summary(ra["choice"], rb["choice"], options, differing),
        "choice": {"a": ra["choice"], "b": rb["choice"], "changed": changed},
        "answers_changed": differing,
        "options": options,
    }


def _side(doc: dict[str, Any], label: str) -> dict[str, Any]:
    meta, rec = doc["meta"], doc["recommendation"]
    out = {
        "file": label,
        "data_version": meta["data_version"],
        "tool_version": meta.get("tool_version"),
        "generated_at": meta.get("generated_at"),
        "schema_version": doc["schema_version"],
        "choice": rec["choice"],
        "confidence": rec.get("confidence"),
        "ranking": rec.get("ranking"),
    }
    return {k: v for k, v in out.items() if v is not None}


def _summary(choice_a: str, choice_b: str, options: dict[str, Any], differing: list[dict[str, Any]]) -> str:
    n = len(differing)
    answers = (
        "the same answers"
        if n == 0
        else (f"{n} answer{'s differ' if n != 1 else ' differs'} ({', '.join(d['key'] for d in differing)})")
    )
    if choice_a != choice_b:
        return f"The choice changed from {choice_a} to {choice_b}; {answers}."
    moved = options.get(choice_a, {}).get("score", {})
    delta = f"; its score moved by {moved['delta']:+.1f} points" if isinstance(moved, dict) and "delta" in moved else ""
    return f"The choice is the same ({choice_a}){delta}; {answers}."
