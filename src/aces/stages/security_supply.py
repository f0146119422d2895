"""Stage 7 checks: SBOM, signatures, immutable tags and locked toolchains (``infra.*``).

The artifact side of ACES section V. Each check reads the policy's ``[supply]``
section (``docs/supply-chain.md``); the parsing and cryptography live in
``aces.engines.supply``. The four clauses are enforced where the rest of
stage 7 runs, so a PR that breaks one fails before it can be deployed.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Generator, Iterator
from pathlib import Path

from aces.engines.containers.naming import is_ci_file
from aces.engines.supply.inventory import Inventory, take_inventory
from aces.engines.supply.ledger import (
    ImageRef,
    Ledger,
    image_refs,
    ledger_changes,
    manifest_kind,
    parse_ledger,
)
from aces.engines.supply.lockfiles import normalise_python
from aces.engines.supply.manifests import Manifest
from aces.engines.supply.provenance import Artifact, verify_bundle
from aces.engines.supply.publishing import PUBLISH, SBOM, SIGN, ci_steps, unattested
from aces.engines.supply.sbom import (
    NO_COMMIT,
    SourceState,
    build_sbom,
    component_purls,
    validate_sbom,
)
from aces.engines.supply.signing import Ed25519PublicKey, load_public_key
from aces.engines.supply.source import head_state, sha256_path, show_at
from aces.engines.supply.toolchains import (
    is_exact,
    mise_pins,
    nearest_rust_toolchain,
    rust_toolchain_pin,
    tool_versions_pins,
)
from aces.errors import AcesError, ToolError
from aces.model import Finding, Location
from aces.pipeline.check import Check, NotApplicable
from aces.pipeline.context import RunContext
from aces.pipeline.locations import policy_file
from aces.tools.rustup import RUSTUP_ENV
from aces.workspace.index import Workspace
from aces.workspace.roles import FIXTURE, role_of

LOGIC_VERSION = "2"
CARGO_TIMEOUT_SECONDS = 120.0
_MISE = re.compile(r"(?:.*/)?\.?mise(?:\.[^/]+)?\.toml")
_SKIP_DIRS = ("node_modules", "vendor", "target", "deps", "_build", ".venv")


def shipped_files(paths: tuple[str, ...]) -> tuple[str, ...]:
    """The workspace files that are no test data (whose manifests and locks the product uses)."""
    return tuple(p for p in paths if role_of(p) != FIXTURE)


def inventory(ctx: RunContext) -> Inventory:
    """The run's dependency inventory, read once and shared by the checks."""
    ws = ctx.workspace
    return ctx.memo.get(
        "supply.inventory",
        # test data (fixture lockfiles, broken on purpose) is not what the product ships
        lambda: take_inventory(shipped_files(ws.files), ws.read_text, ws.root.name),
    )


def policy_location(ctx: RunContext, key: str) -> Location | None:
    """Where a ``[supply]`` key is set in the policy file (line 1 when not found); None when
    no policy file of the repository is in force."""
    source = policy_file(ctx.loaded_policy, ctx.workspace)
    if source is None:
        return None
    text = ctx.workspace.read_text(source)
    header = re.search(r"^\[supply\][ \t]*$", text, re.MULTILINE)
    start = header.end() if header else 0
    following = re.search(r"^\[", text[start:], re.MULTILINE)
    end = start + following.start() if following else len(text)
    match = re.search(rf"^[ \t]*{re.escape(key)}[ \t]*=", text[start:end], re.MULTILINE)
    if match is None:
        return Location(source, text.count("\n", 0, start) + 1 if header else 1)
    return Location(source, text.count("\n", 0, start + match.start()) + 1)


def _project_location(ws: Workspace, directory: str, lock: str) -> Location:
    """A Cargo project's root manifest, or its lock when that folder holds only the lock."""
    manifest = f"{directory}Cargo.toml"
    return Location(manifest, 1) if ws.exists(manifest) else Location(lock, 1)


def _rust_projects(inv: Inventory) -> list[tuple[str, str]]:
    """Each Cargo project as (directory ending in '/' or '', its lock or root manifest).

    A project is a folder holding a Cargo.lock, or, when there is no lock, a
    workspace root or a crate outside every workspace (a member is its root's).
    """
    projects: dict[str, str] = {}
    for manifest, lock in inv.manifests:
        if manifest.ecosystem != "cargo":
            continue
        anchor = lock or manifest.workspace_root or manifest.path
        directory = anchor.rsplit("/", 1)[0] + "/" if "/" in anchor else ""
        projects.setdefault(directory, anchor)
    return sorted(projects.items())


def unreadable_findings(check: Check, inv: Inventory) -> Iterator[Finding]:
    """One finding per manifest or lockfile that cannot be read, at that file."""
    for broken in inv.unreadable:
        yield check.finding(
            f"{broken.path} cannot be read, so what it pins is unknown: {broken.reason}",
            Location(broken.path),
            rule_id=f"{check.id}.unreadable",
            key=broken.path,
        )


class SupplyCheck(Check):
    """Shared parts of the supply-chain checks."""

    stage = 7

    def cache_key(self, ctx: RunContext) -> str | None:
        """The tree, the Change and the policy (build outputs are not in the tree: no cache)."""
        if ctx.policy.supply.artifacts:
            return None
        material = "\x1f".join((self.id, LOGIC_VERSION, ctx.tree_digest(), ctx.inputs_digest()))
        return hashlib.sha256(material.encode("utf-8")).hexdigest()


class SbomCheck(SupplyCheck):
    """An SBOM can be generated from the repository's lockfiles, and a declared one matches.

    ACES V: an SBOM is generated for every artifact. ACES builds a CycloneDX 1.6
    JSON SBOM from the lockfiles (Cargo.lock, Python locks, package-lock.json,
    mix.lock) and validates it against the CycloneDX schema; ``aces sbom``
    writes the same document. A manifest whose dependencies no lockfile pins
    cannot yield a truthful SBOM (``infra.sbom.no-lockfile``): Cargo.toml
    without Cargo.lock, a pyproject.toml with dependencies and no lock, a
    package.json with dependencies and no package-lock.json, a mix.exs without
    mix.lock. When the policy names a committed SBOM (``supply.sbom``) it must
    exist (``infra.sbom.missing``), be valid CycloneDX (``infra.sbom.invalid``)
    and list exactly the generated components (``infra.sbom.stale``).
    """

    id = "infra.sbom"
    clauses = ("infra.sbom",)
    title = "An SBOM is generated from the lockfiles and any committed SBOM matches it"
    remedy = (
        "Commit the lockfile of every manifest (cargo generate-lockfile, uv lock, npm install, "
        "mix deps.get) and regenerate the committed SBOM with `aces sbom --output <file>`."
    )

    def applies(self, ctx: RunContext) -> NotApplicable | None:
        """Not applicable when there is no manifest, no lockfile, no declared SBOM and no CI
        step that publishes."""
        inv = inventory(ctx)
        if inv.manifests or inv.lockfiles or inv.unreadable or ctx.policy.supply.sbom:
            return None
        if any(s.kind == PUBLISH for p, t in _ci_texts(ctx) for s in ci_steps(p, t)):
            return None
        return NotApplicable(
            "no dependency manifest or lockfile, no SBOM declared ([supply] sbom) and no CI "
            "step that publishes",
            enable=("supply.sbom",),
        )

    def run(self, ctx: RunContext) -> Iterator[Finding]:
        """Unlocked manifests, then the generated SBOM against the committed one."""
        inv = inventory(ctx)
        yield from unreadable_findings(self, inv)
        for manifest in inv.unlocked:
            yield self.finding(
                f"{manifest.path} declares dependencies but no lockfile pins them "
                f"(expected {' or '.join(manifest.lock_names)})",
                Location(manifest.path, _first_line(manifest)),
                rule_id="infra.sbom.no-lockfile",
                key=manifest.path,
            )
        yield from self._publishing(ctx)
        state = head_state(ctx.workspace.root, runner=ctx.processes) or SourceState(NO_COMMIT, 0)
        generated = build_sbom(inv.subject, inv.packages, state)
        declared = ctx.policy.supply.sbom
        if declared:
            yield from self._compare(ctx, declared, generated)

    def _publishing(self, ctx: RunContext) -> Iterator[Finding]:
        """Each CI step that publishes while no CI step makes an SBOM (or signs)."""
        for item in unattested(_ci_texts(ctx)):
            step = item.step
            lacking = " and ".join(_STEP_NAMES[kind] for kind in item.missing)
            no_sbom = SBOM in item.missing
            yield self.finding(
                f"{step.what} publishes an artifact, but no CI step "
                f"{'produces or attaches its SBOM' if no_sbom else 'signs it'}: "
                f"missing {lacking}",
                Location(step.path, step.line),
                rule_id=f"{self.id}.{'publish-without-sbom' if no_sbom else 'publish-unsigned'}",
                clauses=self.clauses if no_sbom else ("infra.signatures",),
                help=_PUBLISH_HELP,
                key=f"{step.what}\x1f{lacking}",
            )

    def _compare(self, ctx: RunContext, declared: str, generated: str) -> Iterator[Finding]:
        """The committed SBOM exists, is valid and lists the generated components."""
        if not ctx.workspace.exists(declared):
            yield self.finding(
                f"the policy's SBOM {declared} does not exist",
                policy_location(ctx, "sbom"),
                rule_id="infra.sbom.missing",
                key=declared,
            )
            return
        text = ctx.workspace.read_text(declared)
        try:
            validate_sbom(text, declared)
            committed = component_purls(declared, text)
        except AcesError as exc:
            yield self.finding(
                f"{declared} is not a valid CycloneDX 1.6 SBOM: {exc.message}",
                Location(declared, 1),
                rule_id="infra.sbom.invalid",
                key=declared,
            )
            return
        wanted = component_purls("generated SBOM", generated)
        added = sorted(set(wanted) - set(committed))
        gone = sorted(set(committed) - set(wanted))
        if added or gone:
            parts = []
            if added:
                parts.append(f"missing {', '.join(added[:5])}{' ...' if len(added) > 5 else ''}")
            if gone:
                parts.append(f"extra {', '.join(gone[:5])}{' ...' if len(gone) > 5 else ''}")
            yield self.finding(
                f"{declared} does not match the lockfiles: {'; '.join(parts)}",
                Location(declared, 1),
                rule_id="infra.sbom.stale",
                key=declared,
            )


_STEP_NAMES = {SBOM: "an SBOM step", SIGN: "a signature step"}
_PUBLISH_HELP = (
    "Produce the SBOM of what is published and attach it (anchore/sbom-action, syft, "
    "`aces sbom`, docker/build-push-action with sbom: true), and sign it (cosign sign, "
    "actions/attest-build-provenance, `aces sign`); see docs/supply-chain.md."
)


def _ci_texts(ctx: RunContext) -> list[tuple[str, str]]:
    """(path, text) of every CI file of the tree (an unreadable one is left out here)."""
    out = []
    for path in ctx.workspace.files:
        if is_ci_file(path):
            try:
                out.append((path, ctx.workspace.read_text(path)))
            except AcesError:
                continue
    return out


def _first_line(manifest: Manifest) -> int:
    """The line of a manifest's first dependency, else 1."""
    return min((d.line for d in manifest.dependencies), default=1)


class SignaturesCheck(SupplyCheck):
    """Every artifact the policy declares carries a bundle that verifies.

    ACES V: artifact signatures are verified. For each artifact matched by the
    policy's ``supply.artifacts`` globs (in the working tree, so build outputs
    count), the bundle ``<artifact><supply.bundle_suffix>`` must exist
    (``infra.signatures.missing``) and be a DSSE envelope signed by the
    policy's Ed25519 ``public_key``, holding an in-toto Statement v1 with a SLSA
    v1 provenance predicate whose builder is ``supply.builder_id`` and whose
    subjects include the artifact's SHA-256 (``infra.signatures.invalid``). A
    glob that matches no artifact is ``infra.signatures.no-artifact``: an
    artifact that is not there cannot be shown to be signed.
    """

    id = "infra.signatures"
    clauses = ("infra.signatures",)
    title = "Declared artifacts carry a DSSE/in-toto bundle that verifies"
    remedy = (
        "Build the artifact, then sign it: `aces sign <artifact> --key <private key>` writes "
        "<artifact>.intoto.json; check it with `aces verify`."
    )

    def applies(self, ctx: RunContext) -> NotApplicable | None:
        """Not applicable when the policy declares no artifact to verify."""
        if ctx.policy.supply.artifacts:
            return None
        return NotApplicable(
            "the policy declares no artifacts to verify ([supply] artifacts)",
            enable=("supply.artifacts",),
        )

    def run(self, ctx: RunContext) -> Iterator[Finding]:
        """Missing artifacts, missing bundles and bundles that do not verify."""
        supply = ctx.policy.supply
        ws = ctx.workspace
        public = load_public_key(supply.public_key, ws.read_bytes(supply.public_key))
        for glob in supply.artifacts:
            found = _artifacts(ws.root, glob, supply.bundle_suffix)
            if not found:
                yield self.finding(
                    f"no artifact matches {glob!r}",
                    policy_location(ctx, "artifacts"),
                    rule_id="infra.signatures.no-artifact",
                    key=glob,
                )
            for rel in found:
                yield from self._verify(ctx, rel, public)

    def _verify(self, ctx: RunContext, rel: str, public: Ed25519PublicKey) -> Iterator[Finding]:
        """One artifact's bundle: present, signed, right builder, right digest."""
        supply = ctx.policy.supply
        bundle = rel + supply.bundle_suffix
        if not (ctx.workspace.root / bundle).is_file():
            yield self.finding(
                f"{rel} has no signature bundle {bundle}",
                Location(rel),
                rule_id="infra.signatures.missing",
                key=rel,
            )
            return
        text = ctx.workspace.read_bytes(bundle).decode("utf-8", "replace")
        artifact = Artifact(rel, sha256_path(ctx.workspace.path(rel)))
        outcome = verify_bundle(text, public, [artifact], supply.builder_id)
        if not outcome.ok:
            yield self.finding(
                f"{bundle} does not verify {rel}: {'; '.join(outcome.problems)}",
                Location(bundle),
                rule_id="infra.signatures.invalid",
                key=rel,
            )


def _artifacts(root: Path, glob: str, suffix: str) -> tuple[str, ...]:
    """Regular files under ``root`` matching ``glob`` (bundles and .git left out), sorted."""
    out: set[str] = set()
    for path in root.glob(glob):
        rel = path.relative_to(root).as_posix()
        if rel.startswith(".git/") or rel.endswith(suffix) or not path.is_file():
            continue
        if not path.resolve().is_relative_to(root.resolve()):
            continue
        out.add(rel)
    return tuple(sorted(out))


class ImmutableTagsCheck(SupplyCheck):
    """Deployment manifests pin images by digest, and a recorded tag never moves.

    ACES V: the artifact registry uses immutable tags. Every ``image`` of a
    Kubernetes manifest, a compose file or a Nomad job (files matched by
    ``supply.deploy_manifests``, recognised by content) must carry
    ``@sha256:<digest>`` (``infra.immutable-tags.no-digest``); one built from a
    variable cannot be checked (``infra.immutable-tags.templated``). With a
    ledger (``supply.tag_ledger``, JSON tag -> digest, committed), a
    ``name:tag@digest`` reference must be recorded
    (``infra.immutable-tags.unrecorded``) with that digest
    (``infra.immutable-tags.ledger-mismatch``), and against the base version of
    the ledger no recorded tag may change its digest
    (``infra.immutable-tags.moved``) or disappear (``infra.immutable-tags.removed``).
    """

    id = "infra.immutable-tags"
    clauses = ("infra.immutable-tags",)
    title = "Images are referenced by digest and recorded tags never move"
    remedy = (
        "Reference images as name:tag@sha256:<digest> and record new tags in the ledger; "
        "a rebuilt image gets a new tag, never a new digest under an old one."
    )

    def applies(self, ctx: RunContext) -> NotApplicable | None:
        """Not applicable without deployment manifests and without a ledger."""
        if _manifests(ctx) or ctx.policy.supply.tag_ledger:
            return None
        return NotApplicable(
            "no deployment manifest ([supply] deploy_manifests) and no image ledger "
            "([supply] tag_ledger)",
            enable=("supply.deploy_manifests", "supply.tag_ledger"),
        )

    def run(self, ctx: RunContext) -> Iterator[Finding]:
        """Unpinned references, ledger disagreements and moved or removed tags."""
        ledger = yield from self._ledger(ctx)
        for path, kind in _manifests(ctx):
            for ref in image_refs(path, ctx.workspace.read_text(path), kind):
                yield from self._reference(ref, ledger)

    def _ledger(self, ctx: RunContext) -> Generator[Finding, None, Ledger | None]:
        """The head ledger (None without one), after its findings against the base."""
        rel = ctx.policy.supply.tag_ledger
        if not rel:
            return None
        if not ctx.workspace.exists(rel):
            yield self.finding(
                f"the policy's image ledger {rel} does not exist",
                policy_location(ctx, "tag_ledger"),
                rule_id="infra.immutable-tags.no-ledger",
                key=rel,
            )
            return None
        head = parse_ledger(rel, ctx.workspace.read_text(rel))
        base_commit = ctx.change.base
        base_text = (
            show_at(ctx.workspace.root, base_commit, rel, runner=ctx.processes)
            if base_commit
            else None
        )
        if base_commit and base_text is not None:
            base = parse_ledger(f"{rel} (base {base_commit[:12]})", base_text)
            for change in ledger_changes(base, head):
                if change.kind == "moved":
                    message = (
                        f"tag {change.tag} moved from {change.base_digest} to {change.head_digest}"
                    )
                else:
                    message = f"tag {change.tag} ({change.base_digest}) was removed from the ledger"
                yield self.finding(
                    message,
                    Location(rel, change.line),
                    rule_id=f"infra.immutable-tags.{change.kind}",
                    key=change.tag,
                )
        return head

    def _reference(self, ref: ImageRef, ledger: Ledger | None) -> Iterator[Finding]:
        """Findings of one image reference."""
        where = Location(ref.path, ref.line)
        if ref.templated:
            yield self.finding(
                f"image {ref.text} is built from a variable; its digest cannot be checked",
                where,
                rule_id="infra.immutable-tags.templated",
                key=ref.text,
            )
            return
        if ref.digest is None:
            yield self.finding(
                f"image {ref.text} is not pinned by digest (@sha256:...)",
                where,
                rule_id="infra.immutable-tags.no-digest",
                key=ref.text,
            )
            return
        if ledger is None or ref.tag is None:
            return
        recorded = ledger.tags.get(ref.tag)
        if recorded is None:
            yield self.finding(
                f"tag {ref.tag} is not recorded in the image ledger",
                where,
                rule_id="infra.immutable-tags.unrecorded",
                key=ref.tag,
            )
        elif recorded != ref.digest:
            yield self.finding(
                f"tag {ref.tag} is pinned to {ref.digest} but the ledger records {recorded}",
                where,
                rule_id="infra.immutable-tags.ledger-mismatch",
                key=ref.tag,
            )


def _manifests(ctx: RunContext) -> tuple[tuple[str, str], ...]:
    """(path, kind) of every deployment manifest, read once per run."""

    def find() -> tuple[tuple[str, str], ...]:
        out: list[tuple[str, str]] = []
        for path in ctx.workspace.match(ctx.policy.supply.deploy_manifests):
            if any(part in _SKIP_DIRS for part in path.split("/")[:-1]):
                continue
            kind = manifest_kind(path, ctx.workspace.read_text(path))
            if kind is not None:
                out.append((path, kind))
        return tuple(out)

    return ctx.memo.get("supply.deploy-manifests", find)


class LockedToolchainsCheck(SupplyCheck):
    """Toolchains are pinned exactly, lockfiles match manifests, CI actions are pinned by SHA.

    ACES V: toolchain versions are locked. A Rust project needs a
    ``rust-toolchain.toml`` (or ``rust-toolchain``) naming one exact release
    (``1.95.0``, ``nightly-2026-01-15``; not ``stable`` or ``1.95``):
    ``infra.locked-toolchains.rust-unpinned`` / ``.not-exact``. Entries of
    ``.tool-versions`` and ``mise.toml`` must be exact too (``.not-exact``).
    Every manifest needs its lockfile (``.lockfile-missing``), and the lock must
    hold every declared dependency (``.lockfile-stale``); for Cargo,
    ``cargo metadata --locked --offline`` must accept the lock. Actions of GitHub
    workflows pinned by commit are ``ci.workflow-audit``'s (zizmor ``unpinned-uses``).
    """

    id = "infra.locked-toolchains"
    clauses = ("infra.locked-toolchains",)
    title = "Toolchains and lockfiles are pinned exactly"
    remedy = (
        'Pin exact versions (rust-toolchain.toml channel = "1.95.0"), commit lockfiles '
        "regenerated from the manifests."
    )
    tools = ("cargo",)

    def applies(self, ctx: RunContext) -> NotApplicable | None:
        """Not applicable without manifests or toolchain files."""
        if inventory(ctx).manifests or _pin_files(ctx):
            return None
        return NotApplicable("no dependency manifest or toolchain file")

    def run(self, ctx: RunContext) -> Iterator[Finding]:
        """Toolchain pins, lockfile presence and sync."""
        unpinned: set[str] = set()
        yield from self._rust_pin(ctx, unpinned)
        yield from self._pins(ctx)
        yield from self._locks(ctx, unpinned)

    def _rust_pin(self, ctx: RunContext, unpinned: set[str]) -> Iterator[Finding]:
        """Every Cargo project root has an exact rust-toolchain pin (else its lock in
        ``unpinned``: cargo would not resolve that toolchain, the finding says why)."""
        ws = ctx.workspace
        judged: set[str] = set()
        for directory, lock in _rust_projects(inventory(ctx)):
            pin_file = nearest_rust_toolchain(directory, ws.exists)
            if pin_file is None:
                unpinned.add(lock)
                yield self.finding(
                    f"the Rust project {directory or './'} has no rust-toolchain.toml "
                    "pinning an exact toolchain",
                    # the project's root manifest, or its lock when that folder holds only it
                    _project_location(ws, directory, lock),
                    rule_id="infra.locked-toolchains.rust-unpinned",
                    key=directory,
                )
                continue
            channel, line = rust_toolchain_pin(pin_file, ws.read_text(pin_file))
            if not is_exact(channel):
                unpinned.add(lock)
                if pin_file in judged:  # one shared pin file, one finding
                    continue
                judged.add(pin_file)
                yield self.finding(
                    f"rust toolchain {channel or '(no channel)'!r} is not an exact release "
                    '(pin e.g. "1.95.0")',
                    Location(pin_file, line),
                    rule_id="infra.locked-toolchains.not-exact",
                    key=pin_file,
                )

    def _pins(self, ctx: RunContext) -> Iterator[Finding]:
        """``.tool-versions`` and ``mise.toml`` entries that are not exact."""
        ws = ctx.workspace
        for path in _pin_files(ctx):
            text = ws.read_text(path)
            name = path.rsplit("/", 1)[-1]
            pins = (
                tool_versions_pins(path, text)
                if name == ".tool-versions"
                else mise_pins(path, text)
            )
            for pin in pins:
                yield self.finding(
                    f"{pin.tool} {pin.value or '(no version)'!r} is not an exact version",
                    Location(pin.path, pin.line),
                    rule_id="infra.locked-toolchains.not-exact",
                    key=f"{pin.tool}={pin.value}",
                )

    def _locks(self, ctx: RunContext, unpinned: set[str]) -> Iterator[Finding]:
        """Missing lockfiles, dependencies absent from their lock, and Cargo's own verdict."""
        inv = inventory(ctx)
        yield from unreadable_findings(self, inv)
        broken = {u.path for u in inv.unreadable}
        stale_locks: set[str] = set(broken)  # an unreadable lock is not compared again
        for manifest, lock in inv.manifests:
            if lock in broken:
                continue
            if lock is None:
                if manifest.needs_lock:
                    yield self.finding(
                        f"{manifest.path} has no lockfile ({' or '.join(manifest.lock_names)})",
                        Location(manifest.path, _first_line(manifest)),
                        rule_id="infra.locked-toolchains.lockfile-missing",
                        key=manifest.path,
                    )
                continue
            locked = {
                _lock_name(manifest.ecosystem, p.name) for p in inv.packages if p.lockfile == lock
            }
            for dep in manifest.dependencies:
                if _lock_name(manifest.ecosystem, dep.name) not in locked:
                    stale_locks.add(lock)
                    yield self.finding(
                        f"{manifest.path} depends on {dep.name}, which {lock} does not lock",
                        Location(manifest.path, dep.line),
                        rule_id="infra.locked-toolchains.lockfile-stale",
                        key=f"{manifest.path}:{dep.name}",
                    )
        cargo_locks = sorted({lock for m, lock in inv.manifests if m.ecosystem == "cargo" and lock})
        for lock in cargo_locks:
            if lock not in stale_locks and lock not in unpinned:
                yield from self._cargo_locked(ctx, lock)

    def _cargo_locked(self, ctx: RunContext, lock: str) -> Iterator[Finding]:
        """``cargo metadata --locked --offline`` in the lock's directory."""
        directory = lock.rsplit("/", 1)[0] if "/" in lock else ""
        cwd = ctx.workspace.root / directory if directory else ctx.workspace.root
        result = ctx.processes.run(
            ["cargo", "metadata", "--locked", "--offline", "--format-version", "1"],
            cwd=cwd,
            timeout=CARGO_TIMEOUT_SECONDS,
            env=dict(RUSTUP_ENV),  # rustup never downloads the pinned toolchain
            install_hint="install Rust with rustup (https://rustup.rs)",
        )
        if result.returncode == 0:
            return
        errors = [ln for ln in result.stderr.splitlines() if ln.startswith("error")]
        if "--locked" in result.stderr:
            yield self.finding(
                f"{lock} is out of date with its manifests "
                f"(cargo metadata --locked: {errors[0] if errors else 'refused'})",
                Location(lock, 1),
                rule_id="infra.locked-toolchains.lockfile-stale",
                key=lock,
            )
            return
        reason = errors[0] if errors else result.stderr.strip()[:200]
        raise ToolError(
            f"cargo metadata --locked --offline failed: {reason}",
            path=lock,
            hint="run it in that directory to see why",
        )


def _lock_name(ecosystem: str, name: str) -> str:
    """The name a lock records for a dependency (PEP 503 for Python, else as written)."""
    return normalise_python(name) if ecosystem == "pypi" else name


def _pin_files(ctx: RunContext) -> tuple[str, ...]:
    """``.tool-versions`` and mise config files outside vendored trees."""
    return tuple(
        p
        for p in ctx.workspace.files
        if (p.rsplit("/", 1)[-1] == ".tool-versions" or _MISE.fullmatch(p))
        and not any(part in _SKIP_DIRS for part in p.split("/")[:-1])
    )


SUPPLY_CHECKS: tuple[Check, ...] = (
    SbomCheck(),
    SignaturesCheck(),
    ImmutableTagsCheck(),
    LockedToolchainsCheck(),
)
