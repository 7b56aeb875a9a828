"""Which data files a run reads (the bundled directory, a --data-dir overlay, signals.toml) and their bytes."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from advisor.catalog.models import DATA_FILES, OTHER_DATA_FILES, SIGNALS_FILE
from advisor import reading
from advisor.reading import MAX_DATA_FILE_BYTES, ReadProblem
from advisor.records import record


def bundled_data_dir() -> Path:
    """The data directory shipped with the package (wheel) or beside it (source checkout)."""
    package = Path(__file__).resolve().parent.parent  # advisor/
    packaged = package / "_data"
    if packaged.is_dir():
        return packaged
    return package.parent / "data"


def signals_file(data_dir: str | Path | None = None) -> Path:
    """The one answer to "which signals.toml does this run read" (scan, plan, the migration checks):
    the data directory's when it holds one, else the bundled one, as a directory replaces any other
    bundled file it holds."""
    if data_dir:
        here = Path(data_dir) / SIGNALS_FILE
        if here.is_file():
            return here
    return bundled_data_dir() / SIGNALS_FILE


@record(eq=True)
class DataFiles:
    """Which file each data name is read from: bundled, or replaced by the data directory's."""

    paths: dict[str, Path]
    overlay: tuple[Path, ...]
    problems: tuple[str, ...]  # problems with the directory itself (missing, stray files)
    unusable: bool = False  # the directory cannot be used at all: its problems are the whole story
    directory: Path | None = None  # the data directory, when one is used (its signals.toml too)

    @property
    def signals(self) -> Path:
        """The signals.toml read with these files."""
        return signals_file(self.directory)


def data_files(data_dir: str | Path | None) -> DataFiles:
    paths = {name: bundled_data_dir() / name for name in DATA_FILES}

    def unusable(problem: str) -> DataFiles:
        return DataFiles(paths, (), (problem,), unusable=True)

    if data_dir is None:
        return DataFiles(paths, (), ())
    if not str(data_dir).strip():
        return unusable("data directory: expected a directory, got an empty string")
    base = Path(data_dir)
    try:
        if not base.exists():
            return unusable(f"{base}: no such directory")
        if not base.is_dir():
            return unusable(f"{base}: not a directory (expected a folder holding some of {', '.join(DATA_FILES)})")
        # os.listdir, not glob: glob reports an unreadable directory as an empty one
        found = sorted(base / n for n in os.listdir(base) if n.endswith(".toml"))
    except PermissionError:
        return unusable(f"{base}: cannot read this directory: permission denied")
    except OSError as exc:  # a name too long, a directory we may not list...
        return unusable(f"{base}: cannot read this directory: {exc.strerror or exc}")
    overlay: list[Path] = []
    problems: list[str] = []
    others = False  # signals.toml: the scan's data, read by the scan (and plan) from the same directory
    for path in found:
        if path.name in paths:
            paths[path.name] = path
            overlay.append(path)
        elif path.name in OTHER_DATA_FILES:
            others = True
        else:
            problems.append(
                f"{path.name}: not a mesh-advisor data file (expected one of {', '.join(DATA_FILES + OTHER_DATA_FILES)})"
            )
    if not overlay and not problems and not others:
        return unusable(f"{base}: holds none of {', '.join(DATA_FILES + OTHER_DATA_FILES)}")
    return DataFiles(paths, tuple(overlay), tuple(problems), directory=base)


def read_data(files: DataFiles) -> tuple[dict[str, bytes], list[str]]:
    """Each data file's bytes, read once (a regular file within the size limit), and what could not be read."""
    contents: dict[str, bytes] = {}
    problems: list[str] = []
    for name, path in files.paths.items():
        try:
            contents[name] = reading.read_limited(path, MAX_DATA_FILE_BYTES)
        except ReadProblem as exc:
            problems.append(f"{name}: {path}: {exc.message}")
    return contents, problems


def digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def read_signals(files: DataFiles) -> bytes | None:
    """signals.toml's bytes through the shared bounded reader (a FIFO or /dev/zero named
    signals.toml is refused, not read); None when unreadable."""
    try:
        return reading.read_limited(files.signals, MAX_DATA_FILE_BYTES)
    except ReadProblem:
        return None
