"""The run's tool resolver, and each tool resolved once per run (``ctx.memo``).

Every stage that runs an external program asks here: the program is found by
``aces.tools.resolve`` (the repository's ``.tools/`` first, then PATH, then
known install layouts), its version is read as the check will run it, and it is
checked against ``[toolchain]``. The outcome, a ``Resolved`` tool or the
``ToolError`` that explains why there is none, is kept for the run, so parallel
checks needing the same tool ask it once and all report the same cause.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from aces.errors import AcesError
from aces.pipeline.context import RunContext
from aces.tools.process import ProcessRunner
from aces.tools.resolve import VERSION_TIMEOUT_SECONDS, Resolved, ToolResolver


@dataclass(frozen=True)
class _Outcome:
    """A resolution as the memo keeps it: the tool, or the error every asker re-raises."""

    resolved: Resolved | None
    error: AcesError | None


def resolver(ctx: RunContext) -> ToolResolver:
    """The resolver of this run: the workspace's directories, the policy's pins."""
    budget = min(ctx.policy.check_timeout_seconds, ctx.options.check_timeout_seconds)
    return ctx.memo.get(
        "tools.resolver",
        lambda: ToolResolver.for_repository(
            ctx.workspace.root, ctx.processes, ctx.policy.toolchain, timeout=budget
        ),
    )


def require_tool(ctx: RunContext, name: str, cwd: Path | None = None) -> Resolved:
    """``name`` found and checked against its pin, answering in ``cwd`` (default: the root)."""
    where = cwd if cwd is not None else ctx.workspace.root
    outcome = ctx.memo.get(f"tools.require:{name}:{where}", lambda: _resolve(ctx, name, where))
    if outcome.error is not None:
        raise outcome.error
    assert outcome.resolved is not None
    return outcome.resolved


def optional_tool(ctx: RunContext, name: str) -> Path | None:
    """An optional catalog tool: None when neither installed nor pinned, else checked.

    Pinning a tool declares that the run needs it, so a pinned tool that is
    missing is an error like any other required one; an installed one is used,
    so it must answer its version as pinned.
    """
    if resolver(ctx).locate(name) is None and name not in resolver(ctx).pins:
        return None
    return require_tool(ctx, name).path


def _resolve(ctx: RunContext, name: str, cwd: Path) -> _Outcome:
    try:
        return _Outcome(resolver(ctx).require(name, cwd), None)
    except AcesError as exc:
        return _Outcome(None, exc)


def require_git(
    root: Path,
    pins: Mapping[str, str],
    runner: ProcessRunner,
    *,
    timeout: float = VERSION_TIMEOUT_SECONDS,
) -> None:
    """git checked against ``[toolchain] git`` before the Change is read with it.

    The Change (stage 1, and every base comparison after it) is computed by git
    before any check runs, so its pin is checked first: a git that is pinned and
    missing, or found and crashing, hanging, unreadable or of another version,
    is a ``ToolError`` and the run cannot verify. No git and no pin: a plain
    directory, nothing to check.
    """
    tools = ToolResolver.for_repository(root, runner, pins, timeout=timeout)
    if tools.locate("git") is not None or "git" in pins:
        tools.require("git", root)


def tools_fingerprint(ctx: RunContext, names: Iterable[str]) -> str | None:
    """``name=path@version`` of each tool as resolved in this run; None when one is unusable.

    Part of the cache key of a check that runs tools: a result cached with one
    version of a tool is never served after the tool changed, and when a tool
    cannot be resolved there is no key (the check runs and is ERROR).
    """
    parts = []
    for name in names:
        try:
            found = require_tool(ctx, name)
        except AcesError:
            return None
        parts.append(f"{name}={found.path}@{found.version}")
    return ";".join(parts)
