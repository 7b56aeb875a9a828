"""Which meshes exist is data: renaming every option id in a copy of the bundled data changes no score,
the scan names the renamed mesh, and plan moves from and to it; an exact copy of an option under a
new id scores exactly like its original. Nothing here names an option: they come from features.toml."""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from mesh_edits import bundled_options, bundled_strings, copy_option, read, rename_options, renamed

from advisor.catalog.files import bundled_data_dir

OPTIONS = bundled_options()
TAKEN = bundled_strings()
# New ids: kebab-case, and equal to no string the bundled data holds (or the walk would rename it too).
NEW_ID = st.from_regex(r"[a-z][a-z0-9]{1,7}(-[a-z0-9]{1,5})?", fullmatch=True).filter(lambda s: s not in TAKEN)
# No shrinking: each example runs the CLI a dozen times; the failing ids are printed as drawn.
SLOW = settings(
    max_examples=4,
    deadline=None,
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
# (cli only runs the entry point and reads what it printed: nothing carries over between examples)

ANSWERS = [
    [],
    ["--pods", "3000", "--nodes", "60", "--mesh-rps", "20000", "--l7-ratio", "0.8", "--control-plane-ha"],
    ["--platform", "gke-autopilot", "--risk", "conservative", "--require", "fault-injection"],
    ["--istiod-replicas", "3", "--prefer", "wasm", "--envoy-experience"],
]


def as_json(cli, *args: str) -> dict[str, Any]:
    rc, out, err = cli(*args, "--format", "json")
    assert rc == 0, err
    return json.loads(out)


def judged(entry: dict[str, Any]) -> list[Any]:
    """What a user compares between two options: score, category scores, eligibility, blockers,
    monthly cost and latency (component ids left out: a copy's components are renamed)."""
    cost = {k: v for k, v in entry["cost"].items() if k != "components"}
    components = [{k: v for k, v in c.items() if k != "id"} for c in entry["cost"].get("components", [])]
    blockers = [b.get("feature") or b.get("id") for b in entry["blockers"]]
    return [entry["score"], entry["scores"], entry["eligible"], blockers, cost, components, entry["latency"]]


def namespace_marking(option: str) -> dict[str, dict[str, str]]:
    """Labels or annotations that make a Namespace meshed by `option`, read from a bundled
    membership signal (so the test follows signals.toml, not a list of its own)."""
    for sig in read(bundled_data_dir() / "signals.toml")["signals"]:
        if sig.get("mesh") != option or sig["kind"] != "Namespace":
            continue
        for alt in sig["match"]:
            m = re.fullmatch(r'metadata\.(labels|annotations)\["([^"]+)"\]', alt["path"])
            if m:
                value = alt.get("equals") or (alt.get("one_of") or ["enabled"])[0]
                return {m.group(1): {m.group(2): value}}
    raise AssertionError(f"no Namespace signal marks {option}")


def manifest(option: str) -> str:
    marking = namespace_marking(option)
    metadata = json.dumps({"name": "shop", **marking})
    # YAML is a superset of JSON: each object on its own, flow style
    return (
        f'{{"apiVersion": "v1", "kind": "Namespace", "metadata": {metadata}}}\n---\n'
        '{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "shop"},'
        ' "spec": {"replicas": 3, "template": {"metadata": {"labels": {"app": "web"}},'
        ' "spec": {"containers": [{"name": "web", "image": "nginx"}]}}}}\n'
    )


def without_meta(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != "meta"}


# ---------------------------------------------------------------- renaming every option


@pytest.mark.slow
@SLOW
@given(new_ids=st.lists(NEW_ID, min_size=len(OPTIONS), max_size=len(OPTIONS), unique=True), pick=st.data())
def test_renamed_options_score_scan_and_plan_like_the_originals(cli, new_ids, pick) -> None:
    mapping = dict(zip(OPTIONS, new_ids))
    back = {new: old for old, new in mapping.items()}
    current = pick.draw(st.sampled_from([*OPTIONS, "none"]), label="current mesh")
    args = pick.draw(st.sampled_from(ANSWERS), label="answers")
    with tempfile.TemporaryDirectory() as tmp:
        data = rename_options(Path(tmp) / "data", mapping)
        rc, out, err = cli("data", "validate", str(data))
        assert (rc, err) == (0, ""), err

        # recommend: the same scores, choice and ranking under the new names
        moved = ["--current-mesh", mapping.get(current, current)]
        renamed_doc = as_json(cli, "recommend", "--data-dir", str(data), *moved, *args)
        bundled_doc = as_json(cli, "recommend", "--current-mesh", current, *args)
        assert renamed(renamed_doc["recommendation"]["ranking"], back) == bundled_doc["recommendation"]["ranking"]
        for old, new in mapping.items():
            assert renamed(judged(renamed_doc["options"][new]), back) == judged(bundled_doc["options"][old]), old

        # scan: a namespace marked for a mesh is meshed by its new id, and the file it writes is
        # read back by recommend and plan with the same data
        meshed = pick.draw(st.sampled_from(OPTIONS), label="scanned mesh")
        path = Path(tmp) / "cluster.yaml"
        path.write_text(manifest(meshed), encoding="utf-8")
        scan = as_json(cli, "scan", str(path), "--data-dir", str(data))
        assert scan["answers"]["current_mesh"] == mapping[meshed]
        assert [n["meshed_by"] for n in scan["scan"]["namespaces"]] == [mapping[meshed]]
        scanned = Path(tmp) / "scan.toml"
        rc, _, err = cli("scan", str(path), "--data-dir", str(data), "-o", str(scanned))
        assert rc == 0, err
        as_json(cli, "recommend", str(scanned), "--data-dir", str(data))

        # plan from the renamed mesh to each other one, and into it from each other one (and from
        # no mesh): exactly the bundled plan, renamed; a move the migration data does not cover is
        # refused with the same message
        bundled_scan = Path(tmp) / "bundled-scan.toml"
        rc, _, err = cli("scan", str(path), "-o", str(bundled_scan))
        assert rc == 0, err
        worked = 0
        for target in OPTIONS:
            if target == meshed:
                continue
            new_plan = plan(cli, back, str(scanned), "--data-dir", str(data), "--to", mapping[target])
            assert new_plan == plan(cli, {}, str(bundled_scan), "--to", target), target
            for source in (target, "none"):
                into = plan(
                    cli,
                    back,
                    "--data-dir",
                    str(data),
                    "--current-mesh",
                    mapping.get(source, source),
                    "--to",
                    mapping[meshed],
                )
                assert into == plan(cli, {}, "--current-mesh", source, "--to", meshed), source
                worked += into[0] == 0
        assert worked, "no plan into the renamed mesh worked"


def plan(cli, back: dict[str, str], *args: str) -> tuple[int, Any]:
    """(0, the plan document without meta) or (exit code, the message), with new ids read back as the old ones."""
    rc, out, err = cli("plan", *args, "--format", "json")
    if rc != 0:
        for new, old in back.items():
            err = re.sub(rf"(?<![\w-]){re.escape(new)}(?![\w-])", old, err)
        return rc, err
    return rc, renamed(without_meta(json.loads(out)), back)


# ---------------------------------------------------------------- an exact copy of an option


@pytest.mark.slow
@SLOW
@given(
    original=st.sampled_from(OPTIONS),
    new=NEW_ID,
    pick=st.data(),
)
def test_an_exact_copy_of_an_option_scores_exactly_like_it(cli, original, new, pick) -> None:
    current = pick.draw(st.sampled_from([o for o in (*OPTIONS, "none") if o != original]), label="current mesh")
    with tempfile.TemporaryDirectory() as tmp:
        data = copy_option(Path(tmp) / "data", original, new, new.replace("-", " ").title())
        rc, _, err = cli("data", "validate", str(data))
        assert (rc, err) == (0, ""), err
        for args in ANSWERS:  # each: the answers that once set one mesh apart (--istiod-replicas) among them
            doc = as_json(cli, "recommend", "--data-dir", str(data), "--current-mesh", current, *args)
            assert judged(doc["options"][new]) == judged(doc["options"][original]), args
            # the other options score as they do without the copy
            bundled = as_json(cli, "recommend", "--current-mesh", current, *args)
            for other in OPTIONS:
                if other != original:
                    assert judged(doc["options"][other]) == judged(bundled["options"][other]), (other, args)
        # and the copy can be planned to wherever the original can (a move the migration data does
        # not cover is refused for both)
        if current != "none":
            to_copy = cli("plan", "--data-dir", str(data), "--current-mesh", current, "--to", new, "--format", "json")
            to_original = cli(
                "plan", "--data-dir", str(data), "--current-mesh", current, "--to", original, "--format", "json"
            )
            assert to_copy[0] == to_original[0], (to_copy[2], to_original[2])
            if to_copy[0] == 0:
                assert len(json.loads(to_copy[1])["phases"]) == len(json.loads(to_original[1])["phases"])
