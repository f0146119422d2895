"""One test module that cannot be imported does not hide the rest of a Python suite.

pytest stops a session at its first collection error unless told to go on: the
one module that imports a package nobody installed would leave every other
module unrun, their failures unreported and the coverage measured on no test at
all. The default Python runner goes on: the broken module is reported as a
collection failure, and the other modules' results stand beside it.
"""

from __future__ import annotations

from pathlib import Path

from tests.integration.stage5.test_stage5_runner_errors import stage5

from aces.model import Status

FILES = {
    "pyproject.toml": '[project]\nname = "p"\nversion = "1"\nrequires-python = ">=3.10"\n',
    "src/p/__init__.py": '"""p."""\n\n\ndef double(x: int) -> int:\n    return x + x\n',
    "tests/test_broken_import.py": "import a_package_nobody_installed  # noqa: F401\n",
    "tests/test_double.py": (
        "from p import double\n\n\n"
        "def test_double_of_two() -> None:\n    assert double(2) == 4\n\n\n"
        "def test_double_of_three() -> None:\n    assert double(3) == 7\n"
    ),
    "conftest.py": 'import sys\n\nsys.path.insert(0, "src")\n',
}


def test_a_module_that_cannot_be_imported_leaves_the_others_running(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    for rel, text in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    unit = stage5(root)["test.unit"]
    # the module lacks a package the environment does not have: the run cannot verify it
    # (ERROR naming the package), and the other modules' results stand beside that
    assert unit.status is Status.ERROR
    assert "a_package_nobody_installed" in unit.reason
    failed = [f for f in unit.findings if f.location and f.location.path.endswith("double.py")]
    assert len(failed) == 1
    assert "test_double_of_three" in failed[0].message


def test_a_module_that_fails_on_import_fails_and_the_others_still_run(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    files = dict(FILES)
    files["tests/test_broken_import.py"] = 'raise RuntimeError("broken at import")\n'
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    unit = stage5(root)["test.unit"]
    assert unit.status is Status.FAIL
    assert sorted(f.location.path for f in unit.findings if f.location) == [
        "tests/test_broken_import.py",
        "tests/test_double.py",
    ]
