"""compute_change on real repositories: base choice, diff, hunks, untracked files, classes."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.unit.workspace.gitrepo import GitRepo

from aces.errors import GitError
from aces.policy.schema import ChangeClasses, Policy
from aces.workspace.change import compute_change
from aces.workspace.index import Workspace
from aces.workspace.types import ChangedFile, Hunk, PullRequest

NO_PR = PullRequest()


def _branch_with_history(repo: GitRepo) -> str:
    """main: base commit; feature branch checked out. Returns the base commit."""
    repo.write("src/app.py", "".join(f"line {i}\n" for i in range(1, 11)))
    repo.write("old.txt", "old\n")
    repo.write("proto/v1/bus.proto", 'syntax = "proto3";\n' + "// pad line\n" * 10)
    base = repo.commit("base")
    repo.git("checkout", "-q", "-b", "feature")
    return base


def test_merge_base_with_default_branch_ignores_later_main_commits(repo: GitRepo) -> None:
    base = _branch_with_history(repo)
    repo.write("src/app.py", "line 1\nCHANGED\n" + "".join(f"line {i}\n" for i in range(3, 11)))
    repo.commit("feature work")
    repo.git("checkout", "-q", "main")
    repo.write("main-only.txt", "m\n")
    repo.commit("main moved on")
    repo.git("checkout", "-q", "feature")

    change = compute_change(Workspace.open(repo.root), Policy(), base=None, pr=NO_PR)

    assert change.base == base
    assert change.base_ref == "main"
    assert change.head == repo.git("rev-parse", "HEAD").strip()
    assert not change.whole_tree
    assert change.files == (ChangedFile("src/app.py", "M", None, (Hunk(2, 1),)),)


def test_uncommitted_edits_renames_deletions_and_untracked_files(repo: GitRepo) -> None:
    _branch_with_history(repo)
    (repo.root / "proto/v2").mkdir()
    repo.git("mv", "proto/v1/bus.proto", "proto/v2/bus.proto")
    repo.write("proto/v2/bus.proto", 'syntax = "proto3";\n' + "// pad line\n" * 9 + "// new\n")
    (repo.root / "old.txt").unlink()
    repo.write(
        "src/app.py",
        "line 1\nline 2\nadded a\nadded b\n" + "".join(f"line {i}\n" for i in range(3, 9)),
    )
    repo.write("docs/notes.md", "one\ntwo\nthree")  # untracked, no final newline
    repo.write("empty.txt", "")
    repo.write("logo.png", b"\x89PNG\0\0")

    change = compute_change(Workspace.open(repo.root), Policy(), base="main", pr=NO_PR)

    assert change.base_ref == "main"
    assert change.files == (
        ChangedFile("docs/notes.md", "A", None, (Hunk(1, 3),)),
        ChangedFile("empty.txt", "A"),
        ChangedFile("logo.png", "A"),
        ChangedFile("old.txt", "D"),
        ChangedFile("proto/v2/bus.proto", "R", "proto/v1/bus.proto", (Hunk(11, 1),)),
        ChangedFile("src/app.py", "M", None, (Hunk(3, 2),)),
    )
    assert change.in_class("protocol") == ("proto/v1/bus.proto", "proto/v2/bus.proto")
    assert change.in_class("state_machine") == ()


def test_missing_base_ref_is_a_git_error_naming_it(repo: GitRepo) -> None:
    _branch_with_history(repo)
    with pytest.raises(GitError) as err:
        compute_change(Workspace.open(repo.root), Policy(), base="origin/release", pr=NO_PR)
    assert err.value.diagnostics() == (
        "base ref 'origin/release' does not exist; "
        "fetch it (git fetch origin release) or pass --base"
    )


def test_policy_default_branch_that_is_not_fetched_is_a_git_error(repo: GitRepo) -> None:
    _branch_with_history(repo)
    policy = Policy(default_branch="develop")
    with pytest.raises(GitError, match=r"base ref 'develop' does not exist; fetch it"):
        compute_change(Workspace.open(repo.root), policy, base=None, pr=NO_PR)


def test_origin_head_names_the_default_branch(repo: GitRepo) -> None:
    base = _branch_with_history(repo)
    repo.git("branch", "-q", "-m", "main", "trunk")
    repo.git("update-ref", "refs/remotes/origin/trunk", base)
    repo.git("symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/trunk")
    repo.write("new.txt", "n\n")
    repo.commit()
    change = compute_change(Workspace.open(repo.root), Policy(), base=None, pr=NO_PR)
    assert (change.base, change.base_ref) == (base, "origin/trunk")
    assert change.paths == ("new.txt",)


def test_event_base_ref_is_preferred_to_the_default_branch(repo: GitRepo) -> None:
    base = _branch_with_history(repo)
    repo.write("release.txt", "r\n")
    release = repo.commit("on release")
    repo.git("branch", "-q", "release")
    repo.write("feature.txt", "f\n")
    repo.commit("feature")
    pr = PullRequest(title="t", base_ref="release", source="github-event")
    change = compute_change(Workspace.open(repo.root), Policy(), base=None, pr=pr)
    assert (change.base, change.base_ref) == (release, "release")
    assert change.paths == ("feature.txt",)
    assert change.pr is pr
    assert base != release


def test_event_base_that_is_not_fetched_is_a_git_error(repo: GitRepo) -> None:
    _branch_with_history(repo)
    pr = PullRequest(base_ref="stable", base_sha="0" * 40, source="github-event")
    with pytest.raises(GitError, match=r"^base ref 'stable' does not exist; fetch it"):
        compute_change(Workspace.open(repo.root), Policy(), base=None, pr=pr)


def test_whole_tree_when_there_is_no_default_branch(repo: GitRepo) -> None:
    repo.git("checkout", "-q", "-b", "work")
    repo.write("proto/bus.proto", "")
    repo.write("b.txt", "b\n")
    head = repo.commit()
    change = compute_change(Workspace.open(repo.root), Policy(), base=None, pr=NO_PR)
    assert change.whole_tree
    assert (change.base, change.head) == (None, head)
    assert change.files == (ChangedFile("b.txt", "A"), ChangedFile("proto/bus.proto", "A"))
    assert change.in_class("protocol") == ("proto/bus.proto",)


def test_whole_tree_in_a_repository_without_commits(repo: GitRepo) -> None:
    repo.write("a.txt", "a\n")
    change = compute_change(Workspace.open(repo.root), Policy(), base=None, pr=NO_PR)
    assert change.whole_tree
    assert change.head is None
    assert change.paths == ("a.txt",)


def test_plain_directory_is_whole_tree_and_refuses_a_base(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("a\n")
    ws = Workspace.open(tmp_path)
    change = compute_change(ws, Policy(), base=None, pr=NO_PR)
    assert (change.whole_tree, change.paths, change.head) == (True, ("a.txt",), None)
    with pytest.raises(GitError) as err:
        compute_change(ws, Policy(), base="main", pr=NO_PR)
    assert err.value.diagnostics() == (
        f"{tmp_path}: --base needs a git repository (drop --base to check the whole tree)"
    )


def test_unrelated_histories_have_no_merge_base(repo: GitRepo) -> None:
    _branch_with_history(repo)
    repo.git("checkout", "-q", "--orphan", "island")
    repo.write("island.txt", "i\n")
    repo.commit()
    with pytest.raises(GitError) as err:
        compute_change(Workspace.open(repo.root), Policy(), base="main", pr=NO_PR)
    assert err.value.diagnostics() == (
        f"{repo.root}: no common ancestor between main and HEAD "
        "(the branches share no history; pass another --base)"
    )


def test_change_classes_follow_the_policy_globs(repo: GitRepo) -> None:
    _branch_with_history(repo)
    for rel in (
        "state_machines/room.yaml",
        "lib/session.sm.yaml",
        "src/api/public.py",
        "src/core/engine.py",
        "README.md",
    ):
        repo.write(rel, "x\n")
    policy = Policy(
        change_classes=ChangeClasses(
            public_api=("src/api/**",), core_behaviour=("src/core/**", "src/api/**")
        )
    )
    change = compute_change(Workspace.open(repo.root), policy, base="main", pr=NO_PR)
    assert change.classes == {
        "protocol": (),
        "state_machine": ("lib/session.sm.yaml", "state_machines/room.yaml"),
        "public_api": ("src/api/public.py",),
        "core_behaviour": ("src/api/public.py", "src/core/engine.py"),
    }


def test_subdirectory_workspace_sees_only_its_own_changes(repo: GitRepo) -> None:
    repo.write("outside.txt", "o\n")
    repo.write("examples/mini/a.txt", "a\n")
    repo.commit()
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("outside.txt", "changed\n")
    repo.write("examples/mini/a.txt", "a\nb\n")
    repo.write("examples/mini/new.txt", "n\n")
    ws = Workspace.open(repo.root / "examples" / "mini")
    change = compute_change(ws, Policy(), base=None, pr=NO_PR)
    assert change.files == (
        ChangedFile("a.txt", "M", None, (Hunk(2, 1),)),
        ChangedFile("new.txt", "A", None, (Hunk(1, 1),)),
    )


def test_whole_tree_on_the_default_branch_itself(repo: GitRepo) -> None:
    repo.write("a.txt", "a\n")
    head = repo.commit()
    assert repo.git("symbolic-ref", "--short", "HEAD").strip() == "main"
    change = compute_change(Workspace.open(repo.root), Policy(), base=None, pr=NO_PR)
    assert change.whole_tree
    assert (change.base, change.head, change.paths) == (None, head, ("a.txt",))
    assert change.base_rule == "default-branch-tip"
    explicit = compute_change(Workspace.open(repo.root), Policy(), base="main", pr=NO_PR)
    # An empty Change would turn every change-scoped check off: the whole tree instead.
    assert (explicit.whole_tree, explicit.paths, explicit.base_rule) == (
        True,
        ("a.txt",),
        "empty-change",
    )
