"""``aces init`` and ``aces generate ci`` as a user runs them."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
import yaml

from aces.cli import cmd_generate, cmd_init
from aces.errors import InputError
from aces.generate.ci import render_ci
from aces.generate.ci_common import CiOptions
from aces.generate.scaffold import scaffold_files
from aces.stages import STAGES


def parse(*argv: str) -> argparse.Namespace:
    """Arguments as the ``aces`` parser would produce them for these two commands."""
    parser = argparse.ArgumentParser(prog="aces")
    sub = parser.add_subparsers(dest="command", required=True)
    cmd_init.add_parser(sub)
    cmd_generate.add_parser(sub)
    return parser.parse_args(argv)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    """Run a command; its exit code and stdout."""
    args = parse(*argv)
    code = args.func(args)
    return code, capsys.readouterr().out


ALL_CREATED = """\
created     .github/pull_request_template.md
created     aces.toml
created     docs/templates/spec.md
created     proto/.gitkeep
created     specs/README.md
created     state_machines/.gitkeep
created     tests/integration/.gitkeep
aces init: 7 created, 0 kept, 0 overwritten in {root}
"""


def test_init_creates_the_scaffold(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "repo"
    code, out = run(capsys, "init", str(root))
    assert code == 0
    assert out == ALL_CREATED.format(root=root)
    for rel, content in scaffold_files().items():
        assert (root / rel).read_text(encoding="utf-8") == content


def test_init_twice_keeps_everything(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "init", str(tmp_path))
    code, out = run(capsys, "init", str(tmp_path))
    assert code == 0
    assert out.splitlines()[-1] == f"aces init: 0 created, 7 kept, 0 overwritten in {tmp_path}"
    assert "kept        proto/.gitkeep" in out.splitlines()


def test_init_keeps_an_edited_file_unless_forced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "init", str(tmp_path))
    policy = tmp_path / "aces.toml"
    policy.write_text('policy_version = "1.1.0"\n', encoding="utf-8")

    _, out = run(capsys, "init", str(tmp_path))
    assert "kept        aces.toml" in out.splitlines()
    assert policy.read_text(encoding="utf-8") == 'policy_version = "1.1.0"\n'

    _, out = run(capsys, "init", str(tmp_path), "--force")
    assert "overwritten aces.toml" in out.splitlines()
    assert out.splitlines()[-1] == f"aces init: 0 created, 6 kept, 1 overwritten in {tmp_path}"
    assert policy.read_text(encoding="utf-8") == scaffold_files()["aces.toml"]


def test_init_adds_no_gitkeep_to_a_directory_with_content(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "proto").mkdir()
    (tmp_path / "proto" / "bus.proto").write_text('syntax = "proto3";\n', encoding="utf-8")
    _, out = run(capsys, "init", str(tmp_path), "--force")
    assert "kept        proto/" in out.splitlines()
    assert not (tmp_path / "proto" / ".gitkeep").exists()


def test_init_on_a_file_is_an_input_error(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("", encoding="utf-8")
    args = parse("init", str(target))
    with pytest.raises(InputError, match="not a directory"):
        args.func(args)


def test_init_where_a_file_is_expected_a_directory_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "aces.toml").mkdir()
    args = parse("init", str(tmp_path))
    with pytest.raises(InputError, match="expected a file, found a directory"):
        args.func(args)


@pytest.mark.parametrize("provider", ["buildkite", "github", "gitlab"])
def test_generate_prints_the_pipeline(provider: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "generate", "ci", "--provider", provider)
    assert code == 0
    assert out == render_ci(provider, STAGES, CiOptions())


def test_generate_writes_the_output_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / ".github" / "workflows" / "aces.yml"
    code, out = run(capsys, "generate", "ci", "--provider", "github", "--output", str(target))
    assert code == 0
    assert out == f"wrote {target} (github, 12 stages)\n"
    assert target.read_text(encoding="utf-8") == render_ci("github", STAGES, CiOptions())


def test_generate_takes_the_requirement_and_branch(capsys: pytest.CaptureFixture[str]) -> None:
    _, out = run(
        capsys,
        "generate",
        "ci",
        "--provider",
        "github",
        "--aces-requirement",
        "aces==9.9.9",
        "--default-branch",
        "trunk",
    )
    workflow = yaml.safe_load(out)
    assert workflow["on"]["push"] == {"branches": ["trunk"]}
    assert 'python -m pip install "aces==9.9.9"' in out


def test_generate_rejects_an_empty_requirement() -> None:
    args = parse("generate", "ci", "--provider", "gitlab", "--aces-requirement", " ")
    with pytest.raises(InputError, match="--aces-requirement must not be empty"):
        args.func(args)


def test_generate_rejects_an_unknown_provider(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        parse("generate", "ci", "--provider", "jenkins")
    assert exit_info.value.code == 2
