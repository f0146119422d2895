"""Unsafe exposure: open binds, CORS wildcards, debug endpoints, privileged containers,
published ports and secrets in committed dotenv files.

``scan_exposure`` reads code and configuration text, ``scan_env`` dotenv
files, ``scan_manifest`` Compose and Kubernetes YAML, ``scan_routes`` Python web
routes against the repository's authentication facts (``file_auth``, ``RepoAuth``).
Each returns ``Hit``s with rule id, path, line and message. No knowledge of stages or the CLI.
"""

from __future__ import annotations

from aces.engines.exposure.envfiles import is_example_env, scan_env, secret_key_line
from aces.engines.exposure.manifests import scan_manifest
from aces.engines.exposure.routeauth import RepoAuth
from aces.engines.exposure.routes import file_auth, scan_routes
from aces.engines.exposure.textrules import EXPOSURE_RULES, scan_exposure

__all__ = [
    "EXPOSURE_RULES",
    "RepoAuth",
    "file_auth",
    "is_example_env",
    "scan_env",
    "scan_exposure",
    "scan_manifest",
    "scan_routes",
    "secret_key_line",
]
