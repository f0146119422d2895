"""The ``[tests]`` section of ``aces.toml``: test runners and the coverage baseline.

``[[tests.runners]]`` declares how the repository's tests run (stage 5):

- ``name``: a label used in findings (unique);
- ``argv``: the command, run at the root (or ``cwd``);
- ``report`` / ``report_format``: the JUnit XML file the command writes
  (``junit``; a glob may match several files), or ``libtest`` to read the plain
  output of ``cargo test`` from stdout (``report`` is then not used);
- ``coverage`` / ``coverage_format``: the coverage report it writes (``lcov``,
  ``cobertura`` or ``coveragepy``), and ``coverage_argv``, a command run after
  the tests to write it (``coverage json``);
- ``env``: extra environment variables; ``cwd``: a directory relative to the root.

In ``argv``, ``coverage_argv``, ``report``, ``coverage`` and ``env`` values,
``{out}`` is a fresh directory of the run and ``{python}`` the interpreter
running ACES. ``coverage_baseline`` names the committed baseline JSON of the
coverage ratchet (``test.coverage-drop``). Without runners, ACES picks defaults
by the languages present (docs/stage5-tests.md).
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from aces.policy.problems import KeyPath
from aces.policy.schema import COVERAGE_FORMATS, REPORT_FORMATS, TestRunnerSpec, TestsPolicy
from aces.policy.values import (
    Reporter,
    as_string,
    as_strings,
    as_table,
    check_keys,
    describe,
    suggest,
)

TESTS_KEYS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(TestsPolicy))
RUNNER_KEYS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(TestRunnerSpec))
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def build_tests(
    r: Reporter, table: dict[str, Any], path: KeyPath, default: TestsPolicy
) -> TestsPolicy:
    """The ``[tests]`` settings."""
    check_keys(r, table, path, TESTS_KEYS)
    baseline = default.coverage_baseline
    if table.get("coverage_baseline") == "":
        baseline = ""  # explicitly none, as a rendered default policy writes it
    elif "coverage_baseline" in table:
        baseline = _relative(r, table["coverage_baseline"], (*path, "coverage_baseline"))
    return TestsPolicy(runners=_runners(r, table, path, default), coverage_baseline=baseline)


def _runners(
    r: Reporter, table: dict[str, Any], path: KeyPath, default: TestsPolicy
) -> tuple[TestRunnerSpec, ...]:
    if "runners" not in table:
        return default.runners
    key = (*path, "runners")
    value = table["runners"]
    if not isinstance(value, list):
        r.add(key, f"expected an array of tables ([[tests.runners]]), found {describe(value)}")
        return default.runners
    found: list[TestRunnerSpec] = []
    names: set[str] = set()
    for i, item in enumerate(value):
        runner = as_table(r, item, (*key, i))
        if runner is None:
            continue
        spec = _runner(r, runner, (*key, i))
        if spec is None:
            continue
        if spec.name in names:
            r.add((*key, i, "name"), f"runner {spec.name!r} is declared twice")
            continue
        names.add(spec.name)
        found.append(spec)
    return tuple(found)


def _runner(r: Reporter, table: dict[str, Any], path: KeyPath) -> TestRunnerSpec | None:
    check_keys(r, table, path, RUNNER_KEYS)
    before = len(r.problems)
    name = _required(r, table, path, "name", "a runner name such as 'python'")
    if name is not None and not _NAME.fullmatch(name):
        r.add(
            (*path, "name"), f"expected a name of letters, digits, '.', '_' or '-', found {name!r}"
        )
    argv = _argv(r, table, path, "argv", required=True)
    report_format = _choice(r, table, path, "report_format", REPORT_FORMATS, "junit")
    report = _path_value(r, table, path, "report")
    if report_format == "junit" and not report:
        r.add((*path, "report"), "missing; expected the JUnit XML file the command writes")
    coverage_format = _choice(r, table, path, "coverage_format", ("", *COVERAGE_FORMATS), "")
    coverage = _path_value(r, table, path, "coverage")
    if bool(coverage) != bool(coverage_format):
        r.add(
            (*path, "coverage" if coverage_format else "coverage_format"),
            "coverage and coverage_format go together (the file and its format: "
            f"{', '.join(COVERAGE_FORMATS)})",
        )
    env = _env(r, table, path)
    cwd = _path_value(r, table, path, "cwd")
    if name is None or argv is None or len(r.problems) != before:
        return None
    return TestRunnerSpec(
        name=name,
        argv=argv,
        report=report,
        report_format=report_format,
        coverage=coverage,
        coverage_format=coverage_format,
        coverage_argv=_argv(r, table, path, "coverage_argv", required=False) or (),
        env=env,
        cwd=cwd,
    )


def _required(r: Reporter, table: dict[str, Any], path: KeyPath, key: str, what: str) -> str | None:
    if key not in table:
        r.add((*path, key), f"missing; expected {what}")
        return None
    return as_string(r, table[key], (*path, key), what)


def _argv(
    r: Reporter, table: dict[str, Any], path: KeyPath, key: str, *, required: bool
) -> tuple[str, ...] | None:
    if key not in table:
        if required:
            r.add((*path, key), "missing; expected the command as an array of strings")
        return None
    items = as_strings(r, table[key], (*path, key))
    if items is not None and not items:
        r.add((*path, key), "expected a non-empty array of strings (the command)")
        return None
    return items


def _choice(
    r: Reporter,
    table: dict[str, Any],
    path: KeyPath,
    key: str,
    choices: tuple[str, ...],
    default: str,
) -> str:
    if key not in table:
        return default
    value = as_string(r, table[key], (*path, key), f"one of {', '.join(c for c in choices if c)}")
    if value is None:
        return default
    if value not in choices:
        r.add((*path, key), f"unknown {key} {value!r}; {suggest(value, [c for c in choices if c])}")
        return default
    return value


def _path_value(r: Reporter, table: dict[str, Any], path: KeyPath, key: str) -> str:
    if key not in table:
        return ""
    return _relative(r, table[key], (*path, key))


def _relative(r: Reporter, raw: object, key: KeyPath) -> str:
    """A path relative to the root, or starting with the ``{out}`` placeholder."""
    value = as_string(r, raw, key, "a path relative to the repository root")
    if value is None:
        return ""
    parts = value.replace("\\", "/").split("/")
    if value.startswith("/") or ".." in parts:
        r.add(
            key,
            f"expected a path relative to the repository root (or under {{out}}), found {value!r}",
        )
        return ""
    return value


def _env(r: Reporter, table: dict[str, Any], path: KeyPath) -> dict[str, str]:
    if "env" not in table:
        return {}
    key = (*path, "env")
    mapping = as_table(r, table["env"], key)
    found: dict[str, str] = {}
    for name, value in (mapping or {}).items():
        if not _ENV_NAME.fullmatch(name):
            r.add((*key, name), f"expected an environment variable name, found {name!r}")
            continue
        text = as_string(r, value, (*key, name), "a string value")
        if text is not None:
            found[name] = text
    return dict(sorted(found.items()))
