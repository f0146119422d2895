"""Each Python project holding tests gets its own pytest session; a parent leaves it out."""

from __future__ import annotations

from aces.stages.unit_pyprojects import python_projects


def test_one_project_is_one_session_at_the_root() -> None:
    files = ["pyproject.toml", "src/app.py", "tests/test_app.py"]
    assert python_projects(files) == (("", ()),)


def test_no_test_anywhere_still_gives_the_root_session() -> None:
    assert python_projects(["pyproject.toml", "src/app.py"]) == (("", ()),)


def test_a_nested_project_with_tests_runs_in_its_folder() -> None:
    files = [
        "pyproject.toml",
        "src/cli.py",
        "tests/test_cli.py",
        "test_smoke.py",
        "backend/pyproject.toml",
        "backend/src/api.py",
        "backend/tests/test_api.py",
        "tools/pyproject.toml",  # a project without tests: the root session covers it
        "tools/gen.py",
        ".assistant/skills/web/pyproject.toml",  # tool settings, not a project
        ".assistant/skills/web/tests/test_x.py",
    ]
    assert python_projects(files) == (("", ("backend",)), ("backend", ()))


def test_only_nested_projects_hold_tests() -> None:
    files = ["pyproject.toml", "scripts/release.py", "backend/setup.cfg", "backend/tests/test_a.py"]
    assert python_projects(files) == (("backend", ()),)
