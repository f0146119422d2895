"""ProcessRunner: process groups, bounded capture, explicit env, errors, terminate_all."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import pytest

from aces.errors import ToolError
from aces.tools.process import (
    CommandError,
    ProcessResult,
    ProcessRunner,
    minimal_env,
    parse_proc_stat,
    tail,
)


def pid_running(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie (an unreaped dead process)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    state, _ = parse_proc_stat(stat)
    return state not in ("Z", "X")


def group_running(pgid: int) -> bool:
    """True while a non-zombie process of group ``pgid`` exists."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                state, pgrp = parse_proc_stat((entry / "stat").read_text())
            except (FileNotFoundError, ProcessLookupError):
                continue
            if pgrp == pgid and state not in ("Z", "X"):
                return True
    return False


def wait_for(predicate: object, seconds: float = 10.0) -> bool:
    """Poll ``predicate`` until true or ``seconds`` elapse."""
    assert callable(predicate)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return bool(predicate())


@pytest.fixture
def runner() -> ProcessRunner:
    return ProcessRunner(grace_seconds=0.5)


def test_captures_stdout_stderr_and_exit_code(runner: ProcessRunner, tmp_path: Path) -> None:
    result = runner.run(["sh", "-c", "echo out; echo err >&2; exit 3"], cwd=tmp_path, timeout=10)
    assert (result.argv, result.returncode, result.stdout, result.stderr, result.truncated) == (
        ("sh", "-c", "echo out; echo err >&2; exit 3"),
        3,
        "out\n",
        "err\n",
        False,
    )
    assert result.duration >= 0


def test_runs_in_cwd_and_feeds_input(runner: ProcessRunner, tmp_path: Path) -> None:
    result = runner.run(["sh", "-c", "pwd; cat"], cwd=tmp_path, timeout=10, input="hello\n")
    assert result.stdout == f"{tmp_path}\nhello\n"


def test_timeout_kills_the_whole_group_including_a_grandchild(
    runner: ProcessRunner, tmp_path: Path
) -> None:
    argv = ["sh", "-c", "sleep 300 & echo $!; wait"]
    started = time.monotonic()
    with pytest.raises(CommandError) as caught:
        runner.run(argv, cwd=tmp_path, timeout=1.5)
    assert time.monotonic() - started < 5
    grandchild = int(caught.value.stdout.strip())
    assert not pid_running(grandchild)
    assert runner.live_process_groups() == ()
    assert caught.value.diagnostics() == (
        f"`sh -c 'sleep 300 & echo $!; wait'` timed out after 1.5s\n  stdout:\n    {grandchild}"
    )


def test_timeout_escalates_to_sigkill_when_sigterm_is_ignored(
    runner: ProcessRunner, tmp_path: Path
) -> None:
    # The shell and its child ignore SIGTERM; only SIGKILL after the grace period ends them.
    argv = ["sh", "-c", "trap '' TERM; sleep 300 & echo $!; wait"]
    with pytest.raises(CommandError) as caught:
        runner.run(argv, cwd=tmp_path, timeout=1.5)
    grandchild = int(caught.value.stdout.strip())
    assert not pid_running(grandchild)


def test_descendants_outliving_the_child_are_stopped(runner: ProcessRunner, tmp_path: Path) -> None:
    # The child exits at once, leaving a background grandchild holding stdout.
    result = runner.run(["sh", "-c", "sleep 300 & echo $!"], cwd=tmp_path, timeout=10)
    assert result.returncode == 0
    assert not pid_running(int(result.stdout.strip()))


def test_bounded_capture_truncates_without_deadlock(runner: ProcessRunner, tmp_path: Path) -> None:
    code = "import sys; sys.stdout.write('x' * 3_000_000); sys.stderr.write('y' * 3_000_000)"
    result = runner.run([sys.executable, "-c", code], cwd=tmp_path, timeout=30, max_output=1000)
    assert result.returncode == 0
    assert result.truncated is True
    assert result.stdout == "x" * 1000
    assert result.stderr == "y" * 1000


def test_output_at_the_bound_is_not_truncated(runner: ProcessRunner, tmp_path: Path) -> None:
    result = runner.run(["printf", "abcd"], cwd=tmp_path, timeout=10, max_output=4)
    assert (result.stdout, result.truncated) == ("abcd", False)


def test_environment_is_explicit(
    runner: ProcessRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACES_TEST_LEAK", "secret")
    script = 'echo "${ACES_TEST_LEAK-unset} ${GIVEN-unset} $LANG $TZ"'
    fresh = ProcessRunner()
    result = fresh.run(["sh", "-c", script], cwd=tmp_path, timeout=10, env={"GIVEN": "yes"})
    assert result.stdout == "unset yes C.UTF-8 UTC\n"
    env_lines = fresh.run(["env"], cwd=tmp_path, timeout=10).stdout.splitlines()
    assert sorted(line.split("=", 1)[0] for line in env_lines) == sorted(fresh.base_env)


def test_minimal_env_keeps_only_path_and_home() -> None:
    environ = {"PATH": "/bin", "HOME": "/h", "GITHUB_TOKEN": "t", "LANG": "fr_FR.UTF-8"}
    assert minimal_env(environ) == {"PATH": "/bin", "HOME": "/h", "LANG": "C.UTF-8", "TZ": "UTC"}


def test_missing_executable_names_it_and_the_install_hint(
    runner: ProcessRunner, tmp_path: Path
) -> None:
    with pytest.raises(ToolError) as caught:
        runner.run(
            ["aces-no-such-tool", "--version"],
            cwd=tmp_path,
            timeout=10,
            install_hint="apt-get install -y aces-no-such-tool",
        )
    assert caught.value.diagnostics() == (
        "`aces-no-such-tool` not found on PATH (apt-get install -y aces-no-such-tool)"
    )


def test_missing_executable_by_path(runner: ProcessRunner, tmp_path: Path) -> None:
    with pytest.raises(ToolError, match=r"`\./nope` not found or not executable"):
        runner.run(["./nope"], cwd=tmp_path, timeout=10)


def test_missing_working_directory(runner: ProcessRunner, tmp_path: Path) -> None:
    with pytest.raises(ToolError, match="does not exist"):
        runner.run(["true"], cwd=tmp_path / "absent", timeout=10)


def test_nonzero_exit_shows_command_code_and_indented_output(
    runner: ProcessRunner, tmp_path: Path
) -> None:
    result = runner.run(
        ["sh", "-c", "echo one; echo two; echo bad >&2; exit 3"], cwd=tmp_path, timeout=10
    )
    with pytest.raises(CommandError) as caught:
        result.check_ok()
    assert caught.value.diagnostics() == (
        "`sh -c 'echo one; echo two; echo bad >&2; exit 3'` exited with code 3\n"
        "  stdout:\n"
        "    one\n"
        "    two\n"
        "  stderr:\n"
        "    bad"
    )
    assert isinstance(caught.value, ToolError)
    assert result.check_ok(allowed=(0, 3)) is result


def test_failure_without_output_and_killed_by_signal() -> None:
    result = ProcessResult(("tool",), -9, "", "", False, 0.1)
    with pytest.raises(CommandError) as caught:
        result.check_ok()
    assert caught.value.diagnostics() == "`tool` was killed by SIGKILL\n  (no output)"


def test_tail_keeps_the_last_lines() -> None:
    text = "".join(f"line {i}\n" for i in range(25))
    assert tail(text, limit=3) == [
        "... (22 earlier lines omitted)",
        "line 22",
        "line 23",
        "line 24",
    ]


def test_terminate_all_from_another_thread(runner: ProcessRunner, tmp_path: Path) -> None:
    outcome: list[BaseException] = []

    def work() -> None:
        try:
            runner.run(["sh", "-c", "sleep 300 & wait"], cwd=tmp_path, timeout=300)
        except BaseException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=work)
    worker.start()
    assert wait_for(lambda: len(runner.live_process_groups()) == 1)
    (pgid,) = runner.live_process_groups()
    runner.terminate_all()
    worker.join(10)
    assert not worker.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], CommandError)
    assert outcome[0].message == "was stopped: aces is shutting down"
    # Zombies waiting for init to reap them are dead already, hence /proc, not killpg(0).
    assert not group_running(pgid)
    assert runner.closed
    with pytest.raises(CommandError, match="was not started: aces is shutting down"):
        runner.run(["true"], cwd=tmp_path, timeout=10)


def test_parallel_runs_are_independent(runner: ProcessRunner, tmp_path: Path) -> None:
    results: dict[int, str] = {}

    def work(i: int) -> None:
        results[i] = runner.run(["sh", "-c", f"echo {i}"], cwd=tmp_path, timeout=10).stdout

    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert results == {i: f"{i}\n" for i in range(6)}
    assert runner.live_process_groups() == ()


@pytest.mark.parametrize(
    ("stat", "expected"),
    [
        ("123 (sleep) S 1 123 123 0 -1", ("S", 123)),
        ("77 (a) b (c)) Z 5 70 70 0", ("Z", 70)),
    ],
)
def test_parse_proc_stat(stat: str, expected: tuple[str, int]) -> None:
    assert parse_proc_stat(stat) == expected
