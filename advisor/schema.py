"""The layout version of every document mesh-advisor writes, and the one check of it when a document is read back."""

from __future__ import annotations

from typing import Any, Mapping

from advisor.errors import UserError

# The layout version of every document mesh-advisor writes; readers refuse newer ones.
SCHEMA_VERSION = 1


def check_schema_version(doc: Mapping[str, Any], label: str, error: type[UserError], missing: str | None = None) -> int:
    """The one schema check for documents read back: a whole number, not newer than this version.

    `missing` is the message when the document has no schema_version (None: a plain answers file
    may omit it, and is read as the current version).
    """
    if "schema_version" not in doc:
        if missing is not None:
            raise error(f"{label}: {missing}")
        return SCHEMA_VERSION
    version = doc["schema_version"]
    if not isinstance(version, int) or isinstance(version, bool):
        raise error(f"{label}: schema_version: expected a whole number, got {version!r}")
    if version > SCHEMA_VERSION:
        raise error(
            f"{label}: written by a newer mesh-advisor (schema_version {version}; "
            f"this version reads {SCHEMA_VERSION}); upgrade mesh-advisor"
        )
    return version
