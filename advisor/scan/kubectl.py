"""The live cluster, through kubectl itself: it brings every auth plugin and context a user already has.

One `kubectl api-resources` (discovery) and one `kubectl get RESOURCE -o json --chunk-size=500` per
resource the scan uses, a few at a time. Each get writes to a temporary file that is then streamed
like any dump, so a 50,000-pod cluster never sits in memory whole. A forbidden resource (RBAC) is a
warning naming the resource, the verb and what could not be inferred; the scan is then marked
incomplete. kubectl missing, failing, hanging or pointed at an unknown context stops the scan with
one line (exit 2) and nothing is written.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Mapping

from advisor import __version__
from advisor.errors import UserError, clip
from advisor.scan.files import FileReport, _JsonStream, _objects
from advisor.scan.infer import Scanner
from advisor.scan.names import check_live_names
from advisor.scan.process import CallCancelled, Calls, CallTimeout, CallTooLarge, results
from advisor.scan.result import ScanResult, Traffic, build, hasher

PARALLEL = 4
MAX_OUTPUT_BYTES = 4 << 30  # one get's JSON on disk; past it the call is killed (a 50,000-pod dump is ~0.8 GiB)
MAX_SMALL_OUTPUT_BYTES = 16 << 20  # discovery and current-context, read into memory
MAX_STDERR_BYTES = 64 << 10  # what is read of kubectl's stderr (it is summarised, never kept)

# (resource, group, what the scan infers from it): the built-in kinds the scan always reads.
BUILTIN: tuple[tuple[str, str, str], ...] = (
    ("namespaces", "", "namespace mesh labels (istio-injection, istio.io/dataplane-mode, linkerd.io/inject)"),
    ("nodes", "", "the node count, allocatable CPU and memory, zones and the platform"),
    ("pods", "", "pods per namespace and which mesh runs them"),
    ("services", "", "the L7 share estimated from Service ports"),
    ("endpointslices", "discovery.k8s.io", "endpoint counts"),
)
SECRETS_SELECTOR = "istio/multiCluster=true"
_NOT_FOUND = ("the server doesn't have a resource type", "the server could not find the requested resource", "NotFound")
_RESOURCE_NAME = re.compile(r"^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$")


class KubectlError(UserError):
    """kubectl is missing, failed, hung, or was pointed at a context that does not exist."""


@dataclass
class Kubectl:
    context: str | None = None
    kubeconfig: str | None = None
    timeout: float = 60.0  # each call's deadline, end to end (a paged get included)
    binary: str | None = None
    env: Mapping[str, str] | None = None
    calls: list[list[str]] = field(default_factory=list)
    running: Calls = field(default_factory=Calls)

    def path(self) -> str:
        found = self.binary or shutil.which("kubectl", path=(self.env or os.environ).get("PATH"))
        if not found:
            raise KubectlError(
                "kubectl not found on PATH; install kubectl (https://kubernetes.io/docs/tasks/tools/) "
                "or scan files instead: mesh-advisor scan FILE_OR_DIR (e.g. kubectl get pods,services -A -o json > dump.json)"
            )
        return found

    def args(self, *rest: str) -> list[str]:
        """Every value in `--flag=VALUE` form: a value that starts with `-` is never read as a flag."""
        out = [self.path()]
        if self.kubeconfig:
            out.append(f"--kubeconfig={self.kubeconfig}")
        if self.context:
            out.append(f"--context={self.context}")
        out.append(f"--request-timeout={max(1, int(self.timeout))}s")
        return out + list(rest)

    def run_to(self, stdout: Any, *rest: str) -> tuple[int, str]:
        """One call with its output in `stdout` (a file); (exit code, stderr text)."""
        argv = self.args(*rest)
        self.calls.append(argv)
        what = " ".join(a for a in rest[:2] if not a.startswith("-"))
        with tempfile.TemporaryFile() as err_fh:
            try:
                rc = self.running.run(
                    argv,
                    stdout,
                    err_fh,
                    self.timeout,
                    MAX_SMALL_OUTPUT_BYTES if rest[:1] != ("get",) else MAX_OUTPUT_BYTES,
                    env=self.env,
                )
            except OSError as exc:
                raise KubectlError(f"cannot run kubectl ({argv[0]}): {exc.strerror or exc}") from None
            except CallTimeout:
                raise KubectlError(
                    f"kubectl {what} did not finish within --timeout {self.timeout:g}s (the deadline of each call, "
                    "paging and credential plugins included); is the cluster reachable? (--timeout to wait longer)"
                ) from None
            except CallTooLarge:
                cap = MAX_SMALL_OUTPUT_BYTES if rest[:1] != ("get",) else MAX_OUTPUT_BYTES
                raise KubectlError(
                    f"kubectl {what} wrote more than {cap >> 20} MiB; stopped. Scan a dump instead "
                    "(kubectl get ... -o json > dump.json; mesh-advisor scan dump.json), or limit it with --namespace"
                ) from None
            except CallCancelled:
                raise KeyboardInterrupt from None
            err_fh.seek(0)
            err = err_fh.read(MAX_STDERR_BYTES).decode("utf-8", "replace")
        return rc, err

    def run(self, *rest: str) -> tuple[int, bytes, str]:
        """A small call (discovery, the current context) read into memory."""
        with tempfile.TemporaryFile() as out_fh:
            rc, err = self.run_to(out_fh, *rest)
            out_fh.seek(0)
            out = out_fh.read(MAX_SMALL_OUTPUT_BYTES + 1)
        return rc, out, err

    def current_context(self) -> str | None:
        if self.context:
            return self.context
        rc, out, err = self.run("config", "current-context")
        if rc != 0:
            raise KubectlError(
                f"kubectl has no current context ({_first_line(err)}); pass --context NAME or --kubeconfig FILE"
            )
        return out.decode("utf-8", "replace").strip() or None


_SECRETISH = (
    (re.compile(r"(?i)(://)[^/@\s:]+:[^/@\s]*@"), r"\1***:***@"),
    (re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"), r"\1***"),
    (re.compile(r"(?i)((?:token|password|secret)[\"']?\s*[=:]\s*[\"']?)[^\s\"',]+"), r"\1***"),
)


def _first_line(text: str) -> str:
    """kubectl's complaint for a message on stderr: its first line, clipped, credentials masked."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    line = lines[0] if lines else "no message"
    for pattern, repl in _SECRETISH:
        line = pattern.sub(repl, line)
    line = "".join(c if c.isprintable() else "?" for c in line)
    return clip(line.removeprefix("error: ").removeprefix("Error from server "), 300)


def _summary(err: str) -> str:
    """What kubectl's stderr says, as a category: for files, where its own words never go."""
    if "NotFound" in err or "could not find the requested resource" in err or "doesn't have a resource type" in err:
        return "not found (404)"
    if "Forbidden" in err or "forbidden" in err:
        return "forbidden (403)"
    if "Unauthorized" in err:
        return "unauthorized (401)"
    if "timeout" in err.lower() or "deadline" in err:
        return "timed out"
    return "failed"


def _fatal(err: str, what: str, k: Kubectl) -> KubectlError:
    """kubectl's complaint that means the whole scan cannot go on, in one line."""
    line = _first_line(err)
    if "context" in err and "does not exist" in err:
        name = k.context or "the current context"
        return KubectlError(f"--context {name}: no such context in the kubeconfig ({line})")
    if "Timeout exceeded" in err or "timeout" in err.lower() and "connection refused" not in err or "deadline" in err:
        return KubectlError(f"the API server did not answer {what} in time: {line} (--timeout to wait longer)")
    if "connection refused" in err or "no such host" in err or "Unable to connect" in err or "dial tcp" in err:
        return KubectlError(f"cannot reach the cluster's API server: {line}")
    if "Unauthorized" in err or "You must be logged in" in err:
        return KubectlError(f"the API server refused the credentials: {line}")
    return KubectlError(f"kubectl {what} failed: {line}")


_FORBIDDEN = re.compile(
    r'cannot (\w+) resource "([^"]+)" in API group "([^"]*)"(?: in the namespace "([^"]*)"| at the cluster scope)?'
)


def _forbidden(err: str, resource: str, group: str, infers: str, hide: Any = str) -> str | None:
    if "Forbidden" not in err and "forbidden" not in err:
        return None
    m = _FORBIDDEN.search(err)
    verb, res, grp, ns = (m.group(1), m.group(2), m.group(3), m.group(4)) if m else ("list", resource, group, None)
    scope = f'in namespace "{hide(clip(ns, 63))}"' if ns else "at the cluster scope"
    return f'RBAC: cannot {verb} {res} (API group "{grp}") {scope}; not inferred: {infers}'


def discover(k: Kubectl) -> tuple[set[str], list[str]]:
    """`plural.group` (or `plural` for the core group) of every served resource, and discovery warnings."""
    rc, out, err = k.run("api-resources", "-o", "name")
    lines = [line.strip() for line in out.decode("utf-8", "replace").splitlines() if line.strip()]
    names = {line for line in lines if _RESOURCE_NAME.match(line)}
    warnings: list[str] = []
    if rc != 0:
        if not names:
            raise _fatal(err, "api-resources (discovery)", k)
        groups = sorted(set(re.findall(r"([a-z0-9.-]+/v[0-9a-z]+)", err)))
        shown = ", ".join(groups) if groups else _summary(err)
        warnings.append(f"discovery: some API groups did not answer ({shown}); resources in them were not read")
    elif not names:
        # Exit 0 with nothing usable is not an empty cluster: every cluster serves namespaces and pods.
        said = "printed nothing" if not lines else "printed no resource names"
        raise KubectlError(
            f"kubectl api-resources exited 0 but {said}; expected one resource name a line "
            "(is `kubectl` a wrapper? try `kubectl api-resources -o name` yourself)"
        )
    return names, warnings


@dataclass(frozen=True)
class Request:
    resource: str  # "pods" or "virtualservices.networking.istio.io"
    group: str
    infers: str
    namespaced: bool = True
    selector: str | None = None
    names_only: bool = False  # secrets: ask the server for a Table, so no secret data is sent


def plan_requests(available: set[str], signals: Any) -> list[Request]:
    reqs: list[Request] = []
    for plural, group, infers in BUILTIN:
        name = f"{plural}.{group}" if group else plural
        if name in available or plural in available:
            reqs.append(Request(name, group, infers, namespaced=plural not in ("namespaces", "nodes")))
    if "endpointslices.discovery.k8s.io" not in available and "endpoints" in available:
        reqs.append(Request("endpoints", "", "endpoint counts"))
    by_resource: dict[tuple[str, str], list[str]] = {}
    kinds = {(kind, group): plural for kind, group, plural in signals.resources}
    for sig in signals.signals:
        for group in sig.groups:
            plural = kinds.get((sig.kind, group))
            if plural:
                by_resource.setdefault((plural, group), []).append(sig.id)
    for (plural, group), ids in sorted(by_resource.items()):
        name = f"{plural}.{group}"
        if name in available:
            reqs.append(
                Request(
                    name, group, f"capabilities from {plural} ({', '.join(ids[:4])}{', ...' if len(ids) > 4 else ''})"
                )
            )
    if "secrets" in available:
        reqs.append(
            Request(
                "secrets",
                "",
                "Istio multicluster (remote secrets labelled istio/multiCluster=true)",
                selector=SECRETS_SELECTOR,
                names_only=True,
            )
        )
    return reqs


def _get(k: Kubectl, req: Request, namespace: str | None, tmpdir: str) -> tuple[Request, str, int, str]:
    """Run one get into a file; returns (request, file, exit code, stderr)."""
    args = ["get", req.resource]
    if req.namespaced:
        args.append(f"--namespace={namespace}" if namespace else "--all-namespaces")
    if req.selector:
        args.append(f"--selector={req.selector}")
    if req.names_only:
        # kubectl's own table: the API server prints it (NAME, TYPE, DATA count, AGE), so secret
        # values are never sent, to kubectl or to us.
        args += ["--no-headers"]
    else:
        args += ["--output=json", "--chunk-size=500"]
    if namespace and not req.namespaced and req.resource == "namespaces":
        args += ["--", namespace]  # after `--`: a name, whatever it starts with
    fd, path = tempfile.mkstemp(prefix="scan-", suffix=".json", dir=tmpdir)
    with os.fdopen(fd, "wb") as fh:
        rc, err = k.run_to(fh, *args)
    return req, path, rc, err


def _run_all(k: Kubectl, jobs: list[tuple[Request, str | None]], tmpdir: str) -> list[tuple[Request, str, int, str]]:
    """The gets, PARALLEL at a time. On Ctrl-C (or a fatal error in one) every running kubectl's
    process group is killed, so nothing waits for calls already running."""
    pool = ThreadPoolExecutor(max_workers=PARALLEL)
    try:
        futures = [pool.submit(_get, k, req, ns, tmpdir) for req, ns in jobs]
        return results(futures)  # waits in short steps: a Ctrl-C is seen at once
    except BaseException:
        k.running.cancel()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def scan_live(
    ctx: Any,
    k: Kubectl,
    namespaces: list[str],
    traffic: Mapping[str, Traffic] | None = None,
    warnings: list[str] | None = None,
    scanner: Scanner | None = None,  # `check` passes one that also keeps the objects
) -> ScanResult:
    check_live_names(k.context, k.kubeconfig, namespaces)  # every caller: scan, check
    context = k.current_context()
    available, notes = discover(k)
    notes = list(warnings or []) + notes
    reqs = plan_requests(available, ctx.signals)
    scanner = scanner or Scanner(ctx.signals)
    complete = not notes or all(not n.startswith("discovery:") for n in notes)
    jobs: list[tuple[Request, str | None]] = []
    for req in reqs:
        if namespaces and (req.namespaced or req.resource == "namespaces"):
            jobs.extend((req, ns) for ns in namespaces)
        else:
            jobs.append((req, None))
    with tempfile.TemporaryDirectory(prefix="mesh-advisor-scan-") as tmpdir:
        done = _run_all(k, jobs, tmpdir)
        forbidden_seen: set[str] = set()
        for req, path, rc, err in done:
            if rc != 0:
                refused = _forbidden(err, req.resource.split(".")[0], req.group, req.infers, hasher(ctx.hide_names))
                if refused is not None:
                    if refused not in forbidden_seen:
                        forbidden_seen.add(refused)
                        notes.append(refused)
                    complete = False
                    continue
                if any(s in err for s in _NOT_FOUND):
                    notes.append(
                        f"{req.resource}: listed by discovery but not served ({_summary(err)}); not inferred: {req.infers}"
                    )
                    complete = False
                    continue
                raise _fatal(err, f"get {req.resource}", k)
            if req.names_only:
                _secret_rows(path, scanner)
                continue
            with open(path, "rb") as fh:
                head = fh.read(65536)
                if not head.strip():
                    raise KubectlError(
                        f"kubectl get {req.resource} exited 0 but printed nothing; expected a JSON List "
                        "(is `kubectl` a wrapper? try the command yourself with -o json)"
                    )
                report = FileReport()
                for value in _JsonStream(fh, head, f"kubectl get {req.resource}").values():
                    for obj, _ in _objects(value, f"kubectl get {req.resource}", False, report):
                        scanner.add(obj)
    hide = hasher(ctx.hide_names)
    meta = {
        "tool": "mesh-advisor",
        "tool_version": _version(),
        "generated_at": ctx.generated_at,
        "source": "kubectl",
        "context": hide(context) if context else None,
    }
    if namespaces:
        meta["namespaces"] = [hide(ns) for ns in namespaces]
    return build(
        scanner,
        meta={k2: v for k2, v in meta.items() if v is not None},
        feature_ids=ctx.feature_ids,
        answer_keys=ctx.answer_keys,
        warnings=notes,
        complete=complete,
        traffic=traffic,
        hide_names=ctx.hide_names,
    )


def _secret_rows(path: str, scanner: Scanner) -> None:
    """`NAMESPACE NAME TYPE DATA AGE` rows (no secret data was requested) as label-only Secret objects."""
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            parts = line.split(None, 2)
            if len(parts) < 2:
                continue
            scanner.add(
                {
                    "apiVersion": "v1",
                    "kind": "Secret",
                    "metadata": {"namespace": parts[0], "name": parts[1], "labels": {"istio/multiCluster": "true"}},
                }
            )


def _version() -> str:
    return __version__
