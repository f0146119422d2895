"""A compose file's own services are local hosts to one another.

In a compose file, ``http://backend:8000`` or ``postgresql://u@db/app`` names a
service of the same file: the connection runs over the project's bridge network
on one machine, and never leaves it. A service that runs in swarm mode
(``deploy:`` with replicas spread over nodes, or an ``overlay`` network) may
reach another machine, so there the names are not taken as local.
"""

from __future__ import annotations

import yaml

from aces.engines.containers.compose import is_compose_file
from aces.errors import InputError
from aces.nesting import parse_bounded


def local_service_names(path: str, text: str) -> frozenset[str]:
    """The service names of a single-host compose file (none for another file)."""
    if not is_compose_file(path):
        return frozenset()
    try:
        root = parse_bounded(lambda body: yaml.safe_load(body), text, path, "yaml")
    except (yaml.YAMLError, InputError):
        return frozenset()
    services = root.get("services") if isinstance(root, dict) else None
    if not isinstance(services, dict) or _spans_machines(root, services):
        return frozenset()
    return frozenset(str(name).lower() for name in services)


def _spans_machines(root: dict[object, object], services: dict[object, object]) -> bool:
    """Whether a service is deployed by swarm or a network is an overlay."""
    networks = root.get("networks")
    if isinstance(networks, dict) and any(
        isinstance(n, dict) and n.get("driver") == "overlay" for n in networks.values()
    ):
        return True
    return any(isinstance(s, dict) and "deploy" in s for s in services.values())
