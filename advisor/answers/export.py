"""The answers file and the [answers] table of an export, read back for --answers.

The writer is `Answers.as_dict()` (advisor.answers.resolve), which every recommend, cost and plan
document carries as its [answers] table, with meta.defaulted beside it.
"""

from __future__ import annotations

import difflib
from dataclasses import field
from typing import Any, Mapping

from advisor.errors import UserError
from advisor.humanize import clip
from advisor.records import record
from advisor.schema import check_schema_version


@record
class AnswersDocument:
    """An answers file or a full export (its [answers] table), as given to --answers."""

    values: Mapping[str, Any]
    label: str  # where a value came from, for messages: "a.toml" or "a.toml: [answers]"
    # Answers an export says were defaulted when it was made: left out of `values`, so they are
    # defaulted again (and stay listed in meta.defaulted) rather than becoming "given in a file".
    defaulted: tuple[str, ...] = field(default=())

    @classmethod
    def from_document(
        cls, data: Any, label: str, known_keys: Mapping[str, Any], error: type[UserError]
    ) -> AnswersDocument:
        if not isinstance(data, dict):
            raise error(f"{label}: expected a table of answers at the top level")
        defaulted: tuple[str, ...] = ()
        if "answers" in data and isinstance(data["answers"], dict):
            check_schema_version(data, label, error)
            beside = [k for k in data if k in known_keys]
            if beside:
                raise error(
                    f"{label}: {', '.join(beside)} given at the top level beside an [answers] table, "
                    "where it would be ignored; move it into [answers]"
                )
            table = data["answers"]
            meta = data.get("meta")
            if isinstance(meta, dict) and isinstance(meta.get("defaulted"), list):
                defaulted = tuple(k for k in meta["defaulted"] if isinstance(k, str) and k in table)
            label = f"{label}: [answers]"
        else:
            table = data
        unknown = [k for k in table if k not in known_keys]
        if unknown:
            shown = ", ".join(repr(clip(str(k))) for k in unknown[:10]) + (" ..." if len(unknown) > 10 else "")
            hint = ""
            if len(unknown) == 1:
                close = difflib.get_close_matches(str(unknown[0]), list(known_keys), n=1)
                hint = f" (did you mean {close[0]}?)" if close else ""
            raise error(
                f"{label}: unknown key{'s' if len(unknown) > 1 else ''} {shown}{hint}; "
                f"expected keys: {', '.join(known_keys)}"
            )
        values = {k: v for k, v in table.items() if k not in defaulted}
        return cls(values=values, label=label, defaulted=defaulted)
