"""The errors of the environment: a process that failed, with its last log lines."""

from __future__ import annotations

from pathlib import Path

from aces.errors import ToolError
from aces.runtime.logs import DEFAULT_TAIL, last_lines


class ProcessFailedError(ToolError):
    """A server or replica that exited, crashed or never became ready.

    ``diagnostics()`` shows the message, then the indented last lines of the
    process's log and where the whole log is.
    """

    def __init__(self, name: str, message: str, log_path: Path, *, hint: str | None = None) -> None:
        super().__init__(f"{name} {message}", hint=hint)
        self.name = name
        self.log_path = log_path
        self.log_tail = tuple(last_lines(log_path, DEFAULT_TAIL))

    def diagnostics(self) -> str:
        """The failure, the indented last log lines, then the hint."""
        lines = [self.message, f"  last lines of {self.log_path}:"]
        lines.extend(f"    {line}".rstrip() for line in self.log_tail or ("(empty log)",))
        if self.hint:
            lines.append(f"  hint: {self.hint}")
        return "\n".join(lines)


class PortConflictError(Exception):
    """A server lost the race for its port; the provider retries with new ports."""

    def __init__(self, name: str) -> None:
        super().__init__(f"{name}: port already in use")
        self.name = name
