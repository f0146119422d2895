"""The Check: one unit of enforcement, naming the doctrine clauses it enforces.

A check is a small class. Its docstring is what ``aces explain <id>`` prints,
``remedy`` says how to fix a finding, ``clauses`` are doctrine clause IDs and
``tools`` the external programs it needs (``aces doctor`` lists them).
``applies`` returns a reason when there is nothing to check (NOT_APPLICABLE);
``run`` returns findings (none means PASS) and raises ``AcesError`` when it
cannot verify (ERROR). Any other exception is also ERROR: the runner fails closed.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from aces.errors import AcesError
from aces.model import Finding, Location, Severity

if TYPE_CHECKING:
    from aces.pipeline.context import RunContext


class PartialResultError(AcesError):
    """A check that could verify part of its work: ERROR, keeping the findings it has.

    Raised by ``run`` when some inputs were judged (static findings, the tests of
    one runner) while another could not be (a runner that cannot start): the
    result is ERROR with ``error``'s cause as its reason, and ``findings`` stay in
    the report instead of being lost with the error.
    """

    def __init__(self, error: AcesError, findings: tuple[Finding, ...]) -> None:
        super().__init__(error.message, path=error.path, hint=error.hint)
        self.error = error
        self.findings = findings

    def diagnostics(self) -> str:
        """The cause, as the underlying error states it."""
        return self.error.diagnostics()


@dataclass(frozen=True)
class NotApplicable:
    """Returned by ``Check.applies`` when there is nothing to check, with the reason.

    ``enable`` names the policy keys (dotted, as in ``build.commands``) whose setting
    would give the check work; the reason then says where each is set in aces.toml
    (:func:`key_labels`). It stays empty when only a file kind, or a base version to
    compare with, would change the answer, and the reason then names that instead.
    """

    reason: str
    enable: tuple[str, ...] = ()


def key_labels(key: str) -> tuple[str, ...]:
    """How a reason may name the dotted policy ``key`` in aces.toml terms.

    ``build.commands`` -> ``[build] commands``; a table or an array of tables by
    its header: ``[change_classes]``, ``[[build.images]]``.
    """
    parent, _, leaf = key.rpartition(".")
    labels = [f"[{key}]", f"[[{key}]]"]
    if parent:
        labels.insert(0, f"[{parent}] {leaf}")
    return tuple(labels)


class Check(ABC):
    """Base of every check; subclasses set the class attributes and ``run``."""

    id: ClassVar[str]
    stage: ClassVar[int]
    clauses: ClassVar[tuple[str, ...]]
    title: ClassVar[str]
    remedy: ClassVar[str] = ""
    tools: ClassVar[tuple[str, ...]] = ()

    def applies(self, ctx: RunContext) -> NotApplicable | None:
        """None when the check has work to do; otherwise why it does not apply."""
        del ctx
        return None

    @abstractmethod
    def run(self, ctx: RunContext) -> Iterable[Finding]:
        """The findings of this check on the context; raise ``AcesError`` if unverifiable."""

    def cache_key(self, ctx: RunContext) -> str | None:
        """A digest of every input of the check, or None when it must not be cached."""
        del ctx
        return None

    def finding(
        self,
        message: str,
        location: Location | None = None,
        *,
        rule_id: str | None = None,
        clauses: tuple[str, ...] | None = None,
        help: str | None = None,
        key: str = "",
        severity: Severity = Severity.ERROR,
    ) -> Finding:
        """A finding of this check, defaulting rule id, clauses and help to the check's."""
        return Finding(
            rule_id=rule_id or self.id,
            clauses=clauses or self.clauses,
            message=message,
            location=location,
            severity=severity,
            help=self.remedy if help is None else help,
            key=key,
        )
