"""Names that reach kubectl's command line (namespaces, context, kubeconfig), checked before it runs."""

from __future__ import annotations

import os
import re

from advisor.errors import UserError

_DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
MAX_CONTEXT_CHARS = 1024  # kubeconfig context names are free text (EKS ARNs, user@cluster); not unbounded


def check_live_names(context: str | None, kubeconfig: str | None, namespaces: list[str] | tuple[str, ...]) -> None:
    """Every value that reaches kubectl's command line, checked before any process starts.

    Namespaces are DNS-1123 labels (what the API server accepts); a context is any name a
    kubeconfig may hold (kubectl reads it as a map key), so only empty, multi-line or control
    characters are refused; it is passed as `--context=NAME`, where a leading `-` is still a name.
    """
    for ns in namespaces:
        if not _DNS1123_LABEL.match(ns):
            raise UserError(
                f"--namespace {shown_name(ns)}: not a namespace name; expected a DNS-1123 label "
                "(lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters)"
            )
    for flag, value in (("--context", context), ("--kubeconfig", kubeconfig)):
        if value is None:
            continue
        if not value.strip() or len(value) > MAX_CONTEXT_CHARS or any(not c.isprintable() for c in value):
            raise UserError(
                f"{flag} {shown_name(value)}: expected a {'context name from the kubeconfig' if flag == '--context' else 'kubeconfig file'} "
                f"(one line of printable text, at most {MAX_CONTEXT_CHARS} characters)"
            )
    if kubeconfig is not None and not os.path.isfile(kubeconfig):
        raise UserError(f"--kubeconfig {shown_name(kubeconfig)}: no such file; expected a kubeconfig file")


def shown_name(value: str) -> str:
    """A user's value in a message: quoted, control characters escaped, clipped."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
