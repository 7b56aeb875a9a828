"""A live scan that cannot be steered or stuck: names stay names, every call has a deadline, every
child is reaped, and Ctrl-C ends it within a second.

kubectl stand-ins (small shell scripts on PATH) provoke what a real cluster rarely does on demand:
a call that never returns, a child that keeps the output open, argv to inspect. The credential
plugin that never answers runs under the real kubectl against tests/kube_fixture.py.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from kube_fixture import FakeCluster, find_kubectl
from outcomes import AS_A_SHELL_WOULD, MAIN_CALL, RUN_MAIN

pytestmark = pytest.mark.slow  # each test starts processes and waits for deadlines (1-3 s)

EMPTY_LIST = '{"apiVersion":"v1","kind":"List","items":[]}'


def stand_in(tmp_path: Path, body: str) -> dict[str, str]:
    """A `kubectl` shell script first on PATH; the environment to run mesh-advisor with."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    script = bin_dir / "kubectl"
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith("KUBE")}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    env["LOG"] = str(tmp_path / "argv.log")
    env["PYTHONFAULTHANDLER"] = "1"  # a run that hangs is shown with its threads' stacks (communicate_or_dump)
    return env


LOGGING = (
    # one file per call: four calls run at once, and their lines must not interleave
    'for a in "$@"; do printf "%s\\n" "$a" >> "$LOG.$$"; done; printf "%s\\n" "--END--" >> "$LOG.$$"\n'
    'case "$*" in\n'
    '  *api-resources*) printf "namespaces\\npods\\nservices\\n" ;;\n'
    "  *current-context*) echo ctx ;;\n"
    f"  *) echo '{EMPTY_LIST}' ;;\n"
    "esac\n"
)


def communicate_or_dump(proc: subprocess.Popen, timeout: float) -> tuple[str, str]:
    """proc.communicate(timeout); past it, the Python stack of every thread (faulthandler, on SIGABRT)."""
    try:
        return proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGABRT)
        _, err = proc.communicate(timeout=10)
        pytest.fail(f"still running {timeout:g} s after the signal; its threads:\n{err}")


def mesh_advisor(env: dict[str, str], *args: str, timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "advisor", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def calls(log: Path) -> list[list[str]]:
    out: list[list[str]] = [[]]
    text = "".join(f.read_text() for f in sorted(log.parent.glob(log.name + ".*")) if f.suffix[1:].isdigit())
    for line in text.splitlines():
        if line == "--END--":
            out.append([])
        else:
            out[-1].append(line)
    return [c for c in out if c]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is dead for our purpose (no parent of ours is left to reap it here)
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def test_no_user_value_ever_reaches_kubectl_as_a_flag(tmp_path: Path) -> None:
    env = stand_in(tmp_path, LOGGING)
    hostile = "--server=https://127.0.0.1:9"
    r = mesh_advisor(env, "scan", "--context", hostile, "--format", "json")
    assert r.returncode == 0, r.stderr
    seen = calls(tmp_path / "argv.log")
    assert len(seen) >= 3  # discovery and the gets
    ours = ("--context=", "--request-timeout=", "--all-namespaces", "--output=json", "--chunk-size=", "--no-headers")
    for argv in seen:
        flags = [a for a in argv if a.startswith("-")]
        assert all(a.startswith(ours) or a == "-o" for a in flags), argv
        assert f"--context={hostile}" in argv and hostile not in argv  # never a word of its own
        assert "--server=https://127.0.0.1:9" not in argv


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["--namespace", "--server=https://127.0.0.1:9"],
            "--namespace '--server=https://127.0.0.1:9': not a namespace name",
        ),
        (["-n", "Shop"], "--namespace 'Shop': not a namespace name; expected a DNS-1123 label"),
        (["-n", "a" * 64], "not a namespace name"),
        (["--context", "a\nb"], "--context 'a\\nb': expected a context name from the kubeconfig"),
        (["--context", ""], "--context '': expected a context name"),
        (["--kubeconfig", "/nonexistent/kubeconfig"], "--kubeconfig '/nonexistent/kubeconfig': no such file"),
    ],
)
def test_bad_names_are_refused_before_any_process_starts(tmp_path: Path, args: list[str], message: str) -> None:
    env = stand_in(tmp_path, LOGGING)
    r = mesh_advisor(env, "scan", *args)
    assert r.returncode == 2 and message in r.stderr, r.stderr
    assert r.stderr.count("\n") == 1
    assert not list(tmp_path.glob("argv.log.*"))  # kubectl never ran


def test_namespace_names_are_passed_as_values(tmp_path: Path) -> None:
    env = stand_in(tmp_path, LOGGING)
    r = mesh_advisor(env, "scan", "--context=prod", "-n", "shop", "--format", "json")
    assert r.returncode == 0, r.stderr
    seen = calls(tmp_path / "argv.log")
    pods = next(a for a in seen if "pods" in a)
    assert "--namespace=shop" in pods
    ns_get = next(a for a in seen if a[:1] != ["api-resources"] and "namespaces" in a)
    assert ns_get[-2:] == ["--", "shop"]  # a name after `--`, never where a flag could be


def test_a_hanging_call_with_a_child_ends_at_the_deadline_and_leaves_no_process(tmp_path: Path) -> None:
    # kubectl starts a child that keeps stdout and stderr open, then never returns itself.
    env = stand_in(tmp_path, 'sleep 300 & echo $! > "$LOG.child"\nsleep 300\n')
    out = tmp_path / "x.toml"
    start = time.monotonic()
    r = mesh_advisor(env, "scan", "--context=prod", "--timeout", "1s", "-o", str(out))
    took = time.monotonic() - start
    assert r.returncode == 2 and "did not finish within --timeout 1s" in r.stderr, r.stderr
    assert took < 1 + 1 + 1.5, took  # the deadline, a second, and interpreter start-up
    assert not out.exists()
    assert not alive(int(Path(env["LOG"] + ".child").read_text()))


def test_a_child_left_holding_the_output_is_killed_when_kubectl_exits(tmp_path: Path) -> None:
    # kubectl answers and exits; the child it leaves keeps writing to the same output.
    body = (
        '( while :; do echo x; sleep 0.01; done ) & echo $! > "$LOG.child"\n'
        'case "$*" in *api-resources*) printf "namespaces\\npods\\n" ;; '
        f"*) echo '{EMPTY_LIST}' ;; esac\n"
    )
    env = stand_in(tmp_path, body)
    start = time.monotonic()
    r = mesh_advisor(env, "scan", "--context=prod", "--timeout", "2s", "--format", "json")
    assert time.monotonic() - start < 2 + 1 + 1.5
    assert r.returncode in (0, 2), r.stderr  # whatever it read, it read it and ended
    assert not alive(int(Path(env["LOG"] + ".child").read_text()))


def test_exit_0_with_nothing_printed_is_not_an_empty_cluster(tmp_path: Path) -> None:
    env = stand_in(tmp_path, 'case "$*" in *api-resources*) printf "namespaces\\npods\\n" ;; esac\nexit 0\n')
    r = mesh_advisor(env, "scan", "--context=prod", "--format", "json")
    assert r.returncode == 2 and "kubectl get namespaces exited 0 but printed nothing" in r.stderr, r.stderr
    env = stand_in(tmp_path, "echo '<html>login</html>'\n")
    r = mesh_advisor(env, "scan", "--context=prod", "--format", "json")
    assert r.returncode == 2 and "kubectl api-resources exited 0 but printed no resource names" in r.stderr


# Discovery answers; every get hangs with a child of its own.
HANGING_GETS = (
    'case "$*" in *api-resources*) printf "namespaces\\npods\\nservices\\nnodes\\n"; exit 0 ;; esac\n'
    'sleep 300 & echo $! >> "$LOG.children"\nsleep 300\n'
)


def scan_with_hanging_gets(tmp_path: Path, script: str) -> tuple[subprocess.Popen, Path, Path]:
    """`mesh-advisor scan -o x.toml` run by `script` (it starts as a shell would: outcomes.AS_A_SHELL_WOULD)
    against a kubectl whose gets never end; (the process, the output path, the file of the gets' children)."""
    env = stand_in(tmp_path, HANGING_GETS)
    out = tmp_path / "x.toml"
    proc = subprocess.Popen(
        [sys.executable, "-c", script, "scan", "--context=prod", "-o", str(out)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return proc, out, Path(env["LOG"] + ".children")


@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_a_signal_ends_a_live_scan_within_a_second(tmp_path: Path, sig: int, code: int) -> None:
    proc, out, children = scan_with_hanging_gets(tmp_path, RUN_MAIN)
    for _ in range(200):  # up to 10 s for the interpreter to start and the gets to begin
        if children.exists() and len(children.read_text().split()) >= 4:
            break
        time.sleep(0.05)
    else:
        proc.kill()
        pytest.fail("the gets never started")
    start = time.monotonic()
    proc.send_signal(sig)
    _, err = communicate_or_dump(proc, timeout=10)
    took = time.monotonic() - start
    # Not a timing test: the calls' deadline is --timeout (60 s by default), so any wait for a running
    # call would take a minute. Ending well before that proves nothing waits for them; on an idle machine
    # it takes under a second (measured in issue 23's note), and the bound leaves room for a loaded CI.
    assert took < 5.0, f"took {took:.2f} s"
    assert proc.returncode == code, err
    assert "Traceback" not in err and not out.exists()
    pids = [int(p) for p in children.read_text().split()]
    assert pids and not any(alive(p) for p in pids)


# The kernel may hand a process-directed signal to any thread, and Python runs the handler only when
# the main thread next runs Python code. Here Ctrl-C goes to a worker thread on purpose (it happened
# about once in 50 runs of the test above on a loaded machine): a main thread blocked on a lock without
# a bound would then sit until the calls' deadline, 60 s by default.
AIM_AT_A_WORKER = (
    AS_A_SHELL_WOULD
    + """
import os, signal, sys, threading, time
from pathlib import Path
children = Path(os.environ["LOG"] + ".children")
def aim():
    while not (children.exists() and len(children.read_text().split()) >= 4):
        time.sleep(0.02)
    worker = next(t for t in threading.enumerate() if t.name.startswith("ThreadPoolExecutor"))
    signal.pthread_kill(worker.ident, signal.SIGINT)
threading.Thread(target=aim, daemon=True).start()
"""
    + MAIN_CALL
)


def test_ctrl_c_delivered_to_a_worker_thread_still_ends_the_scan(tmp_path: Path) -> None:
    proc, out, children = scan_with_hanging_gets(tmp_path, AIM_AT_A_WORKER)
    # the calls' own deadline is 60 s: ending well before it means nothing waited for them
    _, err = communicate_or_dump(proc, timeout=30)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and not out.exists()
    pids = [int(p) for p in children.read_text().split()]
    assert pids and not any(alive(p) for p in pids)


def test_a_credential_plugin_that_never_answers_ends_at_the_deadline(tmp_path: Path, monkeypatch) -> None:
    kubectl = find_kubectl()
    if kubectl is None:
        if os.environ.get("CI", "").lower() == "true":
            raise RuntimeError("kubectl is missing in CI")
        pytest.skip("kubectl not installed")
    cluster = FakeCluster()
    cluster.start(tmp_path)
    try:
        plugin = tmp_path / "sso-login"
        plugin.write_text(f"#!/bin/sh\necho $$ > {tmp_path}/plugin.pid\nsleep 300\n")
        plugin.chmod(0o755)
        config = json.loads(cluster.kubeconfig.read_text())
        config["users"] = [
            {
                "name": "scanner",
                "user": {
                    "exec": {
                        "apiVersion": "client.authentication.k8s.io/v1",
                        "command": str(plugin),
                        "interactiveMode": "Never",
                    }
                },
            }
        ]
        # client-go runs exec plugins for TLS clusters: the plugin is asked before any connection
        for entry in config["clusters"]:
            entry["cluster"]["server"] = entry["cluster"]["server"].replace("http://", "https://")
            entry["cluster"]["insecure-skip-tls-verify"] = True
        cluster.kubeconfig.write_text(json.dumps(config))
        env = cluster.env()
        start = time.monotonic()
        r = mesh_advisor(env, "scan", "--timeout", "1s", "--format", "json")
        took = time.monotonic() - start
    finally:
        cluster.stop()
    assert r.returncode == 2 and "--timeout 1s" in r.stderr, r.stderr
    assert took < 1 + 1 + 1.5, took
    assert not alive(int((tmp_path / "plugin.pid").read_text()))


def test_check_live_refuses_a_hostile_namespace_before_kubectl_runs(tmp_path: Path) -> None:
    env = stand_in(tmp_path, LOGGING)
    r = mesh_advisor(env, "check", "--namespace", "--server=https://127.0.0.1:9")
    assert r.returncode == 2 and "not a namespace name; expected a DNS-1123 label" in r.stderr, r.stderr
    assert not list(tmp_path.glob("argv.log.*"))
