"""What stage 3 lints in Python code, and with which configuration (ruff runs for real).

* ruff reads the project's configuration and Python version: a 3.10 project is
  not told to use 3.11-only APIs; the project's ``ignore`` is honoured except for
  the doctrine's required rules; a configuration above the repository never applies;
* generated code (``*_pb2.py``, ``DO NOT EDIT`` / ``@generated`` headers,
  ``linguist-generated`` paths) is linted by none of ruff, the forbidden patterns,
  the complexity limits and the inline-suppression scan.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from aces.doctrine.catalog import load_doctrine
from aces.model import Finding
from aces.pipeline.check import Check
from aces.pipeline.context import RunContext
from aces.policy.loader import load_policy
from aces.stages.static_patterns import PATTERN_CHECKS
from aces.stages.static_tools import TOOL_CHECKS
from aces.workspace.change import compute_change
from aces.workspace.index import Workspace
from aces.workspace.types import PullRequest

CHECKS = {check.id: check for check in (*TOOL_CHECKS, *PATTERN_CHECKS)}
UTC_ALIAS = "import datetime\n\nNOW = datetime.timezone.utc\n"
Place = tuple[str, str, int | None]


def make_repo(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    for args in (("init", "-q", "-b", "main"), ("add", "-A"), ("commit", "-q", "-m", "base")):
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
            cwd=root,
            check=True,
            capture_output=True,
        )
    return root


def places(root: Path, check_id: str) -> list[Place]:
    ws = Workspace.open(root)
    loaded = load_policy(root)
    change = compute_change(ws, loaded.policy, base=None, pr=PullRequest())
    ctx = RunContext(ws, change, loaded, load_doctrine())
    check: Check = CHECKS[check_id]
    found: tuple[Finding, ...] = tuple(check.run(ctx))
    return sorted(
        (f.rule_id, f.location.path if f.location else "", f.location.line if f.location else None)
        for f in found
    )


def pyproject(requires: str, ruff: str = "") -> str:
    return f'[project]\nname = "p"\nversion = "1"\nrequires-python = "{requires}"\n{ruff}'


def test_a_310_project_is_not_told_to_use_311_apis(tmp_path: Path) -> None:
    ruff = '[tool.ruff.lint]\nselect = ["UP"]\n'
    root = make_repo(
        tmp_path / "r", {"pyproject.toml": pyproject(">=3.10", ruff), "m.py": UTC_ALIAS}
    )
    assert places(root, "lint.python.ruff") == []


def test_the_same_code_in_a_311_project_is_reported(tmp_path: Path) -> None:
    ruff = '[tool.ruff.lint]\nselect = ["UP"]\n'
    root = make_repo(
        tmp_path / "r", {"pyproject.toml": pyproject(">=3.11", ruff), "m.py": UTC_ALIAS}
    )
    assert places(root, "lint.python.ruff") == [("lint.python.ruff.UP017", "m.py", 3)]


def test_without_a_ruff_config_the_version_comes_from_requires_python(tmp_path: Path) -> None:
    code = "try:\n    pass\nexcept* ValueError:\n    pass\n"  # 3.11 syntax
    old = make_repo(tmp_path / "old", {"pyproject.toml": pyproject(">=3.10"), "m.py": code})
    new = make_repo(tmp_path / "new", {"pyproject.toml": pyproject(">=3.11"), "m.py": code})
    assert [rule for rule, _, _ in places(old, "lint.python.ruff")] == [
        "lint.python.ruff.invalid-syntax"
    ]
    assert places(new, "lint.python.ruff") == []


def test_a_310_project_without_ruff_config_keeps_its_utc_alias(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"pyproject.toml": pyproject(">=3.10"), "m.py": UTC_ALIAS})
    assert places(root, "lint.python.ruff") == []


def test_the_projects_ignore_holds_except_for_the_required_rules(tmp_path: Path) -> None:
    ruff = '[tool.ruff.lint]\nselect = ["E", "F"]\nignore = ["E501", "F401", "F821"]\n'
    code = "import os\n\nX = '" + "x" * 120 + "'\nY = undefined_name\n"
    root = make_repo(tmp_path / "r", {"pyproject.toml": pyproject(">=3.11", ruff), "m.py": code})
    assert places(root, "lint.python.ruff") == [("lint.python.ruff.F821", "m.py", 4)]


def test_a_config_above_the_repository_never_applies(tmp_path: Path) -> None:
    (tmp_path / "ruff.toml").write_text('[lint]\nselect = ["ALL"]\n', encoding="utf-8")
    code = '"""A module."""\n\nVALUE = 1\n'
    root = make_repo(tmp_path / "r", {"m.py": code})
    assert places(root, "lint.python.ruff") == []
    assert places(root, "lint.python.format") == []


def test_a_sub_project_is_linted_with_its_own_config(tmp_path: Path) -> None:
    files = {
        "server/pyproject.toml": pyproject(">=3.11", '[tool.ruff.lint]\nselect = ["UP"]\n'),
        "server/m.py": UTC_ALIAS,
        "legacy/pyproject.toml": pyproject(">=3.10", '[tool.ruff.lint]\nselect = ["UP"]\n'),
        "legacy/m.py": UTC_ALIAS,
    }
    root = make_repo(tmp_path / "r", files)
    assert places(root, "lint.python.ruff") == [("lint.python.ruff.UP017", "server/m.py", 3)]


# -- generated code ----------------------------------------------------------------------------

# Every kind of finding: an unused import (ruff F401), bad formatting, an assert and a magic
# number (forbidden patterns), a complex function (complexity), a suppression.
BAD = (
    "import os\n"
    "def f(x):\n"
    "    assert x\n"
    "    if x == 1: return 37\n"
    "    if x == 2: return 37\n"
    "    if x == 3: return 37\n"
    "    if x == 4: return 37\n"
    "    if x == 5: return 37\n"
    "    if x == 6: return 37\n"
    "    if x == 7: return 37\n"
    "    if x == 8: return 37\n"
    "    if x == 9: return 37\n"
    "    if x == 10: return 37\n"
    "    return x  # noqa: E501\n"
)
GENERATED = {
    "api/bus_pb2.py": BAD,
    "api/bus_pb2_grpc.py": BAD,
    "api/client.py": "# Code generated by protoc-gen-x. DO NOT EDIT.\n" + BAD,
    "api/schema.py": '"""Schema.\n\n@generated by schemagen\n"""\n' + BAD,
    "api/sdk_gen.py": "# This file is auto-generated by @acme/openapi-gen\n\n" + BAD,
    "web/src/client.gen.ts": (
        "// This file is auto-generated by @acme/openapi-gen\n\n"
        "// @ts-expect-error the generator's own workaround\nexport const x = 1;\n"
    ),
    "web/src/routes.gen.ts": (
        "/* eslint-disable */\n\n// @ts-nocheck\n\n// noinspection All\n\n"
        "// This file was automatically generated by Router.\nexport const r = 1;\n"
    ),
    "vendored/tables.py": BAD,
    ".gitattributes": "vendored/** linguist-generated=true\n",
}
LINT_CHECKS = (
    "lint.python.ruff",
    "lint.python.format",
    "lint.forbidden-patterns",
    "lint.complexity",
    "principle.no-manual-exceptions",
)


def test_generated_code_is_not_linted(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {**GENERATED, "pyproject.toml": pyproject(">=3.11")})
    for check_id in LINT_CHECKS:
        assert places(root, check_id) == [], check_id


def test_the_same_code_written_by_hand_is_linted(tmp_path: Path) -> None:
    files = {**GENERATED, "pyproject.toml": pyproject(">=3.11"), "app/logic.py": BAD}
    root = make_repo(tmp_path / "r", files)
    for check_id in LINT_CHECKS:
        found = places(root, check_id)
        assert found, check_id
        assert {path for _, path, _ in found} == {"app/logic.py"}, check_id


def test_a_mark_below_the_first_lines_does_not_make_a_file_generated(tmp_path: Path) -> None:
    late = "\n" * 8 + "# DO NOT EDIT the table below by hand\n" + BAD
    root = make_repo(tmp_path / "r", {"pyproject.toml": pyproject(">=3.11"), "m.py": late})
    assert ("lint.python.ruff.F401", "m.py", 10) in places(root, "lint.python.ruff")


def test_a_sub_projects_own_packages_are_first_party(tmp_path: Path) -> None:
    # ruff tells first-party imports apart by its configuration's `src`, resolved from the
    # configuration's directory: the sub-project's tests import its package as first party.
    test = "import json\n\nimport pytest\n\nfrom pkg import VALUE\n\nX = (json, pytest, VALUE)\n"
    files = {
        "svc/ruff.toml": '[lint]\nselect = ["I"]\n',
        "svc/src/pkg/__init__.py": "VALUE = 1\n",
        "svc/tests/test_a.py": test,
    }
    root = make_repo(tmp_path / "r", files)
    assert places(root, "lint.python.ruff") == []
    (root / "svc/tests/test_a.py").write_text(test.replace("\n\nfrom pkg", "\nfrom pkg"))
    assert places(root, "lint.python.ruff") == [("lint.python.ruff.I001", "svc/tests/test_a.py", 1)]
