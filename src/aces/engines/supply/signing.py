"""Ed25519 keys in PEM files: load, sign, verify, and the key id.

Only Ed25519 is accepted: a PEM holding another kind of key is refused with an
``InputError`` naming the file, so a weaker key cannot slip in.
"""

from __future__ import annotations

import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from aces.errors import InputError

__all__ = [
    "Ed25519PrivateKey",
    "Ed25519PublicKey",
    "key_id",
    "load_private_key",
    "load_public_key",
    "private_pem",
    "public_pem",
    "sign",
    "verify",
]

_KEY_HINT = "give an Ed25519 key in PEM form (openssl genpkey -algorithm ed25519)"


def load_private_key(path: str, data: bytes) -> Ed25519PrivateKey:
    """The Ed25519 private key of the unencrypted PEM ``data`` read from ``path``."""
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise InputError(
            f"not a readable PEM private key: {exc}", path=path, hint=_KEY_HINT
        ) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise InputError(f"a {type(key).__name__} is not an Ed25519 key", path=path, hint=_KEY_HINT)
    return key


def load_public_key(path: str, data: bytes) -> Ed25519PublicKey:
    """The Ed25519 public key of the PEM ``data`` read from ``path``."""
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError) as exc:
        raise InputError(
            f"not a readable PEM public key: {exc}", path=path, hint=_KEY_HINT
        ) from exc
    if not isinstance(key, Ed25519PublicKey):
        raise InputError(f"a {type(key).__name__} is not an Ed25519 key", path=path, hint=_KEY_HINT)
    return key


def key_id(public: Ed25519PublicKey) -> str:
    """SHA-256 (hex) of the key's DER SubjectPublicKeyInfo: a stable key identifier."""
    der = public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).hexdigest()


def public_pem(public: Ed25519PublicKey) -> bytes:
    """The public key as PEM (SubjectPublicKeyInfo)."""
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def private_pem(key: Ed25519PrivateKey) -> bytes:
    """The private key as unencrypted PKCS#8 PEM."""
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def sign(key: Ed25519PrivateKey, message: bytes) -> bytes:
    """The Ed25519 signature of ``message`` (deterministic: same key and message, same bytes)."""
    return key.sign(message)


def verify(public: Ed25519PublicKey, signature: bytes, message: bytes) -> bool:
    """Whether ``signature`` is ``public``'s signature of ``message``."""
    try:
        public.verify(signature, message)
    except InvalidSignature:
        return False
    return True
