"""Without public_api globs, a PR that changes a library crate's public API needs a spec.

The example without its ``[change_classes] public_api`` line: changing the type of a
``pub`` field of ``Header`` (reachable from the crate root through ``pub mod header``)
is a public API change that no spec covers; changing a function body is not.
"""

from __future__ import annotations

from pathlib import Path

from tests.integration.example_repo import context, git, git_example

from aces.stages.s01_spec import SpecRequired

HEADER = "crates/arqonbus-frame/src/header.rs"


def without_public_api_globs(tmp_path: Path) -> Path:
    root = git_example(tmp_path)
    policy = root / "aces.toml"
    text = policy.read_text(encoding="utf-8")
    assert 'public_api = ["src/arqonbus_mini/__init__.py"]\n' in text
    policy.write_text(
        text.replace('public_api = ["src/arqonbus_mini/__init__.py"]\n', ""), encoding="utf-8"
    )
    git(root, "commit", "-qam", "no public_api globs")
    git(root, "checkout", "-q", "-b", "change")
    return root


def edit(root: Path, old: str, new: str) -> None:
    path = root / HEADER
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    git(root, "commit", "-qam", "edit header")


def required(root: Path) -> list[tuple[str, str, int | None]]:
    ctx = context(root, base="main")
    check = SpecRequired()
    if check.applies(ctx) is not None:
        return []
    return [
        (f.message, f.location.path if f.location else "", f.location.line if f.location else None)
        for f in check.run(ctx)
    ]


def test_a_pub_field_type_change_requires_a_spec(tmp_path: Path) -> None:
    root = without_public_api_globs(tmp_path)
    edit(root, "pub payload_len: u32,", "pub payload_len: u64,")
    assert required(root) == [(f"{HEADER} changes a public API but no spec covers it", HEADER, 1)]


def test_a_body_change_of_a_public_crate_needs_no_spec(tmp_path: Path) -> None:
    root = without_public_api_globs(tmp_path)
    text = (root / HEADER).read_text(encoding="utf-8")
    marker = next(line for line in text.splitlines() if line.strip().startswith("//"))
    edit(root, marker, marker + " (reworded)")
    assert required(root) == []
