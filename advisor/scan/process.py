"""One bounded child process: its own process group, killed whole at a deadline, output capped.

kubectl runs credential plugins (SSO, MFA) and may leave children behind that hold its output;
waiting for kubectl alone, or for EOF on a pipe, can wait forever. Here a call writes its stdout
and stderr to files (never pipes, so no child can block us by holding one), the call has one
end-to-end deadline, the output file is watched against a byte cap, and when the call ends for any
reason its whole process group is killed. `Calls.cancel()` (Ctrl-C, SIGTERM, SIGHUP) kills every
group still running, so the worker threads waiting on them return within one poll.

The main thread never waits without a bound either (`results`, `join`): the kernel may hand a
Ctrl-C to any thread, and Python runs its handler only when the main thread next runs Python code,
so a main thread blocked on a lock with no timeout would not see the signal until the calls end.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from concurrent.futures import Future
from concurrent.futures import wait as wait_futures
from dataclasses import dataclass, field
from typing import IO, Mapping, Sequence, TypeVar

T = TypeVar("T")

POLL_S = 0.05  # how often a running call checks its deadline, its output size and cancellation


class CallTimeout(Exception):
    """The call reached its deadline; its process group was killed."""


class CallTooLarge(Exception):
    """The call's output passed the cap; its process group was killed."""


class CallCancelled(Exception):
    """The scan was interrupted; the call's process group was killed."""


@dataclass
class Calls:
    """The process groups running now, so that an interruption can kill them all at once."""

    groups: set[int] = field(default_factory=set)
    cancelled: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def cancel(self) -> None:
        self.cancelled.set()
        with self.lock:
            groups = list(self.groups)
        for pgid in groups:
            kill_group(pgid)

    def run(
        self,
        argv: list[str],
        stdout: IO[bytes],
        stderr: IO[bytes],
        deadline_s: float,
        max_output_bytes: int,
        env: Mapping[str, str] | None = None,
    ) -> int:
        """Run argv to completion within deadline_s seconds; its exit code. Raises OSError when it
        cannot start, CallTimeout, CallTooLarge or CallCancelled (the group is dead by then)."""
        if self.cancelled.is_set():
            raise CallCancelled
        end = time.monotonic() + deadline_s
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            env=dict(env) if env is not None else None,
            start_new_session=True,  # its own session and process group: killed whole
        )
        with self.lock:
            self.groups.add(proc.pid)
        try:
            while True:
                left = end - time.monotonic()
                try:
                    return proc.wait(timeout=max(0.0, min(POLL_S, left)))
                except subprocess.TimeoutExpired:
                    pass
                if self.cancelled.is_set():
                    raise CallCancelled
                if time.monotonic() >= end:
                    raise CallTimeout
                if os.fstat(stdout.fileno()).st_size > max_output_bytes:
                    raise CallTooLarge
        finally:
            kill_group(proc.pid)  # also after a normal exit: children it left behind go with it
            with self.lock:
                self.groups.discard(proc.pid)
            if proc.returncode is None:
                proc.wait()  # SIGKILL was sent: this returns at once


def kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def results(futures: Sequence[Future[T]]) -> list[T]:
    """Each future's result, in order, waiting in steps of POLL_S so that the main thread runs
    Python code (and with it a pending signal handler) at least that often."""
    for f in futures:
        while not wait_futures([f], timeout=POLL_S).done:
            pass
    return [f.result() for f in futures]


def join(thread: threading.Thread, timeout: float) -> None:
    """`thread.join(timeout)` in steps of POLL_S, for the same reason as `results`."""
    end = time.monotonic() + timeout
    while thread.is_alive():
        left = end - time.monotonic()
        if left <= 0:
            return
        thread.join(min(POLL_S, left))
