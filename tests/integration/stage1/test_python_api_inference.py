"""Without a policy, a PR that changes a Python package's public API needs a spec.

A repository with no ``aces.toml``: a package whose ``__init__.py`` exports
``send``. Changing ``send``'s signature is a public API change no spec covers;
changing its body, or a private helper, is not.
"""

from __future__ import annotations

from pathlib import Path

from tests.integration.example_repo import context, git

from aces.stages.s01_spec import SpecRequired

INIT = "bus/__init__.py"
BASE = (
    '"""The bus client."""\n\n__all__ = ["send"]\n\n\n'
    "def send(frame: bytes) -> int:\n    return len(frame)\n\n\n"
    "def _pad(frame: bytes) -> bytes:\n    return frame\n"
)


def changed(tmp_path: Path, old: str, new: str) -> list[tuple[str, str, int | None, str]]:
    root = tmp_path / "repo"
    (root / "bus").mkdir(parents=True)
    (root / INIT).write_text(BASE, encoding="utf-8")
    (root / "README.md").write_text("# bus\n", encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    git(root, "checkout", "-q", "-b", "change")
    assert old in BASE
    (root / INIT).write_text(BASE.replace(old, new, 1), encoding="utf-8")
    git(root, "commit", "-qam", "edit")
    ctx = context(root, base="main")
    check = SpecRequired()
    if check.applies(ctx) is not None:
        return []
    return [
        (
            f.message,
            f.location.path if f.location else "",
            f.location.line if f.location else None,
            f.help,
        )
        for f in check.run(ctx)
    ]


def test_an_exported_signature_change_requires_a_spec(tmp_path: Path) -> None:
    found = changed(tmp_path, "def send(frame: bytes)", "def send(frame: bytes, timeout: float)")
    assert [row[:3] for row in found] == [
        (f"{INIT} changes a public API but no spec covers it", INIT, 1)
    ]
    # the report says the public API was inferred, and which key would name it
    assert "inferred from the code ([change_classes] public_api" in found[0][3]


def test_a_body_or_private_change_needs_no_spec(tmp_path: Path) -> None:
    assert changed(tmp_path, "return len(frame)", "return len(frame) + 0") == []
    assert changed(tmp_path / "b", "_pad(frame: bytes)", "_pad(frame: bytes, n: int = 0)") == []
