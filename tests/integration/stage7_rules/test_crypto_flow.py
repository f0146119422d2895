"""sec.crypto-misuse judges by data flow and by the file's context, not by words.

A comparison is a MAC comparison only when a MAC or digest flows into it (a Wasm
function *signature* compared with its expected type is none); a key literal in a
unit test keys that test: information, like a fake secret in a test, while the same
literal in product code blocks.
"""

from __future__ import annotations

from pathlib import Path

from tests.integration.example_repo import context

from aces.model import Severity
from aces.stages.security_rules import CryptoMisuse

FILES = {
    "src/pkg/__init__.py": '"""Package."""\n',
    "src/pkg/wasm_types.py": (
        '"""Export checks."""\n\n\n'
        "def matches(params: tuple[str, ...], results: tuple[str, ...], expected: str) -> bool:\n"
        "    return (params, results) == signature_of(expected)\n\n\n"
        "def same(request_signature: str, expected_signature: str) -> bool:\n"
        "    return request_signature == expected_signature\n"
    ),
    "src/pkg/verify.py": (
        '"""Frame verification."""\n\nimport hashlib\nimport hmac\n\n\n'
        "def valid(key: bytes, frame: bytes, received: str) -> bool:\n"
        "    expected = hmac.new(key, frame, hashlib.sha256).hexdigest()\n"
        "    return received == expected\n"
    ),
    "src/pkg/signer.py": (
        '"""Signer."""\n\nimport hashlib\nimport hmac\n\nSECRET = b"prod-signing"\n\n\n'
        "def sign(m: bytes) -> str:\n    return hmac.new(SECRET, m, hashlib.sha256).hexdigest()\n"
    ),
    "tests/unit/test_driver.py": (
        '"""Driver tests."""\n\nimport hashlib\nimport hmac\n\nSECRET = b"unit-key"\n\n\n'
        "def sign(m: bytes) -> str:\n    return hmac.new(SECRET, m, hashlib.sha256).hexdigest()\n"
    ),
}


def findings(tmp_path: Path) -> list[tuple[str, str, int | None, Severity]]:
    root = tmp_path / "repo"
    for rel, text in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    ctx = context(root)
    return sorted(
        (f.rule_id, f.location.path, f.location.line, f.severity)
        for f in CryptoMisuse().run(ctx)
        if f.location is not None
    )


def test_a_digest_compared_with_equals_is_found_by_flow_and_a_word_is_not(
    tmp_path: Path,
) -> None:
    compares = [f for f in findings(tmp_path) if f[0].endswith(".mac-compare")]
    assert compares == [("sec.crypto-misuse.mac-compare", "src/pkg/verify.py", 9, Severity.ERROR)]


def test_a_key_literal_in_a_unit_test_is_information_and_in_product_code_blocks(
    tmp_path: Path,
) -> None:
    keys = [f for f in findings(tmp_path) if f[0].endswith(".hardcoded-key")]
    assert keys == [
        ("sec.crypto-misuse.hardcoded-key", "src/pkg/signer.py", 6, Severity.ERROR),
        ("sec.crypto-misuse.hardcoded-key", "tests/unit/test_driver.py", 6, Severity.NOTE),
    ]
