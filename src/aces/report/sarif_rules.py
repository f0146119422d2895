"""SARIF ``reportingDescriptor`` objects for the rules of a run, as GitHub code scanning reads them.

GitHub shows ``shortDescription`` as the alert's title and refuses a short or
full description over 1,024 characters, so both are cut there and the long
text lives in ``help``. A rule is a security rule when its id or one of its
clauses is in the ``sec.`` family: it gets the ``security`` tag and a
``security-severity`` (a CVSS-like score GitHub maps to critical / high /
medium / low), derived from the most severe finding of the rule in the run.
"""

from __future__ import annotations

from typing import Any

from aces.model import RuleInfo, Severity

# GitHub code scanning's limits on a rule (docs: "SARIF support for code scanning").
DESCRIPTION_MAX_CHARS = 1_024
MAX_TAGS = 20
SECURITY_TAG = "security"
SECURITY_PREFIX = "sec."

# The documentation page of each rule family, longest prefix first wins. Families without
# a page of their own get no helpUri rather than a link to the wrong page.
DOC_PAGES: tuple[tuple[str, str], ...] = (
    ("spec.", "specs.md"),
    ("sm.", "state-machines.md"),
    ("schema.", "proto.md"),
    ("compat.", "proto.md"),
    ("lint.complexity", "stage3-patterns.md"),
    ("lint.forbidden-patterns", "stage3-patterns.md"),
    ("lint.", "stage3-linters.md"),
    ("build.", "stage4-build.md"),
    ("test.", "stage5-tests.md"),
    ("topo.", "stage6-topology.md"),
    ("sec.secrets", "secrets.md"),
    ("sec.dependency-audit", "dependency-audit.md"),
    ("sec.", "security-rules.md"),
    ("infra.", "supply-chain.md"),
    ("gov.pipeline-authority", "fail-closed.md"),
    ("gov.", "policy.md"),
    ("arch.", "stage3-patterns.md"),
    ("principle.fail-closed", "fail-closed.md"),
    ("principle.no-manual-exceptions", "stage3-linters.md"),
)

# GitHub reads >= 9.0 as critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low.
SECURITY_SEVERITY: dict[Severity, str] = {
    Severity.ERROR: "8.0",
    Severity.WARNING: "5.0",
    Severity.NOTE: "2.0",
}


def is_security_rule(rule: RuleInfo) -> bool:
    """True for a rule of the ``sec.`` family (its id or one of its clauses)."""
    return rule.rule_id.startswith(SECURITY_PREFIX) or any(
        clause.startswith(SECURITY_PREFIX) for clause in rule.clauses
    )


def doc_page(rule_id: str) -> str | None:
    """The ``docs/`` page that documents the rule, when its family has one."""
    matches = [(len(prefix), page) for prefix, page in DOC_PAGES if rule_id.startswith(prefix)]
    return max(matches)[1] if matches else None


def sarif_rule(rule: RuleInfo, severity: Severity, docs_uri: str = "") -> dict[str, Any]:
    """The rule as a SARIF reporting descriptor; ``severity``: its most severe finding.

    ``docs_uri`` is where the ``docs/`` pages are published; with it, a rule of a
    documented family gets a ``helpUri``.
    """
    title = _one_line(rule.title) or rule.rule_id
    description = rule.description.strip() or title
    help_text = rule.help.strip() or f"See `aces explain {rule.rule_id}`."
    long_text = help_text
    if description != title:
        long_text += "\n\n" + description
    markdown = long_text
    if rule.clauses:
        markdown += "\n\nDoctrine clauses: " + ", ".join(f"`{c}`" for c in rule.clauses)
    tags = list(dict.fromkeys(["aces", *rule.clauses]))
    properties: dict[str, Any] = {"clauses": list(rule.clauses)}
    if is_security_rule(rule):
        tags.insert(1, SECURITY_TAG)
        properties["security-severity"] = SECURITY_SEVERITY[severity]
    properties["tags"] = tags[:MAX_TAGS]
    descriptor: dict[str, Any] = {
        "id": rule.rule_id,
        "shortDescription": {"text": _cut(title)},
        "fullDescription": {"text": _cut(_one_line(description))},
        "help": {"text": long_text, "markdown": markdown},
        "defaultConfiguration": {"level": "error"},
        "properties": properties,
    }
    page = doc_page(rule.rule_id)
    if docs_uri and page is not None:
        descriptor["helpUri"] = f"{docs_uri.rstrip('/')}/{page}"
    return descriptor


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _cut(text: str) -> str:
    """The text within GitHub's 1,024 characters, with an ellipsis when cut."""
    if len(text) <= DESCRIPTION_MAX_CHARS:
        return text
    return text[: DESCRIPTION_MAX_CHARS - 1].rstrip() + "…"
