"""``aces policy validate`` and ``aces policy show``: exact output and exit codes."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from aces.cli import cmd_policy
from aces.errors import PolicyError
from aces.policy.loader import parse_policy
from aces.policy.schema import Policy

VALID = 'policy_version = "1.4.0"\n[thresholds]\ncore_coverage_percent = 92.5\n'


def run(argv: list[str]) -> int:
    """Parse ``argv`` as ``aces <argv>`` with only the policy command registered."""
    parser = argparse.ArgumentParser(prog="aces")
    cmd_policy.add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    code: int = args.func(args)
    return code


def test_validate_valid_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "aces.toml").write_text(VALID, encoding="utf-8")
    assert run(["policy", "validate", str(tmp_path)]) == 0
    assert capsys.readouterr().out == "aces.toml: valid (policy_version 1.4.0)\n"


def test_validate_without_a_file_reports_the_default(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["policy", "validate", str(tmp_path)]) == 0
    assert capsys.readouterr().out == "embedded doctrine default: valid (policy_version 1.0.0)\n"


def test_validate_prints_every_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "aces.toml").write_text(
        'policy_version = "1"\n[thresholds]\nrollback_seconds = 60\ncanary = 1\n',
        encoding="utf-8",
    )
    assert run(["policy", "validate", str(tmp_path)]) == 2
    assert capsys.readouterr().out == (
        "aces.toml:1: policy_version: '1' is not SemVer 2.0; "
        'expected a SemVer 2.0 version such as "1.0.0"\n'
        "aces.toml:3: thresholds.rollback_seconds: 60 is looser than the doctrine's 10 "
        "(a policy may only be stricter)\n"
        "aces.toml:4: thresholds.canary: unknown key; did you mean 'canary_traffic_percent'?\n"
    )


def test_validate_with_explicit_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "strict.toml").write_text(VALID, encoding="utf-8")
    code = run(["policy", "validate", str(tmp_path), "--file", str(tmp_path / "strict.toml")])
    assert code == 0
    assert capsys.readouterr().out == "strict.toml: valid (policy_version 1.4.0)\n"


def test_validate_missing_explicit_file_raises_for_exit_2(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="policy file not found"):
        run(["policy", "validate", str(tmp_path), "--file", str(tmp_path / "absent.toml")])


def test_show_json_is_sorted_and_complete(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "aces.toml").write_text(VALID, encoding="utf-8")
    assert run(["policy", "show", str(tmp_path), "--format", "json"]) == 0
    out = capsys.readouterr().out
    data = json.loads(out)
    assert list(data) == sorted(data)
    assert data["policy_version"] == "1.4.0"
    assert data["thresholds"]["core_coverage_percent"] == 92.5
    assert data["thresholds"]["rollback_seconds"] == 10.0
    assert data["spec"]["sections"] == list(Policy().spec.sections)
    assert out == json.dumps(data, indent=2, sort_keys=True) + "\n"


def test_show_toml_round_trips(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "aces.toml").write_text(
        VALID
        + '[toolchain]\n"odd \\"tool\\"" = "1.0.0"\n'
        + '[[maintainers]]\nhandle = "alice"\nsenior = true\n'
        + '[[allowlist]]\npath = "x.py"\nrule = "lint.python"\nreason = "tab\\there"\n'
        + 'owner = "alice"\nexpires = 2027-01-01\n',
        encoding="utf-8",
    )
    assert run(["policy", "show", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith('policy_version = "1.4.0"\ndoctrine = "aces-1.0.0"\n')
    assert '\n[[allowlist]]\npath = "x.py"\n' in out
    assert "\nexpires = 2027-01-01\n" in out
    original = parse_policy((tmp_path / "aces.toml").read_bytes(), "aces.toml")
    assert parse_policy(out.encode(), "shown.toml") == original


def test_show_default_round_trips(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["policy", "show", str(tmp_path)]) == 0
    assert parse_policy(capsys.readouterr().out.encode(), "shown.toml") == Policy()


def test_show_toml_writes_every_section_or_names_it(capsys: pytest.CaptureFixture[str]) -> None:
    import dataclasses

    example = Path(__file__).resolve().parents[3] / "examples" / "arqonbus-mini"
    assert run(["policy", "show", str(example)]) == 0
    out = capsys.readouterr().out
    shown = parse_policy(out.encode(), "shown.toml")
    original = parse_policy((example / "aces.toml").read_bytes(), "aces.toml")
    for item in dataclasses.fields(original):
        if getattr(shown, item.name) != getattr(original, item.name):
            assert f"# [{item.name}]: shown only by `aces policy show --format json`" in out
    assert shown.proto == original.proto
    assert shown.security == original.security
