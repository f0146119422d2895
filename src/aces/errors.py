"""The one error base of ACES and its per-layer subclasses.

Every error a user can cause (bad policy, bad input, missing ref) is an
``AcesError``; the CLI maps it to exit code 2 with one clear line. Third-party
exceptions are translated into these at the boundary of each layer.
"""

from __future__ import annotations


class AcesError(Exception):
    """A condition that stops verification; always exit code 2."""

    def __init__(self, message: str, *, path: str | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.hint = hint

    def diagnostics(self) -> str:
        """One line naming the file (when known), the problem and what to do."""
        where = f"{self.path}: " if self.path else ""
        what_next = f" ({self.hint})" if self.hint else ""
        return f"{where}{self.message}{what_next}"


class PolicyError(AcesError):
    """The policy file is malformed, unknown or looser than the doctrine."""


class InputError(AcesError):
    """A repository file, event file or argument cannot be used as given."""


class GitError(AcesError):
    """A git query failed (missing ref, not a repository, ...)."""


class ToolError(AcesError):
    """An external tool is missing, mis-versioned, crashed, timed out or printed garbage."""


class DoctrineError(AcesError):
    """The doctrine catalog or the check registry is inconsistent."""
