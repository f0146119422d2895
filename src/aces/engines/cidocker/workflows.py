"""Reading the Dockerfile builds of one GitHub Actions workflow (see the package docstring)."""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass

import yaml

_BUILD_ACTION = re.compile(r"(^|/)build-push-action@", re.IGNORECASE)
_DOCKER_BUILD = (
    ("docker", "build"),
    ("docker", "buildx", "build"),
    ("docker", "image", "build"),
    ("podman", "build"),
    ("buildah", "bud"),
)
# options of docker build that take a value (so their value is not the context)
_VALUED = frozenset(
    {"-t", "--tag", "--build-arg", "--target", "--label", "--platform", "--network",
     "--secret", "--ssh", "--cache-from", "--cache-to", "-o", "--output", "--iidfile",
     "--add-host", "--progress", "--builder", "--build-context", "--shm-size", "-m",
     "--memory", "--ulimit", "--annotation", "--attest", "--metadata-file", "--cgroup-parent",
     "--isolation", "--allow", "--provenance", "--sbom"}
)  # fmt: skip


@dataclass(frozen=True, order=True)
class DockerfileBuild:
    """A Dockerfile a workflow builds: its repository path and the workflow line naming it."""

    workflow: str
    line: int
    dockerfile: str


def dockerfile_builds(path: str, text: str) -> list[DockerfileBuild]:
    """Every resolvable Dockerfile a workflow builds; [] when it is not a readable workflow."""
    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        return []
    lines = text.splitlines()
    found: list[DockerfileBuild] = []
    for node in _step_nodes(root):
        step = yaml.safe_load(yaml.serialize(node))
        if not isinstance(step, dict):
            continue
        first, last = node.start_mark.line, node.end_mark.line + 1
        for target, needle in _step_targets(step):
            line = _line_of(lines[first:last], needle)
            found.append(DockerfileBuild(path, first + line + 1, target))
    return sorted(set(found))


def _step_nodes(root: yaml.Node | None) -> Iterator[yaml.Node]:
    """The step mappings of every job, as composed nodes (they carry their lines)."""
    jobs = _value(root, "jobs")
    if not isinstance(jobs, yaml.MappingNode):
        return
    for _, job in jobs.value:
        steps = _value(job, "steps")
        if isinstance(steps, yaml.SequenceNode):
            yield from steps.value


def _value(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    for name, value in node.value:
        if isinstance(name, yaml.ScalarNode) and name.value == key and isinstance(value, yaml.Node):
            return value
    return None


def _step_targets(step: dict[object, object]) -> Iterator[tuple[str, str]]:
    uses = step.get("uses")
    if isinstance(uses, str) and _BUILD_ACTION.search(uses):
        inputs = step.get("with")
        inputs = inputs if isinstance(inputs, dict) else {}
        file, context = inputs.get("file"), inputs.get("context", ".")
        if isinstance(file, str) and file.strip():
            if _plain(file):
                yield _clean(file), file
        elif isinstance(context, str) and _plain(context) and "://" not in context:
            yield _clean(posixpath.join(context, "Dockerfile")), uses
    run = step.get("run")
    if isinstance(run, str):
        workdir = step.get("working-directory")
        base = workdir if isinstance(workdir, str) and _plain(workdir) else "."
        for command in _commands(run):
            target = _run_target(command)
            if target is not None:
                named = target.removesuffix("/Dockerfile") if _is_default(target) else target
                yield _clean(posixpath.join(base, target)), f"build\x1f{named}"


def _commands(script: str) -> Iterator[list[str]]:
    """The simple commands of a shell script (continuations joined, split at ``&&`` / ``;``)."""
    joined = re.sub(r"\\\n", " ", script)
    for line in joined.splitlines():
        try:
            words = shlex.split(line, comments=True)
        except ValueError:
            continue
        command: list[str] = []
        for word in [*words, ";"]:
            if word in (";", "&&", "||", "|"):
                if command:
                    yield command
                command = []
            else:
                command.append(word)


def _run_target(words: list[str]) -> str | None:
    """The Dockerfile a ``docker build`` command builds, or None."""
    for prefix in _DOCKER_BUILD:
        for start in range(len(words) - len(prefix) + 1):
            if tuple(words[start : start + len(prefix)]) == prefix:
                return _build_args(words[start + len(prefix) :])
    return None


def _build_args(args: list[str]) -> str | None:
    file: str | None = None
    context: str | None = None
    index = 0
    while index < len(args):
        word = args[index]
        if word in ("-f", "--file"):
            file = args[index + 1] if index + 1 < len(args) else None
            index += 2
            continue
        if word.startswith("--file="):
            file = word.split("=", 1)[1]
        elif word in _VALUED:
            index += 1
        elif not word.startswith("-") and context is None:
            context = word
        index += 1
    if file is not None:
        return file if _plain(file) and file != "-" else None
    if context is None or not _plain(context) or "://" in context or context == "-":
        return None
    return posixpath.join(context, "Dockerfile")


def _is_default(target: str) -> bool:
    return target.endswith("/Dockerfile") and not target.startswith("Dockerfile")


def _plain(value: str) -> bool:
    """No expression or variable to resolve."""
    return "${{" not in value and "$" not in value and "`" not in value


def _clean(path: str) -> str:
    return posixpath.normpath(path.strip()).lstrip("/").removeprefix("./")


def _line_of(lines: list[str], needle: str) -> int:
    """Offset (from 0) of the first line holding every ``\x1f``-separated part of
    ``needle``, else of the last part alone, else 0."""
    parts = [p for p in needle.split("\x1f") if p]
    for wanted in (parts, parts[-1:]):
        for number, line in enumerate(lines):
            if wanted and all(p in line for p in wanted):
                return number
    return 0
