"""Map a parsed ``aces.toml`` onto the frozen ``Policy`` dataclasses.

Every key is type-checked, unknown keys get a "did you mean" suggestion, and
every value is held against the doctrine: a policy may only be stricter
(``gov.only-stricter``). Problems are collected, not raised one by one, so a
file shows all of its mistakes at once; missing sections take the doctrine
defaults.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from aces.doctrine.catalog import DEFAULT_DOCTRINE
from aces.policy.build_section import build_build
from aces.policy.patterns_section import build_architecture, build_patterns
from aces.policy.problems import KeyPath
from aces.policy.proto_section import build_proto
from aces.policy.schema import (
    CHANGE_CLASSES,
    DEFAULT_PLACEHOLDERS,
    REQUIRED_SPEC_SECTIONS,
    THRESHOLDS,
    AllowlistEntry,
    ChangeClasses,
    Direction,
    Maintainer,
    Paths,
    Policy,
    SpecPolicy,
    StateMachinePolicy,
)
from aces.policy.secrets_section import build_secrets
from aces.policy.security_section import build_security
from aces.policy.supply_section import build_supply
from aces.policy.tests_section import build_tests
from aces.policy.topology_section import build_topology
from aces.policy.values import (
    Reporter,
    as_number,
    as_positive,
    as_string,
    as_strings,
    as_table,
    check_keys,
    describe,
    no_duplicates,
    normalise,
    number_text,
    suggest,
)
from aces.policy.vulndb_section import build_vulndb

KNOWN_DOCTRINES: tuple[str, ...] = (DEFAULT_DOCTRINE,)

TOP_LEVEL_KEYS: tuple[str, ...] = (
    "policy_version",
    "doctrine",
    "paths",
    "change_classes",
    "spec",
    "proto",
    "state_machines",
    "patterns",
    "architecture",
    "build",
    "tests",
    "security",
    "secrets",
    "supply",
    "topology",
    "vulndb",
    "thresholds",
    "toolchain",
    "maintainers",
    "allowlist",
    "default_branch",
    "check_timeout_seconds",
)
SPEC_KEYS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(SpecPolicy))
STATE_MACHINE_KEYS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(StateMachinePolicy))
MAINTAINER_KEYS: tuple[str, ...] = ("handle", "name", "senior")
ALLOWLIST_KEYS: tuple[str, ...] = ("path", "rule", "reason", "owner", "expires")

ONLY_STRICTER = "a policy may only be stricter"

# The official SemVer 2.0.0 grammar (semver.org), without the optional "v" some tools accept.
_SEMVER = re.compile(
    r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?"
)
_SECTION_NAME = re.compile(r"[a-z][a-z0-9_]*")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_EXACT_VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]*")
# Channel names that move under the pipeline's feet: not a locked toolchain.
_FLOATING_VERSIONS = frozenset(
    {"latest", "stable", "beta", "nightly", "lts", "current", "head", "main", "master"}
)
# A ref that git could mistake for an option or a range is refused outright.
_BAD_REF = re.compile(r"^[-/]|\.\.|[\s~^:?*\[\\]|@\{|/$|\.lock$|^@$")

T = TypeVar("T")


def section(
    r: Reporter,
    raw: dict[str, Any],
    name: str,
    default: T,
    build: Callable[[Reporter, dict[str, Any], KeyPath, T], T],
) -> T:
    """Build section ``name`` from its table, or keep ``default`` when absent or wrong."""
    if name not in raw:
        return default
    table = as_table(r, raw[name], (name,))
    return default if table is None else build(r, table, (name,), default)


# -- top level -----------------------------------------------------------------


def build_policy(r: Reporter, raw: dict[str, Any]) -> Policy:
    """The policy described by ``raw``; problems go to ``r`` (the caller raises)."""
    base = Policy()
    check_keys(r, raw, (), TOP_LEVEL_KEYS)
    spec = section(r, raw, "spec", base.spec, build_spec)
    return Policy(
        policy_version=policy_version(r, raw),
        doctrine=doctrine(r, raw, base.doctrine),
        paths=section(r, raw, "paths", base.paths, build_paths),
        change_classes=section(r, raw, "change_classes", base.change_classes, build_classes),
        spec=spec,
        proto=section(r, raw, "proto", base.proto, build_proto),
        state_machines=section(r, raw, "state_machines", base.state_machines, build_state_machines),
        tests=section(r, raw, "tests", base.tests, build_tests),
        patterns=section(r, raw, "patterns", base.patterns, build_patterns),
        architecture=section(r, raw, "architecture", base.architecture, build_architecture),
        build=section(r, raw, "build", base.build, build_build),
        security=section(r, raw, "security", base.security, build_security),
        secrets=section(r, raw, "secrets", base.secrets, build_secrets),
        supply=section(r, raw, "supply", base.supply, build_supply),
        topology=section(r, raw, "topology", base.topology, build_topology),
        vulndb=section(r, raw, "vulndb", base.vulndb, build_vulndb),
        thresholds=section(r, raw, "thresholds", base.thresholds, build_thresholds),
        toolchain=section(r, raw, "toolchain", base.toolchain, build_toolchain),
        maintainers=maintainers(r, raw),
        allowlist=allowlist(r, raw),
        default_branch=default_branch(r, raw, base.default_branch),
        check_timeout_seconds=timeout(r, raw, base.check_timeout_seconds),
    )


def policy_version(r: Reporter, raw: dict[str, Any]) -> str:
    """Required, SemVer 2.0 (``gov.policy-semver``)."""
    expected = 'a SemVer 2.0 version such as "1.0.0"'
    if "policy_version" not in raw:
        r.add(("policy_version",), f"missing; expected {expected}")
        return Policy().policy_version
    version = as_string(r, raw["policy_version"], ("policy_version",), expected)
    if version is None:
        return Policy().policy_version
    if not _SEMVER.fullmatch(version):
        r.add(("policy_version",), f"{version!r} is not SemVer 2.0; expected {expected}")
    return version


def doctrine(r: Reporter, raw: dict[str, Any], default: str) -> str:
    """A doctrine version this release of ACES knows."""
    if "doctrine" not in raw:
        return default
    name = as_string(r, raw["doctrine"], ("doctrine",), "a doctrine version string")
    if name is None:
        return default
    if name not in KNOWN_DOCTRINES:
        r.add(("doctrine",), f"unknown doctrine {name!r}; {suggest(name, KNOWN_DOCTRINES)}")
        return default
    return name


def default_branch(r: Reporter, raw: dict[str, Any], default: str) -> str:
    """A branch name git cannot mistake for an option or a range; "" means detect it."""
    name = raw.get("default_branch", default)
    if not isinstance(name, str):
        r.add(("default_branch",), f"expected a branch name, found {describe(name)}")
        return default
    if not name:
        return name
    if _BAD_REF.search(name):
        r.add(("default_branch",), f"expected a branch name such as 'main', found {name!r}")
        return default
    return name


def timeout(r: Reporter, raw: dict[str, Any], default: float) -> float:
    """Seconds one check may run before it is an ERROR; positive."""
    if "check_timeout_seconds" not in raw:
        return default
    seconds = as_positive(r, raw["check_timeout_seconds"], ("check_timeout_seconds",))
    return default if seconds is None else seconds


# -- [paths] and [change_classes] ---------------------------------------------


def build_paths(r: Reporter, table: dict[str, Any], path: KeyPath, default: Paths) -> Paths:
    """Directories relative to the repository root."""
    values = string_lists(r, table, path, default)
    for name, dirs in values.items():
        for i, item in enumerate(dirs):
            if item.startswith("/") or ".." in item.replace("\\", "/").split("/"):
                r.add(
                    (*path, name, i),
                    f"expected a path relative to the repository root, found {item!r}",
                )
    return dataclasses.replace(default, **values)


def build_classes(
    r: Reporter, table: dict[str, Any], path: KeyPath, default: ChangeClasses
) -> ChangeClasses:
    """Globs per change class (gitwildmatch, relative to the root)."""
    return dataclasses.replace(default, **string_lists(r, table, path, default))


def string_lists(
    r: Reporter, table: dict[str, Any], path: KeyPath, default: object
) -> dict[str, tuple[str, ...]]:
    """The string-array fields of a dataclass section that ``table`` sets."""
    names = [f.name for f in dataclasses.fields(default)]  # type: ignore[arg-type]
    check_keys(r, table, path, names)
    values: dict[str, tuple[str, ...]] = {}
    for name in names:
        if name in table:
            items = as_strings(r, table[name], (*path, name))
            if items is not None:
                values[name] = items
    return values


# -- [spec] ----------------------------------------------------------------------


def build_spec(
    r: Reporter, table: dict[str, Any], path: KeyPath, default: SpecPolicy
) -> SpecPolicy:
    """Stage 1 settings; the doctrine's classes, sections and placeholders stay."""
    check_keys(r, table, path, SPEC_KEYS)
    required_for = spec_required_for(r, table, path, default.required_for)
    sections = spec_sections(r, table, path, default.sections)
    return SpecPolicy(
        required_for=required_for,
        sections=sections,
        section_synonyms=spec_synonyms(r, table, path, sections, default.section_synonyms),
        placeholders=spec_placeholders(r, table, path, default.placeholders),
        schema_globs=spec_list(r, table, (*path, "schema_globs"), default.schema_globs),
        max_spec_bytes=spec_max_bytes(r, table, path, default.max_spec_bytes),
    )


def spec_list(
    r: Reporter, table: dict[str, Any], path: KeyPath, default: tuple[str, ...]
) -> tuple[str, ...]:
    """The string array at ``path`` (its last part is the key in ``table``)."""
    key = path[-1]
    if key not in table:
        return default
    items = as_strings(r, table[str(key)], path)
    return default if items is None else items


def spec_required_for(
    r: Reporter, table: dict[str, Any], path: KeyPath, default: tuple[str, ...]
) -> tuple[str, ...]:
    """Change classes that need a spec: known names, none of the doctrine's dropped."""
    key = (*path, "required_for")
    items = spec_list(r, table, key, default)
    for i, name in enumerate(items):
        if name not in CHANGE_CLASSES:
            r.add((*key, i), f"unknown change class {name!r}; {suggest(name, CHANGE_CLASSES)}")
    no_duplicates(r, items, key)
    for name in CHANGE_CLASSES:
        if name not in items:
            r.add(
                key,
                f"drops change class {name!r}, which the doctrine requires a spec for "
                f"({ONLY_STRICTER})",
            )
    return items


def spec_sections(
    r: Reporter, table: dict[str, Any], path: KeyPath, default: tuple[str, ...]
) -> tuple[str, ...]:
    """Required spec sections: the doctrine's five, plus any the policy adds."""
    key = (*path, "sections")
    items = spec_list(r, table, key, default)
    for i, name in enumerate(items):
        if not _SECTION_NAME.fullmatch(name):
            r.add((*key, i), f"expected a lower_snake_case section name, found {name!r}")
    no_duplicates(r, items, key)
    for name in REQUIRED_SPEC_SECTIONS:
        if name not in items:
            r.add(
                key,
                f"drops the doctrine section {name!r} ({ONLY_STRICTER}: sections can be added, "
                "not removed)",
            )
    return items


def spec_synonyms(
    r: Reporter,
    table: dict[str, Any],
    path: KeyPath,
    sections: tuple[str, ...],
    default: dict[str, tuple[str, ...]],
) -> dict[str, tuple[str, ...]]:
    """Headings accepted per section; a section set here replaces its default list."""
    merged = {name: default.get(name, (name.replace("_", " "),)) for name in sections}
    key = (*path, "section_synonyms")
    if "section_synonyms" not in table:
        return merged
    synonyms = as_table(r, table["section_synonyms"], key)
    for name, value in (synonyms or {}).items():
        if name not in sections:
            choices = tuple(dict.fromkeys((*sections, *REQUIRED_SPEC_SECTIONS)))
            r.add((*key, name), f"not a section of spec.sections; {suggest(name, choices)}")
            continue
        items = as_strings(r, value, (*key, name))
        if items is not None:
            merged[name] = tuple(dict.fromkeys(normalise(item) for item in items))
    return merged


def spec_placeholders(
    r: Reporter, table: dict[str, Any], path: KeyPath, default: tuple[str, ...]
) -> tuple[str, ...]:
    """Texts that do not count as content; the doctrine's list can only grow."""
    key = (*path, "placeholders")
    items = tuple(dict.fromkeys(normalise(item) for item in spec_list(r, table, key, default)))
    for word in DEFAULT_PLACEHOLDERS:
        if word not in items:
            r.add(key, f"drops the doctrine placeholder {word!r} ({ONLY_STRICTER})")
    return items


def spec_max_bytes(r: Reporter, table: dict[str, Any], path: KeyPath, default: int) -> int:
    """Largest spec file read, in bytes: a positive integer."""
    if "max_spec_bytes" not in table:
        return default
    value = table["max_spec_bytes"]
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        found = describe(value) if not isinstance(value, int) else str(value)
        r.add((*path, "max_spec_bytes"), f"expected a positive integer, found {found}")
        return default
    return value


# -- [state_machines] -------------------------------------------------------------

_MACHINE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")


def build_state_machines(
    r: Reporter, table: dict[str, Any], path: KeyPath, default: StateMachinePolicy
) -> StateMachinePolicy:
    """Stage 2 state-machine settings: limit, trace source and the machine -> tests map."""
    check_keys(r, table, path, STATE_MACHINE_KEYS)
    return StateMachinePolicy(
        state_limit=sm_state_limit(r, table, path, default.state_limit),
        trace_dir=sm_trace_dir(r, table, path, default.trace_dir),
        test_command=spec_list(r, table, (*path, "test_command"), default.test_command),
        tests=sm_tests(r, table, path, default.tests),
    )


def sm_state_limit(r: Reporter, table: dict[str, Any], path: KeyPath, default: int) -> int:
    """Distinct states the model checker may store: a positive integer."""
    if "state_limit" not in table:
        return default
    value = table["state_limit"]
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        is_int = isinstance(value, int) and not isinstance(value, bool)
        found = str(value) if is_int else describe(value)
        r.add((*path, "state_limit"), f"expected a positive integer, found {found}")
        return default
    return value


def sm_trace_dir(r: Reporter, table: dict[str, Any], path: KeyPath, default: str) -> str:
    """A directory relative to the repository root."""
    if "trace_dir" not in table:
        return default
    value = as_string(r, table["trace_dir"], (*path, "trace_dir"), "a relative directory")
    if value is None:
        return default
    if value.startswith("/") or ".." in value.replace("\\", "/").split("/"):
        r.add(
            (*path, "trace_dir"),
            f"expected a path relative to the repository root, found {value!r}",
        )
        return default
    return value


def sm_tests(
    r: Reporter, table: dict[str, Any], path: KeyPath, default: dict[str, tuple[str, ...]]
) -> dict[str, tuple[str, ...]]:
    """Machine name -> globs of the test files that cover it."""
    if "tests" not in table:
        return default
    key = (*path, "tests")
    mapping = as_table(r, table["tests"], key)
    found: dict[str, tuple[str, ...]] = {}
    for name, value in (mapping or {}).items():
        if not _MACHINE_NAME.fullmatch(name):
            r.add((*key, name), f"expected a machine name, found {name!r}")
            continue
        globs = as_strings(r, value, (*key, name))
        if globs is not None:
            found[name] = globs
    return dict(sorted(found.items())) if mapping is not None else default


# -- [thresholds] and [toolchain] -----------------------------------------------


def build_thresholds(
    r: Reporter, table: dict[str, Any], path: KeyPath, default: dict[str, float]
) -> dict[str, float]:
    """Every doctrine threshold, the file's values where it is stricter."""
    values = dict(default)
    check_keys(r, table, path, tuple(THRESHOLDS))
    for name, raw in table.items():
        if name not in THRESHOLDS:
            continue
        value = threshold(r, name, raw, (*path, name))
        if value is not None:
            values[name] = value
    return values


def threshold(r: Reporter, name: str, raw: object, path: KeyPath) -> float | None:
    """One threshold: a number in range and no looser than the doctrine's value."""
    value = as_number(r, raw, path)
    if value is None:
        return None
    low, high = threshold_range(name)
    if not low <= value <= high:
        r.add(
            path,
            f"expected a number from {number_text(low)} to {number_text(high)}, "
            f"found {number_text(value)}",
        )
        return None
    spec = THRESHOLDS[name]
    looser = value < spec.default if spec.direction is Direction.MIN else value > spec.default
    if looser:
        r.add(
            path,
            f"{number_text(value)} is looser than the doctrine's {number_text(spec.default)} "
            f"({ONLY_STRICTER})",
        )
        return None
    return value


def threshold_range(name: str) -> tuple[float, float]:
    """The values a threshold can meaningfully take."""
    if name.endswith("_percent"):
        return 0.0, 100.0
    if name == "cve_max_severity":
        return 0.0, 10.0  # CVSS scores run from 0 to 10
    return 0.0, math.inf


def build_toolchain(
    r: Reporter, table: dict[str, Any], path: KeyPath, default: dict[str, str]
) -> dict[str, str]:
    """Tool name -> exact version (``infra.locked-toolchains``)."""
    pins = dict(default)
    expected = "an exact version such as '1.75.0'"
    for tool, raw in table.items():
        version = as_string(r, raw, (*path, tool), expected)
        if version is None:
            continue
        if version.lower() in _FLOATING_VERSIONS or not (
            _EXACT_VERSION.fullmatch(version) and any(ch.isdigit() for ch in version)
        ):
            r.add(
                (*path, tool),
                f"expected {expected}, found {version!r} (toolchain versions are locked)",
            )
            continue
        pins[tool] = version
    return dict(sorted(pins.items()))


# -- [[maintainers]] and [[allowlist]] ---------------------------------------


def entries(r: Reporter, raw: dict[str, Any], name: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """The tables of the array of tables ``name``; anything else is a problem."""
    if name not in raw:
        return
    value = raw[name]
    if not isinstance(value, list):
        r.add((name,), f"expected an array of tables ([[{name}]]), found {describe(value)}")
        return
    for i, item in enumerate(value):
        table = as_table(r, item, (name, i))
        if table is not None:
            yield i, table


def maintainers(r: Reporter, raw: dict[str, Any]) -> tuple[Maintainer, ...]:
    """People who may approve; handles are unique (case-insensitively)."""
    people: list[Maintainer] = []
    seen: set[str] = set()
    for i, table in entries(r, raw, "maintainers"):
        path: KeyPath = ("maintainers", i)
        check_keys(r, table, path, MAINTAINER_KEYS)
        handle = required_string(r, table, path, "handle", "a handle such as 'octocat'")
        if handle is not None and any(ch.isspace() for ch in handle):
            r.add((*path, "handle"), f"expected a handle without spaces, found {handle!r}")
        elif handle is not None and handle.lower() in seen:
            r.add((*path, "handle"), f"maintainer {handle!r} is listed twice")
        name = table.get("name", "")
        if not isinstance(name, str):
            r.add((*path, "name"), f"expected a string, found {describe(name)}")
        senior = table.get("senior", False)
        if not isinstance(senior, bool):
            r.add((*path, "senior"), f"expected true or false, found {describe(senior)}")
        if handle is not None and isinstance(name, str) and isinstance(senior, bool):
            seen.add(handle.lower())
            people.append(Maintainer(handle=handle, name=name, senior=senior))
    return tuple(people)


def allowlist(r: Reporter, raw: dict[str, Any]) -> tuple[AllowlistEntry, ...]:
    """Governed exceptions: every field required, one entry per path and rule."""
    found: list[AllowlistEntry] = []
    first_index: dict[tuple[str, str], int] = {}
    for i, table in entries(r, raw, "allowlist"):
        path: KeyPath = ("allowlist", i)
        check_keys(r, table, path, ALLOWLIST_KEYS)
        entry = allowlist_entry(r, table, path)
        if entry is None:
            continue
        key = (entry.path, entry.rule)
        if key in first_index:
            r.add(
                path, f"repeats the exception of allowlist[{first_index[key]}] (same path and rule)"
            )
            continue
        first_index[key] = i
        found.append(entry)
    return tuple(found)


def allowlist_entry(r: Reporter, table: dict[str, Any], path: KeyPath) -> AllowlistEntry | None:
    """One ``[[allowlist]]`` table, or None when a field is missing or wrong."""
    fields = {
        "path": required_string(r, table, path, "path", "the path or glob it covers"),
        "rule": required_string(r, table, path, "rule", "the rule id it exempts"),
        "reason": required_string(r, table, path, "reason", "why the exception is needed"),
        "owner": required_string(r, table, path, "owner", "who answers for the exception"),
        "expires": expiry(r, table, path),
    }
    if any(value is None for value in fields.values()):
        return None
    return AllowlistEntry(**{k: str(v) for k, v in fields.items()})


def expiry(r: Reporter, table: dict[str, Any], path: KeyPath) -> str | None:
    """A TOML date or a ``"YYYY-MM-DD"`` string, as ISO text."""
    expected = "a date (YYYY-MM-DD) when the exception ends"
    if "expires" not in table:
        r.add((*path, "expires"), f"missing; expected {expected}")
        return None
    value = table["expires"]
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    found = repr(value) if isinstance(value, str) else describe(value)
    r.add((*path, "expires"), f"expected {expected}, found {found}")
    return None


def required_string(
    r: Reporter, table: dict[str, Any], path: KeyPath, key: str, what: str
) -> str | None:
    """A non-empty string that must be present."""
    if key not in table:
        r.add((*path, key), f"missing; expected a non-empty string ({what})")
        return None
    return as_string(r, table[key], (*path, key), f"a non-empty string ({what})")
