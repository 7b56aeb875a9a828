"""The format registry, -o by extension, the injected Environment and the one schema check."""

from __future__ import annotations

import io
import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import pytest

from advisor.output import formats
from advisor.environment import Environment
from advisor.schema import SCHEMA_VERSION
from outcomes import run_cli


def run_in(env_columns: int | None, *args: str, **environ: str) -> tuple[int, str, str]:
    """Run in-process with an injected environment: no subprocess, no capsys."""
    return tuple(run_cli(*args, columns=env_columns, environ={"NO_COLOR": "1", **environ}))


# ---------------------------------------------------------------- -o and --format


@pytest.mark.parametrize("name", ["out.yaml", "out.txt", "result"])
def test_an_output_extension_it_does_not_write_is_refused_before_any_work(tmp_path: Path, name: str) -> None:
    target = tmp_path / name
    rc, out, err = run_in(100, "recommend", "--pods", "500", "-o", str(target))
    assert rc == 2 and out == ""
    assert "cannot tell the format from" in err and "name the file .toml" in err and "--format json" in err
    assert len(err.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_format_says_what_an_unknown_extension_holds(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    rc, out, err = run_in(100, "cost", "--pods", "500", "--format", "json", "-o", str(target))
    assert rc == 0 and out == ""  # a document format was asked for: nothing on the screen
    assert json.loads(target.read_text())["answers"]["pods"] == 500
    assert f"Wrote {target} (JSON)." in err


def test_the_extension_decides_and_the_table_is_still_shown(tmp_path: Path) -> None:
    target = tmp_path / "r.json"
    rc, out, err = run_in(120, "recommend", "--pods", "500", "-o", str(target))
    assert rc == 0 and "Recommendation:" in out
    assert json.loads(target.read_text())["schema_version"] == SCHEMA_VERSION


def test_dash_writes_toml_to_stdout() -> None:
    rc, out, _ = run_in(100, "cost", "--pods", "500", "-o", "-")
    assert rc == 0 and tomllib.loads(out)["answers"]["pods"] == 500


@pytest.mark.parametrize("command", [["matrix"], ["data", "show"], ["recommend"], ["cost"]])
def test_unknown_format_names_the_formats_of_that_command(command: list[str]) -> None:
    rc, out, err = run_in(100, *command, "--format", "yaml")
    assert rc == 2 and out == ""
    assert "--format: expected one of table, json, toml" in err and "'yaml'" in err


# ---------------------------------------------------------------- the injected environment


def test_a_table_renders_at_60_columns_in_process() -> None:
    rc, out, err = run_in(60, "recommend", "--pods", "2000", "--nodes", "40", "--require", "fault-injection")
    assert rc == 0 and err == ""
    # every line fits, but a source printed whole on its own line (a URL to click or copy)
    lines = [line for line in out.splitlines() if not re.match(r"^ \[\d+\] ", line)]
    assert "Recommendation:" in out and "Sources:" in out
    assert max(len(line) for line in lines) <= 60


def test_environment_width_comes_from_columns_then_environ() -> None:
    assert Environment(stdout=io.StringIO(), columns=72).width == 72
    assert Environment(stdout=io.StringIO(), environ={"COLUMNS": "99"}).width == 99
    assert Environment(stdout=io.StringIO(), environ={}).width == 80  # not a terminal, nothing said


def test_help_and_usage_errors_go_to_the_injected_streams() -> None:
    rc, out, err = run_in(100, "matrix", "--help")
    assert rc == 0 and "--feature" in out
    rc, out, err = run_in(100, "matrix", "--nope")
    assert rc == 2 and "No such option: --nope" in err


def test_version_goes_to_the_injected_stdout() -> None:
    rc, out, _ = run_in(100, "--version")
    assert rc == 0 and out.startswith("mesh-advisor ")


# ---------------------------------------------------------------- the registry


@dataclass(frozen=True)
class _Greeting:
    kind: ClassVar[str] = "test-greeting"
    name: str

    def to_document(self) -> dict[str, Any]:
        return {"schema_version": SCHEMA_VERSION, "greeting": f"hello {self.name}"}


def greeting_table(result: _Greeting, console: Any) -> None:
    console.print(f"Hello, {result.name}!")


def greeting_markdown(result: _Greeting) -> str:
    return f"# Hello {result.name}\n"


def test_a_new_kind_plugs_in_with_two_registrations(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(formats.TABLE_RENDERERS, "test-greeting", f"{__name__}:greeting_table")
    monkeypatch.setitem(formats.MARKDOWN_RENDERERS, "test-greeting", f"{__name__}:greeting_markdown")
    result = _Greeting("mesh")
    assert formats.available("test-greeting") == ("table", "json", "toml", "markdown")
    out = io.StringIO()
    env = Environment(stdout=out, stderr=io.StringIO(), environ={"NO_COLOR": "1"}, columns=80)
    formats.emit(result, env, formats.plan_output(None, None, "test-greeting"))
    formats.emit(result, env, formats.plan_output("json", None, "test-greeting"))
    formats.emit(result, env, formats.plan_output("md", None, "test-greeting"))
    text = out.getvalue()
    assert "Hello, mesh!" in text and '"greeting": "hello mesh"' in text and "# Hello mesh" in text


def test_every_registered_renderer_can_be_imported() -> None:
    for target in [*formats.TABLE_RENDERERS.values(), *formats.MARKDOWN_RENDERERS.values()]:
        assert callable(formats._load(target)), target


def test_markdown_is_refused_where_no_renderer_is_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(formats.MARKDOWN_RENDERERS, "matrix", raising=False)
    rc, out, err = run_in(100, "matrix", "--format", "md")
    assert rc == 2 and out == ""
    assert "--format: markdown is not available for this command; expected one of table, json, toml" in err


# ---------------------------------------------------------------- documents read back: one schema check


def _newer(tmp_path: Path) -> Path:
    rc, out, _ = run_in(100, "recommend", "--pods", "500", "--format", "json")
    assert rc == 0
    doc = json.loads(out)
    doc["schema_version"] = SCHEMA_VERSION + 1
    path = tmp_path / "newer.json"
    path.write_text(json.dumps(doc))
    return path


def test_answers_and_compare_refuse_a_newer_schema_with_the_same_words(tmp_path: Path) -> None:
    newer = _newer(tmp_path)
    words = f"written by a newer mesh-advisor (schema_version {SCHEMA_VERSION + 1}; this version reads {SCHEMA_VERSION}); upgrade mesh-advisor"
    rc, _, err_answers = run_in(100, "recommend", "--answers", str(newer))
    assert rc == 2 and words in err_answers
    rc, _, err_compare = run_in(100, "compare", str(newer), str(newer))
    assert rc == 2 and words in err_compare


def test_compare_prints_a_data_version_warning_once(tmp_path: Path) -> None:
    rc, out, _ = run_in(100, "recommend", "--pods", "500", "--format", "json")
    doc = json.loads(out)
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(json.dumps(doc))
    doc["meta"]["data_version"] = "1999-01-01"
    b.write_text(json.dumps(doc))
    rc, out, err = run_in(200, "compare", str(a), str(b))
    assert rc == 0
    assert err.count("different data versions") == 1 and "different data versions" not in out
    rc, out, err = run_in(200, "compare", str(a), str(b), "--format", "json")
    assert json.loads(out)["warnings"] and err.count("different data versions") == 1


def test_json_prints_short_flat_records_one_per_line_and_is_otherwise_json_dumps_indent_2() -> None:
    rows = [{"name": f"ns-{i}", "pods": 10 * i, "l7": i % 2 == 0, "rps": 1.5 * i} for i in range(3)]
    doc = {"answers": {"namespaces": rows, "nodes": 12}, "components": [{"id": "x" * 130, "n": 1}], "empty": []}
    text = formats.dumps(doc, "json")
    assert json.loads(text) == doc
    lines = text.splitlines()
    assert '      {"name": "ns-1", "pods": 10, "l7": false, "rps": 1.5},' in lines  # one record, one line
    # a record longer than ROW_WIDTH on one line, and everything else, is json.dumps(indent=2)
    rest = {k: v for k, v in doc.items() if k != "answers"}
    assert formats.dumps(rest, "json") == json.dumps(rest, indent=2, ensure_ascii=False) + "\n"
    assert formats.dumps({"a": None, "b": [None, {"c": None}]}, "json") == '{\n  "b": [\n    {}\n  ]\n}\n'


def test_records_whose_text_holds_a_record_boundary_still_print_one_per_line() -> None:
    """The list is encoded at once and cut at `}, {`: a name holding `}, {` must not cut a record."""
    rows = [{"name": "a}, {b", "pods": 1}, {"name": "c", "pods": 2}, {"name": "}, {", "pods": 3}]
    lines = formats.dumps({"namespaces": rows}, "json").splitlines()
    assert lines[2:5] == [
        '    {"name": "a}, {b", "pods": 1},',
        '    {"name": "c", "pods": 2},',
        '    {"name": "}, {", "pods": 3}',
    ]
    assert json.loads("\n".join(lines)) == {"namespaces": rows}
    # one record: the cut has nothing to cut
    assert formats.dumps({"n": [{"a": 1}]}, "json") == '{\n  "n": [\n    {"a": 1}\n  ]\n}\n'
