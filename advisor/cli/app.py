"""The typer app: each command parses, resolves answers, calls the core, and renders."""

from __future__ import annotations

import contextlib
import sys
from typing import Any, Optional

import typer

from advisor import __version__
from advisor.cli import check_command, completion, plan_command
from advisor.cli.exits import exit_code, interrupted_message
from advisor.cli.help import HELP_NAMES, Command, Group, examples
from advisor.cli.options import (
    ANSWERS_ARG,
    ANSWERS_OPT,
    DATA_DIR_OPT,
    FORCE_OPT,
    answers_source,
    cluster_paths_argument,
    context_option,
    format_option,
    kubeconfig_option,
    namespace_option,
    timeout_option,
    load,
    now_utc,
    output_option,
    parse_what_if_limit,
    read_answers,
    resolve_answers,
    wizard_output_option,
    with_answer_flags,
)
from advisor.cli.typer_compat import command_names, command_tree, full_tree
from advisor.environment import Environment, current as current_env, install as install_env, uninstall as uninstall_env
from advisor.engine.results import ComparisonResult, CostResult, DataResult, MatrixResult, RecommendationResult
from advisor.errors import EXIT_INTERRUPTED, DataError, NoTerminalError, UserError, visible
from advisor.answers.registry import BY_KEY
from advisor.output.atomic import check_target
from advisor.output.formats import emit, plan_output


app = typer.Typer(
    name="mesh-advisor",
    help="Choose a Kubernetes service mesh (Linkerd, Istio sidecar, Istio ambient) and see what it will cost. "
    "Every point of the score and every figure comes with its source.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    cls=Group,
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
    cls=Group,
    epilog=examples("mesh-advisor data show", "mesh-advisor data validate ./my-data"),
)
app.add_typer(data_app, name="data", short_help="Show or check the bundled data (figures, prices, features, rules).")


# ---------------------------------------------------------------- commands


def _version_callback(value: bool) -> None:
    if value:
        print(f"mesh-advisor {__version__}")
        raise typer.Exit(0)


@app.callback()
def main_callback(
    version: bool = typer.Option(
        False, "--version", callback=_version_callback, is_eager=True, help="Show the version and exit."
    ),
    install_completion: Optional[str] = typer.Option(
        None,
        "--install-completion",
        metavar=completion.SHELL_METAVAR,
        is_eager=True,
        callback=completion.option_callback(installing=True),
        help="Install shell completion for SHELL (default: the shell $SHELL names) and exit.",
        show_default=False,
    ),
    show_completion: Optional[str] = typer.Option(
        None,
        "--show-completion",
        metavar=completion.SHELL_METAVAR,
        is_eager=True,
        callback=completion.option_callback(installing=False),
        help='Print the completion script for SHELL (default: $SHELL\'s), e.g. for eval "$(...)", and exit.',
        show_default=False,
    ),
) -> None:
    """Choose a Kubernetes service mesh and see what it will cost."""


@app.command(
    cls=Command,
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
    format: Optional[str] = format_option(RecommendationResult.kind, markdown_is="a decision record"),
    output: Optional[str] = output_option(RecommendationResult.kind),
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
    plan = plan_output(format, output, RecommendationResult.kind)
    limit = parse_what_if_limit(what_if_limit)
    catalog = load(data_dir)
    resolved = resolve_answers(catalog, flags, read_answers(answers_source(answers_file, answers)))
    # deferred: the engine (the catalog's models and the scoring), which --help and completion never need
    from advisor.engine import pipeline

    result = pipeline.recommendation(
        catalog,
        resolved,
        now_utc(),
        what_if=what_if or what_if_limit is not None,
        what_if_limit=limit,
        data_dir=data_dir,
    )
    emit(result, current_env(), plan, force)


@app.command(
    cls=Command,
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
    output: Optional[str] = wizard_output_option(RecommendationResult.kind),
    force: bool = FORCE_OPT,
    data_dir: Optional[str] = DATA_DIR_OPT,
    flags: dict[str, Any] = None,  # type: ignore[assignment]
) -> None:
    """Ask the questions interactively (flags are not asked; --answers values are offered), then show the result."""
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
        check_target(output, force)
    catalog = load(data_dir)
    files = read_answers(answers_source(answers_file, answers))
    # deferred: rich, questionary and prompt_toolkit, which only the wizard's screen needs
    from advisor.cli import wizard_command

    wizard_command.run(
        catalog,
        env.console,
        flags,
        files.file_values,
        files.file_label,
        now_utc,
        save_to=output,
        force=force,
        data_dir=data_dir,
        scan_values=files.scan_values,
        scan_label=files.scan_label,
    )


@app.command(
    cls=Command,
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
    format: Optional[str] = format_option(CostResult.kind),
    output: Optional[str] = output_option(CostResult.kind),
    force: bool = FORCE_OPT,
    data_dir: Optional[str] = DATA_DIR_OPT,
    flags: dict[str, Any] = None,  # type: ignore[assignment]
) -> None:
    """Project the CPU, memory, money and latency each option adds, per component."""
    plan = plan_output(format, output, CostResult.kind)
    # deferred: the engine (the catalog's models and the cost model), which --help and completion never need
    from advisor.engine import pipeline
    from advisor.engine.sweep import parse_sweep

    spec = parse_sweep(sweep) if sweep is not None else None
    catalog = load(data_dir)
    resolved = resolve_answers(catalog, flags, read_answers(answers_source(answers_file, answers)))
    emit(pipeline.cost(catalog, resolved, now_utc(), spec), current_env(), plan, force)


@app.command(
    cls=Command,
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
    format: Optional[str] = format_option(MatrixResult.kind),
    data_dir: Optional[str] = DATA_DIR_OPT,
) -> None:
    """Print the feature matrix: support level, note, version and source per option."""
    # deferred: the answers chain imports the catalog's models, which --help and completion never need
    from advisor.answers.resolve import unknown_feature_message

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
    cls=Command,
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
    format: Optional[str] = format_option(ComparisonResult.kind, markdown_is="a decision record"),
    output: Optional[str] = output_option(ComparisonResult.kind),
    force: bool = FORCE_OPT,
) -> None:
    """Compare two saved results: answers that differ, the choice, score and cost deltas, reasons gained or lost."""
    # deferred: the comparison (and the catalog's models it imports), which --help and completion never need
    from advisor.engine.compare import compare, load_result

    plan = plan_output(format, output, ComparisonResult.kind)
    result = compare(load_result(result_a), load_result(result_b), now_utc())
    emit(result, current_env(), plan, force)


@app.command(
    cls=Command,
    short_help="Read a cluster, manifests or a dump into an answers file.",
    epilog=examples(
        "mesh-advisor scan manifests/ -o cluster.toml",
        "mesh-advisor scan --prometheus http://prometheus:9090 -o cluster.toml",
        "mesh-advisor recommend cluster.toml",
    ),
)
def scan(
    paths: Optional[list[str]] = cluster_paths_argument(),
    context: Optional[str] = context_option("scan"),
    kubeconfig: Optional[str] = kubeconfig_option("scan"),
    namespace: Optional[list[str]] = namespace_option("scan"),
    timeout: str = timeout_option(),
    prometheus: Optional[str] = typer.Option(
        None,
        "--prometheus",
        metavar="URL",
        help="Read per-namespace request rates and the HTTP share from this Prometheus.",
        show_default=False,
    ),
    prometheus_token_file: Optional[str] = typer.Option(
        None,
        "--prometheus-token-file",
        metavar="FILE",
        help="A bearer token for --prometheus (or set MESH_ADVISOR_PROMETHEUS_TOKEN); user:password@ in the URL is sent as basic auth.",
        show_default=False,
    ),
    window: str = typer.Option(
        "1d", "--window", metavar="DURATION", help="Traffic window for --prometheus (e.g. 1h, 7d)."
    ),
    hide_names: bool = typer.Option(
        False, "--hide-names", help="Replace namespace and object names with stable hashes."
    ),
    namespace_label: str = typer.Option(
        "namespace", "--namespace-label", metavar="LABEL", help="Namespace label of the cAdvisor series (--prometheus)."
    ),
    container_label: str = typer.Option(
        "container", "--container-label", metavar="LABEL", help="Container label of the cAdvisor series (--prometheus)."
    ),
    format: Optional[str] = format_option("scan", markdown_is="a report of what was read and why"),
    output: Optional[str] = output_option("scan"),
    force: bool = FORCE_OPT,
    data_dir: Optional[str] = DATA_DIR_OPT,
) -> None:
    """Read the cluster (or its manifests, or a dump) and its traffic into an answers file with evidence."""
    # deferred: the scan, its readers and inference, which only `scan` needs
    from advisor.scan.command import ScanOptions, run_scan
    from advisor.scan.result import ScanResult

    plan = plan_output(format, output, ScanResult.kind)
    if data_dir is not None and not data_dir.strip():
        raise UserError("--data-dir: expected a directory holding data files, got an empty string")
    if plan.path is not None:
        check_target(plan.path, force)  # before any work: a scan can take a while
    env = current_env()
    options = ScanOptions(
        paths=list(paths or []),
        context=context,
        kubeconfig=kubeconfig,
        namespaces=list(namespace or []),
        timeout=timeout,
        prometheus=prometheus,
        prometheus_token_file=prometheus_token_file,
        window=window,
        hide_names=hide_names,
        data_dir=data_dir,
        namespace_label=namespace_label,
        container_label=container_label,
    )
    stdin = getattr(env.stdin, "buffer", None) if "-" in options.paths else None
    result = run_scan(options, now_utc(), stdin=stdin)
    emit(result, env, plan, force)


app.command(
    cls=Command,
    short_help="Plan the move from the current mesh to another, each item sourced.",
    epilog=examples(
        "mesh-advisor plan cluster.toml --to istio-ambient -o plan.md",
        "mesh-advisor plan --current-mesh linkerd --to istio-sidecar --format json",
        "mesh-advisor plan cluster.toml --to istio-ambient --manifests out/ --objects manifests/",
    ),
)(plan_command.plan)


app.command(
    "check",
    cls=Command,
    short_help="Lint a cluster or its manifests for the hazards of a move between meshes.",
    epilog=examples(
        "mesh-advisor check manifests/",
        "mesh-advisor check --format sarif -o check.sarif",
        "mesh-advisor check --fail-on warning",
    ),
)(check_command.check)


@data_app.command(
    "show",
    cls=Command,
    short_help="Every benchmark figure and price with its source.",
    epilog=examples("mesh-advisor data show", "mesh-advisor data show --format json"),
)
def data_show(
    format: Optional[str] = format_option(DataResult.kind),
    data_dir: Optional[str] = DATA_DIR_OPT,
) -> None:
    """Print every benchmark figure and price with its unit, kind, version and source."""
    plan = plan_output(format, None, DataResult.kind)
    emit(DataResult(load(data_dir), now_utc()), current_env(), plan)


@data_app.command(
    "validate",
    cls=Command,
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
    # deferred: the catalog's loading (and pydantic, to validate), which --help and completion never need
    from advisor.catalog.load import check_data_dir
    from advisor.catalog.models import DATA_FILES, OTHER_DATA_FILES
    from advisor.engine.check import hazard_problems  # hazards.toml: its ids are the check's detectors

    if directory is not None and not directory.strip():
        raise UserError("data validate: expected a directory holding data files, got an empty string")
    problems = check_data_dir(directory)
    problems += hazard_problems(directory)
    where = directory or "bundled data"
    if problems:
        raise DataError(f"{where}: {len(problems)} problem{'s' if len(problems) != 1 else ''}:", problems)
    print(f"{where}: OK ({', '.join((*DATA_FILES, *OTHER_DATA_FILES))} checked)")


# ---------------------------------------------------------------- entry point


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


def _run(args: list[str], env: Environment) -> int:
    args = completion.shell_defaulted(args)
    debug = env.environ.get("MESH_ADVISOR_DEBUG", "") not in ("", "0")
    if "--debug" in args:
        debug = True
        args = [a for a in args if a != "--debug"]
    command = None
    try:
        if completion.requested():
            command = full_tree(app)
            completion.prepare(command)
        else:
            # Only a command name first gets the one-command tree: options before it (--version,
            # --install-completion) and unknown names (click's "No such command") need them all.
            command = command_tree(app, args[0] if args and args[0] in command_names(app) else None)
        result = command.main(args=args, prog_name="mesh-advisor", standalone_mode=False)
        if result == EXIT_INTERRUPTED:  # Ctrl-C while click parses: typer returns Exit(130)'s code
            print(interrupted_message(), file=env.stderr)
        return result if isinstance(result, int) else 0
    except BaseException as exc:  # noqa: BLE001 - the one place a run's errors become exit codes
        return exit_code(exc, env.stdout, env.stderr, args=args, command=command, debug=debug)
