"""``aces sbom``, ``aces sign`` and ``aces verify``: the supply-chain documents of a build.

``aces sbom [PATH] [--output FILE]`` writes the CycloneDX 1.6 SBOM of the
repository's lockfiles (reproducible: serial number and timestamp from HEAD).
``aces sign ARTIFACT... --key KEY`` writes a DSSE envelope holding an in-toto
statement with SLSA v1 provenance for the artifacts. ``aces verify BUNDLE
--artifact FILE... --pubkey PUB`` checks the signature, the subjects' digests
and the builder identity: exit 0 verified, 1 not verified, 2 cannot verify.
Settings (builder id, build type, bundle suffix, default key) come from the
``[supply]`` section of the repository's policy; see ``docs/supply-chain.md``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from aces.engines.supply.inventory import take_inventory
from aces.engines.supply.provenance import (
    Artifact,
    Source,
    build_statement,
    envelope_text,
    sign_statement,
    verify_bundle,
)
from aces.engines.supply.sbom import build_sbom
from aces.engines.supply.signing import load_private_key, load_public_key
from aces.engines.supply.source import head_state, origin_uri, sha256_path
from aces.errors import InputError
from aces.policy.loader import load_policy
from aces.policy.schema import Policy
from aces.workspace.index import Workspace

EXIT_PASS, EXIT_FAIL = 0, 1
MAX_BUNDLE_BYTES = 16 * 1024 * 1024
COMMANDS = ("sbom", "sign", "verify")


def add_parser(sub: Any) -> None:
    """Register ``sbom``, ``sign`` and ``verify`` (each once, whichever is asked for)."""
    existing = set(getattr(sub, "choices", {}) or {})
    if "sbom" not in existing:
        _sbom_parser(sub)
    if "sign" not in existing:
        _sign_parser(sub)
    if "verify" not in existing:
        _verify_parser(sub)


def _sbom_parser(sub: Any) -> None:
    """``aces sbom``."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "sbom", help="write the CycloneDX 1.6 SBOM of the repository's lockfiles"
    )
    parser.add_argument("path", nargs="?", default=".", help="repository root (default .)")
    parser.add_argument("--output", "-o", metavar="FILE", help="write here instead of stdout")
    parser.set_defaults(func=handle_sbom)


def _sign_parser(sub: Any) -> None:
    """``aces sign``."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "sign", help="sign SLSA provenance of artifacts (in-toto statement in a DSSE envelope)"
    )
    parser.add_argument("artifacts", nargs="+", metavar="ARTIFACT", help="built artifacts")
    parser.add_argument(
        "--key", metavar="KEY", help="Ed25519 private key PEM (or supply.signing_key)"
    )
    parser.add_argument(
        "--output", "-o", metavar="FILE", help="bundle path (default ARTIFACT+suffix)"
    )
    parser.add_argument("--repo", default=".", metavar="DIR", help="repository root (default .)")
    parser.add_argument("--builder-id", help="builder identity (default supply.builder_id)")
    parser.set_defaults(func=handle_sign)


def _verify_parser(sub: Any) -> None:
    """``aces verify``."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "verify", help="verify a bundle: signature, subject digests, builder; exit 0/1/2"
    )
    parser.add_argument("bundle", metavar="BUNDLE", help="DSSE envelope written by aces sign")
    parser.add_argument(
        "--artifact", action="append", required=True, metavar="FILE", help="artifact (repeatable)"
    )
    parser.add_argument("--pubkey", required=True, metavar="PUB", help="Ed25519 public key PEM")
    parser.add_argument("--repo", default=".", metavar="DIR", help="repository root (default .)")
    parser.add_argument(
        "--builder-id", help="expected builder identity (default supply.builder_id)"
    )
    parser.set_defaults(func=handle_verify)


def _read(path: str, what: str, limit: int = MAX_BUNDLE_BYTES) -> bytes:
    """The bytes of a file given on the command line (InputError naming it)."""
    try:
        with Path(path).open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise InputError(f"cannot read the {what}: {exc.strerror}", path=path) from exc
    if len(data) > limit:
        raise InputError(f"the {what} is larger than {limit} bytes", path=path)
    return data


def _policy(repo: str) -> Policy:
    """The policy of the repository at ``repo`` (the doctrine default without aces.toml)."""
    root = Path(repo)
    if not root.is_dir():
        raise InputError("not a directory", path=repo, hint="give the repository root with --repo")
    return load_policy(root).policy


def _builder(given: str | None, policy: Policy) -> str:
    """The builder identity: the flag, else the policy's (InputError when neither)."""
    builder = given or policy.supply.builder_id
    if not builder:
        raise InputError(
            "no builder identity", hint="pass --builder-id or set supply.builder_id in aces.toml"
        )
    return builder


def handle_sbom(args: argparse.Namespace) -> int:
    """Write the SBOM; InputError when a manifest has no lock or there is no commit."""
    root = Path(args.path)
    ws = Workspace.open(root)
    inventory = take_inventory(ws.files, ws.read_text, ws.root.name)
    if inventory.unreadable:
        broken = inventory.unreadable[0]
        raise InputError(broken.reason, path=broken.path)
    if inventory.unlocked:
        first = inventory.unlocked[0]
        raise InputError(
            f"declares dependencies but no lockfile pins them ({' or '.join(first.lock_names)})",
            path=first.path,
            hint="commit the lockfile; an SBOM without it would not say what is built",
        )
    state = head_state(ws.root)
    if state is None:
        raise InputError(
            "not a git work tree with a commit; the SBOM's serial number and timestamp come "
            "from HEAD",
            path=args.path,
            hint="run it in a git repository",
        )
    text = build_sbom(inventory.subject, inventory.packages, state)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {args.output} ({len(inventory.packages)} components)")
    else:
        sys.stdout.write(text)
    return EXIT_PASS


def _subject_name(artifact: Path, root: Path) -> str:
    """The artifact's path relative to the repository, or its file name when outside it."""
    try:
        return artifact.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return artifact.name


def handle_sign(args: argparse.Namespace) -> int:
    """Write the signed provenance bundle of the artifacts."""
    policy = _policy(args.repo)
    root = Path(args.repo)
    key_path = args.key or (
        str(root / policy.supply.signing_key) if policy.supply.signing_key else ""
    )
    if not key_path:
        raise InputError("no signing key", hint="pass --key or set supply.signing_key in aces.toml")
    key = load_private_key(key_path, _read(key_path, "signing key"))
    builder = _builder(args.builder_id, policy)
    state = head_state(root)
    if state is None:
        raise InputError(
            "not a git work tree with a commit; provenance names the source commit",
            path=args.repo,
            hint="run it in the repository the artifacts were built from (--repo)",
        )
    artifacts = []
    for name in args.artifacts:
        path = Path(name)
        if not path.is_file():
            raise InputError("artifact is not a file", path=name, hint="build it first")
        artifacts.append(Artifact(_subject_name(path, root), sha256_path(path)))
    statement = build_statement(
        artifacts,
        builder_id=builder,
        source=Source(origin_uri(root), state.commit),
        build_type=policy.supply.build_type,
        parameters={"buildCommands": [list(c) for c in policy.build.commands]},
    )
    output = args.output or args.artifacts[0] + policy.supply.bundle_suffix
    Path(output).write_text(envelope_text(sign_statement(statement, key)), encoding="utf-8")
    print(f"wrote {output} ({len(artifacts)} subject(s), builder {builder})")
    return EXIT_PASS


def handle_verify(args: argparse.Namespace) -> int:
    """Verify the bundle; exit 0 verified, 1 not verified."""
    policy = _policy(args.repo)
    builder = _builder(args.builder_id, policy)
    public = load_public_key(args.pubkey, _read(args.pubkey, "public key"))
    text = _read(args.bundle, "bundle").decode("utf-8", "replace")
    artifacts = []
    for name in args.artifact:
        path = Path(name)
        if not path.is_file():
            raise InputError("artifact is not a file", path=name)
        artifacts.append(Artifact(name, sha256_path(path)))
    outcome = verify_bundle(text, public, artifacts, builder)
    if outcome.ok:
        names = ", ".join(a.name for a in artifacts)
        print(f"verified: {args.bundle} signs {names} (builder {builder})")
        return EXIT_PASS
    for problem in outcome.problems:
        print(f"{args.bundle}: {problem}")
    print(f"not verified: {len(outcome.problems)} problem(s)")
    return EXIT_FAIL
