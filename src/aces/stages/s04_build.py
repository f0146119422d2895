"""Stage 4: Build & Artifact Consistency (the ``build.*`` clauses).

Two builds of the same tree give the same artifact hashes; no build flag makes
an artifact depend on the machine or the moment; container images and the
packages installed in them are pinned; the final image stays within its
budget; artifact sizes stay near their committed baseline. The policy's
``[build]`` section says what to build (``docs/stage4-build.md``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass

from aces.engines import buildflags, containers
from aces.engines.repro import (
    BuildPlan,
    Difference,
    Reproduction,
    parse_baseline,
    pick_other_locale,
    reproduce,
    size_issues,
    variants,
)
from aces.engines.repro.sizes import SizeIssueKind
from aces.errors import AcesError, InputError, ToolError
from aces.model import Finding, Location
from aces.pipeline.check import Check, NotApplicable
from aces.pipeline.context import RunContext
from aces.pipeline.locations import policy_key_location
from aces.pipeline.registry import StageDef
from aces.policy.schema import ImageBuild
from aces.stages import build_inputs
from aces.stages.build_tools import (
    ENGINE_TIMEOUT,
    budget,
    build_programs,
    container_engine,
    installed_locales,
    source_date_epoch,
)

# Bumped when the checks' logic changes, so cached results of older logic are not served.
LOGIC_VERSION = "1"
NO_COMMANDS = "the policy declares no build commands ([build] commands in aces.toml)"


class BuildCheck(Check):
    """Shared parts of the stage 4 checks."""

    stage = 4

    def cache_key(self, ctx: RunContext) -> str | None:
        """The tree state and the policy (the build reads nothing else of the run)."""
        material = "\x1f".join((self.id, LOGIC_VERSION, ctx.tree_digest(), ctx.inputs_digest()))
        return hashlib.sha256(material.encode("utf-8")).hexdigest()


# -- the two builds, shared by build.reproducible and build.size-deviation ----------


@dataclass(frozen=True)
class _Outcome:
    """The reproduction, or the error that stopped it (kept so the build runs once)."""

    value: Reproduction | None
    error: AcesError | None


def reproduction(ctx: RunContext) -> Reproduction:
    """The run's two builds, run at most once per run; raises what stopped them."""
    outcome = ctx.memo.get("stage4.reproduction", lambda: _outcome(ctx))
    if outcome.error is not None:
        raise outcome.error
    assert outcome.value is not None
    return outcome.value


def _outcome(ctx: RunContext) -> _Outcome:
    try:
        return _Outcome(_reproduce(ctx), None)
    except AcesError as exc:
        return _Outcome(None, exc)


def _reproduce(ctx: RunContext) -> Reproduction:
    """Build twice under the varied conditions of ``variants``."""
    build = ctx.policy.build
    plan = BuildPlan(
        source=ctx.workspace.root,
        files=ctx.workspace.files,
        commands=build.commands,
        artifacts=build.artifacts,
        timeout=budget(ctx, build.timeout_seconds),
        source_date_epoch=source_date_epoch(ctx),
        programs=build_programs(ctx),
    )
    locale = pick_other_locale(installed_locales(ctx))
    pair = variants(locale, shift_clock=plan.programs.shift_clock)
    return reproduce(plan, pair, ctx.processes)


class BuildReproducible(BuildCheck):
    """Two builds of the tree give byte-identical artifacts.

    ACES III.4: reproducible build artifact hashes. The policy's ``[build]``
    commands run twice, each in a fresh copy of the committed tree: build B runs
    in a directory of another name and length, three days ahead
    (libfaketime, when the build's programs run under it), with umask 077
    instead of 022, another locale, TZ=Asia/Kolkata instead of UTC, and its
    files created in reverse order. Both get SOURCE_DATE_EPOCH, the HEAD commit
    time. Cargo builds get ``--locked``, ``--offline`` and
    ``--remap-path-prefix``. Every artifact is hashed (SHA-256); each one that
    differs is named with the likely cause found by a byte-level comparison:
    ``timestamp``, ``embedded build path`` or ``ordering`` (diffoscope's
    report is added when it is installed). A build that fails or exceeds
    ``build.timeout_seconds`` is ERROR naming the command.
    """

    id = "build.reproducible"
    clauses = ("build.reproducible",)
    title = "Two builds give identical artifact hashes"
    remedy = (
        "Make the build independent of time, paths and order: use SOURCE_DATE_EPOCH instead "
        "of the clock, remap build paths, sort what you emit; see docs/stage4-build.md."
    )
    tools = ("faketime", "diffoscope")

    def applies(self, ctx: RunContext) -> NotApplicable | None:
        """Not applicable when the policy declares no build commands."""
        return (
            None
            if ctx.policy.build.commands
            else NotApplicable(NO_COMMANDS, enable=("build.commands",))
        )

    def run(self, ctx: RunContext) -> Iterator[Finding]:
        """One finding per artifact that differs or that only one build produced."""
        result = reproduction(ctx)
        conditions = "; ".join(result.conditions)
        for diff in result.differences:
            yield self.finding(
                f"artifact {diff.artifact} differs between two builds; likely cause: "
                f"{diff.cause.value} ({diff.evidence})"
                + (f"; first difference at line {diff.line}" if diff.line else ""),
                _artifact_location(ctx, diff.artifact, diff.line),
                help=_help(self.remedy, conditions, diff),
                key=f"{diff.artifact}:{diff.cause.value}",
            )
        for path in result.only_in_one:
            yield self.finding(
                f"artifact {path} was produced by only one of the two builds",
                _artifact_location(ctx, path),
                rule_id="build.reproducible.missing",
                help=f"{self.remedy} Conditions: {conditions}",
                key=path,
            )


def _artifact_location(ctx: RunContext, artifact: str, line: int | None = None) -> Location | None:
    """The artifact when it is a file of the repository, else the build commands that made it."""
    if ctx.workspace.exists(artifact):
        return Location(artifact, line)
    return policy_key_location(ctx.loaded_policy, ctx.workspace, ("build", "commands"))


def _help(remedy: str, conditions: str, diff: Difference) -> str:
    """The remedy, the build conditions and diffoscope's report when there is one."""
    text = f"{remedy} Conditions: {conditions}"
    return f"{text}\ndiffoscope:\n{diff.report}" if diff.report else text


# -- build.deterministic-flags --------------------------------------------------------


class DeterministicFlags(BuildCheck):
    """No build flag makes an artifact depend on the build machine or the build time.

    ACES III.4: no non-deterministic compiler flags. Scanned at file:line:
    ``-C target-cpu=native``, ``-march=native``, ``-mtune=native``,
    ``-mcpu=native`` in Cargo manifests and ``.cargo/config.toml``, ``build.rs``,
    Makefiles, CMake files, Dockerfiles and CI workflows
    (``build.deterministic-flags.native``); ``__DATE__`` / ``__TIME__`` /
    ``__TIMESTAMP__`` in C and C++ sources (``.date-macro``); a build script or
    Makefile reading the clock without honouring SOURCE_DATE_EPOCH
    (``.build-time``); and a Cargo workspace whose ``[profile.release]`` is
    built without ``--remap-path-prefix`` in the rustflags of its
    ``.cargo/config.toml`` or ``trim-paths`` (``.remap-path-prefix``): the
    requirement applies to the workspace that declares how its release is built.
    """

    id = "build.deterministic-flags"
    clauses = ("build.deterministic-flags",)
    title = "No non-deterministic or non-portable build flags"
    remedy = (
        "Target a named CPU level instead of native, take the time from SOURCE_DATE_EPOCH, "
        "and set --remap-path-prefix in .cargo/config.toml rustflags; see docs/stage4-build.md."
    )

    def applies(self, ctx: RunContext) -> NotApplicable | None:
        """Not applicable without any build configuration or C source."""
        if any(buildflags.scanners_for(p) for p in ctx.workspace.files):
            return None
        return NotApplicable("no build configuration, build script or C source in the tree")

    def run(self, ctx: RunContext) -> Iterator[Finding]:
        """Every flag issue of every scanned file."""
        ws = ctx.workspace
        for path in ws.files:
            for scanner in buildflags.scanners_for(path):
                for issue in scanner(path, ws.read_text(path)):
                    yield self._finding(issue)
        manifests = {p: ws.read_text(p) for p in ws.files if p.rsplit("/", 1)[-1] == "Cargo.toml"}
        configs = {
            p: ws.read_text(p)
            for p in ws.files
            if p.endswith((".cargo/config.toml", ".cargo/config"))
        }
        for issue in buildflags.remap_issues(manifests, configs):
            yield self._finding(issue)

    def _finding(self, issue: buildflags.FlagIssue) -> Finding:
        return self.finding(
            issue.message,
            Location(issue.path, issue.line),
            rule_id=f"{self.id}.{issue.rule}",
            key=issue.key,
        )


# -- build.pinned-images --------------------------------------------------------------


class PinnedImages(BuildCheck):
    """Container images are pinned by digest and the packages installed in them by version.

    ACES III.4: Docker image pinned dependencies. Container build files are
    recognised by every naming of the ecosystem (``Dockerfile``, ``Dockerfile.dev``,
    ``Dockerfile-cuda``, ``gpu.Dockerfile``, ``Containerfile*``) and by what CI
    workflows and compose files name as one (``file:`` of docker/build-push-action,
    ``dockerfile:`` of a compose build, ``docker build -f``), never by a substring
    (``dockerfile.py`` is Python). They are parsed with
    dockerfile-parse (heredoc bodies included): every external ``FROM`` must
    carry ``@sha256:`` (``build.pinned-images.from-digest``); ``FROM ${BASE}`` is
    resolved from the ARG defaults before the first FROM, and an ARG without
    one is a finding (``.unresolved-arg``); a ``FROM`` naming an earlier stage
    is fine. In ``RUN`` commands, ``apt-get install`` / ``apk add`` need
    ``pkg=version``, ``pip install`` needs ``pkg==version`` (``-r`` only with
    ``--require-hashes``), ``npm install`` exact versions or ``npm ci``
    (``.package``). A build input fetched over plaintext (``RUN wget http://``,
    ``curl http://``, ``ADD http://``) is ``.plaintext-download``. Compose
    files: every service ``image:`` by digest (``.compose-image``). A build or
    compose file that cannot be read is a finding about that file
    (``.unreadable``), not the check's ERROR.
    """

    id = "build.pinned-images"
    clauses = ("build.pinned-images",)
    title = "Container images pinned by digest, packages pinned by version"
    remedy = (
        "Pin base images as name:tag@sha256:<digest> (docker buildx imagetools inspect prints "
        "it) and packages as pkg=version / pkg==version; see docs/stage4-build.md."
    )

    def applies(self, ctx: RunContext) -> NotApplicable | None:
        """Not applicable without a Dockerfile or compose file."""
        if _dockerfiles(ctx) or _compose_files(ctx):
            return None
        return NotApplicable("no Dockerfile or compose file in the tree")

    def run(self, ctx: RunContext) -> Iterator[Finding]:
        """Every pinning issue of every Dockerfile and compose file."""
        ws = ctx.workspace
        for path in _dockerfiles(ctx):
            try:
                parsed = containers.parse_dockerfile(path, ws.read_text(path))
            except AcesError as exc:
                yield self._unreadable(path, exc)
                continue
            for issue in containers.base_image_issues(parsed):
                yield self._finding(path, issue)
            for issue in containers.package_issues(parsed):
                yield self._finding(path, issue)
            for issue in containers.plaintext_downloads(parsed):
                yield self._finding(path, issue)
        for path in _compose_files(ctx):
            try:
                yield from (
                    self._finding(path, issue)
                    for issue in containers.compose_issues(path, ws.read_text(path))
                )
            except AcesError as exc:
                yield self._unreadable(path, exc)

    def _finding(self, path: str, issue: containers.Issue) -> Finding:
        return self.finding(
            issue.message,
            Location(path, issue.line),
            rule_id=f"{self.id}.{issue.rule}",
            key=issue.key,
        )

    def _unreadable(self, path: str, exc: AcesError) -> Finding:
        """One file that cannot be read: a finding about it (its pins cannot be known)."""
        return self.finding(
            f"cannot read this container build file, so its pins cannot be known: {exc.message}",
            Location(path),
            rule_id=f"{self.id}.unreadable",
            key=path,
        )


def _dockerfiles(ctx: RunContext) -> tuple[str, ...]:
    ws = ctx.workspace
    return ctx.memo.get(
        "containers.build-files", lambda: containers.container_build_files(ws.files, ws.read_text)
    )


def _compose_files(ctx: RunContext) -> tuple[str, ...]:
    return tuple(p for p in ctx.workspace.files if containers.is_compose_file(p))


# -- build.minimal-image --------------------------------------------------------------


class MinimalImage(BuildCheck):
    """The final image of each declared image build is within its size budget.

    ACES III.4: minimal final image size. For each ``[[build.images]]`` of the
    policy the image is built with the container engine (docker or podman) and
    its size compared with ``max_bytes``. Without a reachable container engine
    the check is ERROR ("no container engine"): a budget that cannot be
    measured is not met.
    """

    id = "build.minimal-image"
    clauses = ("build.minimal-image",)
    title = "The final image is within its size budget"
    remedy = (
        "Use a multi-stage build with a slim or distroless final stage and copy only the "
        "artifacts; see docs/stage4-build.md."
    )
    tools = ("docker",)

    def applies(self, ctx: RunContext) -> NotApplicable | None:
        """Not applicable when the policy declares no image build."""
        if ctx.policy.build.images:
            return None
        return NotApplicable(
            "the policy declares no image build ([[build.images]])", enable=("build.images",)
        )

    def cache_key(self, ctx: RunContext) -> str | None:
        """Never cached: the result depends on the engine and the registries."""
        del ctx
        return None

    def run(self, ctx: RunContext) -> Iterator[Finding]:
        """Build each image and hold its size against the budget."""
        engine = container_engine(ctx)
        for image in ctx.policy.build.images:
            size = _image_size(ctx, engine, image)
            problem = containers.over_budget(size, image.max_bytes)
            if problem:
                yield self.finding(problem, Location(image.dockerfile), key=image.dockerfile)


def _image_size(ctx: RunContext, engine: str, image: ImageBuild) -> int:
    """Build the image and read its size in bytes."""
    timeout = budget(ctx, ctx.policy.build.timeout_seconds)
    root = ctx.workspace.root
    built = ctx.processes.run(
        (engine, "build", "-q", "-f", image.dockerfile, image.context), cwd=root, timeout=timeout
    ).check_ok()
    image_id = built.stdout.strip().splitlines()[-1] if built.stdout.strip() else ""
    inspected = ctx.processes.run(
        (engine, "image", "inspect", "--format", "{{.Size}}", image_id),
        cwd=root,
        timeout=budget(ctx, ENGINE_TIMEOUT),
    ).check_ok()
    try:
        return containers.parse_image_size(inspected.stdout)
    except ValueError as exc:
        raise ToolError(f"cannot read the size of image {image_id}: {exc}") from exc


# -- build.size-deviation -------------------------------------------------------------


class SizeDeviation(BuildCheck):
    """Artifact sizes stay within the threshold of the committed baseline.

    ACES III.4: fails on large deviations in artifact size. The artifacts of
    the reproducible build are measured and compared with the policy's
    ``build.size_baseline`` (a committed JSON file, format in
    docs/stage4-build.md); a change beyond
    ``thresholds.artifact_size_deviation_percent`` either way fails, naming the
    artifact, both sizes and the percentage. An artifact missing from the
    baseline (``.unrecorded``) or recorded but no longer built (``.not-built``)
    fails too: an unknown size is not within bounds.
    """

    id = "build.size-deviation"
    clauses = ("build.size-deviation",)
    title = "Artifact sizes within the threshold of the baseline"
    remedy = (
        "Find what grew (or shrank) the artifact; if the change is intended, record the new "
        "size in the baseline file in the same PR (docs/stage4-build.md)."
    )

    def applies(self, ctx: RunContext) -> NotApplicable | None:
        """Not applicable without build commands or a baseline named by the policy."""
        build = ctx.policy.build
        if not build.commands:
            return NotApplicable(NO_COMMANDS, enable=("build.commands",))
        if not build.size_baseline:
            return NotApplicable("the policy names no artifact size baseline (build.size_baseline)")
        return None

    def run(self, ctx: RunContext) -> Iterator[Finding]:
        """One finding per artifact beyond the threshold, unrecorded or no longer built."""
        path = ctx.policy.build.size_baseline
        if not ctx.workspace.exists(path):
            raise InputError(
                "the size baseline named by build.size_baseline does not exist",
                path=path,
                hint="record it as described in docs/stage4-build.md and commit it",
            )
        text = ctx.workspace.read_text(path)
        baseline = parse_baseline(text, path)
        sizes = {a.path: a.size for a in reproduction(ctx).artifacts}
        threshold = ctx.policy.thresholds["artifact_size_deviation_percent"]
        for issue in size_issues(baseline, sizes, threshold):
            rule = {
                SizeIssueKind.DEVIATION: self.id,
                SizeIssueKind.NOT_IN_BASELINE: f"{self.id}.unrecorded",
                SizeIssueKind.NOT_BUILT: f"{self.id}.not-built",
            }[issue.kind]
            yield self.finding(
                issue.message(threshold),
                Location(path, _key_line(text, issue.artifact)),
                rule_id=rule,
                key=issue.artifact,
            )


def _key_line(text: str, key: str) -> int | None:
    """1-based line where the JSON key ``key`` is written, or None."""
    pattern = re.compile(re.escape(f'"{key}"') + r"\s*:")
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.search(line):
            return number
    return None


STAGE = StageDef(
    number=4,
    name="build",
    title="Build & Artifact Consistency",
    checks=(
        BuildReproducible(),
        DeterministicFlags(),
        PinnedImages(),
        MinimalImage(),
        SizeDeviation(),
        *build_inputs.CHECKS,
    ),
)
