"""Shannon entropy and character classes of candidate secrets (bytes in, numbers out)."""

from __future__ import annotations

import math
import re
from collections import Counter

_HEX = re.compile(rb"[0-9a-fA-F]+")
_LOWER = re.compile(rb"[a-z]")
_UPPER = re.compile(rb"[A-Z]")
_DIGIT = re.compile(rb"[0-9]")


def shannon(value: bytes) -> float:
    """Shannon entropy of ``value`` in bits per byte (0.0 for an empty value)."""
    if not value:
        return 0.0
    size = len(value)
    return -sum(n / size * math.log2(n / size) for n in Counter(value).values())


def charset(value: bytes) -> str:
    """``hex`` when every byte is a hex digit, else ``base64`` (any wider alphabet)."""
    return "hex" if _HEX.fullmatch(value) else "base64"


def char_classes(value: bytes) -> int:
    """How many of the classes lower-case letter, upper-case letter and digit occur."""
    return sum(1 for pattern in (_LOWER, _UPPER, _DIGIT) if pattern.search(value))


def length_scaled(threshold: float, size: int) -> float:
    """The threshold a value of ``size`` bytes can reach: short values top out lower.

    A string of n distinct bytes has entropy log2(n), so a fixed threshold would
    reject every short random string; the bar is capped at 85% of that maximum.
    """
    if size <= 1:
        return threshold
    return min(threshold, 0.85 * math.log2(size))
