"""Entry point for `mesh-advisor` and `python -m advisor`."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from advisor.environment import Environment


def main(argv: list[str] | None = None, env: Environment | None = None) -> int:
    """Run mesh-advisor with `argv` (default sys.argv[1:]) in `env` (default: this process's streams)."""
    args = list(sys.argv[1:] if argv is None else argv)
    out = env.stdout if env is not None and env.stdout is not None else sys.stdout
    err = env.stderr if env is not None and env.stderr is not None else sys.stderr
    if args == ["--version"]:
        # Fast path: `--version` needs none of the CLI machinery.
        from advisor import __version__

        print(f"mesh-advisor {__version__}", file=out)
        return 0
    try:
        from advisor.cli import run

        return run(args, env)
    except KeyboardInterrupt:  # Ctrl-C while the CLI is still being imported
        print("\nInterrupted; nothing saved.", file=err)
        return 130


if __name__ == "__main__":
    sys.exit(main())
