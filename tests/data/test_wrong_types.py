"""A value of the wrong type anywhere near the top of a data file (`platforms = 5`, an option whose
`traits = 5` or whose `id` is a list) is a named problem, exit 2, in `data validate`, in the commands
that use the data and in `scan`: never an internal error. The checks that walk the files as written
(so that one bad value does not hide the others) once tripped over exactly these."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Callable

import pytest
import tomli_w
from outcomes import run_cli

from advisor.catalog.files import bundled_data_dir
from advisor.catalog.models import DATA_FILES, SIGNALS_FILE

pytestmark = pytest.mark.slow  # a few hundred runs against fresh data directories

BOOKINFO = Path(__file__).resolve().parent.parent / "fixtures" / "scan" / "bookinfo"
WRONG = (5, [1])  # not iterable; unhashable (what the walks over the files as written tripped over)


def _edits(name: str) -> list[tuple[str, Callable[[dict[str, Any]], None]]]:
    """Every top-level key, and every key of the first table of each array of tables, set to each wrong value."""
    doc = tomllib.loads((bundled_data_dir() / name).read_text(encoding="utf-8"))
    out: list[tuple[str, Callable[[dict[str, Any]], None]]] = []
    for key, value in doc.items():
        for wrong in WRONG:
            if type(wrong) is not type(value):
                out.append((f"{key} = {wrong!r}", lambda d, k=key, w=wrong: d.__setitem__(k, w)))
        if isinstance(value, list) and value and isinstance(value[0], dict):
            for inner, was in value[0].items():
                for wrong in WRONG:
                    if type(wrong) is not type(was):
                        out.append(
                            (
                                f"{key}[0].{inner} = {wrong!r}",
                                lambda d, k=key, i=inner, w=wrong: d[k][0].__setitem__(i, w),
                            )
                        )
    return out


@pytest.mark.parametrize("name", [*DATA_FILES, SIGNALS_FILE])
def test_a_wrong_type_is_a_named_problem_not_an_internal_error(tmp_path: Path, name: str) -> None:
    crashes = []
    for n, (label, edit) in enumerate(_edits(name)):
        doc = tomllib.loads((bundled_data_dir() / name).read_text(encoding="utf-8"))
        edit(doc)
        data = tmp_path / f"d{n}"
        data.mkdir()
        (data / name).write_text(tomli_w.dumps(doc), encoding="utf-8")
        commands = [["data", "validate", str(data)], ["recommend", "--data-dir", str(data), "--format", "json"]]
        if name == SIGNALS_FILE:
            commands.append(["scan", str(BOOKINFO), "--data-dir", str(data), "--format", "json"])
        for command in commands:
            rc, _, err = run_cli(*command)
            if rc not in (0, 2) or "internal error" in err:
                crashes.append(f"{label}: {command[0]}: exit {rc}: {err.strip()[:200]}")
    assert crashes == []
