"""Writing -o FILE without ever destroying anything but the file asked for.

- A path ending in `/` is refused (it names a directory, never a file).
- A regular file is replaced atomically (a temporary file in the same directory, fsync, rename),
  only with --force, keeping its permissions; a new file is created with no-clobber semantics.
- A symlink is written through: the rules apply to the file it points to, which is replaced in its
  own directory, and the link itself stays. A dangling symlink is refused.
- A character device or FIFO (`-o /dev/stdout`, `-o /dev/null`, a named pipe with a reader) is
  written to directly, never renamed over or replaced; --force is not needed, nothing is replaced.
  A FIFO with no reader, a block device, a socket and a directory are refused.
- The temporary file is removed on any failure, Ctrl-C, SIGTERM or SIGHUP (`advisor.__main__`
  turns those signals into exceptions), and `saved()` tells the caller whether the file was
  already in place when a signal arrived, so "nothing saved" is only ever said when true.
"""

from __future__ import annotations

import errno
import os
import signal
import stat
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from advisor.errors import OutputError, visible

_SAVED: list[str] = []  # paths written in this process (normally at most one)
_SIGNALS = tuple(s for s in (getattr(signal, n, None) for n in ("SIGINT", "SIGTERM", "SIGHUP")) if s is not None)


def forget_saved() -> None:
    """A new invocation in the same process starts with nothing saved."""
    _SAVED.clear()


def saved() -> list[str]:
    """The -o paths this run has written completely."""
    return list(_SAVED)


@dataclass(frozen=True)
class Target:
    """Where -o writes: `path` as given, `real` the file that receives the bytes, and how."""

    path: str
    real: Path
    how: str  # "create" | "replace" | "direct"


def _show(path: str) -> str:
    return visible(path, one_line=True)


def check_target(path: str, force: bool) -> Target:
    """Decide, before any work, whether and how `path` can be written; nothing is created here."""
    if not path.strip():
        raise OutputError("-o: expected a file path (or - for standard output), got an empty string")
    shown = _show(path)
    if path.endswith(("/", os.sep)) or path.endswith(f"{os.sep}.") or Path(path).name in ("", ".", ".."):
        raise OutputError(f"-o {shown}: ends in '/' (a directory); expected a file path")
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return Target(path, _new_file(path, shown), "create")
    except OSError as exc:  # a name too long, a path through a file, a directory we may not search...
        raise OutputError(f"-o {shown}: cannot write there: {exc.strerror or exc}") from None
    real = Path(path)
    if stat.S_ISLNK(st.st_mode):
        real = Path(os.path.realpath(path))
        try:
            st = os.stat(path)
        except OSError:
            raise OutputError(
                f"-o {shown}: a symbolic link to a file that does not exist; expected a file path"
            ) from None
    mode = st.st_mode
    if stat.S_ISDIR(mode):
        raise OutputError(f"-o {shown}: is a directory; expected a file path")
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        # Opened by the name given: /dev/stdout is a link the kernel resolves, not a path to rebuild.
        return Target(path, Path(path), "direct")
    if not stat.S_ISREG(mode):
        kind = "a socket" if stat.S_ISSOCK(mode) else "a block device" if stat.S_ISBLK(mode) else "not a regular file"
        raise OutputError(f"-o {shown}: is {kind}; expected a file path")
    if not force:
        raise OutputError(f"-o {shown}: file exists; pass --force to overwrite it")
    if not os.access(real.parent, os.W_OK | os.X_OK):
        raise OutputError(f"-o {shown}: cannot write in {_show(str(real.parent))}: permission denied")
    return Target(path, real, "replace")


def _new_file(path: str, shown: str) -> Path:
    p = Path(path)
    parent = p.parent if str(p.parent) else Path(".")
    try:
        if not parent.is_dir():
            raise OutputError(f"-o {shown}: directory {_show(str(parent))} does not exist")
    except OSError as exc:
        raise OutputError(f"-o {shown}: cannot write there: {exc.strerror or exc}") from None
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"-o {shown}: cannot write in {_show(str(parent))}: permission denied")
    return p


@contextmanager
def _signals_held() -> Iterator[None]:
    """Hold Ctrl-C, SIGTERM and SIGHUP for a few lines, so the temporary file's name is always
    known to the cleanup and "saved" is recorded in the same instant as the rename."""
    blocked = False
    if hasattr(signal, "pthread_sigmask"):
        try:
            signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
            blocked = True
        except (OSError, ValueError):  # not the main thread, or no such signal here
            pass
    try:
        yield
    finally:
        if blocked:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, _SIGNALS)


def _file_mode(existing: Path) -> int:
    """Keep an overwritten file's mode; a new file gets what the umask allows (not mkstemp's 0600)."""
    try:
        return existing.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def save(path: str, text: str, force: bool) -> Path:
    """Write `text` to -o `path` by the rules above (checked again now: the disk may have changed)."""
    target = check_target(path, force)
    data = text.encode("utf-8")
    shown = _show(path)
    try:
        if target.how == "direct":
            _write_direct(target, data, shown)
        else:
            _write_replacing(target, data, force, shown)
    except OSError as exc:
        raise OutputError(f"-o {shown}: cannot write: {exc.strerror or exc}") from None
    return Path(path)


def _write_direct(target: Target, data: bytes, shown: str) -> None:
    flags = os.O_WRONLY | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        # Non-blocking first: a FIFO nobody reads would otherwise wait forever.
        fd = os.open(target.real, flags | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            raise OutputError(
                f"-o {shown}: a named pipe (FIFO) that nothing is reading; expected a file path"
            ) from None
        raise
    try:
        os.set_blocking(fd, True)
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        with _signals_held():
            _SAVED.append(target.path)
    finally:
        os.close(fd)


def _write_replacing(target: Target, data: bytes, force: bool, shown: str) -> None:
    import tempfile  # only when a file is written: it costs start-up otherwise

    real = target.real
    parent = real.parent if str(real.parent) else Path(".")
    tmp: str | None = None
    try:
        with _signals_held():
            fd, tmp = tempfile.mkstemp(prefix=f".{real.name[:100]}.", suffix=".tmp", dir=parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _file_mode(real))
        if target.how == "replace":
            _keep_owner(tmp, real)
        with _signals_held():
            if target.how == "create":
                _link_new(tmp, real, force, shown)
            else:
                _replace_regular(tmp, real, force, shown)
            if os.path.lexists(tmp):
                os.unlink(tmp)  # a hard link made the file: its temporary name goes
            tmp = None
            _SAVED.append(target.path)
    finally:
        if tmp is not None and os.path.lexists(tmp):
            os.unlink(tmp)


def _link_new(tmp: str, real: Path, force: bool, shown: str) -> None:
    """Put a new file in place without replacing anything that appeared there meanwhile."""
    try:
        os.link(tmp, real)  # fails if the name now exists: never clobbers
        return
    except FileExistsError:
        pass
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV, errno.EMLINK):
            raise
        # A file system without hard links: the name was free a moment ago; check again and rename.
        if not os.path.lexists(real):
            os.replace(tmp, real)
            return
    # Something appeared at the name since the check: judge it by the same rules.
    check_target(str(real), force)  # raises for a directory, link, device...
    if not force:
        raise OutputError(f"-o {shown}: file exists; pass --force to overwrite it")
    _replace_regular(tmp, real, force, shown)


def _replace_regular(tmp: str, real: Path, force: bool, shown: str) -> None:
    try:
        st = os.lstat(real)
    except FileNotFoundError:
        os.replace(tmp, real)
        return
    if not stat.S_ISREG(st.st_mode):
        raise OutputError(f"-o {shown}: changed while being written (no longer a regular file); nothing written")
    if not force:
        raise OutputError(f"-o {shown}: file exists; pass --force to overwrite it")
    os.replace(tmp, real)


def _keep_owner(tmp: str, real: Path) -> None:
    """As root, a replaced file keeps its owner and group (not root's)."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return
    try:
        st = real.stat()
        os.chown(tmp, st.st_uid, st.st_gid)
    except OSError:
        pass


def interrupted_message() -> str:
    """What Ctrl-C (or SIGTERM, SIGHUP) says: "nothing saved" only when nothing was."""
    if _SAVED:
        return f"\nInterrupted; {_show(_SAVED[-1])} was saved."
    return "\nInterrupted; nothing saved."
