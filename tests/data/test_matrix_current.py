"""The matrix as of Istio 1.31 / Linkerd 2.20: the rows platform teams ask about, cells checked by
hand against their sources, and vendor builds said as such (never counted as open source)."""

from __future__ import annotations

import json
import tomllib
from typing import Any

import pytest

from advisor.catalog.models import LEVELS
from advisor.catalog.files import bundled_data_dir

FEATURES = tomllib.loads((bundled_data_dir() / "features.toml").read_text(encoding="utf-8"))
BY_ID = {f["id"]: f for f in FEATURES["features"]}
OPTIONS = [o["id"] for o in FEATURES["options"]]

# Other issues reference these ids: they must exist under exactly these names.
NEW_ROWS = (
    "sidecar-ambient-interop",
    "multi-network",
    "external-ca",
    "spire",
    "jwt-auth",
    "ext-authz",
    "locality-lb",
    "dns-proxy",
    "access-logging",
    "pq-tls",
    "session-affinity",
    "udp",
)


def cell(fid: str, option: str) -> dict[str, Any]:
    return BY_ID[fid]["cells"][option]


def test_the_options_are_the_current_releases() -> None:
    versions = {o["id"]: o["version"] for o in FEATURES["options"]}
    assert versions == {"linkerd": "2.20", "istio-sidecar": "1.31", "istio-ambient": "1.31"}


@pytest.mark.parametrize("fid", NEW_ROWS)
def test_each_new_row_has_a_sourced_cell_per_option(fid: str) -> None:
    assert fid in BY_ID
    for option in OPTIONS:
        c = cell(fid, option)
        assert c["level"] in LEVELS
        assert c["note"].strip() and c["version"].strip() and c["source"].startswith("https://")


# Cells checked by hand against their sources (named in the closing note), pinned here.
HAND_CHECKED = {
    # istio.io 1.29 change notes: "Promoted multi-network multicluster support to Beta in ambient mode."
    ("multicluster", "istio-ambient"): (
        "beta",
        "1.29+",
        "https://istio.io/latest/news/releases/1.29.x/announcing-1.29/change-notes/",
    ),
    ("multi-network", "istio-ambient"): (
        "beta",
        "1.29+",
        "https://istio.io/latest/news/releases/1.29.x/announcing-1.29/change-notes/",
    ),
    # linkerd.io 2-edge automatic-mtls: "Key exchange via hybrid ML-KEM-768 + X25519"
    ("pq-tls", "linkerd"): ("full", "2.19+", "https://linkerd.io/2-edge/features/automatic-mtls/"),
    # istio.io ambient migrate guide: "SPIRE as the certificate provider. Ambient mode does not support SPIRE"
    ("spire", "istio-ambient"): ("none", "1.31", "https://istio.io/latest/docs/ambient/migrate/"),
    # istio#1430 (open) and istio#44843: "No, Istio does not support UDP."
    ("udp", "istio-sidecar"): ("none", "1.31", "https://github.com/istio/istio/issues/1430"),
    # features.yaml: "Enabling custom filters in Envoy: Alpha": the only rate-limiting route for sidecars
    ("rate-limiting", "istio-sidecar"): (
        "alpha",
        "1.31",
        "https://github.com/istio/enhancements/blob/master/features.yaml",
    ),
}


@pytest.mark.parametrize(("fid", "option"), list(HAND_CHECKED))
def test_hand_checked_cells(fid: str, option: str) -> None:
    c = cell(fid, option)
    assert (c["level"], c["version"], c["source"]) == HAND_CHECKED[(fid, option)]


def test_envoyfilter_rate_limiting_reaches_sidecars_but_not_waypoints() -> None:
    # Sidecars rate-limit through EnvoyFilter (Alpha); the migrate guide says EnvoyFilter resources
    # targeting waypoints are not supported, so ambient has no route at all (issue 22).
    assert cell("rate-limiting", "istio-sidecar")["level"] == "alpha"
    ambient = cell("rate-limiting", "istio-ambient")
    assert ambient["level"] == "none" and ambient["source"] == "https://istio.io/latest/docs/ambient/migrate/"


def test_vendor_builds_are_recorded_beside_the_open_source_level() -> None:
    fips = cell("fips", "linkerd")
    assert (fips["level"], fips["vendor"], fips["vendor_level"]) == ("none", "Buoyant Enterprise for Linkerd", "full")
    stable = cell("oss-stable-releases", "linkerd")
    assert (stable["level"], stable["vendor"], stable["vendor_level"]) == (
        "partial",
        "Buoyant Enterprise for Linkerd",
        "full",
    )
    assert cell("fips", "istio-sidecar")["vendor"] == "Tetrate Istio Distro"


def test_matrix_shows_the_vendor_build_in_words_and_its_source(monkeypatch, cli) -> None:
    monkeypatch.setenv("COLUMNS", "300")  # wide enough that no cell wraps
    rc, out, err = cli("matrix", "--feature", "fips")
    assert (rc, err) == (0, "")
    flat = " ".join(out.split())
    assert "+ Buoyant Enterprise for Linkerd: full (vendor build)" in flat
    assert "https://linkerd.io/2025/10/31/announcing-linkerd-2.19/" in out
    rc, out, _ = cli("matrix", "--feature", "fips", "--format", "json")
    doc = json.loads(out)
    cells = doc["features"][0]["cells"]
    assert cells["linkerd"]["vendor_level"] == "full"
    assert "vendor" not in cells["istio-ambient"]  # no vendor build recorded: no empty fields either


def test_no_rule_text_calls_ambient_multicluster_alpha() -> None:
    rules = tomllib.loads((bundled_data_dir() / "rules.toml").read_text(encoding="utf-8"))
    assert [r["id"] for r in rules["rules"] if "multicluster" in r["text"] and "alpha" in r["text"]] == []


# ---------------------------------------------------------------- validation of vendor fields


def fips(doc: dict[str, Any]) -> dict[str, Any]:
    return next(f for f in doc["features"] if f["id"] == "fips")


def test_a_vendor_build_must_be_said_in_full(cli, data_dir, rewrite) -> None:
    rewrite(data_dir / "features.toml", lambda d: fips(d)["cells"]["linkerd"].pop("vendor_source"))
    rc, out, err = cli("data", "validate", str(data_dir))
    assert rc == 2
    at = next(i for i, f in enumerate(FEATURES["features"]) if f["id"] == "fips")
    assert (
        f"features.toml: features.{at}(fips).cells.linkerd.vendor_source: required when a cell names a vendor build"
        in err
    )


def test_a_vendor_build_must_offer_more_than_open_source(cli, data_dir, rewrite) -> None:
    rewrite(data_dir / "features.toml", lambda d: fips(d)["cells"]["istio-sidecar"].update(vendor_level="alpha"))
    rc, _, err = cli("data", "validate", str(data_dir))
    assert rc == 2
    assert "cells.istio-sidecar.vendor_level: 'alpha' is no better than the open-source level 'partial'" in err
