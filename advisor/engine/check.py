"""`mesh-advisor check`: the migration hazards in a cluster's objects, from the rules in data/hazards.toml.

Pure: rules and objects in, a CheckResult out. The result knows its exit code (3 when a finding is at
or above --fail-on); the CLI only passes it on.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from advisor.engine.objects import Cluster, Ref
from advisor import __version__
from advisor.catalog.files import bundled_data_dir
from advisor.engine.hazards import DETECTORS
from advisor.errors import DataError, UserError
from advisor.records import record

HAZARDS_FILE = "hazards.toml"
SEVERITIES = ("info", "warning", "error")  # in rising order
EXIT_HAZARD = 3
_FIELDS = {"id", "severity", "title", "text", "fix", "source"}


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    title: str
    text: str
    fix: str
    source: str


@dataclass(frozen=True)
class Finding:
    rule: Rule
    objects: tuple[Ref, ...]
    detail: str

    def to_document(self) -> dict[str, Any]:
        r = self.rule
        return {
            "rule": r.id,
            "severity": r.severity,
            "title": r.title,
            "objects": [o.to_document() for o in self.objects],
            "text": r.text,
            "detail": self.detail,
            "fix": r.fix,
            "source": r.source,
        }


def hazards_file(data_dir: str | Path | None = None) -> Path:
    """The data directory's hazards.toml when it holds one, else the bundled one."""
    if data_dir:
        here = Path(data_dir) / HAZARDS_FILE
        if here.is_file():
            return here
    return bundled_data_dir() / HAZARDS_FILE


def rule_problems(data: Any) -> list[str]:
    """Every problem of a hazards.toml (read as plain data): fields, severities, ids the code detects."""
    if not isinstance(data, dict):
        return ["expected a TOML table"]
    problems = []
    if not isinstance(data.get("data_version"), str) or not data["data_version"]:
        problems.append("data_version: required (a version stamp such as 2026.12.06)")
    rules = data.get("hazards")
    if not isinstance(rules, list) or not rules:
        return [*problems, "hazards: expected a list of [[hazards]] tables"]
    seen: set[str] = set()
    for i, r in enumerate(rules):
        where = f"hazards.{i}"
        if not isinstance(r, dict):
            problems.append(f"{where}: expected a table")
            continue
        where = f"hazards.{i}({r.get('id')})"
        for key in sorted(_FIELDS - set(r)):
            problems.append(f"{where}.{key}: required")
        for key in sorted(set(r) - _FIELDS):
            problems.append(f"{where}.{key}: unknown field (expected {', '.join(sorted(_FIELDS))})")
        for key in _FIELDS & set(r):
            if not isinstance(r[key], str) or not r[key].strip():
                problems.append(f"{where}.{key}: expected non-empty text")
        if r.get("severity") not in SEVERITIES:
            problems.append(f"{where}.severity: expected one of {', '.join(SEVERITIES)}, got {r.get('severity')!r}")
        rid = r.get("id")
        if isinstance(rid, str):
            if rid in seen:
                problems.append(f"{where}.id: used twice")
            seen.add(rid)
            if rid not in DETECTORS:
                problems.append(f"{where}.id: no detector has this id (known: {', '.join(DETECTORS)})")
    for missing in sorted(set(DETECTORS) - seen):
        problems.append(f"hazards: no rule for the detector {missing!r} (add a [[hazards]] entry)")
    return problems


def hazard_problems(data_dir: str | None) -> list[str]:
    """`data validate`: the hazards.toml a directory holds (or the bundled one), as `file: problem` lines."""
    path = hazards_file(data_dir)
    if data_dir and path.parent != Path(data_dir):
        return []  # the directory holds none: the bundled rules are checked with the bundled data
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return [f"{HAZARDS_FILE}: cannot read: {exc}"]
    return [f"{HAZARDS_FILE}: {p}" for p in rule_problems(data)]


def load_rules(path: Path) -> tuple[str, tuple[Rule, ...]]:
    """(data_version, rules) from hazards.toml; any problem is a DataError naming the file and field."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise DataError(f"{path}: not valid TOML: {exc}") from None
    problems = rule_problems(data)
    if problems:
        raise DataError(f"{path}: {len(problems)} problem{'s' if len(problems) != 1 else ''}:", problems)
    return data["data_version"], tuple(Rule(**{k: r[k] for k in _FIELDS}) for r in data["hazards"])


def parse_severity(value: str | None, flag: str = "--fail-on") -> str:
    given = (value or "error").strip().lower()
    if given not in SEVERITIES:
        raise UserError(f"{flag}: expected one of {', '.join(SEVERITIES)}, got {value!r}")
    return given


@record
class CheckResult:
    """What `check` found, worst first."""

    kind: ClassVar[str] = "check"
    findings: tuple[Finding, ...]
    fail_on: str
    data_version: str
    source: str  # "files" | "kubectl"
    objects_read: int
    generated_at: str
    warnings: tuple[str, ...] = ()
    origins: dict[str, str] | None = None  # "Kind/namespace/name" -> the file it was read from

    @property
    def exit_code(self) -> int:
        bar = SEVERITIES.index(self.fail_on)
        return EXIT_HAZARD if any(SEVERITIES.index(f.rule.severity) >= bar for f in self.findings) else 0

    def counts(self) -> dict[str, int]:
        return {s: sum(1 for f in self.findings if f.rule.severity == s) for s in reversed(SEVERITIES)}

    @property
    def summary(self) -> str:
        c = self.counts()
        if not self.findings:
            return f"No migration hazards in {self.objects_read} objects."
        parts = ", ".join(f"{n} {s}{'s' if n != 1 else ''}" for s, n in c.items() if n)
        verdict = "fails" if self.exit_code else "passes"
        return f"{len(self.findings)} migration hazard{'s' if len(self.findings) != 1 else ''} ({parts}) in {self.objects_read} objects; {verdict} --fail-on {self.fail_on}."

    def to_document(self) -> dict[str, Any]:
        return {
            "schema_version": 1,
            "meta": {
                "tool": "mesh-advisor",
                "tool_version": __version__,
                "data_version": self.data_version,
                "generated_at": self.generated_at,
                "source": self.source,
            },
            "check": {
                "summary": self.summary,
                "fail_on": self.fail_on,
                "exit_code": self.exit_code,
                "objects_read": self.objects_read,
                "counts": self.counts(),
                "warnings": list(self.warnings),
            },
            "findings": [f.to_document() for f in self.findings],
        }


def run_check(
    rules: tuple[Rule, ...],
    objects: list[dict[str, Any]],
    fail_on: str,
    data_version: str,
    source: str,
    generated_at: str,
    warnings: tuple[str, ...] = (),
    origins: dict[str, str] | None = None,
) -> CheckResult:
    cluster = Cluster.of(objects)
    findings = []
    for rule in rules:
        for refs, detail in DETECTORS[rule.id](cluster):
            findings.append(Finding(rule, tuple(dict.fromkeys(refs)), detail))
    findings.sort(key=lambda f: (-SEVERITIES.index(f.rule.severity), f.rule.id, [o.where for o in f.objects]))
    return CheckResult(
        tuple(findings), fail_on, data_version, source, len(cluster.objects), generated_at, warnings, origins
    )
