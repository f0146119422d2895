"""Seams: where the literal pieces of one expression meet (hyperscan patterns, as data).

The matcher compiles these with the rules, so one hyperscan pass over a buffer
says both which rules may match and whether a secret may be split across
string literals there (``literals``).
"""

from __future__ import annotations

# A seam worth reading: a token character, the end of a literal, a separator, the start of
# the next literal and a token character again (a secret continues across it); prose that
# breaks at a blank or a punctuation mark is not read. Plus ``concat!(`` and an f-string
# whose field is a literal.
_TOKEN_CHAR = rb"[A-Za-z0-9_+/=:@.%-]"
SEAMS: tuple[bytes, ...] = (
    # Not after a backslash: a piece ending in an escape (``\\n``) ends its token there.
    rb"[^\\]"
    + _TOKEN_CHAR
    + rb"[\"'](?:(?:[ \t\r\n]|\\\r?\n)+|(?:[ \t\r\n]|\\\r?\n)*(?:\+|\.\.?|<>|\|\||~)"
    + rb"(?:[ \t\r\n]|\\\r?\n)*)[fFrRbBuU]{0,2}[\"']"
    + _TOKEN_CHAR,
    rb"concat!\s*\(",
    rb"[fF][rR]?[\"'][^\"'\n]*\{\s*(?:\"[^\"\n]*\"|'[^'\n]*')\s*\}",
)
