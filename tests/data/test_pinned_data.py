"""The bundled data is validated ahead of time and pinned (advisor/catalog/_bundled.py); no cache, no pickle.

A run uses the pinned models only when the data files' bytes are exactly the pinned ones, and
otherwise validates the bytes it read, so no run can report values the files do not hold.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from advisor.catalog import files as catalog_files
from advisor.catalog import models as catalog_module
from advisor.catalog.models import DATA_FILES, MODELS
from advisor.catalog.files import data_files, read_data
from advisor.catalog.load import load_catalog
from advisor.catalog.pin import COMMAND, TARGET, pinned_text


def _run(
    *args: str, env_extra: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **(env_extra or {})}
    return subprocess.run(
        [sys.executable, "-m", "advisor", *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=60
    )


def test_the_pin_is_what_validating_data_gives_now() -> None:
    # Fails when data/ (or a model) changed without re-pinning: run `python -m advisor.catalog.pin`.
    text, problems = pinned_text()
    assert problems == []
    assert TARGET.read_text(encoding="utf-8") == text, f"advisor/catalog/_bundled.py is out of date: run `{COMMAND}`"


def test_every_data_file_has_a_model_and_a_catalog_field() -> None:
    assert tuple(name for name, _, _ in MODELS) == DATA_FILES
    fields = set(catalog_module.Catalog.__dataclass_fields__)
    assert {attr for _, attr, _ in MODELS} <= fields


@pytest.mark.slow
def test_pinned_and_freshly_validated_catalogs_give_the_same_documents(tmp_path: Path) -> None:
    # --data-dir with a copy of every bundled file validates (pydantic); the bundled run uses the pin.
    copy = tmp_path / "data"
    copy.mkdir()
    for name in DATA_FILES:
        (copy / name).write_bytes((catalog_files.bundled_data_dir() / name).read_bytes())
    for command in (["recommend", "--require", "mtls", "--pods", "900"], ["cost"], ["matrix"], ["data", "show"]):
        pinned = _run(*command, "--format", "json")
        fresh = _run(*command, "--format", "json", "--data-dir", str(copy))
        assert pinned.returncode == fresh.returncode == 0, (pinned.stderr, fresh.stderr)
        a, b = json.loads(pinned.stdout), json.loads(fresh.stdout)
        for doc in (a, b):
            doc["meta"].pop("generated_at")
            doc["meta"].pop("data_version")
            doc.pop("files", None)
        assert a == b, command


@pytest.mark.slow
def test_a_bundled_run_imports_no_pydantic_and_reads_no_toml() -> None:
    code = (
        "import sys, io, contextlib; from advisor.__main__ import main\n"
        "with contextlib.redirect_stdout(io.StringIO()): rc = main(['recommend', '--format', 'json'])\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'pydantic', 'rich', 'questionary', 'tomllib', 'pickle'})\n"
        "print(rc, ','.join(heavy) or 'none')"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert proc.stdout.split() == ["0", "none"]


def test_edited_bundled_bytes_are_validated_not_trusted(monkeypatch, tmp_path: Path) -> None:
    # A checkout whose data/ was edited without re-pinning: the run sees the edit (validated), never the pin.
    bundled = tmp_path / "bundled"
    bundled.mkdir()
    for name in DATA_FILES:
        (bundled / name).write_bytes((catalog_files.bundled_data_dir() / name).read_bytes())
    monkeypatch.setattr(catalog_files, "bundled_data_dir", lambda: bundled)
    pinned_default = load_catalog().pricing.default_preset
    pricing = bundled / "pricing.toml"
    text = pricing.read_text(encoding="utf-8")
    cpu = load_catalog().default_prices()[0]
    pricing.write_text(text.replace(f"value = {cpu!r}", "value = 0.123456", 1), encoding="utf-8")
    assert f"value = {cpu!r}" in text  # the edit above really changes the default preset's CPU price
    edited = load_catalog()
    assert edited.pricing.default_preset == pinned_default
    assert edited.default_prices()[0] == 0.123456
    pricing.write_text(text.replace('kind = "published-claim"', 'kind = "rumour"', 1), encoding="utf-8")
    import pytest

    from advisor.errors import DataError

    with pytest.raises(DataError) as err:
        load_catalog()
    assert any("'rumour'" in p for p in err.value.problems)


def test_each_file_is_read_once_and_the_catalog_comes_from_those_bytes(monkeypatch, data_dir: Path) -> None:
    # The old cache hashed the files, then validation read them again: an edit in between was stored
    # under the old content's key. Now the bytes hashed, parsed and validated are one read.
    reads: list[str] = []
    import advisor.reading as files_module

    real = files_module.read_limited

    def counting(path, limit):
        reads.append(Path(path).name)
        return real(path, limit)

    monkeypatch.setattr(files_module, "read_limited", counting)
    load_catalog(data_dir)
    # signals.toml (the scan's data) is read too, for migrations.toml's cross-checks; it is not a catalog file
    assert sorted(r for r in reads if r in DATA_FILES) == sorted(DATA_FILES)


@pytest.mark.slow
def test_the_old_cache_variables_are_accepted_and_write_nothing(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    proc = _run(
        "recommend",
        "--format",
        "json",
        env_extra={
            "MESH_ADVISOR_CACHE_DIR": str(cache),
            "MESH_ADVISOR_NO_CACHE": "0",
            "XDG_CACHE_HOME": str(tmp_path / "xdg"),
        },
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["recommendation"]["choice"]
    assert list(tmp_path.iterdir()) == []  # no cache dir, no ./~/.cache, nothing


def test_read_data_hands_back_bytes_for_every_file() -> None:
    contents, problems = read_data(data_files(None))
    assert problems == [] and set(contents) == set(DATA_FILES)
