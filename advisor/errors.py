"""User-facing errors and the exit codes they map to."""

from __future__ import annotations

import re
import sys

from advisor.humanize import clip  # noqa: F401 - re-exported: messages clip what they echo

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


# C0/C1 control characters (ESC starts terminal escape sequences, BEL ends OSC 8 links) and the
# Unicode bidi overrides that make text read differently from what it holds.
# U+2028 and U+2029 (line and paragraph separators) break lines in many terminals and editors: a
# data file could forge a "data OK" line with one, so they are escaped like the C0 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_CONTROL_OR_LINE_BREAK = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def visible(text: str, one_line: bool = False) -> str:
    """Text from files or flags with its control characters shown as escapes (`\\x1b`), never obeyed.

    `one_line` also escapes line breaks and tabs, for messages that must stay one line per problem.
    """
    pattern = _CONTROL_OR_LINE_BREAK if one_line else _CONTROL
    return pattern.sub(lambda m: repr(m.group())[1:-1], text)


def syntax_problem(exc: ValueError) -> str:
    """A TOML/JSON parser's complaint in plain words.

    Python refuses to convert integers longer than its int-string limit (4300 digits) and says so
    in terms of its own internals; tomllib lets that ValueError through as is.
    """
    if "integer string conversion" in str(exc):
        return f"a number with more than {sys.get_int_max_str_digits()} digits"
    return str(exc)


class UserError(Exception):
    """Something the user can fix: bad flag, bad file, bad data. Exit code 2, no traceback."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = list(problems or [])

    def lines(self) -> list[str]:
        return [self.message, *(f"  {p}" for p in self.problems)]


class AnswerError(UserError):
    """An answer (flag, answers file or typed value) is invalid."""


class DataError(UserError):
    """A data directory or data file is invalid; carries every problem found."""


class OutputError(UserError):
    """An output file cannot be written (exists without --force, missing directory...)."""


class NoTerminalError(UserError):
    """The wizard was started without a terminal on stdin and stdout."""


class Interrupted(Exception):
    """The user pressed Ctrl-C or closed input; nothing is written."""

    exit_code = EXIT_INTERRUPTED
