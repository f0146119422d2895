"""Markdown text helpers shared by the summary's parts: spans, cells, clipping, sizes."""

from __future__ import annotations

import re

# One finding's message or help is cut past this, so a single huge one cannot crowd the rest out.
MAX_TEXT_CHARS = 1_000


def code_span(text: str) -> str:
    """``text`` as inline code, fenced by more backticks than it holds in a row (CommonMark)."""
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def size(text: str) -> int:
    """Length in UTF-16 code units: how GitHub counts characters."""
    return len(text.encode("utf-16-le")) // 2


def clip(text: str) -> str:
    """The text cut to ``MAX_TEXT_CHARS`` with an ellipsis."""
    return text if len(text) <= MAX_TEXT_CHARS else text[: MAX_TEXT_CHARS - 1] + "…"


def inline(text: str) -> str:
    """Text on one line, with HTML-looking markup neutralised."""
    return " ".join(text.split()).replace("<", "&lt;").replace(">", "&gt;")


def cell(text: str) -> str:
    """Text safe inside a table cell."""
    return inline(text).replace("|", "\\|")
