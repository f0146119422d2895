"""Which files are container build files: the ecosystem's namings, what builds name, content.

A container build file is recognised three ways, never by a substring of its path:

* by the names Docker, Podman and Buildah users give them: ``Dockerfile`` and
  ``Containerfile``, a variant after a dot, dash or underscore (``Dockerfile.dev``,
  ``Dockerfile-cuda``, ``Containerfile_arm64``) or before a dot (``gpu.Dockerfile``),
  in any letter case. A variant whose last extension belongs to another kind of
  file (``dockerfile.py``, ``Dockerfile.dockerignore``, ``Dockerfile.md``) is that
  kind of file;
* by what names it as a build input: ``file:`` of ``docker/build-push-action`` in
  a CI workflow, ``dockerfile:`` of a compose service's ``build:``, and ``-f`` /
  ``--file`` of ``docker build`` / ``podman build`` / ``buildah bud`` in CI files;
* a name variant must also read as one: its first instruction is ``FROM`` or
  ``ARG`` (after comments and parser directives), as the Dockerfile format requires.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Callable, Iterable, Iterator

import yaml

from aces.nesting import NestingError, parse_bounded
from aces.workspace.languages import EXTENSIONS

_BUILD_FILE = re.compile(
    r"(?:dockerfile|containerfile)(?:[.\-_].+)?|.+\.(?:dockerfile|containerfile)"
)
# extensions of other kinds of files: source, data and docs, and the per-Dockerfile ignore file
_OTHER_KINDS = (frozenset(EXTENSIONS) - {".dockerfile"}) | {
    ".dockerignore",
    ".txt",
    ".lock",
    ".cfg",
    ".ini",
    ".bak",
    ".orig",
    ".rej",
    ".patch",
    ".diff",
    ".swp",
}
_FIRST_INSTRUCTION = re.compile(r"^\s*(FROM|ARG)\s", re.IGNORECASE)
_CI_FILE = re.compile(
    r"(?:^|/)(?:\.github/workflows/[^/]+\.ya?ml|\.gitlab-ci\.ya?ml|\.buildkite/[^/]+\.ya?ml"
    r"|\.circleci/config\.ya?ml|Jenkinsfile|azure-pipelines\.ya?ml|\.drone\.ya?ml)$"
)
_BUILD_COMMAND = re.compile(
    r"\b(?:docker(?:\s+buildx)?\s+build|podman\s+build|buildah\s+(?:bud|build))\b[^\n]*"
)


def named_as_build_file(path: str) -> bool:
    """Whether the file name is one of the container ecosystem's namings of a build file."""
    name = path.rsplit("/", 1)[-1]
    lower = name.lower()
    if not _BUILD_FILE.fullmatch(lower):
        return False
    if lower in ("dockerfile", "containerfile"):
        return True
    dot = lower.rfind(".")
    return dot < 0 or lower[dot:] not in _OTHER_KINDS


def exact_name(path: str) -> bool:
    """``Dockerfile`` / ``Containerfile`` itself (any case): a build file whatever it holds."""
    return path.rsplit("/", 1)[-1].lower() in ("dockerfile", "containerfile")


def reads_as_build_file(text: str) -> bool:
    """Whether the first instruction of ``text`` is ``FROM`` or ``ARG`` (the format's rule)."""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        return bool(_FIRST_INSTRUCTION.match(line))
    return False


def is_ci_file(path: str) -> bool:
    """Whether ``path`` is a CI pipeline definition that can name build files."""
    return bool(_CI_FILE.search(path))


def referenced_build_files(
    sources: Iterable[tuple[str, str]], exists: Callable[[str], bool], is_compose: bool = False
) -> Iterator[str]:
    """The files that CI files (or compose files, ``is_compose``) name as build files.

    ``sources`` holds (path, text) pairs; only names that are files of the
    workspace (``exists``) are yielded.
    """
    for path, text in sources:
        where = posixpath.dirname(path)
        names = _compose_names(path, text) if is_compose else _ci_names(text)
        for context, name in names:
            for candidate in _candidates(where, context, name, is_compose):
                if exists(candidate):
                    yield candidate
                    break


def _candidates(where: str, context: str, name: str, is_compose: bool) -> list[str]:
    """Where a named build file may be: compose paths are relative to the compose file."""
    base = where if is_compose else ""
    out = [
        posixpath.normpath(posixpath.join(base, context, name)),
        posixpath.normpath(posixpath.join(base, name)),
    ]
    return [c for c in out if not c.startswith("../") and c != ".."]


def _ci_names(text: str) -> Iterator[tuple[str, str]]:
    """(context, file) pairs: ``docker/build-push-action`` steps and ``-f`` of build commands."""
    yield from _action_files(text)
    for command in _BUILD_COMMAND.finditer(text):
        yield from (("", name) for name in _file_options(command.group()))


def _file_options(command: str) -> Iterator[str]:
    try:
        words = shlex.split(command, comments=True)
    except ValueError:
        words = command.split()
    for word, following in zip(words, [*words[1:], ""], strict=True):
        if word in ("-f", "--file") and following and not following.startswith("$"):
            yield following
        elif word.startswith("--file="):
            yield word.split("=", 1)[1]


def _action_files(text: str) -> Iterator[tuple[str, str]]:
    """``with: {file, context}`` of every step that uses ``docker/build-push-action``."""
    for step in _steps(_load(text)):
        uses, settings = step.get("uses"), step.get("with")
        if not (isinstance(uses, str) and uses.startswith("docker/build-push-action")):
            continue
        if isinstance(settings, dict) and isinstance(settings.get("file"), str):
            context = settings.get("context")
            yield (context if isinstance(context, str) else ""), settings["file"]


def _compose_names(path: str, text: str) -> Iterator[tuple[str, str]]:
    """(context, dockerfile) of every compose service whose ``build:`` names a Dockerfile."""
    services = _load(text)
    services = services.get("services") if isinstance(services, dict) else None
    if not isinstance(services, dict):
        return
    for service in services.values():
        build = service.get("build") if isinstance(service, dict) else None
        if isinstance(build, dict) and isinstance(build.get("dockerfile"), str):
            context = build.get("context")
            yield (context if isinstance(context, str) else ""), build["dockerfile"]


def _steps(document: object) -> Iterator[dict[str, object]]:
    """Every step mapping of a GitHub workflow's jobs."""
    jobs = document.get("jobs") if isinstance(document, dict) else None
    if not isinstance(jobs, dict):
        return
    for job in jobs.values():
        steps = job.get("steps") if isinstance(job, dict) else None
        if isinstance(steps, list):
            yield from (step for step in steps if isinstance(step, dict))


def _load(text: str) -> object:
    """The YAML document, or None when it does not parse (its own check reports that)."""
    try:
        return parse_bounded(yaml.safe_load, text, "workflow", "yaml")
    except (yaml.YAMLError, NestingError):
        return None
