"""Regenerate docs/wizard.svg from a real `mesh-advisor wizard` run in a pseudo-terminal.

The run's bytes go through pyte (a terminal emulator, in the test extra) and the resulting screen
is drawn by rich's recording console, so the picture is what a 100x56 terminal shows, not a
mock-up: every section, from the workload counts to the price list. Not a test:

    python tests/tty/record_wizard_svg.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

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
    # the same pseudo-terminal screen the 80x24 tests use: pyte, with cursor-position requests answered
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from test_wizard_screen import Screen

    s = Screen(OUT.parent, rows=ROWS, columns=COLUMNS, colour=True)
    for prompt, keys in (
        ("How many pods", "2000" + ENTER),
        ("How many nodes", "40" + ENTER),
        ("How many namespaces", ENTER),
        ("requests per second", "5000" + ENTER),
        ("(L7) processing?", "0.3" + ENTER),
        ("hops does one", ENTER),
        ("must the mesh have?", ticks(MUST) + ENTER),
        ("nice to have?", ticks(NICE, hidden=tuple(MUST)) + ENTER),
        ("run today?", DOWN * 2 + ENTER),  # istio-sidecar
        ("service-mesh experience", ENTER),
        ("already run Envoy?", "y"),
        ("young or pre-GA", ENTER),
        ("resource cost matter?", ENTER),
        ("added latency matter?", ENTER),
        ("Where does the cluster run?", ENTER),
        ("managed mesh?", "n"),
        ("into money?", ""),  # the price list stays open in the picture
    ):
        s.wait_for(prompt)
        s.send(keys)
    s.wait_for("Enter my own prices")
    s.settle()
    console = Console(
        record=True, width=COLUMNS, force_terminal=True, color_system="truecolor", file=open(os.devnull, "w")
    )
    console.print(screen_text(s.screen))
    s.send("\x03")
    s.finish()
    shown = console.export_text(clear=False)
    console.save_svg(str(OUT), title="mesh-advisor wizard")
    print(shown if "--show" in sys.argv else f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
