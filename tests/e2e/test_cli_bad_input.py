"""Bad input: exit 2 and one clear line naming the file, never a traceback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.helpers import git, run_aces


def assert_one_clear_line(stderr: str, *needles: str) -> None:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


def test_malformed_policy(example_copy: Callable[[], Path]) -> None:
    repo = example_copy()
    (repo / "aces.toml").write_text('policy_version = "1.0.0"\n[paths\n', encoding="utf-8")
    done = run_aces("run", str(repo), "--quiet")
    assert done.returncode == 2
    assert_one_clear_line(done.stderr, "aces.toml", ":2")


def test_event_file_not_json(example_copy: Callable[[], Path], tmp_path: Path) -> None:
    repo = example_copy()
    event = tmp_path / "event.json"
    event.write_text("{not json", encoding="utf-8")
    done = run_aces("run", str(repo), "--event", str(event), "--quiet")
    assert done.returncode == 2
    assert_one_clear_line(done.stderr, "event.json")


def test_missing_base_ref(example_copy: Callable[[], Path]) -> None:
    repo = example_copy()
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "init")
    done = run_aces("run", str(repo), "--base", "no-such-ref", "--quiet")
    assert done.returncode == 2
    assert_one_clear_line(done.stderr, "no-such-ref")


def test_missing_repository(tmp_path: Path) -> None:
    done = run_aces("run", str(tmp_path / "absent"), "--quiet")
    assert done.returncode == 2
    assert_one_clear_line(done.stderr, "absent")


def test_unknown_stage(example_copy: Callable[[], Path]) -> None:
    done = run_aces("run", str(example_copy()), "--stage", "nope", "--quiet")
    assert done.returncode == 2
    assert_one_clear_line(done.stderr, "unknown stage 'nope'")


def test_debug_shows_traceback(tmp_path: Path) -> None:
    done = run_aces("--debug", "run", str(tmp_path / "absent"), "--quiet")
    assert done.returncode == 2
    assert "Traceback" in done.stderr


def unverified_lines(stdout: str) -> list[str]:
    """The lines of the console's 'could not verify' block."""
    lines = stdout.splitlines()
    start = lines.index("could not verify:") + 1
    return [line for line in lines[start:] if line.startswith("  ")]


@pytest.mark.parametrize(
    ("name", "make", "needle"),
    [
        ("bad.md", lambda p: p.write_bytes(b"# Spec\n\xff\xfe\n"), "not valid UTF-8"),
        ("blob.md", lambda p: p.write_bytes(b"\x00\x01binary"), "binary file"),
        ("huge.md", lambda p: p.write_bytes(b"# H\n" + b"x" * 6_000_000), "over the"),
        ("loop.md", lambda p: p.symlink_to(p.name), "symlink loop"),
        ("outside.md", lambda p: p.symlink_to("/etc/hostname"), "outside the repository"),
    ],
)
def test_unreadable_spec_cannot_verify(
    example_copy: Callable[[], Path], name: str, make: Callable[[Path], None], needle: str
) -> None:
    repo = example_copy()
    make(repo / "specs" / name)
    done = run_aces("run", str(repo), "--stage", "1", "--quiet")
    assert done.returncode == 2, done.stdout
    assert "Traceback" not in done.stdout + done.stderr
    lines = unverified_lines(done.stdout)
    assert len(lines) == 1, lines
    assert f"specs/{name}" in lines[0] and needle in lines[0], lines[0]
