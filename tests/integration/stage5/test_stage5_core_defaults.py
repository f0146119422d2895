"""``test.coverage-core`` with no policy: the inferred core, the default runner, loose gates.

Small repositories of our own writing, without ``aces.toml``: a ``src/`` package
tested by pytest (the default runner measures coverage with coverage.py), a Rust
library crate alone (no coverage by default), and the repository's own coverage
gates below the doctrine's 85% floor.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from tests.integration.example_repo import context

from aces.errors import AcesError
from aces.model import Finding
from aces.pipeline.check import PartialResultError
from aces.stages.unit_core import CoreCoverage, core_scope

OPS = '''\
"""Arithmetic."""


def add(a: int, b: int) -> int:
    return a + b


def scale(a: int, factor: int) -> int:
    if factor < 0:
        raise ValueError("negative factor")
    result = a * factor
    return result
'''
TEST_ADD = "from calc.ops import add\n\n\ndef test_add() -> None:\n    assert add(1, 2) == 3\n"
TEST_SCALE = (
    "from calc.ops import scale\n\n\ndef test_scale() -> None:\n    assert scale(2, 3) == 6\n"
    "    try:\n        scale(1, -1)\n    except ValueError:\n        pass\n"
)
PYPROJECT = '[project]\nname = "calc"\n\n[tool.pytest.ini_options]\npythonpath = ["src"]\n'
CODECOV = "coverage:\n  status:\n    project:\n      default:\n        target: 70%\n"


def python_repo(root: Path, *, tested: tuple[str, ...], extra: dict[str, str]) -> Path:
    files = {
        "pyproject.toml": PYPROJECT,
        "src/calc/__init__.py": '"""Calc."""\n',
        "src/calc/ops.py": OPS,
        "tests/test_add.py": TEST_ADD,
        **({"tests/test_scale.py": TEST_SCALE} if "scale" in tested else {}),
        **extra,
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def located(findings: list[Finding]) -> list[tuple[str, str, int | None]]:
    return [
        (f.rule_id, f.location.path if f.location else "", f.location.line if f.location else None)
        for f in findings
    ]


def test_an_untested_function_in_the_inferred_core_fails_at_its_first_line(
    tmp_path: Path,
) -> None:
    ctx = context(python_repo(tmp_path, tested=("add",), extra={}))
    check = CoreCoverage()
    assert check.applies(ctx) is None
    findings = list(check.run(ctx))
    assert located(findings) == [("test.coverage-core", "src/calc/ops.py", 9)]
    assert "core libraries inferred: src/calc/**" in findings[0].message


def test_a_fully_tested_inferred_core_passes(tmp_path: Path) -> None:
    ctx = context(python_repo(tmp_path, tested=("add", "scale"), extra={}))
    assert list(CoreCoverage().run(ctx)) == []


def test_looser_repository_gates_are_findings_at_their_lines(tmp_path: Path) -> None:
    tox = "[tox]\nenv_list = py\n\n[testenv]\ncommands = pytest --cov=calc --cov-fail-under=60\n"
    extra = {"codecov.yml": CODECOV, "tox.ini": tox, ".coveragerc": "[report]\n"}
    ctx = context(python_repo(tmp_path, tested=("add", "scale"), extra=extra))
    findings = list(CoreCoverage().run(ctx))
    assert sorted(located(findings)) == [
        ("test.coverage-core.loose-gate", "codecov.yml", 5),
        ("test.coverage-core.loose-gate", "tox.ini", 5),
    ]
    assert all(f.clauses == ("test.coverage-core",) for f in findings)


def test_a_gate_at_the_floor_or_in_test_data_is_no_finding(tmp_path: Path) -> None:
    extra = {".coveragerc": "[report]\nfail_under = 90\n", "tests/fixtures/codecov.yml": CODECOV}
    ctx = context(python_repo(tmp_path, tested=("add", "scale"), extra=extra))
    assert list(CoreCoverage().run(ctx)) == []


def test_coverage_that_cannot_be_collected_is_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = context(python_repo(tmp_path, tested=("add",), extra={}))
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-python"))
    with pytest.raises(AcesError) as raised:
        list(CoreCoverage().run(ctx))
    assert "runner 'python'" in raised.value.message
    assert "core libraries inferred: src/calc/**" in (raised.value.hint or "")


def test_a_rust_only_core_is_not_applicable_naming_the_key(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "Cargo.toml").write_text('[package]\nname = "k"\nversion = "0.1.0"\n')
    (tmp_path / "src" / "lib.rs").write_text("pub fn one() -> u8 {\n    1\n}\n")
    skip = CoreCoverage().applies(context(tmp_path))
    assert skip is not None
    assert skip.reason.startswith("core libraries inferred: src/**; Rust coverage")
    assert "coverage_format" in skip.reason and "[[tests.runners]]" in skip.reason


def test_no_core_and_no_gate_is_not_applicable_naming_the_key(tmp_path: Path) -> None:
    (tmp_path / "tool.py").write_text("print(1)\n", encoding="utf-8")
    skip = CoreCoverage().applies(context(tmp_path))
    assert skip is not None and "set [paths] core_libraries" in skip.reason


def test_gate_findings_are_kept_when_coverage_cannot_be_collected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = context(python_repo(tmp_path, tested=("add",), extra={"codecov.yml": CODECOV}))
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-python"))
    with pytest.raises(PartialResultError) as raised:
        list(CoreCoverage().run(ctx))
    assert located(list(raised.value.findings)) == [
        ("test.coverage-core.loose-gate", "codecov.yml", 5)
    ]


def test_a_rust_crate_beside_the_python_package_is_not_gated_by_default(tmp_path: Path) -> None:
    root = python_repo(tmp_path, tested=("add", "scale"), extra={})
    (root / "crates" / "k" / "src").mkdir(parents=True)
    (root / "crates" / "k" / "Cargo.toml").write_text('[package]\nname = "k"\n')
    (root / "crates" / "k" / "src" / "lib.rs").write_text("pub fn one() -> u8 {\n    1\n}\n")
    ctx = context(root)
    scope = core_scope(ctx)
    assert scope.note == "core libraries inferred: crates/k/src/**, src/calc/**"
    assert list(CoreCoverage().run(ctx)) == []
