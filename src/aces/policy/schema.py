"""The policy schema (``aces.toml``): typed sections with doctrine defaults.

A policy may be stricter than the doctrine, never looser. Each numeric
threshold carries the direction in which "stricter" lies (``THRESHOLDS``); the
loader rejects a looser value as a policy error naming file, line and key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from aces.policy.secrets_section import SecretsPolicy
from aces.policy.security_section import SecurityPolicy
from aces.policy.supply_section import SupplyPolicy
from aces.policy.vulndb_section import VulnDbPolicy
from aces.runtime.topology import Topology

if TYPE_CHECKING:
    from aces.policy.effective import PolicySelection


class Direction(StrEnum):
    """Which way a threshold tightens."""

    MIN = "min"  # a floor: higher is stricter (coverage)
    MAX = "max"  # a ceiling: lower is stricter (rollback seconds)


@dataclass(frozen=True)
class ThresholdDef:
    """A doctrine threshold: its default value, direction and what it means."""

    default: float
    direction: Direction
    clause: str
    meaning: str


THRESHOLDS: dict[str, ThresholdDef] = {
    "core_coverage_percent": ThresholdDef(
        85.0, Direction.MIN, "test.coverage-core", "line coverage of core libraries"
    ),
    "transition_coverage_percent": ThresholdDef(
        100.0, Direction.MIN, "test.coverage-transitions", "state transitions covered by tests"
    ),
    "hot_path_branch_coverage_percent": ThresholdDef(
        100.0, Direction.MIN, "test.coverage-hot-paths", "branch coverage of hot paths"
    ),
    "coverage_drop_percent": ThresholdDef(
        0.0, Direction.MAX, "test.coverage-drop", "allowed coverage drop against the baseline"
    ),
    "rollback_seconds": ThresholdDef(
        10.0, Direction.MAX, "deploy.rollback", "time for an automated rollback to complete"
    ),
    "canary_traffic_percent": ThresholdDef(
        5.0, Direction.MAX, "deploy.canary", "share of traffic sent to the canary"
    ),
    "cve_max_severity": ThresholdDef(
        0.0, Direction.MAX, "sec.dependency-audit", "highest CVSS score a dependency may carry"
    ),
    "perf_regression_percent": ThresholdDef(
        5.0, Direction.MAX, "perf.benchmarks", "allowed slowdown of a hot-path benchmark"
    ),
    "artifact_size_deviation_percent": ThresholdDef(
        10.0, Direction.MAX, "build.size-deviation", "allowed artifact size change vs baseline"
    ),
}

CHANGE_CLASSES: tuple[str, ...] = ("protocol", "state_machine", "public_api", "core_behaviour")

REQUIRED_SPEC_SECTIONS: tuple[str, ...] = (
    "acceptance_criteria",
    "failure_modes",
    "security_implications",
    "performance_constraints",
    "invariants",
)

DEFAULT_SECTION_SYNONYMS: dict[str, tuple[str, ...]] = {
    "acceptance_criteria": (
        "acceptance criteria",
        "acceptance scenarios",
        "user scenarios & testing",
        "user scenarios and testing",
    ),
    "failure_modes": ("failure modes", "edge cases", "failure handling", "error handling"),
    "security_implications": ("security implications", "security", "security considerations"),
    "performance_constraints": (
        "performance constraints",
        "performance",
        "success criteria",
        "performance budget",
    ),
    "invariants": ("invariants",),
}

DEFAULT_PLACEHOLDERS: tuple[str, ...] = (
    "tbd",
    "todo",
    "tba",
    "fixme",
    "xxx",
    "n/a",
    "none",
    "-",
    "...",
    "[needs clarification]",
)


@dataclass(frozen=True)
class Paths:
    """Where the repository keeps each kind of contract and code."""

    specs: tuple[str, ...] = ("specs",)
    proto: tuple[str, ...] = ()  # none: every .proto, modules inferred from import roots
    state_machines: tuple[str, ...] = ("state_machines",)
    tests: tuple[str, ...] = ("tests",)
    core_libraries: tuple[str, ...] = ()
    hot_paths: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChangeClasses:
    """Globs that mark a changed file as needing a spec, per class."""

    protocol: tuple[str, ...] = ("**/*.proto", "proto/**", "schemas/**")
    state_machine: tuple[str, ...] = ("state_machines/**", "**/*.sm.yaml")
    public_api: tuple[str, ...] = ()
    core_behaviour: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, tuple[str, ...]]:
        """Class name -> globs, in declaration order."""
        return {name: getattr(self, name) for name in CHANGE_CLASSES}


@dataclass(frozen=True)
class SpecPolicy:
    """Stage 1 settings: which changes need a spec and what a spec must hold."""

    required_for: tuple[str, ...] = CHANGE_CLASSES
    sections: tuple[str, ...] = REQUIRED_SPEC_SECTIONS
    section_synonyms: dict[str, tuple[str, ...]] = field(
        default_factory=lambda: dict(DEFAULT_SECTION_SYNONYMS)
    )
    placeholders: tuple[str, ...] = DEFAULT_PLACEHOLDERS
    schema_globs: tuple[str, ...] = ("**/*.proto", "schemas/**/*.json", "**/*.avsc")
    max_spec_bytes: int = 1_000_000


@dataclass(frozen=True)
class StateMachinePolicy:
    """Stage 2 settings of the state-machine contract (``[state_machines]``)."""

    state_limit: int = 1_000_000  # distinct states the model checker may store per machine
    trace_dir: str = ".aces/traces"  # traces read when no test_command is set
    test_command: tuple[str, ...] = ()  # run with ACES_SM_TRACE_DIR set, to produce traces
    tests: dict[str, tuple[str, ...]] = field(default_factory=dict)  # machine -> test globs


PROTO_LINT_CATEGORIES: tuple[str, ...] = ("MINIMAL", "BASIC", "STANDARD", "COMMENTS", "UNARY_RPC")
# buf's breaking categories from strict to loose: FILE > PACKAGE > WIRE_JSON > WIRE.
PROTO_BREAKING_CATEGORIES: tuple[str, ...] = ("FILE", "PACKAGE", "WIRE_JSON", "WIRE")


@dataclass(frozen=True)
class ProtoPolicy:
    """Stage 2 / stage 11 settings of the protobuf contract (``[proto]``)."""

    lint: tuple[str, ...] = ("STANDARD",)  # buf lint categories or rule ids
    breaking: tuple[str, ...] = ("FILE",)  # buf breaking category: FILE is the strictest
    compat_marker: str = "@since"  # leading-comment marker of added / changed elements
    version_source: str = "policy_version"  # or a file: VERSION, Cargo.toml, pyproject.toml
    require_proto3_optional: bool = False  # new proto3 scalar fields must use `optional`
    envelopes: tuple[str, ...] = ()  # fully-qualified wire envelope messages
    golden_dir: str = "tests/golden/proto"  # <golden_dir>/<message full name>/*.binpb


DEFAULT_TEST_GLOBS: tuple[str, ...] = (
    "tests/**",
    "**/tests/**",
    "test/**",
    "**/test/**",
    "benches/**",
    "**/benches/**",
    "examples/**",
    "**/examples/**",
    "**/test_*.py",
    "**/*_test.py",
    "**/conftest.py",
    "**/*_test.exs",
)
DEFAULT_STARTUP_GLOBS: tuple[str, ...] = ("build.rs", "**/build.rs", "mix.exs", "**/mix.exs")


@dataclass(frozen=True)
class PatternsPolicy:
    """Stage 3 native analyses (``[patterns]``): thresholds, zones and the ticket form."""

    max_function_lines: int = 60  # lines of a function, signature to closing brace
    max_complexity: int = 10  # cyclomatic complexity of a function
    max_nesting: int = 4  # nested control blocks inside a function
    allowed_numbers: tuple[float, ...] = (0, 1, -1, 2)  # literals that are never magic
    ticket_pattern: str = r"[A-Z][A-Z0-9]+-[0-9]+"  # TODO(ABC-123)
    startup_markers: tuple[str, ...] = ("aces:startup",)  # comment above an item
    test_globs: tuple[str, ...] = DEFAULT_TEST_GLOBS
    startup_globs: tuple[str, ...] = DEFAULT_STARTUP_GLOBS
    # PR mode: findings outside the changed lines are counted, not blocking ("block": they block)
    debt: str = "hold-the-line"


DEBT_MODES: tuple[str, ...] = ("hold-the-line", "block")  # loosest first


@dataclass(frozen=True)
class Layer:
    """An architecture layer: its files and what it may not depend on."""

    name: str
    paths: tuple[str, ...]
    may_not_depend_on: tuple[str, ...] = ()
    forbidden_imports: tuple[str, ...] = ()  # module / crate prefixes: reqwest, urllib.request


@dataclass(frozen=True)
class ArchitecturePolicy:
    """Stage 3 layers (``[architecture]``); none declared means nothing to check."""

    layers: tuple[Layer, ...] = ()


@dataclass(frozen=True)
class ImageBuild:
    """A container image the repository builds and its final size budget (``[[build.images]]``)."""

    dockerfile: str  # path relative to the repository root
    context: str = "."  # build context, relative to the repository root
    max_bytes: int = 0  # the final image may not be larger


@dataclass(frozen=True)
class BuildPolicy:
    """Stage 4 settings: the build to reproduce, its artifacts and their baselines (``[build]``)."""

    commands: tuple[tuple[str, ...], ...] = ()  # argv lists, run in order in each copy
    artifacts: tuple[str, ...] = ()  # globs of the built artifacts, relative to the root
    timeout_seconds: float = 300.0  # per build command
    size_baseline: str = ""  # committed JSON of artifact sizes (docs/stage4-build.md)
    images: tuple[ImageBuild, ...] = ()


REPORT_FORMATS: tuple[str, ...] = ("junit", "libtest")
COVERAGE_FORMATS: tuple[str, ...] = ("lcov", "cobertura", "coveragepy")


@dataclass(frozen=True)
class TestRunnerSpec:
    """One ``[[tests.runners]]`` entry: a test command and the reports it writes."""

    __test__ = False  # not a pytest test class, whatever its name
    name: str
    argv: tuple[str, ...]
    report: str = ""  # JUnit XML path or glob; "{out}" is a fresh directory per run
    report_format: str = "junit"  # or "libtest": cargo test's plain stdout
    coverage: str = ""
    coverage_format: str = ""  # lcov | cobertura | coveragepy
    coverage_argv: tuple[str, ...] = ()  # run after the tests to write the coverage report
    env: dict[str, str] = field(default_factory=dict)
    cwd: str = ""


@dataclass(frozen=True)
class TestsPolicy:
    """Stage 5 settings (``[tests]``): runners (defaults by language) and the baseline."""

    __test__ = False
    runners: tuple[TestRunnerSpec, ...] = ()
    coverage_baseline: str = ""  # committed coverage baseline JSON (test.coverage-drop)


@dataclass(frozen=True)
class AllowlistEntry:
    """A governed exception: the only way a suppression stops being a finding."""

    path: str
    rule: str
    reason: str
    owner: str
    expires: str  # ISO date, YYYY-MM-DD


@dataclass(frozen=True)
class Maintainer:
    """A person allowed to approve; ``senior`` maintainers satisfy the merge gate."""

    handle: str
    name: str = ""
    senior: bool = False


@dataclass(frozen=True)
class Policy:
    """A repository's policy, every field defaulted from the doctrine."""

    policy_version: str = "1.0.0"
    doctrine: str = "aces-1.0.0"
    paths: Paths = field(default_factory=Paths)
    change_classes: ChangeClasses = field(default_factory=ChangeClasses)
    spec: SpecPolicy = field(default_factory=SpecPolicy)
    proto: ProtoPolicy = field(default_factory=ProtoPolicy)
    state_machines: StateMachinePolicy = field(default_factory=StateMachinePolicy)
    tests: TestsPolicy = field(default_factory=TestsPolicy)
    build: BuildPolicy = field(default_factory=BuildPolicy)
    patterns: PatternsPolicy = field(default_factory=PatternsPolicy)
    architecture: ArchitecturePolicy = field(default_factory=ArchitecturePolicy)
    security: SecurityPolicy = field(default_factory=SecurityPolicy)
    secrets: SecretsPolicy = field(default_factory=SecretsPolicy)
    supply: SupplyPolicy = field(default_factory=SupplyPolicy)
    vulndb: VulnDbPolicy = field(default_factory=VulnDbPolicy)
    topology: Topology = field(default_factory=Topology)
    thresholds: dict[str, float] = field(
        default_factory=lambda: {name: t.default for name, t in THRESHOLDS.items()}
    )
    toolchain: dict[str, str] = field(default_factory=dict)
    maintainers: tuple[Maintainer, ...] = ()
    allowlist: tuple[AllowlistEntry, ...] = ()
    default_branch: str = ""
    check_timeout_seconds: float = 600.0


@dataclass(frozen=True)
class LoadedPolicy:
    """A policy and where it came from (a file, or the embedded doctrine default)."""

    policy: Policy
    source: str  # relative path of the file, or "embedded doctrine default"
    is_default: bool
    # how the run chose this policy over the base's, the head's and --policy (the ratchet)
    selection: PolicySelection | None = field(default=None, compare=False, repr=False)
