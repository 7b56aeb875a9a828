"""The hostile corpus: every reproduction from the adversarial pass (issue 15), each a bounded test.

Each case ends in exit 0 with a complete result or exit 2 with one clear message, within seconds,
and touches nothing but the requested output. Times are asserted loosely (a busy CI machine is
slow), but far below what the quadratic and cubic versions took.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from outcomes import check_data_problems, invoke  # noqa: F401

from advisor.catalog.models import DATA_FILES
from advisor.catalog.files import bundled_data_dir

BUNDLED = {name: (bundled_data_dir() / name).read_bytes() for name in DATA_FILES}


def _one_error_line(outcome) -> str:
    assert outcome.rc == 2, str(outcome)
    assert outcome.out == "", str(outcome)
    lines = outcome.err.strip().splitlines()
    assert lines and lines[0].startswith("mesh-advisor: "), str(outcome)
    assert "Traceback" not in outcome.err
    return outcome.err


def _timed(capsys, *args: str, limit: float = 5.0):
    start = time.perf_counter()
    outcome = invoke(capsys, *args)
    took = time.perf_counter() - start
    assert took < limit, f"{args[:2]} took {took:.1f} s"
    return outcome


# ---------------------------------------------------------------- data files that are not files


def test_a_fifo_named_like_a_data_file_is_refused_not_waited_on(capsys, data_dir: Path) -> None:
    (data_dir / "pricing.toml").unlink()
    os.mkfifo(data_dir / "pricing.toml")
    err = _one_error_line(_timed(capsys, "recommend", "--data-dir", str(data_dir)))
    assert "pricing.toml: " in err and "not a regular file" in err


def test_a_data_file_linked_to_dev_zero_is_refused_without_reading_it(capsys, data_dir: Path) -> None:
    (data_dir / "pricing.toml").unlink()
    (data_dir / "pricing.toml").symlink_to("/dev/zero")
    err = _one_error_line(_timed(capsys, "cost", "--data-dir", str(data_dir)))
    assert "not a regular file" in err


def test_a_huge_data_file_is_refused_by_size(capsys, data_dir: Path) -> None:
    with open(data_dir / "rules.toml", "ab") as fh:
        fh.truncate(5 * 1024 * 1024)  # sparse: 5 MiB of NULs after the real rules
    err = _one_error_line(_timed(capsys, "data", "validate", str(data_dir)))
    assert "rules.toml: " in err and "larger than the 4 MiB limit" in err


def test_an_unreadable_data_directory_says_cannot_read(capsys, tmp_path: Path, monkeypatch) -> None:
    # As root a mode-000 directory is still readable, so the refusal is simulated at os.listdir.
    target = tmp_path / "locked"
    target.mkdir()

    def refuse(path):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(os, "listdir", refuse)
    err = _one_error_line(invoke(capsys, "data", "validate", str(target)))
    assert "cannot read this directory: permission denied" in err
    assert "holds none of" not in err


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root can read a mode-000 directory")
def test_a_mode_000_data_directory_says_cannot_read(capsys, tmp_path: Path) -> None:
    target = tmp_path / "locked"
    target.mkdir()
    (target / "pricing.toml").write_bytes(BUNDLED["pricing.toml"])
    target.chmod(0)
    try:
        err = _one_error_line(invoke(capsys, "data", "validate", str(target)))
    finally:
        target.chmod(0o700)
    assert "cannot read" in err


# ---------------------------------------------------------------- sizes and shapes that were super-linear


def _profiles_chain(n: int, cycle: bool) -> bytes:
    """benchmarks.toml plus n profiles, each extending the next (the last one the default, or the first)."""
    lines = [BUNDLED["benchmarks.toml"].decode()]
    for i in range(n):
        parent = f"p{i + 1}" if i + 1 < n else ("p0" if cycle else "istio-1.24")
        lines.append(f'\n[profiles.p{i}]\ntitle = "chain {i}"\nextends = "{parent}"\n')
    return "".join(lines).encode()


@pytest.mark.slow
def test_a_linear_extends_chain_of_2000_profiles_is_linear(capsys, data_dir: Path) -> None:
    # Was cubic: 1,000 profiles 12 s, 2,000 79 s.
    (data_dir / "benchmarks.toml").write_bytes(_profiles_chain(2000, cycle=False))
    outcome = _timed(
        capsys, "cost", "--data-dir", str(data_dir), "--benchmark-profile", "p0", "--format", "json", limit=20
    )
    assert outcome.rc == 0, str(outcome)


def test_an_extends_cycle_of_3000_profiles_is_named_quickly(capsys, data_dir: Path) -> None:
    # Ran past 120 s.
    (data_dir / "benchmarks.toml").write_bytes(_profiles_chain(3000, cycle=True))
    outcome = _timed(capsys, "data", "validate", str(data_dir), limit=20)
    lines = check_data_problems(outcome)
    assert "  benchmarks.toml: profiles.p0.extends: profiles extend each other in a cycle" in lines
    assert sum("in a cycle" in line for line in lines) == 3000


@pytest.mark.slow
def test_a_require_list_of_100000_ids_is_fast(capsys, tmp_path: Path) -> None:
    # ~100 s: a quadratic membership test.
    answers = tmp_path / "a.toml"
    answers.write_text("require = [" + ", ".join(f'"mtls{i % 7 if i else ""}"' for i in range(100_000)) + "]\n")
    outcome = _timed(capsys, "recommend", str(answers), "--format", "json")
    err = _one_error_line(outcome)
    assert "unknown feature id 'mtls1'" in err
    (tmp_path / "b.toml").write_text("require = [" + ", ".join('"mtls"' for _ in range(100_000)) + "]\n")
    outcome = _timed(capsys, "recommend", str(tmp_path / "b.toml"), "--format", "json")
    assert outcome.rc == 0, str(outcome)


@pytest.mark.parametrize("parts", [1000, 50_000])
def test_a_deep_dotted_key_in_an_answers_file_is_refused_quickly(capsys, tmp_path: Path, parts: int) -> None:
    # 1000 parts: RecursionError (exit 1); 50,000 parts: ~50 s inside the TOML parser.
    answers = tmp_path / "a.toml"
    answers.write_text(".".join(["a"] * parts) + " = 1\n")
    err = _one_error_line(_timed(capsys, "recommend", str(answers)))
    assert "a dotted key with more than 64 parts" in err


@pytest.mark.parametrize("parts", [1000, 50_000])
def test_a_deep_dotted_key_in_a_data_file_is_a_problem(capsys, data_dir: Path, parts: int) -> None:
    (data_dir / "rules.toml").write_bytes(BUNDLED["rules.toml"] + ("\n" + ".".join(["x"] * parts) + " = 1\n").encode())
    lines = check_data_problems(_timed(capsys, "data", "validate", str(data_dir)))
    assert lines[1:] == ["  rules.toml: TOML syntax error: a dotted key with more than 64 parts"]


def test_nesting_deeper_than_the_limit_is_refused_with_its_place(capsys, tmp_path: Path) -> None:
    answers = tmp_path / "a.json"
    answers.write_text('{"pods": 5, "x": ' + "[" * 900 + "]" * 900 + "}")
    err = _one_error_line(invoke(capsys, "recommend", str(answers)))
    assert "nested more than 64 levels deep" in err


def test_a_4000_digit_figure_is_a_problem_not_a_crash(capsys, data_dir: Path) -> None:
    text = BUNDLED["pricing.toml"].decode()
    at = text.index("value = ") + len("value = ")
    end = text.index("\n", at)
    (data_dir / "pricing.toml").write_text(text[:at] + "9" * 4000 + text[end:])
    lines = check_data_problems(_timed(capsys, "data", "validate", str(data_dir)))
    assert any("a number too large" in line for line in lines[1:]), lines


def test_an_id_with_spaces_is_the_same_id_for_the_duplicate_check(capsys, data_dir: Path) -> None:
    # `id = "mtls "` was stripped to mtls after the duplicate check: two contradictory mtls rows passed.
    text = BUNDLED["features.toml"].decode()
    start = text.index("[[features]]")
    end = text.index("[[features]]", start + 1)
    row = text[start:end].replace('id = "mtls"', 'id = "mtls "', 1)
    assert 'id = "mtls "' in row
    (data_dir / "features.toml").write_text(text + "\n" + row)
    lines = check_data_problems(invoke(capsys, "data", "validate", str(data_dir)))
    assert "  features.toml: features: feature 'mtls' is defined twice" in lines


# ---------------------------------------------------------------- no cache, so nothing a cache could do


@pytest.mark.slow
def test_a_run_with_home_unset_writes_nothing_anywhere(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("HOME", "XDG_CACHE_HOME")}
    proc = subprocess.run(
        [sys.executable, "-m", "advisor", "recommend", "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert list(tmp_path.iterdir()) == []  # once: ./~/.cache/mesh-advisor


def test_data_edited_between_runs_is_what_the_next_run_reports(capsys, data_dir: Path) -> None:
    # The cache stored a catalog under the key of bytes read before an edit; every later run
    # then reported the old values. Now each run reports what the files hold at that run.
    import json

    first = invoke(capsys, "cost", "--data-dir", str(data_dir), "--format", "json")
    pricing = data_dir / "pricing.toml"
    doc_text = pricing.read_text()
    cpu = json.loads(first.out)["answers"]["cpu_price"]
    pricing.write_text(doc_text.replace(f"value = {cpu!r}", "value = 0.5", 1))
    second = invoke(capsys, "cost", "--data-dir", str(data_dir), "--format", "json")
    assert json.loads(second.out)["answers"]["cpu_price"] == 0.5
    shutil.copy(bundled_data_dir() / "pricing.toml", pricing)
    third = invoke(capsys, "cost", "--data-dir", str(data_dir), "--format", "json")
    assert json.loads(third.out)["answers"]["cpu_price"] == cpu


# ---------------------------------------------------------------- numbers at both ends


@pytest.mark.parametrize("value", ["1e-310", "5e-324", "-1e-320"])
def test_a_denormal_price_is_refused_not_an_overflow_in_what_if(capsys, value: str) -> None:
    # 1e-310: OverflowError; 5e-324: ZeroDivisionError (both exit 1) in what-if's arithmetic.
    err = _one_error_line(invoke(capsys, "recommend", "--what-if", "--cpu-price", value))
    assert "--cpu-price: " in err and "at least 1e-12" in err


@pytest.mark.slow
def test_the_smallest_accepted_price_works_through_what_if(capsys) -> None:
    import json

    outcome = invoke(
        capsys, "recommend", "--what-if", "--cpu-price", "1e-12", "--memory-price", "1e-12", "--format", "json"
    )
    assert outcome.rc == 0, str(outcome)
    assert json.loads(outcome.out)["answers"]["cpu_price"] == 1e-12


# ---------------------------------------------------------------- saved results and answers that are not files


def test_recommend_dev_zero_is_refused_without_reading_it(capsys) -> None:
    # MemoryError: the whole of /dev/zero was read.
    err = _one_error_line(_timed(capsys, "recommend", "/dev/zero"))
    assert "/dev/zero: not a regular file" in err


def test_compare_a_result_with_a_lone_surrogate_is_refused(capsys, tmp_path: Path) -> None:
    good = tmp_path / "a.json"
    assert invoke(capsys, "recommend", "-o", str(good)).rc == 0
    bad = tmp_path / "b.json"
    bad.write_text(good.read_text().replace('"tool": "mesh-advisor"', '"tool": "\\ud800"', 1))
    assert "\\ud800" in bad.read_text()
    err = _one_error_line(invoke(capsys, "compare", str(good), str(bad)))
    assert "lone surrogate" in err


def test_compare_a_result_nested_900_deep_is_refused(capsys, tmp_path: Path) -> None:
    good = tmp_path / "a.json"
    assert invoke(capsys, "recommend", "-o", str(good)).rc == 0
    bad = tmp_path / "b.json"
    bad.write_text(good.read_text().rstrip().rstrip("}") + ', "x": ' + "[" * 900 + "]" * 900 + "}")
    err = _one_error_line(invoke(capsys, "compare", str(good), str(bad)))
    assert "nested more than 64 levels deep" in err


# ---------------------------------------------------------------- text that could forge lines


def test_line_and_paragraph_separators_cannot_forge_a_data_ok_line(capsys, data_dir: Path) -> None:
    text = BUNDLED["pricing.toml"].decode()
    forged = 'kind = "rumour\u2028bundled data: OK\u2029mesh-advisor: data OK"'
    (data_dir / "pricing.toml").write_text(text.replace('kind = "published-claim"', forged, 1))
    outcome = invoke(capsys, "data", "validate", str(data_dir))
    assert outcome.rc == 2
    assert "\u2028" not in outcome.err and "\u2029" not in outcome.err
    assert "\\u2028bundled data: OK\\u2029mesh-advisor: data OK" in outcome.err


# ---------------------------------------------------------------- the wizard


@pytest.mark.slow
def test_an_escape_sequence_typed_at_a_wizard_prompt_is_dropped_not_a_crash() -> None:
    # prompt_toolkit read `\x1b[31m` as a mouse report and printed "Unhandled exception in event loop".
    sys.path.insert(0, str(Path(__file__).parent.parent / "wizard"))  # the wizard tests' helpers
    import test_wizard as tw

    resolved, run = tw.ask({"pods": "\x1b[31m500" + tw.ENTER})
    assert resolved.answers.pods == 500
    assert "Unhandled exception" not in run.prompts
    resolved, run = tw.ask({"pods": "\x1b[<64;85;12M\x1b[96;14;13M42" + tw.ENTER})
    assert resolved.answers.pods == 42


# ---------------------------------------------------------------- streams: closed, broken, full


def _sh(script: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MA": f"{sys.executable} -m advisor"}
    return subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=env, cwd=cwd, timeout=120)


@pytest.mark.parametrize(
    "script, code, err",
    [
        ("$MA recommend >&-", 2, "mesh-advisor: cannot write the output: standard output is closed"),
        ("$MA --version >&-", 2, "mesh-advisor: cannot write the output: standard output is closed"),
        ("$MA --version > /dev/full", 2, "mesh-advisor: cannot write the output: No space left on device"),
        ("$MA cost --format json > /dev/full", 2, "mesh-advisor: cannot write the output: No space left on device"),
        ("$MA --version | true; exit ${PIPESTATUS[0]}", 0, ""),
        ("$MA recommend --format json | true; exit ${PIPESTATUS[0]}", 0, ""),
        ("$MA matrix | true; exit ${PIPESTATUS[0]}", 0, ""),
        ("$MA recommend --format json <&- > /dev/null", 0, ""),
    ],
)
@pytest.mark.slow
def test_closed_broken_and_full_streams_end_in_a_documented_code(
    tmp_path: Path, script: str, code: int, err: str
) -> None:
    proc = _sh(script, tmp_path)
    assert proc.returncode == code, (proc.stdout[-300:], proc.stderr)
    assert proc.stderr.strip() == err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_with_stderr_closed_errors_never_go_to_stdout(tmp_path: Path) -> None:
    proc = _sh("$MA recommend --pods lots 2>&-", tmp_path)
    assert proc.returncode == 2
    assert proc.stdout == ""


@pytest.mark.parametrize("encoding", ["cp1252", "ascii"])
@pytest.mark.slow
def test_a_legacy_encoding_gets_ascii_stand_ins_not_a_crash(tmp_path: Path, encoding: str) -> None:
    # cp1252: half a table, then exit 1 on `−` or `≥`.
    env = {**os.environ, "PYTHONIOENCODING": encoding, "COLUMNS": "100"}
    proc = subprocess.run(
        [sys.executable, "-m", "advisor", "recommend", "--pods", "50000", "--require", "wasm", "--what-if"],
        capture_output=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    text = proc.stdout.decode(encoding)  # every byte is in the encoding
    assert "Recommendation: Istio ambient" in text and "Blocked: Linkerd" in text
    assert "x Wasm extensions is required" in text  # ✘ became x
