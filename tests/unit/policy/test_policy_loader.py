"""``load_policy``: the mapping onto ``Policy`` and every kind of policy error."""

from __future__ import annotations

from pathlib import Path

import pytest

from aces.errors import AcesError, PolicyError
from aces.policy.loader import EMBEDDED_SOURCE, load_policy
from aces.policy.mapping import TOP_LEVEL_KEYS
from aces.policy.problems import PolicyFileError
from aces.policy.schema import (
    DEFAULT_PLACEHOLDERS,
    DEFAULT_SECTION_SYNONYMS,
    AllowlistEntry,
    ChangeClasses,
    Maintainer,
    Paths,
    Policy,
    SpecPolicy,
)

FULL = """\
policy_version = "2.1.0-rc.1+build.5"
doctrine = "aces-1.0.0"
default_branch = "trunk"
check_timeout_seconds = 300

[paths]
specs = ["specs", "docs/specs"]
proto = ["api/proto"]
state_machines = ["sm"]
tests = ["tests", "itests"]
core_libraries = ["src/core"]
hot_paths = ["src/core/router.py"]

[change_classes]
protocol = ["api/proto/**"]
state_machine = ["sm/**"]
public_api = ["src/api/**"]
core_behaviour = ["src/core/**"]

[spec]
required_for = ["core_behaviour", "protocol", "state_machine", "public_api"]
sections = [
  "acceptance_criteria", "failure_modes", "security_implications",
  "performance_constraints", "invariants", "slo_impact",
]
placeholders = [
  "tbd", "todo", "tba", "fixme", "xxx", "n/a", "none", "-", "...",
  "[needs clarification]", "Coming  Soon",
]
schema_globs = ["api/proto/**/*.proto"]
max_spec_bytes = 200000

[spec.section_synonyms]
invariants = ["Invariants", "Guarantees"]

[thresholds]
core_coverage_percent = 90
rollback_seconds = 5.5
cve_max_severity = 0

[toolchain]
buf = "1.75.0"
rust = "1.80.1"

[[maintainers]]
handle = "alice"
name = "Alice A."
senior = true

[[maintainers]]
handle = "bob"

[[allowlist]]
path = "src/legacy/**"
rule = "lint.forbidden-patterns"
reason = "vendored parser, replaced in #42"
owner = "alice"
expires = 2027-03-31

[[allowlist]]
path = "src/gen.py"
rule = "lint.python"
reason = "generated"
owner = "bob"
expires = "2027-01-15"
"""


def write(root: Path, text: str | bytes, name: str = "aces.toml") -> Path:
    """Write a policy file under ``root``."""
    path = root / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def problems_of(root: Path, text: str | bytes) -> list[str]:
    """The rendered problem lines of a policy that must fail to load."""
    write(root, text)
    with pytest.raises(PolicyFileError) as caught:
        load_policy(root)
    return caught.value.lines()


def test_full_policy_maps_every_section(tmp_path: Path) -> None:
    write(tmp_path, FULL)
    loaded = load_policy(tmp_path)
    defaults = Policy()
    synonyms = dict(DEFAULT_SECTION_SYNONYMS)
    synonyms["invariants"] = ("invariants", "guarantees")
    synonyms["slo_impact"] = ("slo impact",)
    assert loaded.source == "aces.toml"
    assert loaded.is_default is False
    assert loaded.policy == Policy(
        policy_version="2.1.0-rc.1+build.5",
        doctrine="aces-1.0.0",
        paths=Paths(
            specs=("specs", "docs/specs"),
            proto=("api/proto",),
            state_machines=("sm",),
            tests=("tests", "itests"),
            core_libraries=("src/core",),
            hot_paths=("src/core/router.py",),
        ),
        change_classes=ChangeClasses(
            protocol=("api/proto/**",),
            state_machine=("sm/**",),
            public_api=("src/api/**",),
            core_behaviour=("src/core/**",),
        ),
        spec=SpecPolicy(
            required_for=("core_behaviour", "protocol", "state_machine", "public_api"),
            sections=(
                "acceptance_criteria",
                "failure_modes",
                "security_implications",
                "performance_constraints",
                "invariants",
                "slo_impact",
            ),
            section_synonyms=synonyms,
            placeholders=(*DEFAULT_PLACEHOLDERS, "coming soon"),
            schema_globs=("api/proto/**/*.proto",),
            max_spec_bytes=200_000,
        ),
        thresholds={
            **defaults.thresholds,
            "core_coverage_percent": 90.0,
            "rollback_seconds": 5.5,
            "cve_max_severity": 0.0,
        },
        toolchain={"buf": "1.75.0", "rust": "1.80.1"},
        maintainers=(
            Maintainer(handle="alice", name="Alice A.", senior=True),
            Maintainer(handle="bob", name="", senior=False),
        ),
        allowlist=(
            AllowlistEntry(
                path="src/legacy/**",
                rule="lint.forbidden-patterns",
                reason="vendored parser, replaced in #42",
                owner="alice",
                expires="2027-03-31",
            ),
            AllowlistEntry(
                path="src/gen.py",
                rule="lint.python",
                reason="generated",
                owner="bob",
                expires="2027-01-15",
            ),
        ),
        default_branch="trunk",
        check_timeout_seconds=300.0,
    )


def test_minimal_policy_takes_every_doctrine_default(tmp_path: Path) -> None:
    write(tmp_path, 'policy_version = "1.0.0"\n')
    assert load_policy(tmp_path).policy == Policy()


def test_absent_file_means_the_embedded_doctrine_default(tmp_path: Path) -> None:
    loaded = load_policy(tmp_path)
    assert loaded.policy == Policy()
    assert loaded.source == EMBEDDED_SOURCE
    assert loaded.is_default is True


def test_explicit_path_outside_the_root_keeps_its_name(tmp_path: Path) -> None:
    (tmp_path / "repo").mkdir()
    path = write(tmp_path, 'policy_version = "3.0.0"\n', "strict.toml")
    loaded = load_policy(tmp_path / "repo", path)
    assert loaded.source == str(path)
    assert loaded.policy.policy_version == "3.0.0"


def test_missing_explicit_file_is_a_policy_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyError) as caught:
        load_policy(tmp_path, tmp_path / "nope.toml")
    assert caught.value.diagnostics() == (
        "nope.toml: policy file not found "
        "(check the path, or omit it to use aces.toml at the repository root)"
    )


def test_dangling_symlink_is_not_taken_for_an_absent_policy(tmp_path: Path) -> None:
    (tmp_path / "aces.toml").symlink_to(tmp_path / "gone.toml")
    with pytest.raises(PolicyError, match="policy file not found"):
        load_policy(tmp_path)


def test_directory_instead_of_a_file_is_a_policy_error(tmp_path: Path) -> None:
    (tmp_path / "aces.toml").mkdir()
    with pytest.raises(PolicyError) as caught:
        load_policy(tmp_path)
    assert caught.value.diagnostics() == "aces.toml: policy path is a directory, not a file"


def test_non_utf8_file_names_the_line_and_column(tmp_path: Path) -> None:
    lines = problems_of(tmp_path, b'policy_version = "1.0.0"\n# caf\xe9\n')
    assert lines == [
        "aces.toml:2:6: not valid UTF-8 (byte 0xe9); save the policy file as UTF-8",
    ]


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    write(tmp_path, b'\xef\xbb\xbfpolicy_version = "1.0.0"\n')
    assert load_policy(tmp_path).policy == Policy()


def test_toml_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    lines = problems_of(tmp_path, 'policy_version = "1.0.0"\n\n[thresholds\nx = 1\n')
    assert lines == ["aces.toml:3:12: invalid TOML: Expected ']' at the end of a table declaration"]


def test_toml_error_at_end_of_document_names_the_last_line(tmp_path: Path) -> None:
    lines = problems_of(tmp_path, 'policy_version = "1.0.0"\nlist = [1,\n')
    assert lines == ["aces.toml:2: invalid TOML: Invalid value at end of file"]


def test_policy_error_is_an_aces_error(tmp_path: Path) -> None:
    write(tmp_path, "")
    with pytest.raises(AcesError):
        load_policy(tmp_path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "",
            'aces.toml:1: policy_version: missing; expected a SemVer 2.0 version such as "1.0.0"',
            id="version-missing",
        ),
        pytest.param(
            'policy_version = "1.0"\n',
            "aces.toml:1: policy_version: '1.0' is not SemVer 2.0; "
            'expected a SemVer 2.0 version such as "1.0.0"',
            id="version-not-semver",
        ),
        pytest.param(
            'policy_version = "01.0.0"\n',
            "aces.toml:1: policy_version: '01.0.0' is not SemVer 2.0; "
            'expected a SemVer 2.0 version such as "1.0.0"',
            id="version-leading-zero",
        ),
        pytest.param(
            "policy_version = 1\n",
            'aces.toml:1: policy_version: expected a SemVer 2.0 version such as "1.0.0", '
            "found an integer",
            id="version-not-string",
        ),
        pytest.param(
            'policy_version = "1.0.0"\ndoctrine = "aces-1.0"\n',
            "aces.toml:2: doctrine: unknown doctrine 'aces-1.0'; did you mean 'aces-1.0.0'?",
            id="doctrine-unknown",
        ),
        pytest.param(
            'policy_version = "1.0.0"\nthreshold = 1\n',
            "aces.toml:2: threshold: unknown key; did you mean 'thresholds'?",
            id="top-level-did-you-mean",
        ),
        pytest.param(
            'policy_version = "1.0.0"\nzzz = 1\n',
            "aces.toml:2: zzz: unknown key; expected one of: "
            + ", ".join(f"'{key}'" for key in TOP_LEVEL_KEYS),
            id="top-level-no-suggestion",
        ),
        pytest.param(
            'policy_version = "1.0.0"\npaths = ["specs"]\n',
            "aces.toml:2: paths: expected a table, found an array",
            id="section-not-table",
        ),
        pytest.param(
            'policy_version = "1.0.0"\n[[paths]]\nspecs = ["x"]\n',
            "aces.toml:2: paths: expected a table, found an array of tables",
            id="section-array-of-tables",
        ),
        pytest.param(
            'policy_version = "1.0.0"\n[paths]\nspecs = "specs"\n',
            "aces.toml:3: paths.specs: expected an array of strings, found a string",
            id="list-expected",
        ),
        pytest.param(
            'policy_version = "1.0.0"\n[paths]\nspecs = [\n  "specs",\n  3,\n]\n',
            "aces.toml:5: paths.specs[1]: expected a string, found an integer",
            id="list-element-type",
        ),
        pytest.param(
            'policy_version = "1.0.0"\n[paths]\ntests = ["../elsewhere"]\n',
            "aces.toml:3: paths.tests[0]: expected a path relative to the repository root, "
            "found '../elsewhere'",
            id="path-escapes-root",
        ),
        pytest.param(
            'policy_version = "1.0.0"\n[paths]\nspec = ["s"]\n',
            "aces.toml:3: paths.spec: unknown key; did you mean 'specs'?",
            id="paths-did-you-mean",
        ),
        pytest.param(
            'policy_version = "1.0.0"\n[change_classes]\nprotocols = ["p/**"]\n',
            "aces.toml:3: change_classes.protocols: unknown key; did you mean 'protocol'?",
            id="change-class-did-you-mean",
        ),
        pytest.param(
            'policy_version = "1.0.0"\n[spec]\nrequired_for = ["protocol", "state_machine",'
            ' "public_api"]\n',
            "aces.toml:3: spec.required_for: drops change class 'core_behaviour', which the "
            "doctrine requires a spec for (a policy may only be stricter)",
            id="required-for-drops-class",
        ),
        pytest.param(
            'policy_version = "1.0.0"\n[spec]\nsections = ["acceptance_criteria", '
            '"failure_modes", "security_implications", "performance_constraints"]\n',
            "aces.toml:3: spec.sections: drops the doctrine section 'invariants' (a policy "
            "may only be stricter: sections can be added, not removed)",
            id="sections-drop",
        ),
        pytest.param(
            'policy_version = "1.0.0"\n[spec]\nplaceholders = ["tbd", "todo", "tba", "fixme",'
            ' "xxx", "n/a", "none", "-", "..."]\n',
            "aces.toml:3: spec.placeholders: drops the doctrine placeholder "
            "'[needs clarification]' (a policy may only be stricter)",
            id="placeholders-drop",
        ),
        pytest.param(
            'policy_version = "1.0.0"\n[spec.section_synonyms]\ninvariant = ["rules"]\n',
            "aces.toml:3: spec.section_synonyms.invariant: not a section of spec.sections; "
            "did you mean 'invariants'?",
            id="synonym-unknown-section",
        ),
        pytest.param(
            'policy_version = "1.0.0"\n[spec]\nmax_spec_bytes = 0\n',
            "aces.toml:3: spec.max_spec_bytes: expected a positive integer, found 0",
            id="max-spec-bytes",
        ),
        pytest.param(
            'policy_version = "1.0.0"\n[spec]\nmin_spec_bytes = 1\n',
            "aces.toml:3: spec.min_spec_bytes: unknown key; did you mean 'max_spec_bytes'?",
            id="spec-did-you-mean",
        ),
        pytest.param(
            'policy_version = "1.0.0"\n\n[thresholds]\ncore_coverage_percent = 80\n',
            "aces.toml:4: thresholds.core_coverage_percent: 80 is looser than the doctrine's "
            "85 (a policy may only be stricter)",
            id="threshold-floor-looser",
        ),
        pytest.param(
            'policy_version = "1.0.0"\n[thresholds]\nrollback_seconds = 30\n',
            "aces.toml:3: thresholds.rollback_seconds: 30 is looser than the doctrine's 10 "
            "(a policy may only be stricter)",
            id="threshold-ceiling-looser",
        ),
        pytest.param(
            'policy_version = "1.0.0"\nthresholds = { perf_regression_percent = 5.5 }\n',
            "aces.toml:2: thresholds.perf_regression_percent: 5.5 is looser than the "
            "doctrine's 5 (a policy may only be stricter)",
            id="threshold-inline-table",
        ),
        pytest.param(
            'policy_version = "1.0.0"\nthresholds.core_coverage_percent = 101\n',
            "aces.toml:2: thresholds.core_coverage_percent: expected a number from 0 to 100, "
            "found 101",
            id="threshold-dotted-out-of-range",
        ),
        pytest.param(
            'policy_version = "1.0.0"\n[thresholds]\ncve_max_severity = nan\n',
            "aces.toml:3: thresholds.cve_max_severity: expected a finite number, found nan",
            id="threshold-nan",
        ),
        pytest.param(
            'policy_version = "1.0.0"\n[thresholds]\ncore_coverage = 90\n',
            "aces.toml:3: thresholds.core_coverage: unknown key; "
            "did you mean 'core_coverage_percent'?",
            id="threshold-did-you-mean",
        ),
        pytest.param(
            'policy_version = "1.0.0"\n[thresholds]\ncore_coverage_percent = "90"\n',
            "aces.toml:3: thresholds.core_coverage_percent: expected a number, found a string",
            id="threshold-type",
        ),
        pytest.param(
            'policy_version = "1.0.0"\n[toolchain]\nbuf = "^1.75"\n',
            "aces.toml:3: toolchain.buf: expected an exact version such as '1.75.0', "
            "found '^1.75' (toolchain versions are locked)",
            id="toolchain-range",
        ),
        pytest.param(
            'policy_version = "1.0.0"\n[toolchain]\nrust = "stable"\n',
            "aces.toml:3: toolchain.rust: expected an exact version such as '1.75.0', "
            "found 'stable' (toolchain versions are locked)",
            id="toolchain-channel",
        ),
        pytest.param(
            'policy_version = "1.0.0"\n\n[[maintainers]]\nhandle = "a"\n\n[[maintainers]]\n'
            'name = "B"\n',
            "aces.toml:6: maintainers[1].handle: missing; expected a non-empty string "
            "(a handle such as 'octocat')",
            id="maintainer-handle-missing",
        ),
        pytest.param(
            'policy_version = "1.0.0"\n[[maintainers]]\nhandle = "a"\nsenor = true\n',
            "aces.toml:4: maintainers[0].senor: unknown key; did you mean 'senior'?",
            id="maintainer-did-you-mean",
        ),
        pytest.param(
            'policy_version = "1.0.0"\n[[maintainers]]\nhandle = "Al"\n[[maintainers]]\n'
            'handle = "al"\n',
            "aces.toml:5: maintainers[1].handle: maintainer 'al' is listed twice",
            id="maintainer-duplicate",
        ),
        pytest.param(
            'policy_version = "1.0.0"\nmaintainers = "alice"\n',
            "aces.toml:2: maintainers: expected an array of tables ([[maintainers]]), "
            "found a string",
            id="maintainers-not-array",
        ),
        pytest.param(
            'policy_version = "1.0.0"\ncheck_timeout_seconds = 0\n',
            "aces.toml:2: check_timeout_seconds: expected a positive number, found 0",
            id="timeout-positive",
        ),
        pytest.param(
            'policy_version = "1.0.0"\ncheck_timeout_seconds = true\n',
            "aces.toml:2: check_timeout_seconds: expected a number, found a boolean",
            id="timeout-bool",
        ),
        pytest.param(
            'policy_version = "1.0.0"\ndefault_branch = "--upload-pack=x"\n',
            "aces.toml:2: default_branch: expected a branch name such as 'main', "
            "found '--upload-pack=x'",
            id="branch-option-like",
        ),
    ],
)
def test_each_error_kind_names_line_and_key(tmp_path: Path, text: str, expected: str) -> None:
    assert problems_of(tmp_path, text) == [expected]


ALLOWLIST_BASE = """\
policy_version = "1.0.0"

[[allowlist]]
path = "a.py"
rule = "lint.python"
reason = "why"
owner = "alice"
expires = 2027-01-01
"""


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        pytest.param(
            '\n[[allowlist]]\npath = "b.py"\nrule = "lint.python"\nreason = "why"\n'
            "expires = 2027-01-01\n",
            "aces.toml:10: allowlist[1].owner: missing; expected a non-empty string "
            "(who answers for the exception)",
            id="owner-missing",
        ),
        pytest.param(
            '\n[[allowlist]]\npath = "b.py"\nrule = "lint.python"\nreason = " "\n'
            'owner = "bob"\nexpires = 2027-01-01\n',
            "aces.toml:13: allowlist[1].reason: expected a non-empty string "
            "(why the exception is needed), found an empty string",
            id="reason-blank",
        ),
        pytest.param(
            '\n[[allowlist]]\npath = "b.py"\nrule = "lint.python"\nreason = "r"\n'
            'owner = "bob"\nexpires = "2027-02-30"\n',
            "aces.toml:15: allowlist[1].expires: expected a date (YYYY-MM-DD) when the "
            "exception ends, found '2027-02-30'",
            id="expires-impossible-date",
        ),
        pytest.param(
            '\n[[allowlist]]\npath = "b.py"\nrule = "lint.python"\nreason = "r"\n'
            'owner = "bob"\nexpires = 2027-01-01T10:00:00Z\n',
            "aces.toml:15: allowlist[1].expires: expected a date (YYYY-MM-DD) when the "
            "exception ends, found a date-time",
            id="expires-datetime",
        ),
        pytest.param(
            '\n[[allowlist]]\npath = "a.py"\nrule = "lint.python"\nreason = "again"\n'
            'owner = "bob"\nexpires = 2027-01-01\n',
            "aces.toml:10: allowlist[1]: repeats the exception of allowlist[0] "
            "(same path and rule)",
            id="duplicate-entry",
        ),
        pytest.param(
            '\n[[allowlist]]\npath = "b.py"\nrules = "lint.python"\nrule = "x"\nreason = "r"\n'
            'owner = "bob"\nexpires = 2027-01-01\n',
            "aces.toml:12: allowlist[1].rules: unknown key; did you mean 'rule'?",
            id="entry-did-you-mean",
        ),
    ],
)
def test_allowlist_errors(tmp_path: Path, extra: str, expected: str) -> None:
    assert problems_of(tmp_path, ALLOWLIST_BASE + extra) == [expected]


def test_allowlist_accepts_date_string(tmp_path: Path) -> None:
    write(tmp_path, ALLOWLIST_BASE.replace("2027-01-01", '"2027-01-01"'))
    assert load_policy(tmp_path).policy.allowlist[0].expires == "2027-01-01"


def test_every_problem_of_a_file_is_reported_in_line_order(tmp_path: Path) -> None:
    text = (
        'policy_version = "one"\n'  # 1
        "\n"  # 2
        "[thresholds]\n"  # 3
        "core_coverage_percent = 80\n"  # 4
        "canary_traffic_percent = 6\n"  # 5
        "\n"  # 6
        "[spec]\n"  # 7
        'requird_for = ["protocol"]\n'  # 8
    )
    write(tmp_path, text)
    with pytest.raises(PolicyFileError) as caught:
        load_policy(tmp_path)
    error = caught.value
    assert error.lines() == [
        "aces.toml:1: policy_version: 'one' is not SemVer 2.0; "
        'expected a SemVer 2.0 version such as "1.0.0"',
        "aces.toml:4: thresholds.core_coverage_percent: 80 is looser than the doctrine's 85 "
        "(a policy may only be stricter)",
        "aces.toml:5: thresholds.canary_traffic_percent: 6 is looser than the doctrine's 5 "
        "(a policy may only be stricter)",
        "aces.toml:8: spec.requird_for: unknown key; did you mean 'required_for'?",
    ]
    assert error.message == error.lines()[0]
    assert error.diagnostics() == error.lines()[0] + " (and 3 more)"


def test_one_problem_has_no_count(tmp_path: Path) -> None:
    write(tmp_path, "")
    with pytest.raises(PolicyFileError) as caught:
        load_policy(tmp_path)
    assert caught.value.diagnostics() == (
        'aces.toml:1: policy_version: missing; expected a SemVer 2.0 version such as "1.0.0"'
    )


def test_stricter_values_are_accepted(tmp_path: Path) -> None:
    write(
        tmp_path,
        'policy_version = "1.0.0"\n[thresholds]\ncore_coverage_percent = 85\n'
        "coverage_drop_percent = 0\nrollback_seconds = 2\ncanary_traffic_percent = 1\n",
    )
    thresholds = load_policy(tmp_path).policy.thresholds
    assert thresholds["core_coverage_percent"] == 85.0
    assert thresholds["rollback_seconds"] == 2.0
    assert thresholds["canary_traffic_percent"] == 1.0


def test_quoted_keys_are_quoted_in_the_key_path(tmp_path: Path) -> None:
    lines = problems_of(tmp_path, 'policy_version = "1.0.0"\n[toolchain]\n"my tool" = 3\n')
    assert lines == [
        'aces.toml:3: toolchain."my tool": expected an exact version such as '
        "'1.75.0', found an integer"
    ]


def test_inline_array_of_tables_errors_point_at_the_entry_line(tmp_path: Path) -> None:
    text = (
        'policy_version = "1.0.0"\n'
        "allowlist = [\n"
        '  { path = "a.py", rule = "r", reason = "x", owner = "o", expires = 2027-01-01 },\n'
        '  { path = "b.py", rule = "r", reason = "x", expires = 2027-01-01 },\n'
        "]\n"
    )
    assert problems_of(tmp_path, text) == [
        "aces.toml:4: allowlist[1].owner: missing; expected a non-empty string "
        "(who answers for the exception)"
    ]


def test_symlinked_policy_keeps_its_own_name(tmp_path: Path) -> None:
    target = write(tmp_path, 'policy_version = "1.0.0"\n', "shared.toml")
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "aces.toml").symlink_to(target)
    assert load_policy(tmp_path / "repo").source == "aces.toml"


def test_patterns_debt_accepts_block_and_rejects_other_modes(tmp_path: Path) -> None:
    write(tmp_path, 'policy_version = "1.0.0"\n[patterns]\ndebt = "block"\n')
    assert load_policy(tmp_path).policy.patterns.debt == "block"
    assert Policy().patterns.debt == "hold-the-line"
    lines = problems_of(tmp_path, 'policy_version = "1.0.0"\n[patterns]\ndebt = "ignore"\n')
    assert lines == [
        "aces.toml:3: patterns.debt: expected one of 'hold-the-line', 'block', found 'ignore'"
    ]
