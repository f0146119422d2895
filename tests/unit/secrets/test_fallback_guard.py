"""The quick test for ``${`` that lets the fallback pass skip a file says what ``in`` says."""

from __future__ import annotations

import pytest

from aces.engines.secrets.fallbacks import _has_reference, fallback_matches
from aces.engines.secrets.matcher import Matcher
from aces.engines.secrets.rules import load_builtin
from aces.engines.secrets.samples import expand

TEXTS = [b"", b"$", b"{", b"${", b"$$", b"$${", b"a$b$c{", b"$ {", b"x" * 100 + b"${", b"{$"]


@pytest.mark.parametrize("text", TEXTS)
def test_the_quick_test_for_a_reference_agrees_with_in(text: bytes) -> None:
    assert _has_reference(text) == (b"${" in text)


def test_a_fallback_after_other_dollars_is_still_found() -> None:
    fallback = expand("@@alnum:20@@", "guard")
    text = f"cost: $5 and $$\nPOSTGRES_PASSWORD: ${{POSTGRES_PASSWORD:-{fallback}}}\n"
    matches = fallback_matches(Matcher(load_builtin()), text.encode(), "docker-compose.yml")
    assert [m.secret for m in matches] == [fallback.encode()]
