"""Resolve answers from flags, an answers file, typed input and defaults, through one validation path."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Mapping

from advisor.catalog import Catalog
from advisor.errors import AnswerError, clip
from advisor.files import read_document
from advisor.questions import BY_KEY, QUESTIONS, Question
from advisor.results import SCHEMA_VERSION, AnswersDocument  # noqa: F401 - SCHEMA_VERSION re-exported

NO_MESH = "none"  # current_mesh when the cluster runs no mesh yet


@dataclass(frozen=True)
class Answers:
    pods: int
    nodes: int
    namespaces: int
    mesh_rps: float
    l7_ratio: float
    hops: int
    require: tuple[str, ...]
    prefer: tuple[str, ...]
    current_mesh: str
    team_experience: str
    envoy_experience: bool
    risk: str
    cost_sensitivity: str
    latency_sensitivity: str
    cpu_price: float
    memory_price: float
    cost_basis: str
    benchmark_profile: str

    def as_dict(self) -> dict[str, Any]:
        """Every answer in registry order, with lists for feature sets (TOML/JSON friendly)."""
        out: dict[str, Any] = {}
        for q in QUESTIONS:
            value = getattr(self, q.key)
            out[q.key] = list(value) if isinstance(value, tuple) else value
        return out

    def replace(self, **changes: Any) -> "Answers":
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data.update(changes)
        return Answers(**data)


@dataclass(frozen=True)
class Resolved:
    answers: Answers
    defaulted: tuple[str, ...]
    origin: dict[str, str]  # key -> "flag" | "file" | "typed" | "default"


def defaults(catalog: Catalog) -> dict[str, Any]:
    """Default answers; prices and the benchmark profile come from the data in use."""
    values = {q.key: q.default for q in QUESTIONS}
    values["cpu_price"], values["memory_price"] = catalog.default_prices()
    values["benchmark_profile"] = catalog.benchmarks.default_profile
    return values


def is_given(value: Any) -> bool:
    return value is not None and not (isinstance(value, (list, tuple)) and len(value) == 0)


def resolve(
    catalog: Catalog,
    flags: Mapping[str, Any] | None = None,
    file_values: Mapping[str, Any] | None = None,
    file_label: str = "answers file",
    typed: Mapping[str, Any] | None = None,
) -> Resolved:
    """Precedence: flag > answers file > typed in the wizard > default."""
    flags = flags or {}
    file_values = file_values or {}
    typed = typed or {}
    base = defaults(catalog)
    values: dict[str, Any] = {}
    origin: dict[str, str] = {}
    problems: list[str] = []
    for q in QUESTIONS:
        for source, raw, label in (
            ("flag", flags.get(q.key), _flag_label(q, flags.get(q.key))),
            ("file", file_values.get(q.key), f"{file_label}: {q.key}"),
            ("typed", typed.get(q.key), q.key),
        ):
            if is_given(raw) or (q.kind == "features" and source == "file" and q.key in file_values):
                try:
                    values[q.key] = parse_answer(catalog, q, raw)
                except ValueError as exc:
                    problems.append(f"{label}: {exc}")
                origin[q.key] = source
                break
        else:
            values[q.key] = base[q.key]
            origin[q.key] = "default"
    if not problems:
        both = [f for f in values["require"] if f in values["prefer"]]
        if both:
            problems.append(
                f"{', '.join(both)}: a capability cannot be both required and preferred "
                "(drop it from --prefer or from --require)"
            )
    if problems:
        raise _answer_error(problems)
    defaulted = tuple(k for k in (q.key for q in QUESTIONS) if origin[k] == "default")
    return Resolved(answers=Answers(**values), defaulted=defaulted, origin=origin)


def parse_answer(catalog: Catalog, q: Question, raw: Any) -> Any:
    """The one validation path: registry parse, then checks that need the data."""
    value = q.parse(raw)
    if q.kind == "features":
        known = catalog.feature_ids
        for fid in value:
            if fid not in known:
                raise ValueError(unknown_feature_message(fid, known))
    if q.kind == "option" and value != NO_MESH and value not in catalog.option_ids:
        close = difflib.get_close_matches(value, catalog.option_ids, n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise ValueError(
            f"unknown mesh {clip(value)!r}{hint}; expected {NO_MESH} or one of {', '.join(catalog.option_ids)}"
        )
    if q.key == "benchmark_profile" and value not in catalog.profiles:
        names = ", ".join(catalog.profiles)
        raise ValueError(f"unknown benchmark profile {clip(value)!r}; expected one of {names}")
    return value


def unknown_feature_message(fid: str, known: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(fid, known, n=3, cutoff=0.6)
    hint = f" (did you mean {' or '.join(close)}?)" if close else ""
    return f"unknown feature id {clip(fid)!r}{hint}; valid ids: {', '.join(known)}"


def _flag_label(q: Question, raw: Any) -> str:
    if q.kind == "bool":
        return q.flag if raw in (None, True) else q.negative_flag
    return q.flag


def _answer_error(problems: list[str]) -> AnswerError:
    if len(problems) == 1:
        return AnswerError(problems[0])
    return AnswerError(f"{len(problems)} problems with the answers:", problems)


def load_answers_file(path: str | Path) -> tuple[dict[str, Any], str]:
    """Read a plain answers file or a full export; returns (answers table, label for messages)."""
    label = str(path)
    data = read_document(
        path,
        AnswerError,
        missing="answers file not found",
        expected="expected a TOML or JSON answers file",
        parse_constant=_reject_constant,
    )
    doc = AnswersDocument.from_document(data, label, BY_KEY, AnswerError)
    return dict(doc.values), doc.label


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a valid answer value")
