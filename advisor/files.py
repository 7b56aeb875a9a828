"""Reading a TOML or JSON document a user points at (answers files, saved results): one set of errors."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any, Callable

from advisor.errors import UserError, syntax_problem


def read_document(
    path: str | Path,
    error: type[UserError],
    *,
    missing: str,
    expected: str,
    sniff_json: bool = False,
    parse_constant: Callable[[str], Any] | None = None,
) -> Any:
    """The parsed document, or `error` with one line naming the file and what was expected.

    JSON when the name ends in .json (or, with `sniff_json`, when a file not named .toml starts
    with "{"); TOML otherwise.
    """
    label = str(path)
    p = Path(path)
    try:
        content = p.read_bytes()
    except FileNotFoundError:
        raise error(f"{label}: {missing}") from None
    except IsADirectoryError:
        raise error(f"{label}: is a directory; {expected}") from None
    except OSError as exc:
        raise error(f"{label}: cannot read: {exc.strerror or exc}") from None
    try:
        text = content.decode("utf-8-sig")  # a BOM, as some Windows editors write, is not an error
    except UnicodeDecodeError:
        raise error(f"{label}: not UTF-8 text; {expected}") from None
    suffix = p.suffix.lower()
    as_json = suffix == ".json" or (sniff_json and suffix != ".toml" and text.lstrip().startswith("{"))
    kind = "JSON" if as_json else "TOML"
    try:
        if as_json:
            return json.loads(text, parse_constant=parse_constant)
        return tomllib.loads(text)
    except ValueError as exc:  # JSONDecodeError, TOMLDecodeError, or a huge integer's plain ValueError
        raise error(f"{label}: {kind} syntax error: {syntax_problem(exc)}") from None
    except RecursionError:
        raise error(f"{label}: {kind} nested too deeply") from None
