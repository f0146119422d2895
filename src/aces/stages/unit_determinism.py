"""Stage 5's determinism checks: ``test.seeded-randomness`` and ``test.time-independence``.

Each reports the static hazards of its kind in the test code (unseeded
generators, clock reads and sleeps), then runs the suite again under a
variation (another hash seed and order; a shifted clock) and reports each test
whose outcome changed. The static findings stand on their own: a runner that
cannot run makes the check ERROR with its cause, keeping them.
"""

from __future__ import annotations

import posixpath
import tempfile
from abc import abstractmethod
from collections.abc import Iterator
from pathlib import Path

from aces.engines.determinism import (
    REVERSE_ORDER_MODULE,
    REVERSE_ORDER_PLUGIN,
    Flake,
    Hazard,
    Kind,
    compare_runs,
    rust_test_modules,
    scan_elixir,
    scan_python,
    scan_rust,
)
from aces.model import Finding, Location
from aces.pipeline.check import NotApplicable, PartialResultError
from aces.pipeline.context import RunContext
from aces.stages.unit_checks import NO_RUNNER, SuiteCheck, location_of_test
from aces.stages.unit_suite import (
    RunnerResult,
    SuiteRun,
    faketime_library,
    reference_run,
    runners,
    variant_run,
)

CLOCK_SHIFT = "+400d"
SHIFTED_TZ = "Pacific/Kiritimati"  # UTC+14: the far side of the date line from UTC
ORDER_SEED = "4242"


def test_files(ctx: RunContext) -> dict[str, tuple[str, ...]]:
    """Language -> files of test code, and Rust files that hold some."""
    tests = set(ctx.workspace.under(ctx.policy.paths.tests))
    languages = ctx.workspace.languages()
    python = tuple(
        p
        for p in languages.get("python", ())
        if p.endswith(".py") and (p in tests or _python_test_name(p))
    )
    elixir = tuple(
        p
        for p in languages.get("elixir", ())
        if p.endswith((".exs", ".ex")) and (p in tests or "/test/" in f"/{p}")
    )
    return {"python": python, "rust": languages.get("rust", ()), "elixir": elixir}


def _python_test_name(path: str) -> bool:
    name = posixpath.basename(path)
    return name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py"


def scan_tests(ctx: RunContext) -> list[Hazard]:
    """Every hazard of the repository's test code."""
    return ctx.memo.get("stage5.hazards", lambda: _scan_tests(ctx))


def _scan_tests(ctx: RunContext) -> list[Hazard]:
    files = test_files(ctx)
    tests = set(ctx.workspace.under(ctx.policy.paths.tests))
    hazards: list[Hazard] = []
    for path in files["python"]:
        hazards.extend(scan_python(path, ctx.workspace.read_text(path), _conftests(ctx, path)))
    rust = files["rust"]
    declared = {m for p in rust for m in rust_test_modules(p, ctx.workspace.read_text(p))}
    for path in rust:
        whole = path in tests or path in declared or "tests" in path.split("/")[:-1]
        hazards.extend(scan_rust(path, ctx.workspace.read_text(path), whole_file=whole))
    for path in files["elixir"]:
        hazards.extend(scan_elixir(path, ctx.workspace.read_text(path)))
    return sorted(set(hazards))


def _conftests(ctx: RunContext, path: str) -> list[str]:
    """Texts of the conftest.py files of ``path``'s directory and its parents."""
    found = []
    directory = posixpath.dirname(path)
    while True:
        candidate = posixpath.join(directory, "conftest.py") if directory else "conftest.py"
        if candidate != path and ctx.workspace.exists(candidate):
            found.append(ctx.workspace.read_text(candidate))
        if not directory:
            return found
        directory = posixpath.dirname(directory)


class DeterminismCheck(SuiteCheck):
    """Shared parts of the two determinism checks: static hazards plus one variant run."""

    kind: Kind

    def applies(self, ctx: RunContext) -> NotApplicable | None:
        """Not applicable with neither test code nor a runner."""
        if not runners(ctx) and not any(test_files(ctx).values()):
            return NotApplicable(NO_RUNNER, enable=("tests.runners",))
        return None

    @abstractmethod
    def variant_env(self, tmp: str) -> dict[str, str]:
        """The environment that varies the second run."""

    @abstractmethod
    def variant_name(self) -> str:
        """How the second run differs, in a finding."""

    def run(self, ctx: RunContext) -> Iterator[Finding]:
        """Static hazards of this kind, then tests flaky under the variation.

        The static findings stand on their own: when a runner cannot run, the
        check is ERROR with that cause and keeps them (and the other runners'
        flaky tests).
        """
        findings = [
            self.finding(
                hazard.message,
                Location(hazard.path, hazard.line, hazard.column),
                rule_id=f"{self.id}.{hazard.rule}",
                key=f"{hazard.rule}\x1f{hazard.what}",
            )
            for hazard in scan_tests(ctx)
            if hazard.kind is self.kind
        ]
        if not runners(ctx):
            return iter(findings)
        reference = reference_run(ctx)
        with tempfile.TemporaryDirectory(prefix="aces-variant-") as tmp:
            variant = variant_run(ctx, self.variant_env(tmp))
        findings.extend(self._flaky(ctx, reference, variant))
        error = reference.error() or variant.error()
        if error is not None:
            raise PartialResultError(error, tuple(findings))
        return iter(findings)

    def _flaky(self, ctx: RunContext, reference: SuiteRun, variant: SuiteRun) -> Iterator[Finding]:
        for ref, var in zip(reference.results, variant.results, strict=True):
            if ref.error is not None or var.error is not None:
                continue
            for flake in compare_runs(ref.report.outcomes(), var.report.outcomes()):
                yield self._flake(ctx, ref, flake)

    def _flake(self, ctx: RunContext, result: RunnerResult, flake: Flake) -> Finding:
        case = next((c for c in result.report.cases if c.id == flake.test), None)
        where = location_of_test(ctx, result, case) if case is not None else None
        return self.finding(
            f"test {flake.test} is flaky (runner {result.spec.name!r}): {flake.reference} in "
            f"the reference run, {flake.variant} {self.variant_name()}",
            where,
            rule_id=f"{self.id}.flaky",
            key=f"{result.spec.name}\x1f{flake.test}",
        )


class SeededRandomness(DeterminismCheck):
    """Randomized tests use fixed seeds, and the outcome does not depend on test order.

    ACES III.5: randomized tests without seeds fail. Static: in test code
    (``[paths] tests``, ``test_*.py`` / ``conftest.py``, Rust ``#[cfg(test)]`` /
    ``#[test]`` items and ``tests/`` directories, Elixir test scripts), calls to
    an unseeded generator: Python's ``random.*`` without ``random.seed(<x>)`` at
    module level, earlier in the test or in a fixture it uses, ``random.Random()``
    without a seed, numpy's global generator; Rust ``thread_rng``, ``rand::random``,
    ``from_entropy``; Elixir ``:rand.uniform`` / ``Enum.random`` without
    ``:rand.seed``; property tests without a fixed seed (hypothesis ``@given``
    without ``@seed`` / ``derandomize``, ``proptest!``, StreamData without
    ``initial_seed``) -- each at file:line (``test.seeded-randomness.unseeded``,
    ``.property-seed``). Dynamic: the suite runs again with another
    ``PYTHONHASHSEED``, pytest's collection order reversed and Rust tests on one
    thread; a test whose outcome changes is ``test.seeded-randomness.flaky``.
    """

    id = "test.seeded-randomness"
    clauses = ("test.seeded-randomness",)
    title = "Randomized tests use fixed seeds"
    remedy = (
        "Seed the generator with a fixed, reported value (random.seed(1234), "
        "StdRng::seed_from_u64(1234), :rand.seed(:exsss, {1, 2, 3})) and make tests "
        "independent of each other's order."
    )
    kind = Kind.RANDOMNESS

    def variant_env(self, tmp: str) -> dict[str, str]:
        """Another hash seed, the reverse-order pytest plugin, one Rust test thread."""
        Path(tmp, f"{REVERSE_ORDER_MODULE}.py").write_text(REVERSE_ORDER_PLUGIN, encoding="utf-8")
        return {
            "PYTHONHASHSEED": ORDER_SEED,
            "PYTHONPATH": tmp,
            "PYTEST_ADDOPTS": f"-p {REVERSE_ORDER_MODULE}",
            "RUST_TEST_THREADS": "1",
        }

    def variant_name(self) -> str:
        """The order variant."""
        return f"with the test order reversed and PYTHONHASHSEED={ORDER_SEED}"


class TimeIndependence(DeterminismCheck):
    """Tests do not depend on the wall clock.

    ACES III.5: time-dependent tests fail. Static: in test code, reads of the
    clock (``time.time``, ``time.monotonic``, ``datetime.now``, ``date.today``;
    ``SystemTime::now``, ``Instant::now``; ``DateTime.utc_now``,
    ``System.system_time``) whose value decides an assertion or a branch are
    ``test.time-independence.wall-clock`` (a timestamp only stamped on data is
    not), and sleeps that wait before an assertion outside a polling loop
    (``time.sleep``, ``asyncio.sleep``, ``thread::sleep``, ``tokio::time::sleep``,
    ``Process.sleep``) are ``test.time-independence.sleep``, each at file:line.
    Dynamic: the suite runs again with the clock shifted by 400 days
    (libfaketime, when installed) and the time zone set to UTC+14; a test whose
    outcome changes is ``test.time-independence.flaky``.
    """

    id = "test.time-independence"
    clauses = ("test.time-independence",)
    title = "Tests do not depend on the wall clock"
    remedy = (
        "Inject the time (a clock parameter or a fake clock) instead of reading it, and wait "
        "on events instead of sleeping."
    )
    kind = Kind.CLOCK

    def variant_env(self, tmp: str) -> dict[str, str]:
        """A shifted clock (libfaketime) and another time zone."""
        del tmp
        env = {"TZ": SHIFTED_TZ}
        library = faketime_library()
        if library is not None:
            env.update({"LD_PRELOAD": library, "FAKETIME": CLOCK_SHIFT})
        return env

    def variant_name(self) -> str:
        """The clock variant."""
        return f"with the clock shifted by {CLOCK_SHIFT} and TZ={SHIFTED_TZ}"
