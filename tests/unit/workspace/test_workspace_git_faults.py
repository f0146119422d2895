"""A git that crashes, prints garbage or hangs is an error naming the command, never
"not a repository", "no commit" or "no base" (which would silently check the whole tree)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from tests.unit.tools.test_process_runner import pid_running
from tests.unit.workspace.gitrepo import GitRepo

from aces.errors import GitError
from aces.policy.schema import Policy
from aces.tools.deadline import DeadlineRunner
from aces.tools.process import ProcessRunner
from aces.workspace import git
from aces.workspace.change import compute_change
from aces.workspace.index import Workspace
from aces.workspace.types import PullRequest

REAL_GIT = shutil.which("git") or "/usr/bin/git"
FAULTS = {
    "crash": "kill -SEGV $$",
    "garbage": "echo 'Segmentation fault (core dumped) 0x7f??'; exit 0",
    "hang": 'echo $$ > "$(dirname "$0")/hang.pid"; sleep 86397.5',
}


def install_shim(
    monkeypatch: pytest.MonkeyPatch, bin_dir: Path, fault: str, when: str = "*"
) -> Path:
    """A ``git`` on PATH with ``fault`` when its arguments match the shell pattern ``when``."""
    bin_dir.mkdir(exist_ok=True)
    ran = bin_dir / "ran"
    shim = bin_dir / "git"
    shim.write_text(
        "#!/bin/sh\n"
        f'echo "$*" >> "{ran}"\n'
        f'case " $* " in\n  {when}) {FAULTS[fault]} ;;\nesac\n'
        f'exec "{REAL_GIT}" "$@"\n',
        encoding="utf-8",
    )
    shim.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    return ran


def feature_branch(repo: GitRepo) -> None:
    """main with one commit, and a checked-out feature branch that changes a file."""
    repo.write("proto/bus.proto", 'syntax = "proto3";\nenum Kind { KIND_A = 0; }\n')
    repo.commit("base")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("proto/bus.proto", 'syntax = "proto3";\nenum Kind { KIND_RENAMED = 0; }\n')
    repo.commit("rename")


def test_a_plain_directory_never_asks_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "a.txt").write_text("a")
    ran = install_shim(monkeypatch, tmp_path / "bin", "crash")
    ws = Workspace.open(plain)
    assert (ws.is_git, ws.files) == (False, ("a.txt",))
    assert not ran.exists()


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ("crash", "was killed by SIGSEGV: no message"),
        ("garbage", "printed unexpected output ('Segmentation fault (core dumped) 0x7f??'"),
    ],
)
def test_a_broken_git_in_a_repository_is_an_error_not_a_plain_directory(
    repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fault: str, message: str
) -> None:
    repo.write("a.txt", "a")
    repo.commit()
    install_shim(monkeypatch, tmp_path / "bin", fault)
    with pytest.raises(GitError) as caught:
        Workspace.open(repo.root)
    text = caught.value.diagnostics()
    assert len(text.splitlines()) == 1
    assert text.startswith(f"{repo.root.resolve()}: `git rev-parse --is-inside-work-tree` ")
    assert message in text


def test_a_hung_git_ends_at_the_deadline_with_its_whole_group(
    repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_shim(monkeypatch, tmp_path / "bin", "hang")
    scope = DeadlineRunner(ProcessRunner(grace_seconds=0.2), budget=1.0)
    started = time.monotonic()
    with pytest.raises(GitError) as caught:
        Workspace.open(repo.root, processes=scope)
    assert time.monotonic() - started < 1.0 + 5.0
    assert caught.value.diagnostics() == (
        f"{repo.root.resolve()}: `git rev-parse --is-inside-work-tree` timed out: "
        "the check's time budget of 1s ran out"
    )
    shell = int((tmp_path / "bin" / "hang.pid").read_text())
    assert not pid_running(shell)


@pytest.mark.parametrize("fault", ["crash", "garbage"])
@pytest.mark.parametrize(
    ("when", "command"),
    [
        ("*' rev-parse --verify '*", "git rev-parse --verify"),
        ("*' symbolic-ref '*", "git symbolic-ref"),
        ("*' merge-base '*", "git merge-base"),
        ("*' diff -z '*", "git diff -z --name-status"),
        ("*' diff -U0 '*", "git diff -U0"),
        ("*' --others '*", "git ls-files -z --others"),
    ],
)
def test_a_broken_git_never_turns_the_change_into_the_whole_tree(
    repo: GitRepo,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fault: str,
    when: str,
    command: str,
) -> None:
    feature_branch(repo)
    ws = Workspace.open(repo.root)
    assert not compute_change(ws, Policy(), base=None, pr=PullRequest()).whole_tree
    install_shim(monkeypatch, tmp_path / "bin", fault, when)
    with pytest.raises(GitError) as caught:
        compute_change(ws, Policy(), base=None, pr=PullRequest())
    text = caught.value.diagnostics()
    assert len(text.splitlines()) == 1
    assert f"`{command}" in text


def test_a_missing_ref_is_still_an_answer(repo: GitRepo) -> None:
    feature_branch(repo)
    assert git.resolve_commit(repo.root, "origin/nowhere") is None
    assert git.origin_head(repo.root) is None
    repo.git("checkout", "-q", "--detach")
    assert git.current_branch(repo.root) is None


def test_an_empty_dot_git_directory_is_not_a_repository(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = tmp_path / "plain"
    (plain / ".git").mkdir(parents=True)
    ran = install_shim(monkeypatch, tmp_path / "bin", "crash")
    assert not git.is_repo(plain)
    assert not ran.exists()


@pytest.mark.parametrize("fault", ["crash", "garbage"])
def test_a_broken_git_log_is_no_today_and_no_missing_commit(
    repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fault: str
) -> None:
    """The allowlist's reference date and the SBOM's source state never read a failure as
    "no commit": an expired exception cannot come back to life because git broke."""
    import datetime as dt

    from aces.engines.supply.source import head_state
    from aces.engines.suppressions.allowlist import reference_date

    repo.write("f.txt", "x\n")
    repo.commit("base")
    install_shim(monkeypatch, tmp_path / "bin", fault, "*' log '*")
    with pytest.raises(GitError, match="git log -1"):
        reference_date(repo.root, is_git=True, today=dt.date(2030, 1, 1))
    with pytest.raises(GitError, match="git log -1"):
        head_state(repo.root)
