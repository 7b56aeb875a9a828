"""Shared test fixtures: run the real entry point in-process, and a copy of the bundled data to edit."""

from __future__ import annotations

import functools
import os
import shutil
import sys
import tomllib
from pathlib import Path
from typing import Any, Callable

import pytest

# Bytecode. The suite starts a few hundred `python -m advisor` processes (pipes, terminals, signals);
# with PYTHONDONTWRITEBYTECODE set (some CI images set it) each one compiled the package from source
# again (bench/README.md, "Issue 20: the test suite's time"). The suite writes bytecode as Python does by default
# (advisor/**/__pycache__, which git ignores), so each module is compiled once. Set here, before the
# xdist workers start, so they and every process they start inherit it.
if sys.dont_write_bytecode or os.environ.get("PYTHONDONTWRITEBYTECODE"):
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    sys.dont_write_bytecode = False
if not sys.dont_write_bytecode and "PYTEST_XDIST_WORKER" not in os.environ:
    # Compiled once here, before the workers start, rather than by each worker and by the first of
    # the processes they start, all at once (on a fresh clone). Up to date already: only stat calls.
    import compileall

    compileall.compile_dir(Path(__file__).resolve().parent.parent / "advisor", quiet=1)

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


@pytest.fixture(autouse=True, scope="session")
def _default_key_bindings_built_once() -> Any:
    """prompt_toolkit builds its ~600 default key bindings again for every prompt (Application.__init__
    calls load_key_bindings()); the wizard tests put up a few thousand prompts, and building them was
    much of their time (bench/README.md). The bindings are the same every time and hold no state of their own (their
    filters ask the running application), so tests build them once per worker. The wizard itself is
    unchanged: a person waits for one prompt at a time."""
    application = sys.modules.get("prompt_toolkit.application.application")
    if application is None:  # no collected test put up a prompt
        yield
        return
    original = application.load_key_bindings
    application.load_key_bindings = functools.cache(original)
    try:
        yield
    finally:
        application.load_key_bindings = original


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto` (pyproject.toml): one worker per core, plus one. About a fifth of the suite's time is
    spent waiting rather than computing (deadlines that must pass, signals sent after a pause, a
    kubectl or Prometheus on loopback, pseudo-terminals), and the extra worker computes meanwhile
    (measured in bench/README.md, "Issue 20: the test suite's time")."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if "not slow" in (config.getoption("markexpr", "") or ""):
        return cores  # the fast loop waits for nothing: an extra worker only collects the tests again
    return cores + 1


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The tests marked slow first, each group in file order: pytest-xdist hands tests out in this
    order, so the long ones start while there is still short work to fill in around them, and the run
    does not end waiting on one long test that started last."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
