"""Python and Rust code is judged by its syntax: strings, patterns, comments and samples are not
settings; TOML sample and pattern keys are not configuration."""

from __future__ import annotations

import pytest

from aces.engines.exposure import pysyntax as exposure_syntax
from aces.engines.exposure import scan_exposure
from aces.engines.tlsrules import pysyntax as tls_syntax
from aces.engines.tlsrules import scan_tls
from aces.engines.tlsrules.masking import mask_literals
from aces.engines.tlsrules.samplekeys import sample_lines


@pytest.mark.parametrize(("rule_id", "code"), tls_syntax.SHOULD_FLAG)
def test_python_tls_setting_flags(rule_id: str, code: str) -> None:
    assert [h.rule_id for h in scan_tls("client.py", code)] == [rule_id]


@pytest.mark.parametrize("code", tls_syntax.SHOULD_NOT_FLAG)
def test_python_tls_text_that_is_no_setting_does_not_flag(code: str) -> None:
    assert scan_tls("client.py", code) == []


@pytest.mark.parametrize(("path", "rule_id", "code"), exposure_syntax.SHOULD_FLAG)
def test_python_cors_and_debug_flag(path: str, rule_id: str, code: str) -> None:
    assert [h.rule_id for h in scan_exposure(path, code)] == [rule_id]


@pytest.mark.parametrize(("path", "code"), exposure_syntax.SHOULD_NOT_FLAG)
def test_python_cors_and_debug_text_does_not_flag(path: str, code: str) -> None:
    assert scan_exposure(path, code) == []


def test_a_rules_own_patterns_and_samples_are_not_findings() -> None:
    module = (
        '"""Rules: never ``verify=False`` nor ``ctx.check_hostname = False``."""\n'
        "import re\n\n"
        'VERIFY = re.compile(r"\\bverify\\s*=\\s*False\\b")\n'
        'CORS = re.compile(r"allow_origins\\s*=\\s*\\[\\"\\*\\"\\]")\n'
        'SAMPLES = ("requests.get(url, verify=False)", "DEBUG = True", "CORS(app)",\n'
        '           "sslmode=disable", "ctx.verify_mode = ssl.CERT_NONE")\n'
        "# app.run(debug=True)\n"
    )
    assert scan_tls("rules.py", module) == []
    assert scan_exposure("rules.py", module) == []


def test_rust_strings_and_comments_are_not_settings() -> None:
    code = (
        "// .danger_accept_invalid_certs(true) is never allowed\n"
        'const SAMPLE: &str = "c.danger_accept_invalid_certs(true)";\n'
        'const CORS: &str = "CorsLayer::permissive()";\n'
        "fn client(b: Builder) -> Builder {\n    b.danger_accept_invalid_certs(true)\n}\n"
    )
    assert [(h.rule_id, h.line, h.column) for h in scan_tls("lib.rs", code)] == [
        ("sec.tls.rust-invalid-certs", 5, 6)
    ]
    assert scan_exposure("lib.rs", code) == []


def test_a_weak_sslmode_dsn_is_judged_by_where_it_flows() -> None:
    code = (
        "import psycopg\n\n"
        'NOTE = "sslmode=disable is refused"\n'
        'DSN = "host=db.example.com dbname=app sslmode=prefer"\n'
        "conn = psycopg.connect(DSN)\n"
    )
    hits = scan_tls("store.py", code)
    assert [(h.rule_id, h.line) for h in hits] == [("sec.tls.sslmode-disable", 4)]


def test_masking_keeps_lines_and_columns() -> None:
    text = 'x = "é verify=False"  # verify=False\ny = 1\n'
    masked = mask_literals("python", text)
    assert len(masked) == len(text)
    assert masked.splitlines()[1] == "y = 1"
    assert "verify" not in masked


def test_toml_sample_and_pattern_keys_are_not_configuration() -> None:
    text = (
        "[[rule]]\n"
        "regex = '''(?i)postgres://\\S+'''\n"
        "flag = ['DATABASE_URL=postgres://app@db.internal/app',\n"
        "        'redis://cache.internal:6379']\n"
        'skip = """\nnats://bus.example.com:4222\n"""\n'
        "[service]\n"
        'url = "redis://cache.example.com:6379"\n'
    )
    assert sample_lines(text) == frozenset({2, 3, 4, 5, 6, 7})
    assert [(h.rule_id, h.line) for h in scan_tls("rules.toml", text)] == [
        ("sec.tls.plaintext-url", 9)
    ]


def test_a_local_dsn_is_judged_by_its_uses_not_its_name() -> None:
    redacted = (
        "def test_redact() -> None:\n"
        '    dsn = "postgres://bus@db.example.com/bus"\n'
        '    assert redact(dsn) == "postgres://bus@db.example.com/bus"\n'
    )
    assert scan_tls("test_redact.py", redacted) == []
    connected = (
        "def open_db() -> object:\n"
        '    dsn = "postgres://bus@db.example.com/bus"\n'
        "    return psycopg.connect(dsn)\n"
    )
    assert [(h.rule_id, h.line) for h in scan_tls("db.py", connected)] == [
        ("sec.tls.plaintext-url", 2)
    ]


def test_yaml_pattern_sample_and_prose_keys_are_not_configuration() -> None:
    rules = (
        "rules:\n"
        "  - id: flask-debug\n"
        "    patterns:\n"
        "      - pattern: app.run(debug=True)\n"
        "      - pattern-not: app.run(debug=False)\n"
        "    message: |\n"
        "      Never ship debug: true or redis://cache.example.com\n"
        "    severity: ERROR\n"
        "service:\n"
        "  debug: true\n"
        "  cache: redis://cache.example.com:6379\n"
    )
    assert [(h.rule_id, h.line) for h in scan_exposure("rules.yaml", rules)] == [
        ("sec.unsafe-exposure.debug", 10)
    ]
    assert [(h.rule_id, h.line) for h in scan_tls("rules.yaml", rules)] == [
        ("sec.tls.plaintext-url", 11)
    ]


def test_a_line_anchored_rule_finds_a_setting_below_the_first_line() -> None:
    config = "host: 127.0.0.1\nport: 8080\n\ndebug: true\n"
    assert [(h.rule_id, h.line) for h in scan_exposure("configs/base.yml", config)] == [
        ("sec.unsafe-exposure.debug", 4)
    ]
