"""sec.secrets on the reference example and on git copies of it with planted secrets.

The example is green. Each mutation is committed on a branch whose base is the
untouched example, so the Change is exactly the mutation. Planted values are
generated at test time (no secret is committed), and a full ``aces run --stage 7``
with every reporter must never print or write any of them.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from aces.cli.main import main
from aces.doctrine.catalog import load_doctrine
from aces.engines.secrets.samples import expand
from aces.model import Finding
from aces.pipeline.context import RunContext
from aces.policy.loader import load_policy
from aces.stages.security_secrets import SecretScan
from aces.workspace.change import compute_change
from aces.workspace.index import Workspace
from aces.workspace.types import PullRequest

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "arqonbus-mini"
PLANTED = {
    "github-token": expand("ghp_@@alnum:36@@", "it-gh"),
    "aws-access-key-id": expand("AKIA@@b32:16@@", "it-aws"),
    "stripe-key": expand("sk_live_@@alnum:24@@", "it-stripe"),
    "generic-secret": expand("@@alnum:20@@", "it-generic"),
    "postgres-url-password": expand("@@alnum:18@@", "it-pg"),
}
CONFIG = f'''"""Settings of the bus (planted secrets for the test)."""

GITHUB_TOKEN = "{PLANTED["github-token"]}"
AWS_KEY_ID = "{PLANTED["aws-access-key-id"]}"
STRIPE = "{PLANTED["stripe-key"]}"
db_password = "{PLANTED["generic-secret"]}"
DSN = "postgres://bus:{PLANTED["postgres-url-password"]}@db.internal:5432/bus"
'''
EXPECTED = [
    ("sec.secrets.github-token", "src/arqonbus_mini/settings_local.py", 3),
    ("sec.secrets.aws-access-key-id", "src/arqonbus_mini/settings_local.py", 4),
    ("sec.secrets.stripe-key", "src/arqonbus_mini/settings_local.py", 5),
    ("sec.secrets.generic-secret", "src/arqonbus_mini/settings_local.py", 6),
    ("sec.secrets.postgres-url-password", "src/arqonbus_mini/settings_local.py", 7),
]
SETTINGS = "src/arqonbus_mini/settings_local.py"


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


def git_example(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(
        EXAMPLE,
        root,
        ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache", ".aces", "target"),
    )
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    git(root, "checkout", "-q", "-b", "change")
    return root


def commit(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "change")


def append_policy(root: Path, text: str) -> None:
    policy = root / "aces.toml"
    policy.write_text(policy.read_text(encoding="utf-8") + text, encoding="utf-8")


def findings(root: Path, *, base: str | None = "main") -> list[Finding]:
    ws = Workspace.open(root)
    loaded = load_policy(root)
    change = compute_change(ws, loaded.policy, base=base, pr=PullRequest())
    ctx = RunContext(ws, change, loaded, load_doctrine())
    check = SecretScan()
    assert check.applies(ctx) is None
    return sorted(check.run(ctx), key=Finding.sort_key)


def places(found: list[Finding]) -> list[tuple[str, str, int | None]]:
    return [
        (f.rule_id, f.location.path if f.location else "", f.location.line if f.location else None)
        for f in found
    ]


def test_the_example_is_green_on_the_whole_tree() -> None:
    assert findings(EXAMPLE, base=None) == []


def test_planted_secrets_fail_with_rule_clause_and_line(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    commit(root, SETTINGS, CONFIG)
    found = findings(root)
    assert sorted(places(found), key=lambda p: p[2] or 0) == EXPECTED
    assert {f.clauses for f in found} == {("sec.secrets",)}
    assert found[0].location is not None and found[0].location.column == 17  # after the quote


def test_only_added_lines_count_unless_every_file_is_scanned(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    git(root, "checkout", "-q", "main")
    commit(root, SETTINGS, CONFIG)  # the secrets are in the base
    git(root, "checkout", "-q", "-b", "later")
    commit(root, "README.md", (root / "README.md").read_text(encoding="utf-8") + "\nMore.\n")
    assert findings(root) == []
    append_policy(root, "\n[secrets]\nscan_all_files = true\n")
    assert len(findings(root)) == len(EXPECTED)


def test_a_live_allowlist_entry_accepts_and_an_expired_one_does_not(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    commit(root, SETTINGS, CONFIG)
    entry = (
        '\n[[allowlist]]\npath = "src/arqonbus_mini/settings_local.py"\n'
        'rule = "sec.secrets.github-token"\nreason = "test"\nowner = "ops"\nexpires = "{}"\n'
    )
    append_policy(root, entry.format("2999-01-01"))
    git(root, "commit", "-qam", "allow")
    assert [p[0] for p in places(findings(root))] == [r for r, _, _ in EXPECTED[1:]]
    text = (root / "aces.toml").read_text(encoding="utf-8").replace("2999-01-01", "2000-01-01")
    (root / "aces.toml").write_text(text, encoding="utf-8")
    git(root, "commit", "-qam", "expire")
    assert len(findings(root)) == len(EXPECTED)


def test_baseline_accepts_only_listed_governed_fingerprints(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    commit(root, SETTINGS, CONFIG)
    found = findings(root)
    github = next(f for f in found if f.rule_id == "sec.secrets.github-token")
    stripe = next(f for f in found if f.rule_id == "sec.secrets.stripe-key")
    rows = ",".join(
        f'{{"fingerprint": "{f.fingerprint}", "path": "{SETTINGS}", "rule": "{f.rule_id}"}}'
        for f in (github, stripe)
    )
    (root / "aces-baselines").mkdir(exist_ok=True)
    (root / "aces-baselines/secrets.json").write_text(
        f'{{"version": 1, "findings": [{rows}]}}\n', encoding="utf-8"
    )
    append_policy(
        root,
        '\n[secrets]\nbaseline = "aces-baselines/secrets.json"\n'
        f'\n[[allowlist]]\npath = "{SETTINGS}"\nrule = "sec.secrets.github-token"\n'
        'reason = "rotated test token"\nowner = "ops"\nexpires = "2999-01-01"\n'
        f'\n[[allowlist]]\npath = "{SETTINGS}"\nrule = "sec.secrets.aws-access-key-id"\n'
        'reason = "not baselined"\nowner = "ops"\nexpires = "2999-01-01"\n',
    )
    git(root, "add", "-A")
    git(root, "commit", "-qm", "baseline")
    got = places(findings(root))
    assert ("sec.secrets.github-token", SETTINGS, 3) not in got  # baselined and governed
    assert ("sec.secrets.aws-access-key-id", SETTINGS, 4) in got  # governed, not baselined
    assert ("sec.secrets.baseline-ungoverned", "aces-baselines/secrets.json", None) in got
    assert ("sec.secrets.stripe-key", SETTINGS, 5) in got  # baselined, not governed


@pytest.mark.parametrize("fmt", ["console", "json", "sarif", "junit", "markdown"])
def test_no_output_of_a_full_run_holds_a_planted_value(
    tmp_path: Path, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    root = git_example(tmp_path)
    commit(root, SETTINGS, CONFIG)
    out = tmp_path / "out"
    code = main(
        [
            "run",
            str(root),
            "--stage",
            "7",
            "--base",
            "main",
            "--no-cache",
            "--quiet",
            "--out",
            str(out),
            "--format",
            fmt,
        ]
    )
    captured = capsys.readouterr()
    assert code in (1, 2)
    texts = {"stdout": captured.out, "stderr": captured.err}
    texts.update({p.name: p.read_text(encoding="utf-8") for p in sorted(out.iterdir())})
    assert set(texts) >= {"report.json", "report.sarif", "junit.xml", "summary.md"}
    assert "sec.secrets.github-token" in texts["report.json"]
    for name, text in texts.items():
        for value in PLANTED.values():
            assert value not in text, f"a planted secret leaked into {name}"
