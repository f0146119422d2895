"""The example stays green whatever the calendar says, and the freshness rule still binds.

The suite and the demo commit copies of the example at its frozen date; run under a
faked clock in 2026, 2028 and 2030, copying, committing and ``aces run`` give the same
verdicts. A copy committed at the real 2030 date is judged like any user's repository:
its 2026 vulnerability database is stale, and the audit cannot verify.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from aces.stages.unit_suite import faketime_library
from tests.e2e.helpers import REPO, is_ci_variable

# libfaketime preloaded, not through the faketime wrapper: the wrapper shares its clock
# through a named semaphore per process id that a killed run leaves behind, and a later
# process given the same id cannot start ("sem_open: File exists").
LIBFAKETIME = faketime_library()
pytestmark = pytest.mark.skipif(
    LIBFAKETIME is None, reason="libfaketime is not installed (make system)"
)

COPY = "from pathlib import Path; from tests.integration.example_repo import git_example; "


def clean_env() -> dict[str, str]:
    """No CI variables and no commit dates: the helpers must pin the date themselves."""
    drop = ("GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE")
    return {k: v for k, v in os.environ.items() if not is_ci_variable(k) and k not in drop}


def at(when: str, *argv: str) -> subprocess.CompletedProcess[str]:
    assert LIBFAKETIME is not None
    # "@" starts the clock at ``when`` and lets it run: a frozen clock would stall every
    # timeout and poll loop of the run. Each process (and each child) starts its own clock
    # at ``when``, which is what a date-independence check needs.
    env = clean_env()
    env["LD_PRELOAD"] = " ".join(filter(None, (LIBFAKETIME, env.get("LD_PRELOAD"))))
    env["FAKETIME"] = f"@{when}"
    return subprocess.run(
        list(argv),
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def verdicts(root: Path, when: str, out: Path) -> dict[str, object]:
    """Verdict, stage statuses and check statuses of stages 1 and 7, run at ``when``."""
    args = ("run", str(root), "--stage", "1", "--stage", "7", "--out", str(out), "--quiet")
    done = at(when, sys.executable, "-m", "aces", *args)
    assert done.returncode in (0, 1, 2), done.stderr
    assert (out / "report.json").is_file(), done.stderr
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return {
        "verdict": report["verdict"],
        "stages": {s["number"]: s["status"] for s in report["stages"]},
        "checks": {c["id"]: c["status"] for s in report["stages"] for c in s["checks"]},
    }


def test_the_example_gives_the_same_verdicts_in_2026_2028_and_2030(tmp_path: Path) -> None:
    seen = []
    for year in ("2026-12-07", "2028-06-01", "2030-12-31"):
        when = f"{year} 12:00:00"
        dest = tmp_path / year
        done = at(when, sys.executable, "-c", COPY + f"git_example(Path({str(dest)!r}))")
        assert done.returncode == 0, done.stderr
        seen.append(verdicts(dest / "repo", when, tmp_path / f"out-{year}"))
    assert seen[0]["verdict"] == "PASS", seen[0]
    assert seen[1:] == [seen[0], seen[0]]


def test_a_copy_committed_at_its_real_date_is_judged_stale(tmp_path: Path) -> None:
    when = "2030-12-31 12:00:00"
    done = at(when, sys.executable, "-c", COPY + f"git_example(Path({str(tmp_path)!r}))")
    assert done.returncode == 0, done.stderr
    root = tmp_path / "repo"
    commit = ("git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-C", str(root))
    assert at(when, *commit, "commit", "-q", "--allow-empty", "-m", "today").returncode == 0
    found = verdicts(root, when, tmp_path / "out")
    checks = found["checks"]
    assert isinstance(checks, dict)
    assert checks["sec.dependency-audit"] == "ERROR"
