"""A workspace member is pinned by the lock at its workspace root (uv, npm / Bun)."""

from __future__ import annotations

import json

from aces.engines.supply.inventory import take_inventory
from aces.engines.supply.lockfiles import Package, parse_bun_lock

UV_ROOT = '[tool.uv.workspace]\nmembers = ["service", "libs/*"]\nexclude = ["libs/old"]\n'
MEMBER = '[project]\nname = "{name}"\nversion = "1"\ndependencies = ["httpx>=0.27"]\n'
UV_LOCK = '[[package]]\nname = "httpx"\nversion = "0.27.2"\n'
NPM_ROOT = json.dumps({"name": "mono", "private": True, "workspaces": ["web", "packages/*"]})
WEB = json.dumps({"name": "web", "dependencies": {"react": "^19.0.0", "@scope/ui": "^1.0.0"}})
BUN_LOCK = """{
  "lockfileVersion": 1,
  "workspaces": {
    "": { "name": "mono", },
    "web": { "name": "web", "dependencies": { "react": "^19.0.0", }, },
  },
  "packages": {
    "@scope/ui": ["@scope/ui@1.2.0", "", {}, "sha512-AAAA"],
    "react": ["react@19.0.1", "", {}, "sha512-BBBB"],
    "web": ["web@workspace:web"],
  }
}
"""


def _locks(files: dict[str, str]) -> dict[str, str | None]:
    inventory = take_inventory(sorted(files), files.__getitem__, "mono")
    return {manifest.path: lock for manifest, lock in inventory.manifests}


def test_uv_workspace_members_use_the_root_lock() -> None:
    files = {
        "pyproject.toml": UV_ROOT,
        "uv.lock": UV_LOCK,
        "service/pyproject.toml": MEMBER.format(name="service"),
        "libs/core/pyproject.toml": MEMBER.format(name="core"),
        "libs/old/pyproject.toml": MEMBER.format(name="old"),
        "tools/pyproject.toml": MEMBER.format(name="tools"),
    }
    locks = _locks(files)
    assert locks["service/pyproject.toml"] == "uv.lock"
    assert locks["libs/core/pyproject.toml"] == "uv.lock"
    assert locks["libs/old/pyproject.toml"] is None  # excluded from the workspace
    assert locks["tools/pyproject.toml"] is None  # not a member


def test_npm_workspace_members_use_the_root_bun_lock() -> None:
    files = {
        "package.json": NPM_ROOT,
        "bun.lock": BUN_LOCK,
        "web/package.json": WEB,
        "packages/mail/package.json": WEB,
        "site/package.json": WEB,
    }
    locks = _locks(files)
    assert locks["web/package.json"] == "bun.lock"
    assert locks["packages/mail/package.json"] == "bun.lock"
    assert locks["site/package.json"] is None


def test_a_bun_lock_beside_its_manifest_pins_it() -> None:
    assert _locks({"package.json": WEB, "bun.lock": BUN_LOCK}) == {"package.json": "bun.lock"}


def test_bun_lock_packages_leave_the_workspace_members_out() -> None:
    assert parse_bun_lock("bun.lock", BUN_LOCK) == [
        Package("npm", "@scope/ui", "1.2.0", "bun.lock"),
        Package("npm", "react", "19.0.1", "bun.lock"),
    ]
