"""The bundled data: it loads, it is complete and sourced, and --data-dir overlays it file by file."""

from __future__ import annotations

import json
import re
import shutil
import tomllib
from pathlib import Path

import pytest
import tomli_w

from advisor.catalog.models import DATA_FILES, FIGURE_KINDS, LEVELS, OTHER_DATA_FILES
from advisor.catalog.files import bundled_data_dir
from advisor.catalog.load import load_catalog

BUNDLED = {name: tomllib.loads((bundled_data_dir() / name).read_text(encoding="utf-8")) for name in DATA_FILES}
OPTION_IDS = tuple(o["id"] for o in BUNDLED["features.toml"]["options"])  # the set is the data's

# Issue 2 lists the capabilities the matrix must cover at least.
REQUIRED_FEATURES = (
    "mtls",
    "l4-authz",
    "l7-authz",
    "header-routing",
    "traffic-splitting",
    "retries-timeouts",
    "circuit-breaking",
    "rate-limiting",
    "fault-injection",
    "traffic-mirroring",
    "multicluster",
    "vm-workloads",
    "wasm",
    "egress-control",
    "ingress-gateway",
    "gateway-api",
    "tracing",
    "l7-metrics",
    "ipv6-dual-stack",
    "fips",
    "windows",
    "mesh-canary-upgrade",
    "oss-stable-releases",
)


def all_figures() -> list[tuple[str, dict]]:
    """Every figure written in benchmarks.toml and pricing.toml, as (where, figure table)."""
    out = []
    for pid, prof in BUNDLED["benchmarks.toml"]["profiles"].items():
        for section in ("figures", "latency"):
            for owner, figs in prof.get(section, {}).items():
                for name, fig in figs.items():
                    out.append((f"benchmarks.toml: profiles.{pid}.{section}.{owner}.{name}", fig))
    for pid, preset in BUNDLED["pricing.toml"]["presets"].items():
        for name in ("cpu_usd_per_vcpu_hour", "memory_usd_per_gib_hour"):
            out.append((f"pricing.toml: presets.{pid}.{name}", preset[name]))
    return out


# ---------------------------------------------------------------- loading


def test_bundled_data_loads_with_its_declared_options_and_the_files_data_version() -> None:
    catalog = load_catalog()
    assert catalog.option_ids == OPTION_IDS
    assert catalog.data_version == BUNDLED["features.toml"]["data_version"]
    assert "+local" not in catalog.data_version
    assert {Path(p).parent for p in catalog.files.values()} == {bundled_data_dir()}


def test_matrix_covers_every_capability_the_issue_names() -> None:
    ids = [f["id"] for f in BUNDLED["features.toml"]["features"]]
    assert [f for f in REQUIRED_FEATURES if f not in ids] == []


def test_rows_are_grouped_the_way_users_scan_them() -> None:
    groups = [g["id"] for g in BUNDLED["features.toml"]["groups"]]
    assert groups == ["security", "traffic", "resilience", "platform", "observability", "operations"]
    # rows of a group sit together in the file, in group order
    order = [groups.index(f["group"]) for f in BUNDLED["features.toml"]["features"]]
    assert order == sorted(order)


def test_default_benchmark_profile_is_the_one_spec_names() -> None:
    bm = BUNDLED["benchmarks.toml"]
    figs = bm["profiles"][bm["default_profile"]]["figures"]
    per_proxy = {
        cid: (figs[cid]["cpu_vcpu_per_1000rps"]["value"], figs[cid]["memory_mb_per_instance"]["value"])
        for cid in ("istio-proxy", "waypoint", "ztunnel")
    }
    assert bm["default_profile"] == "istio-1.24"
    assert per_proxy == {"istio-proxy": (0.20, 60), "waypoint": (0.25, 60), "ztunnel": (0.06, 12)}


# ---------------------------------------------------------------- data quality


def test_every_figure_has_value_unit_source_version_and_kind() -> None:
    figures = all_figures()
    assert len(figures) >= 50  # the loop really walked the data (57 figures in 2026.11.26)
    bad = []
    for where, fig in figures:
        if not isinstance(fig.get("value"), (int, float)) or isinstance(fig.get("value"), bool):
            bad.append(f"{where}: value")
        for key in ("unit", "source", "version"):
            if not str(fig.get(key, "")).strip():
                bad.append(f"{where}: {key}")
        if fig.get("kind") not in FIGURE_KINDS:
            bad.append(f"{where}: kind {fig.get('kind')!r}")
        if fig.get("kind") == "derived" and not str(fig.get("note", "")).strip():
            bad.append(f"{where}: derived without a note")
    assert bad == []


def test_every_derived_linkerd_figure_says_how_it_was_derived() -> None:
    derived = [(w, f) for w, f in all_figures() if "linkerd" in w and f["kind"] == "derived"]
    assert derived, "the bundled Linkerd figures include derived ones"
    for where, fig in derived:
        # the arithmetic is written out: a ratio or product and the result
        assert re.search(r"\d\s*[x/]\s*\d", fig["note"]) and "=" in fig["note"], where


def test_every_feature_cell_has_level_note_version_and_source() -> None:
    bad = []
    features = BUNDLED["features.toml"]["features"]
    for feat in features:
        assert set(feat["cells"]) == set(OPTION_IDS), feat["id"]
        for option, cell in feat["cells"].items():
            where = f"{feat['id']}.{option}"
            if cell.get("level") not in LEVELS:
                bad.append(f"{where}: level {cell.get('level')!r}")
            for key in ("note", "version", "source"):
                if not str(cell.get(key, "")).strip():
                    bad.append(f"{where}: {key}")
            if "\n" in cell.get("note", ""):
                bad.append(f"{where}: note is more than one line")
            if cell.get("contested") and not re.search(r"\b(chose|choose|chosen)\b", cell["note"], re.I):
                bad.append(f"{where}: contested but the note does not say which source was chosen")
    assert len(features) * len(OPTION_IDS) >= 69
    assert bad == []


def test_bundled_data_validates_clean(cli) -> None:
    rc, out, err = cli("data", "validate")
    assert (rc, err) == (0, "")
    assert "OK" in out


# ---------------------------------------------------------------- --data-dir overlay


def write_pricing(directory: Path, cpu_usd: float, memory_usd: float) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    text = (bundled_data_dir() / "pricing.toml").read_text(encoding="utf-8")
    default = BUNDLED["pricing.toml"]["presets"][BUNDLED["pricing.toml"]["default_preset"]]
    old_cpu = f"value = {default['cpu_usd_per_vcpu_hour']['value']}\n"
    old_mem = f"value = {default['memory_usd_per_gib_hour']['value']}\n"
    assert old_cpu in text and old_mem in text
    text = text.replace(old_cpu, f"value = {cpu_usd}\n", 1).replace(old_mem, f"value = {memory_usd}\n", 1)
    (directory / "pricing.toml").write_text(text, encoding="utf-8")


def test_a_dir_holding_only_pricing_changes_the_prices_and_keeps_the_rest_bundled(tmp_path, cli) -> None:
    ours = tmp_path / "ours"
    write_pricing(ours, 0.05, 0.007)

    rc, out, err = cli("data", "show", "--format", "json", "--data-dir", str(ours))
    assert (rc, err) == (0, "")
    doc = json.loads(out)
    base = BUNDLED["features.toml"]["data_version"]
    assert re.fullmatch(re.escape(base) + r"\+local\.[0-9a-f]{8}", doc["meta"]["data_version"])
    assert doc["files"]["pricing.toml"] == str(ours / "pricing.toml")
    for name in ("features.toml", "benchmarks.toml", "rules.toml"):
        assert doc["files"][name] == str(bundled_data_dir() / name)
    default = doc["prices"][doc["default_preset"]]
    assert (default["cpu_usd_per_vcpu_hour"]["value"], default["memory_usd_per_gib_hour"]["value"]) == (0.05, 0.007)

    rc, out, err = cli("recommend", "--format", "json", "--data-dir", str(ours))
    assert rc == 0, err
    rec = json.loads(out)
    assert (rec["answers"]["cpu_price"], rec["answers"]["memory_price"]) == (0.05, 0.007)
    assert rec["meta"]["data_version"] == doc["meta"]["data_version"]
    usage = rec["options"]["istio-sidecar"]["cost"]["usage"]
    assert usage["monthly_usd"] == pytest.approx(
        (usage["cpu_vcpu"] * 0.05 + usage["memory_gib"] * 0.007) * 730, rel=1e-3
    )


def test_the_local_stamp_follows_the_overlay_content(tmp_path) -> None:
    for name, cpu in (("a", 0.05), ("b", 0.05), ("c", 0.06)):
        write_pricing(tmp_path / name, cpu, 0.007)
    a, b, c = (load_catalog(tmp_path / n).data_version for n in "abc")
    assert a == b  # same content, same stamp, wherever it lives
    assert a != c


def test_an_unknown_toml_name_in_the_dir_is_reported(tmp_path, cli) -> None:
    ours = tmp_path / "ours"
    write_pricing(ours, 0.05, 0.007)
    (ours / "prices.toml").write_text("x = 1\n", encoding="utf-8")
    (ours / "README.md").write_text("notes about our prices\n", encoding="utf-8")  # not .toml: ignored
    rc, out, err = cli("matrix", "--data-dir", str(ours))
    assert (rc, out) == (2, "")
    assert (
        f"prices.toml: not a mesh-advisor data file (expected one of {', '.join(DATA_FILES + OTHER_DATA_FILES)})" in err
    )
    assert "README" not in err


@pytest.mark.parametrize("command", [["matrix"], ["data", "show"], ["recommend"], ["cost"]])
def test_a_missing_data_dir_is_exit_2(tmp_path, cli, command) -> None:
    rc, out, err = cli(*command, "--data-dir", str(tmp_path / "nope"))
    assert (rc, out) == (2, "")
    assert f"{tmp_path / 'nope'}: no such directory" in err
    assert "Traceback" not in err


def test_a_dir_with_no_data_file_is_exit_2(tmp_path, cli) -> None:
    rc, _, err = cli("data", "validate", str(tmp_path))
    assert rc == 2
    assert "holds none of features.toml, benchmarks.toml, pricing.toml, rules.toml" in err


def test_a_team_profile_extends_the_default_and_overrides_one_figure(data_dir, rewrite, cli) -> None:
    measured_vcpu = 0.09

    def add_profile(doc: dict) -> None:
        doc["profiles"]["our-cluster"] = {
            "title": "Our staging cluster",
            "extends": doc["default_profile"],
            "figures": {
                "linkerd-proxy": {
                    "cpu_vcpu_per_1000rps": {
                        "value": measured_vcpu,
                        "unit": "vCPU per 1000 rps",
                        "source": "our-grafana:dashboard/42",
                        "version": "2026-11-01",
                        "kind": "measured",
                    }
                }
            },
        }

    for name in ("features.toml", "pricing.toml", "rules.toml"):
        (data_dir / name).unlink()  # the overlay holds benchmarks.toml alone
    rewrite(data_dir / "benchmarks.toml", add_profile)

    rc, out, err = cli("data", "validate", str(data_dir))
    assert (rc, err) == (0, ""), err

    def linkerd_proxy_vcpu(*extra: str) -> float:
        rc, out, err = cli(
            "cost", "--format", "json", "--pods", "100", "--mesh-rps", "1000", "--data-dir", str(data_dir), *extra
        )
        assert rc == 0, err
        comps = json.loads(out)["options"]["linkerd"]["cost"]["components"]
        return next(c["cpu_vcpu"] for c in comps if c["name"] == "linkerd-proxy")

    bundled_figure = BUNDLED["benchmarks.toml"]["profiles"]["istio-1.24"]["figures"]["linkerd-proxy"][
        "cpu_vcpu_per_1000rps"
    ]["value"]
    # 1000 rps passes two proxies: 2000 rps handled in all
    assert linkerd_proxy_vcpu() == pytest.approx(2 * bundled_figure, rel=1e-3)
    assert linkerd_proxy_vcpu("--benchmark-profile", "our-cluster") == pytest.approx(2 * measured_vcpu, rel=1e-3)


def test_one_process_remembers_a_validation_only_for_the_same_bytes(data_dir: Path) -> None:
    # load_catalog remembers what validating a data directory gave (valid or not) by the hash of the
    # bytes read, signals.toml beside the overlay included: a change to any of them is validated anew
    from advisor.catalog.load import validate_data_dir
    from advisor.errors import DataError

    shutil.copy(bundled_data_dir() / "signals.toml", data_dir / "signals.toml")
    assert validate_data_dir(data_dir) == [] and load_catalog(data_dir).option_ids
    signals = tomllib.loads((data_dir / "signals.toml").read_text(encoding="utf-8"))
    signals["signals"] = [s for s in signals["signals"] if s["id"] != "spire"]
    (data_dir / "signals.toml").write_text(tomli_w.dumps(signals), encoding="utf-8")
    problems = validate_data_dir(data_dir)
    assert any("spire" in p for p in problems), problems
    with pytest.raises(DataError):
        load_catalog(data_dir)
    assert validate_data_dir(data_dir) == problems  # the same bytes again: the same problems
    (data_dir / "signals.toml").unlink()
    assert validate_data_dir(data_dir) == []  # the bundled signals.toml again
