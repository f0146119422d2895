"""Which doctrine clause each zizmor audit and each actionlint error kind breaks.

Plain tables (zizmor 1.32.0's audit ids, actionlint 1.7.12's error kinds), so the
mapping is read in one place and tested on its own. The clauses:

- ``gov.pipeline-authority``: a pull request runs with the base's privileges or
  changes what judges it (dangerous triggers, cache poisoning, spoofable or
  always-true conditions, self-hosted runners, a workflow that does not run as
  written);
- ``infra.immutable-tags``: code a tag or branch can move (unpinned actions,
  images and tools, refs that lie about their version);
- ``sec.unsafe-exposure``: attacker-controlled text or secrets reach code
  (template injection, unsecure commands, secrets outside their environment,
  Dependabot running dependency code with the registries' credentials);
- ``sec.secrets``: credentials exposed (persisted checkout token, hard-coded
  container credentials);
- ``sec.permission-matrix``: permissions that are not deny-by-default
  (``write-all``, none declared, grants without their reason);
- ``sec.dependency-audit``: actions known vulnerable, archived or typosquatted.

An audit id this table does not know (a newer zizmor pinned by the policy) is
judged under ``sec.unsafe-exposure``: nothing unknown passes. Style audits that
grant nobody anything are listed in ``NOT_JUDGED`` with that reason.
"""

from __future__ import annotations

from collections.abc import Mapping

GOV = "gov.pipeline-authority"
TAGS = "infra.immutable-tags"
UNSAFE = "sec.unsafe-exposure"
SECRETS = "sec.secrets"
PERMISSIONS = "sec.permission-matrix"
DEPENDENCIES = "sec.dependency-audit"

ZIZMOR_CLAUSES: Mapping[str, str] = {
    "dangerous-triggers": GOV,
    "cache-poisoning": GOV,
    "bot-conditions": GOV,
    "github-env": GOV,
    "unsound-condition": GOV,
    "unsound-contains": GOV,
    "unsound-ternary": GOV,
    "self-hosted-runner": GOV,
    "ref-confusion": GOV,
    "obfuscation": GOV,
    "unpinned-uses": TAGS,
    "unpinned-images": TAGS,
    "unpinned-tools": TAGS,
    "impostor-commit": TAGS,
    "ref-version-mismatch": TAGS,
    "stale-action-refs": TAGS,
    "forbidden-uses": TAGS,
    "template-injection": UNSAFE,
    "insecure-commands": UNSAFE,
    "adhoc-packages": UNSAFE,
    "overprovisioned-secrets": UNSAFE,
    "secrets-outside-env": UNSAFE,
    "secrets-inherit": UNSAFE,
    "dependabot-execution": UNSAFE,  # dependency code runs with the registries' credentials
    "artipacked": SECRETS,
    "hardcoded-container-credentials": SECRETS,
    "unredacted-secrets": SECRETS,
    "excessive-permissions": PERMISSIONS,
    "undocumented-permissions": PERMISSIONS,
    "github-app": PERMISSIONS,
    "known-vulnerable-actions": DEPENDENCIES,
    "archived-uses": DEPENDENCIES,
    "typosquat-uses": DEPENDENCIES,
}
# Code smells of the auditor persona that give no one a privilege or a way around a verdict.
NOT_JUDGED: frozenset[str] = frozenset(
    {
        "anonymous-definition",  # a job or workflow without a name
        "concurrency-limits",  # no concurrency group: runs queue, none is skipped
        "self-repository",  # ./action instead of $/action
        "superfluous-actions",  # an action where a shell command would do
        "use-trusted-publishing",  # advice about how packages are published
        "misfeature",  # features GitHub discourages (shell: cmd, ...)
        "dependabot-cooldown",  # how soon Dependabot proposes a release: a reviewer merges
    }
)
ACTIONLINT_CLAUSES: Mapping[str, str] = {
    "credentials": SECRETS,
    "permissions": PERMISSIONS,
    "deprecated-commands": UNSAFE,
}


# actionlint errors that say what a zizmor audit says about the same lines: left to zizmor,
# so one problem is one finding (kind -> (text its message holds, or "" for any; audit id)).
LEFT_TO_ZIZMOR: Mapping[str, tuple[str, str]] = {
    "expression": ("is potentially untrusted", "template-injection"),
    "if-cond": ("", "unsound-condition"),  # an if: with text around ${{ }} is always true
    "credentials": ("", "hardcoded-container-credentials"),
}


def left_to_zizmor(kind: str, message: str) -> bool:
    """Whether an actionlint error is a problem zizmor reports too (``LEFT_TO_ZIZMOR``)."""
    same = LEFT_TO_ZIZMOR.get(kind)
    return same is not None and same[0] in message


# Audits whose findings zizmor grades by what reaches the code: at these gradings the value
# is the workflow's own (a matrix entry, its env:, a job's output), not text an outsider
# sets, so the finding is advice (pass it through env:), reported as information.
ADVISORY_GRADES: Mapping[str, frozenset[str]] = {
    "template-injection": frozenset({"low", "informational"}),
}


def is_advisory(ident: str, tool_severity: str) -> bool:
    """Whether a zizmor finding is information rather than a breach (``ADVISORY_GRADES``)."""
    return tool_severity in ADVISORY_GRADES.get(ident, frozenset())


def is_judged(ident: str) -> bool:
    """Whether a zizmor audit id is judged by the doctrine (every id but ``NOT_JUDGED``)."""
    return ident not in NOT_JUDGED


def zizmor_clause(ident: str) -> str:
    """The clause a zizmor audit breaks (``sec.unsafe-exposure`` for an unknown audit)."""
    return ZIZMOR_CLAUSES.get(ident, UNSAFE)


def actionlint_clause(kind: str) -> str:
    """The clause an actionlint error kind breaks: a workflow that does not run as written is
    ``gov.pipeline-authority``."""
    return ACTIONLINT_CLAUSES.get(kind, GOV)
