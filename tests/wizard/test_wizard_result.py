"""The wizard is only an answer source: what it saves is `recommend`'s result for the same answers."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from prompt_toolkit.data_structures import Size
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output.vt100 import Vt100_Output
from rich.console import Console

from advisor.answers import wizard
from advisor.answers.registry import QUESTIONS
from advisor.catalog.load import load_catalog
from advisor.cli import wizard_command

pytestmark = pytest.mark.slow  # prompt_toolkit sessions and a validated --data-dir

ENTER = "\r"
NO_FLAGS: dict[str, Any] = {q.key: None for q in QUESTIONS}
JAN_1_2026 = "1767225600"  # SOURCE_DATE_EPOCH for 2026-01-01T00:00:00Z


def _wizard(catalog: Any, keys: str, **kwargs: Any) -> str:
    """Run the wizard command's flow with `keys` typed; what it printed."""
    console = Console(file=io.StringIO(), width=200, color_system=None)
    steps = [s for s in wizard.build_steps(catalog, NO_FLAGS) if s.when({})]
    with create_pipe_input() as pipe:
        pipe.send_text(keys + ENTER * (len(steps) - 1))
        pipe.close()
        wizard_command.run(
            catalog,
            console,
            NO_FLAGS,
            {},
            "answers file",
            lambda: "2026-01-01T00:00:00Z",
            pt_input=pipe,
            pt_output=Vt100_Output(io.StringIO(), lambda: Size(rows=40, columns=100), term="xterm"),
            **kwargs,
        )
    return console.file.getvalue()


def test_the_saved_result_is_recommends_robustness_included(tmp_path: Path, monkeypatch, cli, data_dir) -> None:
    # the wizard, with 3000 pods typed and every other answer kept, saves to w.json; recommend with
    # that file's answers (and the same --data-dir) writes r.json: the two results are the same
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", JAN_1_2026)
    printed = _wizard(load_catalog(data_dir), "3000" + ENTER, save_to="w.json", data_dir=str(data_dir))
    rc, _, err = cli("recommend", "--data-dir", str(data_dir), "--answers", "w.json", "-o", "r.json")
    assert rc == 0, err
    by_wizard = json.loads((tmp_path / "w.json").read_text())
    by_recommend = json.loads((tmp_path / "r.json").read_text())
    assert "robustness" in by_wizard["recommendation"]
    # where each answer came from differs (typed, default / the file); nothing else does
    for doc in (by_wizard, by_recommend):
        doc["meta"].pop("origins")
        doc["meta"].pop("defaulted")
    assert by_wizard == by_recommend
    # both ways to reproduce it keep --data-dir
    assert f"mesh-advisor recommend --data-dir {data_dir} --pods 3000\n" in printed
    # the command on a line of its own, so it is copied whole
    assert f"Reproduce it with:\n  mesh-advisor recommend --data-dir {data_dir} --answers w.json\n" in printed
