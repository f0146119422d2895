"""Spec discovery: the two layouts and the links of a PR body."""

from __future__ import annotations

import pytest

from aces.engines.specdoc.discovery import pr_links, spec_kind, spec_paths

DIRS = ("specs",)


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("specs/tenant-isolation.md", "feature"),
        ("specs/001-envelope/spec.md", "speckit"),
        ("specs/001-envelope/plan.md", "companion"),
        ("specs/001-envelope/tasks.md", "companion"),
        ("specs/001-envelope/README.md", "companion"),
        ("specs/001-envelope/contracts/api.md", "companion"),
        ("specs/README.md", "index"),
        ("specs/diagram.png", "companion"),
        ("docs/design.md", "outside"),
        ("spec/x.md", "outside"),
        ("specsx/y.md", "outside"),
    ],
)
def test_spec_kind(path: str, kind: str) -> None:
    assert spec_kind(path, DIRS) == kind


def test_spec_paths_follow_the_policy_dirs() -> None:
    files = ["specs/a.md", "specs/001-x/spec.md", "specs/001-x/plan.md", "docs/specs/b.md"]
    assert spec_paths(files, DIRS) == ("specs/001-x/spec.md", "specs/a.md")
    assert spec_paths(files, ("docs/specs/",)) == ("docs/specs/b.md",)


@pytest.mark.parametrize(
    ("body", "targets"),
    [
        ("Spec: [tenancy](specs/tenancy.md)", [("specs/tenancy.md", 1)]),
        ("Spec: specs/tenancy.md", [("specs/tenancy.md", 1)]),
        ("see ./specs/a.md and /specs/b.md", [("specs/a.md", 1), ("specs/b.md", 1)]),
        ("[x](<docs/my spec.md>)", [("docs/my spec.md", 1)]),
        ("[x](docs/design.md#security)", [("docs/design.md", 1)]),
        (
            "https://github.com/org/repo/blob/main/specs/c.md",
            [("specs/c.md", 1)],
        ),
        ("[y](https://github.com/org/repo/blob/abc123/specs/d.md#L3)", [("specs/d.md", 1)]),
        ("[ref]: specs/e.md", [("specs/e.md", 1)]),
        ("intro\n\n- [a](specs/a.md)\n- specs/a.md again", [("specs/a.md", 3)]),
        ("https://example.com/README.md", []),
        ("[site](https://example.com/spec.md)", []),
        ("no links, a file.txt and specs/notes.markdown", []),
        ("mailto:x@y.md", []),
    ],
)
def test_pr_links(body: str, targets: list[tuple[str, int]]) -> None:
    assert [(link.target, link.line) for link in pr_links(body)] == targets
