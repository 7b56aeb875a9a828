"""The GitHub Action's step (action.yml): run `mesh-advisor check` on a path, write SARIF for code scanning,
a job summary, and optionally the pull-request comment body (the plan or the decision record).

Runs anywhere (the test suite runs it): inputs come from INPUT_* environment variables, results go to the
files GitHub names in GITHUB_OUTPUT and GITHUB_STEP_SUMMARY (skipped when unset). The exit code of
`check` is written as the `exit-code` output and returned only with --exit, so the upload step can run
before the job fails.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

COMMENTS = ("none", "plan", "record")


def _input(name: str, default: str = "") -> str:
    return os.environ.get(f"INPUT_{name.upper().replace('-', '_')}", default).strip()


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    # the same interpreter that has mesh-advisor installed; no shell, every argument passed as is
    return subprocess.run([sys.executable, "-m", "advisor", *args], capture_output=True, text=True, timeout=900)


def _append(var: str, text: str) -> None:
    path = os.environ.get(var)
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(text)


def main(argv: list[str]) -> int:
    paths = _input("path", ".").split()
    fail_on = _input("fail-on", "error")
    sarif = _input("sarif-file", "mesh-advisor.sarif")
    comment = _input("comment", "none")
    if comment not in COMMENTS:
        print(f"mesh-advisor action: comment: expected one of {', '.join(COMMENTS)}, got {comment!r}", file=sys.stderr)
        return 2
    ran = _run(["check", *paths, "--fail-on", fail_on, "--format", "sarif", "-o", sarif, "--force"])
    if ran.returncode not in (0, 3):
        sys.stderr.write(ran.stderr)
        return ran.returncode
    doc = _run(["check", *paths, "--fail-on", fail_on, "--format", "json"])
    result = json.loads(doc.stdout)
    summary = _run(["check", *paths, "--fail-on", fail_on, "--format", "markdown"]).stdout
    _append("GITHUB_STEP_SUMMARY", summary + "\n")
    outputs = {
        "sarif-file": sarif,
        "exit-code": str(ran.returncode),
        "findings": str(len(result["findings"])),
        "errors": str(result["check"]["counts"]["error"]),
    }
    if comment != "none":
        body = Path(_input("comment-file", "mesh-advisor-comment.md"))
        answers = _input("answers")
        if not answers:
            print("mesh-advisor action: comment: needs the answers input (a scan or answers file)", file=sys.stderr)
            return 2
        args = ["recommend", answers] if comment == "record" else ["plan", answers, "--to", _input("to")]
        made = _run([*args, "--format", "markdown"])
        if made.returncode != 0:
            sys.stderr.write(made.stderr)
            return made.returncode
        body.write_text(made.stdout, encoding="utf-8")
        outputs["comment-file"] = str(body)
    _append("GITHUB_OUTPUT", "".join(f"{k}={v}\n" for k, v in outputs.items()))
    print(result["check"]["summary"])
    return ran.returncode if "--exit" in argv else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
