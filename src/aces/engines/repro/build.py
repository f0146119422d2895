"""Build the tree twice, in two fresh copies under different conditions, and compare.

``reproduce`` copies the listed files into two new temp dirs, runs every build
command in each (through the ``ProcessRunner``, with the timeout), hashes every
artifact, and diagnoses each one that differs while both copies still exist.
The temp dirs are removed whatever happens: success, failure, timeout, signal.
Every program it starts (a command's first word, faketime, diffoscope) is the
one the caller found and version-checked, given in ``BuildPrograms``: this
engine never searches for a program itself.
"""

from __future__ import annotations

import dataclasses
import shlex
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from aces.engines.repro.artifacts import Artifact, digest_artifact, find_artifacts
from aces.engines.repro.cargo import cargo_argv, encoded_rustflags, is_cargo_build
from aces.engines.repro.diagnose import Cause, Difference, diagnose
from aces.engines.repro.variants import FAKETIME_ENV, Variant, wrap
from aces.errors import ToolError
from aces.tools.process import CommandError, ProcessRunner, describe_exit
from aces.tools.rustup import RUSTUP_ENV
from aces.workspace.scratch import scratch_parent

MAX_DIAGNOSED_BYTES = 256 * 1024 * 1024  # larger artifacts are reported without a diagnosis


@dataclass(frozen=True)
class BuildPrograms:
    """The programs the builds start, as the caller resolved them.

    ``commands`` maps a build command's first word, as the policy wrote it, to
    the program that runs (a first word it lacks runs as written); ``path`` is
    the ``PATH`` of the build commands (None: the runner's); ``diffoscope`` is
    None when no report is wanted; ``shift_clock`` whether build B runs under
    faketime (it starts every build program).
    """

    commands: Mapping[str, str] = field(default_factory=dict)
    path: str | None = None
    faketime: str = "faketime"
    diffoscope: str | None = None
    shift_clock: bool = False

    def argv(self, command: Sequence[str]) -> tuple[str, ...]:
        """``command`` with its first word replaced by the resolved program."""
        return (self.commands.get(command[0], command[0]), *command[1:])


@dataclass(frozen=True)
class BuildPlan:
    """What to build: the files of the tree, the commands and the artifact globs."""

    source: Path
    files: tuple[str, ...]
    commands: tuple[tuple[str, ...], ...]
    artifacts: tuple[str, ...]
    timeout: float
    source_date_epoch: int
    programs: BuildPrograms = field(default_factory=BuildPrograms)


@dataclass(frozen=True)
class Reproduction:
    """The outcome: artifacts of build A, those that differ, and those only one build made."""

    artifacts: tuple[Artifact, ...]
    differences: tuple[Difference, ...]
    only_in_one: tuple[str, ...]
    conditions: tuple[str, ...]  # one line per build, as ``Variant.describe`` says


def reproduce(
    plan: BuildPlan, pair: tuple[Variant, Variant], runner: ProcessRunner
) -> Reproduction:
    """Run the plan under both variants and compare the artifacts byte for byte."""
    with (
        tempfile.TemporaryDirectory(prefix="aces-build-a-", dir=scratch_parent()) as tmp_a,
        tempfile.TemporaryDirectory(prefix="aces-build-bb-", dir=scratch_parent()) as tmp_b,
    ):
        roots = (Path(tmp_a) / pair[0].tree_dir, Path(tmp_b) / pair[1].tree_dir)
        for root, variant in zip(roots, pair, strict=True):
            copy_tree(plan.source, plan.files, root, reverse=variant.reverse_copy)
            run_commands(plan, root, variant, runner)
        return compare(plan, roots, pair, runner)


def copy_tree(source: Path, files: Sequence[str], dest: Path, *, reverse: bool) -> None:
    """Copy ``files`` (relative to ``source``) to ``dest``, in sorted or reverse order.

    The order is the order of creation, which is the order a directory lists
    its entries on some file systems (tmpfs): a build that depends on it shows.
    """
    dest.mkdir(parents=True)
    for rel in sorted(files, reverse=reverse):
        src, dst = source / rel, dest / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_symlink():
            dst.symlink_to(src.readlink())
        else:
            shutil.copyfile(src, dst)
            shutil.copymode(src, dst)


def run_commands(plan: BuildPlan, root: Path, variant: Variant, runner: ProcessRunner) -> None:
    """Run each build command in ``root``; a failure or a timeout is a ``ToolError``."""
    for argv in plan.commands:
        env = {**variant.env(plan.source_date_epoch), **RUSTUP_ENV}  # rustup never downloads
        command = argv
        if is_cargo_build(argv):
            command = cargo_argv(argv)
            env["CARGO_ENCODED_RUSTFLAGS"] = encoded_rustflags(root)
        if variant.clock_shift:
            env.update(FAKETIME_ENV)
        if plan.programs.path is not None:
            env["PATH"] = plan.programs.path
        _run_one(runner, command, root, variant, env, plan)


def _run_one(
    runner: ProcessRunner,
    command: tuple[str, ...],
    root: Path,
    variant: Variant,
    env: dict[str, str],
    plan: BuildPlan,
) -> None:
    """One build command; errors name the command as the policy wrote it."""
    shown = shlex.join(command)
    argv = wrap(plan.programs.argv(command), variant, faketime=plan.programs.faketime)
    try:
        result = runner.run(argv, cwd=root, timeout=plan.timeout, env=env)
    except CommandError as exc:
        raise CommandError(
            f"build command {exc.message} in build {variant.label}",
            argv=command,
            stdout=exc.stdout,
            stderr=exc.stderr,
            truncated=exc.truncated,
            hint="make the build finish, or raise build.timeout_seconds in aces.toml",
        ) from exc
    if result.returncode != 0:
        raise CommandError(
            f"build command failed in build {variant.label}: {shown} "
            f"({describe_exit(result.returncode)})",
            argv=command,
            stdout=result.stdout,
            stderr=result.stderr,
            truncated=result.truncated,
            hint="the build must succeed in a fresh copy of the tree with only committed files",
        )


def compare(
    plan: BuildPlan,
    roots: tuple[Path, Path],
    pair: tuple[Variant, Variant],
    runner: ProcessRunner,
) -> Reproduction:
    """Hash the artifacts of both builds and diagnose those that differ."""
    found_a = find_artifacts(roots[0], plan.artifacts)
    found_b = set(_artifacts_or_none(roots[1], plan.artifacts))
    digests = tuple(digest_artifact(roots[0], rel) for rel in found_a)
    differences: list[Difference] = []
    for artifact in digests:
        if artifact.path not in found_b:
            continue
        other = digest_artifact(roots[1], artifact.path)
        if other.sha256 != artifact.sha256:
            found = _diagnose(roots, artifact.path, max(artifact.size, other.size))
            differences.append(_with_diffoscope(found, roots, runner, plan.programs.diffoscope))
    only = sorted(set(found_a) ^ found_b)
    return Reproduction(digests, tuple(differences), tuple(only), tuple(v.describe() for v in pair))


def _artifacts_or_none(root: Path, globs: Sequence[str]) -> tuple[str, ...]:
    """Build B's artifacts; a glob matching nothing there shows as "only in one build"."""
    found: set[str] = set()
    for pattern in globs:
        try:
            found.update(find_artifacts(root, (pattern,)))
        except ToolError:
            continue
    return tuple(sorted(found))


def _diagnose(roots: tuple[Path, Path], rel: str, size: int) -> Difference:
    """Read both versions of ``rel`` and name the likely cause of their difference."""
    pairs = [(str(roots[0]), str(roots[1]))]
    resolved = (str(roots[0].resolve()), str(roots[1].resolve()))
    if resolved != pairs[0]:
        pairs.append(resolved)
    if size > MAX_DIAGNOSED_BYTES:
        # too large to hold twice in memory: the hash says it differs, not why
        note = f"larger than {MAX_DIAGNOSED_BYTES} bytes: not compared byte by byte"
        return Difference(rel, Cause.UNKNOWN, 0, None, note)
    a = (roots[0] / rel).read_bytes()
    b = (roots[1] / rel).read_bytes()
    return diagnose(rel, a, b, pairs)


DIFFOSCOPE_LINES = 40
DIFFOSCOPE_TIMEOUT = 120.0


def _with_diffoscope(
    found: Difference, roots: tuple[Path, Path], runner: ProcessRunner, diffoscope: str | None
) -> Difference:
    """``found`` with the head of diffoscope's report, when the caller found a diffoscope.

    diffoscope is optional: without it the byte-level diagnosis stands alone,
    and a diffoscope that fails or hangs leaves the diagnosis as it is.
    """
    if diffoscope is None:
        return found
    argv = (
        diffoscope,
        "--text",
        "-",
        str(roots[0] / found.artifact),
        str(roots[1] / found.artifact),
    )
    try:
        result = runner.run(argv, cwd=roots[0], timeout=DIFFOSCOPE_TIMEOUT)
    except ToolError:
        return found
    lines = result.stdout.splitlines()[:DIFFOSCOPE_LINES]
    report = "\n".join(lines).replace(str(roots[0]), "A").replace(str(roots[1]), "B")
    return dataclasses.replace(found, report=report)
