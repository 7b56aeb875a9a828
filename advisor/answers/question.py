"""One answer's definition (a Question): its flag, kind, default and range, and how a value given as text, TOML or JSON is parsed."""

from __future__ import annotations

import math
import re
from dataclasses import field
from typing import Any, Literal

from advisor.humanize import clip, quoted
from advisor.records import record

Kind = Literal["int", "float", "choice", "bool", "features", "text", "option"]


@record(eq=True)
class Question:
    key: str
    flag: str
    kind: Kind
    default: Any
    help: str
    prompt: str
    section: str
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    choice_help: dict[str, str] = field(default_factory=dict)
    # Where the default really comes from when the data can override it (shown in docs).
    default_note: str = ""
    # Whether the answer is a count people write with digit groups ("2,000"). No number is read with
    # a digit-group separator any more (issue 23: "1,500" and "1.000" read differently by locale);
    # this only says which answers' messages may mention thousands.
    grouping: bool | None = None

    @property
    def allows_grouping(self) -> bool:
        return self.kind == "int" if self.grouping is None else self.grouping

    # False: given by flag or answers file only, never prompted for (sizing details most teams skip).
    wizard: bool = True
    # True for `namespaces`: an answers file may give a [[namespaces]] inventory instead of a count.
    inventory: bool = False

    @property
    def negative_flag(self) -> str:
        return "--no-" + self.flag.removeprefix("--")

    def expected(self) -> str:
        """Plain words for what this answer accepts, used in every error message."""
        if self.kind == "int":
            return f"a whole number {_range_words(self.minimum, self.maximum)}".rstrip()
        if self.kind == "float":
            return f"a number {_range_words(self.minimum, self.maximum)}".rstrip()
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices)
        if self.kind == "bool":
            return "true or false"
        if self.kind == "features":
            return "feature ids from the matrix (see `mesh-advisor matrix`)"
        if self.kind == "option":
            return "none or a mesh option id (see `mesh-advisor matrix`)"
        return "a name"

    def parse(self, raw: Any) -> Any:
        """Validate one raw value (a string typed or given as a flag, or a TOML/JSON value).

        Raises ValueError with a message in plain words; this is the only validation path
        for flags, answers files and the wizard.
        """
        if self.kind == "int":
            return self._parse_int(raw)
        if self.kind == "float":
            return self._parse_float(raw)
        if self.kind == "choice":
            text = raw.strip().lower() if isinstance(raw, str) else raw
            if not isinstance(text, str) or text not in self.choices:
                raise ValueError(f"expected {self.expected()}, got {_show(raw)}")
            return text
        if self.kind == "bool":
            if isinstance(raw, bool):
                return raw
            if isinstance(raw, str) and raw.strip().lower() in _TRUE | _FALSE:
                return raw.strip().lower() in _TRUE
            raise ValueError(f"expected {self.expected()}, got {_show(raw)}")
        if self.kind == "features":
            return _parse_feature_list(raw)
        if self.kind == "option":
            # Which ids exist is the data's business: advisor.answers.resolve.parse_answer checks them.
            if not isinstance(raw, str) or not raw.strip():
                raise ValueError(f"expected {self.expected()}, got {_show(raw)}")
            return raw.strip().lower()
        if not isinstance(raw, str) or not raw.strip():
            raise ValueError(f"expected {self.expected()}, got {_show(raw)}")
        return raw.strip()

    def _parse_int(self, raw: Any) -> int:
        value: Any = raw
        if isinstance(raw, bool):
            raise ValueError(f"expected {self.expected()}, got {_show(raw)}")
        if isinstance(raw, str):
            text = self._ungroup(raw)
            try:
                value = int(text)
            except ValueError:
                try:
                    as_float = float(text)
                except ValueError:
                    raise ValueError(f"expected {self.expected()}, got {_show(raw)}") from None
                value = as_float
        if isinstance(value, float):
            if not math.isfinite(value) or not value.is_integer():
                raise ValueError(f"expected {self.expected()}, got {_show(raw)}")
            value = int(value)
        if not isinstance(value, int):
            raise ValueError(f"expected {self.expected()}, got {_show(raw)}")
        self._check_range(value, raw)
        return value

    def _parse_float(self, raw: Any) -> float:
        if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
            raise ValueError(f"expected {self.expected()}, got {_show(raw)}")
        if isinstance(raw, str):
            text = self._ungroup(raw)
            try:
                value = float(text)
            except ValueError:
                raise ValueError(f"expected {self.expected()}, got {_show(raw)}") from None
            if value == 0 and _NONZERO_MANTISSA.match(text):
                # 1e-400 is not 0: it underflowed, and is refused as any value below the smallest
                raise ValueError(f"expected {self.expected()}: 0, or at least {SMALLEST:g}; got {_show(raw)}")
        else:
            try:
                value = float(raw)
            except OverflowError:
                raise ValueError(f"expected {self.expected()}, got a number too large") from None
        if not math.isfinite(value):
            raise ValueError(f"expected {self.expected()} (finite), got {_show(raw)}")
        if value != 0 and abs(value) < SMALLEST:
            # 1e-310 (a denormal) overflowed, and 5e-324 divided by zero, in what-if's arithmetic
            raise ValueError(f"expected {self.expected()}: 0, or at least {SMALLEST:g}; got {_show(raw)}")
        self._check_range(value, raw)
        return value + 0.0  # -0.0 becomes 0.0: no "$-0" anywhere downstream

    def _ungroup(self, raw: str) -> str:
        """The text of a number, refused when a locale could read it two ways: a digit-group
        separator in either style ("1,500" is 1500 in one locale and 1.5 in another; "1.000" is 1
        or 1000) is refused with the unambiguous spellings, never guessed. Flags, answers files
        and the wizard all come through here."""
        text = raw.strip()
        digits = text.lstrip("+-")
        if "," in text:
            if _THOUSANDS.fullmatch(text) and not digits.startswith("0,"):
                plain = text.replace(",", "")
                decimal = text.replace(",", ".").rstrip("0").rstrip(".")
                single = text.count(",") == 1 and "." not in text
                other = f" (or {decimal} if the comma is a decimal point)" if single else ""
                hint = f"a digit-group separator reads differently in other locales: write {plain}{other}"
            elif text.count(",") == 1 and "." not in text and re.fullmatch(r"[+-]?\d*,\d+", text):
                if self.kind == "int":  # "1,5 pods": neither 1.5 (not whole) nor 15 can be guessed
                    hint = "a comma is neither a decimal point nor a separator here: write the whole number without it"
                else:
                    hint = f"a comma is not a decimal point: write {text.replace(',', '.')}"
            else:
                hint = "write the number with a dot for decimals and no digit-group separators"
            raise ValueError(f"expected {self.expected()}, got {_show(raw)}; {hint}")
        if _DOTTED_GROUPS.fullmatch(text):
            thousands = text.replace(".", "")
            decimal = text.rstrip("0").rstrip(".")
            meant = f" (or {decimal} if the dot is a decimal point)" if self.kind == "float" else ""
            raise ValueError(
                f"expected {self.expected()}, got {_show(raw)}; a dot before exactly three digits reads as a "
                f"digit-group separator in other locales: write {thousands}{meant}"
            )
        return text

    def _check_range(self, value: float, raw: Any) -> None:
        too_low = self.minimum is not None and value < self.minimum
        too_high = self.maximum is not None and value > self.maximum
        if too_low or too_high:
            raise ValueError(f"expected {self.expected()}, got {_show(raw)}")


# The smallest nonzero number an answer may be: far below any real price, rate or share, far above
# the denormals that overflow or divide by zero when what-if scales and divides answers.
SMALLEST = 1e-12

_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")
_DOTTED_GROUPS = re.compile(r"[+-]?[1-9]\d{0,2}(\.\d{3})+")  # 1.000, 12.500, 1.000.000
_NONZERO_MANTISSA = re.compile(r"^[^eE]*[1-9]")


_TRUE = {"true", "yes", "y", "1", "on"}
_FALSE = {"false", "no", "n", "0", "off"}

# Upper bounds keep arithmetic finite and sweeps meaningful; they are far beyond any real mesh.
_MAX_COUNT = 100_000_000
_MAX_RPS = 1e12
_MAX_PRICE = 1e6


def _range_words(minimum: float | None, maximum: float | None) -> str:
    def fmt(x: float) -> str:
        return f"{x:,.0f}" if float(x).is_integer() else f"{x:g}"

    if minimum is not None and maximum is not None:
        return f"from {fmt(minimum)} to {fmt(maximum)}"
    if minimum is not None:
        return f"≥ {fmt(minimum)}"
    if maximum is not None:
        return f"≤ {fmt(maximum)}"
    return ""


def _show(raw: Any) -> str:
    if isinstance(raw, (list, dict)):
        return quoted(raw)
    return clip(repr(raw) if isinstance(raw, str) else str(raw), 60)


def _parse_feature_list(raw: Any) -> tuple[str, ...]:
    """Feature ids from a list and/or comma lists; order kept, duplicates dropped."""
    items = raw if isinstance(raw, (list, tuple)) else [raw]
    ids: dict[str, None] = {}  # ordered and with O(1) membership: 100,000 ids take milliseconds
    for item in items:
        if not isinstance(item, str):
            raise ValueError(f"expected feature ids as text, got {_show(item)}")
        for part in item.split(","):
            part = part.strip().lower()
            if part:
                ids[part] = None
    return tuple(ids)
