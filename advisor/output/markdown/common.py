"""Markdown that renders the same on GitHub whatever the data holds: escaped text, safe links, aligned tables."""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urlsplit

from advisor.errors import visible

# ASCII punctuation that can start markup on GitHub: emphasis, code, links and images (with the
# brackets escaped, parentheses and ! cannot form one), HTML, table cells, strikethrough, entities,
# headings and math ($). CommonMark lets a backslash escape any of them.
_MARKUP = re.compile(r"([\\`*_\[\]<>#|~&$])")
_LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")


# A word GitHub would turn into a link or a mention: an e-mail or @name, a scheme://, www. (GFM's
# extended autolinks and its mention filter; backslash escapes do not stop a mention, which GitHub
# finds in the rendered text, outside code). Such a word is shown as a code span, which is inert.
_LINKISH = re.compile(r"\S*(?:@|://|www\.)\S*", re.IGNORECASE)


def text(value: object) -> str:
    """Text from data, answers or a file, shown literally: markup escaped, on one line, controls visible."""
    one_line = _LINE_BREAKS.sub(" ", str(value))
    return _MARKUP.sub(r"\\\1", visible(one_line, one_line=True))


def inert(value: object) -> str:
    """Text from a cluster or a user's manifests (names, details, warnings that quote them): as
    text(), and no word in it links or mentions on GitHub (those words are code spans)."""
    one_line = visible(_LINE_BREAKS.sub(" ", str(value)), one_line=True)
    out: list[str] = []
    pos = 0
    for m in _LINKISH.finditer(one_line):
        out.append(_MARKUP.sub(r"\\\1", one_line[pos : m.start()]))
        out.append(code(m.group(), cell=True))
        pos = m.end()
    out.append(_MARKUP.sub(r"\\\1", one_line[pos:]))
    return "".join(out)


def code(value: object, cell: bool = False) -> str:
    """An inline code span that holds any text (a fence longer than any run of backticks inside).

    `cell`: for a table cell, where GitHub splits on a pipe even inside a code span unless escaped.
    """
    raw = visible(_LINE_BREAKS.sub(" ", str(value)), one_line=True)
    longest = max((len(m) for m in re.findall(r"`+", raw)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if raw.startswith("`") or raw.endswith("`") or not raw.strip() else ""
    body = raw.replace("|", "\\|") if cell else raw
    return f"{fence}{pad}{body}{pad}{fence}"


def fenced(value: str, language: str = "") -> str:
    """A fenced code block holding `value` literally (the fence outruns any backticks inside)."""
    raw = visible(value)
    longest = max((len(m) for m in re.findall(r"`+", raw)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{raw}\n{fence}"


_URL_UNSAFE = re.compile(r"[^A-Za-z0-9\-._~:/?#@!$&'*+,;=%]")


def url(value: str) -> str | None:
    """An http(s) URL made safe as a link destination (percent-encoded), or None if it is not one."""
    candidate = value.strip()
    try:
        parts = urlsplit(candidate)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in candidate):
        return None
    return _URL_UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode("utf-8")), candidate)


_REPO_FILE = re.compile(r"([A-Za-z0-9][\w.-]*)/([\w.-]+):([\w./-]+)@([0-9a-f]{7,40})")


def source(value: str) -> str:
    """A source as a link named by its site (`[linkerd.io](https://linkerd.io/...)`), else as text.

    Several sources joined by " ; " (as the cost model lists them) become several links.
    """
    parts = [p.strip() for p in value.split(" ; ")] if " ; " in value else [value]
    shown = []
    for part in parts:
        repo_file = _REPO_FILE.fullmatch(part)
        if repo_file:  # owner/repo:path@commit, as benchmarks.toml cites a file in a repository
            owner, repo, path, commit = repo_file.groups()
            link = url(f"https://github.com/{owner}/{repo}/blob/{commit}/{path}")
            shown.append(f"[{text(f'{owner}/{repo}:{path}')}]({link})")
            continue
        target = url(part)
        if target is None:
            shown.append(text(part) if part.strip() else "no source given")
            continue
        host = urlsplit(target).netloc.removeprefix("www.")
        shown.append(f"[{text(host)}]({target})")
    return "; ".join(shown)


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[int] = ()) -> str:
    """A GFM table with padded, aligned columns; cells must already be escaped (text(), code()...)."""
    widths = [max([len(h), 3, *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        padded = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths))]
        return "| " + " | ".join(padded) + " |"

    rule = ["-" * (w - 1) + ":" if i in right else "-" * w for i, w in enumerate(widths)]
    return "\n".join([line(headers), "| " + " | ".join(rule) + " |", *(line(r) for r in rows)])


def bullets(items: Sequence[str]) -> str:
    return "\n".join(f"- {item}" for item in items)


def day(generated_at: str) -> str:
    """The date of a document's generated_at stamp (`2026-12-01T10:00:00Z` -> `2026-12-01`)."""
    return generated_at.split("T", 1)[0]
