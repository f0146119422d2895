"""The live TLS probe: one handshake per endpoint, judged against the policy.

The client context trusts only the policy's CA bundle, checks the hostname and
refuses versions below the floor, so a handshake that completes is a pass.
A handshake refused for a reason the doctrine names (expired certificate,
wrong host, chain outside the CA, old protocol) is a ``ProbeFailure``; an
endpoint that cannot be reached or answers too slowly raises ``ProbeError``
(the check cannot verify it: ERROR, never a pass).
"""

from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass
from pathlib import Path

from aces.errors import AcesError

_VERSIONS = {"1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}
# OpenSSL X509 verify codes (x509_vfy.h) the doctrine distinguishes.
_EXPIRED = 10
_NOT_YET_VALID = 9
_HOSTNAME_MISMATCH = 62
_UNTRUSTED = frozenset({2, 18, 19, 20, 21})
_OLD_PROTOCOL = frozenset(
    {
        "TLSV1_ALERT_PROTOCOL_VERSION",
        "UNSUPPORTED_PROTOCOL",
        "NO_PROTOCOLS_AVAILABLE",
        "TLSV1_ALERT_INAPPROPRIATE_FALLBACK",
    }
)


class ProbeError(AcesError):
    """The endpoint could not be probed (unreachable, timeout, unusable CA bundle)."""


@dataclass(frozen=True)
class ProbeFailure:
    """Why an endpoint fails the TLS requirements: a short rule suffix and a message."""

    rule: str  # "expired", "hostname", "untrusted", "version", "handshake"
    message: str


def split_endpoint(endpoint: str) -> tuple[str, int]:
    """``host:port`` (``[::1]:443`` for IPv6) -> (host, port)."""
    host, _, port = endpoint.rpartition(":")
    return host.strip("[]"), int(port)


def client_context(ca_bundle: Path, min_version: str) -> ssl.SSLContext:
    """A context trusting only ``ca_bundle``, checking hostnames, with the version floor."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = _VERSIONS[min_version]
    try:
        ctx.load_verify_locations(cafile=str(ca_bundle))
    except (OSError, ssl.SSLError) as exc:
        raise ProbeError(
            f"cannot load the CA bundle: {exc}",
            path=str(ca_bundle),
            hint="point [security.tls] ca_bundle at a PEM file of CA certificates",
        ) from exc
    return ctx


def probe(endpoint: str, ctx: ssl.SSLContext, timeout: float) -> ProbeFailure | None:
    """Handshake with ``endpoint``; None when it meets the policy, else why not."""
    host, port = split_endpoint(endpoint)
    try:
        with (
            socket.create_connection((host, port), timeout=timeout) as raw,
            ctx.wrap_socket(raw, server_hostname=host),
        ):
            return None
    except ssl.SSLCertVerificationError as exc:
        return _verify_failure(exc)
    except ssl.SSLError as exc:
        if exc.reason in _OLD_PROTOCOL:
            floor = _floor_name(ctx)
            return ProbeFailure("version", f"does not negotiate {floor} or later ({exc.reason})")
        return ProbeFailure("handshake", f"TLS handshake failed: {exc.reason or exc}")
    except TimeoutError as exc:
        raise ProbeError(
            f"TLS probe of {endpoint} timed out after {timeout:g}s",
            hint="make the endpoint reachable from the CI runner, or raise probe_timeout_seconds",
        ) from exc
    except OSError as exc:
        raise ProbeError(
            f"cannot reach {endpoint}: {exc.strerror or exc}",
            hint="make the endpoint reachable from the CI runner",
        ) from exc


def _floor_name(ctx: ssl.SSLContext) -> str:
    """``TLS 1.2`` for the context's minimum version."""
    return "TLS 1.3" if ctx.minimum_version == ssl.TLSVersion.TLSv1_3 else "TLS 1.2"


def _verify_failure(exc: ssl.SSLCertVerificationError) -> ProbeFailure:
    """The failure of a certificate verification error, by OpenSSL's verify code."""
    code = exc.verify_code
    detail = exc.verify_message or str(exc)
    if code == _EXPIRED:
        return ProbeFailure("expired", f"the certificate has expired ({detail})")
    if code == _NOT_YET_VALID:
        return ProbeFailure("expired", f"the certificate is not yet valid ({detail})")
    if code == _HOSTNAME_MISMATCH:
        return ProbeFailure("hostname", f"the certificate does not match the host ({detail})")
    if code in _UNTRUSTED:
        return ProbeFailure(
            "untrusted", f"the chain does not validate against the policy's CA ({detail})"
        )
    return ProbeFailure("untrusted", f"certificate verification failed ({detail})")
