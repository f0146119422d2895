"""The ``arqonbus_*`` Prometheus metrics of one replica, in a registry of its own."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


def _registry() -> Any:
    from prometheus_client import CollectorRegistry  # optional outside the service

    return CollectorRegistry()


@dataclass
class Metrics:
    """Counters and gauges the hub updates; ``render`` gives the text exposition format."""

    registry: Any = field(default_factory=_registry)

    def __post_init__(self) -> None:
        """Create the metrics in this instance's registry."""
        from prometheus_client import Counter, Gauge, Histogram

        r = self.registry
        self.connections = Gauge("arqonbus_connections", "Open client sessions", registry=r)
        self.published = Counter(
            "arqonbus_messages_published", "Publishes acknowledged", ["tenant"], registry=r
        )
        self.delivered = Counter(
            "arqonbus_messages_delivered", "Messages queued to subscribers", registry=r
        )
        self.refused = Counter(
            "arqonbus_requests_refused", "Requests answered with an error", ["code"], registry=r
        )
        self.backpressure = Counter(
            "arqonbus_backpressure_signals", "Backpressure signals sent to publishers", registry=r
        )
        self.slow_consumers = Counter(
            "arqonbus_slow_consumers",
            "Subscribers cut or skipped for not keeping up",
            ["action"],
            registry=r,
        )
        self.queue_depth = Gauge(
            "arqonbus_send_queue_depth_max", "Deepest per-session send queue", registry=r
        )
        self.publish_seconds = Histogram(
            "arqonbus_publish_seconds", "Publish handling time to the ack", registry=r
        )

    def render(self) -> bytes:
        """The exposition text of every metric."""
        from prometheus_client import generate_latest

        data: bytes = generate_latest(self.registry)
        return data


CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
