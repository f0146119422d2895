"""Publishing, SBOM and signing steps of CI files, each at its line."""

from __future__ import annotations

import pytest

from aces.engines.supply.publishing import PUBLISH, SBOM, SIGN, ci_steps, unattested

GITLAB = """image:
  script:
    - docker buildx build --push --sbom=false -t x .
    - docker buildx build --push --sbom=true -t y .
    - cosign sign --yes y
"""


def kinds(path: str, text: str) -> list[tuple[int, str]]:
    return [(step.line, step.kind) for step in ci_steps(path, text)]


def test_script_lines_are_read_one_by_one() -> None:
    assert kinds(".gitlab-ci.yml", GITLAB) == [
        (3, PUBLISH),
        (4, PUBLISH),
        (4, SBOM),
        (5, SIGN),
    ]


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("docker push ghcr.io/x/y:1", PUBLISH),
        ("podman push x", PUBLISH),
        ("gh release upload v1 dist/a.tgz", PUBLISH),
        ("twine upload dist/*", PUBLISH),
        ("cargo publish --locked", PUBLISH),
        ("syft dir:. -o cyclonedx-json=sbom.json", SBOM),
        ("aces sbom --output sbom.json", SBOM),
        ("trivy fs --format cyclonedx -o sbom.json .", SBOM),
        ("cosign attest --type cyclonedx --predicate sbom.json x", SBOM),
        ("cosign sign --yes x", SIGN),
        ("aces sign dist/a.tgz --key k", SIGN),
        ("gpg --detach-sign dist/a.tgz", SIGN),
    ],
)
def test_each_tool_is_told_by_what_it_does(line: str, kind: str) -> None:
    text = f"j:\n  script:\n    - {line}\n"
    assert (3, kind) in kinds(".gitlab-ci.yml", text)


@pytest.mark.parametrize(
    "line",
    [
        "docker build -t x .",
        "echo docker push is documented here # docker push",
        "grep -r 'cosign sign' docs",
        "# docker push x",
        "cargo build --release",
        "docker buildx build --sbom=false -t x .",
    ],
)
def test_what_does_not_publish_or_attest_is_not_a_step(line: str) -> None:
    text = f"j:\n  script:\n    - '{line}'\n"
    assert kinds(".gitlab-ci.yml", text) == []


def test_an_sbom_step_anywhere_counts_for_every_publishing_step() -> None:
    release = "j:\n  script:\n    - docker push x\n"
    sbom = "k:\n  script:\n    - syft . -o spdx-json\n"
    (item,) = unattested([(".gitlab-ci.yml", release), ("ci/sbom.yml", sbom)])
    assert item.missing == (SIGN,)
    assert (item.step.path, item.step.line) == (".gitlab-ci.yml", 3)


NOTES_ONLY_RELEASE = """jobs:
  draft:
    steps:
      - run: |
          gh release create "$VERSION" \\
            --draft \\
            --title "$VERSION" \\
            --notes-file notes.md \\
            --target "$(git rev-parse HEAD)"
      - uses: softprops/action-gh-release@v2
        with:
          body_path: notes.md
"""
ASSET_RELEASE = """jobs:
  ship:
    steps:
      - run: gh release create "$VERSION" --title "$VERSION" dist/app.tgz
      - uses: softprops/action-gh-release@v2
        with:
          files: dist/*
"""


def test_a_release_of_notes_only_publishes_no_artifact() -> None:
    assert kinds(".github/workflows/draft.yml", NOTES_ONLY_RELEASE) == []


def test_a_release_with_files_publishes_them() -> None:
    assert kinds(".github/workflows/ship.yml", ASSET_RELEASE) == [(4, PUBLISH), (5, PUBLISH)]
