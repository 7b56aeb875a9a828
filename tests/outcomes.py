"""Shared checks for the hardening tests: run the real entry point, then hold its outcome to the contract."""

from __future__ import annotations

import io
import json
import math
import os
import re
import tomllib
from typing import Any, Iterator, Mapping, NamedTuple

import pytest

from advisor.__main__ import main
from advisor.catalog.models import DATA_FILES, SIGNALS_FILE
from advisor.catalog.files import bundled_data_dir
from advisor.answers.registry import QUESTIONS

# The options the bundled data declares: the set comes from features.toml, never from code.
OPTION_IDS: tuple[str, ...] = tuple(
    o["id"] for o in tomllib.loads((bundled_data_dir() / "features.toml").read_text(encoding="utf-8"))["options"]
)

ESC = "\x1b"
# Errors list one line per problem; an answers error has at most one per question plus a header.
MAX_ANSWER_ERROR_LINES = len(QUESTIONS) + 1
MAX_ERROR_LINE_CHARS = 2000


# Variables that make rich emit colour to a pipe; CI services set some of them.
FORCE_COLOUR_VARIABLES = ("FORCE_COLOR", "CLICOLOR_FORCE", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "PY_COLORS")


@pytest.fixture
def plain_terminal(monkeypatch):
    """Output to a pipe with NO_COLOR set, as in CI: rich adds no escape sequences of its own."""
    for name in FORCE_COLOUR_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    return monkeypatch


class Outcome(NamedTuple):
    """What a run gives back: `rc, out, err = run_cli(...)`, or `.rc`, `.out`, `.err`."""

    rc: int
    out: str
    err: str

    def __str__(self) -> str:
        return f"exit {self.rc}\n--- stdout ---\n{self.out[:3000]}\n--- stderr ---\n{self.err[:3000]}"

    def json(self) -> Any:
        """stdout as JSON, after checking the run succeeded."""
        assert self.rc == 0, str(self)
        return json.loads(self.out)


# A Python prelude for a child that must start as a shell would start it: SIGINT, SIGTERM and SIGHUP
# at their defaults and unblocked, whatever the test worker holds. mesh-advisor keeps a signal it
# was started with ignored (nohup, a background job), and a child inherits ignored and blocked
# signals; once in about ten full runs a worker's children got SIGINT that way and a test that sends
# it hung. `[sys.executable, "-c", RUN_MAIN, *args]` runs `mesh-advisor ARGS` after it.
AS_A_SHELL_WOULD = """
import signal, sys
signals = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
signal.pthread_sigmask(signal.SIG_UNBLOCK, signals)
for s in signals:
    signal.signal(s, signal.default_int_handler if s == signal.SIGINT else signal.SIG_DFL)
"""
MAIN_CALL = "from advisor.__main__ import main\nsys.exit(main())\n"  # the console script's body
RUN_MAIN = AS_A_SHELL_WOULD + MAIN_CALL


# 2026-12-01T00:00:00Z: golden files and records made in tests carry this date (SOURCE_DATE_EPOCH).
EPOCH = "1796083200"


def run_cli(
    *args: str,
    columns: int | None = None,
    environ: Mapping[str, str] | None = None,
    stdin: str | None = None,
) -> Outcome:
    """`mesh-advisor ARGS` in-process, through the same `main` the console script runs.

    The one way tests run the CLI: stdout and stderr are captured (not terminals); stdin is STDIN when
    given, else the process's (which a test may have replaced).
    ENVIRON replaces the process environment when given (golden runs pass a fixed one); COLUMNS
    fixes the width tables are drawn at.
    """
    from advisor.environment import Environment

    out, err = io.StringIO(), io.StringIO()
    env = Environment(
        stdin=None if stdin is None else io.StringIO(stdin),
        stdout=out,
        stderr=err,
        environ=os.environ if environ is None else environ,
        stdout_isatty=False,
        stderr_isatty=False,
        stdin_isatty=False,
        columns=columns,
    )
    rc = main(list(args), env)
    return Outcome(rc, out.getvalue(), err.getvalue())


def run_json(*args: str) -> Any:
    """`mesh-advisor ARGS --format json`, which must succeed, as a parsed document."""
    return run_cli(*args, "--format", "json").json()


def only_warnings(err: str) -> bool:
    """stderr holds nothing but sanity warnings (answers that are valid but implausible)."""
    return all(line.startswith("mesh-advisor: warning: ") for line in err.splitlines())


def invoke(capsys, *args: str) -> Outcome:
    """`mesh-advisor ARGS` in-process (CAPSYS is kept for the callers that still pass it)."""
    return run_cli(*args)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def strict_json(text: str) -> Any:
    """JSON as other tools read it: NaN and Infinity are not allowed."""
    return json.loads(text, parse_constant=_reject_constant)


def numbers(doc: Any, path: str = "") -> Iterator[tuple[str, float]]:
    """Every number in a document, with its path (`options.linkerd.cost.usage.monthly_usd`)."""
    if isinstance(doc, bool):
        return
    if isinstance(doc, (int, float)):
        yield path, doc
    elif isinstance(doc, dict):
        for k, v in doc.items():
            yield from numbers(v, f"{path}.{k}" if path else str(k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from numbers(v, f"{path}[{i}]")


def assert_all_finite(doc: Any) -> None:
    bad = [(p, v) for p, v in numbers(doc) if isinstance(v, float) and not math.isfinite(v)]
    assert not bad, f"non-finite numbers: {bad[:5]}"


def assert_no_negative_money_or_usage(doc: Any) -> None:
    """Cost, usage, counts and latency are never below zero; only score deltas may be."""
    bad = [(p, v) for p, v in numbers(doc) if v < 0 and not p.endswith(".delta") and ".reasons[" not in p]
    assert not bad, f"negative figures: {bad[:5]}"


def check_answers_table(answers: Any) -> None:
    assert isinstance(answers, dict)
    # answers that may be absent (default none) are left out of a document when not given
    assert {q.key for q in QUESTIONS if q.default is not None} <= set(answers) <= {q.key for q in QUESTIONS}


def check_document(doc: Any, command: str) -> None:
    """A complete recommend or cost document: the fields the spec promises, every number finite."""
    assert isinstance(doc, dict)
    assert doc["schema_version"] == 1
    assert doc["meta"]["tool"] == "mesh-advisor"
    check_answers_table(doc["answers"])
    assert set(doc["options"]) == set(OPTION_IDS)
    for opt in doc["options"].values():
        assert set(opt["cost"]["usage"]) >= {"cpu_vcpu", "memory_gib", "monthly_usd"}
        assert set(opt["cost"]["requests"]) >= {"cpu_vcpu", "memory_gib", "monthly_usd"}
        assert "end_to_end_p90_ms" in opt["latency"]
    if command == "recommend":
        rec = doc["recommendation"]
        assert rec["choice"] in (*OPTION_IDS, "none")
        assert sorted(rec["ranking"]) == sorted(OPTION_IDS)
        assert rec["summary"]
        for opt in doc["options"].values():
            assert 0 <= opt["score"] <= 100
    assert_all_finite(doc)
    assert_no_negative_money_or_usage(doc)


def parse_document(text: str, fmt: str) -> Any:
    return strict_json(text) if fmt == "json" else tomllib.loads(text)


def check_error(outcome: Outcome, max_lines: int = MAX_ANSWER_ERROR_LINES) -> list[str]:
    """Exit 2, nothing on stdout, a short message on stderr that says it is from mesh-advisor."""
    assert outcome.rc == 2, str(outcome)
    assert outcome.out == "", str(outcome)
    lines = outcome.err.rstrip("\n").split("\n")
    assert lines[0].startswith("mesh-advisor: "), str(outcome)
    assert "Traceback" not in outcome.err and "internal error" not in outcome.err, str(outcome)
    assert len(lines) <= max_lines, str(outcome)
    assert all(len(line) <= MAX_ERROR_LINE_CHARS for line in lines), str(outcome)
    assert ESC not in outcome.err, str(outcome)
    return lines


def check_outcome(
    outcome: Outcome, command: str, fmt: str | None, max_error_lines: int = MAX_ANSWER_ERROR_LINES
) -> Any:
    """The only two outcomes allowed: exit 0 with a complete document (or table), or exit 2 and a short message.

    Returns the parsed document on success (None for a table), the error lines on failure.
    """
    assert outcome.rc in (0, 2), str(outcome)
    if outcome.rc == 2:
        return check_error(outcome, max_error_lines)
    assert "Traceback" not in outcome.err, str(outcome)
    assert ESC not in outcome.out and ESC not in outcome.err, str(outcome)
    if fmt is None:
        assert outcome.out.strip(), str(outcome)
        return None
    doc = parse_document(outcome.out, fmt)
    check_document(doc, command)
    return doc


# `file: field.path: message`; a file that cannot be read as text at all, or does not belong,
# is `file: message` (a TOML syntax error is `file: TOML syntax error: message`).
_FIELD_PROBLEM = re.compile(
    # signals.toml too: `data validate` checks the scan's data against the same options and platforms
    r"^  (" + "|".join(re.escape(n.removesuffix(".toml")) for n in (*DATA_FILES, SIGNALS_FILE)) + r")\.toml: .+?: .+$"
)
_FILE_PROBLEM = re.compile(r"^  [^/]+\.toml: (not UTF-8 text|not a mesh-advisor data file \(.+\)|cannot read .+)$")


def check_data_problems(outcome: Outcome) -> list[str]:
    """`data validate` problems: a header line, then one `file: field.path: message` per problem."""
    lines = check_error(outcome, max_lines=10_000)
    if len(lines) > 1:
        assert re.search(r"\d+ problems?\)?:$", lines[0]), str(outcome)
        for line in lines[1:]:
            assert _FIELD_PROBLEM.match(line) or _FILE_PROBLEM.match(line), line
    return lines
