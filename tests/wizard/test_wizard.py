"""The wizard's prompt flow, driven by keystrokes through prompt_toolkit pipe input (no terminal needed)."""

from __future__ import annotations

import io
import json
import re
import shlex
import tomllib
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from prompt_toolkit.data_structures import Size
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output.vt100 import Vt100_Output
from questionary import Separator
from questionary.prompts.common import InquirerControl
from rich.console import Console

from advisor.answers import wizard
from advisor.answers.command_line import reproducing_command
from advisor.cli import wizard_command
from advisor.__main__ import main
from advisor.environment import Environment
from advisor.answers.resolve import defaults
from advisor.catalog.load import load_catalog
from advisor.errors import Interrupted
from advisor.answers.registry import BY_KEY, QUESTIONS

# Each test runs prompt_toolkit sessions (about half a second each).
pytestmark = pytest.mark.slow

ENTER, SPACE, DOWN, UP, BACKSPACE, CTRL_C, CTRL_D = "\r", " ", "\x1b[B", "\x1b[A", "\x7f", "\x03", "\x04"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")

CATALOG = load_catalog()
NO_FLAGS: dict[str, Any] = {q.key: None for q in QUESTIONS}


class Run:
    """One wizard session: what the prompts drew, what was printed between them, and the answers."""

    def __init__(self) -> None:
        self.screen = io.StringIO()
        self.console = Console(file=io.StringIO(), width=100, color_system=None)

    @property
    def prompts(self) -> str:
        return ANSI.sub("", self.screen.getvalue())

    @property
    def printed(self) -> str:
        return self.console.file.getvalue()

    @property
    def printed_flat(self) -> str:
        """What was printed, with line wrapping undone."""
        return " ".join(self.printed.split())

    def pt(self) -> dict[str, Any]:
        output = Vt100_Output(self.screen, lambda: Size(rows=60, columns=100), term="xterm")
        return {"pt_output": output}


# The price preset list settles cpu_price and memory_price at once; tests answer it as "prices".
PRICES = "prices"
IN_USE = "in_use"  # the list of what a scan found in use, offered as must-haves
END = None  # as a prompt's keys: the input ends there (as Ctrl-D or a closed pipe would)
Keys = str | None


def prompt_id(step: wizard.Step) -> str:
    if not step.keys:
        return IN_USE  # settles no answer of its own: it ticks must-haves from the scan's evidence
    return PRICES if step.keys == wizard.PRICE_KEYS else step.keys[0]


class Typist:
    """Types each prompt's keys as the wizard puts the prompt up, found by the question's key.

    `{"pods": "2000" + ENTER, "risk": UP + ENTER}`: a prompt not listed gets Enter (the offered value is
    kept), so a new question breaks no test; a list gives the keys for each time the prompt is asked
    (Shift-Tab asks one again). A key listed but never asked fails the test.
    """

    def __init__(self, pipe: Any, by_key: dict[str, Keys | list[Keys]]) -> None:
        self.pipe = pipe
        self.pending = {k: list(v) if isinstance(v, list) else [v] for k, v in by_key.items()}
        self.asked: list[str] = []
        self.ended = False

    def steps(self, steps: list[wizard.Step]) -> list[wizard.Step]:
        return [replace(s, build=self._typing(s)) for s in steps]

    def _typing(self, step: wizard.Step):
        def build(state):
            question = step.build(state)
            key = prompt_id(step)
            self.asked.append(key)
            queue = self.pending.get(key)
            keys = queue.pop(0) if queue else ENTER
            if keys is END:
                self.end()
            elif not self.ended:
                self.pipe.send_text(keys)
            return question

        return build

    def type(self, keys: str) -> None:
        if not self.ended:
            self.pipe.send_text(keys)

    def end(self) -> None:
        self.ended = True
        self.pipe.close()

    def check_all_typed(self) -> None:
        left = {k: v for k, v in self.pending.items() if v}
        assert not left, f"keys for prompts never asked: {left} (asked: {self.asked})"


@contextmanager
def typist(by_key: dict[str, Keys | list[Keys]]):
    with create_pipe_input() as pipe, pytest.MonkeyPatch.context() as mp:
        typing = Typist(pipe, by_key)
        build_steps = wizard.build_steps
        mp.setattr(wizard, "build_steps", lambda *a, **kw: typing.steps(build_steps(*a, **kw)))
        yield typing


def ask(
    by_key: dict[str, Keys | list[Keys]] | None = None,
    flags: dict[str, Any] | None = None,
    file_values: dict[str, Any] | None = None,
    file_label: str = "team.toml",
    scan_values: dict[str, Any] | None = None,
    scan_label: str = "scan",
):
    """Answer the wizard's prompts by key (see Typist); then the input ends, so a test cannot hang."""
    run = Run()
    with typist(by_key or {}) as typing:
        try:
            resolved = wizard.ask_answers(
                CATALOG,
                run.console,
                {**NO_FLAGS, **(flags or {})},
                file_values or {},
                file_label,
                pt_input=typing.pipe,
                **run.pt(),
                scan_values=scan_values,
                scan_label=scan_label,
            )
        finally:
            run.asked = typing.asked
        typing.check_all_typed()
    return resolved, run


def steps_for(flags: dict[str, Any] | None = None) -> list[wizard.Step]:
    return wizard.build_steps(CATALOG, {**NO_FLAGS, **(flags or {})})


def checkbox_keys(feature_ids: list[str], hidden: tuple[str, ...] = ()) -> str:
    """Arrow down to each feature (list order: by group, as the matrix lists them) and tick it with space."""
    order = [
        f.id
        for g in CATALOG.features.groups
        for f in CATALOG.features.features
        if f.group == g.id and f.id not in hidden
    ]
    keys, at = "", 0
    for fid in sorted(feature_ids, key=order.index):
        keys += DOWN * (order.index(fid) - at) + SPACE
        at = order.index(fid)
    return keys + ENTER


# ---------------------------------------------------------------- the flow


def test_every_answer_is_asked_in_sections_with_its_help_and_unit() -> None:
    resolved, run = ask()
    assert resolved.answers.as_dict() == {
        k: (list(v) if isinstance(v, tuple) else v) for k, v in defaults(CATALOG).items()
    }
    assert set(resolved.defaulted) == set(BY_KEY)
    for title in ("Workload", "Capabilities", "Team and risk", "Platform and distribution", "Prices and benchmarks"):
        assert title in run.printed
    for q in QUESTIONS:
        # one price select stands for both; sizing details (node size, HA...) are flags and files only
        if q.key not in ("cpu_price", "memory_price") and q.wizard:
            assert q.prompt in run.prompts, q.key
            assert wizard.FEATURE_HELP.get(q.key, q.help) in run.printed_flat, q.key
    # the hint names the unit only where the question does not
    assert "How many pods will be in the mesh?  (Enter keeps 100)" in run.prompts
    assert "(Enter keeps 1000 requests/s)" in run.prompts
    assert "(0 to 1)\r\n  (Enter keeps 0.2)" in run.prompts  # no room left to type on its line at 100 columns
    # Enter on an empty answer writes the kept value, so the screen shows it.
    assert re.search(r"How many pods will be in the mesh\?.*Enter keeps 100\) 100", run.prompts)


def test_happy_path_typed_answers_and_choices() -> None:
    by_key = {
        "pods": "2000" + ENTER,
        "nodes": "40" + ENTER,
        "namespaces": "12" + ENTER,
        "mesh_rps": "5000" + ENTER,
        "l7_ratio": "0.5" + ENTER,
        "hops": "4" + ENTER,
        "require": checkbox_keys(["fault-injection"]),
        "prefer": checkbox_keys(["traffic-mirroring"], hidden=("fault-injection",)),
        "current_mesh": DOWN * 2 + ENTER,  # none -> istio-sidecar (none, then the options as the data lists them)
        "team_experience": DOWN + ENTER,  # some -> expert
        "envoy_experience": "y",
        "risk": UP + ENTER,  # balanced -> conservative
        "cost_sensitivity": DOWN + ENTER,  # medium -> high
        "latency_sensitivity": UP + ENTER,  # medium -> low
        PRICES: DOWN + ENTER,  # the default preset -> the next preset
        "cost_basis": DOWN + ENTER,  # usage -> requests
    }
    resolved, run = ask(by_key)
    a = resolved.answers
    second_preset = list(CATALOG.pricing.presets.values())[1]
    assert (a.pods, a.nodes, a.namespaces, a.mesh_rps, a.l7_ratio, a.hops) == (2000, 40, 12, 5000.0, 0.5, 4)
    assert a.require == ("fault-injection",) and a.prefer == ("traffic-mirroring",)
    assert (a.current_mesh, a.team_experience, a.envoy_experience, a.risk) == (
        "istio-sidecar",
        "expert",
        True,
        "conservative",
    )
    assert (a.cost_sensitivity, a.latency_sensitivity, a.cost_basis) == ("high", "low", "requests")
    assert a.cpu_price == second_preset.cpu_usd_per_vcpu_hour.value
    assert a.memory_price == second_preset.memory_usd_per_gib_hour.value
    assert tuple(k for k in resolved.defaulted if BY_KEY[k].wizard) == (
        "platform",
        "vendor_distribution",
        "benchmark_profile",
    )
    assert resolved.origin["pods"] == "typed"
    # After the must-haves, the options that lack one, from the matrix levels and risk rules.
    assert "Must-haves: fault-injection" in run.printed
    assert "Istio ambient has fault-injection only at alpha: a blocker if risk is conservative" in run.printed


def test_rejected_value_is_explained_then_corrected() -> None:
    resolved, _ = ask({"l7_ratio": "abc" + ENTER + BACKSPACE * 3 + "1.5" + ENTER + BACKSPACE * 3 + "0.75" + ENTER})
    assert resolved.answers.l7_ratio == 0.75
    # What the toolbar shows is the same words a flag gets (one validation path); keys typed ahead
    # are handled before the toolbar is drawn, so tests/tty checks the screen itself.
    l7 = wizard.text_validator(CATALOG, BY_KEY["l7_ratio"])
    assert l7("abc") == "expected a number from 0 to 1, got 'abc'"
    assert l7("1.5") == "expected a number from 0 to 1, got '1.5'"


def test_inline_validation_is_the_flag_validation(cli) -> None:
    message = wizard.text_validator(CATALOG, BY_KEY["pods"])("0")
    rc, _, err = cli("recommend", "--pods", "0")
    assert rc == 2 and message in err
    assert wizard.text_validator(CATALOG, BY_KEY["pods"])("") is True  # empty keeps the offered value


def test_checkboxes_move_with_arrows_and_tick_with_space() -> None:
    # Tick vm-workloads and wasm, go back up past them and tick mtls, then untick wasm.
    order = [f.id for g in CATALOG.features.groups for f in CATALOG.features.features if f.group == g.id]
    vm, wasm = order.index("vm-workloads"), order.index("wasm")
    must = DOWN * vm + SPACE + DOWN * (wasm - vm) + SPACE + UP * wasm + SPACE + DOWN * wasm + SPACE + ENTER
    # mtls, vm-workloads are hidden from the nice-to-haves; tick the first one left (l4-authz).
    nice = SPACE + ENTER
    resolved, run = ask({"require": must, "prefer": nice})
    assert resolved.answers.require == ("mtls", "vm-workloads")
    assert resolved.answers.prefer == ("l4-authz",)
    assert "Istio ambient lacks vm-workloads (none)" in run.printed
    assert "Istio sidecar has" not in run.printed  # vm-workloads is beta there: no blocker


def test_each_capability_is_listed_with_its_description() -> None:
    require = next(s for s in steps_for() if s.keys == ("require",))
    state = {k: getattr(wizard.resolve(CATALOG).answers, k) for k in BY_KEY}
    titles = [c.title for c in _inquirer(require.build(state)).choices if not isinstance(c, Separator)]
    assert len(titles) == len(CATALOG.feature_ids)
    feature = CATALOG.feature("vm-workloads")
    assert f"{feature.name} — {feature.description}" in titles


def _inquirer(question) -> InquirerControl:
    return next(
        w.content for w in question.application.layout.find_all_windows() if isinstance(w.content, InquirerControl)
    )


def test_gaps_report_each_option_once_and_all_clear() -> None:
    assert wizard.must_have_gaps(CATALOG, ("mtls",)) == ["Every option offers all 1 must-have."]
    lines = wizard.must_have_gaps(CATALOG, ("vm-workloads", "wasm"))
    assert "Linkerd lacks wasm (none)" in lines
    assert "Istio ambient lacks vm-workloads (none)" in lines
    assert "Istio ambient has wasm only at alpha: a blocker if risk is conservative" in lines


# ---------------------------------------------------------------- pre-fill rules


def test_flags_are_not_asked() -> None:
    flags = {"pods": "700", "require": ["mtls"], "risk": "early-adopter", "cpu_price": "0.05"}
    steps = steps_for(flags)
    asked = {k for s in steps for k in s.keys}
    assert not asked & {"pods", "require", "risk", "cpu_price"}
    assert "memory_price" in asked  # the other price is asked on its own, without the preset list
    resolved, run = ask(flags=flags)
    assert "How many pods" not in run.prompts and "must the mesh have" not in run.prompts
    assert "Which prices" not in run.prompts
    a = resolved.answers
    assert (a.pods, a.require, a.risk, a.cpu_price) == (700, ("mtls",), "early-adopter", 0.05)
    assert all(resolved.origin[k] == "flag" for k in ("pods", "require", "risk", "cpu_price"))


def test_answers_file_values_are_the_offered_defaults() -> None:
    file_values = {"pods": 300, "risk": "conservative", "require": ["wasm"], "cpu_price": 0.02, "memory_price": 0.003}
    resolved, run = ask(file_values=file_values)
    a = resolved.answers
    assert (a.pods, a.risk, a.require, a.cpu_price, a.memory_price) == (300, "conservative", ("wasm",), 0.02, 0.003)
    assert resolved.origin["pods"] == "file" and resolved.origin["nodes"] == "default"
    assert "Enter keeps 300" in run.prompts
    assert "Keep $0.02/vCPU-hour, $0.003/GiB-hour" in run.prompts  # custom prices offered first


COUNT_PROMPTS = {k: BY_KEY[k].prompt for k in ("pods", "namespaces", "mesh_rps", "l7_ratio")}
INVENTORY_TOML = """\
nodes = 12

[[namespaces]]
name = "checkout"
pods = 40
rps = 3000
l7 = true
nodes = 4

[[namespaces]]
name = "search"
pods = 60
rps = 1500
l7 = 0.5
nodes = 3

[[namespaces]]
name = "batch"
pods = 100
rps = 500
nodes = 6

[[namespaces]]
name = "legacy"
pods = 25
meshed = false
"""


def test_an_inventory_is_summarised_and_its_counts_are_not_asked(tmp_path: Path) -> None:
    from advisor.answers.resolve import load_answer_sources

    path = tmp_path / "team.toml"
    path.write_text(INVENTORY_TOML, encoding="utf-8")
    file_values, label, _, _ = load_answer_sources([str(path)])
    resolved, run = ask(file_values=file_values, file_label=label)
    for key, prompt in COUNT_PROMPTS.items():
        assert prompt not in run.prompts, key
    assert BY_KEY["nodes"].prompt in run.prompts and "Enter keeps 12" in run.prompts  # still asked, offered
    printed = run.printed
    # the summary comes under the Workload heading, before the first question's help
    assert printed.index("Workload") < printed.index("The inventory in") < printed.index(BY_KEY["nodes"].help)
    assert f"The inventory in {label} gives the counts, so they are not asked:" in run.printed_flat
    # 3 of the 4 listed namespaces are meshed (legacy is not)
    assert "  namespaces: 3 meshed of 4 listed\n" in printed
    # meshed pods 40 + 60 + 100 = 200; listed 200 + 25 = 225
    assert "  pods: 200 meshed of 225 listed\n" in printed
    # east-west 3,000 + 1,500 + 500 = 5,000 rps (legacy gives none, so it carries none)
    assert "  east-west: 5,000 rps (the meshed namespaces' sum)\n" in printed
    # checkout and search need L7: they carry 3,000 + 1,500 = 4,500 of 5,000 rps = 90%;
    # the L7 traffic is 3,000 + 0.5 x 1,500 = 3,750 of 5,000 = 75%
    assert "  L7: 2 of 3 meshed namespaces need it (checkout, search)\n" in printed
    assert "      they carry 4,500 of 5,000 rps (90%); the L7 share of the traffic is 75%\n" in printed
    # every meshed namespace gives its nodes: 4 + 3 + 6 = 13, more than the cluster's 12
    assert "nodes: the meshed namespaces run on at most 12 nodes (the cluster's; theirs sum to 13)" in run.printed_flat
    a = resolved.answers
    assert (a.pods, a.namespaces, a.mesh_rps, a.l7_ratio, a.nodes) == (200, 3, 5000.0, 0.75, 12)
    assert all(resolved.origin[k] == "file" for k in COUNT_PROMPTS)


def test_an_inventory_without_rps_still_asks_mesh_rps_and_its_summary_is_escaped() -> None:
    scan = {"namespaces": [{"name": "ev\x1b[31mil", "pods": 5, "l7": True}, {"name": "b", "pods": 15}]}
    # no namespace gives rps, so the inventory splits mesh_rps by pods: that count is still asked
    resolved, run = ask({"mesh_rps": "2000" + ENTER}, scan_values=scan, scan_label="c\x07.toml: [answers]")
    assert BY_KEY["mesh_rps"].prompt in run.prompts and BY_KEY["pods"].prompt not in run.prompts
    assert (resolved.answers.mesh_rps, resolved.origin["mesh_rps"]) == (2000.0, "typed")
    assert "\x1b" not in run.printed and "\x07" not in run.printed  # never obeyed
    assert "The inventory in the scan (c\\x07.toml: [answers]) gives the counts" in run.printed_flat
    assert "  L7: 1 of 2 meshed namespaces needs it (ev\\x1b[31mil)\n" in run.printed
    # without rps per namespace the traffic is split by pods: 5 of 20 pods = 25%
    assert "it holds 5 of 20 pods (25%), and the traffic is split by pods" in run.printed_flat
    assert resolved.origin["pods"] == "scan" and resolved.answers.pods == 20


def test_typing_replaces_the_offered_default() -> None:
    resolved, run = ask({"pods": "45" + ENTER}, file_values={"pods": 300, "nodes": 7})
    assert resolved.answers.pods == 45  # not 30045 or 34500
    assert resolved.origin["pods"] == "typed" and resolved.origin["nodes"] == "file"


def test_changing_an_offered_must_have_keeps_lists_disjoint() -> None:
    # The file prefers wasm; ticking wasm as a must-have drops it from the nice-to-haves.
    order = [f.id for g in CATALOG.features.groups for f in CATALOG.features.features if f.group == g.id]
    resolved, _ = ask({"require": DOWN * order.index("wasm") + SPACE + ENTER}, file_values={"prefer": ["wasm", "mtls"]})
    assert resolved.answers.require == ("wasm",)
    assert resolved.answers.prefer == ("mtls",)


def test_own_prices_are_asked_after_the_preset_list() -> None:
    own = UP + ENTER  # "Enter my own prices" is last; up from the first wraps round to it
    resolved, run = ask({PRICES: own, "cpu_price": "0.04" + ENTER})
    assert resolved.answers.cpu_price == 0.04
    assert resolved.answers.memory_price == defaults(CATALOG)["memory_price"]
    assert "Price of one vCPU-hour (USD)" in run.prompts


# ---------------------------------------------------------------- leaving early


@pytest.mark.parametrize(
    "by_key",
    [
        pytest.param({"pods": "12" + CTRL_C}, id="ctrl-c in a text prompt"),
        pytest.param({"require": DOWN + CTRL_C}, id="ctrl-c in a checkbox"),
        pytest.param({"current_mesh": CTRL_D}, id="ctrl-d in a select"),
        pytest.param({"pods": "12" + CTRL_D}, id="ctrl-d in a text prompt with text typed"),
        pytest.param({"mesh_rps": END}, id="input ends"),
    ],
)
def test_interrupt_or_end_of_input_raises_interrupted(by_key: dict[str, Keys]) -> None:
    with pytest.raises(Interrupted):
        ask(by_key)


# ---------------------------------------------------------------- the result


def test_equivalent_command_reproduces_the_answers(cli) -> None:
    by_key = {
        "pods": "2000" + ENTER,
        "l7_ratio": "0.35" + ENTER,
        "require": checkbox_keys(["fault-injection", "vm-workloads"]),
        "envoy_experience": "y",
        "risk": UP + ENTER,  # balanced -> conservative
        PRICES: UP + ENTER,  # "Enter my own prices" is last; up from the first wraps round to it
        "cpu_price": "0.041" + ENTER,
        "memory_price": "0.0051" + ENTER,
    }
    resolved, _ = ask(by_key)
    command = reproducing_command(CATALOG, resolved.answers)
    assert command == (
        "mesh-advisor recommend --pods 2000 --l7-ratio 0.35 --require fault-injection --require vm-workloads "
        "--envoy-experience --risk conservative --cpu-price 0.041 --memory-price 0.0051"
    )
    rc, out, err = cli(*shlex.split(command)[1:], "--format", "json")
    assert rc == 0, err
    # answers left absent (none) are not written into a document
    assert json.loads(out)["answers"] == {k: v for k, v in resolved.answers.as_dict().items() if v is not None}


def test_equivalent_command_of_defaults_has_no_flags_and_quotes_paths() -> None:
    answers = wizard.resolve(CATALOG).answers
    assert reproducing_command(CATALOG, answers) == "mesh-advisor recommend"
    assert reproducing_command(CATALOG, answers, "my data") == "mesh-advisor recommend --data-dir 'my data'"


# Every answer the wizard asks, given as a flag at its default, but the capability lists (an empty
# list is "not given"): the tests of the save prompts then go through two prompts, not twenty.
SAVE_PROMPTS_ONLY: dict[str, Any] = {
    q.key: q.default if q.kind == "bool" else str(q.default)
    for q in QUESTIONS
    if q.wizard and q.kind != "features" and q.default is not None
}


def run_whole(
    by_key: dict[str, Keys | list[Keys]],
    after: str,
    tmp_path: Path,
    monkeypatch,
    flags: dict[str, Any] | None = None,
    **kwargs: Any,
) -> Run:
    """The whole wizard: prompts answered by key, then AFTER typed at the save prompts; then the input ends."""
    monkeypatch.chdir(tmp_path)
    run = Run()
    with typist(by_key) as typing:
        ask_answers = wizard.ask_answers

        def answers_then_save_prompts(*args: Any, **kw: Any):
            resolved = ask_answers(*args, **kw)
            typing.type(after)
            typing.end()
            return resolved

        monkeypatch.setattr(wizard, "ask_answers", answers_then_save_prompts)
        wizard_command.run(
            CATALOG,
            run.console,
            {**NO_FLAGS, **(flags or {})},
            {},
            "answers file",
            lambda: "2026-01-01T00:00:00Z",
            pt_input=typing.pipe,
            **run.pt(),
            **kwargs,
        )
        typing.check_all_typed()
    return run


def test_result_shows_recommendation_command_and_saves_toml(tmp_path: Path, monkeypatch, cli) -> None:
    run = run_whole({"pods": "3000" + ENTER}, ENTER + ENTER, tmp_path, monkeypatch)  # save: yes, the default path
    assert "Recommendation: " in run.printed
    assert "mesh-advisor recommend --pods 3000\n" in run.printed
    saved = tmp_path / wizard.DEFAULT_SAVE_PATH
    doc = tomllib.loads(saved.read_text())
    assert doc["answers"]["pods"] == 3000 and doc["meta"]["generated_at"] == "2026-01-01T00:00:00Z"
    rc, out, _ = cli("recommend", "--answers", str(saved), "--format", "json")
    assert rc == 0 and json.loads(out)["recommendation"]["choice"] == doc["recommendation"]["choice"]


def test_existing_file_needs_confirmation_and_declining_asks_again(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / wizard.DEFAULT_SAVE_PATH).write_text("keep me\n")
    after = ENTER + ENTER + ENTER + "other.toml" + ENTER  # save, default path, overwrite? No (default)
    run = run_whole({}, after, tmp_path, monkeypatch, flags=SAVE_PROMPTS_ONLY)
    assert (tmp_path / wizard.DEFAULT_SAVE_PATH).read_text() == "keep me\n"
    assert "mesh-advisor-result.toml exists. Overwrite it?" in run.prompts
    assert tomllib.loads((tmp_path / "other.toml").read_text())["schema_version"] == 1


def test_confirmed_overwrite_replaces_the_file(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / wizard.DEFAULT_SAVE_PATH).write_text("old\n")
    run_whole({}, ENTER + ENTER + "y", tmp_path, monkeypatch, flags=SAVE_PROMPTS_ONLY)
    assert "schema_version = 1" in (tmp_path / wizard.DEFAULT_SAVE_PATH).read_text()


def test_save_path_in_a_missing_directory_is_refused_inline(tmp_path: Path, monkeypatch) -> None:
    run_whole(
        {},
        ENTER + "nope/x.toml" + ENTER + BACKSPACE * 11 + "x.toml" + ENTER,
        tmp_path,
        monkeypatch,
        flags=SAVE_PROMPTS_ONLY,
    )
    assert (tmp_path / "x.toml").exists() and not (tmp_path / "nope").exists()
    monkeypatch.chdir(tmp_path)
    assert wizard.save_path_validator("nope/x.toml") == "directory nope does not exist"
    assert "is a directory" in wizard.save_path_validator(".")


def test_declining_to_save_writes_nothing(tmp_path: Path, monkeypatch) -> None:
    run = run_whole({}, "n", tmp_path, monkeypatch, flags=SAVE_PROMPTS_ONLY)
    assert "Not saved." in run.printed
    assert list(tmp_path.iterdir()) == []


def test_output_given_up_front_saves_without_asking(tmp_path: Path, monkeypatch) -> None:
    run = run_whole({}, "", tmp_path, monkeypatch, save_to="given.json", flags=SAVE_PROMPTS_ONLY)
    assert "Save the result" not in run.prompts
    assert json.loads((tmp_path / "given.json").read_text())["schema_version"] == 1


def test_interrupt_at_the_save_prompt_writes_nothing(tmp_path: Path, monkeypatch) -> None:
    with pytest.raises(Interrupted):
        run_whole({}, ENTER + "partial" + CTRL_C, tmp_path, monkeypatch, flags=SAVE_PROMPTS_ONLY)
    assert list(tmp_path.iterdir()) == []


def test_wizard_without_a_terminal_points_to_recommend(cli) -> None:
    rc, out, err = cli("wizard", "--pods", "10")  # pytest's stdin is not a terminal
    assert rc == 2 and out == ""
    assert "needs a terminal" in err and "mesh-advisor recommend" in err


def test_bad_flag_fails_before_any_prompt() -> None:
    # The injected environment says both streams are terminals; the bad id fails before a prompt.
    out, err = io.StringIO(), io.StringIO()
    env = Environment(stdin=io.StringIO(), stdout=out, stderr=err, stdin_isatty=True, stdout_isatty=True)
    rc = main(["wizard", "--require", "warp-drive"], env)
    assert rc == 2 and "unknown feature id 'warp-drive'" in err.getvalue()
    assert out.getvalue() == ""


# ---------------------------------------------------------------- going back

SHIFT_TAB = "\x1b[Z"


def test_shift_tab_goes_back_to_the_previous_question_and_replaces_its_answer() -> None:
    # pods 10, then at nodes go back, answer pods 20 instead, keep every other offered value
    resolved, run = ask({"pods": ["10" + ENTER, "20" + ENTER], "nodes": [SHIFT_TAB]})
    assert resolved.answers.pods == 20 and resolved.origin["pods"] == "typed"
    assert resolved.answers.nodes == 10
    assert "back to the previous question" in run.printed and wizard.BACK_HINT in run.printed_flat


def test_a_wrong_pick_in_a_list_can_be_undone() -> None:
    # One DOWN too many picks expert; at the next question Shift-Tab returns to the list, which
    # offers the value it offered before (some), so Enter undoes the pick.
    asked = [prompt_id(s) for s in steps_for() if s.when({})]
    following = asked[asked.index("team_experience") + 1]  # whichever question comes next
    resolved, _ = ask({"team_experience": DOWN + ENTER})
    assert resolved.answers.team_experience == "expert"
    resolved, _ = ask({"team_experience": [DOWN + ENTER, ENTER], following: [SHIFT_TAB]})
    assert resolved.answers.team_experience == "some" and resolved.origin["team_experience"] == "default"
    resolved, _ = ask({"team_experience": [DOWN + ENTER, UP + ENTER], following: [SHIFT_TAB]})
    assert resolved.answers.team_experience == "none"


def test_the_first_question_has_nothing_to_go_back_to() -> None:
    resolved, _ = ask({"pods": SHIFT_TAB + ENTER})
    assert resolved.answers.as_dict()["pods"] == 100


def test_what_the_scan_found_in_use_is_offered_as_must_haves_to_confirm() -> None:
    # Issue 22: in use is evidence; only what the person ticks becomes a must-have.
    scan = {"in_use": ["fault-injection", "traffic-splitting"]}
    resolved, run = ask({IN_USE: SPACE + ENTER}, scan_values=scan)  # tick the first
    assert "The scan found these in use. Which are must-haves?" in run.prompts
    assert resolved.answers.require == ("fault-injection",)  # ticked and confirmed
    assert resolved.answers.in_use == ("fault-injection", "traffic-splitting")  # still evidence
    assert resolved.origin["require"] == "typed"
    # nothing ticked: nothing required
    resolved, _ = ask(scan_values=scan)
    assert resolved.answers.require == ()
