"""Which advisories affect a locked package, per OSV's range semantics.

A package version is affected by an ``affected[]`` entry when it is listed in
``versions`` or lies in one of its ``ranges``. A range's events are sorted by
version (``introduced: "0"`` first) and walked: ``introduced`` at or below
the version turns "affected" on, ``fixed`` at or below turns it off,
``last_affected`` below turns it off; ``limit`` events bound the range from
above. ``SEMVER`` ranges use SemVer precedence, ``ECOSYSTEM`` ranges the
ecosystem's ordering (PEP 440 for PyPI); ``GIT`` ranges are commits, not
releases, and are left to the ``versions`` list OSV derives from them. An
entry with neither ranges nor versions affects every version. When a version
cannot be ordered, the range counts as affecting it, with a note (fail
closed). Records that are aliases of each other (a GHSA and a PYSEC record of
one CVE) are reported once, under the first id.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from aces.engines.vulns.database import VulnDatabase
from aces.engines.vulns.model import LockedPackage
from aces.engines.vulns.osv import Advisory, Affected, Range
from aces.engines.vulns.severity import Score, advisory_score
from aces.engines.vulns.versions import VersionError, VersionKey, ecosystem_parser, range_parser


@dataclass(frozen=True)
class Verdict:
    """Whether one affected entry covers a version, and any doubt about it."""

    affected: bool
    note: str = ""


@dataclass(frozen=True)
class Match:
    """A package affected by an advisory (merged with the records that alias it)."""

    package: LockedPackage
    id: str
    aliases: tuple[str, ...]
    score: Score
    fixed: tuple[str, ...]
    notes: tuple[str, ...] = ()

    @property
    def names(self) -> frozenset[str]:
        """The id and every alias: what an allowlist entry may name."""
        return frozenset((self.id, *self.aliases))


def affects(entry: Affected, version: str) -> Verdict:
    """Whether ``version`` of the package is affected by ``entry``."""
    if version in entry.versions or _listed(entry, version):
        return Verdict(True)
    if not entry.ranges and not entry.versions:
        return Verdict(True, "the record lists no ranges or versions: every version")
    notes: list[str] = []
    for rng in entry.ranges:
        parse = range_parser(rng.type, entry.ecosystem)
        if parse is None:
            continue
        try:
            if in_range(parse(version), rng, parse):
                return Verdict(True)
        except VersionError as exc:
            notes.append(f"{exc}: counted as affected")
    return Verdict(bool(notes), "; ".join(notes))


def _listed(entry: Affected, version: str) -> bool:
    """Whether an equal version (1.0 == 1.0.0 under PEP 440) is listed."""
    if not entry.versions:
        return False
    parse = ecosystem_parser(entry.ecosystem)
    try:
        wanted = parse(version)
    except VersionError:
        return False
    for listed in entry.versions:
        try:
            if parse(listed) == wanted:
                return True
        except VersionError:
            continue
    return False


def in_range(version: VersionKey, rng: Range, parse: Callable[[str], VersionKey]) -> bool:
    """OSV's evaluation of one range's events (VersionError when an event does not parse)."""
    limits = [parse(v) for kind, v in rng.events if kind == "limit"]
    if limits and not any(version < limit for limit in limits):
        return False
    ordered = sorted(
        ((kind, None if kind == "introduced" and v == "0" else parse(v)) for kind, v in rng.events),
        key=lambda e: (0,) if e[1] is None else (1, e[1]),
    )
    affected = False
    for kind, bound in ordered:
        if kind == "introduced" and (bound is None or version >= bound):
            affected = True
        elif bound is not None and _closes(kind, bound, version):
            affected = False
    return affected


def _closes(kind: str, bound: VersionKey, version: VersionKey) -> bool:
    """Whether a ``fixed`` (at or below) or ``last_affected`` (below) event ends the range."""
    if kind == "fixed":
        return bool(version >= bound)
    return kind == "last_affected" and bool(version > bound)


def fixed_versions(entry: Affected) -> tuple[str, ...]:
    """The ``fixed`` versions of an entry, in file order without repeats."""
    found = (v for rng in entry.ranges for kind, v in rng.events if kind == "fixed")
    return tuple(dict.fromkeys(found))


def audit(packages: Iterable[LockedPackage], db: VulnDatabase) -> tuple[Match, ...]:
    """Every (package, advisory group) match, sorted by place then id."""
    found: list[Match] = []
    for package in packages:
        hits = _hits(package, db.lookup(package.ecosystem, package.name))
        found.extend(_merge(package, hits))
    return tuple(sorted(found, key=lambda m: (m.package.path, m.package.line, m.id)))


def _hits(
    package: LockedPackage, candidates: Sequence[tuple[Advisory, Affected]]
) -> list[tuple[Advisory, Affected, Verdict]]:
    """The candidate records that affect the package's version."""
    hits: list[tuple[Advisory, Affected, Verdict]] = []
    for advisory, entry in candidates:
        verdict = affects(entry, package.version)
        if verdict.affected:
            hits.append((advisory, entry, verdict))
    return hits


def _merge(package: LockedPackage, hits: list[tuple[Advisory, Affected, Verdict]]) -> list[Match]:
    """One match per group of records linked by ids and aliases."""
    groups: list[tuple[set[str], list[tuple[Advisory, Affected, Verdict]]]] = []
    for hit in sorted(hits, key=lambda h: h[0].id):
        names = {hit[0].id, *hit[0].aliases}
        linked = [g for g in groups if g[0] & names]
        merged_names, merged_hits = set(names), [hit]
        for group in linked:
            merged_names |= group[0]
            merged_hits = group[1] + merged_hits
            groups.remove(group)
        groups.append((merged_names, merged_hits))
    return [_match(package, names, members) for names, members in groups]


def _match(
    package: LockedPackage, names: set[str], members: list[tuple[Advisory, Affected, Verdict]]
) -> Match:
    """The match of one group: first id, the other names as aliases, the highest score."""
    members = sorted(members, key=lambda h: h[0].id)
    primary = members[0][0].id
    scores = [advisory_score((*a.severity, *e.severity), a.level) for a, e, _ in members]
    score = _group_score(scores)
    fixed = tuple(dict.fromkeys(v for _, e, _ in members for v in fixed_versions(e)))
    notes = tuple(dict.fromkeys(v.note for _, _, v in members if v.note))
    return Match(package, primary, tuple(sorted(names - {primary})), score, fixed, notes)


def _group_score(scores: Sequence[Score]) -> Score:
    """The score of records of one vulnerability.

    A vector that does not parse makes the group unknown (fail closed); a record
    with no severity at all defers to an alias that has one.
    """
    bad = [s for s in scores if s.value is None and not s.absent]
    if bad:
        return bad[0]
    known = [s for s in scores if s.value is not None]
    if known:
        return max(known, key=lambda s: s.value or 0.0)
    return scores[0]
