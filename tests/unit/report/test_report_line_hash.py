"""GitHub's primaryLocationLineHash, computed as the upload action computes it."""

from __future__ import annotations

from pathlib import Path

import pytest

from aces.report.line_hash import line_hashes, repository_line_hashes

# Known answers: values the upload action's own test suite publishes for these inputs.
KNOWN = [
    ("", ["c129715d7a2bc9a3:1"]),
    (
        " a\nb\n  \t\tc\n d",
        ["271789c17abda88f:1", "54703d4cd895b18:1", "180aee12dab6264:1", "a23a3dc5e078b07b:1"],
    ),
]
# One text in three line-ending spellings: the hashes must not depend on them.
ENDINGS = [
    " hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End\n",
    " hello; \t\nworld!!!\r\r\r  \t\tGreetings\r End\r",
    " hello; \t\r\nworld!!!\r\n\r\n\r\n  \t\tGreetings\r\n End\r\n",
]
ENDINGS_HASHES = [
    "e9496ae3ebfced30:1",
    "fb7c023a8b9ccb3f:1",
    "ce8ba1a563dcdaca:1",
    "e20e36e16fcb0cc8:1",
    "b3edc88f2938467e:1",
    "c8e28b0b4002a3a0:1",
    "c129715d7a2bc9a3:1",
]


def _all(text: str, count: int) -> list[str]:
    found = line_hashes(text, set(range(1, count + 1)))
    return [found[n] for n in range(1, count + 1)]


@pytest.mark.parametrize(("text", "expected"), KNOWN)
def test_known_answers(text: str, expected: list[str]) -> None:
    assert _all(text, len(expected)) == expected


@pytest.mark.parametrize("text", ENDINGS)
def test_line_endings_and_blanks_do_not_matter(text: str) -> None:
    assert _all(text, 7) == ENDINGS_HASHES


def test_identical_windows_are_counted() -> None:
    text = "Lorem ipsum dolor sit amet.\n" * 10
    hashes = _all(text, 11)
    # The first six lines see 100 identical characters: one hash, counted 1..6.
    assert hashes[:6] == [f"a7f2ff13bc495cf2:{n}" for n in range(1, 7)]
    assert len(set(hashes[6:])) == 5 and all(h.endswith(":1") for h in hashes[6:])


def test_only_wanted_lines_and_lines_that_exist() -> None:
    assert line_hashes("a\nb\n", {2, 40}) == {2: _all("a\nb\n", 2)[1]}
    assert line_hashes("a\n", set()) == {}


def test_repository_files(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "m.py").write_bytes(b"x = 1\n\xff bad byte\n")
    (tmp_path / "outside.py").write_text("secret\n")
    root = tmp_path / "repo"
    root.mkdir()
    (root / "src").symlink_to(tmp_path / "src")
    (root / "a.py").write_text("one\ntwo\n")
    (root / "dir").mkdir()
    wanted = {
        "a.py": {2},
        "../outside.py": {1},  # leaves the repository
        "src/m.py": {1},  # through a symlink that leaves the repository
        "dir": {1},
        "missing.py": {1},
        "/etc/hostname": {1},
    }
    assert repository_line_hashes(root, wanted) == {("a.py", 2): _all("one\ntwo\n", 2)[1]}
    # A bad byte is read as U+FFFD, as a UTF-8 stream decoder does.
    got = repository_line_hashes(tmp_path, {"src/m.py": {2}})
    assert got == {("src/m.py", 2): _all("x = 1\n\ufffd bad byte\n", 2)[1]}
