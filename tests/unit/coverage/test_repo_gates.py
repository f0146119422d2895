"""Coverage gates a repository sets itself, each at its file and line."""

from __future__ import annotations

from aces.engines.coverage.repo_gates import RepoGate, is_gate_file, repo_gates

CODECOV = """\
coverage:
  precision: 2
  status:
    project:
      default:
        target: 70%   # team agreed
        threshold: 1%
      core:
        target: auto
    patch:
      default:
        target: 50%
"""

PYPROJECT = """\
[project]
name = "x"

[tool.pytest.ini_options]
addopts = "-q --cov=pkg --cov-fail-under=60"

[tool.coverage.report]
show_missing = true
fail_under = 75

[tool.other]
fail_under = 10
"""


def test_codecov_project_targets_only() -> None:
    assert repo_gates("codecov.yml", CODECOV) == (
        RepoGate("codecov.yml", 6, 70.0, "codecov project target"),
    )


def test_pyproject_fail_under_and_addopts() -> None:
    assert repo_gates("pyproject.toml", PYPROJECT) == (
        RepoGate("pyproject.toml", 5, 60.0, "--cov-fail-under"),
        RepoGate("pyproject.toml", 9, 75.0, "fail_under"),
    )


def test_coveragerc_setup_cfg_and_tox() -> None:
    assert repo_gates(".coveragerc", "[run]\nbranch = True\n[report]\nfail_under = 80\n") == (
        RepoGate(".coveragerc", 4, 80.0, "fail_under"),
    )
    setup_cfg = "[coverage:report]\nfail_under: 50\n[tool:pytest]\naddopts = --cov-fail-under 40\n"
    assert repo_gates("setup.cfg", setup_cfg) == (
        RepoGate("setup.cfg", 2, 50.0, "fail_under"),
        RepoGate("setup.cfg", 4, 40.0, "--cov-fail-under"),
    )


def test_ci_workflow_commands() -> None:
    workflow = "jobs:\n  t:\n    steps:\n      - run: coverage report --fail-under=65\n"
    path = ".github/workflows/ci.yml"
    assert is_gate_file(path)
    assert repo_gates(path, workflow) == (RepoGate(path, 4, 65.0, "--fail-under"),)


def test_files_that_set_no_gate() -> None:
    assert not is_gate_file("src/pkg/module.py")
    assert repo_gates("pyproject.toml", "[tool.coverage.report]\nshow_missing = true\n") == ()
