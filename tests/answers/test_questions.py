"""The question registry drives the flags, the Answers model and the answers reference (docs/reference/answers.md)."""

from __future__ import annotations

import dataclasses

import pytest
import typer

from advisor.cli import app as cli
from advisor.answers.resolve import Answers
from advisor.answers.registry import BY_KEY, QUESTIONS

ANSWER_COMMANDS = ("recommend", "cost", "wizard")


def _command_params(name: str) -> dict[str, object]:
    group = typer.main.get_command(cli.app)
    command = group.commands[name]  # type: ignore[attr-defined]
    return {p.name: p for p in command.params}


@pytest.mark.parametrize("command", ANSWER_COMMANDS)
def test_every_question_is_a_flag_of_each_answer_command(command: str) -> None:
    params = _command_params(command)
    for q in QUESTIONS:
        assert q.key in params, f"{command} lacks the flag for {q.key}"
        param = params[q.key]
        assert q.flag in param.opts, (command, q.key, param.opts)
        if q.kind == "bool":
            assert q.negative_flag in param.secondary_opts
        if q.kind == "features":
            assert param.multiple


@pytest.mark.parametrize("command", ANSWER_COMMANDS)
def test_no_answer_flag_exists_outside_the_registry(command: str) -> None:
    registry_flags = {q.flag for q in QUESTIONS}
    params = _command_params(command)
    answer_like = {opt for p in params.values() for opt in p.opts if p.name in BY_KEY}
    assert answer_like == registry_flags


def test_answers_model_has_exactly_the_registry_keys() -> None:
    # plus `inventory`: the [[namespaces]] form of the namespaces answer (advisor.answers.inventory)
    assert [f.name for f in dataclasses.fields(Answers) if f.name != "inventory"] == [q.key for q in QUESTIONS]


def test_spec_answer_table_keys_and_defaults() -> None:
    # SPEC "Answers": every key with its default; benchmark_profile is our documented addition.
    spec_defaults = {
        "pods": 100,
        "nodes": 10,
        "namespaces": 5,
        "mesh_rps": 1000,
        "l7_ratio": 0.2,
        "hops": 3,
        "require": (),
        "prefer": (),
        "team_experience": "some",
        "envoy_experience": False,
        "risk": "balanced",
        "cost_sensitivity": "medium",
        "latency_sensitivity": "medium",
        "cpu_price": 0.031611,
        "memory_price": 0.004237,
        "cost_basis": "usage",
    }
    for key, default in spec_defaults.items():
        assert BY_KEY[key].default == default, key
