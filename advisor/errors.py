"""User-facing errors and the exit codes they map to."""

from __future__ import annotations

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


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
