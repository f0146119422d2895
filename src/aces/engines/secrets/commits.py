"""Secrets in commit messages: git's log of a commit range, parsed and scanned.

A token pasted into a commit message is pushed with the branch as surely as one
in a file, and no file scan sees it. The caller runs
``git log -z --format=%H%n%B BASE..HEAD`` (``LOG_ARGS``) and hands its bytes
here: each record is the commit id, a line break and the raw message; records
are separated by NUL bytes.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from aces.engines.secrets.matcher import Matcher
from aces.engines.secrets.scanner import Hit, scan_text
from aces.errors import GitError

LOG_ARGS: tuple[str, ...] = ("log", "-z", "--no-color", "--format=%H%n%B")
_COMMIT_ID = re.compile(rb"[0-9a-f]{40}(?:[0-9a-f]{24})?")


@dataclass(frozen=True)
class CommitMessage:
    """One commit of the range: its full id and its raw message."""

    commit: str
    message: bytes


@dataclass(frozen=True)
class MessageHit:
    """A secret in a commit message: the commit, the hit (line of the message) and a key."""

    commit: str
    hit: Hit

    @property
    def key(self) -> str:
        """Fingerprint material: the secret's hash and the commit (each commit is a finding)."""
        return hashlib.sha256(f"{self.hit.key}\x1f{self.commit}".encode()).hexdigest()


def parse_log(raw: bytes) -> list[CommitMessage]:
    """The commits of ``git log -z --format=%H%n%B`` output; GitError on anything else."""
    messages: list[CommitMessage] = []
    for record in raw.split(b"\0"):
        record = record.lstrip(b"\n")  # git separates records with a line break too
        if not record:
            continue
        commit, _, message = record.partition(b"\n")
        if not _COMMIT_ID.fullmatch(commit):
            raise GitError(f"unexpected `git log` output: a record starts with {commit[:60]!r}")
        messages.append(CommitMessage(commit.decode("ascii"), message))
    return messages


def scan_messages(matcher: Matcher, messages: list[CommitMessage]) -> list[MessageHit]:
    """Every secret of every message, in log order."""
    return [
        MessageHit(entry.commit, hit)
        for entry in messages
        for hit in scan_text(matcher, entry.message, f"commit {entry.commit}")
    ]
