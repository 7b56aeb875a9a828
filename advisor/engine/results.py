"""What each command computes, as frozen result objects that know their document (pipx's result.py is the model).

A command's core returns one of these; `advisor.output.formats` renders it as a table, JSON, TOML or
Markdown. Each class has `kind` (the key its table and Markdown renderers are registered under)
and `to_document()` (the dict JSON and TOML serialise; field names are a public schema: add,
never rename). Documents that are read back (answers exports for --answers, saved results for
`compare`) come in through `from_document()`, past the one schema check, `check_schema_version`.

Imports of the core stay inside methods: building a result costs nothing at start-up.
"""

from __future__ import annotations

from dataclasses import field
from typing import TYPE_CHECKING, Any, ClassVar, Mapping, Protocol

from advisor.errors import UserError
from advisor.records import record

if TYPE_CHECKING:
    from advisor.answers.resolve import Resolved
    from advisor.catalog.models import Catalog
    from advisor.engine.costing import Projection
    from advisor.engine.scoring import Recommendation
    from advisor.engine.sweep import Sweep
    from advisor.engine.whatif import WhatIf

# The layout version of every document mesh-advisor writes; readers refuse newer ones.
SCHEMA_VERSION = 1


class Result(Protocol):
    """What every command's result offers the format registry."""

    kind: ClassVar[str]

    def to_document(self) -> dict[str, Any]: ...


def check_schema_version(doc: Mapping[str, Any], label: str, error: type[UserError], missing: str | None = None) -> int:
    """The one schema check for documents read back: a whole number, not newer than this version.

    `missing` is the message when the document has no schema_version (None: a plain answers file
    may omit it, and is read as the current version).
    """
    if "schema_version" not in doc:
        if missing is not None:
            raise error(f"{label}: {missing}")
        return SCHEMA_VERSION
    version = doc["schema_version"]
    if not isinstance(version, int) or isinstance(version, bool):
        raise error(f"{label}: schema_version: expected a whole number, got {version!r}")
    if version > SCHEMA_VERSION:
        raise error(
            f"{label}: written by a newer mesh-advisor (schema_version {version}; "
            f"this version reads {SCHEMA_VERSION}); upgrade mesh-advisor"
        )
    return version


# ---------------------------------------------------------------- results of commands


@record
class RecommendationResult:
    """`recommend`: the scored options, and the decision boundaries when --what-if was asked."""

    kind: ClassVar[str] = "recommendation"
    catalog: Catalog
    resolved: Resolved
    recommendation: Recommendation
    generated_at: str
    what_if: WhatIf | None = None
    what_if_limit: int = 5  # how many findings the table shows (documents list all)
    warnings: tuple[str, ...] = ()
    data_dir: str | None = None  # --data-dir, for the record's reproducing command
    robustness: Any = None  # advisor.engine.robustness.Robustness: the choice across the figures' ranges

    def to_document(self) -> dict[str, Any]:
        from advisor.output.documents import recommendation_document

        extra: dict[str, Any] = {}
        if self.what_if is not None:
            from advisor.engine.whatif import what_if_document

            extra.update(what_if_document(self.what_if))
        if self.warnings:
            extra["warnings"] = list(self.warnings)
        doc = recommendation_document(self.catalog, self.resolved, self.recommendation, self.generated_at, extra=extra)
        if self.robustness is not None:
            from advisor.engine.robustness import robustness_document

            doc["recommendation"]["robustness"] = robustness_document(self.robustness)
        return doc


@record
class CostResult:
    """`cost`: per-component resources, money and latency, and the sweep when --sweep was given."""

    kind: ClassVar[str] = "cost"
    catalog: Catalog
    resolved: Resolved
    projection: Projection
    generated_at: str
    sweep: Sweep | None = None
    warnings: tuple[str, ...] = ()

    def to_document(self) -> dict[str, Any]:
        from advisor.output.documents import cost_document
        from advisor.engine.sweep import sweep_document

        doc = cost_document(
            self.catalog,
            self.resolved,
            self.projection,
            self.generated_at,
            sweep_document(self.sweep) if self.sweep else None,
        )
        if self.warnings:
            doc["warnings"] = list(self.warnings)
        return doc


@record
class MatrixResult:
    """`matrix`: the feature matrix, or the rows asked for with --feature."""

    kind: ClassVar[str] = "matrix"
    catalog: Catalog
    feature_ids: tuple[str, ...]
    generated_at: str

    def to_document(self) -> dict[str, Any]:
        from advisor.output.documents import matrix_document

        return matrix_document(self.catalog, list(self.feature_ids), self.generated_at)


@record
class DataResult:
    """`data show`: every benchmark figure and price with its source."""

    kind: ClassVar[str] = "data"
    catalog: Catalog
    generated_at: str

    def to_document(self) -> dict[str, Any]:
        from advisor.output.documents import data_document

        return data_document(self.catalog, self.generated_at)


@record
class ComparisonResult:
    """`compare A B`: the comparison document (built by advisor.engine.compare from two saved results)."""

    kind: ClassVar[str] = "compare"
    document: Mapping[str, Any]

    @property
    def warnings(self) -> tuple[str, ...]:
        return tuple(self.document.get("warnings", ()))

    def to_document(self) -> dict[str, Any]:
        return dict(self.document)


# ---------------------------------------------------------------- documents read back


@record
class SavedRecommendation:
    """A recommendation result read back from a file (for `compare`), checked once on the way in."""

    document: Mapping[str, Any]
    label: str

    @classmethod
    def from_document(cls, doc: Any, label: str) -> SavedRecommendation:
        from advisor.engine.compare import check_result

        check_result(doc, label)
        return cls(document=doc, label=label)


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
        import difflib

        from advisor.humanize import clip

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
