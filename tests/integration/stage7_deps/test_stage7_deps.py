"""``sec.dependency-audit`` on the reference example and on mutated copies of it.

Each copy is a git repository whose HEAD commit is dated 2026-11-28, one day
after the example's database was refreshed (``.osv/aces-vulndb.json``), so the
verdicts do not depend on the day the tests run; the staleness cases move the
commit date instead.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from aces.doctrine.catalog import load_doctrine
from aces.errors import InputError
from aces.pipeline.check import NotApplicable
from aces.pipeline.context import RunContext
from aces.policy.loader import load_policy
from aces.stages.security_deps import DEPENDENCY_CHECKS, DependencyAudit
from aces.workspace.change import compute_change
from aces.workspace.index import Workspace
from aces.workspace.types import PullRequest

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "arqonbus-mini"
CLAUSES = ("sec.dependency-audit",)
REQUIREMENTS = "requirements-dev.txt"
RECORD = ".osv/PyPI/GHSA-j8r2-6x86-q33q.json"
FRESH = "2026-11-28"
AUDIT = DependencyAudit()

Row = tuple[str, tuple[str, ...], str, int | None]


def copy_example(tmp_path: Path, date: str = FRESH) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(
        EXAMPLE, root, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache", ".aces")
    )
    commit(root, date)
    return root


def commit(root: Path, date: str) -> None:
    """Commit everything with author and committer dated ``date`` (noon UTC)."""
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
        "GIT_AUTHOR_DATE": f"{date}T12:00:00Z",
        "GIT_COMMITTER_DATE": f"{date}T12:00:00Z",
    }
    if not (root / ".git").exists():
        subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True, env=env)
    for argv in (["add", "-A"], ["commit", "-q", "--allow-empty", "-m", date]):
        subprocess.run(["git", *argv], cwd=root, env=env, check=True, capture_output=True)


def context(root: Path) -> RunContext:
    ws = Workspace.open(root)
    loaded = load_policy(root)
    change = compute_change(ws, loaded.policy, base=None, pr=PullRequest())
    return RunContext(ws, change, loaded, load_doctrine())


def findings(root: Path) -> list[Row]:
    ctx = context(root)
    assert AUDIT.applies(ctx) is None
    return sorted(
        (
            f.rule_id,
            f.clauses,
            f.location.path if f.location else "",
            f.location and f.location.line,
        )
        for f in AUDIT.run(ctx)
    )


def messages(root: Path) -> list[str]:
    return [f.message for f in AUDIT.run(context(root))]


def append(root: Path, rel: str, text: str, date: str = FRESH) -> None:
    with (root / rel).open("a", encoding="utf-8") as handle:
        handle.write(text)
    commit(root, date)


def test_the_check_is_registered_for_stage_7() -> None:
    assert [c.id for c in DEPENDENCY_CHECKS] == ["sec.dependency-audit"]
    assert DEPENDENCY_CHECKS[0].stage == 7
    assert DEPENDENCY_CHECKS[0].clauses == CLAUSES
    assert load_doctrine() is not None


def test_the_example_is_green(tmp_path: Path) -> None:
    assert findings(copy_example(tmp_path)) == []


def test_a_vulnerable_pin_fails_at_its_line(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    append(root, REQUIREMENTS, "requests==2.30.0\n")
    assert findings(root) == [("sec.dependency-audit.vulnerable", CLAUSES, REQUIREMENTS, 13)]
    assert messages(root) == [
        "requests 2.30.0 (PyPI) is affected by GHSA-j8r2-6x86-q33q (aliases CVE-2023-32681, "
        "PYSEC-2023-74): severity 6.1 (CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N); "
        "fixed in 2.31.0"
    ]


def test_the_fixed_version_passes(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    append(root, REQUIREMENTS, "requests==2.31.0\n")
    assert findings(root) == []


def test_a_record_without_severity_still_fails(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    record = json.loads((root / RECORD).read_text(encoding="utf-8"))
    del record["severity"], record["database_specific"]
    (root / RECORD).write_text(json.dumps(record), encoding="utf-8")
    append(root, REQUIREMENTS, "requests==2.30.0\n")
    assert findings(root) == [("sec.dependency-audit.vulnerable", CLAUSES, REQUIREMENTS, 13)]
    assert (
        "severity unknown (no CVSS vector or known severity level; counted as above 0)"
        in (messages(root)[0])
    )


def test_an_unparseable_vector_fails_closed(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    record = json.loads((root / RECORD).read_text(encoding="utf-8"))
    record["severity"] = [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/garbage"}]
    (root / RECORD).write_text(json.dumps(record), encoding="utf-8")
    append(root, REQUIREMENTS, "requests==2.30.0\n")
    assert (
        "vector 'CVSS:3.1/AV:N/garbage' does not parse: counted as above 0" in (messages(root)[0])
    )


def test_a_merge_conflict_marker_fails_at_its_line(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    append(root, "Cargo.lock", "<<<<<<< HEAD\n")
    assert findings(root) == [("sec.dependency-audit.conflict-marker", CLAUSES, "Cargo.lock", 8)]


def test_an_unpinned_requirement_fails_at_its_line(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    append(root, REQUIREMENTS, "requests>=2\n")
    assert findings(root) == [("sec.dependency-audit.unpinned", CLAUSES, REQUIREMENTS, 13)]


def allow(root: Path, rule: str, expires: str) -> None:
    append(
        root,
        "aces.toml",
        f'\n[[allowlist]]\npath = "{REQUIREMENTS}"\nrule = "{rule}"\n'
        f'reason = "not reachable: no proxy"\nowner = "sec-team"\nexpires = {expires}\n',
    )


@pytest.mark.parametrize("rule", ["GHSA-j8r2-6x86-q33q", "CVE-2023-32681", "PYSEC-2023-74"])
def test_a_live_allowlist_entry_naming_the_advisory_or_an_alias_accepts_it(
    tmp_path: Path, rule: str
) -> None:
    root = copy_example(tmp_path)
    append(root, REQUIREMENTS, "requests==2.30.0\n")
    allow(root, rule, "2027-01-31")
    assert findings(root) == []


def test_an_allowlist_entry_for_another_rule_or_file_accepts_nothing(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    append(root, REQUIREMENTS, "requests==2.30.0\n")
    allow(root, "sec.dependency-audit", "2027-01-31")
    assert findings(root) == [("sec.dependency-audit.vulnerable", CLAUSES, REQUIREMENTS, 13)]


def test_an_expired_allowlist_entry_fails_and_says_so(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    append(root, REQUIREMENTS, "requests==2.30.0\n")
    allow(root, "CVE-2023-32681", "2026-11-27")
    assert findings(root) == [("sec.dependency-audit.vulnerable", CLAUSES, REQUIREMENTS, 13)]
    assert messages(root)[0].endswith(
        "; the allowlist entry for it expired on 2026-11-27 (owner sec-team)"
    )


def error_of(root: Path) -> str:
    with pytest.raises(InputError) as caught:
        list(AUDIT.run(context(root)))
    return caught.value.diagnostics()


def test_a_stale_database_is_an_error(tmp_path: Path) -> None:
    root = copy_example(tmp_path, date="2026-12-05")
    assert error_of(root) == (
        ".osv: the vulnerability database is stale: 8 days old (aces-vulndb.json 'updated' "
        "2026-11-27, the HEAD commit 2026-12-05), over [vulndb] max_age_days = 7 "
        "(run `aces vulndb update`)"
    )


def test_a_stricter_age_limit_applies(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    policy = root / "aces.toml"
    text = policy.read_text(encoding="utf-8")
    assert text.count('\n[vulndb]\npath = ".osv"\n') == 1
    policy.write_text(
        text.replace(
            '\n[vulndb]\npath = ".osv"\n', '\n[vulndb]\npath = ".osv"\nmax_age_days = 1\n'
        ),
        encoding="utf-8",
    )
    commit(root, "2026-11-29")
    assert "2 days old" in error_of(root)


def test_a_missing_database_is_an_error(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    shutil.rmtree(root / ".osv")
    commit(root, FRESH)
    assert error_of(root).startswith(".osv: the vulnerability database directory does not exist")


def test_a_corrupt_export_is_an_error_naming_it(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    with zipfile.ZipFile(root / ".osv" / "PyPI" / "all.zip", "w") as archive:
        archive.writestr("X.json", "{}")
    data = (root / ".osv" / "PyPI" / "all.zip").read_bytes()
    (root / ".osv" / "PyPI" / "all.zip").write_bytes(data[: len(data) // 2])
    assert error_of(root).startswith(".osv/PyPI/all.zip: corrupt OSV export: ")


def test_an_ecosystem_without_records_is_an_error(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    lock = {
        "lockfileVersion": 3,
        "packages": {"": {"name": "ui"}, "node_modules/left-pad": {"version": "1.3.0"}},
    }
    (root / "ui").mkdir()
    (root / "ui" / "package-lock.json").write_text(json.dumps(lock, indent=2), encoding="utf-8")
    commit(root, FRESH)
    assert error_of(root).startswith(
        ".osv: the vulnerability database has no npm records, but lockfiles pin npm packages"
    )


def test_a_lockfile_that_does_not_parse_is_an_error(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    append(root, "Cargo.lock", "[[package]\n")
    assert error_of(root).startswith("Cargo.lock: not valid TOML")


def test_without_lockfiles_it_is_not_applicable(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    (root / "Cargo.lock").unlink()
    (root / REQUIREMENTS).unlink()
    commit(root, FRESH)
    assert AUDIT.applies(context(root)) == NotApplicable(
        "no lockfile (Cargo.lock, mix.lock, requirements*.txt, poetry.lock, uv.lock, "
        "pylock.toml, package-lock.json)"
    )
