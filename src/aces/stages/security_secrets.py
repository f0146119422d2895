"""Stage 7 checks: secret scanning (``sec.secrets``).

The scanner is the engine ``aces.engines.secrets``: built-in rules as data
(vendor token formats, private keys, credentials in URLs, high-entropy values
near key words) plus the rules of a gitleaks config the policy names. This
module decides what to scan (the Change's added lines, or every file, and the
messages of the Change's commits) and what is accepted (the governed allowlist
and the baseline). Secret values never
reach a finding: a finding carries the rule, the place, a redacted preview and
a hash of the value as its fingerprint material.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import ClassVar

from aces.engines.secrets import baseline as baseline_file
from aces.engines.secrets.commits import LOG_ARGS, MessageHit, parse_log, scan_messages
from aces.engines.secrets.context import (
    CONTEXT_TITLES,
    MANIFEST_HEAD,
    context_of,
    is_document_example,
)
from aces.engines.secrets.gitleaks import load_gitleaks
from aces.engines.secrets.line_contexts import LineContext, line_contexts, may_differ
from aces.engines.secrets.matcher import Matcher
from aces.engines.secrets.redact import builtin_matcher
from aces.engines.secrets.rules import RuleSet, load_builtin
from aces.engines.secrets.scanner import Hit, scan_file
from aces.engines.suppressions import allowlist
from aces.errors import InputError
from aces.model import Finding, Location, Severity
from aces.pipeline.check import Check, NotApplicable, PartialResultError
from aces.pipeline.context import RunContext
from aces.policy.schema import AllowlistEntry
from aces.workspace import git
from aces.workspace.globs import GlobMatcher
from aces.workspace.types import Hunk

# Bumped when the logic or the built-in rules change: older cached results are not served.
LOGIC_VERSION = "5"
CHECK_ID = "sec.secrets"
NOTHING_ADDED = "the Change adds or modifies no file"
INFO_HELP = (
    "A clearly fake or local value in a test or a document, or a document's example, reported "
    "for review; it does not block ([secrets] info_contexts). Make sure it opens nothing real."
)


@dataclass(frozen=True)
class Target:
    """A file to scan and, in Change mode, the added line ranges that count."""

    path: str
    hunks: tuple[Hunk, ...] | None  # None: every line counts
    status: str = "A"  # git's letter; a file of the whole tree counts as added
    old_path: str | None = None


def ruleset(ctx: RunContext) -> RuleSet:
    """The built-in rules plus the policy's gitleaks rules, once per run."""
    return ctx.memo.get("stage7.secrets.ruleset", lambda: _ruleset(ctx))


def _ruleset(ctx: RunContext) -> RuleSet:
    rules = load_builtin()
    config = ctx.policy.secrets.gitleaks_config
    if not config:
        return rules
    imported, path_rules = load_gitleaks(ctx.workspace.read_text(config), config)
    return rules.extended(imported, path_rules)


def targets(ctx: RunContext) -> tuple[Target, ...]:
    """Every file in whole-tree mode or with ``scan_all_files``; else the Change's files.

    Nested projects' files count too: a credential leaks from the repository whichever
    project's policy governs the file.
    """
    ws = ctx.workspace
    if ctx.change.whole_tree or ctx.policy.secrets.scan_all_files:
        return tuple(Target(path, None) for path in ws.all_files)
    listed = frozenset(ws.all_files)
    return tuple(
        Target(f.path, f.hunks, f.status, f.old_path)
        for f in sorted((*ctx.change.files, *ctx.change.nested), key=lambda f: f.path)
        if f.status != "D" and f.path in listed
    )


def commit_range(ctx: RunContext) -> tuple[str, str] | None:
    """(base, head) commits of the Change when it has commits of its own, else None."""
    change = ctx.change
    if change.whole_tree or not change.base or not change.head or change.base == change.head:
        return None
    return change.base, change.head


def in_hunks(hit: Hit, hunks: tuple[Hunk, ...] | None) -> bool:
    """Whether a hit touches an added line (a path-only hit counts when the file changed)."""
    if hunks is None or hit.line == 0:
        return True
    return any(h.start <= hit.end_line and hit.line < h.start + h.count for h in hunks)


def covering(entries: Sequence[AllowlistEntry], path: str, rule_id: str) -> bool:
    """Whether a live allowlist entry names this path (glob) and rule (or the whole check)."""
    return any(
        e.rule in (CHECK_ID, rule_id) and GlobMatcher((e.path,)).match(path) for e in entries
    )


class SecretScan(Check):
    """No secret in the Change's added lines (or, with ``scan_all_files``, in any file).

    Rules (``sec.secrets.<rule>``): private key blocks, GCP service-account keys,
    AWS access key ids and secret keys, GitHub / GitLab / Slack / Stripe / Google /
    npm / PyPI / Twilio / SendGrid tokens, Azure storage keys, NATS nkey seeds,
    JWTs, Postgres / Redis / other URLs with a password, high-entropy values
    assigned to password / secret / token / key names, and literal credentials in
    deploy files (compose ``environment``, ``.env``, Kubernetes env entries and
    manifests, Dockerfiles), however short; ``sec.secrets.custom.<id>``
    for the rules of the policy's ``[secrets] gitleaks_config``. A whole-tree run
    (no base) scans every file; a run with a base also scans the messages of the
    Change's commits (a finding there names the commit, with no file location).
    A token split across string literals (``"ghp_" + "..."``, ``concat!``) is
    matched joined. UTF-16 text and text with a stray NUL byte are scanned;
    binary files are not. A file of any size is read in chunks. A finding shows
    the rule, the place and a redacted preview (first characters and length),
    never the value, and the context of its file (deploy configuration, config,
    source, test fixture, documentation example). Deploy, config and source always
    block; in the ``[secrets] info_contexts`` (tests and docs by default) a clearly
    fake or local value (``test``/``fake``/``example`` in it, a ``localhost`` URL)
    and a document's example (a password entry, a URL's password, a JWT; an API
    description's ``example`` values) are information (severity note): reported,
    not failing the check. Files outside a sparse checkout are not scanned; a file
    that cannot be read makes the result ERROR naming it, with the findings of every
    other file.

    Accepting a finding: a live ``[[allowlist]]`` entry whose ``path`` glob matches
    the file and whose ``rule`` is ``sec.secrets`` or the finding's rule id. With a
    ``[secrets] baseline``, such an entry accepts only the findings whose
    fingerprint the baseline lists, and a baseline entry no live allowlist entry
    names is itself a finding ``sec.secrets.baseline-ungoverned``.
    """

    id = CHECK_ID
    stage: ClassVar[int] = 7
    clauses = ("sec.secrets",)
    title = "No secret in the change or the tree"
    remedy = (
        "Remove the secret, rotate it (it is compromised once pushed) and load it from the "
        "environment or a secret store; a deliberate test value needs a reviewed [[allowlist]] "
        "entry (path, rule, reason, owner, expires)."
    )

    def applies(self, ctx: RunContext) -> NotApplicable | None:
        """Not applicable when there is no file and no commit message to scan."""
        if targets(ctx) or commit_range(ctx) is not None:
            return None
        return NotApplicable(NOTHING_ADDED)

    def cache_key(self, ctx: RunContext) -> str | None:
        """The tree, the Change and policy, and the date allowlist expiries are judged on."""
        material = "\x1f".join(
            (
                self.id,
                LOGIC_VERSION,
                ctx.tree_digest(),
                ctx.inputs_digest(),
                _reference(ctx).date.isoformat(),
            )
        )
        return hashlib.sha256(material.encode("utf-8")).hexdigest()

    def run(self, ctx: RunContext) -> Iterator[Finding]:
        """A finding per secret not accepted (files, then commit messages), then per
        ungoverned baseline entry. A file that cannot be read does not stop the scan of
        the others: the result is ERROR naming it, with every finding of the rest."""
        live = [e for _, e in allowlist.live_entries(ctx.policy.allowlist, _reference(ctx).date)]
        accepted = _baseline(ctx)
        matcher = self.matcher(ctx)
        unreadable: list[str] = []
        found = [
            finding
            for target in targets(ctx)
            for finding in self.file_findings(ctx, matcher, target, unreadable)
            if not self.is_accepted(finding, live, accepted)
        ]
        titles = _titles(matcher)
        for message_hit in self.message_hits(ctx, matcher):
            found.append(self.message_finding(message_hit, titles[message_hit.hit.rule_id]))
        if accepted is not None:
            found.extend(self.ungoverned(ctx, accepted, live))
        if unreadable:
            problem = InputError(
                f"cannot read {len(unreadable)} file(s): {'; '.join(unreadable)}; the other "
                "files were scanned"
            )
            raise PartialResultError(problem, tuple(found))
        yield from found

    def file_findings(
        self, ctx: RunContext, matcher: Matcher, target: Target, unreadable: list[str]
    ) -> Iterator[Finding]:
        """The findings of one file's counted lines, judged by the file's context; a file
        that cannot be read is added to ``unreadable`` (path and cause) instead."""
        if context_of(target.path) in ctx.policy.secrets.info_contexts:
            # where a fake is information, values that say they are fakes are shown too
            matcher = matcher.keeping_fixtures()
        try:
            hits = scan_file(matcher, os.fspath(ctx.workspace.path(target.path)), target.path).hits
        except (OSError, InputError) as exc:
            cause = exc.strerror if isinstance(exc, OSError) else exc.message
            unreadable.append(f"{target.path} ({cause})")
            return
        if not hits:
            return
        hunks = self.counted_lines(ctx, target)
        where = context_of(target.path, _head(ctx, target.path))
        titles = _titles(matcher)
        # lines whose structure gives them their own context (a CI job's service container,
        # an API description's examples)
        lines = (
            line_contexts(target.path, ctx.workspace.read_bytes(target.path))
            if may_differ(target.path)
            else {}
        )
        for hit in hits:
            if not in_hunks(hit, hunks):
                continue
            line = lines.get(hit.line, LineContext(where))
            fake = line.fixture or hit.fixture
            example = is_document_example(hit.rule_id, line.context)
            info = (fake or example) and line.context in ctx.policy.secrets.info_contexts
            why = "a fake or local value" if fake else "a document's example"
            yield self.hit_finding(hit, titles[hit.rule_id], line.context, info=info, why=why)

    def matcher(self, ctx: RunContext) -> Matcher:
        """The compiled rules: the built-in ones shared with redaction, or with the policy's."""
        if not ctx.policy.secrets.gitleaks_config:
            return builtin_matcher()
        return Matcher(ruleset(ctx))

    def counted_lines(self, ctx: RunContext, target: Target) -> tuple[Hunk, ...] | None:
        """The added lines of a file; git's own for a file it took for binary (no hunks).

        git calls a file with a NUL byte binary and gives no line ranges for it; the
        scanner may still read it as text (UTF-16, a stray NUL), so its lines are
        asked for again with ``--text``. An added file counts whole.
        """
        if target.hunks is None or target.hunks:
            return target.hunks
        if target.status == "A":
            return None
        base = ctx.change.base or ""
        paths = [p for p in (target.old_path, target.path) if p]
        out = git.run_git(ctx.workspace.root, *_TEXT_DIFF_ARGS, base, "--", *paths).stdout
        return git.parse_hunks(out).get(target.path, ())

    def message_hits(self, ctx: RunContext, matcher: Matcher) -> list[MessageHit]:
        """Secrets in the messages of the Change's own commits (``git log base..head``)."""
        span = commit_range(ctx)
        if span is None:
            return []
        raw = git.run_git(ctx.workspace.root, *LOG_ARGS, f"{span[0]}..{span[1]}").stdout
        return scan_messages(matcher, parse_log(raw))

    def message_finding(self, found: MessageHit, title: str) -> Finding:
        """A secret in a commit message: no file location; the message names the commit."""
        hit = found.hit
        return self.finding(
            f"{title}: {hit.preview} in the message of commit {found.commit} "
            f"(line {hit.line} of the message)",
            None,
            rule_id=f"{self.id}.{hit.rule_id}",
            help="Rewrite the commit message (git rebase -i, reword) so the secret leaves the "
            "branch, and rotate the secret: it is compromised once pushed.",
            key=found.key,
        )

    def hit_finding(
        self, hit: Hit, title: str, where: str, *, info: bool = False, why: str = ""
    ) -> Finding:
        """The finding of one secret: rule, place, context, redacted preview; the key is a
        hash. ``info``: a fixture value or a document's example in an information context
        (NOTE, not blocking), ``why`` saying which."""
        location = (
            Location(hit.path)
            if hit.line == 0
            else Location(hit.path, hit.line, hit.column, end_line=hit.end_line)
        )
        context = CONTEXT_TITLES[where]
        if info:
            context += f", {why or 'a fake or local value'}: information, not blocking"
        return self.finding(
            f"{title}: {hit.preview} in {context}",
            location,
            rule_id=f"{self.id}.{hit.rule_id}",
            key=hit.key,
            severity=Severity.NOTE if info else Severity.ERROR,
            help=INFO_HELP if info else None,
        )

    def is_accepted(
        self,
        found: Finding,
        live: Sequence[AllowlistEntry],
        accepted: frozenset[str] | None,
    ) -> bool:
        """Named by a live allowlist entry and, with a baseline, listed in it."""
        path = found.location.path if found.location else ""
        if not covering(live, path, found.rule_id):
            return False
        return accepted is None or found.fingerprint in accepted

    def ungoverned(
        self, ctx: RunContext, accepted: frozenset[str], live: Sequence[AllowlistEntry]
    ) -> Iterator[Finding]:
        """Baseline entries that no live allowlist entry names."""
        source = ctx.policy.secrets.baseline
        for entry in baseline_file.parse(ctx.workspace.read_text(source), source):
            if covering(live, entry.path, entry.rule):
                continue
            yield self.finding(
                f"baseline entry {entry.fingerprint} ({entry.rule} in {entry.path}) is not "
                "named by a live [[allowlist]] entry",
                Location(source),
                rule_id=f"{self.id}.baseline-ungoverned",
                help="Add an [[allowlist]] entry (path, rule, reason, owner, expires) for it "
                "or remove it from the baseline.",
                key=entry.fingerprint,
            )


def _head(ctx: RunContext, rel: str) -> bytes:
    """The first bytes of a file, which can tell a manifest by its content (none when the
    file went away since its scan: its context is then judged by its path alone)."""
    try:
        with ctx.workspace.path(rel).open("rb") as handle:
            return handle.read(MANIFEST_HEAD)
    except (OSError, InputError):
        return b""


def _titles(matcher: Matcher) -> dict[str, str]:
    """The title of every rule, by id (content rules and path rules)."""
    titles = {rule.id: rule.title for rule in matcher.ruleset.rules}
    titles.update((rule.id, rule.title) for rule in matcher.ruleset.path_rules)
    return titles


def _baseline(ctx: RunContext) -> frozenset[str] | None:
    """The fingerprints of the policy's baseline, or None when it names none."""
    source = ctx.policy.secrets.baseline
    if not source:
        return None
    entries = baseline_file.parse(ctx.workspace.read_text(source), source)
    return frozenset(e.fingerprint for e in entries)


def _reference(ctx: RunContext) -> allowlist.ReferenceDate:
    """The date allowlist expiries are compared with (the HEAD commit's), once per run."""
    ws = ctx.workspace
    return ctx.memo.get(
        "stage3.allowlist_date",
        lambda: allowlist.reference_date(
            ws.root, is_git=ws.is_git, today=dt.datetime.now(dt.UTC).date(), runner=ctx.processes
        ),
    )


_TEXT_DIFF_ARGS: tuple[str, ...] = (
    "diff",
    "-U0",
    "--text",
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "-M",
    "--relative",
    "--src-prefix=a/",
    "--dst-prefix=b/",
)

SECRET_CHECKS: tuple[Check, ...] = (SecretScan(),)
