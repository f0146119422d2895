"""The permission matrix: parsing with lines, validation, proto actions and new grants."""

from __future__ import annotations

import pytest

from aces.engines.permissions import MatrixError, gains, parse_matrix, proto_rpcs, validate

ACTIONS = ("bus:publish", "bus:subscribe")
YAML = """default: deny
roles:
  admin:
    "*": allow
  reader:
    "bus:publish": deny
    "bus:subscribe": allow
"""


def rules(
    text: str, path: str = "m.yaml", wild: tuple[str, ...] = ("admin",)
) -> list[tuple[str, int, str]]:
    return [(i.rule, i.line, i.message) for i in validate(parse_matrix(path, text), ACTIONS, wild)]


def test_a_complete_deny_by_default_matrix_passes() -> None:
    assert rules(YAML) == []


def test_toml_form_with_lines() -> None:
    text = 'default = "allow"\n\n[roles.reader]\n"bus:publish" = "deny"\n'
    assert rules(text, "m.toml") == [
        ("default", 1, "the default is 'allow'; permissions must be deny by default"),
        ("missing-entry", 3, "role 'reader' has no entry for 'bus:subscribe'"),
    ]


def test_missing_entry_unknown_action_value_and_wildcard() -> None:
    text = YAML.replace(
        '    "bus:subscribe": allow\n',
        '    "bus:subscribe": maybe\n    "bus:*": allow\n    "bus:kick": deny\n',
    )
    assert rules(text) == [
        ("value", 7, "role 'reader': 'bus:subscribe' is 'maybe', expected allow or deny"),
        ("wildcard", 8, "role 'reader' is granted 'bus:*'; only 'admin' may hold wildcard grants"),
        (
            "unknown-action",
            9,
            "role 'reader' names 'bus:kick', which is no proto RPC or listed bus command",
        ),
    ]
    assert rules(YAML.replace('    "bus:publish": deny\n', "")) == [
        ("missing-entry", 5, "role 'reader' has no entry for 'bus:publish'")
    ]


def test_no_default_is_a_finding() -> None:
    assert rules(YAML.replace("default: deny\n", "")) == [
        ("default", 1, "the matrix declares no default; declare 'default: deny'")
    ]


def test_unreadable_matrix_names_the_line() -> None:
    with pytest.raises(MatrixError) as err:
        parse_matrix("m.yaml", "roles:\n  a: [\n")
    assert err.value.line == 3
    with pytest.raises(MatrixError, match="unknown key 'rolez'"):
        parse_matrix("m.yaml", "rolez: {}\n")


def test_gains_against_the_base() -> None:
    base = parse_matrix("m.yaml", YAML)
    head = parse_matrix("m.yaml", YAML.replace('"bus:publish": deny', '"bus:publish": allow'))
    assert [(i.rule, i.line, i.message) for i in gains(head, base)] == [
        ("escalation", 6, "role 'reader' gains 'bus:publish' without the required approval")
    ]
    assert gains(base, base) == []
    wider = parse_matrix("m.yaml", YAML + '  ops:\n    "*": allow\n')
    assert [i.message for i in gains(wider, base)] == [
        "role 'ops' gains '*' without the required approval"
    ]


def test_proto_rpcs_skip_comments() -> None:
    proto = """syntax = "proto3";
package arqonbus.v1;
// service Fake { rpc Nope(A) returns (B); }
service Bus {
  rpc Publish(PublishRequest) returns (PublishReply);
  /* rpc Hidden(A) returns (B); */
  rpc Subscribe(SubscribeRequest) returns (stream Event) { option deprecated = false; }
}
"""
    assert proto_rpcs(proto) == ("rpc:arqonbus.v1.Bus/Publish", "rpc:arqonbus.v1.Bus/Subscribe")
