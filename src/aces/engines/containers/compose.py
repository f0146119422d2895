"""Compose files: every service ``image:`` pinned by digest.

The YAML is composed with PyYAML into nodes, which keep their line numbers, so
each finding points at the ``image:`` line. A service with ``build:`` builds its
own image (its Dockerfile is checked on its own); an ``image:`` beside the
``build:`` is the name the built image gets, not an image pulled, so no digest
applies to it.
"""

from __future__ import annotations

from collections.abc import Iterator

import yaml

from aces.engines.containers.rules import DIGEST, Issue
from aces.errors import InputError
from aces.nesting import parse_bounded

COMPOSE_NAMES = (
    "compose.yaml",
    "compose.yml",
    "docker-compose.yaml",
    "docker-compose.yml",
)


def is_compose_file(path: str) -> bool:
    """Whether ``path`` is a compose file (``compose.yaml``, ``docker-compose.*.yml``)."""
    name = path.rsplit("/", 1)[-1]
    if name in COMPOSE_NAMES:
        return True
    return name.startswith(("docker-compose.", "compose.")) and name.endswith((".yml", ".yaml"))


def compose_issues(path: str, text: str) -> Iterator[Issue]:
    """Every service image of the compose file not pinned by digest."""
    try:
        root = parse_bounded(
            lambda body: yaml.compose(body, Loader=yaml.SafeLoader), text, path, "yaml"
        )
    except yaml.YAMLError as exc:
        raise InputError(f"cannot parse the compose file: {exc}", path=path) from exc
    services = _child(root, "services")
    if not isinstance(services, yaml.MappingNode):
        return
    for name_node, service in services.value:
        image = _child(service, "image")
        if not isinstance(image, yaml.ScalarNode) or _child(service, "build") is not None:
            continue
        ref = str(image.value).strip()
        if "${" in ref or ("$" in ref and not DIGEST.search(ref)):
            yield Issue(
                "compose-image",
                image.start_mark.line + 1,
                f"service {name_node.value}: image {ref} depends on an environment variable, "
                "so its digest cannot be known",
                ref,
            )
        elif not DIGEST.search(ref):
            yield Issue(
                "compose-image",
                image.start_mark.line + 1,
                f"service {name_node.value}: image {ref} is not pinned by digest (@sha256:...)",
                ref,
            )


def built_image_lines(path: str, text: str) -> frozenset[int]:
    """The lines of the ``image:`` keys that name what a service's ``build:`` makes."""
    try:
        root = parse_bounded(
            lambda body: yaml.compose(body, Loader=yaml.SafeLoader), text, path, "yaml"
        )
    except (yaml.YAMLError, InputError):
        return frozenset()  # an unparsable compose file is reported by the build check
    services = _child(root, "services")
    if not isinstance(services, yaml.MappingNode):
        return frozenset()
    return frozenset(
        image.start_mark.line + 1
        for _, service in services.value
        if (image := _child(service, "image")) is not None and _child(service, "build") is not None
    )


def _child(node: yaml.Node | None, key: str) -> yaml.Node | None:
    """The value node of ``key`` in a mapping node, or None."""
    if not isinstance(node, yaml.MappingNode):
        return None
    for key_node, value in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            return value  # type: ignore[no-any-return]
    return None
