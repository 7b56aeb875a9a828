"""`data validate` and `data show`: every problem named by file and field in one run; every figure shown with its source."""

from __future__ import annotations

import json
import tomllib
from typing import Any, Callable

import pytest

from advisor.catalog.models import DATA_FILES, SIGNALS_FILE
from advisor.catalog.files import bundled_data_dir

BUNDLED = {name: tomllib.loads((bundled_data_dir() / name).read_text(encoding="utf-8")) for name in DATA_FILES}
DEFAULT_PROFILE = BUNDLED["benchmarks.toml"]["default_profile"]


def position(doc: dict[str, Any], key: str, entry_id: str) -> int:
    return next(i for i, e in enumerate(doc[key]) if e["id"] == entry_id)


def feature(doc: dict[str, Any], fid: str) -> dict[str, Any]:
    return doc["features"][position(doc, "features", fid)]


def at(name: str, key: str, entry_id: str) -> str:
    """`features.3(wasm)`: how problems name an entry of an array of tables."""
    return f"{key}.{position(BUNDLED[name], key, entry_id)}({entry_id})"


MTLS = at("features.toml", "features", "mtls")
ZTUNNEL = at("benchmarks.toml", "components", "ztunnel")
INGRESS_RULE = next(r["id"] for r in BUNDLED["rules.toml"]["rules"] if "wants_any" in r.get("when", {}))
RULE = at("rules.toml", "rules", INGRESS_RULE)
LINKERD_CPU = f"profiles.{DEFAULT_PROFILE}.figures.linkerd-proxy.cpu_vcpu_per_1000rps"
DERIVED_PRICE = next(
    (pid, name)
    for pid, p in BUNDLED["pricing.toml"]["presets"].items()
    for name in ("cpu_usd_per_vcpu_hour", "memory_usd_per_gib_hour")
    if p[name]["kind"] == "derived"
)


def del_key(table: dict[str, Any], key: str) -> None:
    assert key in table
    del table[key]


def linkerd_cpu(doc: dict[str, Any]) -> dict[str, Any]:
    fig = doc["profiles"][DEFAULT_PROFILE]["figures"]["linkerd-proxy"]["cpu_vcpu_per_1000rps"]
    assert fig["kind"] == "derived"
    return fig


def set_extends(pid: str, target: str) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        doc["profiles"][pid]["extends"] = target

    return change


def other_profile() -> str:
    return next(
        p for p, prof in BUNDLED["benchmarks.toml"]["profiles"].items() if prof.get("extends") == DEFAULT_PROFILE
    )


# (file, change to the parsed document, a problem line `data validate` must print)
CASES: dict[str, tuple[str, Callable[[dict[str, Any]], None], str]] = {
    "replicas pinned by an answer that does not exist": (
        "benchmarks.toml",
        lambda d: next(c for c in d["components"] if c["id"] == "istiod").update(replicas_answer="istio_replicas"),
        "benchmarks.toml: components.3(istiod).replicas_answer: 'istio_replicas' is not a whole-number answer "
        "(expected one of istiod_replicas)",
    ),
    "missing source (cell)": (
        "features.toml",
        lambda d: del_key(feature(d, "mtls")["cells"]["linkerd"], "source"),
        f"features.toml: {MTLS}.cells.linkerd.source: required field is missing",
    ),
    "missing source (figure)": (
        "benchmarks.toml",
        lambda d: del_key(linkerd_cpu(d), "source"),
        f"benchmarks.toml: {LINKERD_CPU}.source: required field is missing",
    ),
    "unknown level": (
        "features.toml",
        lambda d: feature(d, "mtls")["cells"]["linkerd"].update(level="ga"),
        f"features.toml: {MTLS}.cells.linkerd.level: Input should be 'full', 'beta', 'partial', 'alpha' or 'none' (got 'ga')",
    ),
    "unknown option id (cell)": (
        "features.toml",
        lambda d: feature(d, "mtls")["cells"].update(
            {"istio-ambiant": feature(d, "mtls")["cells"].pop("istio-ambient")}
        ),
        f"features.toml: {MTLS}.cells.istio-ambiant: unknown option id (expected linkerd, istio-sidecar, istio-ambient)",
    ),
    "unknown option id (component)": (
        "benchmarks.toml",
        lambda d: d["components"][position(d, "components", "ztunnel")].update(option="istio-ambiant"),
        f"benchmarks.toml: {ZTUNNEL}.option: unknown option id 'istio-ambiant' (expected linkerd, istio-sidecar, istio-ambient)",
    ),
    "unknown feature id in wants_any": (
        "rules.toml",
        lambda d: d["rules"][position(d, "rules", INGRESS_RULE)].update(when={"wants_any": ["ingress-gw"]}),
        f"rules.toml: {RULE}.when.wants_any: unknown feature id 'ingress-gw'",
    ),
    "unknown feature id in requires_any": (
        "rules.toml",
        lambda d: d["rules"][position(d, "rules", INGRESS_RULE)].update(when={"requires_any": ["fault-injektion"]}),
        f"rules.toml: {RULE}.when.requires_any: unknown feature id 'fault-injektion'",
    ),
    "duplicated feature": (
        "features.toml",
        lambda d: feature(d, "wasm").update(id="mtls"),
        "features.toml: features: feature 'mtls' is defined twice",
    ),
    "wrong type (number as text)": (
        "rules.toml",
        lambda d: d.update(close_margin="three"),
        "rules.toml: close_margin: Input should be a valid number, unable to parse string as a number (got 'three')",
    ),
    "wrong type (quoted figure value)": (
        "benchmarks.toml",
        lambda d: linkerd_cpu(d).update(value=str(linkerd_cpu(d)["value"])),
        f"benchmarks.toml: {LINKERD_CPU}.value: Input should be a valid number",
    ),
    "derived figure without a note": (
        "benchmarks.toml",
        lambda d: del_key(linkerd_cpu(d), "note"),
        f"benchmarks.toml: {LINKERD_CPU}.note: a derived figure must say how it was derived",
    ),
    "derived price without a note": (
        "pricing.toml",
        lambda d: del_key(d["presets"][DERIVED_PRICE[0]][DERIVED_PRICE[1]], "note"),
        f"pricing.toml: presets.{DERIVED_PRICE[0]}.{DERIVED_PRICE[1]}.note: a derived figure must say how it was derived",
    ),
    "wrong unit (figure)": (
        "benchmarks.toml",
        lambda d: linkerd_cpu(d).update(unit="vCPU/krps"),
        f"benchmarks.toml: {LINKERD_CPU}.unit: expected 'vCPU per 1000 rps', got 'vCPU/krps'",
    ),
    "wrong unit (price)": (
        "pricing.toml",
        lambda d: d["presets"][d["default_preset"]]["cpu_usd_per_vcpu_hour"].update(unit="USD per CPU-month"),
        f"pricing.toml: presets.{BUNDLED['pricing.toml']['default_preset']}.cpu_usd_per_vcpu_hour.unit: "
        "expected 'USD per vCPU-hour', got 'USD per CPU-month'",
    ),
    "profile extends cycle": (
        "benchmarks.toml",
        set_extends(DEFAULT_PROFILE, other_profile()),
        f"benchmarks.toml: profiles.{DEFAULT_PROFILE}.extends: profiles extend each other in a cycle",
    ),
    "profile extends an unknown profile": (
        "benchmarks.toml",
        set_extends(other_profile(), "istio-1.99"),
        f"benchmarks.toml: profiles.{other_profile()}.extends: unknown profile 'istio-1.99'",
    ),
    "unknown default profile": (
        "benchmarks.toml",
        lambda d: d.update(default_profile="istio-9"),
        "benchmarks.toml: default_profile: unknown profile 'istio-9'",
    ),
    "missing cell": (
        "features.toml",
        lambda d: del_key(feature(d, "mtls")["cells"], "istio-ambient"),
        f"features.toml: {MTLS}.cells.istio-ambient: cell is missing",
    ),
    "unknown field": (
        "features.toml",
        lambda d: feature(d, "mtls")["cells"]["linkerd"].update(sorce="https://example.org"),
        f"features.toml: {MTLS}.cells.linkerd.sorce: unknown field",
    ),
}


def problem_lines(err: str) -> list[str]:
    return [line.strip() for line in err.splitlines()[1:]]


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.slow
def test_each_problem_is_named_by_file_and_field(case, data_dir, rewrite, cli) -> None:
    name, change, expected = CASES[case]
    rewrite(data_dir / name, change)
    rc, out, err = cli("data", "validate", str(data_dir))
    assert (rc, out) == (2, "")
    assert err.startswith(f"mesh-advisor: {data_dir}: ")
    lines = problem_lines(err)
    assert any(line.startswith(expected) for line in lines), "\n".join(lines)
    assert "Traceback" not in err


def test_a_toml_syntax_error_names_the_file_and_line(data_dir, cli) -> None:
    path = data_dir / "pricing.toml"
    path.write_text(path.read_text(encoding="utf-8") + "\n[presets.broken\nvalue = 1\n", encoding="utf-8")
    line = path.read_text(encoding="utf-8").count("\n") - 1
    rc, _, err = cli("data", "validate", str(data_dir))
    assert rc == 2
    assert f"pricing.toml: TOML syntax error: Expected ']' at the end of a table declaration (at line {line}," in err


def test_every_problem_in_every_file_is_reported_in_one_run(data_dir, rewrite, cli) -> None:
    by_file: dict[str, list[str]] = {}
    # one run with a problem of each kind; those editing the same entry in conflicting ways are left out
    chosen = [
        c
        for c in CASES
        if c
        not in (
            "unknown option id (cell)",
            "profile extends an unknown profile",
            "missing source (figure)",
            "wrong type (quoted figure value)",
            "unknown feature id in requires_any",
        )
    ]
    for case in chosen:
        name, change, expected = CASES[case]
        rewrite(data_dir / name, change)
        by_file.setdefault(name, []).append(expected)
    (data_dir / "extra.toml").write_text("a = 1\n", encoding="utf-8")

    rc, _, err = cli("data", "validate", str(data_dir))
    assert rc == 2
    lines = problem_lines(err)
    missing = [e for exp in by_file.values() for e in exp if not any(line.startswith(e) for line in lines)]
    assert missing == []
    assert err.splitlines()[0] == f"mesh-advisor: {data_dir}: {len(lines)} problems:"
    # grouped by file, in the usual order, stray files first
    files = [line.split(":", 1)[0] for line in lines]
    assert files[0] == "extra.toml"
    # signals.toml (the scan's data, checked against the same options and platforms) comes last
    assert files[1:] == sorted(files[1:], key=(*DATA_FILES, SIGNALS_FILE).index)


@pytest.mark.parametrize("command", [["recommend"], ["matrix"], ["cost"], ["data", "show"]])
def test_commands_refuse_bad_data_with_every_problem(command, data_dir, rewrite, cli) -> None:
    for case in ("unknown level", "wrong unit (price)", "unknown feature id in wants_any"):
        name, change, _ = CASES[case]
        rewrite(data_dir / name, change)
    rc, out, err = cli(*command, "--data-dir", str(data_dir))
    assert (rc, out) == (2, "")
    assert err.splitlines()[0] == f"mesh-advisor: data directory {data_dir} is invalid (3 problems):"
    assert [line.split(":", 1)[0] for line in problem_lines(err)] == ["features.toml", "pricing.toml", "rules.toml"]
    assert "Traceback" not in err


def test_data_validate_accepts_a_good_partial_dir(tmp_path, cli) -> None:
    (tmp_path / "rules.toml").write_bytes((bundled_data_dir() / "rules.toml").read_bytes())
    rc, out, err = cli("data", "validate", str(tmp_path))
    assert (rc, err) == (0, "")
    assert out.startswith(f"{tmp_path}: OK")


# ---------------------------------------------------------------- data show


def written_figures() -> list[tuple[tuple[str, ...], str, str, dict[str, Any]]]:
    """(path to the section, owner, figure name, figure) for every figure in benchmarks.toml and pricing.toml."""
    out = []
    for pid, prof in BUNDLED["benchmarks.toml"]["profiles"].items():
        for section in ("figures", "latency"):
            for owner, figs in prof.get(section, {}).items():
                for name, fig in figs.items():
                    out.append((("profiles", pid, section), owner, name, fig))
    for pid, preset in BUNDLED["pricing.toml"]["presets"].items():
        for name in ("cpu_usd_per_vcpu_hour", "memory_usd_per_gib_hour"):
            out.append((("prices",), pid, name, preset[name]))
    return out


def lookup(doc: dict[str, Any], section: tuple[str, ...], owner: str, name: str) -> dict[str, Any]:
    node: Any = doc
    for key in section:
        node = node[key]
    return node[owner][name]


@pytest.mark.parametrize("fmt", ["json", "toml"])
def test_data_show_carries_every_figure_with_its_source(fmt, cli) -> None:
    rc, out, err = cli("data", "show", "--format", fmt)
    assert (rc, err) == (0, "")
    doc = json.loads(out) if fmt == "json" else tomllib.loads(out)
    assert doc["meta"]["data_version"] == BUNDLED["features.toml"]["data_version"]
    figures = written_figures()
    assert len(figures) >= 50
    for section, owner, name, fig in figures:
        shown = lookup(doc, section, owner, name)
        for key in ("value", "unit", "source", "version", "kind"):
            assert shown[key] == fig[key], (section, owner, name, key)
        assert shown.get("note", "") == fig.get("note", "")


def test_data_show_table_prints_every_figure_with_its_source(monkeypatch, cli) -> None:
    monkeypatch.setenv("COLUMNS", "400")  # wide enough that no source is folded
    rc, out, err = cli("data", "show")
    assert (rc, err) == (0, "")
    lines = out.splitlines()
    for section, owner, name, fig in written_figures():
        head = f"{name} {fig['value']:.10g} {fig['unit']}  {fig['kind']}"
        found = [i for i, line in enumerate(lines) if line.strip().startswith(head)]
        assert found, head
        # the figure's source follows within its block, whole on its own line
        assert any(any(line.strip() == f"source {fig['source']}" for line in lines[i + 1 : i + 5]) for i in found), (
            owner,
            name,
        )
    assert f"Data version {BUNDLED['features.toml']['data_version']}" in out


def test_data_show_table_has_no_colour_when_piped(cli) -> None:
    rc, out, _ = cli("data", "show")
    assert rc == 0
    assert "\x1b[" not in out
