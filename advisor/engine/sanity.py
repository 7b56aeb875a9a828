"""Sanity warnings: answers that are valid but implausible (data/rules.toml `sanity_checks`). Pure."""

from __future__ import annotations

from typing import TYPE_CHECKING

from advisor.humanize import readable
from advisor.answers.registry import QUESTIONS
from advisor.engine.costing import waypoint_namespaces

if TYPE_CHECKING:
    from advisor.answers.resolve import Answers
    from advisor.catalog.models import Catalog


def measure(name: str, answers: Answers) -> float:
    """The quantity a check compares with its limit."""
    if name == "pods_per_node":
        return answers.pods / answers.nodes
    if name == "waypoint_namespaces_per_namespace":
        return waypoint_namespaces(answers.l7_ratio, answers.namespaces) / answers.namespaces
    if name == "proxy_rps_per_pod":
        # each request passes two proxies: the client's outbound and the server's inbound one
        return answers.mesh_rps * 2 / answers.pods
    raise KeyError(name)


class _Fields(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> str:  # a placeholder the code does not know stays as written
        return "{" + key + "}"


def sanity_warnings(answers: Answers, catalog: Catalog, defaulted: tuple[str, ...] = ()) -> tuple[str, ...]:
    """One sentence per check whose measure exceeds its limit, with the figures that decided it.

    Answers in `defaulted` that the sentence names are said to be defaults: often the real fix.
    """
    out: list[str] = []
    for check in catalog.rules.sanity_checks:
        value = measure(check.measure, answers)
        if value <= check.limit.value:
            continue
        # every answer by its registry key, the values an inventory derives (pods, namespaces) included
        fields = _Fields({q.key: readable(getattr(answers, q.key)) for q in QUESTIONS})
        fields.update(value=readable(round(value, 1)), limit=readable(check.limit.value))
        text = check.text.format_map(fields)
        named = [k for k in defaulted if "{" + k + "}" in check.text]
        if named:
            text += f" ({' and '.join(named)} {'were' if len(named) > 1 else 'was'} not given: the default)"
        out.append(f"{text}; source of the limit: {check.limit.source}")
    return tuple(out)
