"""Generate the labelled secrets set, deterministically, into a directory.

Three kinds of case, each one file, with ``labels.json`` naming the lines that hold
a secret (``{"files": {"<rel>": [line, ...]}}``; an empty list means no secret; a
multi-line sample lists all its lines, and a hit on any of them finds it):

- ``samples/``: every built-in rule's should-flag samples (secret) and should-not-flag
  samples (none), expanded from their templates with fixed seeds;
- ``planted/``: real Python code (the first files of the local standard library, in
  sorted order) with one generated secret of a vendor format inserted at a fixed line;
- ``shapes/``: known false-positive shapes: hashes, UUIDs, commit ids, lockfile
  hashes, data URIs, test certificates and public keys.

    .venv/bin/python benchmarks/secrets_corpus/generate.py OUT_DIR [--stdlib DIR]
"""

from __future__ import annotations

import argparse
import json
import sysconfig
from pathlib import Path

from aces.engines.secrets.rules import load_builtin
from aces.engines.secrets.samples import expand

PLANTS: tuple[str, ...] = (
    'GITHUB_TOKEN = "ghp_@@alnum:36@@"',
    'aws_access_key_id = "AKIA@@b32:16@@"',
    'aws_secret_access_key = "@@b64:40@@"',
    'SLACK = "xoxb-@@digit:12@@-@@digit:13@@-@@alnum:24@@"',
    'STRIPE_KEY = "sk_live_@@alnum:24@@"',
    'GOOGLE_KEY = "AIza@@b64url:35@@"',
    'NPM_TOKEN = "npm_@@alnum:36@@"',
    'SENDGRID = "SG.@@b64url:22@@.@@b64url:43@@"',
    'DSN = "postgres://svc:@@alnum:20@@@db.internal/app"',
    'REDIS_URL = "redis://:@@alnum:24@@@cache:6379/0"',
    'db_password = "@@alnum:18@@"',
    'client_secret = "@@b64url:32@@"',
    'api_key = "@@hex:32@@"',
    'GITLAB = "glpat-@@alnum:20@@"',
    'JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJidXMifQ.@@b64url:43@@"',
    'SEED = "SU@@b32:56@@"',
)
SHAPES: tuple[str, ...] = (
    'SHA256 = "@@hex:64@@"',
    'checksum = "@@hex:40@@"',
    'md5sum = "@@hex:32@@"',
    'commit = "@@hex:40@@"',
    'request_id = "@@hex:8@@-@@hex:4@@-4@@hex:3@@-a@@hex:3@@-@@hex:12@@"',
    'uuid = "@@hex:8@@-@@hex:4@@-@@hex:4@@-@@hex:4@@-@@hex:12@@"',
    "pkg==1.0 --hash=sha256:@@hex:64@@",
    '"integrity": "sha512-@@b64:86@@=="',
    'ICON = "data:image/png;base64,@@b64:120@@"',
    "-----BEGIN CERTIFICATE-----\n@@b64:64@@\n@@b64:64@@\n@@b64:30@@==\n-----END CERTIFICATE-----",
    "-----BEGIN PUBLIC KEY-----\n@@b64:64@@\n@@b64:20@@\n-----END PUBLIC KEY-----",
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI@@b64:43@@ ops@bus",
    'password = os.environ["DB_PASSWORD"]',
    'token = request.headers.get("Authorization")',
    'SECRET_KEY = "change-me-in-production"',
    'url = "https://user:${TOKEN}@git.internal/repo.git"',
    'font = "@@b64:44@@"',
    'nonce = "@@b64url:22@@"',
)
PLANTED_FILES = 40


def build(out: Path, stdlib: Path) -> dict[str, list[int]]:
    """Write every case under ``out``; return path -> secret lines."""
    labels: dict[str, list[int]] = {}
    rules = load_builtin()
    for rule in rules.rules:
        for kind, templates in (("flag", rule.flag), ("skip", rule.skip)):
            for i, template in enumerate(templates):
                # A rule of deploy files only reads a deploy file (``.env``); others a text.
                suffix = ".env" if rule.contexts else ".txt"
                rel = f"samples/{rule.id}-{kind}-{i}{suffix}"
                text = expand(template, f"corpus:{rule.id}:{kind}:{i}")
                _write(out / rel, f"# case\n{text}\n")
                span = list(range(2, 2 + text.count("\n") + 1))  # every line of the sample
                labels[rel] = span if kind == "flag" else []
    sources = sorted(p for p in stdlib.glob("*.py") if p.stat().st_size > 2000)[:PLANTED_FILES]
    for i, source in enumerate(sources):
        lines = source.read_text(encoding="utf-8", errors="replace").splitlines()
        at = min(len(lines), 10 + i * 3)
        plant = expand(PLANTS[i % len(PLANTS)], f"corpus:plant:{i}")
        rel = f"planted/{source.name}"
        _write(out / rel, "\n".join([*lines[:at], plant, *lines[at:]]) + "\n")
        labels[rel] = [at + 1]
    for i, template in enumerate(SHAPES):
        rel = f"shapes/shape-{i:02d}.txt"
        _write(out / rel, "# shape\n" + expand(template, f"corpus:shape:{i}") + "\n")
        labels[rel] = []
    (out / "labels.json").write_text(
        json.dumps({"files": labels}, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    return labels


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def main() -> None:
    """Command line entry."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--stdlib", type=Path, default=Path(sysconfig.get_paths()["stdlib"]))
    args = parser.parse_args()
    labels = build(args.out, args.stdlib)
    print(f"{len(labels)} files, {sum(len(v) for v in labels.values())} secrets -> {args.out}")


if __name__ == "__main__":
    main()
