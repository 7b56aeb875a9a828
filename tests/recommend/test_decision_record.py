"""The Markdown decision record (`--format md`): MADR structure, the same numbers as the JSON
document, and escaping that survives hostile data. Each scenario's record is a golden file in its
case folder (tests/cases/<name>/expected.md, checked by tests/recommend/test_cases.py).

The records are parsed with markdown-it-py (CommonMark plus GitHub's tables), the way GitHub reads
them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt

from advisor.catalog.models import CATEGORIES
from outcomes import EPOCH, run_cli

HERE = Path(__file__).parent.parent
DONE_WHEN = ["recommend", "--pods", "1500", "--require", "mtls,header-routing", "--what-if"]
MADR_SECTIONS = [
    "Context and problem statement",
    "Decision drivers",
    "Considered options",
    "Decision outcome",
    "Consequences",
    "Assumptions",
    "More information",
]


def run(*args: str, data_dir: Path | None = None) -> tuple[int, str, str]:
    extra = ["--data-dir", str(data_dir)] if data_dir else []
    return tuple(run_cli(*args, *extra, columns=120, environ={"SOURCE_DATE_EPOCH": EPOCH, "NO_COLOR": "1"}))


def record(*args: str, data_dir: Path | None = None) -> str:
    rc, out, err = run(*args, "--format", "md", data_dir=data_dir)
    assert rc == 0, err
    return out


# ---------------------------------------------------------------- reading Markdown as GitHub does


PARSER = MarkdownIt("commonmark").enable("table")


def parse(text: str) -> dict[str, Any]:
    """Headings (level, text), tables (header and rows of plain cell text), links, code blocks, HTML."""
    tokens = PARSER.parse(text)
    out: dict[str, Any] = {"headings": [], "tables": [], "links": [], "code": [], "html": []}
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type == "heading_open":
            out["headings"].append((int(tok.tag[1]), tokens[i + 1].content and plain(tokens[i + 1])))
        elif tok.type == "table_open":
            rows: list[list[str]] = []
            j = i
            while tokens[j].type != "table_close":
                if tokens[j].type == "tr_open":
                    rows.append([])
                if tokens[j].type == "inline":
                    rows[-1].append(plain(tokens[j]))
                j += 1
            out["tables"].append(rows)
            i = j
        elif tok.type == "fence":
            out["code"].append(tok.content)
        elif tok.type in ("html_block", "html_inline"):
            out["html"].append(tok.content)
        if tok.type == "inline":
            for child in tok.children or []:
                if child.type == "link_open":
                    out["links"].append(child.attrs["href"])
                if child.type == "html_inline":
                    out["html"].append(child.content)
        i += 1
    return out


def plain(inline: Any) -> str:
    """An inline token's text as a reader sees it (markup gone, code spans' content kept)."""
    return "".join(c.content for c in inline.children or [] if c.type in ("text", "code_inline", "softbreak"))


def table_with(doc: dict[str, Any], first_header: str, second_header: str) -> list[list[str]]:
    for rows in doc["tables"]:
        if rows[0][:2] == [first_header, second_header]:
            return rows
    raise AssertionError(f"no table headed {first_header!r}, {second_header!r}")


def money_cell(value: float) -> str:
    return f"${value:,.0f}" if value >= 100 or value == 0 else f"${value:,.2f}"


# ---------------------------------------------------------------- recommend


@pytest.mark.slow  # --what-if
def test_the_done_when_record_has_the_madr_sections_in_order() -> None:
    doc = parse(record(*DONE_WHEN))
    h1 = [t for level, t in doc["headings"] if level == 1]
    assert h1 == ["Use Linkerd as the service mesh"]
    h2 = [t for level, t in doc["headings"] if level == 2]
    assert h2 == MADR_SECTIONS
    h3 = [t for level, t in doc["headings"] if level == 3]
    assert "What would change the decision" in h3 and h3[1].startswith("Why Linkerd scores")
    # Under the considered options, each score explained in one line per category (issue 11).
    assert h3[0] == "How each score adds up"
    record_text = record(*DONE_WHEN)
    assert "Linkerd: total " in record_text and "- features " in record_text and "- operability " in record_text


@pytest.mark.slow  # --what-if
def test_the_options_table_carries_the_json_documents_numbers() -> None:
    rc, out, _ = run(*DONE_WHEN, "--format", "json")
    as_json = json.loads(out)
    doc = parse(record(*DONE_WHEN))
    rows = table_with(doc, "#", "Option")
    head, body = rows[0], rows[1:]
    assert head == [
        "#",
        "Option",
        "Eligible",
        "Total",
        *CATEGORIES,
        "Usage $/month",
        "Requests $/month",
        "Containers added",
        "p50 ms",
        "p90 ms",
        "p99 ms",
    ]
    assert [r[1] for r in body] == [as_json["options"][o]["name"] for o in as_json["recommendation"]["ranking"]]
    for row in body:
        oid = next(o for o, v in as_json["options"].items() if v["name"] == row[1])
        opt = as_json["options"][oid]
        assert row[2] == ("yes" if opt["eligible"] else "blocked")
        assert row[3] == f"{opt['score']:.1f}"
        n = len(CATEGORIES)
        assert row[4 : 4 + n] == [f"{opt['scores'][c]:.1f}" for c in CATEGORIES]
        usage, requests, containers, *latency = row[4 + n :]
        assert usage == money_cell(opt["cost"]["usage"]["monthly_usd"])
        assert requests == money_cell(opt["cost"]["requests"]["monthly_usd"])
        assert containers == f"{opt['cost']['containers_added']:,}"
        assert latency == [f"{opt['latency'][f'end_to_end_p{p}_ms']:.2f}" for p in (50, 90, 99)]


@pytest.mark.slow  # --what-if
def test_the_record_pins_the_done_when_figures() -> None:
    doc = parse(record(*DONE_WHEN))
    rows = {r[1]: r for r in table_with(doc, "#", "Option")[1:]}
    # Linkerd: 1,500 pods + 8 control-plane containers = 1,508 containers added; ambient adds 10
    # ztunnels (one per node) + its control plane and waypoints.
    containers = 6 + len(CATEGORIES)  # #, option, eligible, total, the categories, usage, requests
    assert rows["Linkerd"][containers] == "1,508"
    assert rows["Istio sidecar"][containers] == "1,501"  # 1,500 sidecars + istiod
    answers = {r[0]: r for r in table_with(doc, "Answer", "Value")[1:]}
    assert answers["pods"][1:] == ["1,500 pods", "given (flag)"]
    assert answers["require"][1:] == ["mtls, header-routing", "given (flag)"]
    assert answers["nodes"][2] == "defaulted"


@pytest.mark.slow  # --what-if
def test_sources_are_links_that_work_and_the_command_reproduces_the_record() -> None:
    text = record(*DONE_WHEN)
    doc = parse(text)
    assert doc["links"] and all(href.startswith("https://") for href in doc["links"])
    assert "https://linkerd.io/2-edge/features/automatic-mtls/" in doc["links"]
    # owner/repo:path@commit sources link to that file at that commit
    assert any(h.startswith("https://github.com/danehans/service-mesh-for-less-blog/blob/") for h in doc["links"])
    command = doc["code"][-1].strip()
    assert command == "mesh-advisor recommend --pods 1500 --require mtls --require header-routing --what-if --format md"
    assert record(*command.split()[1:-2]) == text


@pytest.mark.slow  # --what-if
def test_the_what_if_table_lists_the_smallest_changes_first() -> None:
    doc = parse(record(*DONE_WHEN))
    rows = table_with(doc, "#", "Change")
    assert rows[0] == ["#", "Change", "Lead (points)", "Size of change"]
    assert len(rows) - 1 == 5  # the default --what-if-limit
    assert all("would be chosen" in r[1] for r in rows[1:])


def test_blocked_options_say_why_and_what_the_choice_rules_out() -> None:
    text = record("recommend", "--pods", "2000", "--require", "fault-injection", "--risk", "conservative")
    doc = parse(text)
    rows = {r[1]: r for r in table_with(doc, "#", "Option")[1:]}
    assert rows["Istio ambient"][2] == "blocked"
    assert "Istio ambient is ruled out:" in text
    assert "Rules out Istio ambient (it lacks Fault injection (fault-injection))" in text.replace("`", "")


@pytest.mark.slow  # --what-if
def test_a_record_is_written_with_o_and_the_md_extension(tmp_path: Path) -> None:
    target = tmp_path / "decision.md"
    rc, out, err = run(*DONE_WHEN, "-o", str(target))
    assert rc == 0 and "Recommendation:" in out and f"Wrote {target} (MARKDOWN)." in err
    assert target.read_text().startswith("# Use Linkerd as the service mesh\n")


@pytest.mark.parametrize("command", [["matrix"], ["data", "show"], ["cost"]])
def test_commands_without_a_record_refuse_markdown(command: list[str]) -> None:
    rc, out, err = run(*command, "--format", "md")
    assert rc == 2 and out == "" and "markdown is not available for this command" in err


# ---------------------------------------------------------------- hostile text from files


HOSTILE = "a | b <script>alert(1)</script> **bold** [x](javascript:alert(1)) `tick` $5 and $6 ~~gone~~ &amp; _it_"


def test_text_from_data_files_cannot_break_tables_links_or_inject_html(data_dir: Path, rewrite) -> None:
    def edit_features(doc: dict[str, Any]) -> None:
        doc["options"][0]["name"] = "Linkerd " + HOSTILE
        for feature in doc["features"]:
            if feature["id"] == "mtls":
                feature["name"] = "mTLS " + HOSTILE
                feature["cells"]["linkerd"]["note"] = HOSTILE
                feature["cells"]["linkerd"]["source"] = "https://example.com/a|b)(c<d>"

    rewrite(data_dir / "features.toml", edit_features)
    text = record("recommend", "--pods", "1500", "--require", "mtls", data_dir=data_dir)
    doc = parse(text)
    assert doc["html"] == []
    assert all(h.startswith("https://") for h in doc["links"]) and not any("javascript" in h for h in doc["links"])
    assert "https://example.com/a%7Cb%29%28c%3Cd%3E" in doc["links"]
    options = table_with(doc, "#", "Option")
    assert all(len(r) == len(options[0]) for r in options)
    name = next(r[1] for r in options[1:] if r[1].startswith("Linkerd"))
    assert name == "Linkerd " + HOSTILE  # shown literally, every character
    answers = table_with(doc, "Answer", "Value")
    assert all(len(r) == 3 for r in answers)


# ---------------------------------------------------------------- compare


@pytest.fixture
def two_results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    monkeypatch.chdir(tmp_path)
    for name, extra in (("a.json", ["--pods", "500"]), ("b.json", ["--pods", "5000", "--require", "wasm"])):
        rc, _, err = run("recommend", *extra, "-o", name)
        assert rc == 0, err
    return "a.json", "b.json"


def test_the_compare_record_carries_the_comparisons_numbers(two_results: tuple[str, str]) -> None:
    a, b = two_results
    rc, out, _ = run("compare", a, b, "--format", "json")
    comparison = json.loads(out)
    text = record("compare", a, b)
    doc = parse(text)
    assert [t for level, t in doc["headings"] if level == 1] == [
        "Change the service mesh choice from Linkerd to Istio ambient"
    ]
    differ = table_with(doc, "Answer", "A")
    assert differ[1:] == [["pods", "500", "5,000"], ["require", "(none)", "wasm"]]
    options = {r[0]: r for r in table_with(doc, "Option", "Eligible")[1:]}
    for oid, o in comparison["options"].items():
        row = options[o["name"]]
        assert row[2] == f"{o['score']['a']:.1f} → {o['score']['b']:.1f}"
        assert row[3] == f"{o['score']['delta']:+.1f}"
    assert options["Linkerd"][1] == "yes → blocked"
    assert doc["code"][-1].strip() == "mesh-advisor compare a.json b.json --format md"
