"""Every NOT_APPLICABLE on a bare repository says what would give the check work.

A repository with one README and no aces.toml is the worst case for a new user:
nearly every check has nothing to do. Each check's reason must then name either
the policy key that would enable it (``NotApplicable.enable``, spelled in the
reason as aces.toml writes it), a kind of file the repository lacks, or the base
version a whole-tree run does not have. The test walks every registered check, so
a new check is held to it without being listed here.
"""

from __future__ import annotations

import re

import pytest
from tests.integration.example_repo import context, git

from aces.errors import AcesError
from aces.pipeline.check import NotApplicable, key_labels
from aces.pipeline.context import RunContext
from aces.policy.schema import Policy
from aces.stages import STAGES

# A kind of file: an extension or glob (".proto", "*.sm.yaml", "aces.toml") or a word for one.
FILE_KIND = re.compile(
    r"\*?\.[a-z][\w.]*|\b(files?|lockfile|manifest|Dockerfile|workflows?|pipeline|script|"
    r"source|modules?)\b"
)
NO_BASE = re.compile(r"\bbase\b")


@pytest.fixture(scope="module")
def bare(tmp_path_factory: pytest.TempPathFactory) -> RunContext:
    root = tmp_path_factory.mktemp("bare") / "repo"
    root.mkdir()
    (root / "README.md").write_text("# A project\n", encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "init")
    return context(root)


def not_applicable(ctx: RunContext) -> dict[str, NotApplicable]:
    """Every check's NOT_APPLICABLE on ``ctx`` (checks that apply, or cannot tell, are left out)."""
    found: dict[str, NotApplicable] = {}
    for stage in STAGES:
        for check in stage.checks:
            try:
                answer = check.applies(ctx)
            except AcesError:
                continue  # ERROR, judged by the fail-closed tests
            if answer is not None:
                found[check.id] = answer
    return found


def resolves(key: str) -> bool:
    """Whether the dotted ``key`` names a setting of the policy."""
    value: object = Policy()
    for part in key.split("."):
        if not hasattr(value, part):
            return False
        value = getattr(value, part)
    return True


def test_most_checks_are_not_applicable_on_a_bare_repository(bare: RunContext) -> None:
    assert len(not_applicable(bare)) >= 40


def test_every_reason_names_a_policy_key_a_file_kind_or_the_missing_base(
    bare: RunContext,
) -> None:
    unhinted = {
        cid: na.reason
        for cid, na in not_applicable(bare).items()
        if not na.enable and not FILE_KIND.search(na.reason) and not NO_BASE.search(na.reason)
    }
    assert unhinted == {}


def test_every_enabling_key_is_a_policy_setting_named_in_the_reason(bare: RunContext) -> None:
    hinted = {cid: na for cid, na in not_applicable(bare).items() if na.enable}
    assert hinted, "no check names a policy key that would enable it"
    for cid, na in hinted.items():
        for key in na.enable:
            assert resolves(key), f"{cid}: {key} is not a policy setting"
            assert any(label in na.reason for label in key_labels(key)), (cid, key, na.reason)


def test_a_reason_naming_a_policy_table_declares_it(bare: RunContext) -> None:
    for cid, na in not_applicable(bare).items():
        if "in the policy" in na.reason or "the policy declares" in na.reason:
            assert na.enable, f"{cid}: {na.reason!r} names no key in NotApplicable.enable"


def test_key_labels_spell_keys_as_aces_toml_does() -> None:
    assert key_labels("build.commands")[0] == "[build] commands"
    assert "[[build.images]]" in key_labels("build.images")
    assert "[change_classes]" in key_labels("change_classes")
    assert not resolves("build.no_such_key")


def test_the_walk_reaches_every_implemented_stage() -> None:
    assert {stage.number for stage in STAGES if stage.checks} >= {1, 2, 3, 4, 5, 6, 7, 11}
