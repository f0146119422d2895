"""The reports of real runs are accepted by their consumers' own validators.

The CLI runs stages 1 to 3 on a copy of the example with planted findings, as a git change
(stage 7 too, with a planted token) and as a whole tree without git. Every file it writes
must pass what reads it:
``junit.xml`` the Jenkins xunit plugin's junit-10.xsd and the Apache Ant JUnit format,
the SARIF log both the OASIS schema and GitHub's upload schema, ``codequality.json``
GitLab's Code Quality format; ``summary.md`` names every failing check. ``aces sbom``
must pass cyclonedx-python-lib's strict CycloneDX 1.6 validator and ``aces sign`` give a
DSSE envelope holding an in-toto Statement v1 with a SLSA provenance v1 predicate the
in-toto attestation framework accepts. A run with thousands of findings (written by the
same report writers) passes the same validators and still lists every failing check and
blocking rule in ``summary.md``.
"""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from aces.model import CheckResult, Finding, Location, RunReport, Severity, Status
from aces.report.writers import write_reports
from tests.e2e.helpers import EXAMPLE, git, run_aces
from tests.unit.report.conformance import (
    codequality_errors,
    cyclonedx_errors,
    dsse_errors,
    in_toto_errors,
    junit_ant_errors,
    junit_errors,
    sarif_errors,
)
from tests.unit.report.conftest import build_report, stage

PLANTED = "proto/arqonbus/presence/v1/presence.proto"
PLANTED_TEXT = 'syntax = "proto3";\n\npackage arqonbus.presence.v1;\n\nmessage Presence {}\n'
# A lint finding: ruff reports where `os` starts and ends on its line.
PLANTED_LINT = "tests/planted_lint.py"
PLANTED_LINT_TEXT = "import os\n"
# A security finding (stage 7, PR mode): a token in a configuration file.
PLANTED_SECRET = "config/planted.yml"
PLANTED_SECRET_TEXT = 'db:\n  api_token: "ghp_Zq3kV9mW2xR7tL5nB8cY4hJ6dF1sA0pE3uK2"\n'
BUILDER = "https://ci.example.invalid/aces-conformance"


def _example_copy(tmp_path: Path, *, with_git: bool) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".aces", "__pycache__"))
    if with_git:
        git(root, "init", "-q", "-b", "main")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "base")
    return root


def _run_with_planted_findings(tmp_path: Path, mode: str) -> Path:
    """A PR-mode run (a change against the committed example) or a whole-tree run (no git)."""
    root = _example_copy(tmp_path, with_git=mode == "pr")
    base = ("--base", "HEAD") if mode == "pr" else ()
    planted = [(PLANTED, PLANTED_TEXT), (PLANTED_LINT, PLANTED_LINT_TEXT)]
    stages = ["--stage", "1", "--stage", "2", "--stage", "3", "--keep-going"]
    if mode == "pr":
        # Stage 7 dates its vulnerability database by the commit: only with git.
        planted.append((PLANTED_SECRET, PLANTED_SECRET_TEXT))
        stages += ["--stage", "7"]
    for path, text in planted:
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    done = run_aces("run", str(root), *stages, *base, "--out", str(out))
    assert done.returncode == 1, done.stdout + done.stderr
    return out


def _assert_reports_conform(out: Path) -> dict[str, object]:
    """Every report file in ``out`` passes its consumers' validators; the SARIF log back."""
    junit = (out / "junit.xml").read_text(encoding="utf-8")
    assert junit_errors(junit) == []
    assert junit_ant_errors(junit) == []
    sarif = json.loads((out / "report.sarif").read_text(encoding="utf-8"))
    assert sarif_errors(sarif) == []
    issues = json.loads((out / "codequality.json").read_text(encoding="utf-8"))
    assert codequality_errors(issues) == []
    assert len(issues) >= len(sarif["runs"][0]["results"])
    sarif_data: dict[str, object] = sarif
    return sarif_data


@pytest.mark.parametrize("mode", ["pr", "whole-tree"])
def test_real_reports_pass_the_consumers_schemas(tmp_path: Path, mode: str) -> None:
    out = _run_with_planted_findings(tmp_path, mode)
    junit = (out / "junit.xml").read_text(encoding="utf-8")
    assert "<skipped" in junit and "<failure" in junit
    sarif = json.loads((out / "report.sarif").read_text(encoding="utf-8"))
    _assert_reports_conform(out)
    results = sarif["runs"][0]["results"]
    assert results
    # Results on a line of a repository file carry GitHub's line fingerprint.
    on_lines = [r for r in results if "region" in r["locations"][0]["physicalLocation"]]
    assert on_lines
    assert all("primaryLocationLineHash" in r["partialFingerprints"] for r in on_lines)
    # Where the engine knows columns, the region has them: ruff's span of `os`.
    lint = [r for r in results if r["ruleId"] == "lint.python.ruff.F401"]
    regions = [r["locations"][0]["physicalLocation"]["region"] for r in lint]
    assert {"startLine": 1, "startColumn": 8, "endLine": 1, "endColumn": 10} in regions
    if mode == "pr":
        # The secret is a security alert: `security` tag and a security-severity.
        rules = {r["id"]: r for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
        secret = [r for r in results if r["ruleId"].startswith("sec.secrets")]
        assert secret, [r["ruleId"] for r in results]
        rule = rules[secret[0]["ruleId"]]
        assert "security" in rule["properties"]["tags"]
        assert float(rule["properties"]["security-severity"]) >= 7.0
        assert "ghp_Zq3kV9mW2xR7tL5nB8cY4hJ6dF1sA0pE3uK2" not in json.dumps(sarif)
    # Every failing check is named in the summary.
    summary = (out / "summary.md").read_text(encoding="utf-8")
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    failing = [
        c["id"] for s in report["stages"] for c in s["checks"] if c["status"] in ("FAIL", "ERROR")
    ]
    assert failing
    assert all(f"`{check_id}`" in summary for check_id in failing)


def test_code_quality_on_stdout_is_the_file_written(tmp_path: Path) -> None:
    root = _example_copy(tmp_path, with_git=True)
    (root / PLANTED).parent.mkdir(parents=True, exist_ok=True)
    (root / PLANTED).write_text(PLANTED_TEXT, encoding="utf-8")
    out = tmp_path / "out"
    args = ("--stage", "1", "--base", "HEAD", "--out", str(out), "--format", "codequality")
    done = run_aces("run", str(root), *args)
    assert done.returncode == 1, done.stderr
    assert codequality_errors(json.loads(done.stdout)) == []
    assert done.stdout == (out / "codequality.json").read_text(encoding="utf-8")


def test_sbom_passes_the_strict_cyclonedx_1_6_validator(tmp_path: Path) -> None:
    root = _example_copy(tmp_path, with_git=True)
    sbom = tmp_path / "sbom.cdx.json"
    done = run_aces("sbom", str(root), "--output", str(sbom))
    assert done.returncode == 0, done.stdout + done.stderr
    text = sbom.read_text(encoding="utf-8")
    assert json.loads(text)["specVersion"] == "1.6"
    assert cyclonedx_errors(text) == []
    assert cyclonedx_errors(text.replace('"bomFormat": "CycloneDX"', '"bomFormat": "SPDX"')) != []


def test_provenance_is_an_in_toto_statement_with_slsa_v1(tmp_path: Path) -> None:
    root = _example_copy(tmp_path, with_git=True)
    key = Ed25519PrivateKey.generate()
    key_file, pub_file = tmp_path / "signing.pem", tmp_path / "signing.pub"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    pub_file.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    artifact = root / "dist" / "frame.bin"
    artifact.parent.mkdir()
    artifact.write_bytes(b"built bytes\n")
    bundle = tmp_path / "frame.bin.intoto.jsonl"
    args = ("--repo", str(root), "--builder-id", BUILDER)
    signed = run_aces("sign", str(artifact), "--key", str(key_file), "-o", str(bundle), *args)
    assert signed.returncode == 0, signed.stdout + signed.stderr
    envelope = json.loads(bundle.read_text(encoding="utf-8"))
    assert dsse_errors(envelope) == []
    assert envelope["payloadType"] == "application/vnd.in-toto+json"
    statement = json.loads(base64.b64decode(envelope["payload"]))
    assert in_toto_errors(statement) == []
    assert statement["subject"][0]["name"] == "dist/frame.bin"
    verified = run_aces(
        "verify", str(bundle), "--artifact", str(artifact), "--pubkey", str(pub_file), *args
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    # The validator is not a rubber stamp: a statement without subjects fails it.
    assert in_toto_errors({**statement, "subject": []}) != []


def _thousands_report() -> RunReport:
    """8,000 findings: 6,000 of one check listed first, then 2,000 over the other stages."""
    clippy = tuple(
        Finding(
            f"clippy::lint_{i % 60}",
            ("lint.rust",),
            f"lint {i}",
            Location(f"crates/core/src/m{i % 50}.rs", i % 400 + 1, 5, i % 400 + 1, 12),
            severity=Severity.WARNING,
        )
        for i in range(6000)
    )
    ruff = tuple(
        Finding(
            f"lint.python.ruff.E{i % 30:03d}",
            ("lint.python",),
            f"ruff {i}",
            Location(f"src/pkg/f{i % 40}.py", i % 300 + 1, 1),
        )
        for i in range(1900)
    )
    secrets = tuple(
        Finding(
            "sec.secrets.generic",
            ("sec.no-secrets",),
            f"password {i}",
            Location("deploy/compose.yml", i + 1, 7),
        )
        for i in range(99)
    )
    nowhere = Finding("infra.sbom.no-lockfile", ("infra.sbom",), "Cargo.toml has no lock")
    s3 = (
        CheckResult("lint.rust", 3, ("lint.rust",), Status.FAIL, clippy),
        CheckResult("lint.python", 3, ("lint.python",), Status.FAIL, ruff),
        CheckResult("lint.proto", 3, ("lint.proto",), Status.ERROR, reason="buf crashed"),
    )
    s7 = (
        CheckResult("sec.secrets", 7, ("sec.no-secrets",), Status.FAIL, secrets),
        CheckResult("infra.sbom", 7, ("infra.sbom",), Status.FAIL, (nowhere,)),
    )
    stages = [stage(n, Status.PASS) for n in range(1, 13)]
    stages[2] = stage(3, Status.FAIL, s3)
    stages[6] = stage(7, Status.FAIL, s7)
    return build_report(tuple(stages))


def test_thousands_of_findings_conform_and_show_every_failing_check(tmp_path: Path) -> None:
    report = _thousands_report()
    out = tmp_path / "out"
    write_reports(report, out)
    sarif = _assert_reports_conform(out)
    runs = sarif["runs"]
    assert isinstance(runs, list) and len(runs[0]["results"]) == 8000
    summary = (out / "summary.md").read_text(encoding="utf-8")
    failing = summary[summary.index("### Failing checks") :]
    for check_id in ("lint.rust", "lint.python", "sec.secrets", "infra.sbom"):
        assert f"`{check_id}`: " in failing
    assert "`lint.proto`: buf crashed" in summary
    blocking_rules = {f.rule_id for _s, _c, f in _findings(report)}
    assert len(blocking_rules) == 60 + 30 + 2
    assert all(f"**`{rule}`**" in summary for rule in blocking_rules)


def _findings(report: RunReport) -> list[tuple[int, str, Finding]]:
    return [(s.number, c.check_id, f) for s in report.stages for c in s.checks for f in c.findings]
