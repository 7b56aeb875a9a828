"""Regressions from a fresh-eyes review: inputs that once gave a wrong number, exit 1, or a silent drop."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from outcomes import run_cli


@pytest.mark.parametrize(
    "flag, value",
    [("--cpu-price", "0,05"), ("--mesh-rps", "1,5"), ("--pods", "1,0"), ("--pods", ",,,5")],
)
def test_a_decimal_comma_is_an_error_not_a_number_100_times_too_big(capsys, flag: str, value: str) -> None:
    rc, out, err = run_cli("cost", flag, value, "--format", "json")
    assert rc == 2 and out == ""
    assert f"{flag}: expected" in err and repr(value) in err


def test_digit_group_separators_are_refused_with_the_unambiguous_spelling(capsys) -> None:
    # "1,234,567.5" reads one way here and another in a locale that groups with dots (issue 23)
    rc, out, err = run_cli("cost", "--pods", "2,000", "--format", "json")
    assert rc == 2 and out == "" and "write 2000" in err


def test_negative_zero_never_reaches_the_output(capsys) -> None:
    rc, out, _ = run_cli("recommend", "--mesh-rps", "-0", "--l7-ratio", "-0", "--cpu-price", "-0.0", "--format", "json")
    assert rc == 0
    assert "-0.0" not in out and "$-0" not in out
    doc = json.loads(out)
    assert doc["answers"]["mesh_rps"] == 0.0 and str(doc["answers"]["cpu_price"]) == "0.0"


@pytest.mark.parametrize("name", ["y" * 300 + ".toml", "no-such-dir/deeper/r.toml"])
def test_unusable_output_paths_exit_2_before_any_result_is_shown(capsys, tmp_path: Path, name: str) -> None:
    rc, out, err = run_cli("recommend", "-o", str(tmp_path / name))
    assert rc == 2 and out == ""
    assert err.startswith("mesh-advisor: -o ") and len(err.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_unwritable_directory_exits_2_and_shows_no_result(capsys, tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root can write to a read-only directory")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    rc, out, err = run_cli("recommend", "-o", str(locked / "r.toml"))
    assert rc == 2 and out == "" and "cannot write" in err


def test_output_files_follow_the_umask_and_keep_an_overwritten_files_mode(capsys, tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        new = tmp_path / "new.toml"
        assert run_cli("recommend", "-o", str(new))[0] == 0
        assert new.stat().st_mode & 0o777 == 0o644
        kept = tmp_path / "kept.json"
        kept.write_text("{}")
        kept.chmod(0o640)
        assert run_cli("recommend", "-o", str(kept), "--force")[0] == 0
        assert kept.stat().st_mode & 0o777 == 0o640
    finally:
        os.umask(old)


@pytest.mark.parametrize(
    "args, message",
    [
        (["recommend", "-o", ""], "-o: expected a file path"),
        (["recommend", "--answers", ""], "--answers: expected an answers file"),
        (["recommend", ""], "ANSWERS: expected an answers file"),
        (["recommend", "--data-dir", ""], "--data-dir: expected a directory"),
        (["data", "validate", ""], "data validate: expected a directory"),
    ],
)
def test_empty_strings_are_errors_not_defaults(capsys, args: list[str], message: str) -> None:
    rc, out, err = run_cli(*args)
    assert rc == 2 and out == "" and message in err


def test_answers_beside_an_answers_table_are_refused_not_dropped(capsys, tmp_path: Path) -> None:
    path = tmp_path / "both.toml"
    path.write_text("pods = 99\n[answers]\nnodes = 3\n")
    rc, _, err = run_cli("recommend", str(path))
    assert rc == 2
    assert "pods given at the top level beside an [answers] table" in err


def test_a_byte_order_mark_is_accepted(capsys, tmp_path: Path, data_dir: Path) -> None:
    answers = tmp_path / "bom.toml"
    answers.write_bytes(b"\xef\xbb\xbfpods = 5\n")
    rc, out, _ = run_cli("recommend", str(answers), "--format", "json")
    assert rc == 0 and json.loads(out)["answers"]["pods"] == 5
    as_json = tmp_path / "bom.json"
    as_json.write_bytes(b'\xef\xbb\xbf{"pods": 6}')
    rc, out, _ = run_cli("recommend", str(as_json), "--format", "json")
    assert rc == 0 and json.loads(out)["answers"]["pods"] == 6
    pricing = data_dir / "pricing.toml"
    pricing.write_bytes(b"\xef\xbb\xbf" + pricing.read_bytes())
    assert run_cli("data", "validate", str(data_dir))[0] == 0


def test_long_values_are_clipped_in_messages(capsys) -> None:
    rc, _, err = run_cli("recommend", "--require", "x" * 100_000)
    assert rc == 2 and len(err) < 1_000


def test_no_arguments_prints_help_without_an_empty_error_line() -> None:
    proc = subprocess.run([sys.executable, "-m", "advisor"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Usage" in proc.stdout + proc.stderr
    assert "mesh-advisor:  (see" not in proc.stderr


def _mesh(*args: str, **kw) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "advisor", *args], capture_output=True, text=True, **kw)


@pytest.mark.slow
def test_a_reader_that_stops_early_is_not_a_failure() -> None:
    # `mesh-advisor matrix | head -1`: rich would exit 1 on the broken pipe.
    proc = subprocess.Popen([sys.executable, "-m", "advisor", "matrix"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    proc.stdout.readline()
    proc.stdout.close()
    assert proc.wait(timeout=30) == 0
    assert proc.stderr is not None and b"Traceback" not in proc.stderr.read()


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.slow
def test_a_full_disk_on_stdout_is_one_line_and_exit_2() -> None:
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "advisor", "recommend", "--format", "json"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
        )
    assert proc.returncode == 2
    assert proc.stderr.strip() == "mesh-advisor: cannot write the output: No space left on device"


def test_ctrl_c_during_a_command_says_nothing_was_saved(tmp_path: Path) -> None:
    target = tmp_path / "r.json"
    for delay in (0.08, 0.15):
        proc = subprocess.Popen(
            [sys.executable, "-m", "advisor", "recommend", "--what-if", "--pods", "5000", "-o", str(target)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(delay)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
        if proc.returncode == 0:
            target.unlink()  # the run finished before the signal landed: nothing to check
            continue
        if proc.returncode == -signal.SIGINT:
            continue  # the signal landed before the interpreter installed its handler: no code of ours ran
        if proc.returncode == 1 and err.rstrip().endswith("KeyboardInterrupt") and "/advisor/cli.py" not in err:
            # On a loaded machine the signal can land while Python is still importing (site, runpy,
            # the stdlib), before main() installs its handler: Python's own exit 1 with its traceback.
            assert not target.exists()
            continue
        assert proc.returncode == 130
        assert "Interrupted; nothing saved." in err and "Traceback" not in err
        assert not target.exists()


def test_a_usage_error_points_to_the_commands_own_help(capsys) -> None:
    rc, _, err = run_cli("recommend", "--pods")
    assert rc == 2
    assert err.strip() == "mesh-advisor: Option '--pods' requires an argument. (see 'mesh-advisor recommend --help')"
