"""Which files GitHub reads as workflows, action definitions and Dependabot configuration."""

from __future__ import annotations

from aces.stages.workflow_inputs import (
    InputKind,
    actions,
    audited,
    dependabot_configs,
    kind_of,
    workflows,
)

TREE = (
    ".github/workflows/test.yml",
    ".github/workflows/release.yaml",
    ".github/workflows/templates/part.yml",  # not run: only the directory's own files are
    ".github/dependabot.yml",
    "docs/dependabot.yml",  # Dependabot reads .github only
    "action.yml",
    "action.yaml",  # shadowed: the runner reads action.yml first
    "tools/greet/action.yaml",
    "tools/build/action.yml",
    "tools/build/myaction.yml",
    "README.md",
)


def test_workflows_are_the_files_directly_in_the_workflows_directory() -> None:
    assert workflows(TREE) == (".github/workflows/release.yaml", ".github/workflows/test.yml")


def test_an_action_is_its_action_yml_else_its_action_yaml_in_any_directory() -> None:
    assert actions(TREE) == ("action.yml", "tools/build/action.yml", "tools/greet/action.yaml")


def test_dependabot_is_read_from_github_only() -> None:
    assert dependabot_configs(TREE) == (".github/dependabot.yml",)


def test_every_input_is_audited_once_in_order() -> None:
    assert audited(TREE) == (
        ".github/dependabot.yml",
        ".github/workflows/release.yaml",
        ".github/workflows/test.yml",
        "action.yml",
        "tools/build/action.yml",
        "tools/greet/action.yaml",
    )


def test_a_file_is_read_by_its_place_then_its_name() -> None:
    assert kind_of(".github/workflows/action.yml") is InputKind.WORKFLOW
    assert kind_of(".github/dependabot.yaml") is InputKind.DEPENDABOT
    assert kind_of("x/action.yaml") is InputKind.ACTION
    assert kind_of("x/action.yml.bak") is None
