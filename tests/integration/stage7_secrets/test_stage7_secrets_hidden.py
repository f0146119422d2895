"""sec.secrets finds what hides: split literals, commit messages, UTF-16 and NUL-bearing text.

Each case is committed on a branch of a git copy of the example whose base is the
untouched example. Secret values are generated at test time.
"""

from __future__ import annotations

from pathlib import Path

from tests.integration.example_repo import context, git, git_example

from aces.engines.secrets.samples import expand
from aces.model import Finding
from aces.stages.security_secrets import SecretScan

GH = expand("ghp_@@alnum:36@@", "hidden-gh")
AWS = expand("AKIA@@b32:16@@", "hidden-aws")
SETTINGS = "src/arqonbus_mini/settings_local.py"


def change_branch(tmp_path: Path) -> Path:
    root = git_example(tmp_path)
    git(root, "checkout", "-q", "-b", "change")
    return root


def commit_bytes(root: Path, rel: str, data: bytes, message: str = "change") -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def findings(root: Path) -> list[Finding]:
    ctx = context(root, base="main")
    check = SecretScan()
    assert check.applies(ctx) is None
    return sorted(check.run(ctx), key=Finding.sort_key)


def places(found: list[Finding]) -> list[tuple[str, str, int | None]]:
    return [
        (f.rule_id, f.location.path if f.location else "", f.location.line if f.location else None)
        for f in found
    ]


def test_a_token_split_across_literals_is_found_at_its_first_piece(tmp_path: Path) -> None:
    root = change_branch(tmp_path)
    text = (
        f'"""Settings."""\n\nTOKEN = (\n    "{GH[:8]}"\n    "{GH[8:]}"\n)\n'
        f'KEY = "{AWS[:4]}" + "{AWS[4:]}"\n'
    )
    commit_bytes(root, SETTINGS, text.encode())
    assert places(findings(root)) == [
        ("sec.secrets.github-token", SETTINGS, 4),
        ("sec.secrets.aws-access-key-id", SETTINGS, 7),
    ]


def test_a_token_only_in_a_commit_message_names_the_commit(tmp_path: Path) -> None:
    root = change_branch(tmp_path)
    commit_bytes(root, "README.md", b"# readme\n", f"Fix login\n\ndebug with token {GH}\n")
    head = (root / ".git" / "refs" / "heads" / "change").read_text().strip()
    found = findings(root)
    assert [(f.rule_id, f.location) for f in found] == [("sec.secrets.github-token", None)]
    assert f"in the message of commit {head} (line 3 of the message)" in found[0].message
    assert GH not in found[0].message


def test_the_same_token_in_two_commit_messages_is_two_findings(tmp_path: Path) -> None:
    root = change_branch(tmp_path)
    commit_bytes(root, "a.txt", b"a\n", f"one {GH}")
    commit_bytes(root, "b.txt", b"b\n", f"two {GH}")
    found = findings(root)
    assert len({f.fingerprint for f in found}) == 2


def test_a_text_file_starting_with_nul_bytes_is_scanned(tmp_path: Path) -> None:
    root = change_branch(tmp_path)
    commit_bytes(root, "config/app.cfg", b"\x00\x00# app\ntoken = " + GH.encode() + b"\n")
    assert places(findings(root)) == [("sec.secrets.github-token", "config/app.cfg", 2)]


def test_a_utf16_file_is_scanned(tmp_path: Path) -> None:
    root = change_branch(tmp_path)
    commit_bytes(root, "deploy/setup.ps1", f"# setup\n$key = '{AWS}'\n".encode("utf-16"))
    assert places(findings(root)) == [("sec.secrets.aws-access-key-id", "deploy/setup.ps1", 2)]


def test_only_added_lines_of_a_file_git_calls_binary_count(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    old = b"\x00header\nold = " + GH.encode() + b"\n"
    commit_bytes(root, "config/app.cfg", old, "base secret")
    git(root, "checkout", "-q", "-b", "change")
    commit_bytes(root, "config/app.cfg", old + b"key = " + AWS.encode() + b"\n")
    assert places(findings(root)) == [("sec.secrets.aws-access-key-id", "config/app.cfg", 3)]


def test_a_binary_file_is_not_scanned(tmp_path: Path) -> None:
    root = change_branch(tmp_path)
    commit_bytes(root, "bin/tool", b"\x7fELF\x02\x01\x01" + bytes(60) + GH.encode())
    ctx = context(root, base="main")
    assert list(SecretScan().run(ctx)) == []
