"""Find secrets in a buffer: hyperscan narrows the rules, ``re`` confirms exact spans.

All rules are compiled into one hyperscan block-mode database with
``HS_FLAG_SINGLEMATCH`` (one report per rule per buffer: hyperscan otherwise
reports every match end). A regex hyperscan cannot take as is (look-arounds,
back-references) is compiled with ``HS_FLAG_PREFILTER``, which matches a
superset; a regex it refuses even so is represented by its keywords as
literals. Only the rules hyperscan reports run their ``re`` regex over the
buffer; that confirmation, the keyword, entropy and allowlist tests decide.

A single-line rule with keywords is confirmed line by line. When hyperscan takes
every regex as it is, such a rule reports every match end instead (few: a match
needs the rule's whole shape), with ``HS_FLAG_MULTILINE`` so ``^`` and ``$`` read
lines as ``re`` reads them on one line; ``re`` then reads only the keyword lines
where a match ends, not every line holding ``key`` or ``token``.
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import hyperscan

from aces.engines.secrets.context import context_of
from aces.engines.secrets.entropy import char_classes, charset, length_scaled, shannon
from aces.engines.secrets.rules import Rule, RuleSet
from aces.engines.secrets.seams import SEAMS
from aces.errors import ToolError

_SINGLE = hyperscan.HS_FLAG_SINGLEMATCH
_PREFILTER = hyperscan.HS_FLAG_PREFILTER
_CASELESS = hyperscan.HS_FLAG_CASELESS
_EVERY_LINE = hyperscan.HS_FLAG_MULTILINE  # every end reported, ``^`` / ``$`` at lines


@dataclass(frozen=True)
class Marks:
    """What hyperscan reports in a buffer: the rules (sorted), where seams between string
    literals end (sorted), and where the line-by-line rules' matches end (by rule)."""

    rules: list[int]
    seams: list[int]
    ends: dict[int, list[int]]


@dataclass(frozen=True)
class Match:
    """A confirmed secret in a buffer: the rule, the secret's byte span and the secret."""

    rule: Rule
    start: int
    end: int
    secret: bytes


def secret_key(rule_id: str, secret: bytes) -> str:
    """The fingerprint material of a secret: a SHA-256 hex digest, never the value."""
    material = b"aces-secret-v1\x1f" + rule_id.encode("utf-8") + b"\x1f" + secret
    return hashlib.sha256(material).hexdigest()


def preview(secret: bytes) -> str:
    """A redacted view: the first 4 characters of a long secret and its length."""
    size = len(secret)
    if size < 16:
        return f"… ({size} chars)"
    head = secret[:4].decode("ascii", "replace")
    return f"{head}… ({size} chars)"


class Matcher:
    """A compiled rule set; ``find(buffer)`` yields confirmed matches, highest priority first."""

    def __init__(self, ruleset: RuleSet) -> None:
        self.ruleset = ruleset
        self.keep_fixtures = False  # True: values that say they are fakes are matched too
        self._always: tuple[int, ...] = ()
        self._by_line: frozenset[int] = frozenset()  # rules whose match ends are reported
        self._marks = len(ruleset.rules)  # ids from here on are seams, not rules
        self._database = self._compile(ruleset.rules)

    # -- compilation ---------------------------------------------------------------------------

    def _compile(self, rules: Sequence[Rule]) -> hyperscan.Database | None:
        """One database for every rule hyperscan (or its keywords) can represent, and the seams."""
        expressions: list[bytes] = []
        ids: list[int] = []
        flags: list[int] = []
        always: list[int] = []
        # Probing each regex costs a compile per rule: first try them all as they are, and
        # keep that database when it compiles (one compile in the common case).
        # Seams report every end (no SINGLEMATCH): the split-literal pass reads around each.
        by_line = frozenset(i for i, rule in enumerate(rules) if _by_line(rule))
        direct = _compiled_all(
            [_hs_pattern(rule) for rule in rules] + list(SEAMS),
            [_EVERY_LINE if i in by_line else _SINGLE for i in range(len(rules))]
            + [0] * len(SEAMS),
        )
        if direct is not None:
            self._always = ()
            self._by_line = by_line
            return direct
        for index, rule in enumerate(rules):
            compiled = _hs_form(rule)
            if compiled is None:
                always.append(index)  # neither the regex nor keywords: run re on every buffer
                continue
            for pattern, flag in compiled:
                expressions.append(pattern)
                ids.append(index)
                flags.append(flag)
        for offset, seam in enumerate(SEAMS):
            expressions.append(seam)
            ids.append(len(rules) + offset)
            flags.append(0)
        self._always = tuple(always)
        if not expressions:
            return None
        database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        try:
            database.compile(
                expressions=expressions, ids=ids, elements=len(expressions), flags=flags
            )
        except hyperscan.error as exc:
            raise ToolError(f"hyperscan could not compile the secret rules: {exc}") from exc
        return database

    def keeping_fixtures(self) -> Matcher:
        """The same compiled rules, also matching values that say they are fakes
        (``EXAMPLE``, ``changeme``): for the files where those are shown as information."""
        twin = copy.copy(self)
        twin.keep_fixtures = True
        return twin

    # -- scanning ------------------------------------------------------------------------------

    def scan(self, buffer: bytes) -> Marks:
        """What hyperscan reports in ``buffer``: the rules (unfiltered ones too), the ends
        of seams between string literals, and the match ends of the line-by-line rules."""
        found: set[int] = set(self._always)
        seam_ends: set[int] = set()
        ends: dict[int, list[int]] = {}
        if self._database is not None and buffer:
            marks, by_line = self._marks, self._by_line

            def on_match(rule: int, start: int, end: int, flags: int, context: object) -> None:
                del start, flags, context
                if rule >= marks:
                    seam_ends.add(end)
                elif rule in by_line:
                    found.add(rule)
                    ends.setdefault(rule, []).append(end)
                else:
                    found.add(rule)

            self._database.scan(buffer, match_event_handler=on_match)
        return Marks(sorted(found), sorted(seam_ends), ends)

    def marks(self, buffer: bytes) -> tuple[list[int], list[int]]:
        """The rules hyperscan reports in ``buffer`` (sorted, unfiltered ones too), and
        where seams between string literals end (``seams``), sorted."""
        found = self.scan(buffer)
        return found.rules, found.seams

    def candidates(self, buffer: bytes) -> list[int]:
        """Indices of the rules hyperscan reports in ``buffer`` (sorted), plus unfiltered ones."""
        return self.marks(buffer)[0]

    def find(
        self,
        buffer: bytes,
        path: str = "",
        *,
        candidates: list[int] | None = None,
        marks: Marks | None = None,
    ) -> list[Match]:
        """Every confirmed secret of ``buffer`` (the text of ``path``).

        Overlapping matches keep the one of the rule listed first. ``marks``: what
        ``scan(buffer)`` reports, when the caller has it already; ``candidates``: the
        rules of ``marks(buffer)`` alone (each keyword line is then read).
        """
        if marks is None and candidates is None:
            marks = self.scan(buffer)
        rule_indices = marks.rules if marks is not None else candidates
        ends = marks.ends if marks is not None else {}
        if not rule_indices:
            return []
        lowered: bytes | None = None
        matches: list[Match] = []
        for index in rule_indices:
            rule = self.ruleset.rules[index]
            if rule.path is not None and not rule.path.search(path):
                continue
            if rule.contexts and (not path or context_of(path, buffer) not in rule.contexts):
                continue  # a rule of deploy files only: not a text with no path (redaction)
            if rule.keywords:
                lowered = buffer.lower() if lowered is None else lowered
                if not any(keyword in lowered for keyword in rule.keywords):
                    continue
            matches.extend(self.confirm(rule, buffer, lowered, ends.get(index)))
        return _without_overlaps(matches)

    def confirm(
        self,
        rule: Rule,
        buffer: bytes,
        lowered: bytes | None = None,
        ends: list[int] | None = None,
    ) -> Iterator[Match]:
        """The matches of one rule's regex that pass its entropy and allowlist tests.

        A single-line rule with keywords is searched only on the lines holding a
        keyword: ``re`` over a whole file is two orders of magnitude slower than
        hyperscan, and the lines it must read are few. ``ends``: where hyperscan saw
        the rule's matches end; only the keyword lines holding one are read then.
        """
        if rule.multiline or not rule.keywords or lowered is None:
            yield from self._confirm_in(rule, buffer, 0)
            return
        if ends is None:
            lines = keyword_lines(buffer, lowered, rule.keywords)
        else:
            lines = lines_of_ends(buffer, lowered, rule.keywords, ends)
        for start, end in lines:
            yield from self._confirm_in(rule, buffer[start:end], start)

    def _confirm_in(self, rule: Rule, text: bytes, offset: int) -> Iterator[Match]:
        """Confirmed matches in ``text``, which starts at ``offset`` of the buffer."""
        group = rule.secret_group
        for found in rule.regex.finditer(text):
            secret = found.group(group)
            if secret and self.accepts(rule, secret, found.group(0)):
                yield Match(rule, offset + found.start(group), offset + found.end(group), secret)

    @staticmethod
    def without_overlaps(matches: list[Match]) -> list[Match]:
        """``matches`` without those overlapping a higher-priority one (earlier ones win ties)."""
        return _without_overlaps(matches)

    def accepts(self, rule: Rule, secret: bytes, whole: bytes) -> bool:
        """Whether a regex match is a secret: entropy, classes, allowlists, stopwords."""
        floor = rule.entropy.for_charset(charset(secret))
        if floor and shannon(secret) < length_scaled(floor, len(secret)):
            return False
        if rule.min_classes and char_classes(secret) < rule.min_classes:
            return False
        if any(p.search(secret) for p in rule.allow):
            return False
        if any(p.search(whole) for p in rule.allow_match):
            return False
        lowered = secret.lower()
        if any(word in lowered for word in rule.stopwords):
            return False
        if not rule.global_allow:
            return True
        if any(p.search(secret) for p in self.ruleset.allow):
            return False
        return self.keep_fixtures or not any(p.search(secret) for p in self.ruleset.fixtures)


def keyword_lines(
    buffer: bytes, lowered: bytes, keywords: tuple[bytes, ...]
) -> list[tuple[int, int]]:
    """(start, end) of every line of ``buffer`` holding a keyword, in order, without repeats."""
    lines: set[tuple[int, int]] = set()
    size = len(buffer)
    for keyword in keywords:
        pos = lowered.find(keyword)
        while pos != -1:
            start = buffer.rfind(b"\n", 0, pos) + 1
            end = buffer.find(b"\n", pos)
            end = size if end == -1 else end
            lines.add((start, end))
            pos = lowered.find(keyword, end)
    return sorted(lines)


def lines_of_ends(
    buffer: bytes, lowered: bytes, keywords: tuple[bytes, ...], ends: list[int]
) -> list[tuple[int, int]]:
    """(start, end) of every line of ``buffer`` holding a keyword on which a match ends
    (its last byte: a line's newline ends that line), in order, without repeats."""
    lines: set[tuple[int, int]] = set()
    size = len(buffer)
    for match_end in ends:
        last = max(match_end - 1, 0)
        start = buffer.rfind(b"\n", 0, last) + 1
        end = buffer.find(b"\n", last)
        end = size if end == -1 else end
        if any(lowered.find(keyword, start, end) != -1 for keyword in keywords):
            lines.add((start, end))
    return sorted(lines)


def _by_line(rule: Rule) -> bool:
    """Whether ``re`` confirms the rule line by line (single-line, with keywords)."""
    return not rule.multiline and bool(rule.keywords)


def _hs_form(rule: Rule) -> list[tuple[bytes, int]] | None:
    """How hyperscan represents a rule: its regex, a prefilter of it, or its keywords."""
    pattern = _hs_pattern(rule)
    for flag in (_SINGLE, _SINGLE | _PREFILTER):
        if _compiles(pattern, flag):
            return [(pattern, flag)]
    if rule.keywords:
        return [(re.escape(k), _SINGLE | _CASELESS) for k in rule.keywords]
    return None


def _hs_pattern(rule: Rule) -> bytes:
    """What hyperscan matches for a rule: its ``prefilter`` (a superset) or its regex."""
    return (rule.prefilter or rule.regex).pattern


def _compiled_all(patterns: list[bytes], flags: list[int]) -> hyperscan.Database | None:
    """The database of every pattern as is, ids their indices; None if hyperscan refuses one."""
    if not patterns:
        return None
    database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    try:
        database.compile(
            expressions=patterns,
            ids=list(range(len(patterns))),
            elements=len(patterns),
            flags=flags,
        )
    except hyperscan.error:
        return None
    return database


def _compiles(pattern: bytes, flag: int) -> bool:
    """Whether hyperscan accepts ``pattern`` with ``flag``."""
    database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    try:
        database.compile(expressions=[pattern], ids=[0], elements=1, flags=[flag])
    except hyperscan.error:
        return False
    return True


def _without_overlaps(matches: list[Match]) -> list[Match]:
    """Drop a match whose secret overlaps one of a higher-priority rule; order by position."""
    kept: list[Match] = []
    for match in sorted(matches, key=lambda m: (m.rule.priority, m.start)):
        if not any(match.start < k.end and k.start < match.end for k in kept):
            kept.append(match)
    return sorted(kept, key=lambda m: (m.start, m.rule.priority))
