"""A requirements file locks a pyproject only when it pins every dependency.

An empty ``requirements.txt`` next to a ``pyproject.toml`` with dependencies, or one
of ranges (``httpx>=0.27``), locks nothing: the pyproject has no lockfile
(``infra.locked-toolchains.lockfile-missing``, ``infra.sbom.no-lockfile``, at the
pyproject). One that pins (``==``) every dependency, with or without hashes, is its lock.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.integration.example_repo import context

from aces.stages.security_supply import LockedToolchainsCheck, SbomCheck

PYPROJECT = (
    '[project]\nname = "svc"\nversion = "1.0.0"\nrequires-python = ">=3.11"\n'
    'dependencies = [\n  "httpx>=0.27",\n  "Pydantic_Core>=2",\n]\n'
)
PINNED = "httpx==0.27.2 \\\n    --hash=sha256:" + "a" * 64 + "\npydantic-core==2.23.4\n"


def lock_rows(root: Path) -> list[tuple[str, str, int | None]]:
    ctx = context(root)
    found = [*LockedToolchainsCheck().run(ctx), *SbomCheck().run(ctx)]
    return sorted(
        (f.rule_id, f.location.path, f.location.line)
        for f in found
        if f.location and "lockfile" in f.rule_id
    )


def planted(root: Path, requirements: str) -> Path:
    (root / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    (root / "requirements.txt").write_text(requirements, encoding="utf-8")
    return root


@pytest.mark.parametrize("requirements", ["", "# no pins\n", "httpx>=0.27\npydantic-core\n"])
def test_a_requirements_file_that_pins_nothing_is_no_lock(
    tmp_path: Path, requirements: str
) -> None:
    assert lock_rows(planted(tmp_path, requirements)) == [
        ("infra.locked-toolchains.lockfile-missing", "pyproject.toml", 6),
        ("infra.sbom.no-lockfile", "pyproject.toml", 6),
    ]


def test_a_requirements_file_pinning_only_some_is_no_lock(tmp_path: Path) -> None:
    assert lock_rows(planted(tmp_path, "httpx==0.27.2\n")) == [
        ("infra.locked-toolchains.lockfile-missing", "pyproject.toml", 6),
        ("infra.sbom.no-lockfile", "pyproject.toml", 6),
    ]


def test_a_requirements_file_pinning_every_dependency_is_the_lock(tmp_path: Path) -> None:
    assert lock_rows(planted(tmp_path, PINNED)) == []
