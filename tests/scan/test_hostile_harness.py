"""The harness that found issue 15's reproductions, kept: signals at random points across many
runs, random byte flips in data files and saved results, and runs in other encodings.

CI runs it at a small scale; `MESH_ADVISOR_HOSTILE_SCALE=20` runs twenty times as many cases
(and `MESH_ADVISOR_HOSTILE_SEED` picks another sequence; the default is fixed, so CI sees the
same cases every time). The counts per scale are in README's "Robustness" section.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import random
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
from outcomes import RUN_MAIN, invoke, run_cli

from advisor.catalog.models import DATA_FILES
from advisor.catalog.files import bundled_data_dir

SCALE = max(1, int(os.environ.get("MESH_ADVISOR_HOSTILE_SCALE", "1")))
SEED = int(os.environ.get("MESH_ADVISOR_HOSTILE_SEED", "15"))
SIGNAL_RUNS = 8 * SCALE
FLIPS_PER_FILE = 12 * SCALE
RESULT_FLIPS = 24 * SCALE
ENCODINGS = ("cp1252", "ascii", "latin-1", "cp437") if SCALE > 1 else ("cp1252", "ascii")

BUNDLED = {name: (bundled_data_dir() / name).read_bytes() for name in DATA_FILES}
EXIT_BY_SIGNAL = {signal.SIGINT: 130, signal.SIGTERM: 143, signal.SIGHUP: 129}


def _before_our_code(proc_rc: int, err: str) -> bool:
    """The signal landed while the interpreter itself was starting (site, runpy): no code of ours ran."""
    return proc_rc < 0 or ("Traceback" in err and "advisor" not in err)


@pytest.mark.slow
def test_signals_at_random_points_never_leave_a_lie_or_a_temporary_file(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    outcomes: dict[str, int] = {}
    for run in range(SIGNAL_RUNS):
        work = tmp_path / f"run{run}"
        work.mkdir()
        target = work / rng.choice(["r.toml", "r.json"])
        sig = rng.choice(list(EXIT_BY_SIGNAL))
        command = rng.choice([["recommend", "--what-if"], ["cost", "--sweep", "pods=10:100000:200"], ["recommend"]])
        proc = subprocess.Popen(
            [sys.executable, "-c", RUN_MAIN, *command, "-o", str(target)],  # signals as a shell leaves them
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=work,
        )
        time.sleep(rng.uniform(0.0, 1.2))
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=60)
        left = sorted(p.name for p in work.iterdir())
        assert not [n for n in left if n.endswith(".tmp")], (run, left, err)
        if proc.returncode == 0:
            outcomes["finished"] = outcomes.get("finished", 0) + 1
            _parse(target)  # complete: it parses
            continue
        if _before_our_code(proc.returncode, err):
            outcomes["before start-up"] = outcomes.get("before start-up", 0) + 1
            assert not target.exists()
            continue
        assert proc.returncode == EXIT_BY_SIGNAL[sig], (run, proc.returncode, err)
        assert "Traceback" not in err, err
        if "nothing saved" in err:
            outcomes["nothing saved"] = outcomes.get("nothing saved", 0) + 1
            assert not target.exists(), (run, err)
        else:
            outcomes["saved"] = outcomes.get("saved", 0) + 1
            assert f"Interrupted; {target} was saved." in err, err
            _parse(target)
    assert sum(outcomes.values()) == SIGNAL_RUNS, outcomes
    print(f"signal runs: {outcomes}")  # shown with -s: how the signals landed


def _parse(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    return json.loads(text) if path.suffix == ".json" else tomllib.loads(text)


def _flip(content: bytes, rng: random.Random) -> tuple[bytes, str]:
    at = rng.randrange(len(content))
    new = rng.randrange(256)
    return content[:at] + bytes([new]) + content[at + 1 :], f"byte {at}: {content[at]:#x} -> {new:#x}"


@pytest.mark.slow
@pytest.mark.parametrize("name", DATA_FILES)
def test_a_flipped_byte_in_a_data_file_gives_its_own_values_or_a_named_problem(
    capsys, tmp_path: Path, name: str
) -> None:
    """Whatever the flip, the run uses exactly the flipped bytes (its data_version stamp is their
    hash) or names the problem; never another file's values, never exit 1."""
    rng = random.Random(f"{SEED}:{name}")
    for i in range(FLIPS_PER_FILE):
        content, what = _flip(BUNDLED[name], rng)
        data_dir = tmp_path / f"d{i}"
        data_dir.mkdir()
        (data_dir / name).write_bytes(content)
        outcome = invoke(capsys, "recommend", "--data-dir", str(data_dir), "--format", "json")
        assert outcome.rc in (0, 2), (what, outcome)
        assert "Traceback" not in outcome.err and "internal error" not in outcome.err, (what, outcome.err)
        if outcome.rc == 2:
            assert outcome.out == "" and outcome.err.startswith("mesh-advisor: "), (what, outcome)
            continue
        doc = json.loads(outcome.out)
        stamp = hashlib.sha256(name.encode() + b"\0" + content).hexdigest()[:8]
        assert doc["meta"]["data_version"].endswith(f"+local.{stamp}"), what
        assert all(math.isfinite(x) for x in _numbers(doc)), what


@pytest.mark.slow
def test_a_flipped_byte_in_a_saved_result_is_compared_or_refused(capsys, tmp_path: Path) -> None:
    rng = random.Random(f"{SEED}:result")
    saved = tmp_path / "a.json"
    assert invoke(capsys, "recommend", "--pods", "800", "--require", "mtls", "-o", str(saved)).rc == 0
    toml_saved = tmp_path / "a.toml"
    assert invoke(capsys, "recommend", "--pods", "800", "-o", str(toml_saved)).rc == 0
    for i in range(RESULT_FLIPS):
        source = rng.choice([saved, toml_saved])
        content, what = _flip(source.read_bytes(), rng)
        flipped = tmp_path / f"b{i}{source.suffix}"
        flipped.write_bytes(content)
        outcome = invoke(capsys, "compare", str(saved), str(flipped), "--format", "json")
        assert outcome.rc in (0, 2), (what, outcome)
        assert "Traceback" not in outcome.err and "internal error" not in outcome.err, (what, outcome.err)
        if outcome.rc == 0:
            assert all(math.isfinite(x) for x in _numbers(json.loads(outcome.out))), what


def _numbers(node: object) -> list[float]:
    out: list[float] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, (int, float)) and not isinstance(item, bool):
            out.append(float(item))
    return out


@pytest.mark.slow
@pytest.mark.parametrize("encoding", ENCODINGS)
def test_every_table_view_prints_in_another_encoding(tmp_path: Path, encoding: str) -> None:
    env = {**os.environ, "PYTHONIOENCODING": encoding, "COLUMNS": "90"}
    saved = tmp_path / "a.json"
    other = tmp_path / "b.json"
    for path, pods in ((saved, "100"), (other, "50000")):  # the inputs to compare, saved in this process
        assert run_cli("recommend", "--pods", pods, "-o", str(path)).rc == 0
    for command in (
        ["recommend", "--require", "wasm", "--what-if"],
        ["cost", "--sweep", "pods=10:5000:5"],
        ["matrix"],
        ["data", "show"],
        ["compare", str(saved), str(other)],
        ["recommend", "--pods", "lots"],  # an error message, through stderr
    ):
        proc = subprocess.run(
            [sys.executable, "-m", "advisor", *command], capture_output=True, env=env, cwd=tmp_path, timeout=120
        )
        assert proc.returncode in (0, 2), (command, proc.stderr.decode(errors="replace"))
        assert proc.returncode == (2 if "lots" in command else 0)
        proc.stdout.decode(encoding)  # every byte is in the encoding
        err = proc.stderr.decode(encoding)
        assert "Traceback" not in err
