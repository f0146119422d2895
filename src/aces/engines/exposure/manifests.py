"""Compose and Kubernetes manifests: privileges, host namespaces and exposed ports.

Every YAML document of a file is read with positions (``yaml.compose_all``). A
document with a ``services`` mapping is a Compose file; one with ``apiVersion``
and ``kind`` is a Kubernetes object. Findings: ``privileged: true``; host
networking (``network_mode: host``, ``hostNetwork: true``) and the host's PID /
IPC namespaces; ``cap_add`` / ``capabilities.add`` holding ``ALL``; published
ports (Compose ``ports``, Kubernetes ``hostPort`` and NodePort / LoadBalancer
Service ports) outside the policy's allowed list. A Compose port bound to a
loopback address is not exposed; an interpolated port is read at its default
(``${PORT:-4000}``), and one with no default cannot be read (a finding). A YAML
file that does not parse is a finding at the parser's line: what cannot be read
cannot be cleared.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

import yaml

from aces.engines.tlsrules.textscan import Hit

PREFIX = "sec.unsafe-exposure"
_PORT_SPEC = re.compile(
    r"^(?:(?P<ip>\[[^\]]*\]|\d+\.\d+\.\d+\.\d+):)?(?:(?P<host>\d+(?:-\d+)?):)?(?P<container>\d+(?:-\d+)?)"
    r"(?:/(?:tcp|udp|sctp))?$"
)
_LOOPBACK_IPS = frozenset({"127.0.0.1", "[::1]", "localhost"})
# Compose interpolation with a default (``${PORT:-4000}``, ``${PORT-4000}``): the default is
# what a plain ``docker compose up`` publishes. A bare ``${PORT}`` has no value to read.
_DEFAULTED = re.compile(r"\$\{\w+:?-([^}]*)\}")


def _line(node: yaml.Node) -> int:
    """1-based line of a node."""
    return int(node.start_mark.line) + 1


def _items(node: yaml.Node) -> Iterator[tuple[str, yaml.Node, yaml.Node]]:
    """(key text, key node, value node) of a mapping node's scalar keys."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                yield str(key.value), key, value


def _get(node: yaml.Node, name: str) -> yaml.Node | None:
    """The value of ``name`` in a mapping node, or None."""
    return next((value for key, _, value in _items(node) if key == name), None)


def _scalar(node: yaml.Node | None) -> str | None:
    """The text of a scalar node, or None."""
    return str(node.value) if isinstance(node, yaml.ScalarNode) else None


def _is_true(node: yaml.Node | None) -> bool:
    """Whether a scalar node is YAML true."""
    text = _scalar(node)
    return text is not None and text.lower() in ("true", "yes", "on")


def _walk(node: yaml.Node) -> Iterator[yaml.Node]:
    """Every node below (and including) ``node``, depth first."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if isinstance(current, yaml.MappingNode):
            stack.extend(v for pair in reversed(current.value) for v in reversed(pair))
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(reversed(current.value))


def _port_numbers(text: str) -> list[int]:
    """``8080`` -> [8080]; ``8000-8002`` -> [8000, 8001, 8002] (ranges capped at 1024 ports)."""
    low, _, high = text.partition("-")
    start, end = int(low), int(high or low)
    return list(range(start, min(end, start + 1023) + 1))


class _Scanner:
    """Collects the hits of one file."""

    def __init__(self, path: str, allowed_ports: Sequence[int]) -> None:
        self.path = path
        self.allowed = frozenset(allowed_ports)
        self.hits: list[Hit] = []

    def add(self, rule: str, node: yaml.Node, message: str) -> None:
        """Record a hit of ``PREFIX.rule`` at ``node``."""
        column = int(node.start_mark.column) + 1
        self.hits.append(Hit(f"{PREFIX}.{rule}", self.path, _line(node), column, message))

    def port(self, number: int, node: yaml.Node, where: str) -> None:
        """A finding when ``number`` is published and not allowed by the policy."""
        if number not in self.allowed:
            shown = ", ".join(str(p) for p in sorted(self.allowed)) or "none"
            self.add(
                "port",
                node,
                f"{where} exposes port {number}, not in [security.exposure] allowed_ports "
                f"({shown})",
            )

    # -- shared rules -------------------------------------------------------------------------

    def privileges(self, root: yaml.Node) -> None:
        """privileged, host namespaces and ALL capabilities, anywhere in the document."""
        for node in _walk(root):
            for key, key_node, value in _items(node):
                self._privilege(key, key_node, value)

    def _privilege(self, key: str, key_node: yaml.Node, value: yaml.Node) -> None:
        """The privilege rules for one key of a mapping."""
        if key == "privileged" and _is_true(value):
            self.add("privileged", key_node, "the container runs privileged")
        elif (key == "network_mode" and _scalar(value) == "host") or (
            key == "hostNetwork" and _is_true(value)
        ):
            self.add("host-network", key_node, "the container shares the host's network")
        elif (key in ("pid", "ipc") and _scalar(value) == "host") or (
            key in ("hostPID", "hostIPC") and _is_true(value)
        ):
            self.add("host-namespace", key_node, f"the container shares the host's {key}")
        elif key in ("cap_add", "add") and isinstance(value, yaml.SequenceNode):
            for item in value.value:
                if (_scalar(item) or "").upper() in ("ALL", "CAP_ALL"):
                    self.add("cap-all", item, "the container is granted every capability (ALL)")

    # -- Compose ------------------------------------------------------------------------------

    def compose(self, services: yaml.Node) -> None:
        """Published ports of every Compose service."""
        for name, _, service in _items(services):
            ports = _get(service, "ports")
            if isinstance(ports, yaml.SequenceNode):
                for entry in ports.value:
                    self._compose_port(name, entry)

    def _compose_port(self, service: str, entry: yaml.Node) -> None:
        """One ``ports`` entry, short (``"127.0.0.1:8080:80"``) or long (``published:``)."""
        where = f"service {service!r}"
        if isinstance(entry, yaml.MappingNode):
            ip = _scalar(_get(entry, "host_ip")) or ""
            published = _scalar(_get(entry, "published")) or _scalar(_get(entry, "target"))
            if ip in _LOOPBACK_IPS or published is None:
                return
            text = _DEFAULTED.sub(r"\1", published)
        else:
            spec = _PORT_SPEC.match(_DEFAULTED.sub(r"\1", _scalar(entry) or ""))
            if spec is None:
                self.add("port", entry, f"{where} has a port entry ACES cannot read")
                return
            if spec["ip"] in _LOOPBACK_IPS:
                return
            text = spec["host"] or spec["container"]
        try:
            numbers = _port_numbers(text)
        except ValueError:
            self.add("port", entry, f"{where} has a port entry ACES cannot read")
            return
        for number in numbers:
            self.port(number, entry, where)

    # -- Kubernetes ---------------------------------------------------------------------------

    def kubernetes(self, root: yaml.Node) -> None:
        """hostPort anywhere; NodePort / LoadBalancer Service ports."""
        kind = _scalar(_get(root, "kind")) or "object"
        for node in _walk(root):
            host_port = _get(node, "hostPort")
            if host_port is not None and (_scalar(host_port) or "").isdigit():
                self.port(int(str(_scalar(host_port))), host_port, f"{kind} hostPort")
        spec = _get(root, "spec")
        if kind != "Service" or spec is None:
            return
        service_type = _scalar(_get(spec, "type")) or "ClusterIP"
        ports = _get(spec, "ports")
        if service_type not in ("NodePort", "LoadBalancer") or not isinstance(
            ports, yaml.SequenceNode
        ):
            return
        for entry in ports.value:
            for key in ("port", "nodePort"):
                value = _get(entry, key)
                if value is not None and (_scalar(value) or "").isdigit():
                    self.port(int(str(_scalar(value))), value, f"{service_type} Service {key}")


def scan_manifest(path: str, text: str, allowed_ports: Sequence[int]) -> list[Hit]:
    """The hits of one YAML file (nothing for YAML that is neither Compose nor Kubernetes)."""
    scanner = _Scanner(path, allowed_ports)
    try:
        documents = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = int(mark.line) + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or "invalid YAML"
        return [Hit(f"{PREFIX}.unreadable", path, line, 1, f"YAML does not parse: {problem}")]
    for root in documents:
        if root is None:
            continue
        services = _get(root, "services")
        is_compose = isinstance(services, yaml.MappingNode)
        is_kubernetes = _get(root, "apiVersion") is not None and _get(root, "kind") is not None
        if not (is_compose or is_kubernetes):
            continue
        scanner.privileges(root)
        if services is not None and is_compose:
            scanner.compose(services)
        if is_kubernetes:
            scanner.kubernetes(root)
    return sorted(scanner.hits, key=lambda h: (h.line, h.column, h.rule_id))
