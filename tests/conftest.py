"""Shared test fixtures: run the real entry point in-process, and a copy of the bundled data to edit."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path
from typing import Any, Callable

import pytest
import tomli_w

from advisor.catalog.files import bundled_data_dir
from advisor.catalog.models import DATA_FILES
from outcomes import Outcome, run_cli


@pytest.fixture
def cli() -> Callable[..., Outcome]:
    """`cli("matrix", "--format", "json")` runs mesh-advisor in-process: `rc, out, err = cli(...)`.

    The same helper as `outcomes.run_cli`, which modules import directly where no fixture fits.
    """
    return run_cli


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A directory holding a copy of every bundled data file, for a test to break."""
    target = tmp_path / "data"
    target.mkdir()
    for name in DATA_FILES:
        shutil.copy(bundled_data_dir() / name, target / name)
    return target


@pytest.fixture
def rewrite() -> Callable[[Path, Callable[[dict[str, Any]], None]], None]:
    """`rewrite(dir / "features.toml", change)`: parse the file, let `change` edit the dict, write it back.

    Edits go through the parsed document rather than the text so the tests keep working when the
    data's wording changes.
    """

    def apply(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
        change(doc)
        path.write_text(tomli_w.dumps(doc), encoding="utf-8")

    return apply
