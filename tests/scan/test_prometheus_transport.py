"""The Prometheus transport against loopback servers that misbehave on purpose: one deadline per
query in all, a size cap, credentials sent as headers and never shown, malformed answers refused
with one line (exit 2)."""

from __future__ import annotations

import base64
import json
import socket
import threading
import time
from pathlib import Path
from typing import Callable

import pytest

FIX = Path(__file__).parent.parent / "fixtures" / "scan" / "bookinfo"


class Loopback:
    """A TCP server on 127.0.0.1 that hands each connection to `handle(conn, request_bytes)`."""

    def __init__(self, handle: Callable[[socket.socket, bytes], None]) -> None:
        self.handle = handle
        self.requests: list[bytes] = []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.02)  # how often the accept loop looks at `stop`: close() waits no longer
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            threading.Thread(target=self.one, args=(conn,), daemon=True).start()

    def one(self, conn: socket.socket) -> None:
        conn.settimeout(5)
        data = b""
        try:
            while b"\r\n\r\n" not in data and len(data) < 65536:
                chunk = conn.recv(4096)
                if not chunk:
                    break
                data += chunk
            self.requests.append(data)
            self.handle(conn, data)
        except OSError:
            pass
        finally:
            conn.close()

    def close(self) -> None:
        self.stop.set()
        self.thread.join(2)
        self.sock.close()


def answer(body: bytes | str, status: str = "200 OK", headers: str = "") -> Callable[[socket.socket, bytes], None]:
    raw = body.encode() if isinstance(body, str) else body

    def handle(conn: socket.socket, _: bytes) -> None:
        conn.sendall(
            f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {len(raw)}\r\n{headers}"
            "Connection: close\r\n\r\n".encode()
            + raw
        )

    return handle


@pytest.fixture
def server():
    made: list[Loopback] = []

    def start(handle: Callable[[socket.socket, bytes], None]) -> Loopback:
        s = Loopback(handle)
        made.append(s)
        return s

    yield start
    for s in made:
        s.close()


EMPTY = json.dumps({"status": "success", "data": {"resultType": "vector", "result": []}})


def scan(cli, url: str, *extra: str, timeout: str = "2s") -> tuple[int, str, str]:
    return cli(
        "scan", str(FIX / "platform.yaml"), "--prometheus", url, "--timeout", timeout, "--format", "json", *extra
    )


@pytest.mark.slow
def test_a_dripping_prometheus_ends_within_the_deadline(cli, server) -> None:
    def drip(conn: socket.socket, _: bytes) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n")
        for _ in range(400):  # one byte every 0.5 s: 200 s in all, were it waited for
            conn.sendall(b" ")
            time.sleep(0.5)

    s = server(drip)
    start = time.monotonic()
    rc, _, err = scan(cli, s.url, timeout="1s")
    took = time.monotonic() - start
    assert rc == 2 and "no complete answer within 1s" in err, err
    assert took < 2.5, took  # the 1 s deadline, plus reading the manifest and the catalog on a busy machine


@pytest.mark.slow
def test_a_server_that_never_sends_headers_ends_within_the_deadline(cli, server) -> None:
    def silent(conn: socket.socket, _: bytes) -> None:
        for _ in range(100):
            conn.sendall(b"X-Drip: 1\r\n" if _ else b"HTTP/1.1 200 OK\r\n")
            time.sleep(0.5)

    s = server(silent)
    start = time.monotonic()
    rc, _, err = scan(cli, s.url, timeout="1s")
    assert rc == 2 and "within 1s" in err, err
    assert time.monotonic() - start < 2.5


def test_user_and_password_in_the_url_go_as_basic_auth_and_are_never_shown(cli, server, tmp_path) -> None:
    s = server(answer(EMPTY))
    url = s.url.replace("http://", "http://ops:s3cr3t-pa55@")
    out = tmp_path / "cluster.toml"
    rc, stdout, err = cli("scan", str(FIX / "platform.yaml"), "--prometheus", url, "--timeout", "2s", "-o", str(out))
    assert rc == 0, err
    sent = b"".join(s.requests)
    assert b"Authorization: Basic " + base64.b64encode(b"ops:s3cr3t-pa55") in sent
    assert b"s3cr3t" not in sent.split(b"Authorization")[0]  # not in the request line
    text = out.read_text()
    assert "s3cr3t" not in text + stdout + err
    assert f"http://ops:***@127.0.0.1:{s.url.rsplit(':', 1)[1]}" in text  # the note names it, redacted


def test_the_password_is_not_in_an_error_line(cli, server) -> None:
    s = server(answer('{"status": "error", "error": "bad"}', status="401 Unauthorized"))
    url = s.url.replace("http://", "http://ops:s3cr3t-pa55@")
    rc, out, err = scan(cli, url)
    assert rc == 2 and err.startswith("mesh-advisor: --prometheus http://ops:***@127.0.0.1:") and "401" in err, err
    assert "s3cr3t" not in out + err
    # unreachable: the same
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    rc, out, err = scan(cli, f"http://ops:s3cr3t-pa55@127.0.0.1:{port}")
    assert rc == 2 and "cannot reach Prometheus" in err and "s3cr3t" not in out + err


def test_a_bearer_token_from_a_file_or_the_environment(cli, server, tmp_path, monkeypatch) -> None:
    s = server(answer(EMPTY))
    token = tmp_path / "token"
    token.write_text("tok-123-secret\n")
    rc, out, err = scan(cli, s.url, "--prometheus-token-file", str(token))
    assert rc == 0, err
    assert b"Authorization: Bearer tok-123-secret\r\n" in s.requests[-1]
    assert "tok-123" not in out + err
    monkeypatch.setenv("MESH_ADVISOR_PROMETHEUS_TOKEN", "env-tok-456")
    rc, out, err = scan(cli, s.url)
    assert rc == 0 and b"Authorization: Bearer env-tok-456\r\n" in s.requests[-1]
    assert "env-tok" not in out + err
    rc, _, err = scan(cli, s.url.replace("http://", "http://a:b@"), "--prometheus-token-file", str(token))
    assert rc == 2 and "both given; give one" in err and "tok-123" not in err


def test_hide_names_hashes_the_prometheus_url(cli, server) -> None:
    s = server(answer(EMPTY))
    rc, out, err = scan(cli, s.url.replace("http://", "http://ops:pw@"), "--hide-names")
    assert rc == 0, err
    assert "127.0.0.1" not in out and "ops" not in json.dumps(json.loads(out)["scan"]["warnings"])


MALFORMED = [
    ('{"status": "success", "data": [1, 2]}', "data.result is not an instant vector"),
    ('{"status": "success", "data": {"resultType": "vector", "result": [1, 2]}}', "data.result[0] is not a sample"),
    (
        '{"status": "success", "data": {"resultType": "vector", "result": [{"metric": {}, "value": {}}]}}',
        "data.result[0] is not a sample",
    ),
    (
        '{"status": "success", "data": {"resultType": "vector", "result": [{"metric": "x", "value": [0, "1"]}]}}',
        "data.result[0] is not a sample",
    ),
    (
        '{"status": "success", "data": {"resultType": "vector", "result": [{"metric": {}, "value": [0]}]}}',
        "data.result[0] is not a sample",
    ),
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ('{"status": "error", "error": {"nested": [1]}}', "query failed"),
    (b"\xff\xfe not json", "not a Prometheus API answer"),
]


@pytest.mark.parametrize("body, message", MALFORMED, ids=range(len(MALFORMED)))
def test_malformed_prometheus_answers_exit_2(cli, server, body, message) -> None:
    s = server(answer(body))
    rc, out, err = scan(cli, s.url)
    assert rc == 2 and message in err, err
    assert err.count("\n") == 1 and out == "" and "Traceback" not in err


def test_more_than_100_headers_exit_2(cli, server) -> None:
    s = server(answer(EMPTY, headers="".join(f"X-H{i}: {i}\r\n" for i in range(150))))
    rc, _, err = scan(cli, s.url)
    assert rc == 2 and "not an HTTP answer Prometheus gives" in err, err


def test_an_answer_past_the_size_cap_is_refused(cli, server, monkeypatch) -> None:
    from advisor.scan import prometheus

    monkeypatch.setattr(prometheus, "MAX_RESPONSE_BYTES", 1000)
    s = server(answer(" " * 5000 + EMPTY))
    rc, _, err = scan(cli, s.url)
    assert rc == 2 and "an answer larger than" in err, err


def test_rates_beyond_any_mesh_are_left_out_not_written_as_infinity(cli, server) -> None:
    huge = {"metric": {"destination_workload_namespace": "default"}, "value": [0, "1.7e308"]}
    doc = {"status": "success", "data": {"resultType": "vector", "result": [huge, huge]}}
    s = server(answer(json.dumps(doc)))
    rc, out, err = scan(cli, s.url)
    assert rc == 0, err
    assert "Infinity" not in out and "NaN" not in out
    parsed = json.loads(out)
    assert any("left out" in w for w in parsed["scan"]["warnings"])
