"""Regenerate docs/wizard.svg from a real `mesh-advisor wizard` run in a pseudo-terminal.

The run's bytes go through pyte (a terminal emulator) and the resulting screen is drawn by rich's
recording console, so the picture is what a 100x56 terminal shows, not a mock-up. Not a test:

    python -m pip install pyte && python tests/tty/record_wizard_svg.py
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pexpect
import pyte
from rich.console import Console
from rich.style import Style
from rich.text import Text

ROWS, COLUMNS = 56, 100
ENTER, SPACE, DOWN = "\r", " ", "\x1b[B"
MUST = ["mtls", "fault-injection", "vm-workloads"]
NICE = ["traffic-mirroring", "tracing"]
OUT = Path(__file__).resolve().parents[2] / "docs" / "wizard.svg"
# pyte's colour names -> rich's
COLOURS = {"brown": "yellow", "default": None}


class ScreenFeed:
    """A pexpect log target that feeds everything the wizard draws into a pyte screen."""

    def __init__(self, screen: pyte.Screen) -> None:
        self.stream = pyte.Stream(screen)

    def write(self, data: str) -> None:
        self.stream.feed(data)

    def flush(self) -> None:
        pass


def ticks(feature_ids: list[str], hidden: tuple[str, ...] = ()) -> str:
    """Arrow down to each capability in the checkbox (grouped as the matrix groups them) and tick it."""
    from advisor.catalog.load import load_catalog

    features = load_catalog().features
    order = [f.id for g in features.groups for f in features.features if f.group == g.id and f.id not in hidden]
    keys, at = "", 0
    for fid in sorted(feature_ids, key=order.index):
        keys += DOWN * (order.index(fid) - at) + SPACE
        at = order.index(fid)
    return keys


def colour(name: str) -> str | None:
    if name in COLOURS:
        return COLOURS[name]
    if len(name) == 6 and all(c in "0123456789abcdefABCDEF" for c in name):
        return "#" + name
    if name.startswith("bright"):
        return "bright_" + COLOURS.get(name[6:], name[6:])
    return name


def _style(key: tuple) -> Style:
    fg, bg, bold, italic, underline, reverse = key
    return Style(color=colour(fg), bgcolor=colour(bg), bold=bold, italic=italic, underline=underline, reverse=reverse)


def screen_text(screen: pyte.Screen) -> Text:
    lines = []
    for y in range(screen.lines):
        row = screen.buffer[y]
        line = Text()
        run, run_key = "", None
        for x in range(screen.columns):
            ch = row[x]
            key = (ch.fg, ch.bg, ch.bold, ch.italics, ch.underscore, ch.reverse)
            if key != run_key and run:
                line.append(run, _style(run_key))
                run = ""
            run, run_key = run + ch.data, key
        line.append(run, _style(run_key))
        line.rstrip()
        lines.append(line)
    while lines and not lines[-1].plain:
        lines.pop()
    return Text("\n").join(lines)


def main() -> int:
    screen = pyte.Screen(COLUMNS, ROWS)
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS", "LINES")}
    env.update(TERM="xterm-256color", PROMPT_TOOLKIT_NO_CPR="1")
    child = pexpect.spawn(
        sys.executable,
        ["-m", "advisor", "wizard"],
        env=env,
        dimensions=(ROWS, COLUMNS),
        encoding="utf-8",
        timeout=20,
        cwd=str(OUT.parent),
    )
    child.logfile_read = ScreenFeed(screen)
    for prompt, keys in (
        ("How many pods", "2000" + ENTER),
        ("How many nodes", "40" + ENTER),
        ("How many namespaces", ENTER),
        ("requests per second", "5000" + ENTER),
        ("(L7) processing?", "0.3" + ENTER),
        ("hops does one", ENTER),
        ("must the mesh have?", ticks(MUST) + ENTER),
        ("nice to have?", ticks(NICE, hidden=tuple(MUST))),
    ):
        child.expect_exact(prompt)
        child.send(keys)
    time.sleep(1.0)
    try:
        child.read_nonblocking(100_000, timeout=0.5)
    except (pexpect.TIMEOUT, pexpect.EOF):
        pass
    console = Console(
        record=True, width=COLUMNS, force_terminal=True, color_system="truecolor", file=open(os.devnull, "w")
    )
    console.print(screen_text(screen))
    child.sendcontrol("c")
    child.expect(pexpect.EOF)
    shown = console.export_text(clear=False)
    console.save_svg(str(OUT), title="mesh-advisor wizard")
    print(shown if "--show" in sys.argv else f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
