"""Numbers, money and values as people read and type them; clipping. No rich: the core uses it too."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def money(usd: float) -> str:
    """$1,234 from $100 up (and $0); cents below, where they still matter: $12.34."""
    return f"${usd:,.0f}" if usd >= 100 or usd == 0 else f"${usd:,.2f}"


def money_span(low: float, high: float) -> str:
    """A low-high range of money, compact: $3,912–9,733 (no cents on sums of $100 and up)."""
    return f"{money(low)}–{money(high).lstrip('$')}"


def short_money_span(low: float, high: float) -> str:
    """A money range for narrow columns: $5.2k–12k, $543–2.6k."""

    def k(x: float) -> str:
        if x >= 1e6:
            return short_number(x)
        if x >= 10_000:
            return f"{x / 1000:,.0f}k"
        if x >= 1000:
            return f"{x / 1000:.1f}k"
        return f"{x:,.0f}"

    return f"${k(low)}–{k(high)}"


def dollars(usd: float) -> str:
    """Whole dollars, always: $1,234 / $5 (reason texts, where cents would be noise)."""
    return f"${usd:,.0f}"


def number(x: float, digits: int = 2) -> str:
    """A measured quantity with a fixed number of decimals: 1,234.57."""
    return f"{x:,.{digits}f}"


def count(n: int | float) -> str:
    """A whole count with thousands separators: 1,500."""
    return f"{int(n):,}"


def short_number(x: float, digits: int = 2) -> str:
    """Millions, billions, trillions as 2.15M / 1.20B / 3.00T so huge clusters still fit a narrow column."""
    if abs(x) >= 1e15:
        return f"{x:.2e}"
    for size, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M")):
        if abs(x) >= size:
            return f"{x / size:,.2f}{suffix}"
    return number(x, digits) if isinstance(x, float) else f"{x:,}"


def short_money(usd: float) -> str:
    """money(), with millions and up shortened: $2.15M."""
    return "$" + short_number(usd) if abs(usd) >= 1e6 else money(usd)


def percent(share: float, digits: int = 0) -> str:
    """A share 0-1 as a percentage: 0.42 -> 42%."""
    return f"{share:.{digits}%}"


def signed_percent(change: float) -> str:
    """A relative change: -0.97 -> -97%, 1.5 -> +150%."""
    return f"{change:+.0%}"


def points(delta: float) -> str:
    """A score change in points, signed, one decimal; a change that rounds to nothing is 0.0."""
    return f"{delta:+.1f}" if abs(delta) > 0.05 else "0.0"


def typed(value: Any) -> str:
    """An answer exactly as a person types it on a command line or in a file: 2000, 0.0316, true, a,b."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, (tuple, list)):
        return ",".join(map(str, value))
    return str(value)


def readable(value: Any, whole: bool = False) -> str:
    """An answer for reading: 1,234 / 0.351 / 0.0316 / true; `whole` for answers that are whole numbers."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        if whole or float(value).is_integer():
            return f"{int(value):,}"
        return f"{value:,.10g}"
    if isinstance(value, (tuple, list)):
        return listed(value)
    return str(value)


def listed(items: Iterable[Any], empty: str = "(none)") -> str:
    """Items for reading, comma separated; `empty` when there are none."""
    text = ", ".join(map(str, items))
    return text or empty


def compact(value: Any) -> str:
    """Any document value in a table cell: lists joined, booleans as words, whole floats without .0."""
    if isinstance(value, (list, tuple)):
        return listed(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    return f"{value:,}" if isinstance(value, (int, float)) else str(value)


def clip(text: str, limit: int = 200, marker: str = "...") -> str:
    """Text cut to `limit` characters (marker included), so a pasted megabyte stays one short line."""
    if len(text) <= limit:
        return text
    return text[: max(limit - len(marker), 0)].rstrip() + marker


def quoted(raw: Any, limit: int = 60) -> str:
    """A value echoed in an error message: strings quoted, containers by type name, clipped."""
    if isinstance(raw, (list, dict)):
        return type(raw).__name__
    if isinstance(raw, str):
        return repr(clip(raw, limit))
    return clip(str(raw), limit)
