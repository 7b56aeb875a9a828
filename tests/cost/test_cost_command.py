"""`mesh-advisor cost`: the document's fields, the table at several widths, -o FILE, and bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from advisor.catalog.load import load_catalog
from outcomes import run_cli

GIB = 2**30
MB = 10**6
EXAMPLE = ["--pods", "1000", "--nodes", "50", "--namespaces", "10", "--mesh-rps", "500000", "--hops", "3"]


def cost_json(capsys, *args: str) -> dict:
    rc, out, err = run_cli("cost", *args, "--format", "json")
    assert rc == 0, err
    return json.loads(out)


def by_name(doc: dict, option: str) -> dict[str, dict]:
    return {c["id"]: c for c in doc["options"][option]["cost"]["components"]}


def close(x: float) -> object:
    # the document rounds vCPU and GiB to 4 decimals and money to cents
    return pytest.approx(x, abs=5e-3)


def test_worked_example_through_the_cli(capsys) -> None:
    doc = cost_json(capsys, *EXAMPLE, "--l7-ratio", "0.5")
    assert doc["schema_version"] == 1
    assert doc["meta"]["tool"] == "mesh-advisor" and doc["meta"]["data_version"]
    assert doc["answers"]["pods"] == 1000 and doc["answers"]["l7_ratio"] == 0.5
    assert set(doc["options"]) == set(load_catalog().option_ids)

    sidecar = by_name(doc, "istio-sidecar")["istio-proxy"]
    assert (sidecar["instances"], sidecar["containers_added"]) == (1000, 1000)
    assert sidecar["cpu_vcpu"] == close(1000 * 0.20)  # 2 x 500000 rps over 1000 proxies at 0.20 vCPU per 1000 rps
    # unscoped, each proxy holds the cluster's Service ports and endpoints. Services not given: derived,
    # 1000 pods x 0.5 services per pod x 1 port = 500 ports, plus istiod's 4. Envoy 60 MB + pilot-agent
    # 25 MB + 0.157 MB x 504 ports + 0.003 MB x 1000 endpoints = 167.128 MB
    assert sidecar["memory_gib"] == close(1000 * 167.128 * MB / GIB)
    assert sidecar["memory_mib_each"] == pytest.approx(167.128 / 1.048576, abs=0.05)
    assert sidecar["requests_cpu_vcpu"] == close(1000 * 0.1)
    assert sidecar["requests_memory_gib"] == close(1000 * 128 / 1024)

    proxy = by_name(doc, "linkerd")["linkerd-proxy"]
    assert proxy["cpu_vcpu"] == close(1000 * 0.1075)
    assert proxy["memory_gib"] == close(1000 * 10.1 * MB / GIB)
    assert by_name(doc, "linkerd")["linkerd-control-plane"]["containers_added"] == 8

    ambient = by_name(doc, "istio-ambient")
    assert ambient["ztunnel"]["instances"] == 50
    assert ambient["ztunnel"]["cpu_vcpu"] == close(1000 * 0.06)
    assert ambient["ztunnel"]["memory_gib"] == close(50 * 12 * MB / GIB)
    # 5 waypoint namespaces of 50000 L7 rps each, ceil(50000 / 8000) = 7 replicas each
    assert (ambient["waypoint"]["instances"], ambient["waypoint"]["handled_rps"]) == (35, 250_000)
    assert ambient["waypoint"]["cpu_vcpu"] == close(250 * 0.25)
    assert ambient["istio-cni"]["requests_cpu_vcpu"] == close(50 * 0.1)
    assert ambient["istio-cni"]["usage_known"] is False and ambient["istio-cni"]["cpu_vcpu"] == 0

    usage = doc["options"]["istio-sidecar"]["cost"]["usage"]
    assert usage["cpu_vcpu"] == close(201)
    # memory: 1000 x 167.128 MB sidecars + istiod's 1500 MB = 168,628 MB
    assert usage["monthly_usd"] == close((201 * 0.031611 + (168_628 * MB / GIB) * 0.004237) * 730)
    assert usage["monthly_usd_low"] <= usage["monthly_usd"] <= usage["monthly_usd_high"]
    requests = doc["options"]["istio-sidecar"]["cost"]["requests"]
    assert (requests["cpu_vcpu"], requests["memory_gib"]) == (close(100.5), close(127))
    assert requests["monthly_usd"] == close((100.5 * 0.031611 + 127 * 0.004237) * 730)
    assert doc["options"]["istio-ambient"]["cost"]["containers_added"] == 50 + 50 + 35 + 1

    latency = doc["options"]["istio-ambient"]["latency"]
    assert latency["per_hop_p90_ms"] == close(0.5 * 0.17 + 0.5 * 0.284)
    assert latency["end_to_end_p90_ms"] == close(3 * (0.5 * 0.17 + 0.5 * 0.284))
    assert "upper-bound estimate" in latency["estimate"]


def test_every_component_names_its_sources(capsys) -> None:
    doc = cost_json(capsys)
    for option in doc["options"].values():
        for c in option["cost"]["components"]:
            assert set(c) >= {
                "name",
                "instances",
                "containers_added",
                "cpu_vcpu",
                "memory_gib",
                "requests_cpu_vcpu",
                "requests_memory_gib",
                "source",
            }
            assert c["source"].strip(), c["name"]
        assert option["latency"]["source"].strip()


def test_prices_from_flags_reach_the_money(capsys) -> None:
    doc = cost_json(capsys, *EXAMPLE, "--l7-ratio", "0", "--cpu-price", "0.05", "--memory-price", "0.01")
    usage = doc["options"]["istio-sidecar"]["cost"]["usage"]
    # 168,628 MB: 1000 sidecars at 167.128 MB (see the worked example) + istiod's 1500 MB
    assert usage["monthly_usd"] == close((201 * 0.05 + (168_628 * MB / GIB) * 0.01) * 730)


def test_toml_carries_the_same_document(capsys) -> None:
    as_json = cost_json(capsys, *EXAMPLE)
    rc, out, _ = run_cli("cost", *EXAMPLE, "--format", "toml")
    assert rc == 0
    as_toml = tomllib.loads(out)
    for doc in (as_json, as_toml):
        doc["meta"].pop("generated_at")
    assert as_toml == as_json


def test_answers_file_feeds_cost(capsys, tmp_path: Path) -> None:
    answers = tmp_path / "answers.toml"
    answers.write_text("pods = 1000\nnodes = 50\nnamespaces = 10\nmesh_rps = 500000\nl7_ratio = 0.5\n")
    doc = cost_json(capsys, "--answers", str(answers), "--nodes", "25")  # the flag wins over the file
    ambient = by_name(doc, "istio-ambient")
    assert ambient["ztunnel"]["instances"] == 25 and ambient["waypoint"]["instances"] == 35
    assert "pods" not in doc["meta"]["defaulted"] and "hops" in doc["meta"]["defaulted"]


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--pods", "0"], "--pods"),
        (["--nodes", "-3"], "--nodes"),
        (["--l7-ratio", "1.5"], "--l7-ratio"),
        (["--mesh-rps", "lots"], "--mesh-rps"),
        (["--cpu-price", "-1"], "--cpu-price"),
        (["--hops", "2.5"], "--hops"),
        (["--benchmark-profile", "nope"], "benchmark profile"),
        (["--format", "yaml"], "--format"),
    ],
)
def test_out_of_range_answers_exit_2_with_one_line(capsys, args, named) -> None:
    rc, out, err = run_cli("cost", *args)
    assert rc == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and named in lines[0] and "Traceback" not in err


# ---------------------------------------------------------------- the table, by width


@pytest.mark.parametrize("width", [60, 80, 100, 140])
def test_table_fits_the_terminal_without_cutting_anything(capsys, monkeypatch, width) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    rc, out, err = run_cli("cost", *EXAMPLE, "--l7-ratio", "0.5")
    assert rc == 0, err
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= width
    assert "…" not in out  # no value or name was cut short
    # what a reader needs is there at every width: the money of each option, both views
    for text in (
        "Linkerd",
        "Istio sidecar",
        "Istio ambient",
        "$5,124",
        "$2,712",
        "$2,513",
        "Monthly cost at a glance",
        "mesh-advisor data show",
    ):
        assert text in out, (width, text)
    for component in (
        "linkerd-proxy",
        "linkerd-control-plane",
        "istio-proxy",
        "istiod",
        "ztunnel",
        "istio-cni",
        "waypoint",
        "istiod-ambient",
    ):
        assert component in out, (width, component)
    assert "1,008" in out and "136" in out  # containers added per option


def test_wide_table_puts_each_option_on_one_row(capsys, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "140")
    rc, out, _ = run_cli("cost", *EXAMPLE, "--l7-ratio", "0.5")
    assert rc == 0
    sidecar = next(line for line in out.splitlines() if line.strip().startswith("Istio sidecar") and "$" in line)
    # usage beside requests: vCPU, GiB and money of both views, then containers
    assert sidecar.split()[2:] == ["201.00", "157.05", "$5,124", "100.50", "127.00", "$2,712", "1,001"]
    assert "rps" in out and "1,000,000" in out  # the widest component table shows the requests each handles


def test_narrow_table_stacks_the_figures(capsys, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    rc, out, _ = run_cli("cost", *EXAMPLE, "--l7-ratio", "0.5")
    assert rc == 0
    money_rows = [line.split()[1:] for line in out.splitlines() if line.strip().startswith("$/month")]
    # one column per option, usage first, then requests
    assert money_rows == [["$2,513", "$5,124", "$2,865"], ["$0", "$2,712", "$551"]]


@pytest.mark.slow
def test_cost_does_not_import_questionary() -> None:
    code = (
        "import sys, io, contextlib\n"
        "from advisor.__main__ import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    rc = main(['cost', '--sweep', 'pods=100:1000:3'])\n"
        "assert rc == 0, rc\n"
        "print('questionary' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


# ---------------------------------------------------------------- -o FILE


def test_output_file_is_written_atomically(capsys, tmp_path: Path) -> None:
    target = tmp_path / "cost.json"
    rc, out, err = run_cli("cost", *EXAMPLE, "-o", str(target))
    assert rc == 0, err
    doc = json.loads(target.read_text())
    assert doc["options"]["istio-sidecar"]["cost"]["usage"]["cpu_vcpu"] == close(200 + 1.0)
    assert f"Wrote {target}" in err
    assert "Resources and money" in out or "Cost and latency" in out  # the table still prints
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cost.json"]  # no temporary file left behind


def test_output_format_follows_the_extension(capsys, tmp_path: Path) -> None:
    target = tmp_path / "cost.toml"
    rc, _, _ = run_cli("cost", "--format", "json", "-o", str(target))
    assert rc == 0
    assert tomllib.loads(target.read_text())["schema_version"] == 1


def test_existing_file_needs_force(capsys, tmp_path: Path) -> None:
    target = tmp_path / "cost.json"
    target.write_text("keep me")
    rc, out, err = run_cli("cost", "-o", str(target))
    assert rc == 2
    assert "--force" in err and len(err.strip().splitlines()) == 1
    assert target.read_text() == "keep me"
    rc, _, _ = run_cli("cost", "--pods", "7", "-o", str(target), "--force")
    assert rc == 0
    assert json.loads(target.read_text())["answers"]["pods"] == 7


def test_dash_writes_the_document_to_stdout(capsys) -> None:
    rc, out, _ = run_cli("cost", "--format", "json", "-o", "-")
    assert rc == 0
    assert json.loads(out)["schema_version"] == 1
    rc, out, _ = run_cli("cost", "-o", "-")  # a table run writes TOML to stdout
    assert rc == 0
    assert "schema_version" in tomllib.loads(out)


def test_missing_directory_exits_2_and_writes_nothing(capsys, tmp_path: Path) -> None:
    target = tmp_path / "nowhere" / "cost.json"
    rc, out, err = run_cli("cost", "-o", str(target))
    assert rc == 2
    assert "does not exist" in err and len(err.strip().splitlines()) == 1
    assert out == ""  # failed before printing anything
    assert not target.parent.exists()


def test_failed_write_leaves_no_file(capsys, tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "cost.json"

    def refuse(src: str, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    monkeypatch.setattr(os, "link", refuse)  # a new file is put in place by a hard link (no clobbering)
    rc, _, err = run_cli("cost", "--format", "json", "-o", str(target))
    assert rc == 2
    assert "No space left on device" in err
    assert list(tmp_path.iterdir()) == []  # neither the file nor its temporary copy
