"""The findings section of the Markdown summary, fitted into a character budget.

Findings are shown one group per rule (``aces.report.grouping``): blocking and
most severe first, then by stage. The heading of every blocking rule, with its
count, is always shown; findings fill the room that is left, at most
``per_rule`` per rule, and each group says how many of its findings it left
out. Only when even the headings do not fit (thousands of distinct rules) are
the last ones counted instead of listed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aces.model import Finding, Severity
from aces.report.common import plural, stage_slug
from aces.report.grouping import RuleGroup
from aces.report.markdown_text import clip, code_span, inline, size


@dataclass
class _GroupPlan:
    """What of one rule group goes into the summary."""

    group: RuleGroup
    items: list[str]
    included: bool = False
    shown: int = 0
    full: bool = False
    heading: str = field(init=False)

    def __post_init__(self) -> None:
        self.heading = _heading(self.group)

    @property
    def total(self) -> int:
        return len(self.group.findings)

    def fixed_size(self) -> int:
        """The heading, the blank lines and the largest possible "more" line."""
        return size(self.heading) + 3 + size(_more_line(self.total)) + 1

    def render(self) -> str:
        lines = [self.heading, "", *self.items[: self.shown]]
        if self.shown < self.total:
            lines.append(_more_line(self.total - self.shown))
        return "\n".join(lines) + "\n\n"


def render_findings(groups: list[RuleGroup], budget: int, per_rule: int) -> tuple[str, int]:
    """The section's text within ``budget`` characters, and how many findings it shows."""
    plans = [_GroupPlan(g, _items(g.findings[:per_rule])) for g in groups]
    mandatory = [p for p in plans if p.group.blocking]
    needed = sum(p.fixed_size() for p in mandatory)
    if needed > budget:
        return _headings_only(mandatory, budget)
    for plan in mandatory:
        plan.included = True
    budget -= needed
    # Round by round (each rule's first finding, then each rule's second, ...), so the
    # findings of a few huge rules never crowd out the first finding of the others.
    for _ in range(per_rule):
        for plan in plans:
            budget = _add_next(plan, budget)
    text = "".join(p.render() for p in plans if p.included)
    return text, sum(p.shown for p in plans)


def _add_next(plan: _GroupPlan, budget: int) -> int:
    """Add the group's next finding if it fits (opening the group if needed); the budget left."""
    if plan.full or plan.shown >= len(plan.items):
        return budget
    cost = size(plan.items[plan.shown]) + 1
    if not plan.included:
        cost += plan.fixed_size()
    if cost > budget:
        # Keep each group a prefix of its findings: nothing after one that did not fit.
        plan.full = True
        return budget
    plan.included = True
    plan.shown += 1
    return budget - cost


def _headings_only(plans: list[_GroupPlan], budget: int) -> tuple[str, int]:
    """As many rule headings as fit, and a line counting the rules left out."""
    lines: list[str] = []
    budget -= 200  # room for the closing line
    listed = 0
    for plan in plans:
        line = f"- {plan.heading}"
        if size(line) + 1 > budget:
            break
        lines.append(line)
        budget -= size(line) + 1
        listed += 1
    if listed < len(plans):
        lines.append(f"\n_{plural(len(plans) - listed, 'more blocking rule')} not listed here._")
    return "\n".join(lines) + "\n\n", 0


def _heading(group: RuleGroup) -> str:
    """``**`rule`** — FAIL, 3 findings · check `id` · s03-static``."""
    check = group.check
    parts = [f"**{code_span(group.rule_id)}** — {check.status.value}"]
    parts[0] += f", {plural(len(group.findings), 'finding')}"
    if group.severity is not Severity.ERROR:
        parts[0] += f" ({group.severity.value})"
    if check.check_id != group.rule_id:
        parts.append(f"check {code_span(check.check_id)}")
    parts.append(stage_slug(group.stage))
    return " · ".join(parts)


def _items(findings: tuple[Finding, ...]) -> list[str]:
    """One list item per finding; a help text is shown once until it changes."""
    items = []
    previous_help = ""
    for finding in findings:
        item = _item(finding)
        if finding.help and finding.help != previous_help:
            item += f"\n  > {inline(clip(finding.help))}"
        previous_help = finding.help or previous_help
        items.append(item)
    return items


def _item(finding: Finding) -> str:
    loc = finding.location
    if loc is None:
        where = "_(no location)_"
    else:
        where = code_span(f"{loc.path}:{loc.line}" if loc.line is not None else loc.path)
    clauses = ", ".join(f"`{c}`" for c in finding.clauses)
    return f"- {where} ({clauses}): {inline(clip(finding.message))}"


def _more_line(count: int) -> str:
    return f"- _… and {plural(count, 'more finding')} of this rule_"
