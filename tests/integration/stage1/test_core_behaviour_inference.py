"""Without a policy, a PR that changes the package holding the protocol needs a spec.

A repository with no ``aces.toml``: a package ``bus`` holding ``envelope.py``
(its wire protocol) and ``server.py``, and a package ``tools`` with neither.
Changing any module of ``bus`` (even a body) is a core behaviour change no spec
covers; changing ``tools`` or a test of ``bus`` is not.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.integration.example_repo import context, git

from aces.stages.s01_spec import SpecRequired
from aces.workspace.protocol_packages import infer_core_behaviour

FILES = {
    "src/bus/__init__.py": '"""The bus."""\n',
    "src/bus/envelope.py": '"""Frames."""\n\n\ndef encode(b: bytes) -> bytes:\n    return b\n',
    "src/bus/server.py": '"""Server."""\n\n\ndef serve() -> int:\n    return 1\n',
    "src/tools/__init__.py": '"""Tools."""\n',
    "src/tools/fmt.py": '"""Formatting."""\n\n\ndef fmt() -> str:\n    return "x"\n',
    "tests/test_envelope.py": "def test_encode() -> None:\n    assert True\n",
    "README.md": "# bus\n",
}


def changed(tmp_path: Path, path: str) -> list[tuple[str, str, int | None, str | None]]:
    root = tmp_path / "repo"
    for rel, text in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    git(root, "checkout", "-q", "-b", "change")
    (root / path).write_text(FILES[path] + "# changed\n", encoding="utf-8")
    git(root, "commit", "-qam", "edit")
    ctx = context(root, base="main")
    check = SpecRequired()
    if check.applies(ctx) is not None:
        return []
    return [
        (f.message, f.location.path if f.location else "", f.location.line if f.location else None,
         f.help)
        for f in check.run(ctx)
    ]  # fmt: skip


@pytest.mark.parametrize("path", ["src/bus/envelope.py", "src/bus/server.py"])
def test_a_change_to_the_protocol_package_requires_a_spec(tmp_path: Path, path: str) -> None:
    found = changed(tmp_path, path)
    assert [row[:3] for row in found] == [(f"{path} changes core behaviour but no spec covers it",
                                           path, 1)]  # fmt: skip
    # the report says what was inferred, and which key would name it
    assert found[0][3] is not None
    assert "[change_classes] core_behaviour names none" in found[0][3]
    assert "src/bus/*.py" in found[0][3]


@pytest.mark.parametrize("path", ["src/tools/fmt.py", "tests/test_envelope.py"])
def test_other_packages_and_tests_need_no_spec(tmp_path: Path, path: str) -> None:
    assert changed(tmp_path, path) == []


def test_the_inferred_globs_name_the_package_and_a_protocol_subpackage() -> None:
    files = [
        "svc/__init__.py",
        "svc/protocol/__init__.py",
        "svc/protocol/frames.py",
        "svc/app.py",
        "lib/__init__.py",
        "lib/routing.py",
        "examples/demo/__init__.py",
        "examples/demo/envelope.py",
        "scripts/wire.py",
    ]
    assert infer_core_behaviour(files) == ("lib/*.py", "svc/*.py", "svc/protocol/**")
