"""What CI publishes, and whether an SBOM and a signature step go with it.

ACES V: an SBOM for every artifact, and artifacts signed. A repository whose CI
pushes images or uploads release assets publishes artifacts; each of them needs
a step that produces (or attaches) its SBOM and one that signs it. The steps of
every CI file are read from the YAML node tree (so each keeps its line):
``uses:`` actions with their ``with:`` settings, and every shell line of
``run:`` / ``script:`` blocks. Publishing, SBOM and signing steps are told apart
by the tools the ecosystem uses for each (tables below).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import yaml

from aces.engines.containers.rules import logical_lines, simple_commands
from aces.nesting import NestingError, parse_bounded

PUBLISH, SBOM, SIGN = "publish", "sbom", "sign"
_SHELL_KEYS = frozenset({"run", "script", "before_script", "after_script", "command", "commands"})

# shell commands, by what they do: each pattern is matched at the start of a simple command
_COMMANDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (SBOM, re.compile(r"(?:syft|cyclonedx(?:-py|-npm|-bom|-gomod)?|spdx-sbom-generator)\b")),
    (SBOM, re.compile(r"(?:aces\s+sbom|docker\s+sbom|cargo\s+(?:cyclonedx|sbom))\b")),
    (SBOM, re.compile(r"trivy\b.*--format[\s=](?:cyclonedx|spdx)")),
    (
        SBOM,
        re.compile(
            r"docker\s+(?:buildx\s+)?build\b.*(?:--sbom(?:=true)?(?![=\w])|--attest[\s=]type=sbom)"
        ),
    ),
    (SBOM, re.compile(r"cosign\s+attest\b.*--type[\s=](?:cyclonedx|spdx)")),
    (SIGN, re.compile(r"(?:cosign\s+(?:sign|attest)|aces\s+sign|notation\s+sign)\b")),
    (SIGN, re.compile(r"(?:docker\s+trust\s+sign|minisign\s+-S)\b")),
    (SIGN, re.compile(r"gpg2?\b.*--(?:detach-sign|clearsign|sign)\b")),
    (PUBLISH, re.compile(r"(?:docker|podman|buildah)\s+(?:image\s+|manifest\s+)?push\b")),
    (PUBLISH, re.compile(r"docker\s+buildx\s+(?:build|bake)\b.*--push\b")),
    (PUBLISH, re.compile(r"(?:gh\s+release\s+(?:create|upload)|(?:crane|oras)\s+push)\b")),
    (PUBLISH, re.compile(r"(?:twine\s+upload|(?:cargo|npm|poetry|uv)\s+publish)\b")),
    (PUBLISH, re.compile(r"(?:mix\s+hex\.publish|skopeo\s+copy|helm\s+push)\b")),
)
# actions (``uses:`` without the version), by what they do
_ACTIONS: dict[str, str] = {
    "anchore/sbom-action": SBOM,
    "advanced-security/sbom-generator-action": SBOM,
    "cyclonedx/gh-python-generate-sbom": SBOM,
    "cyclonedx/gh-node-module-generatebom": SBOM,
    "actions/attest-sbom": SBOM,
    "actions/attest-build-provenance": SIGN,
    "actions/attest": SIGN,
    "sigstore/gh-action-sigstore-python": SIGN,
    "slsa-framework/slsa-github-generator": SIGN,
    "softprops/action-gh-release": PUBLISH,
    "actions/upload-release-asset": PUBLISH,
    "svenstaro/upload-release-action": PUBLISH,
    "ncipollo/release-action": PUBLISH,
    "pypa/gh-action-pypi-publish": PUBLISH,
    "redhat-actions/push-to-registry": PUBLISH,
    "js-devtools/npm-publish": PUBLISH,
}
_PUSHING_BUILDS = ("docker/build-push-action", "docker/bake-action")
# ``gh release create <tag> [<files>...]``: the options that take a value; a release made
# with no file argument carries notes, not an artifact
_GH_RELEASE_VALUE_OPTIONS = frozenset(
    {
        "-t", "--title", "-n", "--notes", "-F", "--notes-file", "--target", "-R", "--repo",
        "--discussion-category", "--notes-start-tag",
    }
)  # fmt: skip
# release actions whose assets are an input: with none set, the release has no artifact
_RELEASE_ACTION_ASSETS = {"softprops/action-gh-release": "files"}


@dataclass(frozen=True)
class Step:
    """One CI step that publishes, produces an SBOM or signs: where, and what it runs."""

    path: str
    line: int
    kind: str  # PUBLISH, SBOM or SIGN
    what: str  # the action or the command line, as shown in findings


@dataclass(frozen=True)
class Unattested:
    """A publishing step and what no CI file provides for it (``SBOM``, ``SIGN`` or both)."""

    step: Step
    missing: tuple[str, ...]


def unattested(sources: Iterable[tuple[str, str]]) -> tuple[Unattested, ...]:
    """Publishing steps of the CI files ``sources`` ((path, text) pairs) lacking SBOM/signing.

    An SBOM or signing step anywhere in the repository's CI counts for every
    publishing step (they often live in another job or workflow).
    """
    steps = [step for path, text in sources for step in ci_steps(path, text)]
    kinds = {step.kind for step in steps}
    missing = tuple(kind for kind in (SBOM, SIGN) if kind not in kinds)
    if not missing:
        return ()
    return tuple(Unattested(step, missing) for step in steps if step.kind == PUBLISH)


def ci_steps(path: str, text: str) -> Iterator[Step]:
    """Every publishing, SBOM and signing step of one CI file, in file order."""
    try:
        root = parse_bounded(lambda t: yaml.compose(t, Loader=yaml.SafeLoader), text, path, "yaml")
    except (yaml.YAMLError, NestingError):
        return  # a CI file that does not parse is reported by the checks that read CI files
    yield from sorted(set(_walk(path, root)), key=lambda s: (s.line, s.kind, s.what))


def _walk(path: str, node: yaml.Node | None) -> Iterator[Step]:
    """Steps below ``node``: action mappings and shell blocks, at any depth."""
    pending = [node]
    seen: set[int] = set()  # an alias can make the node graph a cycle (``&a [*a]``)
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, yaml.MappingNode):
            yield from _action(path, current)
            for key, value in current.value:
                if isinstance(key, yaml.ScalarNode) and key.value in _SHELL_KEYS:
                    yield from _shell(path, value)
                else:
                    pending.append(value)
        elif isinstance(current, yaml.SequenceNode):
            pending.extend(current.value)


def _action(path: str, step: yaml.MappingNode) -> Iterator[Step]:
    """The step's ``uses:`` action, read with its ``with:`` settings."""
    found = _scalar(step, "uses")
    if found is None:
        return
    uses, line = found
    name = uses.split("@", 1)[0].lower()
    settings = _settings(step)
    if name in _RELEASE_ACTION_ASSETS and not settings.get(_RELEASE_ACTION_ASSETS[name]):
        return  # a release of notes only: no artifact to attest
    if name in _ACTIONS:
        yield Step(path, line, _ACTIONS[name], uses)
    elif name == "aquasecurity/trivy-action" and settings.get("format", "").startswith(
        ("cyclonedx", "spdx")
    ):
        yield Step(path, line, SBOM, uses)
    elif name in _PUSHING_BUILDS:
        if _true(settings.get("sbom", "")) or "type=sbom" in settings.get("attests", ""):
            yield Step(path, line, SBOM, uses)
        if settings.get("push", "false").strip().lower() not in ("false", "", "0"):
            yield Step(path, line, PUBLISH, f"{uses} with push: {settings['push']}")


def _shell(path: str, node: yaml.Node) -> Iterator[Step]:
    """Publishing, SBOM and signing commands of a ``run:`` block or a ``script:`` list."""
    items = node.value if isinstance(node, yaml.SequenceNode) else [node]
    for item in items:
        if not isinstance(item, yaml.ScalarNode):
            continue
        first = item.start_mark.line + (2 if item.style in ("|", ">") else 1)
        for offset, line in logical_lines(str(item.value)):
            for words in simple_commands(line):
                command = " ".join([words[0].rsplit("/", 1)[-1], *words[1:]])
                if _release_without_assets(words):
                    continue
                for kind, pattern in _COMMANDS:
                    if pattern.match(command):
                        yield Step(path, first + offset, kind, command[:120])


def _release_without_assets(words: list[str]) -> bool:
    """Whether the command is ``gh release create <tag>`` with no file to attach."""
    if [w.rsplit("/", 1)[-1] for w in words[:3]] != ["gh", "release", "create"]:
        return False
    positionals: list[str] = []
    rest = iter(words[3:])
    for word in rest:
        if word in _GH_RELEASE_VALUE_OPTIONS:
            next(rest, None)
        elif word == "--":
            positionals.extend(rest)
        elif not word.startswith("-"):
            positionals.append(word)
    return len(positionals) <= 1  # the tag alone


def _scalar(mapping: yaml.MappingNode, key: str) -> tuple[str, int] | None:
    """The string value of ``key`` and its line."""
    for key_node, value in mapping.value:
        if key_node.value == key and isinstance(value, yaml.ScalarNode):
            return str(value.value), value.start_mark.line + 1
    return None


def _settings(step: yaml.MappingNode) -> dict[str, str]:
    """The ``with:`` scalars of a step, as strings."""
    for key_node, value in step.value:
        if key_node.value == "with" and isinstance(value, yaml.MappingNode):
            return {
                str(k.value): str(v.value)
                for k, v in value.value
                if isinstance(k, yaml.ScalarNode) and isinstance(v, yaml.ScalarNode)
            }
    return {}


def _true(value: str) -> bool:
    return value.strip().lower() in ("true", "1", "yes")
