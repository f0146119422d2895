"""``python -m arqonbus_mini.server``: run one replica until SIGTERM or SIGINT.

Connects to NATS, Valkey and Postgres first and only then listens, so a replica that
answers ``/health`` can serve. Settings: ``arqonbus_mini.server.config``.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from arqonbus_mini.server import logs
from arqonbus_mini.server.app import App
from arqonbus_mini.server.backends import NatsFabric, PostgresHistory, ValkeyStore
from arqonbus_mini.server.config import Config, ConfigError, from_env
from arqonbus_mini.server.hub import Hub
from arqonbus_mini.server.metrics import Metrics
from arqonbus_mini.server.protobuf import BinaryCodec, ProtoUnavailableError, load_message_class


async def run(config: Config) -> None:
    """Serve until a termination signal, then close the sessions and the backends."""
    log = logs.setup()
    if not (config.nats_urls and config.redis_url and config.database_url):
        raise ConfigError("NATS_URLS, VALKEY_URL (or REDIS_URL) and DATABASE_URL are required")
    fabric = await NatsFabric.connect(config.nats_urls, config.replica_id)
    store = await ValkeyStore.connect(config.redis_url)
    history = await PostgresHistory.connect(config.database_url)
    try:
        codec: BinaryCodec | None = BinaryCodec(load_message_class())
    except ProtoUnavailableError as exc:
        log.warning(f"binary frames off: {exc}", extra={"replica": config.replica_id})
        codec = None
    metrics = Metrics()
    hub = Hub(config, fabric, store, history, metrics, log)
    await hub.start()
    app = App(hub, metrics, log, codec)
    server = await app.serve(config.host, config.port)
    log.info(
        f"listening on {config.host}:{config.port}"
        + (f" with fault {config.fault.value}" if config.fault.value else ""),
        extra={"replica": config.replica_id},
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    app.healthy = False
    server.close()
    await server.wait_closed()
    await fabric.close()
    await store.close()
    await history.close()
    log.info("stopped", extra={"replica": config.replica_id})


def main() -> int:
    """Entry point: exit 2 on a bad setting."""
    try:
        config = from_env(os.environ)
    except (ConfigError, ValueError) as exc:
        print(f"arqonbus: {exc}", file=sys.stderr)
        return 2
    try:
        asyncio.run(run(config))
    except ConfigError as exc:
        print(f"arqonbus: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
