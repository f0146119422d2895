"""What ``aces run`` prints and writes: no relayed secret, and any file name, escaped.

Real CLI processes on small git repositories written here: a test runner whose
failure output holds an AWS key id and a GitHub token; files whose names are not
UTF-8 or hold a line break; a policy path holding a token. Secret values are
generated at test time.
"""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from aces.engines.secrets.samples import expand
from tests.e2e.helpers import REPO, git, run_aces

GH = expand("ghp_@@alnum:36@@", "e2e-outbound-gh")
AWS = expand("AKIA@@b32:16@@", "e2e-outbound-aws")
SCHEMAS = REPO.parent / "shared" / "schemas"
POLICY = 'policy_version = "1.0.0"\n'
RUNNER = """[[tests.runners]]
name = "fake"
argv = ["{python}", "run_tests.py", "{out}"]
report = "{out}/junit.xml"
"""
# A test runner whose failing test prints the secrets it compared, as a real one would.
RUN_TESTS = '''import pathlib, sys
out = pathlib.Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
(out / "junit.xml").write_text("""<?xml version="1.0"?>
<testsuite name="auth" tests="1" failures="1"><testcase classname="auth" name="test_login">
<failure message="assert token == %(gh)s">AssertionError: key %(aws)s, token %(gh)s</failure>
</testcase></testsuite>""")
print("FAILED auth::test_login - token %(gh)s key %(aws)s", file=sys.stderr)
sys.exit(1)
'''


def repository(root: Path, files: dict[bytes, bytes]) -> Path:
    """A git repository: a base commit on main, then ``files`` on branch change."""
    root.mkdir()
    (root / "README.md").write_text("# repo\n", encoding="utf-8")
    (root / "aces.toml").write_text(POLICY, encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    git(root, "checkout", "-q", "-b", "change")
    for name, data in files.items():
        (root / os.fsdecode(name)).write_bytes(data)  # surrogates give the bytes back
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", "change")
    return root


def outputs(out: Path, stdout: str, stderr: str) -> dict[str, str]:
    texts = {"stdout": stdout, "stderr": stderr}
    texts.update({p.name: p.read_text(encoding="utf-8") for p in sorted(out.iterdir())})
    assert set(texts) >= {"report.json", "report.sarif", "junit.xml", "summary.md"}
    return texts


def test_a_failing_tests_output_reaches_no_output_unmasked(tmp_path: Path) -> None:
    script = (RUN_TESTS % {"gh": GH, "aws": AWS}).encode()
    root = repository(
        tmp_path / "repo", {b"run_tests.py": script, b"aces.toml": (POLICY + RUNNER).encode()}
    )
    out = tmp_path / "out"
    done = run_aces(
        "run", str(root), "--stage", "5", "--base", "main", "--no-cache", "--out", str(out)
    )
    assert done.returncode == 1, done.stderr
    texts = outputs(out, done.stdout, done.stderr)
    for name, text in texts.items():
        assert GH not in text, f"the GitHub token reached {name}"
        assert AWS not in text, f"the AWS key id reached {name}"
    assert "ghp_****" in texts["report.json"]  # the failure was relayed, masked


def hostile_repo(tmp_path: Path) -> Path:
    secret = f'TOKEN = "{GH}"\n'.encode()
    return repository(tmp_path / "repo", {b"bad\xffname.py": secret, b"new\nline.py": secret})


def test_file_names_that_are_not_utf8_or_hold_a_line_break(tmp_path: Path) -> None:
    root = hostile_repo(tmp_path)
    out = tmp_path / "out"
    done = run_aces(
        "run", str(root), "--stage", "7", "--base", "main", "--no-cache", "--out", str(out)
    )
    assert done.returncode == 1, done.stderr  # the secrets fail the run; nothing crashed
    texts = outputs(out, done.stdout, done.stderr)
    assert "bad\\xffname.py:1:10" in texts["stdout"]
    assert "new\\nline.py:1:10" in texts["stdout"]
    assert "new\nline" not in texts["stdout"]
    report = json.loads(texts["report.json"])
    paths = sorted(
        f["location"]["path"]
        for s in report["stages"]
        for c in s["checks"]
        for f in c["findings"]
        if "location" in f
    )
    assert paths == ["bad\\xffname.py", "new\\nline.py"]
    sarif = json.loads(texts["report.sarif"])
    uris = sorted(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in sarif["runs"][0]["results"]
    )
    assert uris == ["bad%FFname.py", "new%0Aline.py"]
    ET.fromstring(texts["junit.xml"].encode("utf-8"))
    assert "`bad\\xffname.py:1`" in texts["summary.md"]


@pytest.mark.parametrize(
    "schema", ["sarif-schema-2.1.0.oasis-errata01.json", "sarif-schema-2.1.0.codeql-action.json"]
)
def test_sarif_of_hostile_names_is_valid(tmp_path: Path, schema: str) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    path = SCHEMAS / schema
    if not path.exists():
        pytest.skip(f"{path} is not on this machine")
    root = hostile_repo(tmp_path)
    out = tmp_path / "out"
    run_aces("run", str(root), "--stage", "7", "--base", "main", "--no-cache", "--out", str(out))
    document = json.loads(path.read_text(encoding="utf-8"))
    # The consumer's schema as it is (upload-sarif's copy does not pass a meta-schema check).
    validator = jsonschema.validators.validator_for(document)(document)
    validator.validate(json.loads((out / "report.sarif").read_text(encoding="utf-8")))


def test_a_full_run_on_hostile_names_writes_every_report(tmp_path: Path) -> None:
    root = hostile_repo(tmp_path)
    out = tmp_path / "out"
    done = run_aces("run", str(root), "--base", "main", "--keep-going", "--out", str(out))
    assert "UnicodeEncodeError" not in done.stdout + done.stderr
    texts = outputs(out, done.stdout, done.stderr)
    json.loads(texts["report.json"])
    json.loads(texts["report.sarif"])
    ET.fromstring(texts["junit.xml"].encode("utf-8"))


def test_the_error_line_masks_a_secret(tmp_path: Path) -> None:
    root = repository(tmp_path / "repo", {})
    done = run_aces("run", str(root), "--policy", str(tmp_path / f"{GH}.toml"))
    assert done.returncode == 2
    assert GH not in done.stderr
    assert "ghp_****.toml: policy file not found" in done.stderr


def test_the_error_line_escapes_the_file_name(tmp_path: Path) -> None:
    root = repository(tmp_path / "repo", {})
    policy = tmp_path / os.fsdecode(b"odd\nname\xff.toml")
    done = run_aces("run", str(root), "--policy", str(policy))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "odd\\nname\\xff.toml: policy file not found" in done.stderr
