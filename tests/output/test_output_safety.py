"""-o never destroys: only a regular file is replaced, links are written through, devices and FIFOs
are written to directly, and the file is written only after everything else succeeded."""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from outcomes import AS_A_SHELL_WOULD, MAIN_CALL, invoke

import advisor.output.atomic as output_module


def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def test_dev_null_with_force_stays_a_device(capsys) -> None:
    # As root, the rename made /dev/null a regular file.
    for args in (["--force"], []):
        outcome = invoke(capsys, "cost", "-o", "/dev/null", "--format", "json", *args)
        assert outcome.rc == 0, str(outcome)
        assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert not [n for n in os.listdir("/dev") if n.startswith(".null.")]


@pytest.mark.slow
def test_dev_stdout_gets_the_document(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "advisor", "cost", "-o", "/dev/stdout", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["options"]
    assert "Wrote /dev/stdout (JSON)." in proc.stderr


def test_a_symlink_is_written_through_and_stays_a_link(capsys, tmp_path: Path) -> None:
    target = tmp_path / "real.json"
    target.write_text("old")
    target.chmod(0o640)
    link = tmp_path / "link.json"
    link.symlink_to(target)
    refused = invoke(capsys, "cost", "-o", str(link))
    assert refused.rc == 2 and "file exists; pass --force" in refused.err
    assert target.read_text() == "old"
    outcome = invoke(capsys, "cost", "-o", str(link), "--force")
    assert outcome.rc == 0, str(outcome)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert json.loads(target.read_text())["options"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert _leftovers(tmp_path) == []


def test_a_dangling_symlink_is_refused_even_with_force(capsys, tmp_path: Path) -> None:
    # It was replaced by a regular file, even without --force.
    link = tmp_path / "out.toml"
    link.symlink_to(tmp_path / "missing" / "x.toml")
    for extra in ([], ["--force"]):
        outcome = invoke(capsys, "cost", "-o", str(link), *extra)
        assert outcome.rc == 2 and "a symbolic link to a file that does not exist" in outcome.err, str(outcome)
        assert outcome.out == ""
    assert link.is_symlink() and not (tmp_path / "missing").exists()


@pytest.mark.slow
def test_a_fifo_with_no_reader_is_refused_and_one_with_a_reader_is_written(capsys, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    start = time.perf_counter()
    outcome = invoke(capsys, "cost", "-o", str(fifo))
    assert outcome.rc == 2 and "nothing is reading" in outcome.err, str(outcome)
    assert time.perf_counter() - start < 5
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    time.sleep(0.3)  # let cat open its end
    outcome = invoke(capsys, "cost", "-o", str(fifo), "--format", "json")
    got = reader.communicate(timeout=30)[0]
    assert outcome.rc == 0, str(outcome)
    assert json.loads(got)["options"]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_socket_is_refused(capsys, tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(path))
        outcome = invoke(capsys, "cost", "-o", str(path), "--force")
    finally:
        sock.close()
    assert outcome.rc == 2 and "is a socket" in outcome.err
    assert stat.S_ISSOCK(os.lstat(path).st_mode)


def test_a_trailing_slash_is_refused(capsys, tmp_path: Path) -> None:
    # `-o x.toml/` wrote x.toml.
    outcome = invoke(capsys, "cost", "-o", str(tmp_path / "x.toml") + "/")
    assert outcome.rc == 2 and "ends in '/'" in outcome.err
    assert list(tmp_path.iterdir()) == []


def test_the_file_is_written_after_the_table(capsys, tmp_path: Path, monkeypatch) -> None:
    # Ctrl-C while the table was drawn exited 130 with "nothing saved" while the file existed.
    import advisor.output.formats as formats

    out = tmp_path / "r.toml"

    def interrupted(result, console):
        raise KeyboardInterrupt

    monkeypatch.setattr(formats, "render_table", interrupted)
    outcome = invoke(capsys, "recommend", "-o", str(out))
    assert outcome.rc == 130 and "Interrupted; nothing saved." in outcome.err
    assert list(tmp_path.iterdir()) == []


def test_an_interrupt_after_saving_says_the_file_was_saved(capsys, tmp_path: Path, monkeypatch) -> None:
    from advisor.environment import Environment

    out = tmp_path / "r.json"

    def note(self, message):
        raise KeyboardInterrupt  # Ctrl-C just after the rename, before "Wrote ..."

    monkeypatch.setattr(Environment, "note", note)
    output_module._SAVED.clear()
    outcome = invoke(capsys, "recommend", "-o", str(out), "--format", "json")
    output_module._SAVED.clear()
    assert outcome.rc == 130
    assert f"Interrupted; {out} was saved." in outcome.err and "nothing saved" not in outcome.err
    assert json.loads(out.read_text())["recommendation"]


def test_a_reader_gone_from_the_table_still_gets_the_file_saved(capsys, tmp_path: Path, monkeypatch) -> None:
    import advisor.output.formats as formats

    out = tmp_path / "c.toml"

    def broken(result, console):
        raise BrokenPipeError

    monkeypatch.setattr(formats, "render_table", broken)
    outcome = invoke(capsys, "cost", "-o", str(out))
    assert outcome.rc == 0
    assert "[options" in out.read_text()


SLOW_FSYNC = (
    AS_A_SHELL_WOULD  # an inherited SIG_IGN is kept on purpose by mesh-advisor (nohup): not this test's subject
    + "import os, time\n"
    "real = os.fsync\n"
    "def slow(fd):\n"
    "    time.sleep(30)\n"
    "    real(fd)\n"
    "os.fsync = slow\n" + MAIN_CALL
)


@pytest.mark.parametrize("signame, code", [("SIGINT", 130), ("SIGTERM", 143), ("SIGHUP", 129)])
@pytest.mark.slow
def test_a_signal_during_a_slow_fsync_leaves_no_temporary_file(tmp_path: Path, signame: str, code: int) -> None:
    out = tmp_path / "out.toml"
    proc = subprocess.Popen(
        [sys.executable, "-c", SLOW_FSYNC, "cost", "-o", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    deadline = time.monotonic() + 30
    while not _leftovers(tmp_path):
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.02)
    proc.send_signal(getattr(signal, signame))
    _, err = proc.communicate(timeout=60)  # longer than the fsync's 30 s: a lost signal fails below, not here
    assert proc.returncode == code, err
    assert "Interrupted; nothing saved." in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []
