"""Secrets in committed dotenv files: a key that names a secret, with a value.

A dotenv line ``[export ]KEY=VALUE`` whose key says secret, password, token,
API key, private key or credential, and whose value is not empty and not a
reference (``${VAR}``, ``$VAR``) or an angle-bracket placeholder, is a finding.
The value itself is never part of a message.

An example env file (``.env.example``, ``.env.sample``, ``.env.template``,
``.env.dist``, ``example.env``) documents the variables to set: nothing loads it,
and its values are there to be replaced. Its settings are not the deployment's;
a real-looking credential in it is still the secret scan's (``sec.secrets``).
"""

from __future__ import annotations

import re

from aces.engines.tlsrules.textscan import Hit

RULE = "sec.unsafe-exposure.env-secret"
_LINE = re.compile(r"^\s*(?:export\s+)?(?P<key>[A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(?P<value>.*)$")
_SECRET_KEY = re.compile(
    r"(?i)secret|passw(?:or)?d|passwd|pwd|token|api_?key|private_?key|credential"
)
_REFERENCE = re.compile(r"^(?:\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*|<[^>]*>)$")

_EXAMPLE_WORDS = frozenset({"example", "sample", "template", "tmpl", "dist"})


def is_example_env(path: str) -> bool:
    """Whether a dotenv file is an example of the variables to set, not one that is loaded."""
    name = path.rsplit("/", 1)[-1].lower()
    return any(part in _EXAMPLE_WORDS for part in name.split("."))


SHOULD_FLAG: tuple[str, ...] = (
    "DB_PASSWORD=hunter2-prod",
    "export API_KEY='k-1234567890'",
    'JWT_SECRET="s3cr3t"',
    "GITHUB_TOKEN=ghp_exampleexampleexample",
)
SHOULD_NOT_FLAG: tuple[str, ...] = (
    "DB_PASSWORD=",
    'API_KEY=""',
    "JWT_SECRET=${JWT_SECRET}",
    "TOKEN=<set-me>",
    "LOG_LEVEL=info",
    "# PASSWORD=old",
)


def _value(raw: str) -> str:
    """The value without surrounding quotes or a trailing `` # comment``."""
    value = raw.strip()
    if value[:1] in ("'", '"'):
        quote = value[0]
        end = value.find(quote, 1)
        return value[1:end] if end > 0 else value[1:]
    return re.split(r"\s+#", value, maxsplit=1)[0].strip()


def secret_key_line(line: str) -> str | None:
    """The key of a dotenv line that assigns a secret a literal value, else None."""
    if line.lstrip().startswith("#"):
        return None
    match = _LINE.match(line)
    if match is None or not _SECRET_KEY.search(match["key"]):
        return None
    value = _value(match["value"])
    if not value or _REFERENCE.match(value):
        return None
    return match["key"]


def scan_env(path: str, text: str) -> list[Hit]:
    """One finding per secret-named key with a literal value in a dotenv file."""
    hits: list[Hit] = []
    for number, line in enumerate(text.splitlines(), start=1):
        key = secret_key_line(line)
        if key is not None:
            hits.append(
                Hit(RULE, path, number, 1, f"committed env file sets {key} to a literal value")
            )
    return hits
