"""Placeholders typed by hand in a document's example are information, not leaks.

A redaction guide shows a payload with ``"token": "abc123xyz"`` and
``"refresh_token": "def456uvw"``: values typed along the keyboard's rows, or that
spell the kind of value they stand for (``token456``), are clearly fake. In a
document they are reported as information; the same values in product code still
block, and a value that only looks random blocks in a document too.
"""

from __future__ import annotations

from pathlib import Path

from tests.integration.stage7_secrets.test_secret_contexts import context, rows, scanned
from tests.integration.stage7_secrets.test_stage7_secrets import git, git_example

from aces.model import Severity

GUIDE = (
    "# Redaction\n"
    "\n"
    "```json\n"
    '{"auth": {"token": "abc123xyz", "refresh_token": "def456uvw"},\n'
    ' "metadata": {"token": "token456"}}\n'
    "```\n"
)


def planted(tmp_path: Path, files: dict[str, str]) -> Path:
    root = git_example(tmp_path)
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "change")
    return root


def test_typed_placeholders_in_a_document_are_information(tmp_path: Path) -> None:
    found = rows(scanned(context(planted(tmp_path, {"docs/redaction.md": GUIDE}))))
    assert found, "the placeholders are still reported"
    assert {(path, severity) for _, path, _, severity in found} == {
        ("docs/redaction.md", Severity.NOTE)
    }


def test_a_random_looking_value_in_a_document_still_blocks(tmp_path: Path) -> None:
    leaked = GUIDE.replace("def456uvw", "Qz7vK2xW9pLm")
    found = rows(scanned(context(planted(tmp_path, {"docs/redaction.md": leaked}))))
    assert ("docs/redaction.md", 4, Severity.ERROR) in {(p, line, s) for _, p, line, s in found}
