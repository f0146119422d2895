"""The live TLS probe against local servers with certificates generated here.

A CA signs the server certificates; each case starts a one-connection TLS
server on 127.0.0.1 and probes ``localhost:<port>`` with a client that trusts
only that CA. A good certificate passes; an expired one, one for another host,
a self-signed one outside the CA and a TLS 1.1-only server each fail with
their rule and message; a server that never answers is a ProbeError.
"""

from __future__ import annotations

import datetime as dt
import socket
import ssl
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from aces.engines.tlsrules import ProbeError, client_context, probe

NOW = dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Issued:
    """A certificate and key written as PEM files."""

    cert: Path
    key: Path


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _write(tmp: Path, stem: str, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey) -> Issued:
    cert_path, key_path = tmp / f"{stem}.pem", tmp / f"{stem}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(_key_pem(key))
    return Issued(cert_path, key_path)


@dataclass(frozen=True)
class Authority:
    """A test CA that issues server certificates."""

    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey
    path: Path

    def issue(
        self, tmp: Path, stem: str, host: str, *, not_after: dt.datetime | None = None
    ) -> Issued:
        key = ec.generate_private_key(ec.SECP256R1())
        end = not_after or NOW + dt.timedelta(days=30)
        cert = (
            x509.CertificateBuilder()
            .subject_name(_name(host))
            .issuer_name(self.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(min(end, NOW) - dt.timedelta(days=30))
            .not_valid_after(end)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
            .sign(self.key, hashes.SHA256())
        )
        return _write(tmp, stem, cert, key)


def _self_signed(
    tmp: Path, stem: str, host: str, *, ca: bool
) -> tuple[Issued, x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(host))
        .issuer_name(_name(host))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - dt.timedelta(days=1))
        .not_valid_after(NOW + dt.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
    )
    if ca:
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
    cert = builder.sign(key, hashes.SHA256())
    return _write(tmp, stem, cert, key), cert, key


@pytest.fixture(scope="module")
def authority(tmp_path_factory: pytest.TempPathFactory) -> Authority:
    tmp = tmp_path_factory.mktemp("ca")
    issued, cert, key = _self_signed(tmp, "ca", "ACES test CA", ca=True)
    return Authority(cert, key, issued.cert)


@contextmanager
def tls_server(issued: Issued, *, tls11_only: bool = False) -> Iterator[int]:
    """A TLS server on 127.0.0.1 answering handshakes until closed; yields its port."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    if tls11_only:
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            ctx.minimum_version = ssl.TLSVersion.TLSv1_1
            ctx.maximum_version = ssl.TLSVersion.TLSv1_1
    ctx.load_cert_chain(issued.cert, issued.key)
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(5)
    port = listener.getsockname()[1]

    def serve() -> None:
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        with conn:
            try:
                with ctx.wrap_socket(conn, server_side=True) as tls:
                    tls.recv(1)
            except (ssl.SSLError, OSError):
                pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield port
    finally:
        listener.close()
        thread.join(timeout=5)


def _probe(authority: Authority, port: int) -> tuple[str, str] | None:
    failure = probe(f"localhost:{port}", client_context(authority.path, "1.2"), 5.0)
    return None if failure is None else (failure.rule, failure.message)


def test_good_certificate_passes(authority: Authority, tmp_path: Path) -> None:
    with tls_server(authority.issue(tmp_path, "good", "localhost")) as port:
        assert _probe(authority, port) is None


def test_expired_certificate_fails(authority: Authority, tmp_path: Path) -> None:
    issued = authority.issue(tmp_path, "old", "localhost", not_after=NOW - dt.timedelta(days=1))
    with tls_server(issued) as port:
        assert _probe(authority, port) == (
            "expired",
            "the certificate has expired (certificate has expired)",
        )


def test_wrong_host_fails(authority: Authority, tmp_path: Path) -> None:
    with tls_server(authority.issue(tmp_path, "other", "other.example.com")) as port:
        result = _probe(authority, port)
    assert result is not None
    assert result[0] == "hostname"
    assert result[1].startswith("the certificate does not match the host (Hostname mismatch")


def test_self_signed_outside_the_ca_fails(authority: Authority, tmp_path: Path) -> None:
    issued, _, _ = _self_signed(tmp_path, "self", "localhost", ca=False)
    with tls_server(issued) as port:
        assert _probe(authority, port) == (
            "untrusted",
            "the chain does not validate against the policy's CA (self-signed certificate)",
        )


def test_tls11_only_server_fails(authority: Authority, tmp_path: Path) -> None:
    with tls_server(authority.issue(tmp_path, "v11", "localhost"), tls11_only=True) as port:
        assert _probe(authority, port) == (
            "version",
            "does not negotiate TLS 1.2 or later (TLSV1_ALERT_PROTOCOL_VERSION)",
        )


def test_silent_endpoint_is_a_probe_error(authority: Authority) -> None:
    listener = socket.create_server(("127.0.0.1", 0))  # accepts, never answers the handshake
    port = listener.getsockname()[1]
    try:
        with pytest.raises(ProbeError, match=r"timed out after 0\.3s"):
            probe(f"localhost:{port}", client_context(authority.path, "1.2"), 0.3)
    finally:
        listener.close()


def test_refused_endpoint_is_a_probe_error(authority: Authority) -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    listener.close()
    with pytest.raises(ProbeError, match=rf"cannot reach localhost:{port}"):
        probe(f"localhost:{port}", client_context(authority.path, "1.2"), 2.0)


def test_unreadable_ca_bundle_is_a_probe_error(tmp_path: Path) -> None:
    bad = tmp_path / "ca.pem"
    bad.write_text("not a certificate\n", encoding="utf-8")
    with pytest.raises(ProbeError, match="cannot load the CA bundle"):
        client_context(bad, "1.2")
