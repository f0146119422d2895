"""PR metadata: read from a GitHub or GitLab event file, or from command-line flags.

GitHub ``pull_request`` / ``pull_request_target`` / ``pull_request_review`` payloads
carry the PR under ``pull_request``; GitLab merge-request hooks carry it under
``object_attributes``. Another event of a known CI (a push) carries no PR, so only
the flags count. Flags override the event's title and body and add labels.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from aces.errors import InputError
from aces.nesting import parse_bounded
from aces.workspace.types import PullRequest


def load_pr_metadata(
    *,
    event_file: Path | None,
    title: str | None,
    body_file: Path | None,
    labels: Sequence[str],
) -> PullRequest:
    """The PR from the event file (if any), with the flags applied on top."""
    pr = PullRequest()
    if event_file is not None:
        pr = parse_event(read_event(event_file), str(event_file))
    body = read_body(body_file) if body_file is not None else None
    return apply_flags(pr, title=title, body=body, labels=labels)


def apply_flags(
    pr: PullRequest, *, title: str | None, body: str | None, labels: Sequence[str]
) -> PullRequest:
    """``pr`` with flag values: title and body replace the event's, labels are added."""
    extra = [label.strip() for label in labels if label.strip()]
    if title is None and body is None and not extra:
        return pr
    return replace(
        pr,
        title=pr.title if title is None else title,
        body=pr.body if body is None else body,
        labels=tuple(sorted({*pr.labels, *extra})),
        source=pr.source or "flags",
    )


def read_event(path: Path) -> dict[str, object]:
    """The JSON object of an event file; InputError naming the file when it is unusable."""
    text = _read_utf8(path, what="event file")
    try:
        data = parse_bounded(json.loads, text, str(path), "json")
    except json.JSONDecodeError as exc:
        raise InputError(
            f"event file is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})",
            path=str(path),
        ) from exc
    if not isinstance(data, dict):
        raise InputError("event file is not a JSON object", path=str(path))
    return data


def read_body(path: Path) -> str:
    """The PR body given with --pr-body-file."""
    return _read_utf8(path, what="PR body file")


def _read_utf8(path: Path, *, what: str) -> str:
    """A file's text; InputError naming it when missing, unreadable or not UTF-8."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise InputError(f"{what} does not exist", path=str(path)) from exc
    except OSError as exc:
        raise InputError(f"cannot read the {what}: {exc.strerror}", path=str(path)) from exc
    try:
        return raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise InputError(f"{what} is not valid UTF-8 (offset {exc.start})", path=str(path)) from exc


def parse_event(data: dict[str, object], where: str) -> PullRequest:
    """The PR an event payload describes (an empty one for a non-PR event of a known CI)."""
    kind = data.get("object_kind")
    attributes = data.get("object_attributes")
    if kind == "merge_request" or (
        kind is None and isinstance(attributes, dict) and "target_branch" in attributes
    ):
        return _gitlab(data, where)
    if kind is not None:
        return PullRequest()  # a GitLab hook about something else (push, pipeline, ...)
    if "pull_request" in data:
        return _github(data, where)
    if "repository" in data or "sender" in data:
        return PullRequest()  # a GitHub event without a PR (push, schedule, ...)
    raise InputError(
        "event file is neither a GitHub nor a GitLab event payload",
        path=where,
        hint="pass the file GitHub names in GITHUB_EVENT_PATH, or use --pr-title/--label",
    )


def _github(data: dict[str, object], where: str) -> PullRequest:
    """A GitHub pull_request payload."""
    fields = _Fields(data, where)
    approvals: tuple[str, ...] = ()
    if fields.text("review", "state").lower() == "approved":
        approvals = (fields.text("review", "user", "login"),)
    return PullRequest(
        title=fields.text("pull_request", "title"),
        body=fields.text("pull_request", "body"),
        labels=fields.names(("pull_request", "labels"), "name"),
        approvals=tuple(a for a in approvals if a),
        author=fields.text("pull_request", "user", "login"),
        number=fields.integer("pull_request", "number"),
        source="github-event",
        base_ref=fields.text("pull_request", "base", "ref"),
        base_sha=fields.text("pull_request", "base", "sha"),
    )


def _gitlab(data: dict[str, object], where: str) -> PullRequest:
    """A GitLab merge-request hook payload."""
    fields = _Fields(data, where)
    labels = fields.names(("object_attributes", "labels"), "title") or fields.names(
        ("labels",), "title"
    )
    return PullRequest(
        title=fields.text("object_attributes", "title"),
        body=fields.text("object_attributes", "description"),
        labels=labels,
        author=fields.text("user", "username"),
        number=fields.integer("object_attributes", "iid"),
        source="gitlab-event",
        base_ref=fields.text("object_attributes", "target_branch"),
    )


class _Fields:
    """Typed access to a JSON payload; a wrongly typed field is an InputError naming it."""

    def __init__(self, data: dict[str, object], where: str) -> None:
        self.data = data
        self.where = where

    def get(self, *keys: str) -> object:
        """The value at ``keys``, or None when any step is missing."""
        node: object = self.data
        for key in keys:
            if not isinstance(node, dict):
                return None
            node = node.get(key)
        return node

    def text(self, *keys: str) -> str:
        """A string field ('' when missing or null)."""
        value = self.get(*keys)
        if value is None:
            return ""
        if not isinstance(value, str):
            raise self._wrong(keys, "a string", value)
        return value

    def integer(self, *keys: str) -> int | None:
        """An integer field (None when missing or null)."""
        value = self.get(*keys)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._wrong(keys, "an integer", value)
        return value

    def names(self, keys: tuple[str, ...], name_key: str) -> tuple[str, ...]:
        """Sorted names of a list of objects (``labels[].name``); plain strings count too."""
        value = self.get(*keys)
        if value is None:
            return ()
        if not isinstance(value, list):
            raise self._wrong(keys, "a list", value)
        names: set[str] = set()
        for i, item in enumerate(value):
            name = item.get(name_key) if isinstance(item, dict) else item
            if not isinstance(name, str):
                raise self._wrong((*keys[:-1], f"{keys[-1]}[{i}]", name_key), "a string", name)
            names.add(name)
        return tuple(sorted(names))

    def _wrong(self, keys: Sequence[str], expected: str, value: object) -> InputError:
        """The error for a field of the wrong type."""
        shown = "null" if value is None else type(value).__name__
        return InputError(
            f"event field {'.'.join(keys)} is {shown}, expected {expected}", path=self.where
        )
