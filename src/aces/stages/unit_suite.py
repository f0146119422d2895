"""Running the test suites of stage 5, once per run (and again under variations).

The runners are the policy's ``[[tests.runners]]``, or defaults by the languages
present: pytest under coverage.py with the interpreter running ACES, once per Python
project holding tests (``unit_pyprojects``); ``cargo test --offline`` per top-level
Cargo project (libtest's output parsed); ``mix test`` with a JUnit formatter. Each
run gets a fresh ``{out}`` directory and ``ACES_SM_TRACE_DIR`` for state-machine
traces. The reference run is shared by the stage's checks through the run memo;
variant runs (reversed order and another hash seed, a shifted clock) are made by the
determinism checks, one at a time (declared report paths are fixed).
"""

from __future__ import annotations

import os
import posixpath
import sys
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from aces.engines.coverage import CoverageData, parse_report, rebase
from aces.engines.smtrace import ParsedTrace, read_trace_dir
from aces.engines.supply.cargo_workspace import separate_projects
from aces.engines.testreports import TestCase, TestReport, parse_junit, parse_libtest
from aces.errors import AcesError, ToolError
from aces.pipeline.context import RunContext
from aces.policy.schema import TestRunnerSpec
from aces.stages.static_tools import cargo_target
from aces.stages.tooling import require_tool, resolver
from aces.stages.unit_environment import importable_part
from aces.stages.unit_pyprojects import python_projects
from aces.tools.cargo_failure import cargo_failure_cause, is_cargo
from aces.tools.catalog import tools_by_name
from aces.tools.process import CommandError, ProcessResult, describe_exit
from aces.tools.rustup import RUSTUP_ENV, explain_rustup_failure
from aces.trace_emitter import TRACE_DIR_VARIABLE
from aces.workspace.roles import is_product

OUT = "{out}"
PYTHON = "{python}"
REFERENCE_ENV: dict[str, str] = {"PYTHONHASHSEED": "0"}
TRACES = "traces"
# rustdoc (cargo's doc-tests) hangs when libfaketime is preloaded into it (measured with
# cargo 1.95 and libfaketime 0.9.10): these commands get the time-zone shift only.
NO_PRELOAD_COMMANDS: frozenset[str] = frozenset({"cargo"})
PRELOAD_VARIABLES: tuple[str, ...] = ("LD_PRELOAD", "FAKETIME", "DONT_FAKE_MONOTONIC")
FAKETIME_LIBRARIES: tuple[str, ...] = (
    "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
    "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1",
    "/usr/lib/faketime/libfaketime.so.1",
    "/usr/local/lib/faketime/libfaketime.so.1",
)


@dataclass(frozen=True)
class RunnerResult:
    """What one runner's run gave: its tests and coverage, or why it could not run.

    A runner that cannot start or cannot be read (``error``) has no tests; the
    other runners' results stand on their own.
    """

    spec: TestRunnerSpec
    report: TestReport
    coverage: CoverageData | None
    error: AcesError | None = None


@dataclass(frozen=True)
class SuiteRun:
    """Every runner's result, and the state-machine traces the tests wrote."""

    results: tuple[RunnerResult, ...]
    traces: ParsedTrace

    @property
    def verified(self) -> tuple[RunnerResult, ...]:
        """The runners that ran and were read."""
        return tuple(r for r in self.results if r.error is None)

    def error(self, *, measuring: bool = False) -> AcesError | None:
        """Why runners could not verify (only those measuring coverage, with ``measuring``).

        The first line states each cause: ``runner 'rust': rust toolchain ... is
        not installed; ...``.
        """
        failed = [r for r in self.results if r.error is not None]
        if measuring:
            failed = [r for r in failed if r.spec.coverage_format]
        if not failed:
            return None
        return ToolError(
            "\n".join(f"runner {r.spec.name!r}: {r.error.diagnostics()}" for r in failed if r.error)
        )

    def coverage(self) -> CoverageData | None:
        """The coverage of every runner that measures it, merged; None when none does."""
        merged: CoverageData | None = None
        for result in self.verified:
            if result.coverage is not None:
                merged = result.coverage if merged is None else merged.merged(result.coverage)
        return merged


# -- which runners ---------------------------------------------------------------------------


def python_runner(project: str = "", nested: tuple[str, ...] = ()) -> TestRunnerSpec:
    """pytest under coverage.py (branch mode) in ``project``, JUnit xunit1 (file and line);
    a module that cannot be collected fails on its own, the other modules still run."""
    data = f"--data-file={OUT}/.coverage"
    return TestRunnerSpec(
        name=f"python:{project}" if project else "python",
        argv=(
            PYTHON, "-m", "coverage", "run", "--branch", data, "-m", "pytest", "-q",
            "-p", "no:cacheprovider", "--continue-on-collection-errors",
            f"--junitxml={OUT}/junit.xml", "-o", "junit_family=xunit1",
            *(f"--ignore={folder}" for folder in nested),
        ),
        cwd=project,
        report=f"{OUT}/junit.xml",
        coverage=f"{OUT}/coverage.json",
        coverage_format="coveragepy",
        coverage_argv=(PYTHON, "-m", "coverage", "json", data, "-o", f"{OUT}/coverage.json"),
    )  # fmt: skip


def rust_runner(project: str) -> TestRunnerSpec:
    """``cargo test --offline`` in one Cargo project; libtest's output is the report."""
    return TestRunnerSpec(
        name=f"rust:{project}" if project else "rust",
        argv=("cargo", "test", "--offline", "--color", "never"),
        report_format="libtest",
        cwd=project,
    )


def elixir_runner() -> TestRunnerSpec:
    """``mix test`` with junit_formatter's default report under ``_build/test``."""
    return TestRunnerSpec(
        name="elixir",
        argv=("mix", "test", "--formatter", "JUnitFormatter", "--formatter", "ExUnit.CLIFormatter"),
        report="_build/test/lib/*/test-junit-report.xml",
    )


def runners(ctx: RunContext) -> tuple[TestRunnerSpec, ...]:
    """The policy's runners, or the defaults for the languages present."""
    declared = ctx.policy.tests.runners
    if declared:
        return declared
    languages = ctx.workspace.languages()
    found: list[TestRunnerSpec] = []
    if "python" in languages:  # one session per Python project that holds tests
        found.extend(python_runner(*p) for p in python_projects(ctx.workspace.files))
    found.extend(rust_runner(project) for project in cargo_projects(ctx))
    if "elixir" in languages:
        found.append(elixir_runner())
    return tuple(found)


def cargo_projects(ctx: RunContext) -> tuple[str, ...]:
    """Directories of the Cargo.toml files not nested in another Cargo project, of nested
    product workspaces and of crates a workspace excludes (each tested from its folder)."""
    manifests = sorted(p for p in ctx.workspace.files if posixpath.basename(p) == "Cargo.toml")
    top: list[str] = []
    for d in (posixpath.dirname(p) for p in manifests):
        if not any(d == t or t == "" or d.startswith(t + "/") for t in top):
            top.append(d)
    nested = separate_projects(manifests, ctx.workspace.read_text)
    return tuple(sorted({*top, *(posixpath.dirname(p) for p in nested if is_product(p))}))


# -- running ------------------------------------------------------------------------------------


def reference_run(ctx: RunContext) -> SuiteRun:
    """The suite's reference run, made once per ACES run."""
    return ctx.memo.get("stage5.reference-run", lambda: _locked_run(ctx, REFERENCE_ENV))


def variant_run(ctx: RunContext, env: Mapping[str, str]) -> SuiteRun:
    """The suite again with ``env`` (after the reference run, never alongside another run).

    A runner that could not run in the reference run is not started again: its
    result (the error) is carried over, so a broken or hung runner costs once.
    """
    reference = reference_run(ctx)
    failed = {i: r for i, r in enumerate(reference.results) if r.error is not None}
    return _locked_run(ctx, env, failed)


def _locked_run(
    ctx: RunContext, env: Mapping[str, str], failed: Mapping[int, RunnerResult] | None = None
) -> SuiteRun:
    lock = ctx.memo.get("stage5.run-lock", threading.Lock)
    with lock:
        return run_suite(ctx, runners(ctx), env, failed or {})


def run_suite(
    ctx: RunContext,
    specs: tuple[TestRunnerSpec, ...],
    extra_env: Mapping[str, str],
    failed: Mapping[int, RunnerResult] | None = None,
) -> SuiteRun:
    """Run every runner with a fresh output directory; their reports and the traces.

    The runners of ``failed`` (by index) are not run: their result is reused.
    """
    with tempfile.TemporaryDirectory(prefix="aces-tests-") as tmp:
        traces = Path(tmp, TRACES)
        traces.mkdir()
        results = []
        for index, spec in enumerate(specs):
            if failed and index in failed:
                results.append(failed[index])
                continue
            out = Path(tmp, f"runner-{index}")
            out.mkdir()
            try:
                results.append(_run_runner(ctx, spec, out, traces, extra_env))
            except AcesError as exc:  # this runner only: the others' results stand
                results.append(RunnerResult(spec, TestReport(spec.name, ()), None, exc))
        parsed = read_trace_dir(traces, f"${TRACE_DIR_VARIABLE}")
    return SuiteRun(tuple(results), parsed)


def _run_runner(
    ctx: RunContext,
    spec: TestRunnerSpec,
    out: Path,
    traces: Path,
    extra_env: Mapping[str, str],
) -> RunnerResult:
    root = ctx.workspace.root
    cwd = root / spec.cwd if spec.cwd else root
    sub = _substitute(out)
    env = _environment(spec, sub, traces, extra_env)
    env.setdefault("PATH", resolver(ctx).child_path)
    if is_cargo(spec.argv[0]):
        # Build products go to the run's cargo target dir, never into the repository's own target/;
        # rustup never downloads the pinned toolchain.
        env.setdefault("CARGO_TARGET_DIR", str(cargo_target(ctx)))
        env.update(RUSTUP_ENV)
    report_path = sub(spec.report)
    coverage_path = sub(spec.coverage)
    for declared in (report_path, coverage_path):
        _remove_stale(root, declared)
    timeout = min(ctx.policy.check_timeout_seconds, ctx.options.check_timeout_seconds)
    argv = tuple(sub(part) for part in spec.argv)
    argv = (program(ctx, argv[0], cwd), *argv[1:])
    result = ctx.processes.run(argv, cwd=cwd, timeout=timeout, env=env, install_hint=_hint(spec))
    if result.returncode < 0:  # killed by a signal: whatever it wrote is not a verdict
        raise _error(result, describe_exit(result.returncode))
    if result.returncode != 0:
        cause = explain_rustup_failure(
            posixpath.basename(spec.argv[0]), result.stdout + result.stderr, cwd
        )
        if cause is not None:
            raise cause
    report = _read_tests(spec, root, report_path, result)
    report, unimportable = importable_part(report, ctx.workspace.files, result.returncode)
    if unimportable is not None:  # the failures it has stand; its coverage is not judged
        return RunnerResult(spec, report, None, _error(result, unimportable))
    if result.returncode != 0 and not report.failing:
        said = cargo_failure_cause(result.stderr) if is_cargo(spec.argv[0]) else None
        plain = f"exited with code {result.returncode} but reports no failing test"
        raise _error(result, said or plain)
    if not report.cases:
        raise _error(result, f"ran no test (runner {spec.name!r})")
    coverage = None
    if spec.coverage_format:
        if spec.coverage_argv:
            cov_argv = tuple(sub(part) for part in spec.coverage_argv)
            ctx.processes.run(cov_argv, cwd=cwd, timeout=timeout, env=env).check_ok()
        coverage = _read_coverage(spec, root, cwd, coverage_path)
    return RunnerResult(spec, report, coverage)


def program(ctx: RunContext, name: str, cwd: Path) -> str:
    """The runner's program as the resolver finds it; a catalog tool is checked against its pin.

    ``cargo`` and ``mix`` are found like everywhere else (``.tools/bin`` first) and
    their version is read in the runner's directory (where ``rust-toolchain.toml``
    decides which cargo answers); another bare name is looked up in the same
    directories; a path is used as written.
    """
    if "/" in name:
        return name
    if name in tools_by_name():
        return str(require_tool(ctx, name, cwd).path)
    found = resolver(ctx).which(name)
    return str(found) if found is not None else name


def _substitute(out: Path) -> _Substitute:
    return _Substitute(str(out), sys.executable)


@dataclass(frozen=True)
class _Substitute:
    out: str
    python: str

    def __call__(self, text: str) -> str:
        return text.replace(OUT, self.out).replace(PYTHON, self.python)


def _environment(
    spec: TestRunnerSpec, sub: _Substitute, traces: Path, extra: Mapping[str, str]
) -> dict[str, str]:
    """The runner's env, the trace directory, then the variant's (paths joined, not replaced)."""
    env = {name: sub(value) for name, value in spec.env.items()}
    env[TRACE_DIR_VARIABLE] = str(traces)
    no_preload = posixpath.basename(spec.argv[0]) in NO_PRELOAD_COMMANDS
    for name, value in extra.items():
        if no_preload and name in PRELOAD_VARIABLES:
            continue
        if name in env and name == "PYTHONPATH":
            env[name] = f"{value}{os.pathsep}{env[name]}"
        elif name in env and name == "PYTEST_ADDOPTS":
            env[name] = f"{env[name]} {value}"
        else:
            env[name] = value
    return env


def _remove_stale(root: Path, declared: str) -> None:
    """Delete a report left by an earlier run at a path inside the repository."""
    if not declared or Path(declared).is_absolute():
        return
    for match in matching_files(root, declared):
        match.unlink()


def matching_files(root: Path, pattern: str) -> list[Path]:
    """Files matching ``pattern`` (absolute, or relative to ``root``; ``*`` globs allowed)."""
    full = Path(pattern) if Path(pattern).is_absolute() else root / pattern
    parts = full.parts
    first_glob = next((i for i, part in enumerate(parts) if set(part) & set("*?[")), None)
    if first_glob is None:
        return [full] if full.is_file() else []
    base = Path(*parts[:first_glob])
    return sorted(p for p in base.glob("/".join(parts[first_glob:])) if p.is_file())


def _hint(spec: TestRunnerSpec) -> str:
    tool = spec.argv[0]
    if tool == "cargo":
        return "install Rust (rustup: https://rustup.rs)"
    if tool == "mix":
        return "apt-get install -y elixir"
    return f"install {tool}, or fix [[tests.runners]] {spec.name!r} in aces.toml"


def _read_tests(spec: TestRunnerSpec, root: Path, report: str, result: ProcessResult) -> TestReport:
    if spec.report_format == "libtest":
        return parse_libtest(result.stdout, f"output of `{' '.join(spec.argv)}`")
    files = matching_files(root, report)
    if not files:
        raise _error(result, f"wrote no JUnit report at {report}")
    cases: list[TestCase] = []
    for name in files:
        parsed = parse_junit(name.read_bytes(), _label(root, name))
        cases.extend(parsed.cases)
    return TestReport(report, tuple(cases))


def _read_coverage(spec: TestRunnerSpec, root: Path, cwd: Path, path: str) -> CoverageData:
    full = root / path
    if not full.is_file():
        raise ToolError(
            f"runner {spec.name!r} wrote no coverage report at {path}",
            hint="check coverage / coverage_argv of the runner in aces.toml",
        )
    data = parse_report(full.read_bytes(), _label(root, full), spec.coverage_format)
    return rebase(data, str(root), os.path.relpath(cwd, root) if cwd != root else "")


def _label(root: Path, name: Path) -> str:
    """A report's name in messages: relative to the root when inside it."""
    try:
        return name.resolve().relative_to(root).as_posix()
    except ValueError:
        return name.name


def _error(result: ProcessResult, message: str) -> CommandError:
    return CommandError(
        message,
        argv=result.argv,
        stdout=result.stdout,
        stderr=result.stderr,
        truncated=result.truncated,
    )


def faketime_library() -> str | None:
    """The libfaketime preload library when installed."""
    for candidate in FAKETIME_LIBRARIES:
        if Path(candidate).is_file():
            return candidate
    return None
