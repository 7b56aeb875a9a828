"""Entry point for `mesh-advisor` and `python -m advisor`.

Kept tiny on purpose: before anything heavy is imported it sets up what every path relies on, so
that an early Ctrl-C, a closed or broken stream, a full disk or a locale that cannot encode the
output ends in a documented exit code and at most one line on stderr, never a traceback:

- SIGINT, SIGTERM and SIGHUP raise KeyboardInterrupt (temporary files are removed on the way
  out); SIGTERM and SIGHUP then exit 128 + the signal number, Ctrl-C 130.
- A closed stdin, stdout or stderr gets /dev/null on its descriptor, so no file opened later takes
  its number; writing results to a closed stdout is an error (exit 2), and with stderr closed
  messages are dropped, never sent to stdout.
- A stream whose encoding cannot show a character gets an ASCII stand-in (`-` for `−`, `>=` for
  `≥`, `x` for `✘`, `+`, `-` and `|` for box drawing), else `?`.
"""

from __future__ import annotations

import sys

# Nothing else at module level: a Ctrl-C that lands while this module is imported is outside any
# handler, so the module imports only what the interpreter has already loaded. `_signal` is the
# built-in half of `signal` (which would import enum first); `os` is loaded by site at start-up.
TYPE_CHECKING = False  # the typing module is not imported for annotations (they are postponed)
if TYPE_CHECKING:
    from typing import Any

    from advisor.environment import Environment

EXIT_INTERRUPTED = 130
_received: list[int] = []  # signal numbers received, in order


def _on_signal(signum: int, frame: object) -> None:  # noqa: ARG001
    _received.append(signum)
    raise KeyboardInterrupt


def _install_signal_handlers() -> None:
    import _signal

    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        signum = getattr(_signal, name, None)
        if signum is None:
            continue
        try:
            if _signal.getsignal(signum) == _signal.SIG_IGN:
                continue  # started with it ignored (nohup, a background job): keep it so
            _signal.signal(signum, _on_signal)
        except (OSError, ValueError):  # not the main thread (an embedding caller)
            pass


class _ClosedStream:
    """Stands in for a standard stream that was closed when the process started."""

    encoding = "utf-8"
    errors = "strict"

    def __init__(self, name: str) -> None:
        self.name = name

    def _fail(self, *args: object) -> None:
        import errno

        raise OSError(errno.EBADF, f"standard {self.name} is closed")

    write = writelines = _fail

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        self._fail()
        return -1

    def readable(self) -> bool:
        return False

    def writable(self) -> bool:
        return True


def _fd_open(fd: int) -> bool:
    import os

    try:
        os.fstat(fd)
        return True
    except OSError:
        return False


def _guard_streams() -> None:
    import os

    closed = {fd: not _fd_open(fd) for fd in (0, 1, 2)}
    for fd in (0, 1, 2):
        if closed[fd]:
            try:
                null = os.open(os.devnull, os.O_RDWR)
                if null != fd:
                    os.dup2(null, fd)
                    os.close(null)
            except OSError:
                pass
    if closed[0] or sys.stdin is None:
        sys.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115 - lives as long as the process
    if closed[1] or sys.stdout is None:
        sys.stdout = _ClosedStream("output")  # type: ignore[assignment]
    if closed[2] or sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
    for stream in (sys.stdout, sys.stderr):
        _ascii_fallback(stream)


# Characters mesh-advisor prints that a legacy code page may lack, and what to show instead.
_ASCII = {
    "\u2212": "-",
    "\u2013": "-",
    "\u2014": "--",
    "\u2265": ">=",
    "\u2264": "<=",
    "\u2260": "!=",
    "\u00d7": "x",
    "\u2718": "x",
    "\u2717": "x",
    "\u2714": "v",
    "\u2713": "v",
    "\u2192": "->",
    "\u2190": "<-",
    "\u2026": "...",
    "\u2022": "*",
    "\u00b7": ".",
    "\u2248": "~",
    "\u00b1": "+/-",
    "\u2018": "'",
    "\u2019": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u00a0": " ",
    "\u2502": "|",
    "\u2503": "|",
    "\u2551": "|",
    "\u2500": "-",
    "\u2501": "-",
    "\u2550": "=",
    "\u2588": "#",
    "\u2591": ".",
    "\u2592": ":",
    "\u2593": "#",
    "\u258c": "|",
    "\u2590": "|",
}


def _ascii_error_handler(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    out = []
    for ch in exc.object[exc.start : exc.end]:
        if ch in _ASCII:
            out.append(_ASCII[ch])
        elif "\u2500" <= ch <= "\u257f":  # other box drawing: corners and joints
            out.append("+")
        elif "\u2580" <= ch <= "\u259f":  # block elements (bars)
            out.append("#")
        else:
            out.append("?")
    return "".join(out), exc.end


def _ascii_fallback(stream: object) -> None:
    encoding = (getattr(stream, "encoding", None) or "").lower().replace("_", "-")
    if encoding.startswith("utf") or not hasattr(stream, "reconfigure"):
        return
    import codecs

    try:
        codecs.lookup_error("mesh-advisor-ascii")
    except LookupError:
        codecs.register_error("mesh-advisor-ascii", _ascii_error_handler)
    try:
        stream.reconfigure(errors="mesh-advisor-ascii")  # type: ignore[attr-defined]
    except (ValueError, OSError, AttributeError):
        pass


def _silence_stdout() -> None:
    """After a broken pipe or failed write: the rest goes nowhere, and exit's flush cannot fail."""
    import os

    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.close(null)
    except OSError:
        pass


def _interrupted_code() -> int:
    import _signal

    for signum in reversed(_received):
        if signum != _signal.SIGINT:
            return 128 + signum
    return EXIT_INTERRUPTED


def _run(args: list[str], env: Environment | None, out: Any) -> int:
    if args == ["--version"]:
        # Fast path: `--version` needs none of the CLI machinery.
        # deferred: the package's version only (nothing loads before the signal handlers are set)
        from advisor import __version__

        out.write(f"mesh-advisor {__version__}\n")
        return 0
    # deferred: the CLI (typer) loads only once the signal handlers and streams are set up
    from advisor.cli.app import run

    return run(args, env)


def main(argv: list[str] | None = None, env: Environment | None = None) -> int:
    """Run mesh-advisor with `argv` (default sys.argv[1:]) in `env` (default: this process's streams).

    Signal and stream set-up happen only for the process's own run (no `argv` given: the console
    script, `python -m advisor`), never for a caller running it in-process.
    """
    own_process = argv is None and env is None
    err: Any = None
    if "advisor.output.atomic" in sys.modules:  # an earlier in-process run's saved file is not this run's
        sys.modules["advisor.output.atomic"].forget_saved()
    try:
        if own_process:
            _install_signal_handlers()
            _guard_streams()
        args = list(sys.argv[1:] if argv is None else argv)
        out = env.stdout if env is not None and env.stdout is not None else sys.stdout
        err = env.stderr if env is not None and env.stderr is not None else sys.stderr
        code = _run(args, env, out)
        if code == EXIT_INTERRUPTED and _received:
            code = _interrupted_code()
        out.flush()  # inside the guard: a full disk or a gone reader is reported here
        return code
    except (KeyboardInterrupt, OSError) as exc:
        # Ctrl-C (or SIGTERM/SIGHUP) while the CLI is being imported or exits, or the last flush
        # failing: said and coded by the one mapping.
        if own_process and isinstance(exc, OSError):
            _silence_stdout()
        # deferred: nothing but the interpreter's own modules loads before the signal handlers are set
        from advisor.cli.exits import exit_code

        code = exit_code(exc, None, err if err is not None else sys.stderr, process=True)
        return _interrupted_code() if isinstance(exc, KeyboardInterrupt) else code
    finally:
        if own_process:
            _ignore_signals()


def _ignore_signals() -> None:
    """The work is done and said: a signal from here on cannot change what happened. Python's
    finalization would put the default handlers back (a late SIGTERM then killed a run that had
    saved its file, and a late Ctrl-C printed a traceback from threading's shutdown); an ignored
    signal stays ignored through it, so the exit code is the one returned."""
    import _signal

    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        signum = getattr(_signal, name, None)
        if signum is not None:
            try:
                _signal.signal(signum, _signal.SIG_IGN)
            except (OSError, ValueError):
                pass


if __name__ == "__main__":
    sys.exit(main())
