"""Fuzzed input through the real entry point: answers files, flag values and data directories.

Whatever a user feeds in, mesh-advisor ends in one of two ways: exit 0 with a complete document,
or exit 2 with a short `mesh-advisor: ...` message on stderr and nothing half-written. Never a
traceback, never exit 1. The runs are derandomized so CI sees the same examples every time;
set MESH_ADVISOR_FUZZ_SCALE=10 for a longer, randomized run on a workstation.
"""

from __future__ import annotations

import copy
import functools
import json
import math
import os
import re
import tempfile
import tomllib
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from outcomes import (  # noqa: F401 - plain_terminal is a fixture
    Outcome,
    assert_all_finite,
    check_data_problems,
    check_document,
    check_outcome,
    invoke,
    parse_document,
    plain_terminal,
    run_json,
    strict_json,
)

from advisor.catalog.models import DATA_FILES, SIGNALS_FILE
from advisor.catalog.files import bundled_data_dir
from advisor.catalog.load import load_catalog
from advisor.answers.registry import QUESTIONS
from advisor.engine.sweep import SWEEP_KEYS

# Hundreds of generated runs: the full suite runs them, the quick loop (-m "not slow") does not.
pytestmark = [pytest.mark.usefixtures("plain_terminal"), pytest.mark.slow]

SCALE = max(1, int(os.environ.get("MESH_ADVISOR_FUZZ_SCALE", "1")))
FUZZ = settings(
    deadline=None,
    derandomize=SCALE == 1,
    database=None,
    print_blob=True,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)


def examples(n: int) -> settings:
    return settings(FUZZ, max_examples=n * SCALE)


FEATURE_IDS = load_catalog().feature_ids
OUTPUT_SUFFIXES = (".json", ".toml", ".out")

# ---------------------------------------------------------------- strategies: values

# Text users could plausibly type or paste: anything but NUL (which argv cannot carry) and lone surrogates.
any_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=24)
hostile_text = st.sampled_from(
    [
        "[bold red]x[/]",
        "[/]",
        "[link=https://evil]click[/link]",
        "\x1b[31mred\x1b[0m",
        "\x1b]8;;https://evil\x07click\x1b]8;;\x07",
        "\x07",
        "\r",
        "\u202eevil",
        "ｐｏｄｓ",
        "🚀",
        "",
        " ",
        "\t",
        "\n",
        "None",
        "null",
        "true",
        "[]",
        "{}",
    ]
)
number_text = st.one_of(
    st.integers(-(10**15), 10**15).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.floats(0, 1).map(str),
    st.integers(0, 10**9).map(lambda n: f"{n:,}"),
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "-0",
            "1e3",
            "1E400",
            "nan",
            "NaN",
            "inf",
            "-inf",
            "Infinity",
            "0x10",
            "1_000",
            "١٢٣",
            "½",
            "1.5",
            "2,0,0",
            "+7",
            " 42 ",
            "1e-400",
            "100000000",
            "100000001",
            "1e12",
            "1000000000001",
            "1000000",
            "1000001",
            "9" * 5000,
        ]
    ),
)
scalar = st.one_of(
    st.integers(),
    st.integers(-(10**30), 10**30),
    st.floats(),
    any_text,
    hostile_text,
    st.booleans(),
    st.datetimes(),
    st.dates(),
)
junk = st.recursive(
    scalar,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(any_text, inner, max_size=3),
    max_leaves=6,
)


def plausible_value(q) -> st.SearchStrategy[Any]:
    """Values near what the question accepts, so that many examples get past validation."""
    if q.kind == "int":
        lo, hi = int(q.minimum), int(q.maximum)
        return st.one_of(
            st.integers(lo, min(hi, 100_000)),
            st.sampled_from([lo, hi, lo - 1, hi + 1, 0, -1]),
            st.integers(lo, hi).map(float),
            st.integers(lo, 10_000).map(str),
        )
    if q.kind == "float":
        lo, hi = float(q.minimum), float(q.maximum)
        return st.one_of(
            st.floats(lo, hi),
            st.sampled_from([lo, hi, -0.0, math.nextafter(hi, math.inf), math.nan, math.inf, -math.inf]),
            st.integers(int(lo), int(min(hi, 10**6))),
            st.floats(lo, min(hi, 1e6)).map(str),
        )
    if q.kind == "choice":
        return st.one_of(st.sampled_from(q.choices), st.sampled_from(q.choices).map(lambda c: f" {c.upper()} "))
    if q.kind == "bool":
        return st.one_of(st.booleans(), st.sampled_from(["yes", "no", "true", "off", "maybe"]))
    if q.kind == "features":
        ids = st.sampled_from(FEATURE_IDS)
        return st.one_of(st.lists(ids, max_size=4), ids, st.lists(ids, max_size=3).map(",".join))
    return st.sampled_from(["istio-1.24", "linkerd-measured-memory", "no-such-profile"])


def answer_value(q) -> st.SearchStrategy[Any]:
    return st.one_of(plausible_value(q), plausible_value(q), junk)


answers_table = st.builds(
    lambda known, unknown: {**known, **unknown},
    st.fixed_dictionaries({}, optional={q.key: answer_value(q) for q in QUESTIONS}),
    st.one_of(st.just({}), st.just({}), st.dictionaries(st.one_of(any_text, hostile_text), junk, max_size=2)),
)
export_document = st.fixed_dictionaries(
    {"answers": answers_table},
    optional={
        "schema_version": st.one_of(st.just(1), st.integers(-2, 3), junk),
        "meta": junk,
        "recommendation": junk,
        "options": junk,
    },
)


def to_toml(doc: dict) -> str:
    return tomli_w.dumps(doc)


def to_json(doc: dict, ascii_only: bool) -> str:
    return json.dumps(doc, default=str, ensure_ascii=ascii_only)


@st.composite
def answers_file(draw) -> tuple[str, bytes]:
    """(file name, content): serialised tables, and the broken files people really produce."""
    doc = draw(st.one_of(answers_table, export_document))
    kind = draw(st.sampled_from(["toml", "json", "json-as-toml", "raw"]))
    if kind == "toml":
        return draw(st.sampled_from(["answers.toml", "answers.txt", "answers"])), to_toml(doc).encode()
    if kind == "json":
        return "answers.json", to_json(doc, draw(st.booleans())).encode()
    if kind == "json-as-toml":
        return "answers.toml", to_json(doc, True).encode()
    depth = draw(st.integers(1, 3000))
    raw = draw(
        st.one_of(
            st.binary(max_size=200),
            st.just(b""),
            st.sampled_from([b" \n\t", "\ufeffpods = 5\n".encode(), "pods = 5\n".encode("utf-16"), b"pods = 5\xff\n"]),
            # a valid file cut off at a random byte
            st.integers(0, 400).map(lambda n: to_toml(doc).encode()[:n]),
            st.integers(0, 400).map(lambda n: to_json(doc, False).encode()[:n]),
            st.just(("pods = " + "[" * depth + "]" * depth).encode()),
            st.just(("a" + ".a" * depth + " = 1").encode()),
            st.just(('{"pods": ' + "[" * depth + "]" * depth + "}").encode()),
            st.just(("x = " + "{a = " * min(depth, 900) + "1" + "}" * min(depth, 900)).encode()),
            st.sampled_from(
                [
                    b"pods = " + b"9" * 5000,
                    b"pods = 1e999",
                    b"pods = nan",
                    b"pods = -inf",
                    b'{"pods": NaN}',
                    b'{"pods": Infinity}',
                    b'{"pods": 1e999}',
                    b'{"pods": ' + b"9" * 5000 + b"}",
                    b"[answers]\npods=1\n[answers]",
                    b"schema_version = 99\n[answers]\npods = 5",
                    b"schema_version = 'one'\n[answers]\n",
                    b"[1, 2]",
                    b'"pods"',
                    b"null",
                ]
            ),
        )
    )
    return draw(st.sampled_from(["answers.toml", "answers.json", "answers.txt"])), raw


# ---------------------------------------------------------------- strategies: flags


def flag_value(q) -> st.SearchStrategy[str]:
    if q.kind in ("int", "float"):
        return st.one_of(number_text, any_text, hostile_text)
    if q.kind == "choice":
        return st.one_of(st.sampled_from(q.choices), st.sampled_from(q.choices).map(str.title), any_text, hostile_text)
    if q.kind == "features":
        ids = st.sampled_from(FEATURE_IDS) | any_text | hostile_text
        return st.lists(ids, min_size=0, max_size=3).map(",".join)
    return st.one_of(st.sampled_from(["istio-1.24", "linkerd-measured-memory"]), any_text, hostile_text)


@st.composite
def answer_flags(draw) -> list[str]:
    args: list[str] = []
    for q in draw(st.lists(st.sampled_from(QUESTIONS), max_size=6)):
        if q.kind == "bool":
            args += draw(
                st.sampled_from([[q.flag], [q.negative_flag]]) | any_text.map(lambda v, q=q: [f"{q.flag}={v}"])
            )
            continue
        value = draw(flag_value(q))
        if draw(st.booleans()) or value.startswith("-"):
            args.append(f"{q.flag}={value}")
        else:
            args += [q.flag, value]
    return args


format_value = st.one_of(
    st.sampled_from(["json", "toml", "table", "JSON", " toml ", "yaml", "", "[bold]json[/]"]), any_text
)
sweep_value = st.one_of(
    st.builds(
        lambda key, start, stop, steps: f"{key}={start}:{stop}" + (f":{steps}" if steps is not None else ""),
        st.sampled_from(SWEEP_KEYS) | st.sampled_from(["mesh-rps", "l7-ratio", "cpu_price", "Pods", ""]) | any_text,
        number_text,
        number_text,
        st.none() | st.integers(-3, 600).map(str) | any_text,
    ),
    st.sampled_from(
        [
            "pods=1:100000000:500",
            "mesh_rps=0:1e12:500",
            "l7_ratio=0:1:2",
            "hops=1:1000",
            "nodes=1:2:500",
            "pods=5:5",
            "pods=10:1",
            "pods",
            "pods=1:2:3:4",
            "=1:2",
            "l7_ratio=0:1:1",
            "l7_ratio=0:1:501",
        ]
    ),
    any_text,
)


def normal_format(value: str) -> str | None:
    fmt = value.strip().lower()
    return fmt if fmt in ("table", "json", "toml") else None


# ---------------------------------------------------------------- helpers


def fresh_dir(base: Path) -> Path:
    return Path(tempfile.mkdtemp(dir=base))


def check_output_file(outcome: Outcome, command: str, out_path: Path, fmt: str = "toml") -> None:
    """-o FILE: a complete document after exit 0; after exit 2, no file and no temporary left behind."""
    if outcome.rc == 2:
        assert not out_path.exists(), str(outcome)
        assert list(out_path.parent.iterdir()) == [], str(outcome)
        return
    assert out_path.exists(), str(outcome)
    assert [p.name for p in out_path.parent.iterdir()] == [out_path.name], "temporary files left behind"
    # the format comes from the extension, else from --format (a table run writes TOML)
    fmt = {".json": "json", ".toml": "toml"}.get(out_path.suffix, fmt if fmt in ("json", "toml") else "toml")
    check_document(parse_document(out_path.read_text(encoding="utf-8"), fmt), command)


# ---------------------------------------------------------------- answers files


@examples(250)
@given(
    file=answers_file(),
    command=st.sampled_from(["recommend", "cost"]),
    fmt=st.sampled_from(["json", "toml"]),
    how=st.sampled_from(["positional", "--answers"]),
    output=st.none() | st.sampled_from(OUTPUT_SUFFIXES),
)
def test_any_answers_file_gives_a_document_or_a_short_error(capsys, tmp_path, file, command, fmt, how, output) -> None:
    name, content = file
    work = fresh_dir(tmp_path)
    path = work / name
    path.write_bytes(content)
    args = [command, str(path)] if how == "positional" else [command, "--answers", str(path)]
    args += ["--format", fmt]
    out_path = None
    if output:
        out_path = fresh_dir(tmp_path) / f"result{output}"
        args += ["-o", str(out_path)]
    outcome = invoke(capsys, *args)
    event(f"exit {outcome.rc}")
    if out_path is None:
        check_outcome(outcome, command, fmt)
    else:
        assert outcome.rc in (0, 2), str(outcome)
        if outcome.rc == 0:
            # Sanity warnings (e.g. more pods per node than the kubelet allows) may come first.
            said = [line for line in outcome.err.splitlines() if not line.startswith("mesh-advisor: warning: ")]
            assert outcome.out == "" and said and said[0].startswith("Wrote "), str(outcome)
        else:
            check_outcome(outcome, command, fmt)
        check_output_file(outcome, command, out_path, fmt)


@examples(60)
@given(doc=answers_table)
def test_an_answers_file_that_loads_round_trips_through_its_export(capsys, tmp_path, doc) -> None:
    """Whatever a valid file held, the export is itself a valid answers file giving the same answers."""
    work = fresh_dir(tmp_path)
    first = work / "answers.toml"
    first.write_text(to_toml(doc), encoding="utf-8")
    outcome = invoke(capsys, "recommend", str(first), "--format", "toml")
    exported = check_outcome(outcome, "recommend", "toml")
    if outcome.rc != 0:
        return
    second = work / "export.toml"
    second.write_text(outcome.out, encoding="utf-8")
    again = check_outcome(invoke(capsys, "recommend", str(second), "--format", "toml"), "recommend", "toml")
    assert again["answers"] == exported["answers"]
    assert again["recommendation"]["choice"] == exported["recommendation"]["choice"]


# ---------------------------------------------------------------- flag values


what_if_value = (
    st.none() | st.just("--what-if") | st.one_of(number_text, any_text).map(lambda v: f"--what-if-limit={v}")
)


@examples(300)
@given(
    command=st.sampled_from(["recommend", "cost"]),
    flags=answer_flags(),
    fmt=st.none() | format_value,
    sweep=st.none() | sweep_value,
    what_if=what_if_value,
)
def test_any_flag_values_give_a_document_or_a_short_error(capsys, command, flags, fmt, sweep, what_if) -> None:
    args = [command, *flags]
    if fmt is not None:
        args.append(f"--format={fmt}")
    if sweep is not None and command == "cost":
        args.append(f"--sweep={sweep}")
    if what_if is not None and command == "recommend":
        args.append(what_if)
    # A table at 300 points per sweep is slow to draw and adds nothing here: json covers the numbers.
    wanted = normal_format(fmt) if fmt is not None else "json"
    if fmt is None:
        args.append("--format=json")
    outcome = invoke(capsys, *args)
    event(f"exit {outcome.rc}")
    result = check_outcome(outcome, command, None if wanted == "table" else wanted)
    if fmt is not None and normal_format(fmt) is None:
        assert outcome.rc == 2, str(outcome)
    if outcome.rc == 0 and sweep is not None and command == "cost" and wanted != "table":
        values = result["sweep"]["values"]
        assert 1 <= len(values) <= 500 and values == sorted(values)
        for series in result["sweep"]["monthly_usd"].values():
            assert len(series) == len(values)


@examples(40)
@given(
    command=st.sampled_from(["recommend", "cost", "wizard"]),
    flags=answer_flags(),
    output=st.sampled_from(OUTPUT_SUFFIXES),
)
def test_bad_flags_never_leave_an_output_file(capsys, tmp_path, command, flags, output) -> None:
    out_path = fresh_dir(tmp_path) / f"result{output}"
    outcome = invoke(capsys, command, *flags, "-o", str(out_path))
    assert outcome.rc in (0, 2), str(outcome)
    if outcome.rc == 2:
        check_outcome(outcome, command, None)
    if command == "wizard":  # not on a terminal here: always refused, never written
        assert outcome.rc == 2 and not out_path.exists()
        return
    check_output_file(outcome, command, out_path)


# ---------------------------------------------------------------- data directories


BUNDLED = {name: (bundled_data_dir() / name).read_bytes() for name in DATA_FILES}
PARSED = {name: tomllib.loads(content.decode()) for name, content in BUNDLED.items()}


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every place in a parsed TOML document, as a tuple of keys and list indexes."""
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


PLACES = {name: _paths(doc) for name, doc in PARSED.items()}
number_value = st.one_of(
    st.sampled_from(
        [0, 0.0, -1, -0.5, 1e-308, 1e9, 1e9 + 1, 1e308, 10**30, 1000, 1001, 11, 100, -100, 100.5, -100.5, 50.5]
    ),
    st.floats(),
    st.integers(-(10**6), 10**6),
)
data_value = st.one_of(
    hostile_text,
    any_text,
    st.sampled_from(
        [
            "full",
            "beta",
            "partial",
            "alpha",
            "none",
            "experimental",
            "measured",
            "derived",
            "vCPU",
            "MB",
            "ms",
            "per-pod",
            "per-node",
            "fixed",
            "data-plane",
            "linkerd",
            "istio-sidecar",
            "istio-ambient",
            "mtls",
            "istio-1.24",
            "opencost-default",
        ]
    ),
    number_value,
    st.booleans(),
    st.lists(any_text, max_size=3),
    st.dictionaries(any_text, scalar, max_size=2),
)


FREE_TEXT = ("name", "title", "description", "note", "source", "version", "text", "data_version")


class DataDir(dict):
    """File name -> content, shown in failure reports as the edits made, not as 70 KB of TOML."""

    def __init__(self) -> None:
        super().__init__()
        self.edits: list[str] = []

    def __repr__(self) -> str:
        return f"DataDir({self.edits!r})"


@st.composite
def mutated_data_dir(draw) -> DataDir:
    """Copies of some bundled data files, each changed the way hand edits and bad merges change them."""
    names = draw(st.lists(st.sampled_from(DATA_FILES), min_size=1, max_size=2, unique=True))
    files = DataDir()
    for name in names:
        how = draw(st.sampled_from(["gentle", "gentle", "tree", "tree", "truncate", "bytes", "empty", "deep"]))
        if how == "truncate":
            at = draw(st.integers(0, len(BUNDLED[name]) - 1))
            files[name] = BUNDLED[name][:at]
            files.edits.append(f"{name}: cut at byte {at}")
            continue
        if how == "bytes":
            content = bytearray(BUNDLED[name])
            for _ in range(draw(st.integers(1, 4))):
                at = draw(st.integers(0, len(content) - 1))
                new = draw(st.binary(min_size=0, max_size=3))
                content[at : at + 1] = new
                files.edits.append(f"{name}: byte {at} -> {new!r}")
            files[name] = bytes(content)
            continue
        if how == "empty":
            files[name] = b""
            files.edits.append(f"{name}: empty")
            continue
        if how == "deep":
            depth = draw(st.sampled_from([10, 500, 5000]))
            files[name] = BUNDLED[name] + f"\nnested = {'[' * depth}{']' * depth}\n".encode()
            files.edits.append(f"{name}: an array nested {depth} deep appended")
            continue
        doc = json.loads(json.dumps(PARSED[name]))  # deep copy; the bundled data has no dates
        if how == "gentle":
            # free text only: the file stays valid, so its new text reaches every renderer
            places = [p for p in _paths(doc) if p[-1] in FREE_TEXT and isinstance(_at(doc, p), str)]
            for _ in range(draw(st.integers(1, 4))):
                place = draw(st.sampled_from(places))
                _at(doc, place[:-1])[place[-1]] = text = draw(st.one_of(hostile_text, any_text).filter(str.strip))
                files.edits.append(f"{name}: {'.'.join(map(str, place))} = {text!r}")
        for _ in range(draw(st.integers(1, 3)) if how == "tree" else 0):
            files.edits.append(f"{name}: {_mutate(draw, doc, name)}")
        files[name] = tomli_w.dumps(doc).encode()
    if draw(st.integers(0, 9)) == 0:
        files["extra.toml"] = b"x = 1\n"
        files.edits.append("extra.toml added")
    return files


def _mutate(draw, doc: dict, name: str) -> str:
    """One edit somewhere in the document; returns what it did, for the failure report."""
    places = _paths(doc)
    op = draw(st.sampled_from(["retext", "retext", "renumber", "delete", "replace", "duplicate", "add-key", "rename"]))
    # Type-preserving edits (new text, new numbers) keep many files valid, so their text reaches the renderers.
    if op == "retext":
        places = [p for p in places if isinstance(_at(doc, p), str)] or places
    elif op == "renumber":
        places = [
            p for p in places if isinstance(_at(doc, p), (int, float)) and not isinstance(_at(doc, p), bool)
        ] or places
    place = draw(st.sampled_from(places))
    *parents, last = place
    parent = _at(doc, tuple(parents))
    where = ".".join(map(str, place))
    before = repr(parent[last])[:40]
    _apply(draw, op, parent, last)
    after = "(gone)" if op in ("delete", "rename") else repr(parent[last])[:60]
    return f"{op} {where}: {before} -> {after}"


def _apply(draw, op: str, parent: Any, last: Any) -> None:
    if op == "retext":
        parent[last] = draw(st.one_of(hostile_text, any_text, hostile_text.map(lambda t: f"note {t} end")))
    elif op == "renumber":
        parent[last] = draw(number_value)
    elif op == "delete":
        del parent[last]
    elif op == "replace":
        parent[last] = draw(data_value)
    elif op == "duplicate" and isinstance(parent, list):
        parent.append(copy.deepcopy(parent[last]))
    elif op == "duplicate" and isinstance(parent[last], list) and parent[last]:
        parent[last].append(copy.deepcopy(parent[last][0]))
    elif op == "add-key" and isinstance(parent[last], dict):
        parent[last][draw(any_text)] = draw(data_value)
    elif op == "rename" and isinstance(parent, dict):
        parent[draw(any_text)] = parent.pop(last)
    else:
        parent[last] = draw(data_value)


def _at(doc: Any, place: tuple) -> Any:
    for step in place:
        doc = doc[step]
    return doc


def check_data_directory(capsys, tmp_path, files) -> None:
    data_dir = fresh_dir(tmp_path)
    for name, content in files.items():
        (data_dir / name).write_bytes(content)
    validated = invoke(capsys, "data", "validate", str(data_dir))
    event(f"exit {validated.rc}")
    assert validated.rc in (0, 2), str(validated)
    if validated.rc == 2:
        problems = check_data_problems(validated)
        # signals.toml (the scan's data, checked against the directory's options and platforms) is
        # read by scan and plan only: the catalog commands report the catalog's problems.
        problems = [p for p in problems if not p.strip().startswith(f"{SIGNALS_FILE}: ")]
        if len(problems) == 1:
            problems = []  # only the header left: the catalog itself is valid
    if validated.rc == 2 and problems:
        # The commands that use the data refuse it with the same problems, draw and write nothing.
        out_dir = fresh_dir(tmp_path)
        for command in (
            ["recommend", "-o", str(out_dir / "r.json")],
            ["cost", "-o", str(out_dir / "c.toml")],
            ["matrix"],
            ["data", "show"],
        ):
            used = invoke(capsys, *command, "--data-dir", str(data_dir))
            lines = check_data_problems(used)
            assert lines[1:] == problems[1:], f"{command}: {used}"
        assert list(out_dir.iterdir()) == []
        return
    if validated.rc == 0:
        assert validated.out.strip().endswith("checked)"), str(validated)
    ids = load_catalog(data_dir).feature_ids
    asked = ["--require", ids[0], "--prefer", ",".join(ids[1:3])] if len(ids) >= 3 else []
    for command, fmt in (("recommend", "json"), ("cost", "json"), ("recommend", None)):
        args = [command, "--data-dir", str(data_dir), *asked]
        args += ["--format", fmt] if fmt else []
        if command == "cost":
            args += ["--sweep", "pods=1:5000:7"]
        if command == "recommend" and fmt is None:
            # what-if on the table run only: it scores ~1,000 variants (the JSON run's findings
            # come from the same search, checked on the bundled data in test_whatif)
            args += ["--what-if"]
        outcome = invoke(capsys, *args)
        assert outcome.rc == 0, str(outcome)
        check_outcome(outcome, command, fmt)
    for command in (["matrix"], ["data", "show"], ["matrix", "--format", "json"], ["data", "show", "--format", "toml"]):
        outcome = invoke(capsys, *command, "--data-dir", str(data_dir))
        assert outcome.rc == 0 and outcome.out and not outcome.err, str(outcome)
        assert "\x1b" not in outcome.out, str(outcome)


# 60 generated data directories in four tests of 15, so pytest-xdist's workers share them (the one
# 60-example test was the suite's longest). Each test has its own name, so its derandomized examples
# differ from the others'. MESH_ADVISOR_FUZZ_SCALE=10 for a deeper run.
@examples(15)
@given(files=mutated_data_dir())
def test_any_data_directory_validates_or_names_every_problem_1(capsys, tmp_path, files) -> None:
    check_data_directory(capsys, tmp_path, files)


@examples(15)
@given(files=mutated_data_dir())
def test_any_data_directory_validates_or_names_every_problem_2(capsys, tmp_path, files) -> None:
    check_data_directory(capsys, tmp_path, files)


@examples(15)
@given(files=mutated_data_dir())
def test_any_data_directory_validates_or_names_every_problem_3(capsys, tmp_path, files) -> None:
    check_data_directory(capsys, tmp_path, files)


@examples(15)
@given(files=mutated_data_dir())
def test_any_data_directory_validates_or_names_every_problem_4(capsys, tmp_path, files) -> None:
    check_data_directory(capsys, tmp_path, files)


# ---------------------------------------------------------------- saved results fed to compare


def _export(*args: str) -> dict:
    return run_json("recommend", *args)


@functools.cache
def saved() -> tuple[dict, ...]:
    """Two saved results, made on first use rather than while pytest collects (a what-if run is slow)."""
    return (_export("--pods", "500"), _export("--pods", "5000", "--nodes", "50", "--require", "wasm", "--what-if"))


@st.composite
def result_file(draw) -> tuple[str, bytes, list[str]]:
    """A saved result, as written or edited by hand afterwards (or not a result at all)."""
    if draw(st.integers(0, 5)) == 0:
        name, content = draw(answers_file())
        return name, content, ["an answers file or junk"]
    doc = json.loads(json.dumps(saved()[draw(st.integers(0, 1))]))
    edits = [_mutate(draw, doc, "result") for _ in range(draw(st.integers(0, 3)))]
    if draw(st.booleans()):
        # the numbers compare subtracts: NaN, infinity and values near the float limit
        numeric = [
            p for p in _paths(doc) if isinstance(_at(doc, p), (int, float)) and not isinstance(_at(doc, p), bool)
        ]
        compared = [p for p in numeric if p[0] == "answers" or p[-1] in ("score", "monthly_usd", "delta")]
        place = draw(st.sampled_from(compared if compared and draw(st.integers(0, 3)) else numeric))
        *parents, last = place
        _at(doc, tuple(parents))[last] = value = draw(
            st.sampled_from([math.nan, math.inf, -math.inf, 1e308, -1e308, 10**400, -(10**30)])
        )
        edits.append(f"{'.'.join(map(str, place))} = {value!r:.40}")
    if draw(st.booleans()):
        return "result.json", json.dumps(doc, allow_nan=True, default=str).encode(), edits
    try:
        return "result.toml", tomli_w.dumps(doc).encode(), edits
    except (TypeError, ValueError):  # a mutation TOML cannot hold (e.g. None)
        return "result.json", json.dumps(doc, allow_nan=True, default=str).encode(), edits


@examples(120)
@given(first=result_file(), second=result_file())
def test_compare_takes_any_two_files_or_says_what_is_wrong(capsys, tmp_path, first, second) -> None:
    work = fresh_dir(tmp_path)
    paths = []
    for i, (name, content, _) in enumerate((first, second)):
        path = work / f"{i}-{name}"
        path.write_bytes(content)
        paths.append(str(path))
    for fmt in ("json", "table"):
        outcome = invoke(capsys, "compare", *paths, "--format", fmt)
        event(f"exit {outcome.rc}")
        assert outcome.rc in (0, 2), str(outcome)
        if outcome.rc == 2:
            check_outcome(outcome, "compare", fmt)
            continue
        assert "\x1b" not in outcome.out and "\x1b" not in outcome.err, str(outcome)
        assert all(line.startswith("mesh-advisor: warning: ") for line in outcome.err.splitlines()), str(outcome)
        if fmt == "json":
            doc = strict_json(outcome.out)
            assert doc["schema_version"] == 1 and set(doc) >= {"a", "b", "choice", "options", "summary"}
            assert_all_finite(doc)
        else:
            assert not re.search(r"\b(nan|inf)\b", outcome.out, re.IGNORECASE), str(outcome)


# ---------------------------------------------------------------- pinned regressions (one per class)


def test_regression_a_5000_digit_number_in_an_answers_file_is_a_short_error(capsys, tmp_path) -> None:
    # tomllib raises a plain ValueError (not TOMLDecodeError) past Python's int-string limit: it was exit 1.
    path = tmp_path / "answers.toml"
    path.write_text("pods = " + "9" * 5000 + "\n", encoding="utf-8")
    lines = check_outcome(invoke(capsys, "recommend", str(path), "--format", "json"), "recommend", "json")
    assert lines == [f"mesh-advisor: {path}: TOML syntax error: a number with more than 4300 digits"]


def test_regression_nan_in_an_answers_file_is_rejected_by_name(capsys, tmp_path) -> None:
    path = tmp_path / "answers.toml"
    path.write_text("l7_ratio = nan\n", encoding="utf-8")
    lines = check_outcome(invoke(capsys, "cost", str(path), "--format", "json"), "cost", "json")
    assert lines == [f"mesh-advisor: {path}: l7_ratio: expected a number from 0 to 1 (finite), got nan"]


def test_regression_bad_answers_file_with_output_leaves_nothing(capsys, tmp_path) -> None:
    path = tmp_path / "answers.json"
    path.write_bytes(b'{"pods": 12, "hops": ')  # cut off mid-write
    out_dir = fresh_dir(tmp_path)
    outcome = invoke(capsys, "recommend", str(path), "-o", str(out_dir / "result.toml"))
    check_outcome(outcome, "recommend", "toml")
    assert "JSON syntax error" in outcome.err
    assert list(out_dir.iterdir()) == []


def test_regression_a_sweep_of_garbage_names_the_flag(capsys) -> None:
    outcome = invoke(capsys, "cost", "--sweep", "pods=1:1e400:5", "--format", "json")
    lines = check_outcome(outcome, "cost", "json")
    assert lines[0].startswith("mesh-advisor: --sweep 'pods=1:1e400:5': ") and "expected a whole number" in lines[0]


def test_regression_a_pasted_megabyte_sweep_is_echoed_short(capsys) -> None:
    # the message used to repeat all 5,000 characters back on one line
    outcome = invoke(capsys, "cost", "--sweep", "pods=1:" + "9" * 5000, "--format", "json")
    lines = check_outcome(outcome, "cost", "json")
    assert lines[0].startswith("mesh-advisor: --sweep 'pods=1:999") and "...'" in lines[0] and len(lines[0]) < 300


def test_regression_a_pasted_megabyte_what_if_limit_is_echoed_short(capsys) -> None:
    outcome = invoke(capsys, "recommend", "--what-if-limit", "9" * 5000, "--format", "json")
    lines = check_outcome(outcome, "recommend", "json")
    assert lines == ["mesh-advisor: --what-if-limit: expected a whole number ≥ 1, got '" + "9" * 57 + "...'"]


def test_regression_truncated_data_file_names_the_file(capsys, tmp_path) -> None:
    data_dir = fresh_dir(tmp_path)
    (data_dir / "benchmarks.toml").write_bytes(BUNDLED["benchmarks.toml"][:1234])
    outcome = invoke(capsys, "data", "validate", str(data_dir))
    lines = check_data_problems(outcome)
    assert any(line.startswith("  benchmarks.toml: ") for line in lines[1:])


def test_regression_a_deeply_nested_data_file_is_a_problem_not_a_crash(capsys, tmp_path) -> None:
    # tomllib recurses per nesting level: 5000 levels raised RecursionError, exit 1
    data_dir = fresh_dir(tmp_path)
    (data_dir / "rules.toml").write_bytes(BUNDLED["rules.toml"] + b"\nx = " + b"[" * 5000 + b"]" * 5000 + b"\n")
    for command in (["data", "validate", str(data_dir)], ["recommend", "--data-dir", str(data_dir)]):
        lines = check_data_problems(invoke(capsys, *command))
        assert lines[1:] == ["  rules.toml: TOML syntax error: nested too deeply"]


def test_regression_a_saved_result_with_a_nan_score_is_refused_by_name(capsys, tmp_path) -> None:
    # compare subtracted it and wrote "delta": NaN, which no JSON reader accepts, and "+nan points"
    good, bad = tmp_path / "a.json", tmp_path / "b.toml"
    good.write_text(json.dumps(saved()[0]), encoding="utf-8")
    doc = json.loads(json.dumps(saved()[0]))
    doc["options"]["linkerd"]["score"] = math.nan
    bad.write_text(tomli_w.dumps(doc), encoding="utf-8")
    lines = check_outcome(invoke(capsys, "compare", str(good), str(bad), "--format", "json"), "compare", "json")
    assert lines[0].startswith(
        f"mesh-advisor: {bad}: options.linkerd.score: expected a finite number below 1e300, got nan"
    )


def test_regression_rules_without_points_for_required_capabilities_are_refused(capsys, tmp_path) -> None:
    # validated, then every --require crashed the scoring with KeyError: 'required' (exit 1)
    data_dir = fresh_dir(tmp_path)
    doc = json.loads(json.dumps(PARSED["rules.toml"]))
    del doc["ask_points"]["required"]
    (data_dir / "rules.toml").write_text(tomli_w.dumps(doc), encoding="utf-8")
    for command in (
        ["data", "validate", str(data_dir)],
        ["recommend", "--require", "mtls", "--data-dir", str(data_dir)],
    ):
        lines = check_data_problems(invoke(capsys, *command))
        assert lines[1:] == ["  rules.toml: ask_points: missing points for required capabilities"]


def test_regression_a_huge_figure_in_the_data_cannot_make_costs_infinite(capsys, tmp_path) -> None:
    data_dir = fresh_dir(tmp_path)
    doc = json.loads(json.dumps(PARSED["benchmarks.toml"]))
    doc["profiles"]["istio-1.24"]["figures"]["istio-proxy"]["cpu_vcpu_per_1000rps"]["value"] = 1e308
    (data_dir / "benchmarks.toml").write_text(tomli_w.dumps(doc), encoding="utf-8")
    lines = check_data_problems(invoke(capsys, "data", "validate", str(data_dir)))
    assert any("istio-proxy.cpu_vcpu_per_1000rps.value" in line for line in lines), lines
