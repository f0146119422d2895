"""Stage 3 checks that run each language's own linters (``lint.*``), and no manual exceptions.

Which linters run is decided by the languages in the workspace: Rust files ->
``lint.rust.*`` (rustfmt, clippy pedantic + nursery with warnings denied,
cargo-deny), Elixir -> ``lint.elixir.*`` (mix format, credo --strict, sobelow),
Python -> ``lint.python.*`` (ruff check, ruff format). A language that is absent
makes its checks NOT_APPLICABLE; a language present without its tool is ERROR.
Every warning is a finding: each lint finding names its language clause and
``lint.warnings-are-errors``. Cargo builds go to the run's cargo target directory
(``aces.workspace.rundirs``, never the repository's ``target/``), offline,
``--locked`` where a Cargo.lock exists.
``principle.no-manual-exceptions`` scans code files for inline suppressions.
Generated code is linted by none of them (``aces.stages.generated_code``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import posixpath
import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import ClassVar, Protocol

from aces.engines.suppressions import allowlist
from aces.engines.suppressions.lexer import LANGUAGES
from aces.engines.suppressions.scanner import RULE_PREFIX, Suppression, scan
from aces.errors import InputError
from aces.model import Finding, Location
from aces.pipeline.check import Check, NotApplicable
from aces.pipeline.context import RunContext
from aces.policy.locate import locate
from aces.stages.generated_code import generated_paths, hand_written
from aces.stages.static_debt import HoldsTheLine, changed_only, scope_key
from aces.stages.tooling import require_tool, resolver, tools_fingerprint
from aces.tools import cargo_deny, cargo_fmt, clippy, credo, mix_format, ruff, sobelow
from aces.tools.lint_common import LintIssue, unique_sorted
from aces.tools.process import ProcessRunner
from aces.tools.ruff_config import ConfigFinder, RuffSetup
from aces.tools.rustup import RUSTUP_ENV
from aces.workspace.index import Workspace
from aces.workspace.rundirs import CARGO_TARGET, run_dir

# Bumped when the checks' logic changes, so cached results of older logic are not served.
LOGIC_VERSION = "4"
WARNINGS = "lint.warnings-are-errors"


def cargo_target(ctx: RunContext) -> Path:
    """cargo's target directory for this run: out of the work tree outside CI (``rundirs``)."""
    ws = ctx.workspace
    return ctx.memo.get(
        "scratch.cargo-target", lambda: run_dir(ws.root, CARGO_TARGET, is_git=ws.is_git)
    )


# -- projects of each build tool ---------------------------------------------------------------


def manifest_dirs(ws: Workspace, name: str) -> tuple[str, ...]:
    """Directories ('' for the root) holding a file called ``name``, sorted."""
    return tuple(
        sorted(f[: -len(name)].rstrip("/") for f in ws.files if f == name or f.endswith("/" + name))
    )


def is_below(path: str, directory: str) -> bool:
    """Whether ``path`` is ``directory`` itself or inside it ('' is the root)."""
    return not directory or path == directory or path.startswith(directory + "/")


def topmost(dirs: Iterable[str], owns: Mapping[str, bool] | None = None) -> tuple[str, ...]:
    """The directories not below another one that ``owns`` its subtree (all do by default)."""
    ordered = sorted(dirs)
    return tuple(
        d
        for d in ordered
        if not any(o != d and is_below(d, o) and (owns or {}).get(o, True) for o in ordered)
    )


def cargo_projects(ws: Workspace) -> tuple[str, ...]:
    """Directories where cargo runs: a Cargo workspace owns the packages below it."""
    dirs = manifest_dirs(ws, "Cargo.toml")
    owns = {d: _declares_workspace(ws, f"{d}/Cargo.toml" if d else "Cargo.toml") for d in dirs}
    return topmost(dirs, owns)


def _declares_workspace(ws: Workspace, manifest: str) -> bool:
    try:
        data = tomllib.loads(ws.read_text(manifest))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", path=manifest) from exc
    return isinstance(data.get("workspace"), dict)


def uncovered(files: Iterable[str], dirs: Iterable[str]) -> tuple[str, ...]:
    """The files below none of ``dirs``."""
    owners = tuple(dirs)
    return tuple(f for f in files if not any(is_below(f, d) for d in owners))


# -- linter checks -----------------------------------------------------------------------------


class LintCheck(HoldsTheLine):
    """Shared parts of the linter checks: language gate, tool lookup, findings, cache."""

    stage = 3
    language: ClassVar[str]

    def applies(self, ctx: RunContext) -> NotApplicable | None:
        """Not applicable when the workspace has no file of the language."""
        if not ctx.workspace.languages().get(self.language):
            return NotApplicable(f"no {self.language.capitalize()} files in the repository")
        return None

    def cache_key(self, ctx: RunContext) -> str | None:
        """The tree state, the policy and, when the check applies, the tools it runs.

        A result is never served after a tool changed version or place; a tool
        that cannot be resolved gives no key (the check runs and is ERROR).
        """
        tools = "" if self.applies(ctx) is not None else tools_fingerprint(ctx, self.tools)
        if tools is None:
            return None
        material = "\x1f".join(
            (self.id, LOGIC_VERSION, ctx.tree_digest(), repr(ctx.policy), tools, scope_key(ctx))
        )
        return hashlib.sha256(material.encode("utf-8")).hexdigest()

    def env(self, ctx: RunContext) -> dict[str, str]:
        """Variables every run of the check gets; children search the tool directories."""
        return {"NO_COLOR": "1", "PATH": resolver(ctx).child_path}

    def executable(self, ctx: RunContext, cwd: Path | None = None) -> Path:
        """The first of ``tools``, each found and checked against its pin as it runs in ``cwd``."""
        found = [require_tool(ctx, name, cwd).path for name in self.tools]
        return found[0]

    def timeout(self, ctx: RunContext) -> float:
        """The policy's time budget of one check."""
        return min(ctx.policy.check_timeout_seconds, ctx.options.check_timeout_seconds)

    def lint_findings(
        self, issues: Iterable[LintIssue], rule_id: str | None = None
    ) -> Iterator[Finding]:
        """One finding per issue, naming the language clause and warnings-are-errors."""
        for issue in issues:
            location = (
                Location(
                    issue.path,
                    issue.line,
                    issue.column,
                    end_line=issue.end_line,
                    end_column=issue.end_column,
                )
                if issue.path
                else None
            )
            yield self.finding(
                issue.message if rule_id else f"{issue.code}: {issue.message}",
                location,
                rule_id=rule_id or self.rule_of(issue.code),
                clauses=self.clauses,
                key=f"{issue.code}\x1f{issue.message}",
            )

    def rule_of(self, code: str) -> str:
        """The rule id of one linter code: ``<check id>.<code>``."""
        return f"{self.id}.{_rule_part(code)}"


def _rule_part(code: str) -> str:
    """A linter code as a rule id part: ``clippy::unwrap_used`` -> ``unwrap_used``."""
    return re.sub(r"\s+", "-", code.removeprefix("clippy::").replace("::", ".")) or "unknown"


class CargoCheck(LintCheck):
    """A check that runs cargo in every Cargo project of the workspace."""

    language = "rust"
    clauses = ("lint.rust", WARNINGS)

    def env(self, ctx: RunContext) -> dict[str, str]:
        """A target dir out of the work tree; no colour; rustup never downloads a toolchain."""
        target = cargo_target(ctx)
        return {
            **super().env(ctx),
            **RUSTUP_ENV,
            "CARGO_TARGET_DIR": str(target),
            "CARGO_TERM_COLOR": "never",
        }

    def projects(self, ctx: RunContext) -> tuple[str, ...]:
        """The Cargo project directories."""
        return ctx.memo.get("stage3.cargo_projects", lambda: cargo_projects(ctx.workspace))


class RustFmt(CargoCheck):
    """``cargo fmt --check``: the Rust code is formatted as rustfmt formats it.

    ACES III.3 lint.rust. Runs ``cargo fmt --all --check`` in each Cargo project
    (a workspace root, or a package outside any workspace); each hunk rustfmt
    would change is a finding ``lint.rust.fmt`` at its first changed line.
    """

    id = "lint.rust.fmt"
    title = "Rust code is formatted (cargo fmt --check)"
    remedy = "Run `cargo fmt --all` and commit the result."
    tools = ("cargo", "rustfmt")

    def judge(self, ctx: RunContext) -> Iterator[Finding]:
        """One finding per unformatted hunk."""
        root = ctx.workspace.root
        for project in self.projects(ctx):
            cargo = self.executable(ctx, root / project)
            issues = cargo_fmt.run(
                ctx.processes,
                cargo,
                root / project,
                root,
                timeout=self.timeout(ctx),
                env=self.env(ctx),
            )
            yield from self.lint_findings(issues, rule_id=self.id)


class Clippy(CargoCheck):
    """clippy with pedantic and nursery lints, warnings denied: every lint is a finding.

    ACES III.3 lint.rust, lint.warnings-are-errors. Runs ``cargo clippy
    --workspace --all-targets --message-format=json --offline [--locked] -- -D
    warnings -W clippy::pedantic -W clippy::nursery`` in each Cargo project. A
    clippy lint is ``lint.rust.clippy.<lint>`` (``lint.rust.clippy.unwrap_used``),
    a rustc lint ``lint.rust.clippy.<lint>`` too (``unused_variables``), at the
    primary span. Code that does not build is ERROR with the compiler's message.
    A Rust file inside no Cargo package is ``lint.rust.clippy.no-package``.
    """

    id = "lint.rust.clippy"
    title = "clippy pedantic + nursery passes with warnings denied"
    remedy = "Fix the code as the lint describes (cargo clippy --explain <lint>); no #[allow]."
    tools = ("cargo", "clippy")

    def judge(self, ctx: RunContext) -> Iterator[Finding]:
        """Lint findings of every project, and Rust files no project covers."""
        ws = ctx.workspace
        for path in uncovered(ws.languages().get("rust", ()), manifest_dirs(ws, "Cargo.toml")):
            yield self.finding(
                "Rust file in no Cargo package: no linter checks it",
                Location(path, 1),
                rule_id=f"{self.id}.no-package",
                clauses=self.clauses,
                help="Move the file into a crate (a directory with a Cargo.toml) or remove it.",
                key=path,
            )
        projects = self.projects(ctx)
        if not projects:
            return
        for project in projects:
            cargo = self.executable(ctx, ws.root / project)
            issues = clippy.run(
                ctx.processes,
                cargo,
                ws.root / project,
                ws.root,
                timeout=self.timeout(ctx),
                env=self.env(ctx),
            )
            yield from self.lint_findings(issues)


class CargoDeny(CargoCheck):
    """cargo-deny: bans, licenses and sources of the Cargo dependencies, offline.

    ACES III.3 lint.rust. Runs ``cargo-deny --format json --offline [--locked]
    check --config <deny.toml> bans licenses sources`` in each Cargo project,
    with the project's deny.toml (.deny.toml, .cargo/deny.toml), else
    cargo-deny's strict defaults. Every error or warning diagnostic is
    ``lint.rust.deny.<code>`` (``lint.rust.deny.rejected``,
    ``lint.rust.deny.banned``): a licence of the project's own crate at the
    ``license`` line of its Cargo.toml, another crate at its Cargo.lock entry,
    an unused allowance at its deny.toml line. Advisories are audited offline by
    sec.dependency-audit. cargo-deny is a pinned dependency of ACES; missing, or
    unable to check, is ERROR.
    """

    id = "lint.rust.deny"
    title = "cargo deny check bans licenses sources passes"
    remedy = "Replace or remove the dependency, or fix the crate's licence; policy in deny.toml."
    tools = ("cargo-deny", "cargo")

    def judge(self, ctx: RunContext) -> Iterator[Finding]:
        """One finding per cargo-deny diagnostic."""
        projects = self.projects(ctx)
        if not projects:
            return
        ws = ctx.workspace
        for project in projects:
            deny = self.executable(ctx, ws.root / project)
            # cargo-deny runs `cargo metadata`: the same cargo the pin was checked on.
            cargo = require_tool(ctx, "cargo", ws.root / project).path
            env = {**self.env(ctx), "CARGO": str(cargo)}
            issues = cargo_deny.run(
                ctx.processes,
                deny,
                ws.root / project,
                self.files(ws, project),
                timeout=self.timeout(ctx),
                env=env,
                root=ws.root,
            )
            yield from self.lint_findings(issues)

    def files(self, ws: Workspace, project: str) -> cargo_deny.CargoFiles:
        """The project's manifest, lock, cargo-deny configuration and own packages."""
        prefix = f"{project}/" if project else ""
        lock = f"{prefix}Cargo.lock"
        members = (
            cargo_deny.member(manifest, ws.read_text(manifest))
            for manifest in (
                f"{d}/Cargo.toml" if d else "Cargo.toml"
                for d in manifest_dirs(ws, "Cargo.toml")
                if is_below(d, project)
            )
        )
        return cargo_deny.CargoFiles(
            manifest=f"{prefix}Cargo.toml",
            lock=lock if ws.exists(lock) else None,
            lock_text=ws.read_text(lock) if ws.exists(lock) else "",
            config=cargo_deny.config_file(prefix, ws.exists),
            members=tuple(m for m in members if m is not None),
        )


class MixCheck(LintCheck):
    """A check that runs a mix task in every Mix project of the workspace."""

    language = "elixir"
    clauses = ("lint.elixir", WARNINGS)
    tools = ("mix",)

    def projects(self, ctx: RunContext) -> tuple[str, ...]:
        """Mix project directories (an umbrella owns its apps)."""
        return ctx.memo.get(
            "stage3.mix_projects", lambda: topmost(manifest_dirs(ctx.workspace, "mix.exs"))
        )


class MixFormat(MixCheck):
    """``mix format --check-formatted``: the Elixir code is formatted.

    ACES III.3 lint.elixir. Runs in each Mix project; every unformatted file is a
    finding ``lint.elixir.format`` at its first line. An Elixir file in no Mix
    project is ``lint.elixir.format.no-project``. mix missing is ERROR.
    """

    id = "lint.elixir.format"
    title = "Elixir code is formatted (mix format --check-formatted)"
    remedy = "Run `mix format` and commit the result."

    def judge(self, ctx: RunContext) -> Iterator[Finding]:
        """One finding per unformatted file, and per Elixir file outside every project."""
        mix = self.executable(ctx)
        ws = ctx.workspace
        projects = self.projects(ctx)
        for path in uncovered(ws.languages().get("elixir", ()), projects):
            yield self.finding(
                "Elixir file in no Mix project: no linter checks it",
                Location(path, 1),
                rule_id=f"{self.id}.no-project",
                clauses=self.clauses,
                help="Move the file into a Mix project (a directory with a mix.exs).",
                key=path,
            )
        for project in projects:
            issues = mix_format.run(
                ctx.processes,
                mix,
                ws.root / project,
                ws.root,
                timeout=self.timeout(ctx),
                env=self.env(ctx),
            )
            yield from self.lint_findings(issues, rule_id=self.id)


class MixReport(Protocol):
    """Runs one JSON-reporting mix task (``credo.run``, ``sobelow.run``) in a project."""

    def __call__(
        self,
        runner: ProcessRunner,
        mix: Path,
        project: Path,
        root: Path,
        *,
        timeout: float,
        env: Mapping[str, str],
    ) -> tuple[LintIssue, ...]:
        """The issues of the task's report."""


class MixReportCheck(MixCheck):
    """A mix task with a JSON report, run in every Mix project."""

    def report_findings(self, ctx: RunContext, run_task: MixReport) -> Iterator[Finding]:
        """One finding per issue the task reports, project by project."""
        mix = self.executable(ctx)
        root = ctx.workspace.root
        for project in self.projects(ctx):
            issues = run_task(
                ctx.processes,
                mix,
                root / project,
                root,
                timeout=self.timeout(ctx),
                env=self.env(ctx),
            )
            yield from self.lint_findings(issues)


class Credo(MixReportCheck):
    """``mix credo --strict``: every credo issue is a finding.

    ACES III.3 lint.elixir, lint.warnings-are-errors. Each issue is
    ``lint.elixir.credo.<Check>`` (``lint.elixir.credo.Readability.ModuleDoc``)
    at its file, line and column. credo must be a dependency of the Mix project.
    """

    id = "lint.elixir.credo"
    title = "credo --strict passes"
    remedy = "Fix the code as the credo check describes (mix credo explain <file:line>)."

    def judge(self, ctx: RunContext) -> Iterator[Finding]:
        """One finding per credo issue."""
        yield from self.report_findings(ctx, credo.run)


class Sobelow(MixReportCheck):
    """``mix sobelow --config``: every sobelow finding, whatever its confidence, fails.

    ACES III.3 lint.elixir. Each finding is ``lint.elixir.sobelow.<type>``
    (``lint.elixir.sobelow.SQL.Query``) at its file and line. sobelow must be a
    dependency of the Mix project; its ``.sobelow-conf`` is honoured.
    """

    id = "lint.elixir.sobelow"
    title = "sobelow reports nothing"
    remedy = "Fix the code as the sobelow finding describes (mix sobelow --details <type>)."

    def judge(self, ctx: RunContext) -> Iterator[Finding]:
        """One finding per sobelow finding."""
        yield from self.report_findings(ctx, sobelow.run)


class RuffArgv(Protocol):
    """Builds the base command of one ruff mode (``ruff.check_argv``, ``ruff.format_argv``)."""

    def __call__(self, ruff: Path, setup: RuffSetup, root: Path) -> tuple[str, ...]:
        """The command, before ``--`` and the files."""


class RuffCheck(LintCheck):
    """``ruff check``: every ruff violation in the Python code is a finding.

    ACES III.3 lint.python, lint.warnings-are-errors. Runs on the workspace's
    hand-written Python files (generated code is left out), each with the
    repository's ruff configuration nearest to it (``.ruff.toml``, ``ruff.toml`` or
    ``pyproject.toml`` [tool.ruff], passed with ``--config``), else ruff's defaults;
    the Python version comes from ``requires-python`` when the configuration sets
    none, and the doctrine's required rules (E9, F63, F7, F82) are added with
    ``--extend-select``. Each violation is ``lint.python.ruff.<code>``
    (``lint.python.ruff.F401``) at its file, line and column. ruff is a pinned
    dependency of ACES.
    """

    id = "lint.python.ruff"
    language = "python"
    clauses = ("lint.python", WARNINGS)
    title = "ruff check passes"
    remedy = "Fix the code as the ruff rule describes (ruff rule <code>); no # noqa."
    tools = ("ruff",)

    def judge(self, ctx: RunContext) -> Iterator[Finding]:
        """One finding per violation."""
        yield from self.lint_findings(self.issues(ctx, ruff.check_argv))

    def issues(self, ctx: RunContext, make_argv: RuffArgv) -> tuple[LintIssue, ...]:
        """Run one ruff command per configuration on the Python files it covers."""
        ws = ctx.workspace
        executable = self.executable(ctx)
        files = changed_only(ctx, hand_written(ctx, ws.languages().get("python", ())))
        found: list[LintIssue] = []
        for setup in ConfigFinder(ws.exists, ws.read_text).plan(files):
            found.extend(
                ruff.run(
                    ctx.processes,
                    make_argv(executable, setup, ws.root),
                    setup.files,
                    ws.root,
                    timeout=self.timeout(ctx),
                    env=self.env(ctx),
                    cwd=posixpath.dirname(setup.config or ""),
                )
            )
        return unique_sorted(found)


class RuffFormat(RuffCheck):
    """``ruff format --check``: the Python code is formatted as ruff formats it.

    ACES III.3 lint.python. Every file ruff would reformat is a finding
    ``lint.python.format`` at the first line that would change.
    """

    id = "lint.python.format"
    title = "Python code is formatted (ruff format --check)"
    remedy = "Run `ruff format` and commit the result."

    def judge(self, ctx: RunContext) -> Iterator[Finding]:
        """One finding per unformatted file."""
        yield from self.lint_findings(self.issues(ctx, ruff.format_argv), rule_id=self.id)


# -- no manual exceptions ----------------------------------------------------------------------


def _lenient_text(ws: Workspace, path: str) -> str:
    """A code file's text; a byte that is not UTF-8 (a Latin-1 space) becomes U+FFFD.

    The suppression scan reads comments: one stray byte elsewhere in a file does not
    hide its suppressions, nor stop the scan of the other files.
    """
    return ws.read_bytes(path).decode("utf-8", errors="replace")


class NoManualExceptions(HoldsTheLine):
    """No inline suppression, unless the policy's governed allowlist names it.

    ACES I principle.no-manual-exceptions. Code files (Rust, Python, Elixir,
    JavaScript, TypeScript, Go, C, C++, Java, Kotlin) are scanned, comments and
    strings told apart by a small lexer, for what switches a check off:
    ``#[allow(..)]`` / ``#![allow(..)]`` / ``#[expect(..)]`` (``.rust-allow``),
    ``#[rustfmt::skip]`` (``.rustfmt-skip``), ``# noqa`` (``.noqa``), ``# type:
    ignore`` (``.type-ignore``), ``# pragma: no cover`` (``.pragma-no-cover``),
    ``# pylint: disable``, ``# pyright: ignore``, ``# fmt: skip``,
    ``#credo:disable-for-..`` (``.credo-disable``), ``sobelow_skip``,
    coverage-ignore markers, ``eslint-disable`` (``.eslint-disable``),
    ``@ts-ignore`` and ``aces:ignore`` (``.aces-ignore``). Each is a finding
    ``principle.no-manual-exceptions.<kind>`` at its line, unless an
    ``[[allowlist]]`` entry whose ``path`` glob matches the file names it by
    ``rule``: ``principle.no-manual-exceptions``, the finding's rule id, or each
    suppressed lint (``clippy::unwrap_used`` or ``lint.rust.clippy.unwrap_used``,
    ``N801`` or ``lint.python.ruff.N801``). An entry past its ``expires`` date
    names nothing and is a finding ``principle.no-manual-exceptions.expired`` at
    its line in the policy file; dates are compared with the HEAD commit's date
    (today's UTC date outside git), so a commit's verdict never changes.
    """

    id = RULE_PREFIX
    stage = 3
    clauses = ("principle.no-manual-exceptions",)
    title = "No inline suppression outside the governed allowlist"
    remedy = (
        "Fix what the suppression hides and remove it; if an exception is unavoidable, add an "
        "[[allowlist]] entry (path, rule, reason, owner, expires) to aces.toml for review."
    )

    def applies(self, ctx: RunContext) -> NotApplicable | None:
        """Not applicable without code files and without allowlist entries."""
        if ctx.policy.allowlist or self.files(ctx):
            return None
        return NotApplicable(
            "no code files and no allowlist entries ([[allowlist]] in aces.toml)",
            enable=("allowlist",),
        )

    def cache_key(self, ctx: RunContext) -> str | None:
        """The tree, the policy and the reference date."""
        date = self.reference(ctx)
        material = "\x1f".join(
            (
                self.id,
                LOGIC_VERSION,
                ctx.tree_digest(),
                repr(ctx.policy),
                date.date.isoformat(),
                scope_key(ctx),
            )
        )
        return hashlib.sha256(material.encode("utf-8")).hexdigest()

    def files(self, ctx: RunContext) -> tuple[tuple[str, str], ...]:
        """(path, language) of every code file the scanner reads."""
        languages = ctx.workspace.languages()
        found = ((path, lang) for lang in LANGUAGES for path in languages.get(lang, ()))
        generated = generated_paths(ctx)
        return tuple(sorted((path, lang) for path, lang in found if path not in generated))

    def reference(self, ctx: RunContext) -> allowlist.ReferenceDate:
        """The date allowlist expiries are compared with, once per run."""
        ws = ctx.workspace
        return ctx.memo.get(
            "stage3.allowlist_date",
            lambda: allowlist.reference_date(
                ws.root,
                is_git=ws.is_git,
                today=dt.datetime.now(dt.UTC).date(),
                runner=ctx.processes,
            ),
        )

    def run(self, ctx: RunContext) -> Iterator[Finding]:
        """Expired allowlist entries (they always block), then suppressions held to the change."""
        yield from self.expired(ctx, self.reference(ctx))
        yield from super().run(ctx)

    def judge(self, ctx: RunContext) -> Iterator[Finding]:
        """Suppressions the live allowlist entries do not name."""
        date = self.reference(ctx)
        live = [entry for _, entry in allowlist.live_entries(ctx.policy.allowlist, date.date)]
        files = self.files(ctx)
        scanned = set(changed_only(ctx, (path for path, _ in files)))
        for path, language in (f for f in files if f[0] in scanned):
            for found in scan(path, _lenient_text(ctx.workspace, path), language):
                if not allowlist.allowed(found, live):
                    yield self.suppression_finding(found)

    def suppression_finding(self, found: Suppression) -> Finding:
        """The finding of one suppression the allowlist does not name."""
        return self.finding(
            f"`{found.text}` switches off {found.what}: an inline exception",
            Location(found.path, found.line, found.column),
            rule_id=found.rule_id,
            key=f"{found.kind}\x1f{found.text}",
        )

    def expired(self, ctx: RunContext, date: allowlist.ReferenceDate) -> Iterator[Finding]:
        """One finding per expired entry, at its line in the policy file."""
        entries = allowlist.expired_entries(ctx.policy.allowlist, date.date)
        if not entries:
            return
        source = ctx.loaded_policy.source
        index = locate(_policy_text(ctx.workspace, source))
        note = (
            ""
            if date.from_commit
            else " Dates were compared with today's UTC date (not a git repository with commits)."
        )
        for i, entry in entries:
            yield self.finding(
                f"allowlist entry for {entry.path!r} ({entry.rule}, owner {entry.owner}) "
                f"expired on {entry.expires} ({date.source} is {date.date.isoformat()})",
                Location(source, index.line_of(("allowlist", i))),
                rule_id=f"{self.id}.expired",
                help="Remove the exception and fix the code, or renew it after review with a "
                f"new expires date.{note}",
                key=f"{entry.path}\x1f{entry.rule}",
            )


def _policy_text(ws: Workspace, source: str) -> str:
    """The policy file's text (from the workspace when it lives there)."""
    if ws.exists(source):
        return ws.read_text(source)
    try:
        return Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the policy file again: {exc}", path=source) from exc


TOOL_CHECKS: tuple[Check, ...] = (
    RustFmt(),
    Clippy(),
    CargoDeny(),
    MixFormat(),
    Credo(),
    Sobelow(),
    RuffCheck(),
    RuffFormat(),
    NoManualExceptions(),
)
