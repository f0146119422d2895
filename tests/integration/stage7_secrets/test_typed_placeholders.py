"""Placeholders typed by hand in a document's example are information, not leaks.

A redaction guide shows a payload with ``"token": "abc123xyz"`` and
``"refresh_token": "def456uvw"``: values typed along the keyboard's rows, or that
spell the kind of value they stand for (``token456``), are clearly fake. In a
document they are reported as information; the same values in product code still
block. A document's password entries, URLs and JWTs are its examples whatever their
value; a token of a provider's format blocks in a document too.
"""

from __future__ import annotations

from pathlib import Path

from tests.integration.stage7_secrets.test_secret_contexts import context, rows, scanned
from tests.integration.stage7_secrets.test_stage7_secrets import git, git_example

from aces.engines.secrets.samples import expand
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


def test_a_random_looking_entry_in_a_document_is_its_example(tmp_path: Path) -> None:
    example = GUIDE.replace("def456uvw", "Qz7vK2xW9pLm")
    found = rows(scanned(context(planted(tmp_path, {"docs/redaction.md": example}))))
    assert ("docs/redaction.md", 4, Severity.NOTE) in {(p, line, s) for _, p, line, s in found}
    assert {severity for *_, severity in found} == {Severity.NOTE}


def test_a_provider_token_in_a_document_still_blocks(tmp_path: Path) -> None:
    leaked = GUIDE.replace("def456uvw", expand("ghp_@@alnum:36@@", "doc-provider"))
    found = rows(scanned(context(planted(tmp_path, {"docs/redaction.md": leaked}))))
    assert ("sec.secrets.github-token", "docs/redaction.md", 4, Severity.ERROR) in found
