"""The wheel ships the bundled data, and the package it holds runs from outside the repository.

Building the wheel is the slowest part; set MESH_ADVISOR_SKIP_WHEEL=1 to skip it on a
workstation (CI always runs it). Installing the wheel with its dependencies into a fresh virtual
environment needs the package index, so .ci/run does that part and runs the installed
`mesh-advisor` from a temporary directory.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from advisor import __version__
from advisor.catalog.models import DATA_FILES, OTHER_DATA_FILES

REPO = Path(__file__).resolve().parent.parent.parent

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("MESH_ADVISOR_SKIP_WHEEL") == "1" and not os.environ.get("CI"),
        reason="MESH_ADVISOR_SKIP_WHEEL=1",
    ),
]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run(
        # Without build isolation: the build's requirements (hatchling, pydantic, typer) come with the
        # test extra, so no environment is made for it. .ci/run's `pip install` builds it isolated.
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--quiet",
            "-w",
            str(out),
            str(REPO),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (built,) = out.glob("mesh_advisor-*.whl")
    return built


def test_the_wheel_ships_every_data_file_unchanged(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        for name in (*DATA_FILES, *OTHER_DATA_FILES):
            assert f"advisor/_data/{name}" in names
            assert zf.read(f"advisor/_data/{name}") == (REPO / "data" / name).read_bytes(), name
        # every module, subpackages (advisor/scan/) included
        modules = {p.relative_to(REPO).as_posix() for p in (REPO / "advisor").rglob("*.py")}
        assert {n for n in names if n.startswith("advisor/") and n.endswith(".py")} == modules
        entry_points = next(zf.read(n).decode() for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "mesh-advisor = advisor.__main__:main" in entry_points
    assert wheel.name.startswith(f"mesh_advisor-{__version__}-")


def test_the_wheels_package_finds_its_own_data_from_another_directory(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # The unpacked wheel goes first on sys.path, ahead of the editable checkout.
    runner = (
        "import sys; sys.path.insert(0, sys.argv.pop(1)); "
        "import advisor; from advisor.__main__ import main; "
        "print(advisor.__file__, file=sys.stderr); sys.exit(main(sys.argv[1:]))"
    )

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", runner, str(site), *args],
            capture_output=True,
            text=True,
            cwd=elsewhere,
            timeout=120,
            env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
        )

    version = run("--version")
    assert (version.returncode, version.stdout) == (0, f"mesh-advisor {__version__}\n")
    assert version.stderr.startswith(str(site / "advisor"))

    matrix = run("matrix", "--format", "json")
    assert matrix.returncode == 0, matrix.stderr
    assert len(json.loads(matrix.stdout)["features"]) >= 23

    shown = run("data", "show", "--format", "json")
    assert shown.returncode == 0, shown.stderr
    files = json.loads(shown.stdout)["files"]
    assert files == {name: str(site / "advisor" / "_data" / name) for name in DATA_FILES}


def test_the_wheel_installs_a_man_page_that_man_renders(wheel: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        (name,) = [n for n in zf.namelist() if n.endswith(".data/data/share/man/man1/mesh-advisor.1")]
        page = tmp_path / "mesh-advisor.1"
        page.write_bytes(zf.read(name))
    shown = subprocess.run(
        ["man", "-l", str(page)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "MANWIDTH": "100", "MANPAGER": "cat", "PAGER": "cat"},
    )
    assert shown.returncode == 0, shown.stderr
    text = shown.stdout
    assert text.startswith("MESH-ADVISOR(1)")
    assert f"mesh-advisor {__version__}" in text
    # every command is a section, with its own flags under it
    for heading in ("mesh-advisor recommend", "mesh-advisor plan", "mesh-advisor data validate"):
        assert heading in text
    assert "--what-if-limit N" in text and "--sweep" in text
    assert "EXIT STATUS" in text
