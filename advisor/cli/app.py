"""The typer app: each command parses, resolves answers, calls the core, and renders."""

from __future__ import annotations

import contextlib
import copy
import errno
import functools
import inspect
import os
import sys
from datetime import datetime, timezone
from types import SimpleNamespace
from typing import Any, Callable, Optional

import typer

from advisor import __version__
from advisor.cli import completion
from advisor.environment import Environment, current as current_env, install as install_env, uninstall as uninstall_env
from advisor.errors import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_USAGE, Interrupted, UserError, visible
from advisor.output.formats import FORMAT_METAVAR, emit, plan_output
from advisor.humanize import quoted, typed
from advisor.answers.registry import QUESTIONS, SECTIONS, Question

HELP_NAMES = ["-h", "--help"]


# ---------------------------------------------------------------- help


class _Command(typer.core.TyperCommand):
    """Plain help (no rich boxes): option names are never cut, whatever the width or a pipe;
    flags show no value; options grouped under their panel; the examples come last."""

    def format_options(self, ctx: Any, formatter: Any) -> None:
        sections: dict[str, list[tuple[str, str]]] = {}
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                # name and help only: typer would add the value's type (`<str>`)
                record = (param.metavar or param.human_readable_name, getattr(param, "help", None) or "")
            else:
                record = param.get_help_record(ctx)
            if record is None:
                continue
            default = "Arguments" if param.param_type_name == "argument" else "Options"
            sections.setdefault(getattr(param, "rich_help_panel", None) or default, []).append(record)
        for title, rows in sections.items():
            with formatter.section(title):
                formatter.write_dl(rows, col_max=34)

    def format_epilog(self, ctx: Any, formatter: Any) -> None:
        if self.epilog:
            formatter.write_paragraph()
            formatter.write_heading("Examples")
            with formatter.indentation():
                for line in self.epilog.strip().splitlines():
                    formatter.write(f"{'':>{formatter.current_indent}}{line}\n")


class _Group(typer.core.TyperGroup):
    def format_epilog(self, ctx: Any, formatter: Any) -> None:
        _Command.format_epilog(self, ctx, formatter)  # type: ignore[arg-type]


def examples(*lines: str) -> str:
    """A command's examples, shown verbatim at the end of its --help (two or three real ones)."""
    return "\n".join(lines)


app = typer.Typer(
    name="mesh-advisor",
    help="Choose a Kubernetes service mesh (Linkerd, Istio sidecar, Istio ambient) and see what it will cost. "
    "Every point of the score and every figure comes with its source.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    cls=_Group,
    epilog=examples(
        "mesh-advisor recommend --pods 1500 --nodes 30 --require mtls,header-routing",
        "mesh-advisor wizard",
        "mesh-advisor matrix --ids",
        'eval "$(mesh-advisor --show-completion bash)"',
    ),
    context_settings={"help_option_names": HELP_NAMES},
)
data_app = typer.Typer(
    help="Show or check the bundled data (benchmarks, prices, features, rules).",
    no_args_is_help=True,
    rich_markup_mode=None,
    cls=_Group,
    epilog=examples("mesh-advisor data show", "mesh-advisor data validate ./my-data"),
)
app.add_typer(data_app, name="data", short_help="Show or check the bundled data (figures, prices, features, rules).")


# ---------------------------------------------------------------- environment


def now_utc() -> str:
    """The time stamped on documents; SOURCE_DATE_EPOCH (the reproducible-builds convention) fixes it."""
    fixed = current_env().environ.get("SOURCE_DATE_EPOCH", "").strip()
    when = datetime.fromtimestamp(int(fixed), timezone.utc) if fixed.isdigit() else datetime.now(timezone.utc)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


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

    wrapper.__signature__ = sig.replace(
        parameters=[*(p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in own), *extra]
    )  # type: ignore[attr-defined]
    wrapper.__annotations__ = annotations
    del wrapper.__wrapped__
    return wrapper


ANSWERS_ARG = typer.Argument(
    None, metavar="ANSWERS", help="Answers file (TOML or JSON; a full export works too).", show_default=False
)
ANSWERS_OPT = typer.Option(
    None, "--answers", metavar="FILE", help="Answers file (TOML or JSON; a full export works too).", show_default=False
)
FORMAT_OPT = typer.Option(
    None,
    "--format",
    metavar="table|json|toml",
    help="Output format. Default: table.",
    show_default=False,
)
RECORD_FORMAT_OPT = typer.Option(
    None,
    "--format",
    metavar=FORMAT_METAVAR,
    help="Output format; markdown (or md) is a decision record. Default: table.",
    show_default=False,
)
WIZARD_OUTPUT_OPT = typer.Option(
    None,
    "-o",
    "--output",
    metavar="FILE",
    help="Save the result to FILE without asking (.toml, .json or .md by extension); '-' is stdout (TOML).",
    show_default=False,
)
OUTPUT_OPT = typer.Option(
    None,
    "-o",
    "--output",
    metavar="FILE",
    help="Write the document to FILE: the format is taken from the extension (.toml, .json, .md), else --format must say it; '-' is stdout.",
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


def cache_dir() -> None:
    """There is no cache any more (the bundled data is pinned, overlays are validated every run);
    kept so that callers written against the old cache still work."""
    return None


def load(data_dir: Optional[str]):
    from advisor.catalog.models import load_catalog

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


def resolve_answers(catalog, flags: dict[str, Any], answers_paths: list[str]):
    """The chain: flags > answers file > scan > defaults (the wizard adds what is typed)."""
    from advisor.answers.resolve import load_answer_sources, resolve

    file_values, label, scan_values, scan_label = load_answer_sources(answers_paths)
    return resolve(
        catalog, flags=flags, file_values=file_values, file_label=label, scan_values=scan_values, scan_label=scan_label
    )


# ---------------------------------------------------------------- commands


def _version_callback(value: bool) -> None:
    if value:
        print(f"mesh-advisor {__version__}")
        raise typer.Exit(0)


def _completion_callback(install: bool) -> Callable[[Optional[str]], None]:
    def callback(value: Optional[str]) -> None:
        if value is None:
            return
        flag = "--install-completion" if install else "--show-completion"
        given = value.strip().lower()
        shell = completion.detect_shell(current_env().environ) if given == "auto" else given
        if shell not in completion.SHELLS:
            got = "$SHELL names none of them" if given == "auto" else f"got {quoted(value)}"
            raise UserError(f"{flag}: expected a shell, one of {', '.join(completion.SHELLS)}; {got}")
        if install:
            path = completion.install(shell)
            current_env().note(f"{shell} completion installed in {path}; it takes effect in a new shell")
        else:
            current_env().write(completion.script(shell) + "\n")
        raise typer.Exit(0)

    return callback


_SHELL_METAVAR = "[bash|zsh|fish]"


@app.callback()
def main_callback(
    version: bool = typer.Option(
        False, "--version", callback=_version_callback, is_eager=True, help="Show the version and exit."
    ),
    install_completion: Optional[str] = typer.Option(
        None,
        "--install-completion",
        metavar=_SHELL_METAVAR,
        is_eager=True,
        callback=_completion_callback(install=True),
        help="Install shell completion for SHELL (default: the shell $SHELL names) and exit.",
        show_default=False,
    ),
    show_completion: Optional[str] = typer.Option(
        None,
        "--show-completion",
        metavar=_SHELL_METAVAR,
        is_eager=True,
        callback=_completion_callback(install=False),
        help='Print the completion script for SHELL (default: $SHELL\'s), e.g. for eval "$(...)", and exit.',
        show_default=False,
    ),
) -> None:
    """Choose a Kubernetes service mesh and see what it will cost."""


@app.command(
    cls=_Command,
    short_help="Score the options against your answers and explain the choice.",
    epilog=examples(
        "mesh-advisor recommend --pods 1500 --nodes 30 --require mtls,header-routing",
        "mesh-advisor recommend team.toml --what-if -o decision.md",
        "mesh-advisor recommend --pods 800 --prefer wasm --format json",
    ),
)
@with_answer_flags
def recommend(
    answers_file: Optional[str] = ANSWERS_ARG,
    answers: Optional[str] = ANSWERS_OPT,
    format: Optional[str] = RECORD_FORMAT_OPT,
    output: Optional[str] = OUTPUT_OPT,
    force: bool = FORCE_OPT,
    data_dir: Optional[str] = DATA_DIR_OPT,
    what_if: bool = typer.Option(
        False,
        "--what-if",
        help="Also find the smallest changes to the answers that would change the choice (decision boundaries).",
    ),
    what_if_limit: Optional[str] = typer.Option(
        None,
        "--what-if-limit",
        metavar="N",
        help="How many what-if findings the table shows (default 5; JSON/TOML list all). Implies --what-if.",
        show_default=False,
    ),
    flags: dict[str, Any] = None,  # type: ignore[assignment]
) -> None:
    """Score the options in the data against your answers and explain the choice. Never prompts."""
    from advisor.engine.results import RecommendationResult
    from advisor.answers.sanity import sanity_warnings
    from advisor.engine.scoring import recommend as score

    plan = plan_output(format, output, RecommendationResult.kind)
    limit = parse_what_if_limit(what_if_limit)
    catalog = load(data_dir)
    resolved = resolve_answers(catalog, flags, answers_source(answers_file, answers))
    boundaries = None
    if what_if or what_if_limit is not None:
        from advisor.engine.whatif import what_if as find_boundaries

        boundaries = find_boundaries(resolved.answers, catalog)
    from advisor.engine.robustness import robustness

    rec = score(resolved.answers, catalog)
    result = RecommendationResult(
        catalog,
        resolved,
        rec,
        now_utc(),
        what_if=boundaries,
        what_if_limit=limit,
        warnings=sanity_warnings(resolved.answers, catalog, resolved.defaulted),
        data_dir=data_dir,
        robustness=robustness(resolved.answers, catalog, rec),
    )
    emit(result, current_env(), plan, force)


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


@app.command(
    cls=_Command,
    short_help="Ask the questions interactively, then show the result.",
    epilog=examples(
        "mesh-advisor wizard",
        "mesh-advisor wizard --answers team.toml -o result.toml",
        "mesh-advisor wizard --pods 1500 --require mtls",
    ),
)
@with_answer_flags
def wizard(
    answers_file: Optional[str] = ANSWERS_ARG,
    answers: Optional[str] = ANSWERS_OPT,
    output: Optional[str] = WIZARD_OUTPUT_OPT,
    force: bool = FORCE_OPT,
    data_dir: Optional[str] = DATA_DIR_OPT,
    flags: dict[str, Any] = None,  # type: ignore[assignment]
) -> None:
    """Ask the questions interactively (flags are not asked; --answers values are offered), then show the result."""
    from advisor.answers.resolve import load_answer_sources
    from advisor.output.documents import check_writable
    from advisor.errors import NoTerminalError
    from advisor.engine.results import RecommendationResult

    env = current_env()
    if not (env.stdin_isatty and env.stdout_isatty):
        which = "stdin" if not env.stdin_isatty else "stdout"
        raise NoTerminalError(
            f"wizard: needs a terminal on stdin and stdout ({which} is not one); in scripts use "
            "`mesh-advisor recommend` with the answers as flags (e.g. --pods 500 --require mtls) "
            "or --answers FILE; see `mesh-advisor recommend --help`"
        )
    if output is not None and output != "-":
        plan_output(None, output, RecommendationResult.kind)  # an extension we cannot write fails now
        check_writable(output, force)
    catalog = load(data_dir)
    file_values, label, scan_values, scan_label = load_answer_sources(answers_source(answers_file, answers))
    from advisor.answers.wizard import run as run_wizard

    run_wizard(
        catalog,
        env.console,
        flags,
        file_values,
        label,
        now_utc,
        save_to=output,
        force=force,
        data_dir=data_dir,
        scan_values=scan_values,
        scan_label=scan_label,
    )


@app.command(
    cls=_Command,
    short_help="CPU, memory, money and latency each option adds.",
    epilog=examples(
        "mesh-advisor cost --pods 1500 --nodes 30",
        "mesh-advisor cost --sweep pods=100:10000:12",
        "mesh-advisor cost team.toml --cost-basis requests --format json",
    ),
)
@with_answer_flags
def cost(
    answers_file: Optional[str] = ANSWERS_ARG,
    answers: Optional[str] = ANSWERS_OPT,
    sweep: Optional[str] = typer.Option(
        None,
        "--sweep",
        metavar="KEY=START:STOP[:STEPS]",
        help="Repeat over a range of pods, nodes, namespaces, mesh_rps, l7_ratio or hops (at most 500 points) and chart monthly cost.",
        show_default=False,
    ),
    format: Optional[str] = FORMAT_OPT,
    output: Optional[str] = OUTPUT_OPT,
    force: bool = FORCE_OPT,
    data_dir: Optional[str] = DATA_DIR_OPT,
    flags: dict[str, Any] = None,  # type: ignore[assignment]
) -> None:
    """Project the CPU, memory, money and latency each option adds, per component."""
    from advisor.engine.costing import project
    from advisor.engine.results import CostResult
    from advisor.answers.sanity import sanity_warnings
    from advisor.engine.sweep import parse_sweep, run_sweep

    plan = plan_output(format, output, CostResult.kind)
    spec = parse_sweep(sweep) if sweep is not None else None
    catalog = load(data_dir)
    resolved = resolve_answers(catalog, flags, answers_source(answers_file, answers))
    projection = project(resolved.answers, catalog)
    swept = run_sweep(resolved.answers, catalog, spec) if spec else None
    warnings = sanity_warnings(resolved.answers, catalog, resolved.defaulted)
    emit(
        CostResult(catalog, resolved, projection, now_utc(), sweep=swept, warnings=warnings), current_env(), plan, force
    )


@app.command(
    cls=_Command,
    short_help="The feature matrix, with sources (--ids: the feature ids).",
    epilog=examples("mesh-advisor matrix", "mesh-advisor matrix --feature mtls,wasm", "mesh-advisor matrix --ids"),
)
def matrix(
    feature: Optional[list[str]] = typer.Option(
        None,
        "--feature",
        metavar="ID",
        help="Show only these features (repeatable; a comma list works too).",
        show_default=False,
    ),
    ids: bool = typer.Option(
        False, "--ids", help="Print only the feature ids (for --require and --prefer), one per line with its name."
    ),
    format: Optional[str] = FORMAT_OPT,
    data_dir: Optional[str] = DATA_DIR_OPT,
) -> None:
    """Print the feature matrix: support level, note, version and source per option."""
    from advisor.answers.resolve import unknown_feature_message
    from advisor.answers.registry import BY_KEY
    from advisor.engine.results import MatrixResult

    plan = plan_output(format, None, MatrixResult.kind)
    catalog = load(data_dir)
    if ids:
        width = max(len(f.id) for f in catalog.features.features)
        current_env().write(
            "".join(f"{f.id:<{width}}  {visible(f.name, one_line=True)}\n" for f in catalog.features.features)
        )
        return
    wanted: list[str] = []
    if feature:
        try:
            wanted = list(BY_KEY["require"].parse(feature))
        except ValueError as exc:
            raise UserError(f"--feature: {exc}") from None
        if not wanted:
            # An empty --feature is more likely a script's empty variable than a wish for every row.
            raise UserError(
                f"--feature: expected a feature id, got nothing; valid ids: {', '.join(catalog.feature_ids)}"
            )
        unknown = [fid for fid in wanted if fid not in catalog.feature_ids]
        if unknown:
            # One line naming every unknown id with its suggestion, and the valid ids once.
            named = [unknown_feature_message(fid, catalog.feature_ids).split("; valid ids:")[0] for fid in unknown]
            raise UserError(f"--feature: {'; '.join(named)}; valid ids: {', '.join(catalog.feature_ids)}")

    emit(MatrixResult(catalog, tuple(wanted), now_utc()), current_env(), plan)


@app.command(
    "compare",
    cls=_Command,
    short_help="Compare two saved results.",
    epilog=examples(
        "mesh-advisor compare before.toml after.toml",
        "mesh-advisor compare before.toml after.toml --format md -o change.md",
    ),
)
def compare_command(
    result_a: str = typer.Argument(
        ..., metavar="A", help="A saved result (TOML or JSON, as written by `recommend -o`)."
    ),
    result_b: str = typer.Argument(..., metavar="B", help="Another saved result, compared against A."),
    format: Optional[str] = RECORD_FORMAT_OPT,
    output: Optional[str] = OUTPUT_OPT,
    force: bool = FORCE_OPT,
) -> None:
    """Compare two saved results: answers that differ, the choice, score and cost deltas, reasons gained or lost."""
    from advisor.engine.compare import compare, load_result
    from advisor.engine.results import ComparisonResult

    plan = plan_output(format, output, ComparisonResult.kind)
    result = compare(load_result(result_a), load_result(result_b), now_utc())
    emit(result, current_env(), plan, force)


@app.command(
    cls=_Command,
    short_help="Read a cluster, manifests or a dump into an answers file.",
    epilog=examples(
        "mesh-advisor scan manifests/ -o cluster.toml",
        "mesh-advisor scan --prometheus http://prometheus:9090 -o cluster.toml",
        "mesh-advisor recommend cluster.toml",
    ),
)
def scan(
    paths: Optional[list[str]] = typer.Argument(
        None,
        metavar="[PATH ...]",
        help="Manifests or kubectl dumps (JSON or YAML; directories are searched; '-' is stdin). Without PATH: the live cluster through kubectl.",
        show_default=False,
    ),
    context: Optional[str] = typer.Option(
        None, "--context", metavar="NAME", help="kubectl context (live scan).", show_default=False
    ),
    kubeconfig: Optional[str] = typer.Option(
        None, "--kubeconfig", metavar="FILE", help="kubeconfig file (live scan).", show_default=False
    ),
    namespace: Optional[list[str]] = typer.Option(
        None,
        "--namespace",
        "-n",
        metavar="NS",
        help="Only these namespaces (repeatable; live scan).",
        show_default=False,
    ),
    timeout: str = typer.Option(
        "60s",
        "--timeout",
        metavar="DURATION",
        help="Give up on a kubectl call or a Prometheus query after this long (e.g. 30s, 2m).",
    ),
    prometheus: Optional[str] = typer.Option(
        None,
        "--prometheus",
        metavar="URL",
        help="Read per-namespace request rates and the HTTP share from this Prometheus.",
        show_default=False,
    ),
    window: str = typer.Option(
        "1d", "--window", metavar="DURATION", help="Traffic window for --prometheus (e.g. 1h, 7d)."
    ),
    hide_names: bool = typer.Option(
        False, "--hide-names", help="Replace namespace and object names with stable hashes."
    ),
    format: Optional[str] = FORMAT_OPT,
    output: Optional[str] = OUTPUT_OPT,
    force: bool = FORCE_OPT,
    data_dir: Optional[str] = DATA_DIR_OPT,
) -> None:
    """Read the cluster (or its manifests, or a dump) and its traffic into an answers file with evidence."""
    from advisor.scan.command import ScanOptions, run_scan
    from advisor.scan.result import ScanResult

    plan = plan_output(format, output, ScanResult.kind)
    if data_dir is not None and not data_dir.strip():
        raise UserError("--data-dir: expected a directory holding data files, got an empty string")
    if plan.path is not None:
        from advisor.output.documents import check_writable

        check_writable(plan.path, force)  # before any work: a scan can take a while
    env = current_env()
    options = ScanOptions(
        paths=list(paths or []),
        context=context,
        kubeconfig=kubeconfig,
        namespaces=list(namespace or []),
        timeout=timeout,
        prometheus=prometheus,
        window=window,
        hide_names=hide_names,
        data_dir=data_dir,
    )
    stdin = getattr(env.stdin, "buffer", None) if "-" in options.paths else None
    result = run_scan(options, now_utc(), stdin=stdin)
    emit(result, env, plan, force)


@app.command(
    cls=_Command,
    short_help="Plan the move from the current mesh to another, each item sourced.",
    epilog=examples(
        "mesh-advisor plan cluster.toml --to istio-ambient -o plan.md",
        "mesh-advisor plan --current-mesh linkerd --to istio-sidecar --format json",
    ),
)
@with_answer_flags
def plan(
    answers_file: Optional[str] = ANSWERS_ARG,
    answers: Optional[str] = ANSWERS_OPT,
    to: Optional[str] = typer.Option(
        None, "--to", metavar="OPTION", help="The mesh to move to (an option id).", show_default=False
    ),
    format: Optional[str] = FORMAT_OPT,
    output: Optional[str] = OUTPUT_OPT,
    force: bool = FORCE_OPT,
    data_dir: Optional[str] = DATA_DIR_OPT,
    flags: dict[str, Any] = None,  # type: ignore[assignment]
) -> None:
    """Plan the move from the current mesh to --to: blockers, rework, phases, gaps and cost, each sourced.

    Reads a scan's file (its scan evidence ties each item to the objects behind it) or any answers.
    """
    from advisor.engine.plan import PlanResult, build_plan, scan_table

    out = plan_output(format, output, PlanResult.kind)
    if to is None or not to.strip():
        raise UserError(
            "--to: expected the option to move to (e.g. --to istio-ambient); see `mesh-advisor matrix` for the ids"
        )
    catalog = load(data_dir)
    path = answers_source(answers_file, answers)
    resolved = resolve_answers(catalog, flags, path)
    from advisor.catalog.models import signals_file

    result = build_plan(
        catalog, resolved, to.strip().lower(), scan_table(path), now_utc(), signals=signals_file(data_dir)
    )
    emit(result, current_env(), out, force)


@data_app.command(
    "show",
    cls=_Command,
    short_help="Every benchmark figure and price with its source.",
    epilog=examples("mesh-advisor data show", "mesh-advisor data show --format json"),
)
def data_show(
    format: Optional[str] = FORMAT_OPT,
    data_dir: Optional[str] = DATA_DIR_OPT,
) -> None:
    """Print every benchmark figure and price with its unit, kind, version and source."""
    from advisor.engine.results import DataResult

    plan = plan_output(format, None, DataResult.kind)
    emit(DataResult(load(data_dir), now_utc()), current_env(), plan)


@data_app.command(
    "validate",
    cls=_Command,
    short_help="Check a data directory and name every problem.",
    epilog=examples("mesh-advisor data validate", "mesh-advisor data validate ./my-data"),
)
def data_validate(
    directory: Optional[str] = typer.Argument(
        None,
        metavar="[DIR]",
        help="Data directory to check (its files overlay the bundled ones). Default: the bundled data.",
        show_default=False,
    ),
) -> None:
    """Check a data directory and report every problem found, as `file: field.path: message`."""
    from advisor.catalog.models import DATA_FILES, validate_data_dir
    from advisor.errors import DataError

    if directory is not None and not directory.strip():
        raise UserError("data validate: expected a directory holding data files, got an empty string")
    problems = validate_data_dir(directory)
    problems += _signal_problems(directory)
    where = directory or "bundled data"
    if problems:
        raise DataError(f"{where}: {len(problems)} problem{'s' if len(problems) != 1 else ''}:", problems)
    print(f"{where}: OK ({', '.join(DATA_FILES)} checked)")


def _signal_problems(directory: Optional[str]) -> list[str]:
    """signals.toml (the scan's data) is checked too when the directory holds one, or the bundled one."""

    from advisor.catalog.crosscheck import declared_ids
    from advisor.catalog.models import SIGNALS_FILE, signals_file
    from advisor.errors import DataError
    from advisor.scan.signals import load_signals

    # the one the scan reads with this directory: its own, else the bundled one (checked against
    # this directory's options and platforms, so an option added without its signals is reported)
    path = signals_file(directory)
    if not path.is_file():
        return []
    try:
        # the ids as the files declare them, so a problem elsewhere does not hide these checks
        load_signals(path, *declared_ids(directory))
    except DataError as exc:
        return [f"{SIGNALS_FILE}: {p}" for p in exc.problems] or [exc.message]
    return []


# ---------------------------------------------------------------- entry point


def _click_exception_types() -> tuple[type, type, type]:
    """click's ClickException, Abort and Exit, found through typer (which may vendor click)."""
    click_exc = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")
    return click_exc, typer.Abort, typer.Exit


class _RawValue:
    """Stand-in for typer's per-parameter pydantic coercion.

    Every option here is text, a list of text or a bool flag, and our own validation
    (the question registry) parses it; typer would otherwise import pydantic and build a
    TypeAdapter per parameter on every run, which costs more than the rest of `recommend`.
    """

    def coerce(self, value: Any, param: Any, ctx: Any) -> Any:
        if value is None:
            return () if getattr(param, "multiple", False) else None
        return value


_RAW_ANNOTATIONS = (str, bool, list[str])


def _use_raw_values(command: Any) -> None:
    # Only where typer still has its lazy slot empty and the annotation is plain text or a
    # flag; if typer changes these internals the slot is absent and its own coercion runs.
    params = list(getattr(command, "params", ()))
    try:
        # click adds --help lazily from the context; build (and cache) it now so it is covered too.
        help_option = command.get_help_option(SimpleNamespace(help_option_names=HELP_NAMES))
        if help_option is not None:
            params.append(help_option)
    except Exception:  # noqa: BLE001 - an internals change only means typer coerces --help itself
        pass
    for param in params:
        descriptor = getattr(param, "type_descriptor", None)
        if getattr(param, "_runtime_param", "absent") is None and descriptor is not None:
            if descriptor.annotation in _RAW_ANNOTATIONS:
                param._runtime_param = _RawValue()
    for sub in getattr(command, "commands", {}).values():
        _use_raw_values(sub)


_OUTPUT_ERRNOS = {errno.ENOSPC, errno.EIO, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)}


def run(args: list[str], env: Optional[Environment] = None) -> int:
    """Run one command line in `env` (the process's own streams when None); returns the exit code."""
    env = env if env is not None else Environment.from_system()
    token = install_env(env)
    try:
        with contextlib.ExitStack() as stack:
            # click prints help and usage to sys.stdout/sys.stderr: point those at env's streams too.
            if env.stdout is not sys.stdout:
                stack.enter_context(contextlib.redirect_stdout(env.stdout))  # type: ignore[type-var]
            if env.stderr is not sys.stderr:
                stack.enter_context(contextlib.redirect_stderr(env.stderr))  # type: ignore[type-var]
            return _run(args, env)
    finally:
        uninstall_env(token)


_SHELL_OPTIONS = ("--install-completion", "--show-completion")


def _shell_defaulted(args: list[str]) -> list[str]:
    """`--show-completion` with no shell after it means the shell $SHELL names ("auto")."""
    out = list(args)
    for i, arg in enumerate(args):
        if arg in _SHELL_OPTIONS and (i + 1 == len(args) or args[i + 1].startswith("-")):
            out.insert(out.index(arg) + 1, "auto")
    return out


def interrupted_message() -> str:
    from advisor.output.atomic import interrupted_message as message

    return message()


def _command_name(info: Any) -> str:
    return info.name or typer.main.get_command_name(info.callback.__name__)


@functools.cache
def _command(name: Optional[str] = None) -> Any:
    """The click command tree typer builds from the functions' signatures: built once per process
    (click commands are reusable; each run gets its own context), since building it costs more
    than many a command's own work, and tests and the wizard run several commands in one process.
    With `name` (the command line starts with a command's name), the tree holds the top-level
    options and that one command: typer reads every function's signature to build a command, and
    the other eight are not needed to run this one (about 10 ms of every run). A completion
    request builds its own, so its completers never reach an ordinary run."""
    source = app
    if name is not None:
        source = copy.copy(app)
        source.registered_commands = [c for c in app.registered_commands if _command_name(c) == name]
        source.registered_groups = [g for g in app.registered_groups if g.name == name]
    command = typer.main.get_command(source)
    _use_raw_values(command)
    return command


@functools.cache
def _command_names() -> frozenset[str]:
    return frozenset(
        [*(_command_name(c) for c in app.registered_commands), *(g.name for g in app.registered_groups if g.name)]
    )


def _run(args: list[str], env: Environment) -> int:
    args = _shell_defaulted(args)
    debug = env.environ.get("MESH_ADVISOR_DEBUG", "") not in ("", "0")
    if "--debug" in args:
        debug = True
        args = [a for a in args if a != "--debug"]
    click_exc, abort, exit_ = _click_exception_types()
    try:
        if completion.requested():
            command = typer.main.get_command(app)
            _use_raw_values(command)
            completion.prepare(command)
        else:
            # Only a command name first gets the one-command tree: options before it (--version,
            # --install-completion) and unknown names (click's "No such command") need them all.
            command = _command(args[0] if args and args[0] in _command_names() else None)
        result = command.main(args=args, prog_name="mesh-advisor", standalone_mode=False)
        if result == EXIT_INTERRUPTED:  # Ctrl-C while click parses: typer returns Exit(130)'s code
            print(interrupted_message(), file=env.stderr)
        return result if isinstance(result, int) else 0
    except UserError as exc:
        # Messages quote file contents and flag values: show their control characters, never obey them.
        for line in exc.lines():
            print(visible(f"mesh-advisor: {line}" if line is exc.message else line, one_line=True), file=env.stderr)
        return exc.exit_code
    except (Interrupted, KeyboardInterrupt, abort):
        print(interrupted_message(), file=env.stderr)
        return EXIT_INTERRUPTED
    except exit_ as exc:
        code = int(getattr(exc, "exit_code", 0) or 0)
        if code == EXIT_INTERRUPTED:  # typer turns Ctrl-C inside a command into Exit(130)
            print(interrupted_message(), file=env.stderr)
        return code
    except click_exc as exc:
        message = exc.format_message()
        if not message.strip():  # e.g. no arguments at all: click has already printed the help
            return getattr(exc, "exit_code", EXIT_USAGE) or EXIT_USAGE
        ctx = getattr(exc, "ctx", None)
        if ctx is not None:
            where = ctx.command_path
        else:  # click raised before a context existed: name the command from the arguments
            names = getattr(command, "commands", {})
            where = "mesh-advisor" + (f" {args[0]}" if args and args[0] in names else "")
        hint = f" (see '{where} --help')"
        print(visible(f"mesh-advisor: {message}{hint}", one_line=True), file=env.stderr)
        return getattr(exc, "exit_code", EXIT_USAGE) or EXIT_USAGE
    except (BrokenPipeError, SystemExit) as exc:
        # click turns a broken pipe inside a command into exit 1 (it calls sys.exit(1) even with
        # standalone_mode off): `recommend --format json | true` exited 1 with nothing said.
        if isinstance(exc, SystemExit) and not isinstance(exc.__context__, BrokenPipeError):
            raise
        # The reader went away (e.g. `| head`); nothing more to say.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, env.stdout.fileno())  # type: ignore[union-attr]
        except (OSError, ValueError, AttributeError):  # not a real file: nothing to silence
            pass
        return 0
    except OSError as exc:
        if exc.errno not in _OUTPUT_ERRNOS:
            raise
        # Standard output itself failed (a full disk, a dead terminal): the user's to fix.
        print(f"mesh-advisor: cannot write the output: {exc.strerror or exc}", file=env.stderr)
        return EXIT_USAGE
    except Exception as exc:  # noqa: BLE001 - the one place internal errors are caught
        if debug:
            import traceback

            traceback.print_exc(file=env.stderr)
        print(
            visible(
                f"mesh-advisor: internal error: {type(exc).__name__}: {exc} "
                "(rerun with --debug or MESH_ADVISOR_DEBUG=1 for the traceback)",
                one_line=True,
            ),
            file=env.stderr,
        )
        return EXIT_INTERNAL
