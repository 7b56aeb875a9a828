"""`mesh-advisor plan`: answers (a scan's file, flags) and --to in, the plan out; with --manifests, the objects
the move needs written to a directory. Registered on the app in cli/app.py."""

from __future__ import annotations

from typing import Any, Optional

import typer

from advisor.cli.options import (
    ANSWERS_ARG,
    ANSWERS_OPT,
    DATA_DIR_OPT,
    FORCE_OPT,
    FORMAT_OPT,
    OUTPUT_OPT,
    answers_source,
    load,
    now_utc,
    read_answers,
    resolve_answers,
    with_answer_flags,
)
from advisor.environment import current as current_env
from advisor.errors import UserError
from advisor.output.atomic import check_target
from advisor.output.formats import emit, plan_output


@with_answer_flags
def plan(
    answers_file: Optional[str] = ANSWERS_ARG,
    answers: Optional[str] = ANSWERS_OPT,
    to: Optional[str] = typer.Option(
        None, "--to", metavar="OPTION", help="The mesh to move to (an option id).", show_default=False
    ),
    manifests: Optional[str] = typer.Option(
        None,
        "--manifests",
        metavar="DIR",
        help="Also write the objects the move needs into DIR (one file per phase and namespace, README.md with the order); needs --objects.",
        show_default=False,
    ),
    objects: Optional[list[str]] = typer.Option(
        None,
        "--objects",
        metavar="PATH",
        help="The manifests or kubectl dump the scan read (repeatable; '-' is stdin): what --manifests translates.",
        show_default=False,
    ),
    format: Optional[str] = FORMAT_OPT,
    output: Optional[str] = OUTPUT_OPT,
    force: bool = FORCE_OPT,
    data_dir: Optional[str] = DATA_DIR_OPT,
    flags: dict[str, Any] = None,  # type: ignore[assignment]
) -> None:
    """Plan the move from the current mesh to --to: blockers, rework, phases, gaps and cost, each sourced.

    Reads a scan's file (its scan evidence ties each item to the objects behind it) or any answers.
    `--to` the current mesh with --sidecar-scoping plans staying on sidecars, scoped.
    """
    # deferred: the plan and the engine, which --help and completion never need
    from advisor.catalog.files import signals_file
    from advisor.cli.plan_manifests import check_manifest_flags, read_objects, write_plan_manifests
    from advisor.engine import pipeline
    from advisor.engine.plan import PlanResult

    out = plan_output(format, output, PlanResult.kind)
    if to is None or not to.strip():
        raise UserError(
            "--to: expected the option to move to (e.g. --to istio-ambient); see `mesh-advisor matrix` for the ids"
        )
    check_manifest_flags(manifests, objects, force)
    if manifests is not None and out.path is not None:
        check_target(out.path, force)  # both outputs are checked before either is written
    catalog = load(data_dir)
    files = read_answers(answers_source(answers_file, answers))
    target = to.strip().lower()
    resolved = resolve_answers(catalog, flags, files)
    stay = bool(flags.get("sidecar_scoping")) and target == resolved.answers.current_mesh
    if stay:  # --sidecar-scoping names the plan, not today's answer: today's sidecars are unscoped
        resolved = resolve_answers(catalog, {**flags, "sidecar_scoping": None}, files)
    env = current_env()
    result = pipeline.plan(
        catalog,
        resolved,
        target,
        files.scan,
        now_utc(),
        signals_file(data_dir),
        sidecar_scoping=stay,
        objects=read_objects(objects, env) if objects else None,
    )
    if manifests is not None:
        write_plan_manifests(manifests, result, force, env)
    emit(result, env, out, force)
