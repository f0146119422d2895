"""Ephemeral loopback ports: ask the kernel for free ones, and recognise a lost race.

A port is free when it is picked (bind to port 0, read it, close), not when the
server binds it a moment later: another program may take it in between. Servers
report that as "address already in use"; the provider then picks new ports and
starts the server again (``PORT_ATTEMPTS`` times in all).
"""

from __future__ import annotations

import contextlib
import re
import socket

LOOPBACK = "127.0.0.1"
PORT_ATTEMPTS = 3
_IN_USE = re.compile(r"address already in use|eaddrinuse|could not bind", re.IGNORECASE)


def free_ports(count: int, host: str = LOOPBACK) -> tuple[int, ...]:
    """``count`` distinct free TCP ports on ``host``, all held open until every one is picked."""
    with contextlib.ExitStack() as stack:
        ports: list[int] = []
        for _ in range(count):
            sock = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            sock.bind((host, 0))
            ports.append(int(sock.getsockname()[1]))
        return tuple(ports)


def port_taken(host: str, port: int) -> bool:
    """Whether something accepts connections on ``host:port`` right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((host, port)) == 0


def says_port_in_use(log_text: str) -> bool:
    """Whether a server's output says it could not bind its port."""
    return _IN_USE.search(log_text) is not None
