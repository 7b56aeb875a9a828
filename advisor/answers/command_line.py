"""The command line that reproduces a set of answers (the decision record and the wizard print it)."""

from __future__ import annotations

import shlex

from advisor.answers.registry import QUESTIONS
from advisor.answers.resolve import Answers, defaults
from advisor.catalog.models import Catalog
from advisor.humanize import typed


def reproducing_command(
    catalog: Catalog, answers: Answers, data_dir: str | None = None, extra: tuple[str, ...] = ()
) -> str:
    """`mesh-advisor recommend ...` with exactly the flags that reproduce these answers (every non-default one)."""
    base = defaults(catalog)
    parts = ["mesh-advisor", "recommend"]
    if data_dir:
        parts += ["--data-dir", data_dir]
    for q in QUESTIONS:
        value = getattr(answers, q.key)
        default = base[q.key]
        if (set(value) == set(default)) if q.kind == "features" else value == default:
            continue
        if q.kind == "bool":
            parts.append(q.flag if value else q.negative_flag)
        elif q.kind == "features":
            for fid in value:
                parts += [q.flag, fid]
        else:
            parts += [q.flag, typed(value)]
    parts += list(extra)
    return " ".join(shlex.quote(p) for p in parts)
