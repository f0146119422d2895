"""The ``[security]`` policy section: values load, mistakes name their line and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from aces.policy.loader import load_policy
from aces.policy.problems import PolicyFileError
from aces.policy.schema import Policy
from aces.policy.security_section import SecurityPolicy

HEAD = 'policy_version = "1.0.0"\n'


def load(root: Path, text: str) -> Policy:
    (root / "aces.toml").write_text(HEAD + text, encoding="utf-8")
    return load_policy(root).policy


def problems(root: Path, text: str) -> list[str]:
    (root / "aces.toml").write_text(HEAD + text, encoding="utf-8")
    with pytest.raises(PolicyFileError) as caught:
        load_policy(root)
    return caught.value.lines()


def test_defaults(tmp_path: Path) -> None:
    assert load(tmp_path, "").security == SecurityPolicy()


def test_values_load(tmp_path: Path) -> None:
    policy = load(
        tmp_path,
        '[security.tls]\nendpoints = ["bus.example.com:443", "[::1]:8443"]\n'
        'ca_bundle = "certs/ca.pem"\nmin_version = "1.3"\n'
        '[security.wasm]\nallowed_imports = ["env::log"]\nmax_memory_pages = 2\n'
        '[security.wasm.exports]\nevaluate = "func(i32, i32) -> i32"\nmemory = "memory"\n'
        '[security.permissions]\nmatrix = "perm.yaml"\nbus_commands = ["publish"]\n'
        "senior_approval = false\n"
        "[security.crypto]\nmin_rsa_bits = 3072\n[security.exposure]\nallowed_ports = [443, 80]\n",
    )
    sec = policy.security
    assert sec.tls.endpoints == ("bus.example.com:443", "[::1]:8443")
    assert sec.tls.min_version == "1.3"
    assert sec.wasm.exports == (("evaluate", "func(i32, i32) -> i32"), ("memory", "memory"))
    assert sec.permissions.bus_commands == ("publish",)
    assert sec.permissions.senior_approval is False
    assert sec.crypto.min_rsa_bits == 3072
    assert sec.exposure.allowed_ports == (80, 443)


def test_mistakes_are_reported_at_their_lines(tmp_path: Path) -> None:
    lines = problems(
        tmp_path,
        '[security.tls]\nendpoints = ["no-port"]\nmin_version = "1.0"\n'
        '[security.wasm]\nallowed_imports = ["env"]\n'
        '[security.wasm.exports]\nevaluate = "function"\n'
        "[security.crypto]\nmin_rsa_bits = 1024\n"
        "[security.exposure]\nallowed_ports = [70000]\n[security.typo]\n",
    )
    text = "\n".join(lines)
    assert "aces.toml:3" in text and "expected 'host:port', found 'no-port'" in text
    assert "endpoints are listed: name the CA bundle" in text
    assert "expected '1.2' or '1.3', found '1.0'" in text
    assert "expected 'module::name' or 'module::*', found 'env'" in text
    assert "expected 'memory' or a signature such as 'func(i32) -> i32', found 'function'" in text
    assert "1024 is below the doctrine's 2048" in text
    assert "expected a port number 1-65535, found 70000" in text
    assert "security.typo" in text
