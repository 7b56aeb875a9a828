"""The command line: the typer app, its shared options, completion and the one exception-to-exit mapping."""
