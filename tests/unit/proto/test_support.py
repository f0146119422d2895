"""buf's JSON output, the [proto] policy section, versions and version sources."""

from __future__ import annotations

from pathlib import Path

import pytest

from aces.engines.proto.annotations import parse_version
from aces.engines.proto.version_source import current_version
from aces.errors import InputError, PolicyError
from aces.policy.loader import load_policy
from aces.policy.schema import ProtoPolicy
from aces.tools.buf import BufDiagnostic, parse_json_lines
from aces.tools.process import CommandError

BUF_LINE = (
    '{"path":"proto/a.proto","start_line":3,"start_column":13,"end_line":3,'
    '"end_column":18,"type":"COMPILE","message":"cannot find `strin` in this scope"}'
)


def test_buf_json_lines_are_parsed() -> None:
    assert parse_json_lines(BUF_LINE + "\n\n", ("buf",)) == (
        BufDiagnostic("proto/a.proto", 3, 13, "COMPILE", "cannot find `strin` in this scope"),
    )


def test_buf_garbage_is_a_tool_error() -> None:
    with pytest.raises(CommandError, match="line 1 that is not a buf JSON diagnostic"):
        parse_json_lines("Failure: something\n", ("buf",))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("1.0.0", "1.0.1"),
        ("1.9.9", "2.0.0"),
        ("2.0.0-rc.1", "2.0.0"),
        ("2.0.0-alpha", "2.0.0-beta"),
    ],
)
def test_versions_order(a: str, b: str) -> None:
    va, vb = parse_version(a), parse_version(b)
    assert va is not None and vb is not None and va < vb


def test_version_sources(tmp_path: Path) -> None:
    files = {
        "VERSION": "2.1.0\n",
        "Cargo.toml": '[package]\nname = "x"\nversion = "0.4.2"\n',
        "pyproject.toml": '[project]\nname = "x"\nversion = "3.0.0-rc.1"\n',
    }
    assert str(current_version("policy_version", "1.0.0", files.__getitem__)) == "1.0.0"
    assert str(current_version("VERSION", "1.0.0", files.__getitem__)) == "2.1.0"
    assert str(current_version("Cargo.toml", "1.0.0", files.__getitem__)) == "0.4.2"
    assert str(current_version("pyproject.toml", "1.0.0", files.__getitem__)) == "3.0.0-rc.1"
    with pytest.raises(InputError, match="not SemVer"):
        current_version("VERSION", "1.0.0", {"VERSION": "next"}.__getitem__)


def _policy(tmp_path: Path, body: str) -> ProtoPolicy:
    (tmp_path / "aces.toml").write_text('policy_version = "1.0.0"\n' + body, encoding="utf-8")
    return load_policy(tmp_path).policy.proto


def test_proto_section_defaults_and_values(tmp_path: Path) -> None:
    assert _policy(tmp_path, "") == ProtoPolicy()
    got = _policy(
        tmp_path,
        '[proto]\nlint = ["STANDARD", "COMMENTS"]\ncompat_marker = "Since:"\n'
        'envelopes = ["a.v1.Env"]\nrequire_proto3_optional = true\nversion_source = "VERSION"\n',
    )
    assert got.lint == ("STANDARD", "COMMENTS")
    assert (got.compat_marker, got.envelopes, got.require_proto3_optional) == (
        "Since:",
        ("a.v1.Env",),
        True,
    )
    assert got.version_source == "VERSION"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[proto]\nlint = ["BASIC"]\n', "drops the doctrine's buf lint category 'STANDARD'"),
        ('[proto]\nbreaking = ["WIRE"]\n', "'WIRE' is looser than the doctrine's 'FILE'"),
        ('[proto]\nbreaking = ["PACKAGE"]\n', "'PACKAGE' is looser than the doctrine's 'FILE'"),
        ('[proto]\ncompat_marker = "@since v"\n', "expected a marker without blanks"),
        ('[proto]\nenvelopes = ["not a name"]\n', "expected a fully-qualified message name"),
        ('[proto]\ngolden_dir = "../x"\n', "expected a path relative to the repository root"),
        ("[proto]\nlnt = []\n", "did you mean 'lint'?"),
    ],
)
def test_proto_section_rejects_looser_or_wrong_values(
    tmp_path: Path, body: str, message: str
) -> None:
    with pytest.raises(PolicyError) as info:
        _policy(tmp_path, body)
    assert message in info.value.diagnostics()
