"""Whether a secret's value goes nowhere real: a local host, or a value typed as a word.

Two judgements the context rules use to call a value *clearly fake or local*:

- the host a URL's password opens (``@host`` right after the value) is local or
  reserved: ``localhost`` and ``*.localhost``, a loopback or unspecified address of
  either family (``127.0.0.1``, ``[::1]``, ``[0:0:0:0:0:0:0:1]``, ``0.0.0.0``,
  ``[::]``), an address of the documentation ranges (RFC 5737 ``192.0.2.0/24``...,
  RFC 3849 ``2001:db8::/32``), a name reserved by RFC 2606 / RFC 6761
  (``example.com/.net/.org``, ``*.example``, ``*.test``, ``*.invalid``), a
  link-local multicast DNS name (``*.local``, RFC 6762), a host
  named as a fixture (``mock-db``), or a single-label name (``db``, ``postgres``:
  a compose service or a container of the test's own network, unreachable from
  anywhere else). A private network address (``10.0.0.5``, ``[fd00::1]``) is a real
  network's: it is not local;
- the value is typed as a word and a short number (``token123``, ``hunter42``,
  ``SecurePass123!``: two to four digits): no generator writes a dictionary word
  followed by a short number.
"""

from __future__ import annotations

import ipaddress
import re

_HOST = re.compile(rb"^@(?:\[(?P<v6>[0-9A-Fa-f:.]+)\]|(?P<name>[A-Za-z0-9._-]+))")
_HOST_END = re.compile(rb"""^(?:[:/?\s"'`,;)\]}>]|$)""")
_DOC_NETWORKS = tuple(
    ipaddress.ip_network(net)
    for net in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32")
)
_RESERVED_SUFFIXES = (".example", ".test", ".invalid", ".localhost", ".local")
_RESERVED_DOMAINS = ("example.com", "example.net", "example.org")
_FIXTURE_HOST = re.compile(r"test|fake|dummy|example|mock")
_LABEL = re.compile(r"^[a-z][a-z0-9_-]*$")
# One to three words (lower case or capitalised), then two to four digits, then at most one
# mark: typed by a person, never drawn from a generator.
_WORD_DIGITS = re.compile(rb"^(?:[A-Z]?[a-z]{2,}){1,3}[0-9]{2,4}[!?.#@$*]?$")


def is_local_host(after: bytes) -> bool:
    """Whether ``after`` (the bytes that follow a URL's password) starts with ``@`` and a
    local, reserved or fixture host (see the module's description)."""
    found = _HOST.match(after)
    if found is None or _HOST_END.match(after[found.end() :]) is None:
        return False
    literal = found.group("v6")
    if literal is not None:
        return _is_local_address(literal.decode("ascii"))
    name = found.group("name").decode("ascii").lower().rstrip(".")
    if re.fullmatch(r"[0-9.]+", name):
        return _is_local_address(name)
    return (
        name == "localhost"
        or name.endswith(_RESERVED_SUFFIXES)
        or any(name == d or name.endswith("." + d) for d in _RESERVED_DOMAINS)
        or _FIXTURE_HOST.search(name) is not None
        or _LABEL.match(name) is not None
    )


def is_loopback_host(after: bytes) -> bool:
    """Whether ``after`` starts with ``@`` and a host on this machine: ``localhost`` or a
    loopback address of either family (``127.0.0.1``, ``[::1]``, ``[0:0:0:0:0:0:0:1]``)."""
    found = _HOST.match(after)
    if found is None or _HOST_END.match(after[found.end() :]) is None:
        return False
    literal = found.group("v6") or found.group("name")
    text = literal.decode("ascii").lower()
    if text == "localhost":
        return True
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def _is_local_address(text: str) -> bool:
    """A loopback, unspecified or documentation address (of either family)."""
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return (
        address.is_loopback
        or address.is_unspecified
        or any(address in net for net in _DOC_NETWORKS if net.version == address.version)
    )


def is_word_and_digits(secret: bytes) -> bool:
    """Whether a value is typed as a word (or two or three) and a short number."""
    return _WORD_DIGITS.match(secret) is not None
