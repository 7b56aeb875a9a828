"""Every ordered pair of options (and a first install of each) plans from data; a pair the data lacks is refused
naming what is missing."""

from __future__ import annotations

import json
import shutil

import pytest

from outcomes import OPTION_IDS, invoke
from advisor.catalog.files import bundled_data_dir


def _without_back_out(text: str) -> str:
    """migrations.toml whose ambient-to-sidecar move no longer starts from ambient (its phases still name it)."""
    old = 'id = "ambient-to-sidecar"\nfrom_mesh = ["istio-ambient"]'
    assert old in text
    return text.replace(old, 'id = "ambient-to-sidecar"\nfrom_mesh = ["linkerd"]')


PAIRS = [(a, b) for a in ("none", *OPTION_IDS) for b in OPTION_IDS if a != b]


@pytest.mark.parametrize("current,target", PAIRS, ids=[f"{a}->{b}" for a, b in PAIRS])
def test_every_ordered_pair_plans(capsys, current, target):
    r = invoke(capsys, "plan", "--current-mesh", current, "--to", target, "--format", "json")
    assert r.rc == 0, r
    doc = json.loads(r.out)
    assert doc["plan"]["from"] == current and doc["plan"]["to"] == target
    assert doc["phases"], "a plan without phases is no plan"
    assert all(p["source"].startswith("https://") for p in doc["phases"])


def test_backing_out_of_ambient_plans_its_own_phases(capsys):
    r = invoke(capsys, "plan", "--current-mesh", "istio-ambient", "--to", "istio-sidecar", "--format", "json")
    assert r.rc == 0, r
    doc = json.loads(r.out)
    assert doc["plan"]["move"]["id"] == "ambient-to-sidecar"
    assert [p["id"] for p in doc["phases"]] == [
        "prerequisites-back-to-sidecar",
        "switch-namespaces-back-to-sidecar",
        "remove-waypoints",
    ]


def test_a_pair_the_data_lacks_is_refused_naming_what_is_missing(capsys, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(bundled_data_dir(), data)
    (data / "migrations.toml").write_text(_without_back_out((data / "migrations.toml").read_text()))
    r = invoke(capsys, "plan", "--current-mesh", "istio-ambient", "--to", "istio-sidecar", "--data-dir", str(data))
    assert r.rc == 2
    # the data directory is checked as it loads: the plan is refused naming the missing pair
    assert "no move from istio-ambient to istio-sidecar: add a [[moves]] entry, or an [[unsupported]] entry" in r.err
    v = invoke(capsys, "data", "validate", str(data))
    assert v.rc == 2 and "no move from istio-ambient to istio-sidecar" in v.err


def test_an_unsupported_pair_is_refused_with_its_reason(capsys, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(bundled_data_dir(), data)
    text = _without_back_out((data / "migrations.toml").read_text()) + (
        '\n[[unsupported]]\nfrom_mesh = ["istio-ambient"]\nto_mesh = ["istio-sidecar"]\n'
        'because = "this team never goes back"\nsource = "https://example.org/decision"\n'
    )
    (data / "migrations.toml").write_text(text)
    assert invoke(capsys, "data", "validate", str(data)).rc == 0
    r = invoke(capsys, "plan", "--current-mesh", "istio-ambient", "--to", "istio-sidecar", "--data-dir", str(data))
    assert r.rc == 2
    assert "is not supported: this team never goes back (https://example.org/decision)" in r.err


def test_staying_without_scoping_is_still_refused(capsys):
    r = invoke(capsys, "plan", "--current-mesh", "istio-sidecar", "--to", "istio-sidecar")
    assert r.rc == 2 and "nothing to plan" in r.err


def test_staying_scoped_plans_the_sidecars_with_the_saving(capsys):
    r = invoke(
        capsys,
        "plan",
        "--current-mesh",
        "istio-sidecar",
        "--to",
        "istio-sidecar",
        "--sidecar-scoping",
        "--format",
        "json",
    )
    assert r.rc == 0, r
    doc = json.loads(r.out)
    assert doc["plan"]["move"]["id"] == "sidecar-scoping"
    assert [p["id"] for p in doc["phases"]] == ["scope-sidecars"]
    assert any(n.startswith("Scoping saves about") for n in doc["plan"]["notes"])
    assert doc["answers"]["sidecar_scoping"] is False  # today's sidecars, unscoped
    # the target state is costed scoped: less than today, and the stay itself adds nothing
    assert doc["cost"]["target"]["monthly_usd"] < doc["cost"]["today"]["monthly_usd"]
    assert doc["cost"]["items"][1]["text"].startswith("Staying on Istio sidecar adds nothing to today's cost")
