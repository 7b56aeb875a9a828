"""The injected proxy's own requests (proxy_cpu_request_millicores, proxy_memory_request_mib): the
requests view by hand, where the figure says it came from, what it leaves alone, and bad input."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from advisor.answers.resolve import resolve
from advisor.catalog.load import load_catalog
from advisor.engine.costing import HOURS_PER_MONTH, build_model, project, requests_of
from outcomes import run_cli

CPU_PRICE, MEMORY_PRICE = 0.031611, 0.004237  # the default preset, USD per vCPU-hour and per GiB-hour
PROXY_100M_20MI = ["--pods", "100", "--proxy-cpu-request", "100", "--proxy-memory-request", "20"]
# 100 pods x 100m = 10 vCPU; 100 x 20 MiB = 2,000 MiB = 2000 / 1024 = 1.953125 GiB
# (10 x 0.031611 + 1.953125 x 0.004237) x 730 = (0.31611 + 0.008275390625) x 730 = $236.80 a month
PROXIES_USD = (10 * CPU_PRICE + 2000 / 1024 * MEMORY_PRICE) * HOURS_PER_MONTH


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def cost_json(cli, *args: str) -> dict:
    rc, out, err = cli("cost", *args, "--format", "json")
    assert rc == 0, err
    return json.loads(out)


def component(doc: dict, option: str, cid: str) -> dict:
    return next(c for c in doc["options"][option]["cost"]["components"] if c["id"] == cid)


def test_hand_computed_requests_for_100_pods_at_100m_and_20mi(cli) -> None:
    assert round(PROXIES_USD, 2) == 236.80
    doc = cost_json(cli, *PROXY_100M_20MI)
    for option, proxy in (("linkerd", "linkerd-proxy"), ("istio-sidecar", "istio-proxy")):
        c = component(doc, option, proxy)
        assert (c["requests_cpu_vcpu"], c["requests_memory_gib"]) == (10.0, 1.9531), option  # 1.953125, 4 decimals
        assert c["requests_monthly_usd"] == 236.80, option
    # Linkerd's default (non-HA) control plane sets no requests, so the option's requests are the proxies'
    assert doc["options"]["linkerd"]["cost"]["requests"]["monthly_usd"] == 236.80
    # istiod's chart requests 500m / 2048Mi: (0.5 x 0.031611 + 2 x 0.004237) x 730 = $17.72;
    # the option: (10.5 x 0.031611 + 3.953125 x 0.004237) x 730 = $254.53
    assert component(doc, "istio-sidecar", "istiod")["requests_monthly_usd"] == 17.72
    assert doc["options"]["istio-sidecar"]["cost"]["requests"]["monthly_usd"] == 254.53


def test_without_the_answers_the_charts_decide(cli) -> None:
    doc = cost_json(cli, "--pods", "100")
    # Istio's chart: 100 x 100m = 10 vCPU, 100 x 128Mi = 12.5 GiB; Linkerd's default values set none
    istio = component(doc, "istio-sidecar", "istio-proxy")
    assert (istio["requests_cpu_vcpu"], istio["requests_memory_gib"]) == (10.0, 12.5)
    linkerd = component(doc, "linkerd", "linkerd-proxy")
    assert (linkerd["requests_cpu_vcpu"], linkerd["requests_memory_gib"]) == (0.0, 0.0)
    assert "answer proxy_" not in json.dumps(doc)
    assert "proxy_cpu_request_millicores" not in doc["answers"]  # an answer not given is left out


def test_one_answer_replaces_only_its_own_figure_and_replaces_the_ha_values(cli) -> None:
    doc = cost_json(cli, "--pods", "100", "--control-plane-ha", "--proxy-cpu-request", "250")
    linkerd = component(doc, "linkerd", "linkerd-proxy")
    # CPU from the answer: 100 x 250m = 25 vCPU; memory from values-ha.yaml: 100 x 20Mi = 1.953 GiB
    assert (linkerd["requests_cpu_vcpu"], linkerd["requests_memory_gib"]) == (25.0, 1.9531)
    assert "answer proxy_cpu_request_millicores" in linkerd["source"]
    assert "values-ha.yaml" in linkerd["source"]
    istio = component(doc, "istio-sidecar", "istio-proxy")
    # memory from Istio's chart: 100 x 128Mi = 12.5 GiB
    assert (istio["requests_cpu_vcpu"], istio["requests_memory_gib"]) == (25.0, 12.5)


def test_ambient_has_no_per_pod_proxy_and_is_unchanged(cli) -> None:
    given = cost_json(cli, *PROXY_100M_20MI)["options"]["istio-ambient"]
    default = cost_json(cli, "--pods", "100")["options"]["istio-ambient"]
    assert given == default
    # and the control planes, which are not injected proxies, keep their chart requests
    assert component(cost_json(cli, *PROXY_100M_20MI), "istio-sidecar", "istiod")["requests_cpu_vcpu"] == 0.5


def test_the_figure_used_says_it_came_from_the_answer(catalog) -> None:
    a = resolve(catalog, flags={"pods": "100", "proxy_cpu_request_millicores": "100"}).answers
    proxy = next(c for c in project(a, catalog).options["linkerd"].components if c.id == "linkerd-proxy")
    fig = proxy.figures["request_cpu_millicores"]
    assert (fig.value, fig.unit, fig.kind) == (100.0, "millicores", "answer")
    assert (fig.source, fig.version) == ("answer proxy_cpu_request_millicores", "as answered")
    # the note names the chart figure it stands in for (Linkerd's default values set no CPU request)
    assert fig.note.startswith("the install's own request, in place of request_cpu_millicores 0 millicores (linkerd/")
    assert "answer proxy_cpu_request_millicores" in proxy.sources
    assert proxy.figures["request_memory_mib"].kind == "default-request"  # not answered: the chart's


def test_which_components_take_the_answers_is_read_from_the_data(catalog) -> None:
    # A component is an injected proxy because the data says it scales per pod, not by its id: the
    # node agent ztunnel, declared per pod under another id, takes the answers too.
    a = resolve(catalog, flags={"proxy_cpu_request_millicores": "300", "proxy_memory_request_mib": "64"}).answers
    ztunnel, figs, drivers = next(
        row for row in build_model(a, catalog).options["istio-ambient"] if row[0].id == "ztunnel"
    )
    assert requests_of(ztunnel, figs, drivers, False, a)[:2] == (2.0, 5.0)  # per node: its chart's 200m / 512Mi x 10
    per_pod = dataclasses.replace(ztunnel, id="some-new-proxy", scaling="per-pod")
    cpu, memory, used = requests_of(per_pod, figs, drivers, False, a)
    assert (cpu, memory) == (10 * 0.3, 10 * 64 / 1024)  # 10 instances x 300m, 10 x 64 MiB
    assert used["request_memory_mib"].source == "answer proxy_memory_request_mib"


def test_json_carries_the_answers_their_origin_and_the_figure_source(cli, tmp_path: Path) -> None:
    doc = cost_json(cli, *PROXY_100M_20MI)
    assert (doc["answers"]["proxy_cpu_request_millicores"], doc["answers"]["proxy_memory_request_mib"]) == (100, 20)
    source = component(doc, "istio-sidecar", "istio-proxy")["source"]
    assert "answer proxy_cpu_request_millicores" in source and "answer proxy_memory_request_mib" in source
    # an answers file gives them too, and the export reads back as the same answers
    answers = tmp_path / "team.toml"
    answers.write_text("pods = 100\nproxy_cpu_request_millicores = 100\nproxy_memory_request_mib = 20\n")
    from_file = cost_json(cli, "--answers", str(answers))
    assert from_file["meta"]["origins"]["proxy_memory_request_mib"] == "file"
    assert component(from_file, "linkerd", "linkerd-proxy")["requests_monthly_usd"] == 236.80


def test_the_table_says_the_requests_came_from_the_answers(cli) -> None:
    rc, out, _ = cli("cost", *PROXY_100M_20MI)
    flat = " ".join(out.split())
    assert rc == 0
    assert (
        "requests = shipped Helm defaults, except each injected sidecar proxy's CPU 100 millicores "
        "(proxy_cpu_request_millicores) and memory 20 MiB (proxy_memory_request_mib)."
    ) in flat
    rc, out, _ = cli("cost", "--pods", "100")
    assert "requests = shipped Helm defaults." in " ".join(out.split())


def test_the_decision_record_says_so_and_lists_the_answers(cli) -> None:
    rc, out, _ = cli("recommend", *PROXY_100M_20MI, "--format", "md")
    assert rc == 0
    assert "| `proxy_cpu_request_millicores` | 100 millicores" in out
    assert "| `proxy_memory_request_mib`     | 20 MiB" in out
    assert (
        "requests is what the shipped Helm charts reserve, except each injected sidecar proxy's CPU 100 "
        "millicores (proxy\\_cpu\\_request\\_millicores) and memory 20 MiB (proxy\\_memory\\_request\\_mib), "
        "as answered."
    ) in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--proxy-cpu-request", "64001"],
            "--proxy-cpu-request: expected a whole number from 0 to 64,000, got '64001'",
        ),
        (
            ["--proxy-memory-request", "-1"],
            "--proxy-memory-request: expected a whole number from 0 to 262,144, got '-1'",
        ),
        (
            # a decimal comma is refused, never guessed (0.1 vCPU is 100 millicores)
            ["--proxy-cpu-request", "0,1"],
            "--proxy-cpu-request: expected a whole number from 0 to 64,000, got '0,1'; "
            "a comma is neither a decimal point nor a separator here: write the whole number without it",
        ),
        (
            ["--proxy-memory-request", "1,5"],
            # never "write 1.5": that is not a whole number either
            "--proxy-memory-request: expected a whole number from 0 to 262,144, got '1,5'; "
            "a comma is neither a decimal point nor a separator here: write the whole number without it",
        ),
        (
            ["--proxy-cpu-request", "100m"],
            "--proxy-cpu-request: expected a whole number from 0 to 64,000, got '100m'",
        ),
    ],
)
def test_bad_values_exit_2_with_one_clear_message(cli, args: list[str], message: str) -> None:
    rc, out, err = cli("cost", *args)
    assert (rc, out) == (2, "")
    assert err == f"mesh-advisor: {message}\n"


def test_a_bad_value_in_an_answers_file_names_the_file_and_the_key(cli, tmp_path: Path) -> None:
    answers = tmp_path / "team.toml"
    answers.write_text("proxy_memory_request_mib = 300000\nproxy_cpu_request_millicores = 0.5\n")
    rc, out, err = cli("cost", "--answers", str(answers))
    assert (rc, out) == (2, "")
    assert f"{answers}: proxy_cpu_request_millicores: expected a whole number from 0 to 64,000, got 0.5" in err
    assert f"{answers}: proxy_memory_request_mib: expected a whole number from 0 to 262,144, got 300000" in err
    assert "Traceback" not in err


def test_help_lists_both_flags_with_where_to_find_the_value() -> None:
    rc, out, _ = run_cli("cost", "--help")
    assert rc == 0
    flat = " ".join(out.split())
    assert "--proxy-cpu-request" in flat and "--proxy-memory-request" in flat
    assert "sidecar.istio.io/proxyCPU" in flat and "config.linkerd.io/proxy-memory-request" in flat


def test_data_cannot_claim_the_answer_kind(data_dir: Path, cli) -> None:
    bench = data_dir / "benchmarks.toml"
    bench.write_text(bench.read_text(encoding="utf-8").replace('kind = "default-request"', 'kind = "answer"', 1))
    rc, _, err = cli("data", "validate", str(data_dir))
    assert rc == 2
    assert (
        "benchmarks.toml: profiles.istio-1.24.figures.linkerd-proxy.request_cpu_millicores.kind: 'answer' is for "
        "values the answers give; a data figure's kind is one of measured, derived, default-request, published-claim"
    ) in err
