"""Build hook: pin the validated bundled data into the wheel (pipx's hatch_build.py is the model).

At wheel build time the data files are validated once and written as `advisor/catalog/_bundled.py`,
which a run loads instead of validating (it is used only while each data file's SHA-256 matches).
For an editable install the module is written into the checkout, where git ignores it; nothing
generated is committed. `python -m advisor.catalog.pin` refreshes it by hand after editing data/.
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
        out = Path(tempfile.mkdtemp(prefix="mesh-advisor-pin-")) / "_bundled.py"
        out.write_text(text, encoding="utf-8")
        build_data["force_include"][str(out)] = "advisor/catalog/_bundled.py"
