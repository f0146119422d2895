"""Committed CI pipelines, read into one shape: jobs, their commands, gates and switches.

GitHub Actions workflows, ``.gitlab-ci.yml`` and Buildkite pipelines are parsed
with PyYAML's node API, so every value keeps its line. Each job becomes a
``CiJob``: the command lines it runs (``run`` / ``script`` / ``commands``), the
jobs it waits for (``needs`` / ``depends_on``) and its *switches*, the keys that
decide whether a failure still fails the pipeline (``continue-on-error``,
``if``, ``allow_failure``, ``rules``, ``soft_fail``, ...). YAML merge keys and
GitLab ``extends`` are followed, since a switch hidden in a template counts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import yaml

from aces.errors import InputError

GITHUB, GITLAB, BUILDKITE = "github", "gitlab", "buildkite"
GITHUB_SWITCHES = ("if", "continue-on-error")
GITLAB_SWITCHES = ("allow_failure", "when", "rules", "only", "except")
BUILDKITE_SWITCHES = ("soft_fail", "if", "skip", "allow_dependency_failure", "branches")
GITLAB_RESERVED = frozenset(
    {"stages", "variables", "default", "workflow", "include", "image", "services",
     "before_script", "after_script", "cache", "spec"}
)  # fmt: skip
MAX_TEMPLATE_DEPTH = 10


@dataclass(frozen=True)
class Switch:
    """A key that can let a failing job or step pass: where it is and its value as text."""

    name: str  # "continue-on-error", or "steps[Upload].if" for a step's key
    value: str
    line: int


@dataclass(frozen=True)
class CiJob:
    """One job of a pipeline."""

    key: str
    line: int
    commands: tuple[tuple[str, int], ...] = ()  # (command line, its line)
    needs: tuple[str, ...] = ()
    switches: tuple[Switch, ...] = ()

    def switch(self, name: str) -> str | None:
        """The value of switch ``name``, None when the job does not set it."""
        return next((s.value for s in self.switches if s.name == name), None)


@dataclass(frozen=True)
class CiPipeline:
    """A pipeline file of one provider, as jobs keyed by id."""

    provider: str
    path: str
    jobs: dict[str, CiJob] = field(default_factory=dict)
    # when the pipeline runs at all: GitHub's ``on.<event>``, GitLab's ``workflow``
    triggers: tuple[Switch, ...] = ()

    def trigger(self, name: str) -> Switch | None:
        """The trigger called ``name``, if the pipeline has it."""
        return next((t for t in self.triggers if t.name == name), None)


def provider_of(path: str) -> str | None:
    """The CI provider whose pipeline lives at ``path`` (None for any other file)."""
    if path.startswith(".github/workflows/") and path.endswith((".yml", ".yaml")):
        return None if "/" in path.removeprefix(".github/workflows/") else GITHUB
    if path == ".gitlab-ci.yml":
        return GITLAB
    if path in (".buildkite/pipeline.yml", ".buildkite/pipeline.yaml"):
        return BUILDKITE
    return None


def parse_pipeline(provider: str, path: str, text: str) -> CiPipeline:
    """The jobs of a pipeline file; InputError naming the file and line when unreadable."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise InputError(f"{path}{line}: not valid YAML ({getattr(exc, 'problem', exc)})") from exc
    except RecursionError as exc:
        raise InputError("nested too deeply to read", path=path) from exc
    readers = {GITHUB: _github_jobs, GITLAB: _gitlab_jobs, BUILDKITE: _buildkite_jobs}
    jobs = readers[provider](root)
    return CiPipeline(provider, path, {job.key: job for job in jobs}, _triggers(provider, root))


def _triggers(provider: str, root: yaml.Node | None) -> tuple[Switch, ...]:
    """GitHub: one trigger per ``on`` event; GitLab: the ``workflow`` block; Buildkite: none."""
    top = mapping(root)
    if provider == GITLAB and "workflow" in top:
        return (Switch("workflow", text(top["workflow"]), line_of(top["workflow"])),)
    if provider != GITHUB or "on" not in top:
        return ()
    events = top["on"]
    if isinstance(events, yaml.MappingNode):
        lines = key_lines(events)
        return tuple(
            Switch(f"on.{name}", text(node), lines.get(name, line_of(node)))
            for name, node in mapping(events).items()
        )
    return tuple(Switch(f"on.{text(item)}", "null", line_of(item)) for item in items(events))


# -- nodes ----------------------------------------------------------------------------------


def line_of(node: yaml.Node) -> int:
    """1-based line of a node."""
    return int(node.start_mark.line) + 1


def mapping(node: yaml.Node | None, depth: int = 0) -> dict[str, yaml.Node]:
    """A mapping node as key -> value node, YAML merge keys (``<<``) applied below its keys."""
    if not isinstance(node, yaml.MappingNode) or depth > MAX_TEMPLATE_DEPTH:
        return {}
    out: dict[str, yaml.Node] = {}
    merged: dict[str, yaml.Node] = {}
    for key, value in node.value:
        if not isinstance(key, yaml.ScalarNode):
            continue
        if key.value == "<<":
            for source in value.value if isinstance(value, yaml.SequenceNode) else [value]:
                merged = {**mapping(source, depth + 1), **merged}
        else:
            out[str(key.value)] = value
    return {**merged, **out}


def key_lines(node: yaml.Node | None) -> dict[str, int]:
    """The line of each key written directly in a mapping node."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(k.value): line_of(k) for k, _ in node.value if isinstance(k, yaml.ScalarNode)}


def text(node: yaml.Node | None) -> str:
    """A node's value as text: a scalar's value, or the YAML of a collection."""
    if node is None:
        return ""
    if isinstance(node, yaml.ScalarNode):
        return str(node.value)
    # collections compare by value, not by layout: their JSON form, keys sorted
    value = yaml.SafeLoader("").construct_document(node)
    return json.dumps(value, sort_keys=True, default=str)


def items(node: yaml.Node | None) -> list[yaml.Node]:
    """A sequence's items, or the node alone (``needs: a`` is ``needs: [a]``)."""
    if node is None:
        return []
    return list(node.value) if isinstance(node, yaml.SequenceNode) else [node]


def command_lines(node: yaml.Node | None) -> list[tuple[str, int]]:
    """Every non-empty line of a script (a string or a list of strings), with its line."""
    out: list[tuple[str, int]] = []
    for item in items(node):
        if not isinstance(item, yaml.ScalarNode):
            continue
        block = 1 if item.style in ("|", ">") else 0
        for i, raw in enumerate(str(item.value).splitlines()):
            if raw.strip():
                out.append((raw.strip(), line_of(item) + block + i))
    return out


def switches(job: dict[str, yaml.Node], names: tuple[str, ...], prefix: str = "") -> list[Switch]:
    """The job's (or step's) switch keys that are set."""
    return [
        Switch(prefix + name, text(job[name]), line_of(job[name])) for name in names if name in job
    ]


def names(node: yaml.Node | None, key: str) -> tuple[str, ...]:
    """Job names of a ``needs`` / ``depends_on`` value (strings, or maps with ``key``)."""
    found = []
    for item in items(node):
        named = mapping(item).get(key) if isinstance(item, yaml.MappingNode) else item
        if isinstance(named, yaml.ScalarNode) and named.value:
            found.append(str(named.value))
    return tuple(sorted(found))


# -- providers --------------------------------------------------------------------------------


def _github_jobs(root: yaml.Node | None) -> list[CiJob]:
    top = mapping(root)
    jobs = []
    lines = key_lines(top.get("jobs"))
    for key, node in mapping(top.get("jobs")).items():
        job = mapping(node)
        commands: list[tuple[str, int]] = []
        found = switches(job, GITHUB_SWITCHES)
        for i, step_node in enumerate(items(job.get("steps"))):
            step = mapping(step_node)
            commands += command_lines(step.get("run"))
            label = text(step.get("name")) or text(step.get("uses")) or str(i)
            found += switches(step, GITHUB_SWITCHES, f"steps[{label}].")
        jobs.append(
            CiJob(
                key, lines.get(key, 1), tuple(commands), names(job.get("needs"), ""), tuple(found)
            )
        )
    return jobs


def _gitlab_jobs(root: yaml.Node | None) -> list[CiJob]:
    top, lines = mapping(root), key_lines(root)
    jobs = []
    for key, node in top.items():
        if key in GITLAB_RESERVED or key.startswith(".") or not isinstance(node, yaml.MappingNode):
            continue
        job = _extended(top, mapping(node))
        commands = command_lines(job.get("before_script")) + command_lines(job.get("script"))
        found = switches(job, GITLAB_SWITCHES)
        jobs.append(
            CiJob(
                key,
                lines.get(key, 1),
                tuple(commands),
                names(job.get("needs"), "job"),
                tuple(found),
            )
        )
    return jobs


def _extended(
    top: dict[str, yaml.Node], job: dict[str, yaml.Node], depth: int = 0
) -> dict[str, yaml.Node]:
    """A GitLab job with the templates it ``extends`` merged in below its own keys."""
    if "extends" not in job or depth > MAX_TEMPLATE_DEPTH:
        return job
    merged: dict[str, yaml.Node] = {}
    for parent in items(job["extends"]):
        template = top.get(text(parent))
        if template is not None:
            merged.update(_extended(top, mapping(template), depth + 1))
    return {**merged, **job}


def _buildkite_jobs(root: yaml.Node | None) -> list[CiJob]:
    top = mapping(root)
    jobs = []
    for i, node in enumerate(items(top.get("steps"))):
        step = mapping(node)
        key = (
            text(step.get("key"))
            or text(step.get("id"))
            or text(step.get("label"))
            or f"step {i + 1}"
        )
        commands = command_lines(step.get("commands")) + command_lines(step.get("command"))
        needs = names(step.get("depends_on"), "step")
        found = switches(step, (*BUILDKITE_SWITCHES, "continue_on_failure"))
        jobs.append(CiJob(key, line_of(node), tuple(commands), needs, tuple(found)))
    return jobs
