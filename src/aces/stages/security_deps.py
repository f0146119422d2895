"""Stage 7 checks: the offline dependency audit (``sec.dependency-audit``)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from aces.engines.suppressions import allowlist
from aces.engines.vulns.database import (
    VulnDatabase,
    load_database,
    normalise_name,
    stale_reason,
)
from aces.engines.vulns.lockfiles import LOCKFILE_GLOBS, parse_lockfile, parser_for
from aces.engines.vulns.matching import Match, audit
from aces.engines.vulns.model import LockedPackage, LockIssue
from aces.errors import InputError
from aces.model import Finding, Location
from aces.pipeline.check import Check, NotApplicable
from aces.policy.schema import AllowlistEntry
from aces.workspace.globs import GlobMatcher

if TYPE_CHECKING:
    from aces.pipeline.context import RunContext

LOGIC_VERSION = "1"
RULE_VULNERABLE = "sec.dependency-audit.vulnerable"
RULE_CONFLICT = "sec.dependency-audit.conflict-marker"
RULE_UNPINNED = "sec.dependency-audit.unpinned"
_ISSUE_RULES = {"conflict-marker": RULE_CONFLICT, "unpinned": RULE_UNPINNED}
_ISSUE_HELP = {
    "conflict-marker": "Resolve the merge and regenerate the lockfile with its package manager.",
    "unpinned": "Pin the exact version (`name==1.2.3`, e.g. with pip-compile --generate-hashes) "
    "so it can be audited.",
}


class DependencyAudit(Check):
    """Every locked dependency is free of known vulnerabilities of severity above 0.

    ACES III.7 sec.dependency-audit, offline. Lockfiles anywhere in the tree
    (outside ``node_modules``) are parsed: ``Cargo.lock``, ``mix.lock``,
    ``requirements*.txt`` (``==`` pins, ``--hash`` allowed), ``poetry.lock``,
    ``uv.lock``, ``pylock.toml`` / ``pylock.*.toml`` and ``package-lock.json``
    / ``npm-shrinkwrap.json`` (lockfile versions 2 and 3). Each registry
    package is matched against the OSV database named by ``[vulndb] path``
    (JSON records and per-ecosystem ``all.zip`` exports) with OSV's range
    semantics: SemVer precedence for crates.io, npm and Hex, PEP 440 for PyPI.
    A match whose CVSS base score (v3 computed, v2/v4 via the ``cvss``
    package; the record's severity level as a fallback) is above
    ``thresholds.cve_max_severity`` (0) is ``sec.dependency-audit.vulnerable``
    at the package's line, naming the advisory, its aliases, the score and the
    fixed version; a record without a usable severity always fails. A
    merge-conflict marker in a lockfile is ``.conflict-marker`` at its line; a
    requirement without an exact pin is ``.unpinned``. A missing, corrupt or
    stale database (older than ``[vulndb] max_age_days`` by the HEAD commit's
    date), or one without records for an ecosystem in use, is ERROR. Only a
    live ``[[allowlist]]`` entry whose ``rule`` is the advisory id or an alias
    and whose ``path`` glob matches the lockfile accepts a match; an expired
    entry accepts nothing.
    """

    id = "sec.dependency-audit"
    stage = 7
    clauses = ("sec.dependency-audit",)
    title = "Locked dependencies carry no known vulnerability (offline OSV audit)"
    remedy = (
        "Upgrade the package to a fixed version and regenerate the lockfile. If no fix exists "
        "and the risk is accepted, add an [[allowlist]] entry (path = the lockfile, rule = the "
        "advisory id, reason, owner, expires) for review."
    )

    def lockfiles(self, ctx: RunContext) -> tuple[str, ...]:
        """The lockfiles of the workspace, outside the database directory."""
        database = ctx.policy.vulndb.path.rstrip("/") + "/"
        return tuple(
            path
            for path in ctx.workspace.match(LOCKFILE_GLOBS)
            if parser_for(path) is not None and not path.startswith(database)
        )

    def applies(self, ctx: RunContext) -> NotApplicable | None:
        """Not applicable without a lockfile."""
        if self.lockfiles(ctx):
            return None
        return NotApplicable(
            "no lockfile (Cargo.lock, mix.lock, requirements*.txt, poetry.lock, uv.lock, "
            "pylock.toml, package-lock.json)"
        )

    def cache_key(self, ctx: RunContext) -> str | None:
        """The tree, the policy, the reference date and the database files' identity."""
        material = "\x1f".join(
            (
                self.id,
                LOGIC_VERSION,
                ctx.tree_digest(),
                repr(ctx.policy),
                self.reference(ctx).date.isoformat(),
                _listing(ctx.workspace.root / ctx.policy.vulndb.path),
            )
        )
        return hashlib.sha256(material.encode("utf-8")).hexdigest()

    def reference(self, ctx: RunContext) -> allowlist.ReferenceDate:
        """The date the database age and allowlist expiries are measured at, once per run."""
        ws = ctx.workspace
        return ctx.memo.get(
            "sec.dependency-audit.date",
            lambda: allowlist.reference_date(
                ws.root,
                is_git=ws.is_git,
                today=dt.datetime.now(dt.UTC).date(),
                runner=ctx.processes,
            ),
        )

    def run(self, ctx: RunContext) -> Iterator[Finding]:
        """Lockfile issues, then every match the allowlist does not accept."""
        locks = [parse_lockfile(p, ctx.workspace.read_text(p)) for p in self.lockfiles(ctx)]
        for lock in locks:
            yield from (self.issue_finding(issue) for issue in lock.issues)
        packages = [package for lock in locks for package in lock.packages]
        db = self.database(ctx, packages)
        date = self.reference(ctx).date
        threshold = ctx.policy.thresholds["cve_max_severity"]
        for match in audit(packages, db):
            if not match.score.exceeds(threshold):
                continue
            entries = [e for e in ctx.policy.allowlist if _names(e, match)]
            if any(not allowlist.is_expired(e, date) for e in entries):
                continue
            yield self.match_finding(match, [e for e in entries if allowlist.is_expired(e, date)])

    def database(self, ctx: RunContext, packages: Sequence[LockedPackage]) -> VulnDatabase:
        """The policy's database, loaded once per run; InputError when unusable for these."""
        settings = ctx.policy.vulndb
        wanted = frozenset((p.ecosystem, normalise_name(p.ecosystem, p.name)) for p in packages)
        digest = hashlib.sha256(repr(sorted(wanted)).encode("utf-8")).hexdigest()[:16]
        db = ctx.memo.get(
            f"sec.vulndb:{settings.path}:{digest}",
            lambda: load_database(ctx.workspace.root / settings.path, settings.path, wanted),
        )
        self.check_fresh(ctx, db)
        for ecosystem in sorted({p.ecosystem for p in packages}):
            if not db.covers(ecosystem):
                raise InputError(
                    f"the vulnerability database has no {ecosystem} records, but lockfiles pin "
                    f"{ecosystem} packages",
                    path=settings.path,
                    hint=f"add {ecosystem} to [vulndb] ecosystems and run `aces vulndb update`",
                )
        return db

    def check_fresh(self, ctx: RunContext, db: VulnDatabase) -> None:
        """InputError when the database is older than ``[vulndb] max_age_days``."""
        reference = self.reference(ctx)
        limit = ctx.policy.vulndb.max_age_days
        reason = stale_reason(db, reference.date, reference.source, limit)
        if reason is not None:
            raise InputError(reason, path=db.path, hint="run `aces vulndb update`")

    def issue_finding(self, issue: LockIssue) -> Finding:
        """The finding of a lockfile problem."""
        return self.finding(
            issue.message,
            Location(issue.path, issue.line),
            rule_id=_ISSUE_RULES[issue.kind],
            help=_ISSUE_HELP[issue.kind],
            key=f"{issue.kind}\x1f{issue.message}",
        )

    def match_finding(self, match: Match, expired: Sequence[AllowlistEntry]) -> Finding:
        """The finding of one vulnerable package."""
        return self.finding(
            match_message(match, expired),
            Location(match.package.path, match.package.line),
            rule_id=RULE_VULNERABLE,
            key="\x1f".join(
                (match.package.ecosystem, match.package.name, match.package.version, match.id)
            ),
        )


def match_message(match: Match, expired: Sequence[AllowlistEntry] = ()) -> str:
    """What a vulnerable-package finding says (no line numbers)."""
    package = match.package
    aliases = f" (aliases {', '.join(match.aliases)})" if match.aliases else ""
    fixed = f"fixed in {', '.join(match.fixed)}" if match.fixed else "no fixed version is known"
    parts = [
        f"{package.name} {package.version} ({package.ecosystem}) is affected by "
        f"{match.id}{aliases}: {match.score.describe()}; {fixed}",
        *match.notes,
        *(f"the allowlist entry for it expired on {e.expires} (owner {e.owner})" for e in expired),
    ]
    return "; ".join(parts)


def _names(entry: AllowlistEntry, match: Match) -> bool:
    """Whether an allowlist entry names this match (its id or an alias, for this lockfile)."""
    return entry.rule in match.names and GlobMatcher((entry.path,)).match(match.package.path)


def _listing(root: Path) -> str:
    """Path, size and modification time of every database file (changes when it does)."""
    if not root.is_dir():
        return "missing"
    rows = []
    for file in sorted(root.rglob("*")):
        if file.is_file():
            stat = file.stat()
            rows.append(f"{file.relative_to(root).as_posix()}:{stat.st_size}:{stat.st_mtime_ns}")
    return "\n".join(rows)


DEPENDENCY_CHECKS: tuple[Check, ...] = (DependencyAudit(),)
