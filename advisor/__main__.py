"""Entry point for `mesh-advisor` and `python -m advisor`."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["--version"]:
        # Fast path: `--version` needs none of the CLI machinery.
        from advisor import __version__

        print(f"mesh-advisor {__version__}")
        return 0
    try:
        from advisor.cli import run

        return run(args)
    except KeyboardInterrupt:  # Ctrl-C while the CLI is still being imported
        print("\nInterrupted; nothing saved.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
