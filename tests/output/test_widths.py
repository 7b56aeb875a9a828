"""Readable at 60, 80 and 120 columns: no word broken in the middle, every source URL whole on one
line (to click or copy), nothing else wider than the terminal. Rendered in-process at a fixed width."""

from __future__ import annotations

import io
import re

import pytest
from rich.cells import cell_len

from advisor.__main__ import main
from advisor.catalog.models import figure_items
from advisor.catalog.load import load_catalog
from advisor.environment import Environment
from outcomes import run_cli

WIDTHS = [60, 80, 120]
CATALOG = load_catalog()
# Source URLs and shell commands are printed whole on their own line (to click or copy): the terminal wraps them.
SOURCE_LINE = re.compile(r"^\s*(\[\d+\]|source|command \d+:) ")


def render(width: int, *args: str) -> str:
    outcome = run_cli(*args, columns=width, environ={"NO_COLOR": "1"})
    assert outcome.rc == 0, str(outcome)
    return outcome.out


def assert_fits(text: str, width: int) -> None:
    for line in text.splitlines():
        if not SOURCE_LINE.match(line):
            assert cell_len(line.rstrip()) <= width, line


def assert_sources_whole(text: str, sources: set[str]) -> None:
    lines = text.splitlines()
    for source in sources:
        assert any(source in line for line in lines), f"source split or missing: {source}"


@pytest.mark.parametrize("width", WIDTHS)
def test_matrix_breaks_no_word_and_keeps_every_url_whole(width: int) -> None:
    text = render(width, "matrix")
    words = set(text.split())
    for feature in CATALOG.features.features:
        for cell in feature.cells.values():
            for word in cell.note.split():
                assert word in words, f"{word!r} broken at {width} columns"
        for word in feature.name.split():
            assert word in words
    assert_sources_whole(text, {c.source for f in CATALOG.features.features for c in f.cells.values()})
    assert_fits(text, width)


def test_matrix_is_a_table_when_every_word_fits() -> None:
    text = render(200, "matrix")
    assert re.search(r"Capability\s+Linkerd", text)
    assert "Service-to-service" in text.split()


@pytest.mark.parametrize("width", WIDTHS)
def test_recommend_lists_its_sources_whole(width: int) -> None:
    text = render(
        width, "recommend", "--pods", "2000", "--nodes", "40", "--require", "fault-injection", "--risk", "conservative"
    )
    assert "Sources:" in text
    assert_sources_whole(
        text,
        {
            "https://istio.io/latest/docs/tasks/traffic-management/fault-injection/",
            "https://istio.io/latest/docs/ambient/usage/l7-features/",
        },
    )
    assert_fits(text, width)


@pytest.mark.parametrize("width", WIDTHS)
def test_data_show_keeps_every_figure_source_on_one_line(width: int) -> None:
    text = render(width, "data", "show")
    sources = {
        fig.source
        for prof in CATALOG.benchmarks.profiles.values()
        for figs in prof.figures.values()
        for _, fig in figure_items(figs)
    }
    assert_sources_whole(text, sources)
    assert_fits(text, width)


@pytest.mark.parametrize("width", WIDTHS)
def test_plan_numbers_its_sources_and_lists_each_whole_once(width: int, tmp_path) -> None:
    # the plan's tables give [n] references; the list below them holds each source once, whole
    from pathlib import Path

    cluster = tmp_path / "cluster.toml"
    plans = Path(__file__).parent.parent / "plans" / "sidecar-cluster"
    assert main(["scan", str(plans), "-o", str(cluster)], Environment(stdout=io.StringIO(), stderr=io.StringIO())) == 0
    text = render(width, "plan", str(cluster), "--to", "istio-ambient", "--format", "table")
    listed = re.findall(r"^ \[(\d+)\] (\S+)$", text[text.index("Sources:") :], re.M)
    assert [int(n) for n, _ in listed] == list(range(1, len(listed) + 1))
    urls = [src for _, src in listed]
    assert len(urls) == len(set(urls)) >= 10  # each once (the cost figures repeat many)
    assert "https://istio.io/latest/docs/ambient/migrate/" in urls
    # a reference stands alone ("[3]"); an object's field path ("containers[0]") is not one
    cited = {int(n) for n in re.findall(r"(?<![\w\]])\[(\d+)\](?=\s|$)", text[: text.index("Sources:")], re.M)}
    assert cited == set(range(1, len(listed) + 1))  # every listed source is cited, and only those
    # the backup command is printed whole, on one line, at every width
    assert (
        "command 1: kubectl get virtualservice,destinationrule,authorizationpolicy,requestauthentication,"
        "peerauthentication,gateway,httproute -A -o yaml"
    ) in text
    # the cost table cites each of its sources once, under the table
    cost_refs = re.search(r"^  sources: (.*)$", text, re.M).group(1).split()
    assert len(cost_refs) == len(set(cost_refs))
    assert_fits(text, width)
