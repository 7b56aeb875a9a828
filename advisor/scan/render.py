"""Kustomize build roots and Helm charts in a scanned directory, rendered as a cluster would get them.

A directory holding a kustomization is rendered with `kubectl kustomize DIR` (built into kubectl,
offline when its resources are local); a chart (Chart.yaml) with `helm template DIR` when helm is
on PATH. Their sources are never read again as files: a kustomize base or an unrendered template is
not what a cluster holds. Without the tool, or when the render fails, the directory is skipped with
a note that gives the command to run. Each render is one bounded call (process.Calls): its own
process group, the scan's --timeout as its deadline, its output capped.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Any, Iterator

from advisor.errors import clip
from advisor.scan.files import FileReport, ScanInputError, _read_stream
from advisor.scan.process import CallCancelled, Calls, CallTimeout, CallTooLarge

MAX_RENDER_BYTES = 256 << 20  # what one render may print (read as YAML, which is parsed whole)

TOOLS = {
    "kustomize": ("kubectl", ("kustomize",), "kubectl kustomize {dir} | mesh-advisor scan -"),
    "helm": ("helm", ("template", "mesh-advisor-scan"), "helm template RELEASE {dir} -f VALUES | mesh-advisor scan -"),
}
WHAT = {"kustomize": "a Kustomize build root", "helm": "a Helm chart"}


def render(directory: str, how: str, report: FileReport) -> Iterator[tuple[dict[str, Any], str]]:
    program, args, command = TOOLS[how]
    label = f"{directory} ({program} {args[0]})"
    found = shutil.which(program)
    if found is None:
        report.notes.append(
            f"{directory}: {WHAT[how]}, not read: {program} is not on PATH; render it yourself: "
            + command.format(dir=directory)
        )
        return
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        try:
            rc = Calls().run([found, *args, os.path.abspath(directory)], out, err, report.timeout_s, MAX_RENDER_BYTES)
        except CallTimeout:
            report.notes.append(
                f"{directory}: {WHAT[how]}, not read: {program} {args[0]} did not finish within {report.timeout_s:g}s; "
                "render it yourself: " + command.format(dir=directory)
            )
            return
        except CallTooLarge:
            report.notes.append(
                f"{directory}: {WHAT[how]}, not read: it renders to more than {MAX_RENDER_BYTES >> 20} MiB"
            )
            return
        except CallCancelled:
            raise KeyboardInterrupt from None
        except OSError as exc:
            report.notes.append(f"{directory}: {WHAT[how]}, not read: cannot run {program}: {exc.strerror or exc}")
            return
        if rc != 0:
            err.seek(0)
            first = next((line for line in err.read(4096).decode("utf-8", "replace").splitlines() if line.strip()), "")
            why = (
                "a resource it names is remote or missing"
                if "accumulat" in first or "no such file" in first
                else "it failed"
            )
            report.notes.append(
                f"{directory}: {WHAT[how]}, not read: {program} {args[0]} exited {rc} ({why}: "
                f"{clip(''.join(c if c.isprintable() else '?' for c in first), 120)}); render it yourself: "
                + command.format(dir=directory)
            )
            return
        out.seek(0)
        report.files.append(label)
        report.rendered.append(label)
        try:
            yield from _read_stream(out, label, False, True, False, report)  # type: ignore[arg-type]
        except ScanInputError as exc:
            report.notes.append(f"{directory}: {WHAT[how]}, not read: its rendered output did not parse ({exc})")
