"""Text from data and answers files is shown literally: rich markup stays text, escape sequences stay inert.

A data directory whose every user-visible string carries markup (`[bold red]`, `[/]`, `[link=...]`)
and terminal escapes (colour, an OSC 8 hyperlink, BEL) goes through every view. Each string must
appear exactly as written, control characters shown as `\\x1b`-style escapes, and no ESC byte may
reach stdout or stderr (the runs are not on a terminal, so rich adds no styling of its own).
"""

from __future__ import annotations

import io
import json
import tomllib
from pathlib import Path

import pytest
import tomli_w
from outcomes import ESC, check_data_problems, check_document, check_error, invoke, only_warnings, plain_terminal  # noqa: F401

from outcomes import OPTION_IDS

from advisor.catalog.models import DATA_FILES
from advisor.catalog.files import bundled_data_dir
from advisor.errors import visible

pytestmark = pytest.mark.usefixtures("plain_terminal", "wide")


@pytest.fixture
def wide(plain_terminal):
    # wide enough that no string is wrapped, so each one can be found whole
    plain_terminal.setenv("COLUMNS", "3000")


def hostile(tag: str) -> str:
    """A string holding the tag once, wrapped in markup and escape sequences that must not take effect."""
    return (
        f"[bold red]<{tag}>[/] [/] [link=https://evil.example]click[/link] "
        "\x1b[31mred\x1b[0m \x1b]8;;https://evil.example\x07link\x1b]8;;\x07 bell\x07"
    )


def hostile_name(tag: str) -> str:
    """The same for a file name, which cannot hold a slash."""
    return f"[bold red]<{tag}>[red] \x1b[31mred\x1b[0m bell\x07"


def shown(tag: str) -> str:
    """How the hostile string must look on screen: the markup as typed, control characters escaped."""
    return visible(hostile(tag))


def assert_literal(text: str, *tags: str, whole: bool = True) -> None:
    """Each tag is on screen, and every time it appears it sits inside its string, intact.

    `whole=False` is for narrow columns that wrap a long string: then the markup around the tag
    must be intact, and the escapes must be shown somewhere.
    """
    assert ESC not in text
    for tag in tags:
        count = text.count(f"<{tag}>")
        assert count > 0, f"<{tag}> not shown"
        expected = shown(tag) if whole else f"[bold red]<{tag}>[/]"
        assert text.count(expected) == count, f"<{tag}> shown but not literally:\n{_around(text, f'<{tag}>')}"
    if not whole:
        assert "\\x1b[31mred\\x1b[0m" in text and "\\x1b]8;;https://evil.example\\x07" in text


def assert_never_interpreted(text: str, tags: list[str]) -> None:
    """Tags the view may or may not show (e.g. only the top reasons): wherever shown, shown literally."""
    assert ESC not in text
    for tag in tags:
        assert text.count(shown(tag)) == text.count(f"<{tag}>"), _around(text, f"<{tag}>")


def _around(text: str, needle: str) -> str:
    at = text.find(needle)
    return text[max(0, at - 200) : at + 300]


PROFILE = hostile("profile-id")
PRESET = hostile("preset-id")


def _edit_features(doc: dict) -> list[str]:
    tags = []
    doc["data_version"] = hostile("data-version")
    for opt in doc["options"]:
        opt["name"] = hostile(f"name-{opt['id']}")
        opt["version"] = hostile(f"version-{opt['id']}")
    for group in doc["groups"]:
        group["title"] = hostile(f"group-{group['id']}")
    for feat in doc["features"]:
        feat["name"] = hostile(f"feature-{feat['id']}")
        for oid, cell in feat["cells"].items():
            cell["note"] = hostile(f"note-{feat['id']}-{oid}")
            cell["version"] = hostile(f"cellversion-{feat['id']}-{oid}")
            cell["source"] = hostile(f"source-{feat['id']}-{oid}")
            tags += [f"note-{feat['id']}-{oid}", f"source-{feat['id']}-{oid}"]
    return tags


COMPONENT = hostile("component-id")


def _edit_benchmarks(doc: dict) -> None:
    for comp in doc["components"]:
        comp["name"] = hostile(f"component-{comp['id']}")
    # a component id is shown too (cost's per-component table): rename one everywhere it is used
    renamed = doc["components"][0]["id"]
    doc["components"][0]["id"] = COMPONENT
    for prof in doc["profiles"].values():
        if renamed in prof.get("figures", {}):
            prof["figures"][COMPONENT] = prof["figures"].pop(renamed)
    for entry in doc.get("unpublished", []):  # the figures left out of the default name components too
        entry["components"] = [COMPONENT if c == renamed else c for c in entry.get("components", [])]
    old = doc["default_profile"]
    profiles = doc["profiles"]
    profiles[PROFILE] = profiles.pop(old)
    for prof in profiles.values():
        if prof.get("extends") == old:
            prof["extends"] = PROFILE
    doc["default_profile"] = PROFILE
    prof = profiles[PROFILE]
    prof["title"] = hostile("profile-title")
    prof["description"] = hostile("profile-description")
    for figs in (*prof["figures"].values(), *prof["latency"].values()):
        for name, fig in figs.items():
            fig["source"] = hostile("figure-source")
            fig["version"] = hostile("figure-version")
            fig["note"] = hostile("figure-note")


def _edit_pricing(doc: dict) -> None:
    old = doc["default_preset"]
    doc["presets"][PRESET] = doc["presets"].pop(old)
    doc["default_preset"] = PRESET
    preset = doc["presets"][PRESET]
    preset["title"] = hostile("preset-title")
    for name in ("cpu_usd_per_vcpu_hour", "memory_usd_per_gib_hour"):
        preset[name]["source"] = hostile("price-source")
        preset[name]["note"] = hostile("price-note")


def _edit_rules(doc: dict) -> list[str]:
    tags = []
    for i, rule in enumerate(doc["rules"]):
        rule["text"] = hostile(f"rule-{rule['id']}")
        rule["source"] = hostile(f"rulesource-{rule['id']}")
        tags += [f"rule-{rule['id']}", f"rulesource-{rule['id']}"]
    for wrule in doc["weight_rules"]:
        wrule["text"] = hostile(f"weight-{wrule['id']}")
        tags.append(f"weight-{wrule['id']}")
    for lrule in doc["level_rules"]:
        lrule["text"] = hostile(f"level-{lrule['id']}") + " {feature}"
        tags.append(f"level-{lrule['id']}")
    return tags


@pytest.fixture(scope="module")
def hostile_data(tmp_path_factory) -> tuple[Path, list[str]]:
    """A valid data directory in which every string a person reads is hostile."""
    target = tmp_path_factory.mktemp("hostile-data")
    docs = {name: tomllib.loads((bundled_data_dir() / name).read_text(encoding="utf-8")) for name in DATA_FILES}
    tags = _edit_features(docs["features.toml"]) + _edit_rules(docs["rules.toml"])
    _edit_benchmarks(docs["benchmarks.toml"])
    _edit_pricing(docs["pricing.toml"])
    for name, doc in docs.items():
        (target / name).write_text(tomli_w.dumps(doc), encoding="utf-8")
    return target, tags


def test_the_hostile_data_is_valid_data(capsys, hostile_data) -> None:
    data_dir, _ = hostile_data
    outcome = invoke(capsys, "data", "validate", str(data_dir))
    assert outcome.rc == 0, str(outcome)


@pytest.mark.slow
def test_matrix_shows_names_notes_versions_and_sources_literally(capsys, hostile_data) -> None:
    data_dir, tags = hostile_data
    outcome = invoke(capsys, "matrix", "--data-dir", str(data_dir))
    assert outcome.rc == 0 and only_warnings(outcome.err), str(outcome)
    assert_literal(
        outcome.out,
        "note-mtls-linkerd",
        "cellversion-mtls-istio-ambient",
        "source-fault-injection-istio-sidecar",
    )
    # option names head narrow columns and feature names sit in a 28-column one: they wrap
    assert_literal(outcome.out, *(f"name-{o}" for o in OPTION_IDS), "feature-mtls", whole=False)
    assert_never_interpreted(outcome.out, tags)
    # group titles are shown in capitals (and wrapped in the first column), still literally
    assert "RED]<GROUP-SECURITY>[/]" in outcome.out


def test_data_show_shows_figures_prices_and_profiles_literally(capsys, hostile_data) -> None:
    data_dir, _ = hostile_data
    outcome = invoke(capsys, "data", "show", "--data-dir", str(data_dir))
    assert outcome.rc == 0 and only_warnings(outcome.err), str(outcome)
    assert_literal(
        outcome.out,
        "data-version",
        "profile-id",
        "profile-title",
        "profile-description",
        "figure-source",
        "figure-version",
        "figure-note",
        "preset-id",
        "preset-title",
        "price-source",
        "price-note",
    )


DONE_WHEN = ["--pods", "2000", "--require", "fault-injection", "--risk", "conservative"]


def test_recommend_shows_summary_reasons_blockers_and_weights_literally(capsys, hostile_data) -> None:
    data_dir, tags = hostile_data
    outcome = invoke(capsys, "recommend", *DONE_WHEN, "--data-dir", str(data_dir))
    assert outcome.rc == 0 and only_warnings(outcome.err), str(outcome)
    assert_literal(
        outcome.out,
        *(f"name-{o}" for o in OPTION_IDS),  # panel titles, ranking, summary, cost table
        "feature-fault-injection",  # reasons and blockers
        "note-fault-injection-istio-ambient",  # the blocker's note
        "source-fault-injection-istio-ambient",  # the blocker's source
        "note-fault-injection-linkerd",  # a reason's text
        "weight-risk-conservative",  # the weights line
        "profile-id",  # assumptions and defaulted answers
        "profile-title",
    )
    assert_never_interpreted(outcome.out, tags)


def test_recommend_documents_carry_the_strings_unchanged_and_escaped(capsys, hostile_data) -> None:
    data_dir, _ = hostile_data
    for fmt in ("json", "toml"):
        outcome = invoke(capsys, "recommend", *DONE_WHEN, "--data-dir", str(data_dir), "--format", fmt)
        assert outcome.rc == 0 and ESC not in outcome.out, str(outcome)
        doc = json.loads(outcome.out) if fmt == "json" else tomllib.loads(outcome.out)
        check_document(doc, "recommend")
        assert doc["answers"]["benchmark_profile"] == PROFILE
        assert doc["options"]["linkerd"]["name"] == hostile("name-linkerd")
        blocker = doc["options"]["istio-ambient"]["blockers"][0]
        assert blocker["source"] == hostile("source-fault-injection-istio-ambient")


def test_cost_shows_components_profile_and_sweep_literally(capsys, hostile_data) -> None:
    data_dir, _ = hostile_data
    outcome = invoke(capsys, "cost", "--pods", "500", "--sweep", "pods=100:5000:5", "--data-dir", str(data_dir))
    assert outcome.rc == 0 and only_warnings(outcome.err), str(outcome)
    assert_literal(
        outcome.out,
        *(f"name-{o}" for o in OPTION_IDS),
        "component-id",
        "profile-id",
        "profile-title",
    )


@pytest.mark.slow
def test_what_if_shows_option_names_and_profiles_literally(capsys, hostile_data) -> None:
    data_dir, tags = hostile_data
    outcome = invoke(capsys, "recommend", "--what-if", "--pods", "500", "--data-dir", str(data_dir))
    assert outcome.rc == 0 and only_warnings(outcome.err), str(outcome)
    assert_literal(outcome.out, *(f"name-{o}" for o in OPTION_IDS))
    assert_never_interpreted(outcome.out, [*tags, "profile-id", "preset-id"])


def test_compare_shows_what_two_hostile_results_hold_literally(capsys, tmp_path, hostile_data) -> None:
    data_dir, tags = hostile_data
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    for path, extra in ((a, ["--pods", "500"]), (b, ["--pods", "5000", "--require", "wasm"])):
        assert invoke(capsys, "recommend", *extra, "--data-dir", str(data_dir), "-o", str(path)).rc == 0
    # a hand-edited result: the category of a reason is read from the file too
    doc = json.loads(b.read_text(encoding="utf-8"))
    doc["options"]["linkerd"]["reasons"][0]["category"] = hostile("category")
    b.write_text(json.dumps(doc), encoding="utf-8")
    outcome = invoke(capsys, "compare", str(a), str(b))
    assert outcome.rc == 0, str(outcome)
    assert_literal(outcome.out, *(f"name-{o}" for o in OPTION_IDS), "category")
    assert_never_interpreted(outcome.out, [*tags, "feature-wasm"])
    compared = invoke(capsys, "compare", str(a), str(b), "--format", "json")
    assert compared.rc == 0 and ESC not in compared.out


@pytest.mark.slow
def test_the_wizard_prints_data_text_literally(tmp_path, hostile_data) -> None:
    """Notes between the prompts, the result and the reproducing command, on hostile data."""
    from prompt_toolkit.data_structures import Size
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output.vt100 import Vt100_Output
    from rich.console import Console

    from advisor.cli import wizard_command
    from advisor.catalog.load import load_catalog
    from advisor.answers.registry import QUESTIONS

    data_dir, tags = hostile_data
    catalog = load_catalog(data_dir)
    # every answer but the required capabilities comes as a flag; tick the first capability
    flags = {q.key: None for q in QUESTIONS} | {
        "pods": "500",
        "prefer": ["mtls"],
        "current_mesh": "none",
        "team_experience": "some",
        "envoy_experience": False,
        "risk": "conservative",
        "cost_sensitivity": "medium",
        "latency_sensitivity": "medium",
        "cost_basis": "usage",
        "nodes": "10",
        "namespaces": "5",
        "mesh_rps": "1000",
        "l7_ratio": "0.2",
        "hops": "3",
        "cpu_price": "0.03",
        "memory_price": "0.004",
        "benchmark_profile": PROFILE,
        "platform": "generic",
        "vendor_distribution": False,
    }
    console = Console(file=io.StringIO(), width=3000, color_system=None)
    screen = io.StringIO()
    # the must-haves list features by group, as the matrix does, without the one already preferred
    order = [
        f.id for g in catalog.features.groups for f in catalog.features.features if f.group == g.id and f.id != "mtls"
    ]
    with create_pipe_input() as pipe:
        pipe.send_text("\x1b[B" * order.index("fips") + " \r")  # Linkerd has no FIPS build: a note names it
        pipe.close()
        wizard_command.run(
            catalog,
            console,
            flags,
            {},
            "answers",
            lambda: "2026-01-01T00:00:00Z",
            save_to=str(tmp_path / "result.toml"),
            data_dir=str(data_dir),
            pt_input=pipe,
            pt_output=Vt100_Output(screen, lambda: Size(rows=60, columns=200), term="xterm"),
        )
    printed = console.file.getvalue()
    assert "lacks fips" in printed
    assert_literal(printed, *(f"name-{o}" for o in OPTION_IDS), "profile-id")
    assert_never_interpreted(printed, tags)
    # the prompts are drawn by prompt_toolkit, which shows a control character as ^[ rather than obeying it
    assert "\x1b]8;;https://evil.example" not in screen.getvalue()


# ---------------------------------------------------------------- error messages


def _bad_copy(tmp_path: Path, hostile_data, edit) -> Path:
    data_dir, _ = hostile_data
    target = tmp_path / "bad-data"
    target.mkdir()
    for name in DATA_FILES:
        doc = tomllib.loads((data_dir / name).read_text(encoding="utf-8"))
        edit(name, doc)
        (target / name).write_text(tomli_w.dumps(doc), encoding="utf-8")
    return target


@pytest.mark.slow
def test_data_problems_quote_hostile_values_without_obeying_them(capsys, tmp_path, hostile_data) -> None:
    def edit(name: str, doc: dict) -> None:
        if name == "features.toml":
            doc["features"][0]["group"] = hostile("unknown-group")
        if name == "benchmarks.toml":
            doc["profiles"][PROFILE]["extends"] = hostile("unknown-profile")

    bad = _bad_copy(tmp_path, hostile_data, edit)
    for command in (
        ["data", "validate", str(bad)],
        ["recommend", "--data-dir", str(bad)],
        ["matrix", "--data-dir", str(bad)],
    ):
        lines = check_data_problems(invoke(capsys, *command))
        text = "\n".join(lines)
        assert_literal(text, "unknown-group", "unknown-profile")
        assert all(line.count("\n") == 0 for line in lines)


def test_answers_file_keys_and_values_in_errors_are_shown_not_obeyed(capsys, tmp_path) -> None:
    path = tmp_path / "answers.toml"
    path.write_text(tomli_w.dumps({hostile("bad-key"): 1}), encoding="utf-8")
    lines = check_error(invoke(capsys, "recommend", str(path)))
    assert "unknown key" in lines[0] and "[bold red]<bad-key>[/]" in lines[0]
    assert "\\x1b[31mred" in lines[0] and "\\x07" in lines[0]

    path.write_text(
        tomli_w.dumps({"risk": hostile("bad-risk"), "benchmark_profile": hostile("bad-profile")}), encoding="utf-8"
    )
    lines = check_error(invoke(capsys, "cost", str(path)))
    text = "\n".join(lines)
    assert "risk: expected one of conservative, balanced, early-adopter, got '[bold red]<bad-risk>[/]" in text
    assert "benchmark_profile: unknown benchmark profile '[bold red]<bad-profile>[/]" in text


def test_flag_values_and_file_names_in_errors_are_shown_not_obeyed(capsys, tmp_path) -> None:
    lines = check_error(invoke(capsys, "recommend", "--team-experience", hostile("flag")))
    assert lines[0].startswith(
        "mesh-advisor: --team-experience: expected one of none, some, expert, got '[bold red]<flag>[/]"
    )

    lines = check_error(invoke(capsys, "matrix", "--feature", hostile("feature")))
    assert "[bold red]<feature>[/]" in lines[0]

    lines = check_error(invoke(capsys, "cost", "--sweep", hostile("sweep")))
    assert "[bold red]<sweep>[/]" in lines[0]

    lines = check_error(invoke(capsys, "recommend", f"--no-such-flag{hostile('option')}"))
    assert "No such option" in lines[0]

    named = tmp_path / f"answers{hostile_name('file')}.toml"
    named.write_text("pods = 'many'\n", encoding="utf-8")
    lines = check_error(invoke(capsys, "recommend", str(named)))
    assert "answers[bold red]<file>[red]" in lines[0] and "\\x1b[31mred" in lines[0]


def test_a_line_break_in_a_value_cannot_forge_a_second_message_line(capsys, tmp_path) -> None:
    path = tmp_path / "answers.toml"
    path.write_text(tomli_w.dumps({"pods\nmesh-advisor: all good": 1}), encoding="utf-8")
    lines = check_error(invoke(capsys, "recommend", str(path)))
    assert len(lines) == 1 and "pods\\nmesh-advisor: all good" in lines[0]


def test_the_written_note_names_an_odd_output_path_literally(capsys, tmp_path) -> None:
    out = tmp_path / f"result{hostile_name('out')}.json"
    outcome = invoke(capsys, "recommend", "-o", str(out))
    assert outcome.rc == 0 and out.exists(), str(outcome)
    assert ESC not in outcome.err and "[bold red]<out>[red] \\x1b[31mred" in outcome.err
