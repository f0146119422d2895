"""Expand rule sample templates: ``@@CLASS:N@@`` becomes N generated characters of CLASS.

Rules ship should-flag samples as templates so that the rule files hold no secret
themselves. Generation is deterministic for a given seed, so a test failure names
a reproducible value (never printed: tests compare rule ids, not values).
"""

from __future__ import annotations

import random
import re
import string

ALPHABETS: dict[str, str] = {
    "hex": "0123456789abcdef",
    "HEX": "0123456789ABCDEF",
    "alnum": string.ascii_letters + string.digits,
    "upper": string.ascii_uppercase,
    "lower": string.ascii_lowercase,
    "digit": string.digits,
    "b64": string.ascii_letters + string.digits + "+/",
    "b64url": string.ascii_letters + string.digits + "-_",
    "b32": string.ascii_uppercase + "234567",
    "upperdigit": string.ascii_uppercase + string.digits,
    "alpha": string.ascii_letters,
    "lowerdigit": string.ascii_lowercase + string.digits,
    "bech32": "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L",
}
_SLOT = re.compile(r"@@([A-Za-z0-9]+):(\d+)@@")


def expand(template: str, seed: str) -> str:
    """The sample with every slot filled from a generator seeded by ``seed``."""
    rng = random.Random(seed)  # a seeded generator: the same seed gives the same sample

    def fill(match: re.Match[str]) -> str:
        alphabet = ALPHABETS.get(match.group(1))
        if alphabet is None:
            raise ValueError(f"unknown sample class {match.group(1)!r} in {template!r}")
        return "".join(rng.choice(alphabet) for _ in range(int(match.group(2))))

    return _SLOT.sub(fill, template)


def is_template(text: str) -> bool:
    """Whether ``text`` has at least one slot."""
    return _SLOT.search(text) is not None
