"""Managed and vendor offerings (platforms.toml) the answers accept: what each option means then."""

from __future__ import annotations

from advisor.answers.resolve import Answers
from advisor.catalog.models import Catalog, Level
from advisor.records import record


@record
class Managed:
    """One offering standing for an option: its support (maturity points), the levels it changes
    and its licence, all from data."""

    id: str
    name: str
    vendor: str
    text: str
    source: str
    points: float
    levels: dict[str, Level]
    levels_note: str
    licence_usd_per_node_month: float | None
    licence_note: str
    platform_specific: bool


def self_managed(
    answers: Answers, catalog: Catalog, offered: dict[str, Managed]
) -> dict[str, list[tuple[str, float, str, str, str]]]:
    """Option id -> [(category, points, text, source, offering id)] for the options that no accepted
    offering of this platform covers: the team would run them itself (operability), with support from
    outside the platform vendor (maturity), beside a managed mesh it could have."""
    if not answers.vendor_distribution:
        return {}
    out: dict[str, list[tuple[str, float, str, str, str]]] = {}
    for off in catalog.platforms.offerings:
        if not off.platforms or answers.platform not in off.platforms:
            continue
        for opt in catalog.features.options:
            covered = offered.get(opt.id)
            if (covered is not None and covered.platform_specific) or opt.id in out:
                continue
            found = []
            if off.others_points:
                found.append(("operability", off.others_points, off.others_text, off.source, off.id))
            if off.others_support_points:
                found.append(
                    (
                        "maturity",
                        off.others_support_points,
                        f"support for it sits outside {off.vendor}'s, who supports {off.name} with the platform",
                        off.source,
                        off.id,
                    )
                )
            if found:
                out[opt.id] = found
    return out


def offerings_for(answers: Answers, catalog: Catalog) -> dict[str, Managed]:
    """Option id -> the offering that stands for it, when the answers accept a vendor distribution
    and the offering is available on the answers' platform (the first listed wins)."""
    if not answers.vendor_distribution:
        return {}
    out: dict[str, Managed] = {}
    for off in catalog.platforms.offerings:
        if off.platforms and answers.platform not in off.platforms:
            continue
        for opt in catalog.features.options:
            if opt.id in out:
                continue
            points = next((t.points for t in off.targets if t.matches(opt)), None)
            if points is None:
                continue
            out[opt.id] = Managed(
                id=off.id,
                name=off.name,
                vendor=off.vendor,
                text=off.text,
                source=off.source,
                points=points,
                levels=dict(off.levels),
                levels_note=off.levels_note,
                licence_usd_per_node_month=off.licence_usd_per_node_month,
                licence_note=off.licence_note,
                platform_specific=bool(off.platforms),
            )
    return out
