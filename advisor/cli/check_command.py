"""`mesh-advisor check [PATH ...]`: read what `scan` reads, report the migration hazards, exit 3 on a finding at
or above --fail-on. Registered on the app in cli/app.py."""

from __future__ import annotations

from typing import Any, Optional

import typer

from advisor.cli.options import (
    cluster_paths_argument,
    context_option,
    format_option,
    kubeconfig_option,
    namespace_option,
    output_option,
    timeout_option,
)
from advisor.errors import UserError

SEVERITY_METAVAR = "error|warning|info"


def _read_files(paths: list[str], env: Any) -> tuple[list[dict[str, Any]], dict[str, str], list[str]]:
    # deferred: the file readers load only for a check of files
    from advisor.engine.objects import name_of, namespace_of
    from advisor.scan.files import FileReport
    from advisor.scan.sources import read_sources, skipped_summary

    stdin = getattr(env.stdin, "buffer", None) if "-" in paths else None
    report = FileReport()
    objects, origins = [], {}
    for obj, origin in read_sources(paths, stdin, report):
        objects.append(obj)
        kind = obj.get("kind")
        key = f"{kind}/{name_of(obj)}" if kind == "Namespace" else f"{kind}/{namespace_of(obj)}/{name_of(obj)}"
        origins.setdefault(key, origin)
    notes = list(report.notes)  # Kustomize roots and Helm charts not rendered, with the command
    summary = skipped_summary(report)  # what in the directories was not a manifest
    if summary:
        notes.append(summary)
    return objects, origins, notes


def _read_live(
    context: str | None, kubeconfig: str | None, namespaces: list[str], timeout: str
) -> tuple[list[dict[str, Any]], list[str]]:
    # deferred: the live reader (kubectl transport, signals, the scan's inference) loads only without PATH
    from advisor.answers.registry import BY_KEY
    from advisor.catalog.files import signals_file
    from advisor.catalog.load import load_catalog
    from advisor.scan.command import parse_duration
    from advisor.scan.core import ScanContext
    from advisor.scan.infer import Scanner
    from advisor.scan.kubectl import Kubectl, scan_live
    from advisor.scan.signals import load_signals

    catalog = load_catalog(None)
    signals = load_signals(signals_file(None), catalog.feature_ids)
    objects: list[dict[str, Any]] = []

    class Keeping(Scanner):
        def add(self, obj: dict[str, Any]) -> None:
            objects.append(obj)
            super().add(obj)

    ctx = ScanContext(signals=signals, feature_ids=catalog.feature_ids, answer_keys=BY_KEY, generated_at="")
    kubectl = Kubectl(
        context=context, kubeconfig=kubeconfig, timeout=parse_duration(timeout, "--timeout", maximum=3600)
    )
    scan = scan_live(ctx, kubectl, namespaces, scanner=Keeping(signals))
    return objects, list(getattr(scan, "warnings", ()) or ())


def check(
    paths: Optional[list[str]] = cluster_paths_argument(),
    context: Optional[str] = context_option("check"),
    kubeconfig: Optional[str] = kubeconfig_option("check"),
    namespace: Optional[list[str]] = namespace_option("check"),
    timeout: str = timeout_option(),
    fail_on: str = typer.Option(
        "error", "--fail-on", metavar=SEVERITY_METAVAR, help="Exit 3 when a finding is at or above this severity."
    ),
    format: Optional[str] = format_option("check", markdown_is="a report", sarif_is="SARIF 2.1.0 for code scanning"),
    output: Optional[str] = output_option("check"),
    force: bool = typer.Option(False, "--force", help="Replace an existing output file."),
    data_dir: Optional[str] = typer.Option(
        None,
        "--data-dir",
        metavar="DIR",
        help="Read hazards.toml from DIR (over the bundled rules).",
        show_default=False,
    ),
) -> None:
    """Lint a cluster (or its manifests) for the hazards of a move between meshes; exit 3 on a finding at or above --fail-on."""
    from datetime import datetime, timezone

    # deferred: the engine and the renderers, which --help and completion never need
    from advisor.engine.check import CheckResult, hazards_file, load_rules, parse_severity, run_check
    from advisor.environment import current as current_env
    from advisor.output.formats import emit, plan_output

    out = plan_output(format, output, CheckResult.kind)
    severity = parse_severity(fail_on)
    if out.path is not None:
        # deferred: only -o FILE writes a file
        from advisor.output.atomic import check_target

        check_target(out.path, force)
    given = list(paths or [])
    if given and (context is not None or kubeconfig is not None or namespace):
        raise UserError("--context, --kubeconfig, --namespace: only for a live check (no PATH); files were given")
    data_version, rules = load_rules(hazards_file(data_dir))
    env = current_env()
    if given:
        objects, origins, notes = _read_files(given, env)
        source = "files"
        if not objects:
            raise UserError(
                f"{', '.join(given[:3])}: no Kubernetes objects found; expected manifests or a kubectl dump"
            )
    else:
        objects, notes = _read_live(context, kubeconfig, list(namespace or []), timeout)
        origins, source = {}, "kubectl"
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    result = run_check(rules, objects, severity, data_version, source, now, tuple(notes), origins)
    emit(result, env, out, force)
    if result.exit_code:
        raise typer.Exit(result.exit_code)
