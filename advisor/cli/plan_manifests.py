"""`plan --manifests DIR --objects PATH`: reading the objects (as `scan` reads them) and writing the directory."""

from __future__ import annotations

from typing import Any

from advisor.errors import UserError, visible


def check_manifest_flags(manifests: str | None, objects: list[str] | None, force: bool) -> None:
    """Before any work: --manifests needs --objects, and a directory it may write."""
    if manifests is None:
        return
    if not objects:
        raise UserError(
            "--manifests: needs --objects PATH (the manifests or kubectl dump the scan read), to translate them"
        )
    # deferred: the manifest writer loads only with --manifests
    from advisor.output.manifests import check_directory

    check_directory(manifests, force)


def read_objects(paths: list[str], env: Any) -> list[dict[str, Any]]:
    """Every Kubernetes object in the files (scan's readers: manifests, dumps, directories, '-')."""
    # deferred: the scan's file readers load only with --objects
    from advisor.scan.files import FileReport
    from advisor.scan.sources import read_sources

    stdin = getattr(env.stdin, "buffer", None) if "-" in paths else None
    return [obj for obj, _ in read_sources(list(paths), stdin, FileReport())]


def write_plan_manifests(path: str, result: Any, force: bool, env: Any) -> None:
    # deferred: the manifest writer (and yaml) loads only with --manifests
    from advisor.output.manifests import write_manifests

    if result.manifests is None:
        raise UserError("--manifests: this plan has no objects to translate (give --objects PATH)")
    names = write_manifests(path, result, force)
    env.note(f"Wrote {len(names)} files to {visible(path, one_line=True)} (README.md gives the order).")
