"""The one format registry: a result becomes a table, JSON, TOML or Markdown, on stdout or in a file.

- json and toml serialise the result's document: the builder DOCUMENT_BUILDERS names for its kind
  (advisor.output.documents), else the result's own `to_document()` (a result that is its own
  document: compare, scan, plan; nothing else is needed for a new command).
- table and markdown are looked up by `result.kind` in TABLE_RENDERERS and MARKDOWN_RENDERERS,
  lazy "module:function" strings (the module is imported only when that rendering is asked for):
  a table renderer is `fn(result, console) -> None`, a markdown renderer `fn(result) -> str`.
  A new command registers its kinds with `register_table` / `register_markdown` (or by adding a
  line below).
- `-o FILE` takes the format from the extension (.toml, .json, .md); another extension needs
  --format. `plan_output` decides, before any work, what goes to stdout and what to the file.
"""

from __future__ import annotations

import functools
import itertools
from importlib import import_module
from pathlib import PurePath
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Protocol

from advisor.errors import OutputError, UserError, visible
from advisor.humanize import quoted
from advisor.output.atomic import check_target, save
from advisor.records import record

if TYPE_CHECKING:
    from advisor.environment import Environment


class Result(Protocol):
    """What every command's result offers the format registry: its kind (the key its renderers and
    document builder are registered under)."""

    kind: ClassVar[str]


FORMATS: tuple[str, ...] = ("table", "json", "toml", "markdown", "sarif")
ALIASES: dict[str, str] = {"md": "markdown"}
# Formats that are text documents (they can go to a file or, with `-o -` or --format, to stdout).
DOCUMENT_FORMATS: tuple[str, ...] = ("json", "toml", "markdown", "sarif")
EXTENSIONS: dict[str, str] = {
    ".toml": "toml",
    ".json": "json",
    ".md": "markdown",
    ".markdown": "markdown",
    ".sarif": "sarif",
}
FORMAT_METAVAR = "table|json|toml|markdown"

TABLE_RENDERERS: dict[str, str] = {
    "recommendation": "advisor.output.table.recommendation:recommendation_table",
    "cost": "advisor.output.table.cost:cost_result_table",
    "matrix": "advisor.output.table.matrix:matrix_table",
    "data": "advisor.output.table.data:data_table",
    "compare": "advisor.output.table.compare:compare_table",
    "scan": "advisor.output.table.scan:scan_table",
    "plan": "advisor.output.table.plan:plan_table",
    "check": "advisor.output.table.check:check_table",
}
# The document (a dict for JSON and TOML) of each kind, as "module:function" called with the result;
# a kind not listed here is its own document (`result.to_document()`).
DOCUMENT_BUILDERS: dict[str, str] = {
    "recommendation": "advisor.output.documents:recommendation_result_document",
    "cost": "advisor.output.documents:cost_result_document",
    "matrix": "advisor.output.documents:matrix_result_document",
    "data": "advisor.output.documents:data_result_document",
}
MARKDOWN_RENDERERS: dict[str, str] = {
    "recommendation": "advisor.output.markdown.recommendation:recommendation_markdown",
    "compare": "advisor.output.markdown.compare:compare_markdown",
    "scan": "advisor.output.markdown.scan:scan_markdown",
    "plan": "advisor.output.markdown.plan:plan_markdown",
    "check": "advisor.output.markdown.check:check_markdown",
}
# SARIF 2.1.0 (GitHub code scanning): only results that are findings about files.
SARIF_RENDERERS: dict[str, str] = {
    "check": "advisor.output.sarif:check_sarif",
}


def register_table(kind: str, target: str) -> None:
    """`target` is "module:function", called as function(result, console)."""
    TABLE_RENDERERS[kind] = target


def register_markdown(kind: str, target: str) -> None:
    """`target` is "module:function", called as function(result) and returning Markdown text."""
    MARKDOWN_RENDERERS[kind] = target


def _load(target: str) -> Callable[..., Any]:
    module, _, name = target.partition(":")
    return getattr(import_module(module), name)  # type: ignore[no-any-return]


def available(kind: str) -> tuple[str, ...]:
    """The formats a result of this kind can be written in."""
    return tuple(
        f
        for f in FORMATS
        if (f != "table" or kind in TABLE_RENDERERS)
        and (f != "markdown" or kind in MARKDOWN_RENDERERS)
        and (f != "sarif" or kind in SARIF_RENDERERS)
    )


def parse_format(given: str | None, kind: str, flag: str = "--format") -> str | None:
    """The canonical format name for --format (None when not given); unknown or unavailable: exit 2."""
    if given is None:
        return None
    value = given.strip().lower()
    value = ALIASES.get(value, value)
    allowed = available(kind)
    if value not in allowed:
        if value in FORMATS:
            raise UserError(f"{flag}: {value} is not available for this command; expected one of {', '.join(allowed)}")
        raise UserError(f"{flag}: expected one of {', '.join(allowed)}, got {quoted(given)}")
    return value


def format_of_path(path: str) -> str | None:
    """The format a file name's extension names, or None for an extension mesh-advisor does not write."""
    return EXTENSIONS.get(PurePath(path).suffix.lower())


@record(eq=True)
class OutputPlan:
    """What one invocation writes: `screen` to stdout (a format, or None), `file_format` to `path`."""

    screen: str | None
    path: str | None = None
    file_format: str | None = None


def plan_output(given_format: str | None, output: str | None, kind: str) -> OutputPlan:
    """Decide, before any work is done, where the result goes and in which format.

    No -o: stdout in --format (table by default). `-o -`: the document on stdout (TOML unless
    --format names another). `-o FILE`: the extension decides the file's format (.toml .json .md);
    an unknown extension needs --format json|toml|markdown; the table is still shown on stdout
    unless --format asked for a document.
    """
    fmt = parse_format(given_format, kind)
    if output is None:
        return OutputPlan(screen=fmt or "table")
    if output == "-":
        return OutputPlan(screen=fmt if fmt in DOCUMENT_FORMATS else "toml")
    if not output.strip():
        raise OutputError("-o: expected a file path (or - for standard output), got an empty string")
    by_extension = format_of_path(output)
    if by_extension is not None:
        if by_extension not in available(kind):
            raise OutputError(
                f"-o {output}: {by_extension} is not available for this command; "
                f"expected a name ending in {_extensions_for(kind)}"
            )
        file_format = by_extension
    elif fmt in DOCUMENT_FORMATS:
        file_format = fmt
    else:
        suffix = PurePath(output).suffix
        what = f"the extension {visible(suffix, one_line=True)!r}" if suffix else "a name without an extension"
        raise OutputError(
            f"-o {visible(output, one_line=True)}: cannot tell the format from {what}; "
            f"name the file {_extensions_for(kind)}, or say which with --format "
            f"{'|'.join(f for f in DOCUMENT_FORMATS if f in available(kind))}"
        )
    screen = "table" if fmt in (None, "table") else None
    return OutputPlan(screen=screen, path=output, file_format=file_format)


def _extensions_for(kind: str) -> str:
    names = [ext for ext, f in EXTENSIONS.items() if f in available(kind) and ext != ".markdown"]
    return ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else names[0]


# ---------------------------------------------------------------- rendering


def _drop_none(value: Any) -> Any:
    # containers only are walked into: an inventory's 30,000 plain values cost no call each
    if isinstance(value, dict):
        if None not in value.values() and not any(map(isinstance, value.values(), _REPEAT_CONTAINERS)):
            return value  # a flat record with nothing to drop (an inventory's namespaces): as it is
        return {k: _drop_none(v) if isinstance(v, _CONTAINERS) else v for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_drop_none(v) if isinstance(v, _CONTAINERS) else v for v in value if v is not None]
    return value


_CONTAINERS = (dict, list, tuple)
_REPEAT_CONTAINERS = itertools.repeat(_CONTAINERS)
ROW_WIDTH = 120  # a flat record this short (as one line) prints on one line in JSON


@functools.cache
def _encoders() -> tuple[Callable[[Any], str], Callable[[Any], str]]:
    """json's C encoders (plain values; a record on one line), built on first use: json is not
    imported by a run that writes no JSON."""
    import json

    # allow_nan=False: RFC 8259 JSON only; a NaN or infinity that reached a document is a bug, never
    # printed as `NaN`/`Infinity`, which no other JSON reader takes
    return (
        json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode,
        json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(", ", ": ")).encode,
    )


def pretty_json(value: Any, depth: int = 0) -> str:
    """JSON indented by two spaces, as json.dumps(indent=2, ensure_ascii=False) writes it, except
    that a list of short flat records (tables of plain values, each under ROW_WIDTH characters on
    one line, such as an inventory's namespaces or a plan's objects) prints one record per line: a
    5,000-namespace inventory reads as 5,000 lines instead of 30,000, and encodes faster."""
    plain, _ = _encoders()
    pad = "  " * (depth + 1)
    if isinstance(value, dict) and value:
        items = [f"{pad}{plain(str(k))}: {pretty_json(v, depth + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + "  " * depth + "}"
    if isinstance(value, list) and value:
        rows = _rows(value)
        lines = [pad + r for r in rows] if rows is not None else [pad + pretty_json(v, depth + 1) for v in value]
        return "[\n" + ",\n".join(lines) + "\n" + "  " * depth + "]"
    return plain(value)


def _rows(values: list[Any]) -> list[str] | None:
    """Each value as a one-line record, or None unless every one is a short flat record.

    The list is encoded in one call and cut at the records' boundaries (`}, {`): the encoding of a
    list of records is each record's own encoding joined by ", ". A cut can only be wrong where a
    text holds `}, {` itself, and then there are more pieces than records: those lists are encoded
    record by record instead."""
    _, row_of = _encoders()
    for v in values:
        if not isinstance(v, dict) or not v or any(map(isinstance, v.values(), _REPEAT_CONTAINERS)):
            return None
    pieces = row_of(values)[2:-2].split("}, {")
    if len(pieces) == len(values):
        rows = ["{" + piece + "}" for piece in pieces]
    else:
        rows = [row_of(v) for v in values]
    if any(len(row) > ROW_WIDTH for row in rows):
        return None
    return rows


def dumps(doc: dict[str, Any], fmt: str) -> str:
    """A document as JSON or TOML text (None values dropped: TOML has no null)."""
    clean = _drop_none(doc)
    if fmt == "json":
        return pretty_json(clean) + "\n"
    if fmt == "toml":
        import tomli_w

        return str(tomli_w.dumps(clean))
    raise ValueError(f"not a document format: {fmt}")


def document(result: Result) -> dict[str, Any]:
    """The result's document: JSON and TOML serialise it; field names are a public schema."""
    builder = DOCUMENT_BUILDERS.get(result.kind)
    if builder is None:
        return result.to_document()  # type: ignore[attr-defined, no-any-return]
    return _load(builder)(result)  # type: ignore[no-any-return]


def render_text(result: Result, fmt: str) -> str:
    """The result as the text of a document format: json, toml or markdown."""
    if fmt == "markdown":
        return str(_load(MARKDOWN_RENDERERS[result.kind])(result))
    if fmt == "sarif":
        return str(_load(SARIF_RENDERERS[result.kind])(result))
    return dumps(document(result), fmt)


def render_table(result: Result, console: Any) -> None:
    _load(TABLE_RENDERERS[result.kind])(result, console)


def emit(result: Result, env: Environment, plan: OutputPlan, force: bool = False) -> None:
    """Show and/or save one result as planned; warnings go to stderr once."""
    for warning in getattr(result, "warnings", ()):
        env.warn(warning)
    if plan.path is not None:
        assert plan.file_format is not None
        # Checked before anything is shown (an unusable path is one line, not a screenful of results
        # that were never saved), rendered in full, and written last: a Ctrl-C or failure while the
        # table is drawn leaves no file, so "nothing saved" is then true.
        check_target(plan.path, force)
        text = render_text(result, plan.file_format)
        reader_gone = None
        if plan.screen == "table":
            try:
                render_table(result, env.console)
            except BrokenPipeError as exc:  # `| head`: the reader left, the file is still wanted
                reader_gone = exc
        save(plan.path, text, force)
        if reader_gone is not None:
            raise reader_gone
        env.note(f"Wrote {visible(plan.path, one_line=True)} ({plan.file_format.upper()}).")
        return
    if plan.screen == "table":
        render_table(result, env.console)
    elif plan.screen is not None:
        env.write(render_text(result, plan.screen))
