"""Importing a gitleaks config, and the baseline file."""

from __future__ import annotations

import pytest

from aces.engines.secrets import baseline
from aces.engines.secrets.gitleaks import load_gitleaks, translate
from aces.engines.secrets.matcher import Matcher
from aces.engines.secrets.rules import load_builtin
from aces.engines.secrets.scanner import scan_buffer
from aces.errors import InputError

CONFIG = """
title = "team rules"

[[rules]]
id = "acme-key"
description = "ACME API key"
regex = '''acme_[[:alnum:]]{24}'''
keywords = ["acme_"]
entropy = 3.0
[rules.allowlist]
regexes = ['''acme_0{24}''']
stopwords = ["notreal"]

[[rules]]
id = "pkcs12-file"
description = "PKCS#12 file"
path = '''\\.p12$'''

[allowlist]
paths = ['''^vendor/''']
"""


def matcher() -> Matcher:
    rules, path_rules = load_gitleaks(CONFIG, "gitleaks.toml")
    return Matcher(load_builtin().extended(rules, path_rules))


def test_imported_rules_are_prefixed_and_run_after_the_builtins() -> None:
    m = matcher()
    text = b"key = acme_Q7bX2mN9pL4vR8sT1wY6zK3d\n"
    assert [h.rule_id for h in scan_buffer(m, text, "app.cfg")] == ["custom.acme-key"]
    assert scan_buffer(m, b"key = acme_000000000000000000000000\n", "app.cfg") == ()
    assert scan_buffer(m, b"key = acme_notrealnotrealnotrealnotr\n", "app.cfg") == ()


def test_a_path_rule_flags_the_file_itself() -> None:
    hits = scan_buffer(matcher(), b"", "certs/client.p12")
    assert [(h.rule_id, h.line) for h in hits] == [("custom.pkcs12-file", 0)]


def test_re2_spellings_are_translated() -> None:
    assert translate(r"[[:xdigit:]]{8}\z") == r"[0-9A-Fa-f]{8}\Z"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[rules]]\nid = 'x'\nregex = '(('\n", "rule 'x': the regex does not compile"),
        ("[[rules]]\nid = 'x'\n", "rule 'x': has neither regex nor path"),
        ("rules = 3\n", "expected [[rules]] tables"),
        ("[[rules]\n", "not valid TOML"),
    ],
)
def test_bad_gitleaks_configs_are_input_errors(text: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        load_gitleaks(text, "gitleaks.toml")
    assert caught.value.diagnostics().startswith("gitleaks.toml: ")
    assert message in caught.value.diagnostics()


def test_baseline_round_trips_sorted() -> None:
    entries = [
        baseline.BaselineEntry("b.py", "sec.secrets.jwt", "f" * 32),
        baseline.BaselineEntry("a.py", "sec.secrets.jwt", "0" * 32),
    ]
    text = baseline.render(entries)
    assert text.index('"a.py"') < text.index('"b.py"')
    assert baseline.parse(text, "bl.json") == tuple(sorted(entries))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "not valid JSON"),
        ('{"version": 2, "findings": []}', '"version": 1'),
        ('{"version": 1, "findings": [{"path": "a"}]}', "findings[0]: expected exactly the keys"),
        (
            '{"version": 1, "findings": [{"path": "a", "rule": "r", "fingerprint": "xyz"}]}',
            "fingerprint must be 32 hex digits",
        ),
    ],
)
def test_bad_baselines_are_input_errors(text: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        baseline.parse(text, "bl.json")
    assert message in caught.value.diagnostics()
