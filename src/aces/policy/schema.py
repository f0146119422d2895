"""The policy schema (``aces.toml``): typed sections with doctrine defaults.

A policy may be stricter than the doctrine, never looser. Each numeric
threshold carries the direction in which "stricter" lies (``THRESHOLDS``); the
loader rejects a looser value as a policy error naming file, line and key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


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
    proto: tuple[str, ...] = ("proto",)
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
