"""`mesh-advisor matrix`: grouped rows, levels readable without colour, --feature, and json/toml with sources."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib

import pexpect
import pytest

from advisor.catalog.files import bundled_data_dir

FEATURES = tomllib.loads((bundled_data_dir() / "features.toml").read_text(encoding="utf-8"))
BY_ID = {f["id"]: f for f in FEATURES["features"]}
OPTION_IDS = [o["id"] for o in FEATURES["options"]]  # the set is the data's
SYMBOL = {"full": "✔", "beta": "β", "partial": "◐", "alpha": "α", "none": "✘"}
LEVEL_MARK = re.compile(r"(✔ full|β beta|◐ partial|α alpha|✘ none)")
COLOUR_SGR = re.compile(r"\x1b\[[0-9;]*(3[0-9]|9[0-7]|38;)[0-9;]*m")


def test_table_groups_rows_under_their_group_titles(monkeypatch, cli) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # wide enough that no feature id is folded
    rc, out, err = cli("matrix")
    assert (rc, err) == (0, "")
    titles = [out.index(g["title"].upper()) for g in FEATURES["groups"]]
    assert titles == sorted(titles)
    ends = titles[1:] + [len(out)]
    for feat in FEATURES["features"]:
        g = [g["id"] for g in FEATURES["groups"]].index(feat["group"])
        assert titles[g] < out.index(f" {feat['id']} ") < ends[g], feat["id"]


@pytest.mark.parametrize("fid", list(BY_ID))
def test_each_row_shows_each_options_level_as_symbol_and_word(fid, cli) -> None:
    rc, out, _ = cli("matrix", "--feature", fid)
    assert rc == 0
    expected = [f"{SYMBOL[BY_ID[fid]['cells'][o]['level']]} {BY_ID[fid]['cells'][o]['level']}" for o in OPTION_IDS]
    assert LEVEL_MARK.findall(out.split("Levels:")[0]) == expected


def test_table_names_every_source_and_cuts_nothing_off(cli) -> None:
    rc, out, _ = cli("matrix")  # 80 columns, as in a pipe
    assert rc == 0
    assert "…" not in out
    listed = re.findall(r"^ \[(\d+)\] (\S+)$", out, flags=re.M)
    sources = {src for _, src in listed}
    for feat in FEATURES["features"]:
        for cell in feat["cells"].values():
            assert cell["source"] in sources
    assert [int(n) for n, _ in listed] == list(range(1, len(listed) + 1))
    assert "contested" in out  # cells where sources disagree are marked in words


def test_feature_narrows_the_table_repeatable_and_comma_list(cli, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "250")  # wide enough for the table layout (every word fits a column)
    rc, out, _ = cli("matrix", "--feature", "wasm,vm-workloads", "--feature", "mtls")
    assert rc == 0
    shown = [f for f in BY_ID if re.search(rf"^\s+{re.escape(f)}\s", out, flags=re.M)]
    assert sorted(shown) == ["mtls", "vm-workloads", "wasm"]
    assert "SECURITY" in out and "PLATFORM" in out and "OBSERVABILITY" not in out

    rc, out, _ = cli("matrix", "--format", "json", "--feature", "wasm,vm-workloads", "--feature", "mtls")
    assert [f["id"] for f in json.loads(out)["features"]] == [f for f in BY_ID if f in ("wasm", "vm-workloads", "mtls")]


def test_unknown_feature_is_exit_2_with_suggestions(cli) -> None:
    rc, out, err = cli("matrix", "--feature", "mtls,fault-injektion", "--feature", "wsam")
    assert (rc, out) == (2, "")
    assert err.startswith(
        "mesh-advisor: --feature: unknown feature id 'fault-injektion' (did you mean fault-injection?); "
        "unknown feature id 'wsam' (did you mean wasm?); valid ids: mtls, "
    )
    assert len(err.splitlines()) == 1


def test_an_empty_feature_is_exit_2_not_the_whole_matrix(cli) -> None:
    rc, out, err = cli("matrix", "--feature", "")
    assert (rc, out) == (2, "")
    assert err.startswith("mesh-advisor: --feature: expected a feature id, got nothing; valid ids: mtls, ")


def test_bad_format_is_exit_2(cli) -> None:
    rc, out, err = cli("matrix", "--format", "yaml")
    assert (rc, out) == (2, "")
    assert "--format: expected one of table, json, toml, got 'yaml'" in err


@pytest.mark.parametrize("fmt", ["json", "toml"])
def test_documents_carry_level_note_version_and_source_for_every_cell(fmt, cli) -> None:
    rc, out, err = cli("matrix", "--format", fmt)
    assert (rc, err) == (0, "")
    doc = json.loads(out) if fmt == "json" else tomllib.loads(out)
    assert doc["meta"]["data_version"] == FEATURES["data_version"]
    assert [o["id"] for o in doc["options"]] == list(OPTION_IDS)
    assert [g["id"] for g in doc["groups"]] == [g["id"] for g in FEATURES["groups"]]
    assert [f["id"] for f in doc["features"]] == list(BY_ID)
    for feat in doc["features"]:
        written = BY_ID[feat["id"]]
        assert (feat["group"], feat["name"]) == (written["group"], written["name"])
        for option in OPTION_IDS:
            cell, want = feat["cells"][option], written["cells"][option]
            for key in ("level", "note", "version", "source"):
                assert cell[key] == want[key], (feat["id"], option, key)
            assert cell.get("contested", False) == want.get("contested", False)


def test_json_and_toml_carry_the_same_document(cli) -> None:
    _, as_json, _ = cli("matrix", "--format", "json")
    _, as_toml, _ = cli("matrix", "--format", "toml")
    a, b = json.loads(as_json), tomllib.loads(as_toml)
    a["meta"].pop("generated_at"), b["meta"].pop("generated_at")
    assert a == b


def spawn(*args: str, **env: str) -> str:
    """Run mesh-advisor on a real terminal (a pty, 100 columns) and return what it drew."""
    environ = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "TERM", "COLUMNS")}
    environ.update(TERM="xterm-256color", **env)
    out, status = pexpect.run(
        sys.executable,
        args=["-m", "advisor", *args],
        env=environ,
        withexitstatus=True,
        timeout=60,
        encoding="utf-8",
        dimensions=(50, 100),
    )
    assert status == 0, out
    return out


@pytest.mark.slow
def test_on_a_terminal_levels_are_coloured() -> None:
    out = spawn("matrix", "--feature", "vm-workloads")
    assert COLOUR_SGR.search(out)


@pytest.mark.slow
def test_no_color_keeps_every_level_readable_without_colour() -> None:
    out = spawn("matrix", "--feature", "vm-workloads", NO_COLOR="1")
    assert not COLOUR_SGR.search(out)
    plain = re.sub(r"\x1b\[[0-9;]*m", "", out)
    cells = BY_ID["vm-workloads"]["cells"]
    assert LEVEL_MARK.findall(plain.split("Levels:")[0]) == [
        f"{SYMBOL[cells[o]['level']]} {cells[o]['level']}" for o in OPTION_IDS
    ]


@pytest.mark.slow
def test_piped_output_has_no_escape_codes(tmp_path) -> None:
    for args in (["matrix"], ["data", "show"]):
        done = subprocess.run(
            [sys.executable, "-m", "advisor", *args], capture_output=True, text=True, cwd=tmp_path, timeout=60
        )
        assert done.returncode == 0, done.stderr
        assert "\x1b" not in done.stdout and done.stdout
