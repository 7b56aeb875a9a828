"""Terminal behaviour of the table views: pipes, NO_COLOR, TERM=dumb, 60 and 300 columns.

These run the real command in a subprocess, through a pipe or a pseudo-terminal (pexpect), with
the environment under the test's control: what a person or a CI log actually receives.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pexpect
import pytest
from outcomes import ESC, FORCE_COLOUR_VARIABLES, only_warnings, run_cli
from rich.cells import cell_len

from advisor.catalog.load import load_catalog

# Every test starts mesh-advisor in a subprocess or a pseudo-terminal.
pytestmark = pytest.mark.slow

OPTION_NAMES = [o.name for o in load_catalog().features.options]
COMMANDS: dict[str, list[str]] = {
    "recommend": ["recommend", "--pods", "500", "--require", "fault-injection", "--risk", "conservative"],
    "cost": ["cost", "--pods", "2000", "--sweep", "pods=100:5000:6"],
    "matrix": ["matrix"],
    "data show": ["data", "show"],
    "what-if": ["recommend", "--what-if", "--pods", "500"],
    "compare": ["compare", "{a}", "{b}"],
}
# What each view must show whatever the width: the options, the answer, and the parts of the view.
MUST_SHOW: dict[str, list[str]] = {
    "recommend": [
        "Recommendation: Istio sidecar",
        "Blocked: Istio ambient",
        "Why Istio sidecar scores",
        "Assumptions:",
    ],
    "cost": ["Per component", "Assumptions:", "Monthly cost"],
    "matrix": ["Feature matrix", "Sources:", "Levels:", "Fault injection"],
    "data show": ["Data version", "Prices (USD)", "Benchmark profile istio-1.24", "opencost-default"],
    "what-if": ["Recommendation: Linkerd", "What would change the answer", "istio-ambient would be chosen"],
    "compare": ["The choice changed from linkerd to istio-ambient", "Answers that differ", "Reasons that changed"],
}


@pytest.fixture(scope="module")
def saved(tmp_path_factory) -> dict[str, str]:
    """Two saved results for `compare`: 500 pods, then 5,000 pods that need Wasm."""
    where = tmp_path_factory.mktemp("results")
    paths = {"a": str(where / "a.json"), "b": str(where / "b.json")}
    for path, extra in ((paths["a"], ["--pods", "500"]), (paths["b"], ["--pods", "5000", "--require", "wasm"])):
        rc, _, err = run_cli("recommend", *extra, "-o", path)
        assert rc == 0, err
    return paths


def args_of(command: str, saved: dict[str, str]) -> list[str]:
    return [arg.format(**saved) for arg in COMMANDS[command]]


# SGR parameters that set a colour (foreground, background, 256-colour and truecolour, bright).
COLOUR_SGR = re.compile(r"\x1b\[(?:[0-9;]*;)?(?:3[0-9]|4[0-9]|9[0-7]|10[0-7])(?:;[0-9;]*)?m")


def environment(**changes: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in (*FORCE_COLOUR_VARIABLES, "NO_COLOR", "COLUMNS", "LINES", "TERM")
    }
    env.update(changes)
    return env


def through_pipe(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "advisor", *args],
        env=environment(**env),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )


def on_terminal(args: list[str], columns: int = 120, **env: str) -> tuple[int, str]:
    """Run on a pseudo-terminal of the given width; returns (exit code, everything it wrote)."""
    child = pexpect.spawn(
        sys.executable,
        ["-m", "advisor", *args],
        env=environment(**env),
        dimensions=(50, columns),
        encoding="utf-8",
        codec_errors="replace",
        timeout=60,
    )
    out = child.read()
    child.close()
    # the terminal turns each newline into CR LF; anything else with CR would be a spinner or redraw
    return child.exitstatus, out.replace("\r\n", "\n")


def widest_line(text: str) -> int:
    """The widest line, leaving out what is one unwrapped line by design: a source printed whole
    on its own line (so a URL can be clicked or copied) and a sanity warning on stderr (one line per
    finding, like an error); the terminal wraps those."""
    lines = [
        line
        for line in text.splitlines()
        if not line.startswith("mesh-advisor: warning: ") and not re.match(r"^\s*(\[\d+\]|source) ", line)
    ]
    return max((cell_len(line) for line in lines), default=0)


def assert_readable(command: str, text: str) -> None:
    text = re.sub(r"\x1b\[[0-9;]*m", "", text)  # bold and dim split the text into styled runs
    for name in OPTION_NAMES if command not in ("data show", "what-if") else ():
        assert name in text, f"{command}: option {name!r} missing or cut"
    for part in MUST_SHOW[command]:
        assert part in text, f"{command}: {part!r} missing or cut"
    # an ellipsis means rich cut something off to make it fit
    assert "…" not in text, f"{command}: text cut off:\n" + "\n".join(line for line in text.splitlines() if "…" in line)


def assert_no_spinner(text: str) -> None:
    assert "\r" not in text
    assert not re.search(r"\x1b\[\d*[ABCDGJK]", text), "cursor movement: a spinner or live display"


@pytest.mark.parametrize("command", COMMANDS)
def test_a_pipe_gets_plain_text_without_spinners(command, saved) -> None:
    # TERM says colour is possible; a pipe must still get plain text
    result = through_pipe(args_of(command, saved), TERM="xterm-256color")
    assert result.returncode == 0, result.stderr
    assert ESC not in result.stdout and ESC not in result.stderr
    assert_no_spinner(result.stdout)
    assert_readable(command, result.stdout)


def test_a_terminal_gets_colour_unless_no_color_is_set() -> None:
    rc, coloured = on_terminal(COMMANDS["recommend"], TERM="xterm-256color")
    assert rc == 0 and COLOUR_SGR.search(coloured), "expected colour on a terminal (the control case)"


@pytest.mark.parametrize("command", COMMANDS)
def test_no_color_turns_colour_off_on_a_60_column_terminal_that_still_reads(command, saved) -> None:
    # One screen for two questions (colour does not depend on the width; the dumb terminal below is 120 wide)
    rc, out = on_terminal(args_of(command, saved), columns=60, TERM="xterm-256color", NO_COLOR="1")
    assert rc == 0, out
    # no-color.org: no colour; bold and dim may stay
    assert not COLOUR_SGR.search(out), COLOUR_SGR.search(out)
    assert_no_spinner(out)
    # 60 columns: nothing wider, nothing cut
    plain = re.sub(r"\x1b\[[0-9;]*m", "", out)
    assert widest_line(plain) <= 60
    assert_readable(command, plain)


@pytest.mark.parametrize("command", COMMANDS)
def test_a_dumb_terminal_gets_plain_text(command, saved) -> None:
    rc, out = on_terminal(args_of(command, saved), TERM="dumb")
    assert rc == 0, out
    assert ESC not in out
    assert_no_spinner(out)
    assert_readable(command, out)


def in_process(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    """The entry point in this process, writing to a pipe-like stream with the environment given: a
    width is a layout question, so these skip the interpreter start (the pipe itself is tested above)."""
    rc, out, err = run_cli(*args, environ=environment(**env))
    return subprocess.CompletedProcess(args, rc, out, err)


@pytest.mark.parametrize("command", COMMANDS)
def test_60_columns_through_a_pipe_still_reads(command, saved) -> None:
    result = in_process(args_of(command, saved), COLUMNS="60")
    assert result.returncode == 0 and only_warnings(result.stderr), result.stderr
    assert widest_line(result.stdout) <= 60
    assert_readable(command, result.stdout)


@pytest.mark.parametrize("command", COMMANDS)
def test_300_columns_use_the_room_without_breaking(command, saved) -> None:
    result = in_process(args_of(command, saved), COLUMNS="300")
    assert result.returncode == 0 and only_warnings(result.stderr), result.stderr
    assert widest_line(result.stdout) <= 300
    if command not in ("data show", "compare"):  # listed, or one narrow table: they need no room
        assert widest_line(result.stdout) > 100
    assert_readable(command, result.stdout)


def test_errors_on_a_terminal_are_one_plain_line() -> None:
    rc, out = on_terminal(["recommend", "--pods", "lots"], TERM="xterm-256color")
    assert rc == 2
    assert out.strip() == "mesh-advisor: --pods: expected a whole number from 1 to 100,000,000, got 'lots'"
