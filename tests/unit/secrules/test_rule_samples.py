"""Every rule's should-flag samples are flagged by it, and its should-not-flag ones are not."""

from __future__ import annotations

import pytest

from aces.engines.cryptorules import CRYPTO_RULES, CryptoRule, CryptoScanner
from aces.engines.exposure import EXPOSURE_RULES, secret_key_line
from aces.engines.exposure.envfiles import SHOULD_FLAG, SHOULD_NOT_FLAG
from aces.engines.tlsrules import TLS_RULES, LineRule
from aces.engines.tlsrules.textscan import sample_hits

LINE_RULES = TLS_RULES + EXPOSURE_RULES
EXTENSIONS = {"python": "sample.py", "rust": "sample.rs", "elixir": "sample.ex"}
SCANNER = CryptoScanner(2048)


def _line_cases(flag: bool) -> list[tuple[LineRule, str]]:
    return [
        (rule, sample)
        for rule in LINE_RULES
        for sample in (rule.should_flag if flag else rule.should_not_flag)
    ]


def _crypto_cases(flag: bool) -> list[tuple[CryptoRule, str]]:
    return [
        (rule, sample)
        for rule in CRYPTO_RULES
        for sample in (rule.should_flag if flag else rule.should_not_flag)
    ]


def _crypto_ids(rule: CryptoRule, sample: str) -> list[str]:
    hits = SCANNER.scan(EXTENSIONS[rule.language], sample.encode("utf-8"))
    return [h.rule_id for h in hits if h.rule_id == rule.rule_id]


def test_every_rule_has_samples_both_ways() -> None:
    for rule in LINE_RULES:
        assert rule.should_flag and rule.should_not_flag, rule.rule_id
    for crypto in CRYPTO_RULES:
        assert crypto.should_flag and crypto.should_not_flag, (crypto.rule_id, crypto.language)


def _case_id(value: object) -> str:
    """A stable test id: the rule id, or the sample text (never a repr with set order)."""
    rule_id = getattr(value, "rule_id", None)
    return str(rule_id) if rule_id is not None else str(value)


@pytest.mark.parametrize(("rule", "sample"), _line_cases(True), ids=_case_id)
def test_line_rule_flags(rule: LineRule, sample: str) -> None:
    assert sample_hits(rule, sample), f"{rule.rule_id} missed {sample!r}"


@pytest.mark.parametrize(("rule", "sample"), _line_cases(False), ids=_case_id)
def test_line_rule_does_not_flag(rule: LineRule, sample: str) -> None:
    assert sample_hits(rule, sample) == [], f"{rule.rule_id} flagged {sample!r}"


@pytest.mark.parametrize(("rule", "sample"), _crypto_cases(True), ids=_case_id)
def test_crypto_rule_flags(rule: CryptoRule, sample: str) -> None:
    assert _crypto_ids(rule, sample) == [rule.rule_id], f"missed {sample!r}"


@pytest.mark.parametrize(("rule", "sample"), _crypto_cases(False), ids=_case_id)
def test_crypto_rule_does_not_flag(rule: CryptoRule, sample: str) -> None:
    assert _crypto_ids(rule, sample) == [], f"flagged {sample!r}"


@pytest.mark.parametrize("line", SHOULD_FLAG)
def test_env_secret_flags(line: str) -> None:
    assert secret_key_line(line) is not None


@pytest.mark.parametrize("line", SHOULD_NOT_FLAG)
def test_env_secret_does_not_flag(line: str) -> None:
    assert secret_key_line(line) is None


def test_crypto_hits_carry_line_and_column() -> None:
    source = b"import hashlib\n\n\ndef f(d):\n    return hashlib.md5(d)\n"
    hits = SCANNER.scan("pkg/mod.py", source)
    assert [(h.rule_id, h.path, h.line, h.column) for h in hits] == [
        ("sec.crypto-misuse.weak-hash", "pkg/mod.py", 5, 12)
    ]


def test_rsa_minimum_follows_the_policy() -> None:
    strict = CryptoScanner(4096)
    hits = strict.scan("k.py", b"RSA.generate(3072)\n")
    assert [(h.rule_id, h.message) for h in hits] == [
        ("sec.crypto-misuse.rsa-key-size", "RSA key smaller than the policy's minimum (4096 bits)")
    ]
