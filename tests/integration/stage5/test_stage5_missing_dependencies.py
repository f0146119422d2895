"""Tests that cannot be imported for want of a third-party package: ERROR naming it.

The interpreter the default Python runner uses may not hold the project's
dependencies. A collection error ``No module named 'x'`` for a package the
repository does not hold is no failing test: the run cannot verify the tests, and
coverage measured by it is not judged. A module of the repository's own that
cannot be imported stays a failing test.
"""

from __future__ import annotations

from pathlib import Path

from tests.integration.example_repo import context, git

from aces.model import CheckResult, Status
from aces.pipeline.context import RunContext, RunOptions
from aces.pipeline.runner import run_pipeline
from aces.stages import STAGES
from aces.stages.s05_unit import STAGE

MISSING = "acme_absent_web_framework"


def _stage5(tmp_path: Path, files: dict[str, str]) -> dict[str, CheckResult]:
    root = tmp_path / "repo"
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    base = context(root)
    options = RunOptions(stages=(STAGE.number,), use_cache=False)
    ctx = RunContext(base.workspace, base.change, base.loaded_policy, base.doctrine, options)
    return {c.check_id: c for c in run_pipeline(STAGES, ctx).checks}


def test_a_missing_third_party_package_is_an_error_naming_it(tmp_path: Path) -> None:
    checks = _stage5(
        tmp_path,
        {
            "svc/app/core.py": "def add(a, b):\n    return a + b\n",
            "svc/tests/conftest.py": f"import {MISSING}.testclient\n",
            "svc/tests/test_core.py": "def test_add():\n    assert 2 + 2 == 4\n",
        },
    )
    unit = checks["test.unit"]
    assert unit.status is Status.ERROR
    assert unit.findings == ()
    assert f"lacks the project's dependencies (not installed: {MISSING})" in unit.reason
    assert checks["test.coverage-core"].status is not Status.FAIL
    assert checks["test.coverage-core"].findings == ()


def test_a_missing_module_of_the_repository_is_a_failing_test(tmp_path: Path) -> None:
    checks = _stage5(
        tmp_path,
        {
            "svc/app/core.py": "def add(a, b):\n    return a + b\n",
            "svc/tests/test_core.py": "from app.gone import add\n\nCHECKED = add\n",
        },
    )
    unit = checks["test.unit"]
    assert unit.status is Status.FAIL
    assert [f.rule_id for f in unit.findings] == ["test.unit.failed"]
    assert "No module named 'app" in unit.findings[0].message


def test_an_own_import_failure_beside_a_missing_package_is_kept(tmp_path: Path) -> None:
    checks = _stage5(
        tmp_path,
        {
            "svc/app/core.py": "def add(a, b):\n    return a + b\n",
            "svc/tests/test_web.py": f"import {MISSING}\n",
            "svc/tests/test_core.py": "from app.gone import add\n\nCHECKED = add\n",
        },
    )
    unit = checks["test.unit"]
    assert unit.status is Status.ERROR
    assert f"not installed: {MISSING}" in unit.reason
    assert [(f.rule_id, f.location.path if f.location else "") for f in unit.findings] == [
        ("test.unit.failed", "svc/tests/test_core.py")
    ]


def test_a_folder_of_the_same_name_in_tool_settings_is_no_own_module(tmp_path: Path) -> None:
    checks = _stage5(
        tmp_path,
        {
            f".assistant/skills/{MISSING}/templates/router.py": "ROUTES = ()\n",
            f"docs/{MISSING}/guide.md": "# guide\n",
            "svc/app/core.py": "def add(a, b):\n    return a + b\n",
            "svc/tests/test_web.py": f"import {MISSING}\n",
        },
    )
    assert checks["test.unit"].status is Status.ERROR
    assert checks["test.unit"].findings == ()


def test_two_projects_with_a_src_package_each_run_apart(tmp_path: Path) -> None:
    checks = _stage5(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "cli"\nversion = "1"\n',
            "src/services.py": "class TodoService:\n    pass\n",
            "tests/test_cli.py": "from src.services import TodoService\n\n\n"
            "def test_service():\n    assert TodoService()\n",
            "backend/pyproject.toml": '[project]\nname = "api"\nversion = "1"\n',
            "backend/src/__init__.py": "",
            "backend/src/services/__init__.py": "NAME = 'api'\n",
            "backend/tests/test_api.py": "from src.services import NAME\n\n\n"
            "def test_name():\n    assert NAME == 'api'\n",
        },
    )
    assert checks["test.unit"].status is Status.PASS, checks["test.unit"].reason
