"""Reading files a user points at (answers files, saved results, data files, manifests) within bounds.

One bounded reader for every input: only a regular file is read (never a FIFO, device or socket,
which could block or never end), up to a stated size, and a parsed document is refused when it
nests deeper than MAX_DEPTH or holds a number no later arithmetic can take. Callers turn the
`ReadProblem` into their own one-line error.
"""

from __future__ import annotations

import functools

import math
import os
import re
import stat
from pathlib import Path
from typing import Any, BinaryIO, Callable

from advisor.errors import UserError, syntax_problem

# Limits a real user never meets (the bundled data files are under 30 KB each; a saved result is
# about 40 KB), low enough that parsing what is allowed takes well under a few seconds. Answers
# files include what `scan` writes: about 0.8 KB a namespace with its evidence (25,000 namespaces:
# 20 MB), so the limit is sized for 250,000 namespaces and still stops a hostile 10 GB file unread.
MAX_DOCUMENT_BYTES = 256 * 1024 * 1024  # answers files (a scan's included) and saved results
MAX_DATA_FILE_BYTES = 4 * 1024 * 1024  # each data file
MAX_MANIFEST_BYTES = 2 * 1024 * 1024 * 1024  # each manifest or kubectl dump a scan reads (streamed)
MAX_DEPTH = 64  # tables and lists inside each other, counting every part of a dotted key
# Numbers any arithmetic can take: beyond MAX_MAGNITUDE a sum or product overflows to infinity,
# and a nonzero number closer to 0 than MIN_MAGNITUDE (a denormal) overflows when divided by.
# Each answer, figure and result field has its own, tighter range on top of these.
MAX_MAGNITUDE = 1e300
MIN_MAGNITUDE = 2.2250738585072014e-308  # sys.float_info.min, the smallest normal float

_READ_CHUNK = 1024 * 1024


class ReadProblem(Exception):
    """Why a file was not read or parsed: one phrase to follow `PATH: `."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def size_words(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MiB" if limit >= 1024 * 1024 else f"{limit} bytes"


def open_regular(path: str | Path, limit: int | None = None) -> BinaryIO:
    """A regular file opened for reading in binary (for streaming readers); else ReadProblem.

    Same checks as read_limited (only a regular file, within `limit` bytes when given, never a
    FIFO, device, socket or directory, never a blocking open), without reading anything.
    """
    fd = _open_checked(path, limit)
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def _open_checked(path: str | Path, limit: int | None) -> int:
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise ReadProblem("not found") from None
    except IsADirectoryError:
        raise ReadProblem("is a directory") from None
    except PermissionError:
        raise ReadProblem("cannot read: permission denied") from None
    except (OSError, ValueError) as exc:  # a name too long, a NUL in the name, a loop of links...
        raise ReadProblem(f"cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise ReadProblem("is a directory")
        if not stat.S_ISREG(st.st_mode):
            raise ReadProblem("not a regular file (a device, FIFO or socket); expected a file")
        if limit is not None and st.st_size > limit:
            raise ReadProblem(f"larger than the {size_words(limit)} limit ({st.st_size:,} bytes)")
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_limited(path: str | Path, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes, read once; else ReadProblem.

    The file is opened without blocking (a FIFO with no writer would otherwise hang) and checked
    on the open descriptor, so what is checked is what is read. A symlink is followed: what it
    points to must itself be a regular file.
    """
    fd = _open_checked(path, limit)
    try:
        chunks: list[bytes] = []
        total = 0
        while total <= limit:  # a file that grows while being read is still cut at the limit
            chunk = os.read(fd, min(_READ_CHUNK, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:
            raise ReadProblem(f"larger than the {size_words(limit)} limit")
        return b"".join(chunks)
    except OSError as exc:
        raise ReadProblem(f"cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


# ---------------------------------------------------------------- bounds on a parsed document

# A TOML token on one line: a string (basic or literal), a comment, or one structural character.
_TOML_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'|#.*|[.=,\[\]{}]')


def check_toml_keys(text: str, max_parts: int = MAX_DEPTH) -> None:
    """Refuse a dotted key of more than `max_parts` parts before tomllib sees it.

    tomllib takes time quadratic in a dotted key's length (20,000 parts: 9 s), so the key is
    measured first. Only lines with that many dots are looked at, so ordinary files cost nothing.
    """
    if text.count(".") < max_parts:
        return
    for line in text.splitlines():
        if line.count(".") < max_parts:
            continue
        dots = 0
        for m in _TOML_TOKEN.finditer(line):
            tok = m.group()
            if tok == ".":
                dots += 1
                if dots >= max_parts:
                    raise ReadProblem(f"a dotted key with more than {max_parts} parts")
            elif tok in ("=", ",", "{", "[", "]", "}") or tok.startswith("#"):
                dots = 0  # a key ends (or a value starts): the dots of numbers are never counted
            # quoted key parts and bare key characters between dots keep the count going


def check_bounds(doc: Any, max_depth: int = MAX_DEPTH) -> None:
    """Refuse nesting deeper than `max_depth`, and numbers beyond what any later arithmetic takes.

    A loop, not recursion: the document decides how deep it goes. Plain values are checked where
    they sit; a value's path (`namespaces[17].pods`) is spelled out only for the message.
    """
    if not isinstance(doc, (dict, list)):
        _check_value(doc, None)
        return
    stack: list[tuple[Any, int, Any]] = [(doc, 0, None)]
    top, low = MAX_MAGNITUDE, MIN_MAGNITUDE
    while stack:
        node, depth, path = stack.pop()
        if depth >= max_depth:
            raise ReadProblem(f"{_clipped(_path_text(path))}: nested more than {max_depth} levels deep")
        is_dict = isinstance(node, dict)
        for key, value in node.items() if is_dict else enumerate(node):
            if is_dict and isinstance(key, str) and not key.isascii() and _has_surrogate(key):
                raise ReadProblem(
                    f"{_where(_path_text((path, '?')))}a key that is not valid Unicode (a lone surrogate)"
                )
            kind = type(value)
            # The common values pass here without a call: a whole number or a float in range, an
            # ASCII string (it cannot hold a surrogate). Anything else gets _check_value's verdict.
            if kind is dict or kind is list:
                stack.append((value, depth + 1, (path, key)))
            elif kind is bool or (kind is int and -top <= value <= top) or (kind is str and value.isascii()):
                continue
            elif kind is float and (value == 0 or low <= abs(value) <= top):
                continue
            else:
                _check_value(value, (path, key))


def _path_text(path: Any) -> str:
    """(parent, key) links as `a.b[3].c`: an int key is a list index (document keys are strings)."""
    parts: list[Any] = []
    while path is not None:
        path, key = path
        parts.append(key)
    text = ""
    for key in reversed(parts):
        if isinstance(key, int):
            text += f"[{key}]"
        else:
            text += f".{key}" if text else str(key)
    return text


def _check_value(node: Any, path: Any) -> None:
    if isinstance(node, bool):
        return
    if isinstance(node, int):
        if abs(node) > MAX_MAGNITUDE:
            raise ReadProblem(f"{_where(_path_text(path))}a number too large (at most {MAX_MAGNITUDE:g})")
    elif isinstance(node, float):
        # NaN and infinity are reported by the answers' and results' own checks, by name.
        if math.isfinite(node) and abs(node) > MAX_MAGNITUDE:
            raise ReadProblem(f"{_where(_path_text(path))}a number too large (at most {MAX_MAGNITUDE:g}), got {node!r}")
        if node != 0 and abs(node) < MIN_MAGNITUDE:
            raise ReadProblem(
                f"{_where(_path_text(path))}a number too close to 0 (use 0 or at least {MIN_MAGNITUDE:g}), got {node!r}"
            )
    elif isinstance(node, str) and _has_surrogate(node):
        raise ReadProblem(f"{_where(_path_text(path))}text that is not valid Unicode (a lone surrogate)")


def _where(path: str) -> str:
    return f"{_clipped(path)}: " if path else "(top level): "


def _clipped(path: str, limit: int = 80) -> str:
    return path if len(path) <= limit else path[: limit - 3] + "..."


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def parse_text(
    content: bytes,
    as_json: bool,
    parse_constant: Callable[[str], Any] | None = None,
) -> Any:
    """Decode and parse (JSON or TOML) within the bounds above; ReadProblem says what is wrong."""
    import json  # only when a document is parsed: the bundled data needs neither parser

    kind = "JSON" if as_json else "TOML"
    try:
        text = content.decode("utf-8-sig")  # a BOM, as some Windows editors write, is not an error
    except UnicodeDecodeError:
        raise ReadProblem("not UTF-8 text") from None
    try:
        if as_json:
            doc = json.loads(text, parse_constant=parse_constant)
        else:
            import tomllib  # not for JSON: about 3 ms to import

            check_toml_keys(text)
            doc = tomllib.loads(text)
    except ReadProblem as exc:
        raise ReadProblem(f"{kind} syntax error: {exc.message}") from None
    except ValueError as exc:  # JSONDecodeError, TOMLDecodeError, or a huge integer's plain ValueError
        raise ReadProblem(f"{kind} syntax error: {syntax_problem(exc)}") from None
    except RecursionError:
        # both parsers recurse into nested arrays and tables: a few thousand levels overflow
        raise ReadProblem(f"{kind} syntax error: nested too deeply") from None
    check_bounds(doc)
    return doc


@functools.lru_cache(maxsize=32)
def parse_data_file(content: bytes) -> Any:
    """parse_text for the project's own TOML data files, remembered within one process by their
    bytes: `data validate` reads the catalog's ids and signals.toml more than once, and parsing
    TOML is most of its time. The parsed document is shared, so callers only read it (none of them
    changes it: they validate it into new objects). A file that cannot be parsed raises each time."""
    return parse_text(content, as_json=False)


def read_document(
    path: str | Path,
    error: type[UserError],
    *,
    missing: str,
    expected: str,
    sniff_json: bool = False,
    parse_constant: Callable[[str], Any] | None = None,
    limit: int = MAX_DOCUMENT_BYTES,
) -> Any:
    """The parsed document, or `error` with one line naming the file and what was expected.

    JSON when the name ends in .json (or, with `sniff_json`, when a file not named .toml starts
    with "{"); TOML otherwise.
    """
    label = str(path)
    p = Path(path)
    try:
        st = os.stat(p)
    except (OSError, ValueError):
        st = None
    as_toml = p.suffix.lower() == ".toml"
    key = (
        (
            os.path.realpath(p),
            st.st_dev,
            st.st_ino,
            st.st_size,
            st.st_mtime_ns,
            limit,
            None if as_toml else parse_constant,
        )
        if st is not None and stat.S_ISREG(st.st_mode)
        else None
    )
    if key is not None and key == _LAST[0]:
        return _LAST[1]  # plan reads its scan twice (answers, then evidence): parsed once
    try:
        content = read_limited(p, limit)
    except ReadProblem as exc:
        if exc.message == "not found":
            raise error(f"{label}: {missing}") from None
        raise error(f"{label}: {exc.message}; {expected}") from None
    suffix = p.suffix.lower()
    as_json = suffix == ".json" or (
        sniff_json and suffix != ".toml" and content.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{")
    )
    try:
        doc = parse_text(content, as_json, parse_constant)
    except ReadProblem as exc:
        if exc.message == "not UTF-8 text":
            raise error(f"{label}: not UTF-8 text; {expected}") from None
        raise error(f"{label}: {exc.message}") from None
    if key is not None and len(content) > _CACHE_FROM_BYTES:
        _LAST[:] = [key, doc]
    return doc


# The last large document parsed, keyed by the file's identity and modification time: a 20 MB scan
# takes seconds to parse, and plan reads it twice. Callers never modify a parsed document.
_LAST: list[Any] = [None, None]
_CACHE_FROM_BYTES = 1 << 20
