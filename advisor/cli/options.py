"""The options commands share, and the answer flags, read from the registries (questions, formats)."""

from __future__ import annotations

import functools
import inspect
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Callable, Optional

import typer

from advisor.answers.registry import QUESTIONS, SECTIONS
from advisor.answers.question import Question
from advisor.environment import current as current_env
from advisor.errors import UserError
from advisor.humanize import quoted, typed
from advisor.output.formats import ALIASES, available, extensions_for

if TYPE_CHECKING:
    from advisor.answers.resolve import AnswerFiles, Resolved
    from advisor.catalog.models import Catalog


# ---------------------------------------------------------------- answer flags from the registry


def _option_for(q: Question) -> tuple[Any, Any]:
    panel = f"{SECTIONS[q.section]} answers"
    unit = f" [{q.unit}]" if q.unit else ""
    default_text = q.default_note or typed(q.default)
    help_text = f"{q.help}{unit} Default: {default_text or 'none'}."
    if q.kind == "bool":
        return Optional[bool], typer.Option(
            None, f"{q.flag}/{q.negative_flag}", help=help_text, rich_help_panel=panel, show_default=False
        )
    if q.kind == "features":
        help_text += " Feature ids: `mesh-advisor matrix --ids`."
        return Optional[list[str]], typer.Option(
            None,
            q.flag,
            help=help_text,
            metavar="ID",
            rich_help_panel=panel,
            show_default=False,
        )
    metavar = {"int": "INT", "float": "NUMBER", "choice": "|".join(q.choices), "text": "NAME", "option": "none|ID"}[
        q.kind
    ]
    if len(metavar) > 36:  # a long choice list would widen the whole help column: list it in the help
        metavar, help_text = "NAME", f"{help_text} One of: {', '.join(q.choices)}."
    return Optional[str], typer.Option(
        None, q.flag, help=help_text, metavar=metavar, rich_help_panel=panel, show_default=False
    )


def with_answer_flags(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add one option per registry question; the command receives them as `flags` (None = not given)."""
    sig = inspect.signature(func)
    own = [p for p in sig.parameters.values() if p.name != "flags"]
    extra = []
    annotations = {k: v for k, v in func.__annotations__.items() if k != "flags"}
    for q in QUESTIONS:
        annotation, default = _option_for(q)
        extra.append(inspect.Parameter(q.key, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation))
        annotations[q.key] = annotation

    @functools.wraps(func)
    def wrapper(**kwargs: Any) -> Any:
        flags = {q.key: kwargs.pop(q.key, None) for q in QUESTIONS}
        return func(flags=flags, **kwargs)

    wrapper.__signature__ = sig.replace(  # type: ignore[attr-defined]
        parameters=[*(p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in own), *extra]
    )
    wrapper.__annotations__ = annotations
    del wrapper.__wrapped__
    return wrapper


ANSWERS_ARG = typer.Argument(
    None, metavar="ANSWERS", help="Answers file (TOML or JSON; a full export works too).", show_default=False
)
ANSWERS_OPT = typer.Option(
    None, "--answers", metavar="FILE", help="Answers file (TOML or JSON; a full export works too).", show_default=False
)


def format_option(kind: str, markdown_is: str = "", sarif_is: str = "") -> Any:
    """--format for a command whose result is `kind`: the formats the registry can write for it."""
    formats = available(kind)
    aliases = [alias for alias, name in ALIASES.items() if name == "markdown"]
    note = f"; markdown (or {', '.join(aliases)}) is {markdown_is}" if "markdown" in formats and markdown_is else ""
    note += f"; sarif is {sarif_is}" if "sarif" in formats and sarif_is else ""
    return typer.Option(
        None, "--format", metavar="|".join(formats), help=f"Output format{note}. Default: table.", show_default=False
    )


def output_option(kind: str) -> Any:
    """-o for a command whose result is `kind`: the extensions the registry writes for it."""
    return typer.Option(
        None,
        "-o",
        "--output",
        metavar="FILE",
        help=f"Write the document to FILE: the format is taken from the extension ({extensions_for(kind)}), "
        "else --format must say it; '-' is stdout.",
        show_default=False,
    )


def wizard_output_option(kind: str) -> Any:
    return typer.Option(
        None,
        "-o",
        "--output",
        metavar="FILE",
        help=f"Save the result to FILE without asking ({extensions_for(kind)} by extension); '-' is stdout (TOML).",
        show_default=False,
    )


FORCE_OPT = typer.Option(False, "--force", help="Overwrite an existing output file.")
DATA_DIR_OPT = typer.Option(
    None,
    "--data-dir",
    metavar="DIR",
    help="Directory whose data files replace the bundled ones by name.",
    show_default=False,
)


# What `scan` and `check` read: files, or the live cluster through kubectl (`what` is "scan" or "check").
def cluster_paths_argument() -> Any:
    return typer.Argument(
        None,
        metavar="[PATH ...]",
        help="Manifests or kubectl dumps (JSON or YAML; directories are searched; '-' is stdin). Without PATH: the live cluster through kubectl.",
        show_default=False,
    )


def context_option(what: str) -> Any:
    return typer.Option(None, "--context", metavar="NAME", help=f"kubectl context (live {what}).", show_default=False)


def kubeconfig_option(what: str) -> Any:
    return typer.Option(
        None, "--kubeconfig", metavar="FILE", help=f"kubeconfig file (live {what}).", show_default=False
    )


def namespace_option(what: str) -> Any:
    return typer.Option(
        None,
        "--namespace",
        "-n",
        metavar="NS",
        help=f"Only these namespaces (repeatable; live {what}).",
        show_default=False,
    )


def timeout_option() -> Any:
    return typer.Option(
        "60s",
        "--timeout",
        metavar="DURATION",
        help="Deadline of each kubectl call (paging and credential plugins included), kustomize or helm render, and Prometheus query, end to end (e.g. 30s, 2m).",
    )


# ---------------------------------------------------------------- reading them


def now_utc() -> str:
    """The time stamped on documents; SOURCE_DATE_EPOCH (the reproducible-builds convention) fixes it."""
    fixed = current_env().environ.get("SOURCE_DATE_EPOCH", "").strip()
    when = datetime.fromtimestamp(int(fixed), timezone.utc) if fixed.isdigit() else datetime.now(timezone.utc)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def load(data_dir: Optional[str]) -> Catalog:
    """The catalog: bundled data, with --data-dir's files replacing bundled ones by name."""
    # deferred: the catalog's models (and, for a --data-dir, pydantic); --help and completion need neither
    from advisor.catalog.load import load_catalog

    if data_dir is not None and not data_dir.strip():
        raise UserError("--data-dir: expected a directory holding data files, got an empty string")
    return load_catalog(data_dir)


def answers_source(positional: Optional[str], option: Optional[str]) -> list[str]:
    """The answers files given: one, or an answers file and a scan (`recommend cluster.toml --answers team.toml`)."""
    for given, label in ((positional, "ANSWERS"), (option, "--answers")):
        if given is not None and not given.strip():
            raise UserError(f"{label}: expected an answers file (TOML or JSON), got an empty string")
    if positional and option and positional != option:
        return [positional, option]
    return [p for p in (positional or option,) if p]


def read_answers(answers_paths: list[str]) -> AnswerFiles:
    """The answers files given, each read once (an answers file and/or a scan)."""
    # deferred: the answers chain imports the catalog's models; --help and completion need neither
    from advisor.answers.resolve import read_answer_files

    return read_answer_files(answers_paths)


def resolve_answers(
    catalog: Catalog, flags: dict[str, Any], files: AnswerFiles, typed: Optional[dict[str, Any]] = None
) -> Resolved:
    """The chain: flags > answers file > scan > typed (the wizard) > defaults."""
    # deferred: as read_answers
    from advisor.answers.resolve import resolve

    return resolve(
        catalog,
        flags=flags,
        file_values=files.file_values,
        file_label=files.file_label,
        typed=typed,
        scan_values=files.scan_values,
        scan_label=files.scan_label,
    )


def parse_what_if_limit(raw: Optional[str]) -> int:
    if raw is None:
        return 5
    try:
        value = int(raw.strip())
    except ValueError:
        value = 0
    if value < 1 or str(value) != raw.strip().lstrip("+"):
        raise UserError(f"--what-if-limit: expected a whole number ≥ 1, got {quoted(raw)}")
    return value
