"""The wizard on an 80x24 screen, as a person meets it: what is where, after a real run in a pseudo-terminal.

The child's output goes through pyte (a terminal emulator), and the cursor-position requests
prompt_toolkit sends are answered the way a terminal answers them, so the layout is the one a real
terminal gets (prompt_toolkit then knows how many rows are left below the prompt).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pexpect
import pyte  # the test extra's terminal emulator: without it these tests fail, never skip
import pytest

pytestmark = pytest.mark.slow  # each test drives the real wizard in a pseudo-terminal

ROWS, COLUMNS = 24, 80
ENTER, DOWN, CTRL_C = "\r", "\x1b[B", "\x03"
CPR_REQUEST = "\x1b[6n"
TIMEOUT_S = 20.0


class Screen:
    """`python -m advisor wizard` on an 80x24 pseudo-terminal whose screen is emulated by pyte."""

    def __init__(self, cwd: Path, *args: str, rows: int = ROWS, columns: int = COLUMNS, colour: bool = False) -> None:
        self.screen = pyte.Screen(columns, rows)
        self.stream = pyte.Stream(self.screen)
        hidden = ("COLUMNS", "LINES", "PROMPT_TOOLKIT_NO_CPR", "NO_COLOR")
        env = {k: v for k, v in os.environ.items() if k not in hidden}
        env.update(TERM="xterm-256color", PYTHONUNBUFFERED="1", **({} if colour else {"NO_COLOR": "1"}))
        self.child = pexpect.spawn(
            sys.executable,
            ["-m", "advisor", "wizard", *args],
            cwd=str(cwd),
            env=env,
            dimensions=(rows, columns),
            encoding="utf-8",
            timeout=TIMEOUT_S,
        )
        self.ended = False

    def _pump(self, wait_s: float) -> None:
        try:
            data = self.child.read_nonblocking(65536, timeout=wait_s)
        except pexpect.TIMEOUT:
            return
        except pexpect.EOF:
            self.ended = True
            return
        while CPR_REQUEST in data:
            # answer where the cursor is once everything before the request is drawn
            before, data = data.split(CPR_REQUEST, 1)
            self.stream.feed(before)
            self.child.send(f"\x1b[{self.screen.cursor.y + 1};{self.screen.cursor.x + 1}R")
        self.stream.feed(data)

    @property
    def rows(self) -> list[str]:
        return [line.rstrip() for line in self.screen.display]

    def wait_for(self, text: str) -> int:
        """The row that shows TEXT, once the screen shows it."""
        deadline = time.monotonic() + TIMEOUT_S
        while time.monotonic() < deadline:
            for y, row in enumerate(self.rows):
                if text in row:
                    return y
            if self.ended:
                break
            self._pump(0.2)
        raise AssertionError(f"{text!r} never appeared; the screen:\n" + "\n".join(self.rows))

    def settle(self) -> None:
        """Read until the child has drawn everything it is going to draw for now."""
        for _ in range(5):
            self._pump(0.3)

    def send(self, keys: str) -> None:
        self.child.send(keys)

    def finish(self) -> int:
        deadline = time.monotonic() + TIMEOUT_S
        while not self.ended and time.monotonic() < deadline:
            self._pump(0.2)
        self.child.close()
        return self.child.exitstatus


def test_a_rejected_value_is_explained_on_the_row_under_its_prompt(tmp_path: Path) -> None:
    s = Screen(tmp_path)
    prompt_row = s.wait_for("? How many pods will be in the mesh?")
    s.send("abc" + ENTER)
    message_row = s.wait_for("expected a whole number from 1 to 100,000,000, got 'abc'")
    assert message_row == prompt_row + 1, "\n".join(s.rows)  # not the terminal's last row
    assert prompt_row + 1 < ROWS - 1
    s.send("\x7f" * 3 + "500" + ENTER)
    s.wait_for("? How many nodes run those pods?")
    s.settle()
    assert not any("expected a whole number" in row for row in s.rows)  # corrected: the message is gone
    s.send(CTRL_C)
    assert s.finish() == 130


def test_prompts_wrap_at_words_and_a_typed_value_stays_whole_at_80_columns(tmp_path: Path) -> None:
    s = Screen(tmp_path)
    for _ in range(3):  # pods, nodes, namespaces: kept
        s.wait_for("(Enter keeps")
        s.send(ENTER)
    question = s.wait_for("? How many requests per second flow between meshed services?")
    # no room to type after the hint on the question's line, so the hint starts the next one
    assert s.rows[question + 1].startswith("  (Enter keeps 1000 requests/s)")
    s.send(ENTER)
    s.wait_for("? What share of traffic needs HTTP-aware (L7) processing? (0 to 1)")
    s.send("0.25")
    row = s.wait_for("(Enter keeps 0.2) 0.25")
    assert s.rows[row].endswith("0.25")
    for line in s.rows:
        if line.startswith(("? ", "  (Enter")):
            # a prompt row that reached the last column would have been cut wherever it got to
            assert len(line) < COLUMNS, line
    s.send(CTRL_C)
    assert s.finish() == 130


def test_every_choice_says_what_it_means(tmp_path: Path) -> None:
    s = Screen(tmp_path, "--pods", "10", "--nodes", "2", "--namespaces", "1", "--mesh-rps", "5")
    s.wait_for("? What share of traffic")
    s.send(ENTER + ENTER)  # l7 share, hops: kept
    question = s.wait_for("? Which capabilities must the mesh have?")
    assert s.rows[question + 1] == " (↑/↓ move, space ticks, Enter ends)"  # a tick's title fits below
    s.send(ENTER)
    s.wait_for("? Which capabilities would be nice to have?")
    s.send(ENTER)
    for prompt in ("Which mesh does the cluster run today?", "How much service-mesh experience"):
        s.wait_for(prompt)
        s.send(ENTER)
    s.wait_for("Does the team already run Envoy?")
    s.send("n")
    s.wait_for("What is your appetite for young or pre-GA technology?")
    s.wait_for("conservative — only GA features; alpha is a blocker")
    s.send(ENTER)
    s.wait_for("? How much does the mesh's resource cost matter?")
    # each sensitivity says what it does to the cost category's weight (data/rules.toml)
    s.wait_for("low — cost weighs half")
    s.wait_for("medium — the usual weight")
    s.wait_for("high — cost weighs double")
    s.send(CTRL_C)
    assert s.finish() == 130


def test_ctrl_c_at_80x24_says_nothing_was_saved_and_exits_130(tmp_path: Path) -> None:
    s = Screen(tmp_path, "-o", "result.toml")
    s.wait_for("? How many pods will be in the mesh?")
    s.send("12")
    s.wait_for("(Enter keeps 100) 12")
    s.send(CTRL_C)
    s.wait_for("Interrupted; nothing saved.")
    assert s.finish() == 130
    assert "Traceback" not in "\n".join(s.rows)
    assert list(tmp_path.iterdir()) == []
