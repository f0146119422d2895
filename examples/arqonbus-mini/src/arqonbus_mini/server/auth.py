"""Bearer tokens: ``v1.<tenant>.<client>.<hex HMAC-SHA256>`` over ``v1.<tenant>.<client>``.

Tenant and client ids are short lower-case names, so a token never needs escaping and a
tenant id is always a valid NATS subject token and Valkey key part.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass

from arqonbus_mini.tenancy import TenancyError

TOKEN_VERSION = "v1"
TOKEN_PARTS = 4  # version, tenant, client, signature
NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")


@dataclass(frozen=True)
class Identity:
    """Who a verified token speaks for."""

    tenant: str
    client: str


def _signature(secret: bytes, tenant: str, client: str) -> str:
    message = f"{TOKEN_VERSION}.{tenant}.{client}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def issue(secret: bytes, tenant: str, client: str) -> str:
    """A token for ``client`` of ``tenant``; ``TenancyError`` for a malformed name."""
    for what, value in (("tenant", tenant), ("client", client)):
        if not NAME.fullmatch(value):
            raise TenancyError(f"{what} {value!r} is not a lower-case name of [a-z0-9_-]")
    return f"{TOKEN_VERSION}.{tenant}.{client}.{_signature(secret, tenant, client)}"


def verify(secret: bytes, token: str) -> Identity:
    """The identity of a valid token; ``TenancyError`` for anything else."""
    parts = token.split(".")
    if len(parts) != TOKEN_PARTS or parts[0] != TOKEN_VERSION:
        raise TenancyError("malformed token")
    _, tenant, client, signature = parts
    if not (NAME.fullmatch(tenant) and NAME.fullmatch(client)):
        raise TenancyError("malformed token")
    if not hmac.compare_digest(signature, _signature(secret, tenant, client)):
        raise TenancyError("bad token signature")
    return Identity(tenant=tenant, client=client)


def bearer(header: str | None) -> str:
    """The token of an ``Authorization: Bearer <token>`` header ("" when absent)."""
    if not header:
        return ""
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""
