"""Load the catalog: the pinned models when the data files are the pinned bytes, else validate what was read."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from advisor.catalog.crosscheck import declared_ids
from advisor.catalog.files import DataFiles, data_files, digest, read_data, read_signals, signals_file
from advisor.catalog.models import DATA_FILES, MODELS, SIGNALS_FILE, Catalog, resolve_profiles
from advisor.errors import DataError


def _pinned_models(files: DataFiles, contents: dict[str, bytes]) -> dict[str, Any] | None:
    """The pinned, validated models when the bytes read are exactly the bytes that were pinned."""
    if files.overlay or files.problems or set(contents) != set(DATA_FILES):
        return None
    try:
        from advisor.catalog import _bundled  # deferred: generated at build time; absent until pinned
    except ImportError:  # not generated yet: validate instead
        return None
    except TypeError:  # pinned for models whose fields have changed since (a checkout): validate instead
        return None
    if _bundled.DIGESTS != {name: digest(contents[name]) for name in DATA_FILES}:
        return None  # data/ edited since `python -m advisor.catalog.pin`: validate what is there now
    return dict(_bundled.MODELS)


def assemble(models: dict[str, Any], files: DataFiles, contents: dict[str, bytes]) -> Catalog:
    """A Catalog from validated models (pinned, or just validated from `contents`)."""
    stamp = models["features.toml"].data_version
    if files.overlay:
        h = hashlib.sha256()
        for name in DATA_FILES:
            if files.paths[name] in files.overlay:
                h.update(name.encode() + b"\0" + contents[name])
        stamp = f"{stamp}+local.{h.hexdigest()[:8]}"
    profiles, _, _ = resolve_profiles(models["benchmarks.toml"])
    return Catalog(
        **{attr: models[name] for name, attr, _ in MODELS},
        data_version=stamp,
        files={name: str(path) for name, path in files.paths.items()},
        profiles=profiles,
    )


def validate(
    files: DataFiles, contents: dict[str, bytes], read_problems: list[str]
) -> tuple[Catalog | None, list[str]]:
    """Validate the bytes read; (catalog, []) or (None, every problem found)."""
    # deferred: validation imports pydantic (about 60 ms), which a run on the pinned data never needs
    from advisor.catalog.validation import validate_models

    models, problems = validate_models(files, contents, read_problems)
    if models is None:
        return None, problems
    return assemble(models, files, contents), []


_VALIDATED: dict[tuple[Any, ...], tuple[Catalog | None, list[str]]] = {}


def _validated(
    files: DataFiles, contents: dict[str, bytes], read_problems: list[str]
) -> tuple[Catalog | None, list[str]]:
    """validate()'s answer (the catalog, or None and every problem) for the bytes just read.

    Within one process (tests, a library caller, the commands `data validate` and `recommend` in
    one session), the same bytes validated once give the same answer, valid or not: remembered by
    the hash of the bytes, never across processes or on disk.
    """
    if files.unusable:  # nothing was read: its problems are the whole answer
        return validate(files, contents, read_problems)
    # the migration checks also read signals.toml (beside the overlay, else the bundled one); the key
    # holds what could not be read too, so a broken file's problems are found once per process
    signals = read_signals(files)
    key = (
        *(
            (name, str(path), path in files.overlay, digest(contents[name]) if name in contents else None)
            for name, path in files.paths.items()
        ),
        None if signals is None else digest(signals),
        tuple(files.problems),
        tuple(read_problems),
    )
    if key not in _VALIDATED:
        if len(_VALIDATED) >= 8:
            _VALIDATED.pop(next(iter(_VALIDATED)))
        catalog, problems = validate(files, contents, read_problems)
        _VALIDATED[key] = (catalog, list(problems))
    catalog, problems = _VALIDATED[key]
    return catalog, list(problems)


def load_catalog(data_dir: str | Path | None = None, cache_dir: object = None) -> Catalog:
    """Bundled data, with the files that `data_dir` holds replacing bundled ones by name.

    Every file is read once; the catalog is built from those bytes and nothing else.
    `cache_dir` is accepted and ignored: there is no cache any more.
    """
    files = data_files(data_dir)
    contents, read_problems = read_data(files) if not files.unusable else ({}, [])
    pinned = None if read_problems else _pinned_models(files, contents)
    if pinned is not None:
        return assemble(pinned, files, contents)
    catalog, problems = _validated(files, contents, read_problems)
    if catalog is None:
        where = f"data directory {data_dir}" if data_dir is not None else "bundled data"
        raise DataError(
            f"{where} is invalid ({len(problems)} problem{'s' if len(problems) != 1 else ''}):",
            problems,
        )
    return catalog


def validate_data_dir(data_dir: str | Path | None = None) -> list[str]:
    """Every problem in the data (overlay on the bundled files), as `file: field.path: message`."""
    files = data_files(data_dir)
    contents, read_problems = read_data(files) if not files.unusable else ({}, [])
    return _validated(files, contents, read_problems)[1]


def check_data_dir(directory: str | None = None) -> list[str]:
    """Every problem `data validate` reports: the catalog's files, then signals.toml (the scan's data):
    the one the scan reads with this directory (its own, else the bundled one), checked against the
    directory's options and platforms, so an option added without its signals is reported."""
    problems = validate_data_dir(directory)
    path = signals_file(directory)
    if not path.is_file():
        return problems
    # deferred: the scan's signal model, which only `data validate` reads here
    from advisor.scan.signals import load_signals

    try:
        # the ids as the files declare them, so a problem elsewhere does not hide these checks
        load_signals(path, *declared_ids(directory))
    except DataError as exc:
        problems += [f"{SIGNALS_FILE}: {p}" for p in exc.problems] or [exc.message]
    return problems
