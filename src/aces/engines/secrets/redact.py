"""Redaction: the secrets the built-in detectors find in a text, masked in place.

Everything aces prints or writes passes through ``Redactor.redact`` (see
``aces.report.outbound``), so a token a tool echoed (a failing test's assertion,
a stderr tail, a command line) never reaches a console or a report. A secret
becomes a stable masked form: up to 4 leading characters of a secret of 20
characters or more, cut at the first character that is not a letter, digit,
``_`` or ``-``, then ``****`` (``ghp_****``, ``AKIA****``); a shorter secret is
``****`` alone. The
masked form matches no rule, so redacting twice changes nothing.
"""

from __future__ import annotations

import functools
import re

from aces.engines.secrets.matcher import Matcher
from aces.engines.secrets.rules import load_builtin

MASK = b"****"
# A secret shorter than this shows no prefix: 4 characters of a short one give too much away.
PREFIX_MIN_LENGTH = 20
PREFIX_CHARS = 4
_PREFIX_SAFE = re.compile(rb"[A-Za-z0-9_-]*")


def masked(secret: bytes) -> bytes:
    """The masked form of one secret: a short safe prefix of a long secret, then ``****``."""
    if len(secret) < PREFIX_MIN_LENGTH:
        return MASK
    head = _PREFIX_SAFE.match(secret[:PREFIX_CHARS])
    return (head.group() if head else b"") + MASK


class Redactor:
    """Masks every secret a matcher finds in bytes or text."""

    def __init__(self, matcher: Matcher) -> None:
        self._matcher = matcher

    def redact_bytes(self, data: bytes) -> bytes:
        """``data`` with each secret replaced by its masked form."""
        matches = self._matcher.find(data)
        if not matches:
            return data
        out = bytearray()
        cursor = 0
        for match in matches:  # sorted by position, without overlaps
            out += data[cursor : match.start]
            out += masked(match.secret)
            cursor = match.end
        out += data[cursor:]
        return bytes(out)

    def redact(self, text: str) -> str:
        """``text`` with each secret masked; undecodable bytes (surrogates) are kept as is."""
        if not text:
            return text
        try:
            data = text.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:  # a lone surrogate that stands for no byte
            data = text.encode("utf-8", "surrogatepass")
        cleaned = self.redact_bytes(data)
        return text if cleaned is data else cleaned.decode("utf-8", "surrogateescape")


@functools.cache
def builtin_matcher() -> Matcher:
    """The compiled built-in rules, once per process (compiling takes a good fraction of a second).

    The rules are package data and never change while aces runs, so this is a constant,
    not state: the secret scan of stage 7 and every redaction share it.
    """
    return Matcher(load_builtin())


def default_redactor() -> Redactor:
    """A redactor over the built-in rules, masking values that look made up too
    (``EXAMPLE`` keys, ``ghp_abcdef…``): hiding one costs nothing, and a reader cannot tell."""
    return Redactor(builtin_matcher().keeping_fixtures())
