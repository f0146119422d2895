"""Every parser of repository input, as ``text -> result``, with a valid sample of its kind.

The property tests feed each of them random, mutated and deeply nested text; the
only exception any of them may raise is ACES's own ``AcesError``.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from aces.engines.containers import compose_issues, parse_dockerfile, plaintext_downloads
from aces.engines.containers.naming import referenced_build_files
from aces.engines.coverage.baseline import parse_baseline
from aces.engines.coverage.cobertura import parse_cobertura
from aces.engines.coverage.coveragepy import parse_coveragepy
from aces.engines.coverage.lcov import parse_lcov
from aces.engines.history.jsonl import parse_history
from aces.engines.permissions.matrix import MatrixError, parse_matrix
from aces.engines.repro.sizes import parse_baseline as parse_size_baseline
from aces.engines.smtrace.traces import parse_trace
from aces.engines.specdoc.document import parse_spec
from aces.engines.statemachine.loader import load_machine
from aces.engines.supply import lockfiles as supply_locks
from aces.engines.supply import manifests, toolchains
from aces.engines.supply.ledger import parse_ledger
from aces.engines.supply.publishing import ci_steps
from aces.engines.supply.sbom import component_purls
from aces.engines.testreports.junit import parse_junit
from aces.engines.testreports.libtest import parse_libtest
from aces.engines.vulns.database import load_database
from aces.engines.vulns.lockfiles import parse_lockfile
from aces.errors import InputError
from aces.policy.loader import parse_policy
from aces.workspace.prmeta import read_event


@dataclass(frozen=True)
class Parser:
    """One parser entry point: its name, the call, the syntax it nests and a valid sample."""

    name: str
    call: Callable[[str], object]
    nests: str  # "json", "toml", "yaml", "xml" or "lines"
    sample: str


def _osv(text: str) -> object:
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "RUSTSEC-1.json").write_text(text, encoding="utf-8", errors="surrogatepass")
        return load_database(Path(tmp), "vulndb")


def _matrix(path: str) -> Callable[[str], object]:
    def parse(text: str) -> object:
        try:
            return parse_matrix(path, text)
        except MatrixError as exc:  # the stage makes it a finding at exc.line
            raise InputError(str(exc), path=path) from exc

    return parse


def _event(text: str) -> object:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "event.json"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        return read_event(path)


def _dockerfile(text: str) -> object:
    parsed = parse_dockerfile("Dockerfile", text)
    return list(plaintext_downloads(parsed))


def _ci_file(text: str) -> object:
    found = list(ci_steps(".github/workflows/ci.yml", text))
    named = list(referenced_build_files([("ci.yml", text)], lambda _: True))
    return found, named


def _toolchain(text: str) -> object:
    return toolchains.rust_toolchain_pin("rust-toolchain.toml", text)


CARGO_LOCK = """version = 3

[[package]]
name = "serde"
version = "1.0.200"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "ab"
"""
PACKAGE_LOCK = """{"name": "app", "lockfileVersion": 3, "packages": {
  "": {"name": "app"},
  "node_modules/left-pad": {"version": "1.3.0", "integrity": "sha512-x"}}}
"""
POETRY_LOCK = '[[package]]\nname = "requests"\nversion = "2.32.0"\n'
PYLOCK = 'lock-version = "1.0"\n[[packages]]\nname = "idna"\nversion = "3.7"\n'
MIX_LOCK = '%{\n  "jason": {:hex, :jason, "1.4.1", "ab", [:mix], [], "hexpm", "cd"},\n}\n'
REQUIREMENTS = "requests==2.32.0 --hash=sha256:ab\nidna==3.7\n"
MACHINE = """name: door
states: [closed, open]
initial: closed
events: [push, pull]
transitions:
  - {from: closed, on: push, to: open}
  - {from: open, on: pull, to: closed}
"""
POLICY = 'policy_version = "1.0.0"\n\n[paths]\ncore_libraries = ["crates/core"]\n'
JUNIT = (
    '<testsuites><testsuite name="s"><testcase name="a" classname="m"/>'
    '<testcase name="b"><failure message="no">x</failure></testcase></testsuite></testsuites>'
)
LIBTEST = """running 2 tests
test a ... ok
test b ... FAILED

test result: FAILED. 1 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out
"""
LCOV = "TN:\nSF:src/a.rs\nDA:1,1\nDA:2,0\nBRDA:2,0,0,1\nend_of_record\n"
COBERTURA = (
    "<coverage><sources><source>.</source></sources><packages><package><classes>"
    '<class filename="a.py"><lines><line number="1" hits="1"/>'
    '<line number="2" hits="0" branch="true" condition-coverage="50% (1/2)"/>'
    "</lines></class></classes></package></packages></coverage>"
)
COVERAGEPY = (
    '{"meta": {"branch_coverage": true}, "files": {"a.py": {"executed_lines": [1], '
    '"missing_lines": [2], "executed_branches": [[1, 2]], "missing_branches": []}}}'
)
BASELINE = '{"aces_coverage_baseline": 1, "files": {"a.py": 50.0}}'
HISTORY = '{"process": "p1", "type": "invoke", "f": "put", "value": {"k": 1}, "time": 1}\n'
TRACE = '{"machine": "door", "from": "closed", "event": "push", "to": "open"}\n'
SPEC = "---\ncovers:\n  - proto/**\n---\n# Title\n\n## Acceptance criteria\n\n- works\n"
OSV = (
    '{"id": "RUSTSEC-1", "modified": "2026-01-01T00:00:00Z", "affected": [{"package": '
    '{"ecosystem": "crates.io", "name": "serde"}, "ranges": [{"type": "SEMVER", '
    '"events": [{"introduced": "0"}, {"fixed": "1.0.1"}]}]}]}'
)
CARGO_TOML = '[package]\nname = "a"\n\n[dependencies]\nserde = { version = "1", package = "x" }\n'
PYPROJECT = '[project]\nname = "a"\ndependencies = ["requests>=2"]\n'
PACKAGE_JSON = '{"name": "a", "dependencies": {"left-pad": "^1.3.0"}}'
TOOLCHAIN = '[toolchain]\nchannel = "1.83.0"\n'
MATRIX = 'default: deny\nroles:\n  admin:\n    "*": allow\n  reader:\n    "bus:get": allow\n'
MATRIX_TOML = 'default = "deny"\n[roles.admin]\n"*" = "allow"\n'
LEDGER = '{"version": 1, "tags": {"app:1": "sha256:' + "ab" * 32 + '"}}'
SBOM_DOC = '{"bomFormat": "CycloneDX", "components": [{"purl": "pkg:cargo/serde@1.0.0"}]}'
SIZES = '{"format": "aces-artifact-sizes/1", "artifacts": {"target/app": 1024}}'
EVENT = '{"pull_request": {"title": "t", "body": "b", "labels": [{"name": "x"}]}}'
DOCKERFILE = "ARG BASE=debian:12\nFROM ${BASE}\nRUN <<EOF\nwget http://x.example/a\nEOF\n"
COMPOSE = "services:\n  api:\n    image: nginx:1\n    build: {context: ., dockerfile: D}\n"
WORKFLOW = (
    "jobs:\n  a:\n    steps:\n      - uses: docker/build-push-action@v6\n"
    "        with: {push: true, file: D}\n      - run: |\n          docker push x\n"
)

PARSERS: tuple[Parser, ...] = (
    Parser(
        "policy",
        lambda t: parse_policy(t.encode("utf-8", "surrogatepass"), "aces.toml"),
        "toml",
        POLICY,
    ),
    Parser("state machine", lambda t: load_machine("m.sm.yaml", t), "yaml", MACHINE),
    Parser(
        "junit", lambda t: parse_junit(t.encode("utf-8", "surrogatepass"), "j.xml"), "xml", JUNIT
    ),
    Parser("libtest", lambda t: parse_libtest(t, "cargo-test.txt"), "lines", LIBTEST),
    Parser("lcov", lambda t: parse_lcov(t, "lcov.info"), "lines", LCOV),
    Parser(
        "cobertura",
        lambda t: parse_cobertura(t.encode("utf-8", "surrogatepass"), "c.xml"),
        "xml",
        COBERTURA,
    ),
    Parser("coverage.py", lambda t: parse_coveragepy(t, "coverage.json"), "json", COVERAGEPY),
    Parser("coverage baseline", lambda t: parse_baseline(t, "baseline.json"), "json", BASELINE),
    Parser("history", lambda t: parse_history(t, "h.jsonl"), "json", HISTORY),
    Parser("trace", lambda t: parse_trace("t.jsonl", t), "json", TRACE),
    Parser("spec", lambda t: parse_spec("docs/specs/a.md", t), "yaml", SPEC),
    Parser("OSV record", _osv, "json", OSV),
    Parser("Cargo.lock", lambda t: parse_lockfile("Cargo.lock", t), "toml", CARGO_LOCK),
    Parser("poetry.lock", lambda t: parse_lockfile("poetry.lock", t), "toml", POETRY_LOCK),
    Parser("uv.lock", lambda t: parse_lockfile("uv.lock", t), "toml", POETRY_LOCK),
    Parser("pylock.toml", lambda t: parse_lockfile("pylock.toml", t), "toml", PYLOCK),
    Parser(
        "package-lock.json", lambda t: parse_lockfile("package-lock.json", t), "json", PACKAGE_LOCK
    ),
    Parser("mix.lock", lambda t: parse_lockfile("mix.lock", t), "lines", MIX_LOCK),
    Parser(
        "requirements.txt", lambda t: parse_lockfile("requirements.txt", t), "lines", REQUIREMENTS
    ),
    Parser(
        "supply Cargo.lock",
        lambda t: supply_locks.parse_cargo_lock("Cargo.lock", t),
        "toml",
        CARGO_LOCK,
    ),
    Parser(
        "supply poetry.lock",
        lambda t: supply_locks.parse_python_toml_lock("poetry.lock", t),
        "toml",
        POETRY_LOCK,
    ),
    Parser(
        "supply pylock.toml",
        lambda t: supply_locks.parse_python_toml_lock("pylock.toml", t),
        "toml",
        PYLOCK,
    ),
    Parser(
        "supply package-lock.json",
        lambda t: supply_locks.parse_package_lock("package-lock.json", t),
        "json",
        PACKAGE_LOCK,
    ),
    Parser(
        "supply mix.lock", lambda t: supply_locks.parse_mix_lock("mix.lock", t), "lines", MIX_LOCK
    ),
    Parser(
        "supply requirements.txt",
        lambda t: supply_locks.parse_requirements("requirements.txt", t),
        "lines",
        REQUIREMENTS,
    ),
    Parser("Cargo.toml", lambda t: manifests.cargo_manifest("Cargo.toml", t), "toml", CARGO_TOML),
    Parser(
        "pyproject.toml",
        lambda t: manifests.pyproject_manifest("pyproject.toml", t),
        "toml",
        PYPROJECT,
    ),
    Parser(
        "package.json",
        lambda t: manifests.package_json_manifest("package.json", t),
        "json",
        PACKAGE_JSON,
    ),
    Parser("rust-toolchain.toml", _toolchain, "toml", TOOLCHAIN),
    Parser("Dockerfile", _dockerfile, "lines", DOCKERFILE),
    Parser("permission matrix", _matrix("security/permissions.yaml"), "yaml", MATRIX),
    Parser("permission matrix TOML", _matrix("security/permissions.toml"), "toml", MATRIX_TOML),
    Parser("tag ledger", lambda t: parse_ledger("images.lock.json", t), "json", LEDGER),
    Parser("committed SBOM", lambda t: component_purls("sbom.json", t), "json", SBOM_DOC),
    Parser("size baseline", lambda t: parse_size_baseline(t, "sizes.json"), "json", SIZES),
    Parser("event file", _event, "json", EVENT),
    Parser("compose file", lambda t: list(compose_issues("compose.yaml", t)), "yaml", COMPOSE),
    Parser("CI workflow", _ci_file, "yaml", WORKFLOW),
)
