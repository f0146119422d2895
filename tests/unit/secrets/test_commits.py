"""Commit messages: git log output parsed, secrets found per commit, garbage refused."""

from __future__ import annotations

import pytest

from aces.engines.secrets.commits import CommitMessage, parse_log, scan_messages
from aces.engines.secrets.redact import builtin_matcher
from aces.engines.secrets.samples import expand
from aces.errors import GitError

A = "a" * 40
B = "b" * 40
GH = expand("ghp_@@alnum:36@@", "commits-gh")


def test_records_of_git_log_z() -> None:
    raw = f"{A}\nFix login\n\nBody line\n\0\n{B}\nfirst\n\0".encode()
    assert parse_log(raw) == [
        CommitMessage(A, b"Fix login\n\nBody line\n"),
        CommitMessage(B, b"first\n"),
    ]
    assert parse_log(b"") == []


@pytest.mark.parametrize("raw", [b"fatal: bad revision\n", b"abc\nmessage\0"])
def test_output_that_is_not_a_log_is_an_error(raw: bytes) -> None:
    with pytest.raises(GitError, match="unexpected `git log` output"):
        parse_log(raw)


def test_secrets_are_found_per_commit_with_their_line() -> None:
    messages = [CommitMessage(A, b"clean\n"), CommitMessage(B, f"x\n\ntoken {GH}\n".encode())]
    found = scan_messages(builtin_matcher(), messages)
    assert [(f.commit, f.hit.rule_id, f.hit.line) for f in found] == [(B, "github-token", 3)]
    same = scan_messages(builtin_matcher(), [CommitMessage(A, f"token {GH}".encode())])
    assert same[0].key != found[0].key  # one finding per commit
