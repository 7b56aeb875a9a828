"""Build hook: pin the validated bundled data and build the man page into the wheel (as pipx's hatch_build.py does).

At wheel build time the data files are validated once and written as `advisor/catalog/_bundled.py`,
which a run loads instead of validating (it is used only while each data file's SHA-256 matches).
For an editable install the module is written into the checkout, where git ignores it; nothing
generated is committed. `python -m advisor.catalog.pin` refreshes it by hand after editing data/.

A wheel also gets `mesh-advisor.1`, the man page built from the typer app's command tree
(`advisor.cli.reference.man_page`), installed as `share/man/man1/mesh-advisor.1` in the
environment's data directory, where `man mesh-advisor` finds it when the environment's bin is on PATH.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class PinBundledData(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "pin-bundled-data"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        root = Path(self.root)
        sys.path.insert(0, str(root))
        try:
            from advisor.catalog.pin import TARGET, pinned_text
        finally:
            sys.path.remove(str(root))
        text, problems = pinned_text()
        if text is None:
            raise RuntimeError("the bundled data is invalid; nothing built:\n  " + "\n  ".join(problems))
        if version == "editable":
            TARGET.write_text(text, encoding="utf-8")
            return
        built = Path(tempfile.mkdtemp(prefix="mesh-advisor-build-"))
        out = built / "_bundled.py"
        out.write_text(text, encoding="utf-8")
        build_data["force_include"][str(out)] = "advisor/catalog/_bundled.py"
        build_data["shared_data"][str(self._man_page(root, version, built))] = "share/man/man1/mesh-advisor.1"

    def _man_page(self, root: Path, version: str, built: Path) -> Path:
        """Write mesh-advisor.1 from the app's command tree (with the pinned data just written in place)."""
        sys.path.insert(0, str(root))
        try:
            from advisor import __version__
            from advisor.cli.reference import man_page
        finally:
            sys.path.remove(str(root))
        page = built / "mesh-advisor.1"
        page.write_text(man_page(__version__), encoding="utf-8")
        return page
