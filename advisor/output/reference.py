"""Artefacts derived from the question registry (README's answers table); `python -m advisor.output.reference` refreshes it."""

from __future__ import annotations

import sys
from pathlib import Path

from advisor.answers.registry import QUESTIONS
from advisor.answers.question import Question, _range_words

START = "<!-- ANSWERS-TABLE:START -->"
END = "<!-- ANSWERS-TABLE:END -->"


def _type_cell(q: Question) -> str:
    if q.kind == "int":
        return f"whole number {_range_words(q.minimum, q.maximum)}".strip()
    if q.kind == "float":
        return f"number {_range_words(q.minimum, q.maximum)}".strip()
    if q.kind == "choice":
        return ", ".join(q.choices)
    if q.kind == "bool":
        return "true / false"
    if q.kind == "features":
        return "feature ids (repeatable, comma list)"
    if q.kind == "option":
        return "none, or an option id"
    if q.key == "platform":
        return "platform id"
    return "profile name"


def _flag_cell(q: Question) -> str:
    if q.kind == "bool":
        return f"`{q.flag}/{q.negative_flag}`"
    if q.kind == "features":
        return f"`{q.flag} ID`"
    return f"`{q.flag}`"


def _default_cell(q: Question) -> str:
    if q.default is None:
        text = "none"
    elif isinstance(q.default, tuple):
        text = ", ".join(q.default) or "none"
    elif isinstance(q.default, bool):
        text = str(q.default).lower()
    else:
        text = f"{q.default:g}" if isinstance(q.default, float) else str(q.default)
    return f"{text} ({q.default_note})" if q.default_note else text


def answers_markdown() -> str:
    lines = [
        "## Answers",
        "",
        "One registry (`advisor/answers/registry.py`) defines every answer for the flags, the wizard, answers",
        "files and this table (regenerate it with `python -m advisor.output.reference`; a test fails when it drifts).",
        "Precedence: flag > `--answers FILE` (or the positional ANSWERS) > a scan (`mesh-advisor scan -o",
        "cluster.toml`, given as ANSWERS or `--answers`, beside at most one answers file) > typed in the",
        "wizard > default. Each source goes through the same validation, and every result records where",
        "each answer came from in `meta.origins` (flag, file, scan, typed or default; `meta.defaulted`",
        "lists the defaulted ones). The wizard does not ask what a scan answered.",
        "",
        "| key | flag | type, range | default | meaning |",
        "|---|---|---|---|---|",
    ]
    for q in QUESTIONS:
        lines.append(f"| {q.key} | {_flag_cell(q)} | {_type_cell(q)} | {_default_cell(q)} | {q.help} |")
    return "\n".join(lines)


def refresh_readme(path: Path) -> bool:
    """Rewrite the marked section of README; True when it changed."""
    text = path.read_text(encoding="utf-8")
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    new = f"{head}{START}\n{answers_markdown()}\n{END}{tail}"
    if new != text:
        path.write_text(new, encoding="utf-8")
        return True
    return False


if __name__ == "__main__":
    readme = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("README.md")
    print(f"{readme}: {'updated' if refresh_readme(readme) else 'already up to date'}")
