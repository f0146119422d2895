"""Where a secret was found (its context) and whether its value is clearly a fixture.

The context of a file decides how a secret found in it is judged
(``[secrets] info_contexts``):

- **deploy**: what configures a deployment: compose files, ``.env`` files,
  Dockerfiles, Kubernetes / Helm / Kustomize manifests (by their folder, or by an
  ``apiVersion`` and a ``kind`` at the top), CI workflow files, Terraform variable
  files;
- **config**: any other configuration file (YAML, TOML, INI, properties...)
  outside test directories;
- **source**: product code;
- **test**: a test or the data tests read (roles ``test`` and ``fixture``);
- **docs**: documentation (role ``docs``: README, ``docs/``, prose documents), and a
  file named as an example or a template of another (``.env.example``,
  ``config.sample.yaml``, ``values.template.yaml``).

A value is clearly a *fixture* when it says so (``test``, ``fake``, ``dummy``,
``example``, ``sample``, ``changeme``, ``mock``, or it spells ``password`` /
``secret`` / ``token``), when it is typed out as runs along the keyboard's rows of
letters and digits (``abc123xyz``, ``def456``: no generator writes those) or as a
word and a short number (``token123``), or when the connection it opens goes nowhere
real (a URL whose host is ``localhost``, a loopback address of either family, a
reserved example / test domain, a compose service name: ``fakes``).
"""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import PurePosixPath

from aces.engines.secrets.fakes import is_local_host, is_word_and_digits
from aces.workspace.roles import DOCS as DOCS_ROLE
from aces.workspace.roles import FIXTURE, TEST, role_of

DEPLOY = "deploy"
CONFIG = "config"
SOURCE = "source"
TESTS = "test"
DOCS = "docs"
CONTEXTS: tuple[str, ...] = (DEPLOY, CONFIG, SOURCE, TESTS, DOCS)
# The contexts the doctrine lets a fixture value be information in; the others always block.
INFO_ALLOWED: tuple[str, ...] = (TESTS, DOCS)
CONTEXT_TITLES: dict[str, str] = {
    DEPLOY: "deploy configuration",
    CONFIG: "configuration",
    SOURCE: "source code",
    TESTS: "test fixture",
    DOCS: "documentation example",
}

# Rules that find a shape rather than a provider's live token format: a password entry, a
# URL's password, a JWT. In a document their values are the document's examples; a token of a
# provider's format (``ghp_``, ``AKIA``, a private key block) still blocks there unless its
# value says it is a fake.
EXAMPLE_SHAPE_RULES = frozenset(
    {
        "generic-secret", "jwt", "postgres-url-password", "redis-url-password",
        "url-credentials", "deploy-credential", "deploy-env-value",
    }
)  # fmt: skip

_DEPLOY_NAME = re.compile(
    r"""(?ix)^(?:
        (?:docker-)?compose(?:[._-][\w.-]*)?\.ya?ml
      | \.env(?:\.[\w.-]+)? | [\w.-]+\.env
      | (?:[\w.-]+\.)?(?:docker|container)file(?:\.[\w.-]+)? | dockerfile[\w.-]*
      | containerfile[\w.-]*
      | [\w.-]+\.tfvars(?:\.json)? | [\w.-]+\.auto\.tfvars
      | \.gitlab-ci\.ya?ml | azure-pipelines\.ya?ml | bitbucket-pipelines\.ya?ml
      | jenkinsfile | \.travis\.ya?ml | cloudbuild\.ya?ml | buildspec\.ya?ml
      | chart\.ya?ml | values(?:[._-][\w.-]*)?\.ya?ml | kustomization\.ya?ml
      | skaffold\.ya?ml | fly\.toml | app\.ya?ml | procfile
    )$"""
)
_DEPLOY_DIRS = frozenset(
    {
        "k8s", "kubernetes", "kube", "helm", "charts", "manifests", "kustomize", "overlays",
        "deploy", "deployment", "deployments", "infra", "ops", "compose", ".circleci",
    }
)  # fmt: skip
_CI_DIRS = (".github/workflows/", ".github/actions/", ".forgejo/workflows/", ".gitea/workflows/")
_MANIFEST_SUFFIXES = frozenset({".yaml", ".yml", ".json", ".env", ".tpl"})
_CONFIG_SUFFIXES = frozenset(
    {
        ".yaml", ".yml", ".toml", ".ini", ".cfg", ".conf", ".properties", ".env", ".json",
        ".jsonc", ".json5", ".hcl", ".tf", ".xml", ".plist", ".config",
    }
)  # fmt: skip

# A file named as an example or a template (``.env.example``, ``config.sample.yaml``,
# ``values.template.yaml``, ``settings.py.dist``) documents the real one: a docs context.
_EXAMPLE_NAME = re.compile(r"(?i)(?:^|[._-])(?:example|sample|template|tmpl|dist)(?:[._-]|$)")
MANIFEST_HEAD = 4096  # the bytes of a file read to tell a manifest by its content
_API_VERSION = re.compile(rb'(?m)^(?:apiVersion:[ \t]*\S|[ \t]*"apiVersion"[ \t]*:)')
_KIND = re.compile(rb'(?m)^(?:kind:[ \t]*[A-Z]|[ \t]*"kind"[ \t]*:)')

# A password that spells "password" or "secret" is a fixture's, not a live one's.
FIXTURE_WORDS = re.compile(
    rb"(?i)test|fake|dummy|example|sample|change[_-]?(?:me|this|it)|mock|passw(?:or)?d|secret|token"
    rb"|placeholder|redacted|(?:^|[^a-z])your[_-]|not[_-]?a[_-]?real"
)


def is_deploy(path: str) -> bool:
    """Whether a path is deploy configuration (compose, .env, manifests, CI, Dockerfiles)."""
    pure = PurePosixPath(path)
    if _DEPLOY_NAME.match(pure.name):
        return True
    lowered = path.lower()
    if lowered.startswith(_CI_DIRS) and pure.suffix.lower() in {".yml", ".yaml"}:
        return True
    dirs = {part.lower() for part in pure.parts[:-1]}
    return bool(dirs & _DEPLOY_DIRS) and pure.suffix.lower() in _MANIFEST_SUFFIXES


def is_manifest(path: str, head: bytes) -> bool:
    """Whether a YAML / JSON file is a Kubernetes-style manifest by its content: an
    ``apiVersion`` and a ``kind`` at the top level of its first ``MANIFEST_HEAD`` bytes."""
    if PurePosixPath(path).suffix.lower() not in _MANIFEST_SUFFIXES:
        return False
    window = head[:MANIFEST_HEAD]
    return _API_VERSION.search(window) is not None and _KIND.search(window) is not None


def context_of(path: str, head: bytes = b"") -> str:
    """The context of one workspace path, ``head`` its first bytes when known (a manifest
    is deploy configuration wherever it lies). Tests and docs first: a compose file under
    ``tests/`` is a test fixture."""
    role = role_of(path)
    if role in (TEST, FIXTURE):
        return TESTS
    if role == DOCS_ROLE or _EXAMPLE_NAME.search(PurePosixPath(path).name):
        return DOCS
    if is_deploy(path) or is_manifest(path, head):
        return DEPLOY
    if PurePosixPath(path).suffix.lower() in _CONFIG_SUFFIXES:
        return CONFIG
    return SOURCE


def is_document_example(rule_id: str, context: str) -> bool:
    """Whether a finding of ``rule_id`` in ``context`` is a document's example: a shape
    (``EXAMPLE_SHAPE_RULES``) in a documentation context, whatever its value."""
    return context == DOCS and rule_id in EXAMPLE_SHAPE_RULES


def is_fixture_value(secret: bytes, after: bytes) -> bool:
    """Whether a value is clearly fake or local: a fixture word in it, a value typed as
    ascending runs or as a word and a short number, or ``after`` (the bytes that follow
    it) starting with a URL's local or reserved host (``fakes``)."""
    return (
        FIXTURE_WORDS.search(secret) is not None
        or is_typed_sequence(secret)
        or is_word_and_digits(secret)
        or is_local_host(after)
    )


_SEPARATORS = re.compile(rb"[-_.:]")
MIN_RUN = 3  # "ab" happens by chance in random text; "abc123xyz" is typed
MIN_SEQUENCE = 6


def is_typed_sequence(secret: bytes) -> bool:
    """Whether a value is made only of ascending runs of at least ``MIN_RUN`` characters
    (``abc123xyz``, ``def-456``, ``123456``), separators aside: a placeholder typed by
    hand, never the output of a key generator."""
    chars = _SEPARATORS.sub(b"", secret).lower()
    if len(chars) < MIN_SEQUENCE or not chars.isalnum():
        return False
    run = 1
    for previous, current in pairwise(chars):
        if current == previous + 1:
            run += 1
            continue
        if run < MIN_RUN:
            return False
        run = 1
    return run >= MIN_RUN
