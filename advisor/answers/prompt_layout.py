"""How the wizard's prompts fit the terminal: questions wrapped at words, short hints, every choice's meaning.

questionary draws `? QUESTION  HINT ` with the typed text after it, and prompt_toolkit wraps a line
that is too long wherever it reaches the last column, in the middle of a word or of a typed value.
These helpers break the lines where a person would, before questionary draws them.
"""

from __future__ import annotations

import textwrap

import questionary
from prompt_toolkit.filters import to_filter
from questionary import Choice

from advisor.answers.question import Question
from advisor.catalog.models import Catalog
from advisor.humanize import clip


def keep_hint(q: Question, offered: str) -> str:
    """`(Enter keeps 100)`: the unit is added only where the question does not already name it."""
    unit = q.unit if q.unit and q.unit.split()[0].lower() not in q.prompt.lower() else ""
    return f"(Enter keeps {offered}{' ' + unit if unit else ''})"


def choice_meaning(catalog: Catalog, q: Question, value: str) -> str:
    """What picking VALUE does: the registry's words, else the weight rules the data applies for it."""
    if q.choice_help.get(value):
        return q.choice_help[value]
    rules = [r for r in catalog.rules.weight_rules if r.when.answers == {q.key: value}]
    if rules:
        # "cost sensitivity is high: cost weighs double" -> "cost weighs double"
        return "; ".join(r.text.split(": ", 1)[-1] for r in rules)
    if any(r.when.answers.keys() == {q.key} for r in catalog.rules.weight_rules):
        return "the usual weight"
    return ""


def fit(text: str, width: int) -> str:
    """TEXT clipped with an ellipsis to WIDTH columns (choice titles)."""
    return clip(text, max(width, 11), "…")


# Columns kept free after a prompt for what is typed, so a typed value never wraps (`0.2|5`).
ROOM_TO_TYPE = 16


def fit_prompt(message: str, hint: str, width: int, room: int = ROOM_TO_TYPE) -> tuple[str, str]:
    """A prompt wrapped at words to WIDTH, and its hint on the last line only if ROOM columns are left after it.

    questionary draws `? MESSAGE  HINT ` and the typed text after it; prompt_toolkit would wrap a long
    line in the middle of a word, so the lines are broken here, where a person would break them.
    """
    usable = max(width - 1, 20)  # the last column stays empty: some terminals wrap on it
    # the first line starts after "? " (2 columns); later lines start at the left edge
    lines = textwrap.wrap(message, width=usable - 2, break_long_words=False, break_on_hyphens=False) or [""]
    if len(lines) > 1:
        rest = textwrap.wrap(" ".join(lines[1:]), width=usable, break_long_words=False, break_on_hyphens=False)
        lines = lines[:1] + rest
    last = len(lines[-1]) + (2 if len(lines) == 1 else 0) + 1  # its trailing space
    if last + len(hint) + 2 + room > usable:
        # the hint starts a line of its own (questionary puts one space before it)
        return "\n".join(lines) + "\n", hint
    return "\n".join(lines), hint


def fit_message(message: str, width: int, choices: list[Choice] | None = None, hint: str = "(Use arrow keys)") -> str:
    """A select's or confirm's question wrapped at words; the picked choice, shown after it once
    answered, goes on a line of its own when it would not fit beside the question."""
    longest = max([len(hint), *(len(str(c.title)) for c in choices or [])])
    return fit_prompt(message, "x" * longest, width, room=0)[0]


def explain_under_the_prompt(question: questionary.Question) -> questionary.Question:
    """Keep a rejected value's explanation on the line right under the prompt.

    prompt_toolkit gives a prompt every row below the cursor (it asks the terminal where the cursor
    is) and lets the input line grow into them, which pushed the validation message to the
    terminal's last row, far below the prompt. The input line now keeps its own height.
    """
    question.application.layout.current_window.dont_extend_height = to_filter(True)
    return question
