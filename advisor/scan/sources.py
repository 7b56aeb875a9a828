"""What a scan reads from paths: files named on the command line, and the manifests of directories.

A directory is walked in name order (hidden entries skipped, each directory once, symbolic links to
directories followed, loops ended). In a directory, a Kustomize build root or a Helm chart is
rendered (advisor.scan.render) and its sources are not read again; a YAML or JSON file that holds no
Kubernetes object, or does not parse, or is an unrendered Helm template, is skipped and reported in
one summary; other files are counted. A file named on the command line is read strictly.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Iterator

from advisor.errors import clip
from advisor.reading import ReadProblem, read_limited
from advisor.scan.files import SUFFIXES, FileReport, ScanInputError, read_one
from advisor.scan.render import render

KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
MAX_DIRECTORIES = 100_000  # a directory tree this large is not a repository of manifests


@dataclass(frozen=True)
class Source:
    path: str
    named: bool  # on the command line (strict) or found in a directory (skipped when not a manifest)
    render: str | None = None  # "kustomize" or "helm": a directory to render


def expand_paths(paths: list[str], report: FileReport | None = None) -> list[Source]:
    """What to read, in order: files (directories recursively, sorted), Kustomize roots and Helm
    charts to render. Symlinked directories are followed once; a loop of links is read once."""
    report = report if report is not None else FileReport()
    out: list[Source] = []
    for raw in paths:
        if raw == "-":
            out.append(Source("-", True))
            continue
        if not raw.strip():
            raise ScanInputError("PATH: expected a file or directory of manifests, got an empty string")
        p = Path(raw)
        try:
            is_dir = p.is_dir()
            exists = p.exists()
        except OSError as exc:
            raise ScanInputError(f"{raw}: cannot read: {exc.strerror or exc}") from None
        if not exists:
            raise ScanInputError(f"{raw}: no such file or directory; expected manifests or a kubectl dump")
        if not is_dir:
            out.append(Source(raw, True))
            continue
        out.extend(_walk(raw, report))
    return out


def _walk(top: str, report: FileReport) -> list[Source]:
    out: list[Source] = []
    visited: set[tuple[int, int]] = set()
    stack = [top]
    while stack:
        here = stack.pop()
        try:
            st = os.stat(here)
            entries = sorted(os.scandir(here), key=lambda e: e.name)
        except OSError as exc:
            raise ScanInputError(f"{here}: cannot read directory: {exc.strerror or exc}") from None
        if (st.st_dev, st.st_ino) in visited:
            continue  # a symlinked directory already read (or a loop of links)
        visited.add((st.st_dev, st.st_ino))
        if len(visited) > MAX_DIRECTORIES:
            raise ScanInputError(f"{top}: more than {MAX_DIRECTORIES:,} directories; point the scan at the manifests")
        names = {e.name for e in entries}
        kustomization = next((n for n in KUSTOMIZATION_NAMES if n in names), None)
        if kustomization is not None:
            if _is_component(os.path.join(here, kustomization)):
                report.notes.append(
                    f"{here}: a Kustomize Component, read only where a kustomization enables it; skipped"
                )
            else:
                out.append(Source(here, False, "kustomize"))
            continue  # its sources are what it renders, never read again as files
        if "Chart.yaml" in names:
            out.append(Source(here, False, "helm"))
            continue
        subdirs: list[str] = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                is_dir = entry.is_dir()  # follows a symlink
            except OSError:
                is_dir = False
            if is_dir:
                subdirs.append(entry.path)
            elif entry.name.lower().endswith(SUFFIXES):
                out.append(Source(entry.path, False))
            else:
                report.other_files += 1
        stack.extend(reversed(subdirs))  # depth first, in name order
    return out


def _is_component(path: str) -> bool:
    """`kind: Component` in a kustomization: a piece an overlay enables, not a build root."""
    try:
        text = read_limited(path, 1 << 20).decode("utf-8", "replace")
    except ReadProblem:
        return False
    return re.search(r"(?m)^kind:\s*['\"]?Component['\"]?\s*$", text) is not None


def read_sources(paths: list[str], stdin: BinaryIO | None, report: FileReport) -> Iterator[tuple[dict[str, Any], str]]:
    """Every Kubernetes object in the paths, with the file it came from. A file found in a
    directory that is not a manifest (data JSON, an OpenAPI document, an unrendered template) is
    skipped and reported; a file named on the command line must be one."""
    for source in expand_paths(paths, report):
        if source.render is not None:
            yield from render(source.path, source.render, report)
            continue
        report.files.append(source.path)
        if source.named:
            yield from read_one(source.path, True, stdin, report)
            continue
        if _unrendered_template(source.path):
            report.files.pop()
            report.not_manifests[source.path] = "an unrendered Helm template"
            continue
        try:
            size = os.path.getsize(source.path)
        except OSError:
            size = 0
        if size > MAX_WHOLE_BYTES:  # a dump this large is read as a stream; an error in it is an error
            yield from read_one(source.path, False, stdin, report)
            continue
        try:
            # A file is parsed whole before its objects are used: one that fails half-way
            # contributes nothing (its first documents are not taken for a complete file).
            objects = list(read_one(source.path, False, stdin, report))
        except ScanInputError as exc:
            report.files.pop()
            report.not_manifests[source.path] = _reason(str(exc), source.path)
            continue
        if not objects:
            report.files.pop()
            report.not_manifests.setdefault(source.path, "no Kubernetes objects")
            report.skipped.pop(source.path, None)
        yield from objects


MAX_WHOLE_BYTES = 64 << 20  # a file found in a directory up to this size is parsed whole before it is used
_HELM_ACTION = re.compile(
    rb"\{\{-?\s*(?:\.Values|\.Release|\.Chart|\.Capabilities|include\b|template\b|toYaml\b|define\b|if\b|range\b|with\b)"
)


def _unrendered_template(path: str) -> bool:
    """A file under a `templates/` directory holding Helm actions ({{ .Values.x }}, {{ include ... }}):
    its objects are not the ones a cluster would hold, even where the YAML happens to parse."""
    if "templates" not in Path(path).parts:
        return False
    try:
        with open(path, "rb") as fh:
            head = fh.read(1 << 20)
    except OSError:
        return False
    return _HELM_ACTION.search(head) is not None


def _reason(message: str, path: str) -> str:
    """Why a file in a directory is not a manifest, in a few words (its own message is in the error
    a user gets by naming the file)."""
    text = message.removeprefix(path).lstrip(": ")
    if "{{" in text or "Helm template" in text:
        return "an unrendered Helm template"
    for marker, words in (
        ("JSON syntax error", "JSON that does not parse"),
        ("YAML syntax error", "YAML that does not parse"),
        ("YAML error", "YAML that does not parse"),
        ("not UTF-8", "not UTF-8 text"),
        ("a binary file", "a binary file"),
        ("not a Kubernetes object", "not Kubernetes objects"),
    ):
        if marker in text:
            return words
    return clip(text, 80)


def skipped_summary(report: FileReport) -> str | None:
    """One warning for everything in the directories that was not a manifest."""
    parts: list[str] = []
    if report.not_manifests:
        by_reason: dict[str, list[str]] = {}
        for path, why in report.not_manifests.items():
            by_reason.setdefault(why, []).append(path)
        shown = []
        for why, files in sorted(by_reason.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:4]:
            example = files[0] + (f" and {len(files) - 1} more" if len(files) > 1 else "")
            shown.append(f"{why}: {example}")
        n = len(report.not_manifests)
        parts.append(
            f"{n} YAML/JSON file{'s' if n != 1 else ''} that {'are' if n != 1 else 'is'} not manifests ({'; '.join(shown)})"
        )
    if report.other_files:
        parts.append(
            f"{report.other_files} other file{'s' if report.other_files != 1 else ''} (not .yaml, .yml or .json: source, images, docs)"
        )
    if report.skipped:
        count = sum(report.skipped.values())
        names = sorted(report.skipped)
        shown_names = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        parts.append(f"{count} document{'s' if count != 1 else ''} that are not Kubernetes objects, in {shown_names}")
    return "skipped " + "; ".join(parts) if parts else None
