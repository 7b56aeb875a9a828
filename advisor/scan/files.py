"""Kubernetes objects from files: kubectl List dumps (JSON or YAML), multi-document manifests, directories, stdin.

JSON is streamed: the text is read in chunks and a List's `items` array is decoded one item at a
time with `json.JSONDecoder.raw_decode`, so a 50,000-pod dump never exists in memory as one
document. YAML (PyYAML, safe loading only, imported only when YAML is read) is read a document at
a time; aliases are bounded and never expanded beyond that bound (billion laughs is refused).
"""

from __future__ import annotations

import codecs
import json
import re
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Callable, Iterator

from advisor.errors import UserError, clip
from advisor.reading import MAX_MANIFEST_BYTES, ReadProblem, open_regular

CHUNK_BYTES = 1 << 24  # 16 MiB of text at a time
MAX_ITEM_CHARS = 256 << 20  # one object larger than this is refused
MAX_YAML_BYTES = 256 << 20  # PyYAML builds the whole document; JSON has no such limit
MAX_YAML_DOCUMENT_BYTES = 8 << 20  # one YAML document: PyYAML builds it whole, at ~40x its size in memory
MAX_YAML_ALIASES = 100
MAX_YAML_NODES = 1_000_000  # nodes after expanding aliases, per document
SUFFIXES = (".yaml", ".yml", ".json")

_WS = re.compile(r"[ \t\n\r]*")
_ANCHOR = re.compile(r"(?:^|[\s\[\{,:-])&[^\s\[\]\{\},]+", re.MULTILINE)


class ScanInputError(UserError):
    """A file (or stdin) that the scan cannot read as Kubernetes objects."""


@dataclass
class FileReport:
    """What reading the files found beyond the objects themselves (for warnings)."""

    files: list[str] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)  # file -> documents that were not objects
    not_manifests: dict[str, str] = field(default_factory=dict)  # file found in a directory -> why it was skipped
    other_files: int = 0  # files in the directories that are not .yaml/.yml/.json (source, images, docs)
    notes: list[str] = field(default_factory=list)  # Kustomize and Helm: rendered, or skipped with the command
    rendered: list[str] = field(default_factory=list)  # "DIR (kubectl kustomize)"
    timeout_s: float = 60.0  # kubectl kustomize / helm template: each render's deadline

    def skip(self, label: str) -> None:
        self.skipped[label] = self.skipped.get(label, 0) + 1


def read_one(
    path: str, named: bool, stdin: BinaryIO | None, report: FileReport
) -> Iterator[tuple[dict[str, Any], str]]:
    label = "stdin" if path == "-" else path
    if path == "-":
        if stdin is None:
            raise ScanInputError("-: no standard input to read")
        yield from _read_stream(stdin, label, label.endswith(".json"), None, named, report)
        return
    try:
        # Only a regular file (a FIFO would block forever, /dev/zero never ends), never a blocking open.
        fh = open_regular(path, MAX_MANIFEST_BYTES)
    except ReadProblem as exc:
        message = "no such file or directory" if exc.message == "not found" else exc.message
        raise ScanInputError(f"{label}: {message}") from None
    with fh:
        lower = path.lower()
        yield from _read_stream(fh, label, lower.endswith(".json"), lower.endswith((".yaml", ".yml")), named, report)


def _read_stream(
    fh: BinaryIO, label: str, is_json: bool, is_yaml: bool | None, named: bool, report: FileReport
) -> Iterator[tuple[dict[str, Any], str]]:
    try:
        head = fh.read(65536)
    except OSError as exc:
        raise ScanInputError(f"{label}: cannot read: {exc.strerror or exc}") from None
    if b"\x00" in head[:8192]:
        raise ScanInputError(f"{label}: a binary file; expected Kubernetes objects as JSON or YAML text")
    stripped = head.lstrip(b" \t\r\n\xef\xbb\xbf")
    if not stripped and not head:
        if named:
            raise ScanInputError(f"{label}: empty; expected Kubernetes objects as JSON or YAML")
        report.skip(label)
        return
    looks_json = stripped[:1] in (b"{", b"[")
    if is_json or (not is_yaml and looks_json):
        stream = _JsonStream(fh, head, label)
        for obj in stream.values():
            yield from _objects(obj, label, named, report)
        return
    yield from _read_yaml(fh, head, label, named, report)


# ---------------------------------------------------------------- Kubernetes objects


def is_object(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("kind"), str) and isinstance(value.get("apiVersion"), str)


def _not_object(label: str, where: str, value: Any) -> ScanInputError:
    if isinstance(value, dict):
        missing = [k for k in ("apiVersion", "kind") if not isinstance(value.get(k), str)]
        shape = "an object without " + " and ".join(missing)
    else:
        shape = type(value).__name__
    shape = {
        "str": "text",
        "list": "a list",
        "int": "a number",
        "float": "a number",
        "bool": "true/false",
        "NoneType": "nothing",
    }.get(shape, shape)
    return ScanInputError(
        f"{label}{where}: not a Kubernetes object ({shape}); expected objects with apiVersion and kind, or a List of them"
    )


def _objects(
    value: Any, label: str, named: bool, report: FileReport, where: str = "", item_kind: str | None = None
) -> Iterator[tuple[dict[str, Any], str]]:
    """One decoded document: an object, a List (its items), or something else (refused or skipped)."""
    if value is None:
        return
    if (
        isinstance(value, dict)
        and isinstance(value.get("items"), list)
        and str(value.get("kind", "List")).endswith("List")
    ):
        kind = str(value.get("kind", "List"))
        inner = kind[:-4] if kind != "List" else None
        api = value.get("apiVersion")
        for i, item in enumerate(value["items"]):
            yield from _objects(_with_kind(item, inner, api), label, named, report, f"{where}: items[{i}]")
        return
    if is_object(value):
        _check_names(value, label, where)
        yield value, label
        return
    if named:
        raise _not_object(label, where, value)
    report.skip(label)


def _check_names(obj: dict[str, Any], label: str, where: str) -> None:
    """metadata.name and .namespace are text. YAML reads an unquoted `off`, `no`, `yes` or `on` as
    true/false and `0700` as a number: kubectl refuses such an object, and the scan would lose it
    (a namespace named `off` read as false), so it says which field to quote."""
    meta = obj.get("metadata")
    if not isinstance(meta, dict):
        return
    for key in ("name", "namespace"):
        value = meta.get(key)
        if value is not None and not isinstance(value, str):
            shown = str(value).lower() if isinstance(value, bool) else repr(value)
            raise ScanInputError(
                f"{label}{where}: {obj['kind']} metadata.{key} is {shown}, not text; YAML reads unquoted "
                "off/on/no/yes as true/false and digits as numbers: quote it (kubectl refuses it too)"
            )


def _with_kind(item: Any, kind: str | None, api: Any) -> Any:
    """Items of a typed list from the API (PodList) carry no kind of their own."""
    if kind and isinstance(item, dict) and "kind" not in item:
        item = {**item, "kind": kind}
        if "apiVersion" not in item and isinstance(api, str):
            item["apiVersion"] = api
    return item


# ---------------------------------------------------------------- JSON, streamed


class _JsonStream:
    """Top-level JSON values from a byte stream; a List's items are decoded one at a time."""

    def __init__(self, fh: BinaryIO, head: bytes, label: str) -> None:
        self.fh = fh
        self.label = label
        self.decoder = json.JSONDecoder()
        self.utf8 = codecs.getincrementaldecoder("utf-8-sig")()
        self.buf = ""
        self.pos = 0
        self.eof = False
        self.line = 1  # line number of buf[0]
        self._feed(head)

    # -- buffer

    def _feed(self, data: bytes) -> None:
        try:
            text = self.utf8.decode(data, final=not data)
        except UnicodeDecodeError:
            raise ScanInputError(f"{self.label}: not UTF-8 text; expected Kubernetes objects as JSON or YAML") from None
        if not data:
            self.eof = True
        self.buf += text

    def _more(self) -> bool:
        """Read another chunk (keeping the unread part); False at end of input."""
        if self.eof:
            return False
        if self.pos:
            self.line += self.buf.count("\n", 0, self.pos)
            self.buf = self.buf[self.pos :]
            self.pos = 0
        if len(self.buf) > MAX_ITEM_CHARS:
            raise ScanInputError(
                f"{self.label}: line {self.line}: one JSON value larger than {MAX_ITEM_CHARS >> 20} MiB; refusing it"
            )
        try:
            data = self.fh.read(CHUNK_BYTES)
        except OSError as exc:
            raise ScanInputError(f"{self.label}: cannot read: {exc.strerror or exc}") from None
        self._feed(data)
        return True

    def _skip_ws(self) -> str:
        """The next significant character ('' at the end)."""
        while True:
            self.pos = _WS.match(self.buf, self.pos).end()
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self._more():
                return ""

    def _error(self, message: str, pos: int | None = None) -> ScanInputError:
        at = self.pos if pos is None else pos
        line = self.line + self.buf.count("\n", 0, at)
        col = at - (self.buf.rfind("\n", 0, at) + 1) + 1
        return ScanInputError(f"{self.label}: line {line} column {col}: JSON syntax error: {message}")

    def _value(self) -> Any:
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                # Cut at the chunk's end (the error is near it): read on. Anywhere else it is real.
                near_end = len(self.buf) - exc.pos < (2 << 20) or exc.msg.startswith("Unterminated string")
                if near_end and self._more():
                    continue
                message = exc.msg
                if exc.pos >= len(self.buf.rstrip()):
                    message = "the file ends in the middle of a value (truncated?)"
                raise self._error(message, exc.pos) from None
            except RecursionError:
                raise self._error("nested too deeply") from None
            if end >= len(self.buf) and not self.eof and not isinstance(value, (dict, list, str)):
                if self._more():  # a number cut at the chunk's end
                    continue
            self.pos = end
            return value

    def _expect(self, chars: str) -> str:
        c = self._skip_ws()
        if not c or c not in chars:
            shown = repr(c) if c else "the end of the file"
            raise self._error(
                f"expected {' or '.join(repr(x) for x in chars)}, found {shown}" + (" (truncated?)" if not c else "")
            )
        self.pos += 1
        return c

    # -- structure

    def values(self) -> Iterator[Any]:
        """Each top-level value; a top-level object with `items` is yielded item by item (as Lists)."""
        while True:
            c = self._skip_ws()
            if not c:
                return
            if c == "{":
                yield from self._object()
            elif c == "[":
                self.pos += 1
                for item in self._array():
                    yield item
            else:
                raise self._error(f"expected a JSON object or array, found {c!r}")

    def _array(self) -> Iterator[Any]:
        if self._skip_ws() == "]":
            self.pos += 1
            return
        while True:
            self._skip_ws()
            yield self._value()
            if self._expect(",]") == "]":
                return

    def _object(self) -> Iterator[Any]:
        self.pos += 1  # '{'
        header: dict[str, Any] = {}
        streamed = False
        if self._skip_ws() == "}":
            self.pos += 1
            yield header
            return
        while True:
            if self._skip_ws() != '"':
                raise self._error("expected a key in double quotes" + (" (truncated?)" if not self._skip_ws() else ""))
            key = self._value()
            self._expect(":")
            if key == "items" and self._skip_ws() == "[" and not streamed:
                self.pos += 1
                kind = header.get("kind")
                inner = kind[:-4] if isinstance(kind, str) and kind.endswith("List") and kind != "List" else None
                for item in self._array():
                    yield {"kind": "List", "items": [_with_kind(item, inner, header.get("apiVersion"))]}
                streamed = True
            else:
                self._skip_ws()
                header[key] = self._value()
            if self._expect(",}") == "}":
                break
        if not streamed:
            yield header


# ---------------------------------------------------------------- YAML


def _read_yaml(
    fh: BinaryIO, head: bytes, label: str, named: bool, report: FileReport
) -> Iterator[tuple[dict[str, Any], str]]:
    try:
        rest = fh.read(MAX_YAML_BYTES + 1 - len(head)) if len(head) <= MAX_YAML_BYTES else b""
    except OSError as exc:
        raise ScanInputError(f"{label}: cannot read: {exc.strerror or exc}") from None
    data = head + rest
    if len(data) > MAX_YAML_BYTES:
        raise ScanInputError(
            f"{label}: YAML larger than {MAX_YAML_BYTES >> 20} MiB is not read (YAML is parsed whole); "
            "dump the cluster as JSON instead (kubectl get ... -o json), which is streamed at any size"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ScanInputError(f"{label}: not UTF-8 text; expected Kubernetes objects as JSON or YAML") from None
    _check_document_sizes(text, label)
    import yaml  # only when YAML is read

    has_anchors = _ANCHOR.search(text) is not None
    loader_cls = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loader = loader_cls(text)
    index = 0
    try:
        while True:
            try:
                if not loader.check_node():
                    break
                node = loader.get_node()
            except yaml.MarkedYAMLError as exc:
                raise ScanInputError(_yaml_problem(label, exc, text)) from None
            except yaml.YAMLError as exc:
                raise ScanInputError(f"{label}: YAML error: {clip(str(exc))}") from None
            where = f": document {index + 1}" if index else ""
            if has_anchors and node is not None:
                _check_aliases(node, label + (where or ": document 1"))
            try:
                value = loader.construct_document(node)
            except yaml.YAMLError as exc:
                raise ScanInputError(
                    _yaml_problem(label, exc, text)
                    if isinstance(exc, yaml.MarkedYAMLError)
                    else f"{label}: YAML error: {clip(str(exc))}"
                ) from None
            except RecursionError:
                raise ScanInputError(f"{label}{where}: YAML nested too deeply") from None
            index += 1
            yield from _objects(value, label, named, report, where)
    finally:
        loader.dispose()


_DOCUMENT_START = re.compile(r"^(?:---|\.\.\.)(?:[ \t].*)?$", re.MULTILINE)


def _check_document_sizes(text: str, label: str) -> None:
    """Refuse a YAML document too large to build (a 60 MB `kubectl get -o yaml` List took 230 s and
    2.4 GB), before PyYAML sees it, with how to give the same objects in a form read in bounds."""
    if len(text) <= MAX_YAML_DOCUMENT_BYTES:
        return
    start = 0
    line = 1
    for m in _DOCUMENT_START.finditer(text):
        if m.start() - start > MAX_YAML_DOCUMENT_BYTES:
            break
        start = m.end()
    else:
        if len(text) - start <= MAX_YAML_DOCUMENT_BYTES:
            return
    line = text.count("\n", 0, start) + 1
    raise ScanInputError(
        f"{label}: line {line}: one YAML document larger than {MAX_YAML_DOCUMENT_BYTES >> 20} MiB; YAML is built a "
        "document at a time and one this large takes minutes and gigabytes. Give the same objects as JSON "
        "(kubectl get ... -o json, streamed at any size), or split it: one object per document, each after a `---` "
        "line (or one file per namespace: kubectl get ... -n NS -o yaml)"
    )


def _check_aliases(root: Any, label: str) -> None:
    """Refuse alias bombs and recursive aliases before anything is built from the nodes."""
    import yaml

    sizes: dict[int, int] = {}
    active: set[int] = set()
    aliases = 0
    # Aliases share one node object: a node seen again is an alias use.
    seen: set[int] = set()

    def size(node: Any) -> int:
        nonlocal aliases
        key = id(node)
        if key in active:
            raise ScanInputError(f"{label}: a recursive YAML alias; refusing it")
        if key in seen:
            aliases += 1
            if aliases > MAX_YAML_ALIASES:
                raise ScanInputError(
                    f"{label}: more than {MAX_YAML_ALIASES} YAML aliases; refusing it (an alias bomb is never expanded)"
                )
        if key in sizes:
            return sizes[key]
        seen.add(key)
        total = 1
        if isinstance(node, (yaml.SequenceNode, yaml.MappingNode)):
            active.add(key)
            children = node.value if isinstance(node, yaml.SequenceNode) else [x for pair in node.value for x in pair]
            for child in children:
                total += size(child)
                if total > MAX_YAML_NODES:
                    raise ScanInputError(
                        f"{label}: YAML aliases expand to more than {MAX_YAML_NODES:,} values; refusing it (an alias bomb is never expanded)"
                    )
            active.discard(key)
        sizes[key] = total
        return total

    try:
        size(root)
    except RecursionError:
        raise ScanInputError(f"{label}: YAML nested too deeply") from None


def _yaml_problem(label: str, exc: Any, text: str) -> str:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    where = f"{label}: line {mark.line + 1} column {mark.column + 1}" if mark is not None else label
    problem = str(getattr(exc, "problem", None) or exc).strip()
    if mark is not None and _char_at(text, mark.line, mark.column) == "\t" or "'\\t'" in problem:
        problem = "a tab character; YAML indents with spaces only"
    hint = ""
    if "{{" in text and "Helm template" not in problem:
        hint = " (this looks like an unrendered Helm template: run `helm template` and scan its output)"
    return f"{where}: YAML syntax error: {clip(problem)}{hint}"


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.splitlines()
    if 0 <= line < len(lines) and 0 <= column < len(lines[line]):
        return lines[line][column]
    return ""


ObjectSink = Callable[[dict[str, Any]], None]
