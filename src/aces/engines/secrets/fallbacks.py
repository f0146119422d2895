"""Literal credentials deployed as the fallback of a variable reference.

In a compose file, an ``.env`` file or any other deploy configuration,
``${POSTGRES_PASSWORD:-todopassword}`` (and ``${POSTGRES_PASSWORD-todopassword}``)
deploys ``todopassword`` whenever the variable is unset: the fallback is a literal
credential as much as ``POSTGRES_PASSWORD: todopassword`` is. Such a fallback of a
variable named as a credential is reported under the rule ``deploy-credential`` and
judged by it (its allowlists: a path, a switch, an upper-case placeholder; the rule
file's placeholders and fakes: ``change-me``, ``<password>``). A reference with no
literal (``${X}``), an empty fallback (``${X:-}``), a required variable
(``${X:?message}``) or a fallback that is itself a reference (``${X:-${Y}}``)
deploys nothing.
"""

from __future__ import annotations

import re

from aces.engines.secrets.context import DEPLOY, context_of
from aces.engines.secrets.matcher import Match, Matcher

RULE_ID = "deploy-credential"
_FALLBACK = re.compile(
    rb"""(?ix)\$\{
      (?P<name>[a-z0-9_]{0,40}
        (?:passw(?:or)?d|pwd|passphrase|secret|token|api_?key|apikey|access_?key|auth_?key
          |private_?key|credentials?)
        [a-z0-9_]{0,20})
      :?-(?P<secret>[^}\s"'`$]{1,200})\}"""
)


def fallback_matches(matcher: Matcher, buffer: bytes, path: str) -> list[Match]:
    """Literal fallbacks of credential variables in a deploy file (none elsewhere, and
    none when the rule set has no ``deploy-credential`` rule)."""
    if not path or not _has_reference(buffer) or context_of(path, buffer) != DEPLOY:
        return []
    rule = next((r for r in matcher.ruleset.rules if r.id == RULE_ID), None)
    if rule is None:
        return []
    found: list[Match] = []
    for hit in _FALLBACK.finditer(buffer):
        secret = hit.group("secret")
        # judged as the entry NAME=fallback: a name the rule skips (``*_FILE``) skips here too
        whole = hit.group("name") + b"=" + secret
        if matcher.accepts(rule, secret, whole):
            found.append(Match(rule, hit.start("secret"), hit.end("secret"), secret))
    return found


def _has_reference(buffer: bytes) -> bool:
    """Whether ``buffer`` holds ``${``: every ``$`` found with ``memchr``, the next byte
    looked at. (``b"${" in buffer`` reads at a tenth of the speed: CPython's search for a
    two-byte needle does not use ``memchr``, and most files hold no ``$`` at all.)"""
    dollar = buffer.find(b"$")
    while dollar != -1:
        if buffer[dollar + 1 : dollar + 2] == b"{":
            return True
        dollar = buffer.find(b"$", dollar + 1)
    return False
