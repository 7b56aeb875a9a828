"""The validated-catalog cache: same answers with or without it, rebuilt when data or the cache changes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from advisor.catalog import load_catalog

# Each test validates data afresh or starts mesh-advisor in a subprocess.
pytestmark = pytest.mark.slow


def _run(env_extra: dict[str, str], *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **env_extra}
    return subprocess.run([sys.executable, "-m", "advisor", *args], capture_output=True, text=True, env=env, cwd=cwd)


def test_cached_and_uncached_runs_give_the_same_document(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    docs = []
    for env in ({"MESH_ADVISOR_CACHE_DIR": str(cache)}, {"MESH_ADVISOR_CACHE_DIR": str(cache)}, {"MESH_ADVISOR_NO_CACHE": "1"}):
        proc = _run(env, "recommend", "--pods", "900", "--require", "mtls", "--format", "json")
        assert proc.returncode == 0, proc.stderr
        doc = json.loads(proc.stdout)
        doc["meta"].pop("generated_at")
        docs.append(doc)
    assert docs[0] == docs[1] == docs[2]
    assert len(list(cache.glob("catalog-*.pickle"))) == 1


def test_no_cache_writes_nothing(tmp_path: Path) -> None:
    proc = _run({"MESH_ADVISOR_NO_CACHE": "1", "XDG_CACHE_HOME": str(tmp_path), "MESH_ADVISOR_CACHE_DIR": ""}, "matrix", "--format", "json")
    assert proc.returncode == 0
    assert list(tmp_path.iterdir()) == []


def test_a_corrupt_cache_file_is_rebuilt(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = _run({"MESH_ADVISOR_CACHE_DIR": str(cache)}, "cost", "--format", "json")
    (entry,) = cache.glob("catalog-*.pickle")
    entry.write_bytes(b"not a pickle")
    again = _run({"MESH_ADVISOR_CACHE_DIR": str(cache)}, "cost", "--format", "json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["options"] == json.loads(first.stdout)["options"]


def test_changed_data_is_validated_again(tmp_path: Path, data_dir: Path) -> None:
    cache = tmp_path / "cache"
    env = {"MESH_ADVISOR_CACHE_DIR": str(cache)}
    assert _run(env, "recommend", "--data-dir", str(data_dir), "--format", "json").returncode == 0
    pricing = data_dir / "pricing.toml"
    pricing.write_text(pricing.read_text().replace('kind = "published-claim"', 'kind = "rumour"', 1))
    proc = _run(env, "recommend", "--data-dir", str(data_dir), "--format", "json")
    assert proc.returncode == 2
    assert "pricing.toml: presets." in proc.stderr and "'rumour'" in proc.stderr


def test_an_unwritable_cache_directory_is_not_an_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache directory should be")
    proc = _run({"MESH_ADVISOR_CACHE_DIR": str(blocker / "cache")}, "recommend", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["recommendation"]["choice"]


@pytest.mark.parametrize("command", [["recommend", "--format", "json"], ["cost", "--format", "json"]])
def test_json_commands_import_neither_pydantic_nor_rich_nor_questionary_once_cached(tmp_path: Path, command: list[str]) -> None:
    env = {**os.environ, "MESH_ADVISOR_CACHE_DIR": str(tmp_path)}
    code = (
        "import sys, io, contextlib; from advisor.__main__ import main\n"
        f"with contextlib.redirect_stdout(io.StringIO()): rc = main({command!r})\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'pydantic', 'rich', 'questionary'})\n"
        "print(rc, ','.join(heavy) or 'none')"
    )
    warm = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert warm.stdout.split()[0] == "0"  # the first run validates (pydantic) and fills the cache
    cached = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert cached.stdout.split() == ["0", "none"]


def test_in_process_loads_share_one_catalog_per_content() -> None:
    assert load_catalog() is load_catalog()


def test_a_cache_others_could_write_is_not_trusted(tmp_path: Path) -> None:
    # Loading a pickle runs code: a cache file writable by group or others is ignored, not loaded.
    cache = tmp_path / "cache"
    env = {"MESH_ADVISOR_CACHE_DIR": str(cache)}
    assert _run(env, "recommend", "--format", "json").returncode == 0
    (entry,) = cache.glob("catalog-*.pickle")
    assert entry.stat().st_mode & 0o077 == 0  # written private
    entry.write_bytes(b"\x80\x04K\x01.")  # a valid pickle of the number 1: loaded, it would not be a Catalog
    entry.chmod(0o666)
    proc = _run(env, "recommend", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["recommendation"]["choice"]


def test_private_check_refuses_group_writable_files(tmp_path: Path) -> None:
    from advisor.catalog import _private

    f = tmp_path / "x.pickle"
    f.write_bytes(b"")
    tmp_path.chmod(0o700)
    f.chmod(0o600)
    assert _private(f)
    f.chmod(0o620)
    assert not _private(f)


def test_the_cache_key_changes_with_the_models_shape(monkeypatch) -> None:
    # A catalog pickled by a version of the code whose models had other fields must not be loaded.
    import advisor.catalog as catalog

    files = catalog.data_files(None)
    before = catalog._content_key(files)

    @catalog.model
    class Extra:
        added: str = ""

    try:
        assert catalog._content_key(files) != before
    finally:
        catalog._MODEL_CLASSES.remove(Extra)
    assert catalog._content_key(files) == before
