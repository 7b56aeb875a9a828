"""The one mapping from what went wrong to what the user sees and the exit code (advisor.errors defines them).

The CLI (advisor.cli.app) and the process entry point (advisor.__main__, for what happens while
the CLI is imported or after it returns) both end here, so a Ctrl-C, a gone reader, a full disk, a
user's mistake or a bug always ends the same way: at most one line on stderr and a documented code.
"""

from __future__ import annotations

import errno
import os
import sys
from typing import Any, Sequence

from advisor.errors import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_USAGE, Interrupted, UserError, visible

# Writing the output failed for a reason that is the user's to fix (a full disk, a dead terminal).
OUTPUT_ERRNOS = frozenset({errno.ENOSPC, errno.EIO, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)})


def interrupted_message() -> str:
    """What Ctrl-C (or SIGTERM, SIGHUP) says: "nothing saved" only when nothing was."""
    atomic = sys.modules.get("advisor.output.atomic")  # loaded only once something may be written
    if atomic is not None:
        return str(atomic.interrupted_message())
    return "\nInterrupted; nothing saved."


def say(line: str, stream: Any) -> None:
    """One line on `stream` (stderr); nothing when the stream itself is gone: the code still tells."""
    try:
        stream.write(line + "\n")
        stream.flush()
    except (OSError, ValueError, AttributeError):
        pass


def silence(stream: Any) -> None:
    """After a gone reader or a failed write: the rest goes to /dev/null, so exit's flush cannot fail."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, stream.fileno())
        os.close(null)
    except (OSError, ValueError, AttributeError):  # not a real file: nothing to silence
        pass


def exit_code(
    exc: BaseException,
    stdout: Any,
    stderr: Any,
    *,
    args: Sequence[str] = (),
    command: Any = None,
    debug: bool = False,
    process: bool = False,
) -> int:
    """Say what `exc` means on `stderr` (one line at most) and return the exit code; re-raises what
    is not an error of a run (a SystemExit that is not click's answer to a broken pipe).

    `process`: called by the process entry point for what escaped the CLI (an import interrupted,
    the last flush failing): any OSError there is the output's."""
    if isinstance(exc, UserError):
        # Messages quote file contents and flag values: show their control characters, never obey them.
        for line in exc.lines():
            say(visible(f"mesh-advisor: {line}" if line is exc.message else line, one_line=True), stderr)
        return exc.exit_code
    if isinstance(exc, (Interrupted, KeyboardInterrupt)):
        say(interrupted_message(), stderr)
        return EXIT_INTERRUPTED
    if isinstance(exc, BrokenPipeError) or (
        isinstance(exc, SystemExit) and isinstance(exc.__context__, BrokenPipeError)
    ):
        # The reader went away (e.g. `| head`): nothing more to say. click turns a broken pipe inside a
        # command into sys.exit(1) even with standalone_mode off; it is not a failure of ours.
        silence(stdout)
        return 0
    if isinstance(exc, SystemExit):
        raise exc
    if isinstance(exc, OSError):
        if exc.errno not in OUTPUT_ERRNOS and not process:
            raise exc  # the process entry point decides (below, with process=True)
        # Standard output itself failed (a full disk, a dead terminal): the user's to fix.
        say(f"mesh-advisor: cannot write the output: {exc.strerror or exc}", stderr)
        return EXIT_USAGE
    # deferred: typer (click's exception types); the process entry point maps its errors without it
    from advisor.cli.typer_compat import click_exception_types

    click_exc, abort, exit_ = click_exception_types()
    if isinstance(exc, abort):
        say(interrupted_message(), stderr)
        return EXIT_INTERRUPTED
    if isinstance(exc, exit_):
        code = int(getattr(exc, "exit_code", 0) or 0)
        if code == EXIT_INTERRUPTED:  # typer turns Ctrl-C inside a command into Exit(130)
            say(interrupted_message(), stderr)
        return code
    if isinstance(exc, click_exc):
        return _usage_error(exc, stderr, args, command)
    if not isinstance(exc, Exception):
        raise exc
    if debug:
        import traceback  # only with --debug

        traceback.print_exception(exc, file=stderr)
    say(
        visible(
            f"mesh-advisor: internal error: {type(exc).__name__}: {exc} "
            "(rerun with --debug or MESH_ADVISOR_DEBUG=1 for the traceback)",
            one_line=True,
        ),
        stderr,
    )
    return EXIT_INTERNAL


def _usage_error(exc: Any, stderr: Any, args: Sequence[str], command: Any) -> int:
    """click's own errors (an unknown option, a missing argument): one line naming the help to read."""
    code = getattr(exc, "exit_code", EXIT_USAGE) or EXIT_USAGE
    message = exc.format_message()
    if not message.strip():  # e.g. no arguments at all: click has already printed the help
        return int(code)
    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        where = ctx.command_path
    else:  # click raised before a context existed: name the command from the arguments
        names = getattr(command, "commands", {})
        where = "mesh-advisor" + (f" {args[0]}" if args and args[0] in names else "")
    say(visible(f"mesh-advisor: {message} (see '{where} --help')", one_line=True), stderr)
    return int(code)
