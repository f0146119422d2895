"""The programs stage 4 runs, each found and version-checked by the run's tool resolver.

A build command's first word that is a catalog tool (``cargo``, ``mix``, ...)
is found like everywhere else (``.tools/bin`` first) and checked against its
``[toolchain]`` pin, its version read in the repository root (where a
``rust-toolchain.toml`` decides which cargo answers); the build then runs that
very program, with the resolver's directories as its ``PATH``. Another bare
first word is looked up in the same directories. faketime, diffoscope and the
container engine are optional: one that is neither installed nor pinned is
left out (the clock is not shifted, no diffoscope report, "no container
engine"), but one that is installed or pinned must answer its version as
pinned, else the check is ERROR naming the tool, the version found, the pin
and the path. git runs through the run's git channel, its pin checked first.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from aces.engines.repro import BuildPrograms
from aces.engines.repro.cargo import is_cargo_build
from aces.engines.repro.variants import CLOCK_SHIFT, FAKETIME_ENV
from aces.errors import ToolError
from aces.pipeline.context import RunContext
from aces.stages.tooling import optional_tool, require_tool, resolver
from aces.tools.catalog import tools_by_name
from aces.tools.process import describe_exit
from aces.workspace import git
from aces.workspace.git_run import unexpected_output

# Used when the tree is not a git repository with a commit: 1980-01-01, the ZIP epoch.
FALLBACK_EPOCH = 315_532_800
PROBE_TIMEOUT = 5.0  # seconds a program may take to start under libfaketime
ENGINE_TIMEOUT = 20.0


def budget(ctx: RunContext, own: float) -> float:
    """A program's timeout: its own, shortened to the check's time budget."""
    return min(own, ctx.policy.check_timeout_seconds, ctx.options.check_timeout_seconds)


def build_programs(ctx: RunContext) -> BuildPrograms:
    """Every program of the two builds, resolved and checked; ``ToolError`` for one unusable."""
    commands = {argv[0]: program(ctx, argv[0]) for argv in ctx.policy.build.commands}
    diffoscope = optional_tool(ctx, "diffoscope")
    faketime = usable_faketime(ctx, commands)
    return BuildPrograms(
        commands=commands,
        path=resolver(ctx).child_path,
        faketime=str(faketime) if faketime is not None else "faketime",
        diffoscope=str(diffoscope) if diffoscope is not None else None,
        shift_clock=faketime is not None,
    )


def program(ctx: RunContext, name: str) -> str:
    """A build command's program: a catalog tool checked against its pin, else looked up.

    A path is used as written; a bare name the resolver cannot find is left as
    written, so running it fails with the runner's "not found".
    """
    if "/" in name:
        return name
    if name in tools_by_name():
        return str(require_tool(ctx, name).path)
    found = resolver(ctx).which(name)
    return str(found) if found is not None else name


def source_date_epoch(ctx: RunContext) -> int:
    """The HEAD commit time, the one time a build may embed (``FALLBACK_EPOCH`` without one).

    Inside a git repository git must work: a git that is off its pin, missing or
    answers nonsense is ERROR, never a silent fallback epoch.
    """
    if not ctx.workspace.is_git:
        return FALLBACK_EPOCH
    require_tool(ctx, "git")
    root = ctx.workspace.root
    head = git.head_commit(root, runner=ctx.processes)
    if head is None:
        return FALLBACK_EPOCH
    result = git.run_git(root, "log", "-1", "--format=%ct", head, runner=ctx.processes)
    text = result.stdout.decode("ascii", "replace").strip()
    if not text.isdigit():
        raise unexpected_output(root, result)
    return int(text)


def installed_locales(ctx: RunContext) -> tuple[str, ...]:
    """``locale -a``, or nothing when the program is missing (build B then uses POSIX)."""
    found = resolver(ctx).which("locale")
    if found is None:
        return ()
    result = ctx.processes.run((str(found), "-a"), cwd=ctx.workspace.root, timeout=30.0)
    return tuple(result.stdout.split()) if result.returncode == 0 else ()


def usable_faketime(ctx: RunContext, programs: dict[str, str]) -> Path | None:
    """faketime, checked against its pin, when every build program starts under it.

    Some programs deadlock under libfaketime (rustc's allocator does), so each
    build program is started once under it with a short timeout; when one hangs,
    the clock of build B is not shifted (docs/stage4-build.md).
    """
    faketime = optional_tool(ctx, "faketime")
    if faketime is None:
        return None
    env = {**FAKETIME_ENV, "PATH": resolver(ctx).child_path}
    for probe in _probes(ctx.policy.build.commands, programs):
        argv = (str(faketime), "-f", CLOCK_SHIFT, *probe)
        try:
            timeout = budget(ctx, PROBE_TIMEOUT)
            ctx.processes.run(argv, cwd=ctx.workspace.root, timeout=timeout, env=env)
        except ToolError:
            return None
    return faketime


def _probes(
    commands: Iterable[tuple[str, ...]], programs: dict[str, str]
) -> tuple[tuple[str, ...], ...]:
    """A harmless invocation of each program the build starts (and rustc for Cargo)."""
    found: dict[tuple[str, ...], None] = {}
    for argv in commands:
        found[(programs.get(argv[0], argv[0]), "--version")] = None
        if is_cargo_build(argv):
            found[("rustc", "-vV")] = None
    return tuple(found)


def container_engine(ctx: RunContext) -> str:
    """The container engine (docker, else podman) checked against its pin, when it answers.

    Not installed and not pinned: ``ToolError`` "no container engine"; installed
    or pinned: found and version-checked like every tool, then its daemon asked.
    """
    engine = optional_tool(ctx, "docker")
    if engine is None:
        raise ToolError(
            "no container engine: neither docker nor podman is installed",
            hint="run stage 4 where docker or podman can build images, for the declared images",
        )
    result = ctx.processes.run(
        (str(engine), "info", "--format", "{{.ServerVersion}}"),
        cwd=ctx.workspace.root,
        timeout=budget(ctx, ENGINE_TIMEOUT),
    )
    if result.returncode != 0:
        why = (result.stderr or result.stdout).strip()[:200]
        raise ToolError(
            f"no container engine: `{engine.name} info` {describe_exit(result.returncode)}: "
            f"{why or 'no message'}",
            hint="run stage 4 where docker or podman can build images, for the declared images",
        )
    return str(engine)
