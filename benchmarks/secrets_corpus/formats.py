"""A corpus of secret formats, assignment spellings and look-alikes, generated here.

Every token is generated from its issuer's published format (prefix, alphabet,
length; ``@@CLASS:N@@`` slots filled by ``aces.engines.secrets.samples.expand``)
and placed in a non-test configuration or source file; no string comes from
another tool. Three groups of cases, each one file:

- ``family``: a token of one documented format, in a neutral place (a value
  whose name says nothing), found when the family's rule reports its line;
- ``spelling``: a random value assigned to a credential name in one syntax
  (``.env``, ``export``, YAML, XML, Go, PHP, Makefile, ``setProperty``, JSON ...),
  found when a generic rule reports its line;
- ``lookalike``: what is not a secret (placeholders, references, paths, code,
  documented examples, wrong-length or made-up tokens): any finding is a false
  positive.

The same seed gives the same corpus. ``cases(seed, per_family, per_spelling)``.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from secrets_corpus.lookalikes import LOOKALIKES
from secrets_corpus.placements import MULTILINE, NEUTRAL, SPELLINGS, place

from aces.engines.secrets.samples import expand

GENERIC_RULES = frozenset(
    {"generic-secret", "generic-bare-secret", "deploy-credential", "deploy-env-value"}
)


@dataclass(frozen=True)
class Case:
    """One file of the corpus: where it goes, its text, and what a scan should say."""

    group: str  # "family", "spelling" or "lookalike"
    name: str  # the family, the spelling or the kind of look-alike
    path: str
    text: str
    line: int  # 1-based line of the secret; 0 for a look-alike
    rules: frozenset[str]  # rule ids that find it; empty for a look-alike
    index: int = 0  # which name of the spelling's style (``placements.fill``)


# family -> (rule ids, token templates). A template starting with "=" is a whole line
# (the format needs its own name: `aws_secret_access_key = ...`).
FAMILIES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "private-key": (
        ("private-key",),
        (
            "-----BEGIN RSA PRIVATE KEY-----\n@@b64:64@@\n@@b64:64@@\n@@b64:30@@==\n"
            "-----END RSA PRIVATE KEY-----",
            "-----BEGIN OPENSSH PRIVATE KEY-----\n@@b64:70@@\n@@b64:70@@\n"
            "-----END OPENSSH PRIVATE KEY-----",
            "-----BEGIN EC PRIVATE KEY-----\n@@b64:64@@\n@@b64:52@@\n-----END EC PRIVATE KEY-----",
        ),
    ),
    "gcp-service-account-key": (
        ("gcp-service-account-key",),
        ("-----BEGIN PRIVATE KEY-----\\n@@b64:64@@\\n@@b64:64@@\\n-----END PRIVATE KEY-----\\n",),
    ),
    "aws-access-key-id": (("aws-access-key-id",), ("AKIA@@b32:16@@", "ASIA@@b32:16@@")),
    "aws-secret-access-key": (
        ("aws-secret-access-key",),
        ("=aws_secret_access_key = @@b64:40@@", '=AWS_SECRET_ACCESS_KEY="@@b64:40@@"'),
    ),
    "github-token": (
        ("github-token",),
        ("ghp_@@alnum:36@@", "gho_@@alnum:36@@", "ghs_@@alnum:36@@", "ghr_@@alnum:76@@"),
    ),
    "github-fine-grained-token": (
        ("github-fine-grained-token",),
        ("github_pat_@@alnum:22@@_@@alnum:59@@",),
    ),
    "gitlab-token": (
        ("gitlab-token",),
        (
            "glpat-@@b64url:20@@",
            "glpat-@@b64url:27@@.01.@@lowerdigit:9@@",
            "glpat-@@b64url:31@@.@@lowerdigit:9@@",
            "glpat-@@alnum:20@@.",
            "gldt-@@b64url:20@@",
            "glrt-@@b64url:27@@.01.@@lowerdigit:9@@",
            "glptt-@@hex:40@@",
        ),
    ),
    "slack-token": (
        ("slack-token",),
        (
            "xoxb-@@digit:12@@-@@digit:13@@-@@alnum:24@@",
            "xoxp-@@digit:12@@-@@digit:12@@-@@digit:13@@-@@hex:32@@",
            "xoxa-2-@@digit:11@@-@@digit:12@@-@@digit:12@@-@@hex:64@@",
            "xoxs-@@digit:10@@-@@digit:11@@-@@digit:12@@-@@hex:10@@",
            "xoxr-@@digit:12@@-@@alnum:40@@",
        ),
    ),
    "slack-webhook": (
        ("slack-webhook",),
        ("https://hooks.slack.com/services/T@@upperdigit:9@@/B@@upperdigit:9@@/@@alnum:24@@",),
    ),
    "stripe-key": (("stripe-key",), ("sk_live_@@alnum:24@@", "rk_live_@@alnum:34@@")),
    "google-api-key": (("google-api-key",), ("AIza@@b64url:35@@",)),
    "azure-storage-connection-string": (
        ("azure-storage-connection-string",),
        (
            "DefaultEndpointsProtocol=https;AccountName=st@@lowerdigit:8@@;"
            "AccountKey=@@b64:86@@==;EndpointSuffix=core.windows.net",
        ),
    ),
    "azure-storage-key": (("azure-storage-key",), ("=AZURE_STORAGE_KEY=@@b64:86@@==",)),
    "npm-token": (("npm-token",), ("npm_@@alnum:36@@",)),
    "pypi-token": (("pypi-token",), ("pypi-AgEIcHlwaS5vcmc@@b64url:120@@",)),
    "twilio-api-key": (("twilio-api-key",), ("SK@@hex:32@@",)),
    "twilio-auth-token": (("twilio-auth-token",), ('=TWILIO_AUTH_TOKEN="@@hex:32@@"',)),
    "sendgrid-api-key": (("sendgrid-api-key",), ("SG.@@b64url:22@@.@@b64url:43@@",)),
    "nats-nkey-seed": (("nats-nkey-seed",), ("SU@@b32:56@@", "SA@@b32:56@@")),
    "jwt": (
        ("jwt",),
        (
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ@@b64url:48@@.@@b64url:43@@",
            "eyJhbGciOiJSUzI1NiJ9.eyJ@@b64url:80@@.@@b64url:342@@",
        ),
    ),
    "postgres-url-password": (
        ("postgres-url-password",),
        ("postgres://svc_@@lower:4@@:@@alnum:20@@@db-@@lower:6@@.internal:5432/app",),
    ),
    "redis-url-password": (
        ("redis-url-password",),
        ("redis://default:@@alnum:24@@@cache-@@lower:5@@.internal:6379/0",),
    ),
    "url-credentials": (
        ("url-credentials",),
        (
            "mysql://app:@@alnum:18@@@mysql-@@lower:4@@.internal:3306/shop",
            "amqp://svc:@@b64url:20@@@mq.internal:5672/",
            "mongodb+srv://api:@@alnum:22@@@cluster0.@@lowerdigit:5@@.mongodb.net/app",
            "https://deploy:@@alnum:24@@@git.corp.internal/team/repo.git",
            "amqp://:@@alnum:16@@@broker-@@lower:4@@.internal/",
            "ftp://ops:@@alnum:8@@#@@alnum:3@@$@@alnum:6@@@ftp-@@lower:4@@.internal/",
            "jdbc:mysql://app:@@alnum:16@@@db-@@lower:4@@.internal:3306/shop",
        ),
    ),
    "age-secret-key": (("age-secret-key",), ("AGE-SECRET-KEY-1@@bech32:58@@",)),
    "digitalocean-token": (
        ("digitalocean-token",),
        ("dop_v1_@@hex:64@@", "doo_v1_@@hex:64@@", "dor_v1_@@hex:64@@"),
    ),
    "shopify-token": (
        ("shopify-token",),
        ("shpat_@@hex:32@@", "shpca_@@hex:32@@", "shppa_@@hex:32@@", "shpss_@@hex:32@@"),
    ),
    "pulumi-token": (("pulumi-token",), ("pul-@@hex:40@@",)),
    "rubygems-token": (("rubygems-token",), ("rubygems_@@hex:48@@",)),
    "harness-token": (
        ("harness-token",),
        (
            "pat.@@b64url:22@@.@@alnum:24@@.@@alnum:20@@",
            "sat.@@b64url:22@@.@@alnum:24@@.@@alnum:20@@",
        ),
    ),
    "huggingface-token": (("huggingface-token",), ("hf_@@alpha:34@@",)),
    "openai-api-key": (
        ("openai-api-key",),
        ("sk-@@alnum:20@@T3BlbkFJ@@alnum:20@@", "sk-proj-@@b64url:74@@T3BlbkFJ@@b64url:74@@"),
    ),
    "anthropic-api-key": (("anthropic-api-key",), ("sk-ant-api03-@@b64url:93@@AA",)),
    "vault-token": (("vault-token",), ("hvs.@@b64url:91@@",)),
    "doppler-token": (("doppler-token",), ("dp.pt.@@alnum:43@@", "dp.st.@@alnum:40@@")),
    "linear-api-key": (("linear-api-key",), ("lin_api_@@alnum:40@@",)),
    "postman-api-key": (("postman-api-key",), ("PMAK-@@hex:24@@-@@hex:34@@",)),
    "databricks-token": (("databricks-token",), ("dapi@@hex:32@@",)),
    "grafana-token": (("grafana-token",), ("glsa_@@alnum:32@@_@@hex:8@@",)),
    "jwt-base64": (("jwt-base64",), ("b64:eyJhbGciOiJIUzI1NiJ9.eyJ@@b64url:40@@.@@b64url:43@@",)),
}
VALUES: tuple[str, ...] = (
    "@@alnum:20@@",
    "@@alnum:32@@",
    "@@b64url:28@@",
    "@@hex:40@@",
    "@@b64:40@@",
)


def token(template: str, seed: str) -> str:
    """One token of a template; ``b64:`` asks for the base64 of the expanded value."""
    if template.startswith("b64:"):
        raw = expand(template[4:], seed).encode("ascii")
        return base64.b64encode(raw).decode("ascii")
    return expand(template, seed)


def family_cases(seed: int, per_family: int) -> list[Case]:
    """``per_family`` tokens of every family, each in a neutral place of its own file."""
    out: list[Case] = []
    for name, (rules, templates) in FAMILIES.items():
        for i in range(per_family):
            template = templates[i % len(templates)]
            value = token(template.lstrip("="), f"{seed}:{name}:{i}")
            if name in MULTILINE:
                path, text, line = MULTILINE[name](value)
            elif template.startswith("="):
                path, text, line = "config/credentials.ini", f"[default]\n{value}\n", 2
            else:
                path, text, line = place(NEUTRAL[i % len(NEUTRAL)], value)
            out.append(Case("family", name, path, text, line, frozenset(rules)))
    return out


def spelling_cases(seed: int, per_spelling: int) -> list[Case]:
    """``per_spelling`` random values assigned to a credential name in every spelling."""
    out: list[Case] = []
    for spelling in SPELLINGS:
        for i in range(per_spelling):
            value = expand(VALUES[i % len(VALUES)], f"{seed}:{spelling.name}:{i}")
            path, text, line = place(spelling, value, i)
            out.append(Case("spelling", spelling.name, path, text, line, GENERIC_RULES, i))
    return out


def lookalike_cases(seed: int) -> list[Case]:
    """Every look-alike, in every place it is written."""
    out: list[Case] = []
    for kind, spellings, values in LOOKALIKES:
        for index, template in enumerate(values):
            value = expand(template, f"{seed}:{kind}:{index}")
            for spelling in spellings:
                path, text, _ = place(spelling, value, index)
                out.append(Case("lookalike", kind, path, text, 0, frozenset()))
    return out


def cases(seed: int = 7, per_family: int = 40, per_spelling: int = 40) -> list[Case]:
    """The whole corpus, in a fixed order."""
    return (
        family_cases(seed, per_family) + spelling_cases(seed, per_spelling) + lookalike_cases(seed)
    )
