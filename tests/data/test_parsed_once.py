"""Data files are parsed once per process and the parsed document is shared (advisor.reading.parse_data_file):
no command may change it, or the next reader of the same bytes would see another file."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from outcomes import run_cli

from advisor.catalog.files import bundled_data_dir
from advisor.catalog.models import DATA_FILES, OTHER_DATA_FILES
from advisor.reading import parse_data_file

FIX = Path(__file__).resolve().parent.parent / "fixtures" / "scan"

# Wrong-typed values each reader replaces or skips while it reports them.
BROKEN = {
    "signals.toml": b"signals = 5\nresources = 5\nworkloads = 5\nl7_ports = 5\n",
    "features.toml": b"options = 5\nfeatures = 5\n",
    "platforms.toml": b"platforms = 5\n",
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_no_command_changes_a_parsed_data_file(tmp_path: Path, name: str) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / name).write_bytes(BROKEN[name])
    for args in (["data", "validate", str(data)], ["scan", str(FIX / "bookinfo"), "--data-dir", str(data)]):
        assert run_cli(*args).rc == 2
    # the same bytes read again: what the file says, not what a reader left behind
    assert parse_data_file(BROKEN[name]) == tomllib.loads(BROKEN[name].decode())
    for bundled in (*DATA_FILES, *OTHER_DATA_FILES):
        content = (bundled_data_dir() / bundled).read_bytes()
        assert parse_data_file(content) == tomllib.loads(content.decode()), bundled
