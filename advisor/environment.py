"""The world one invocation sees: streams, whether each is a terminal, width, colour, environment variables.

Built once per run (`Environment.from_system()`, or by a test with a StringIO and a width) and handed
to `advisor.cli.app.run(argv, env)`; commands read it with `current()`. The rich console is created
lazily, so a command that writes JSON never imports rich (httpie's `Environment` is the model).
"""

from __future__ import annotations

import os
import sys
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any, Mapping

from advisor.errors import visible

if TYPE_CHECKING:
    from rich.console import Console


def _isatty(stream: Any) -> bool:
    try:
        return stream is not None and bool(stream.isatty())
    except (AttributeError, ValueError, OSError):  # a closed or fake stream is not a terminal
        return False


@dataclass(eq=False)
class Environment:
    """Streams and terminal facts; None for a fact means "find it out from the streams and environ"."""

    stdin: IO[str] | None = None
    stdout: IO[str] | None = None
    stderr: IO[str] | None = None
    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)
    stdin_isatty: bool | None = None
    stdout_isatty: bool | None = None
    stderr_isatty: bool | None = None
    # A fixed width for tables (a test's 60 columns); None: COLUMNS, else the terminal's, else 80.
    columns: int | None = None
    # True forces colour, False forbids it; None: rich decides (terminal, NO_COLOR, FORCE_COLOR, TERM).
    colour: bool | None = None
    _console: Any = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.stdin is None:
            self.stdin = sys.stdin
        if self.stdout is None:
            self.stdout = sys.stdout
        if self.stderr is None:
            self.stderr = sys.stderr
        if self.stdin_isatty is None:
            self.stdin_isatty = _isatty(self.stdin)
        if self.stdout_isatty is None:
            self.stdout_isatty = _isatty(self.stdout)
        if self.stderr_isatty is None:
            self.stderr_isatty = _isatty(self.stderr)

    @classmethod
    def from_system(cls) -> Environment:
        """The process's own streams and environment variables."""
        return cls()

    @property
    def width(self) -> int:
        """Columns available for text: the fixed width, else COLUMNS, else the terminal's, else 80."""
        if self.columns is not None:
            return self.columns
        given = self.environ.get("COLUMNS", "")
        if given.isdigit() and int(given) > 0:
            return int(given)
        if self.stdout_isatty:
            try:
                return os.get_terminal_size(self.stdout.fileno()).columns  # type: ignore[union-attr]
            except (OSError, ValueError, AttributeError):
                pass
        return 80

    @property
    def console(self) -> Console:
        """The rich console on stdout, made on first use (rich is imported only then)."""
        if self._console is None:
            from rich.console import Console

            class _Console(Console):
                def on_broken_pipe(self) -> None:
                    # rich would exit 1; a reader that stopped early (`| head`) is not a failure.
                    self.quiet = True
                    raise BrokenPipeError

            self._console = _Console(
                file=self.stdout,
                width=self.columns,
                highlight=False,
                force_terminal=True if self.colour else None,
                no_color=True if self.colour is False else None,
                _environ=self.environ,
            )
        return self._console

    # The old name, kept for callers that say env.out.
    @property
    def out(self) -> Console:
        return self.console

    def write(self, text: str) -> None:
        """Text (a document) to stdout as is."""
        assert self.stdout is not None
        self.stdout.write(text)

    def note(self, message: str) -> None:
        """One line for the person on stderr, its control characters shown, never obeyed."""
        print(visible(message), file=self.stderr)

    def warn(self, message: str) -> None:
        self.note(f"mesh-advisor: warning: {message}")


_CURRENT: ContextVar[Environment | None] = ContextVar("mesh_advisor_environment", default=None)


def current() -> Environment:
    """The environment of the invocation in progress (the system's when none was installed)."""
    env = _CURRENT.get()
    return env if env is not None else Environment.from_system()


def install(env: Environment) -> Any:
    """Make `env` the current environment; returns the token for `uninstall`."""
    return _CURRENT.set(env)


def uninstall(token: Any) -> None:
    _CURRENT.reset(token)
