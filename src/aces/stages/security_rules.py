"""Stage 7 checks: TLS, Wasm policy, permission matrix, crypto misuse and unsafe exposure.

Each check reads the ``[security]`` section of the policy (``docs/security-rules.md``)
and reports finer rule ids below its own: ``sec.tls.python-verify-false``,
``sec.wasm-policy.import``, ``sec.permission-matrix.escalation``,
``sec.crypto-misuse.weak-hash``, ``sec.unsafe-exposure.privileged``, ...
"""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from aces.engines.cryptorules import CryptoScanner, language_of
from aces.engines.exposure import (
    RepoAuth,
    file_auth,
    is_example_env,
    scan_env,
    scan_exposure,
    scan_manifest,
    scan_routes,
)
from aces.engines.permissions import (
    Matrix,
    MatrixError,
    bus_actions,
    gains,
    parse_matrix,
    proto_rpcs,
    validate,
)
from aces.engines.secrets.context import CONTEXT_TITLES, context_of
from aces.engines.tlsrules import (
    Hit,
    ProbeError,
    client_context,
    kind_of,
    probe,
    scan_tls,
)
from aces.engines.tlsrules.textscan import is_env_file
from aces.engines.wasmpolicy import Sample, is_wasm_binary, verify_module
from aces.engines.wasmpolicy.host import is_host_source, scan_host
from aces.errors import GitError, InputError
from aces.model import Finding, Location, Severity
from aces.pipeline.check import Check, NotApplicable
from aces.pipeline.context import RunContext
from aces.pipeline.locations import policy_key_location
from aces.policy.problems import KeyPath
from aces.stages.wasm_test_data import test_only_modules
from aces.workspace.git import git_env
from aces.workspace.index import Workspace
from aces.workspace.roles import FIXTURE, PRODUCT, TEST, role_of

# Bumped when the checks' logic changes, so cached results of older logic are not served.
LOGIC_VERSION = "5"
GIT_TIMEOUT_SECONDS = 60.0


class RuleCheck(Check):
    """Shared parts of the stage 7 rule checks: caching and hits as findings."""

    stage = 7

    def cache_key(self, ctx: RunContext) -> str | None:
        """The tree state, the Change (PR labels and approvals included) and the policy."""
        material = "\x1f".join((self.id, LOGIC_VERSION, ctx.tree_digest(), ctx.inputs_digest()))
        return hashlib.sha256(material.encode("utf-8")).hexdigest()

    def hit_findings(self, hits: Iterable[Hit]) -> Iterator[Finding]:
        """One finding per engine hit, at its file, line and column."""
        for hit in hits:
            yield self.finding(
                hit.message,
                Location(hit.path, hit.line, hit.column),
                rule_id=hit.rule_id,
                key=f"{hit.rule_id}\x1f{hit.message}",
            )


def _files_of_kind(ws: Workspace, kinds: frozenset[str]) -> tuple[str, ...]:
    """Workspace files whose kind (python, rust, elixir, config) is one of ``kinds``."""
    return tuple(f for f in ws.files if kind_of(f) in kinds)


def policy_text(ctx: RunContext) -> str:
    """The policy file's text, or "" for the embedded default."""
    source = ctx.loaded_policy.source
    if ctx.loaded_policy.is_default:
        return ""
    if ctx.workspace.exists(source):
        return ctx.workspace.read_text(source)
    try:
        return Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the policy file again: {exc}", path=source) from exc


def policy_location(ctx: RunContext, key: KeyPath) -> Location | None:
    """Where a key of the policy file is (line 1 of it when absent); None when no policy file
    of the repository is in force (the embedded default)."""
    return policy_key_location(ctx.loaded_policy, ctx.workspace, key)


# -- sec.tls ----------------------------------------------------------------------------------


class TlsStatic(RuleCheck):
    """No code or configuration switches TLS verification off or talks plaintext to a remote host.

    ACES IV.7 (``sec.tls``): Rust ``danger_accept_invalid_certs(true)`` and rustls
    ``dangerous()`` custom verifiers; Python ``verify=False``, ``ssl.CERT_NONE``,
    ``_create_unverified_context``, ``check_hostname = False``; Elixir
    ``verify: :verify_none``; ``sslmode=disable`` (or allow / prefer);
    ``nats://``, ``redis://`` and ``postgres://`` URLs to a non-local host
    (``tls://``, ``rediss://`` and ``sslmode=require`` / ``verify-full`` are fine;
    in Python and Rust only a URL that reaches a connect call or a connection
    setting) and ``http://`` endpoints in configuration files. Local hosts (localhost,
    ``*.local``, loopback addresses) are never flagged. Python and Rust are judged by
    syntax: a string, regular expression, docstring or comment is never a finding, and
    in TOML the values of sample and pattern keys are not configuration. Rule ids:
    ``sec.tls.<rule>``; the samples are in ``aces/engines/tlsrules/static.py`` and
    ``pysyntax.py``.
    """

    id = "sec.tls"
    clauses = ("sec.tls",)
    title = "TLS is enforced in code and configuration"
    remedy = (
        "Keep certificate and hostname verification on, and use the TLS form of the URL "
        "(tls://, rediss://, sslmode=verify-full, https://) for every non-local host."
    )

    def applies(self, ctx: RunContext) -> NotApplicable | None:
        """Not applicable without Rust, Python, Elixir or configuration files."""
        if _files_of_kind(ctx.workspace, frozenset({"python", "rust", "elixir", "config"})):
            return None
        return NotApplicable("no Rust, Python, Elixir or configuration file")

    def run(self, ctx: RunContext) -> Iterator[Finding]:
        """The static rules' hits in every code and configuration file."""
        ws = ctx.workspace
        for path in _files_of_kind(ws, frozenset({"python", "rust", "elixir", "config"})):
            yield from self.hit_findings(scan_tls(path, ws.read_text(path)))


class TlsProbe(RuleCheck):
    """Every endpoint the policy lists speaks TLS 1.2+ with a chain from the policy's CA.

    ACES IV.7 (``sec.tls``), live: ``[security.tls] endpoints`` are probed with a
    client that trusts only ``ca_bundle``, checks the hostname and refuses
    versions below ``min_version``. Rule ids: ``sec.tls.probe.expired``,
    ``.hostname``, ``.untrusted``, ``.version``, ``.handshake``, at the endpoint's
    line in the policy file. An endpoint that cannot be reached in
    ``probe_timeout_seconds`` makes the check ERROR: it cannot be verified.
    """

    id = "sec.tls-probe"
    clauses = ("sec.tls",)
    title = "Live endpoints negotiate TLS 1.2+ with a valid chain and hostname"
    remedy = (
        "Serve a current certificate for the endpoint's host name, issued under the CA "
        "bundle the policy names, and disable protocols older than TLS 1.2."
    )

    def applies(self, ctx: RunContext) -> NotApplicable | None:
        """Not applicable when the policy lists no endpoint."""
        if ctx.policy.security.tls.endpoints:
            return None
        return NotApplicable(
            "the policy lists no TLS endpoint ([security.tls] endpoints)",
            enable=("security.tls.endpoints",),
        )

    def cache_key(self, ctx: RunContext) -> str | None:
        """Never cached: the endpoints are live."""
        del ctx
        return None

    def run(self, ctx: RunContext) -> Iterator[Finding]:
        """One handshake per endpoint."""
        tls = ctx.policy.security.tls
        ca_path = ctx.workspace.path(tls.ca_bundle)
        context = client_context(ca_path, tls.min_version)
        for i, endpoint in enumerate(tls.endpoints):
            try:
                failure = probe(endpoint, context, tls.probe_timeout_seconds)
            except ProbeError as exc:
                exc.path = exc.path or ctx.loaded_policy.source
                raise
            if failure is not None:
                yield self.finding(
                    f"{endpoint}: {failure.message}",
                    policy_location(ctx, ("security", "tls", "endpoints", i)),
                    rule_id=f"sec.tls.probe.{failure.rule}",
                    key=f"{endpoint}\x1f{failure.rule}",
                )


# -- sec.wasm-policy --------------------------------------------------------------------------


class WasmPolicyCheck(RuleCheck):
    """Every Wasm policy module stays inside its sandbox budget and answers deterministically.

    ACES IV.7 (``sec.wasm-policy``), with wasmtime: each ``*.wasm`` / ``*.wat``
    under ``[security.wasm] dirs`` imports only what ``allowed_imports`` names
    (no WASI filesystem or sockets unless allowed), declares a maximum for every
    memory within ``max_memory_pages``, exports the ABI of ``exports``, and, with
    ``samples_dir``, returns each sample's expected i32 twice in a row within the
    ``fuel`` budget. Rule ids: ``sec.wasm-policy.not-wasm``, ``.import``,
    ``.memory``, ``.export``, ``.sample``, ``.fuel``, ``.nondeterministic``,
    ``.no-samples``. A file that is not Wasm is a finding at that file. Every
    other ``*.wasm`` of the repository has its imports and memories checked;
    Rust host code using wasmtime / wasmer is read for guest memory indexed
    without ``.get(..)`` (``.unchecked-memory``) and stores with neither a
    resource limiter nor fuel (``.store-limits``).
    """

    id = "sec.wasm-policy"
    clauses = ("sec.wasm-policy",)
    title = "Wasm policy modules meet the safety policy"
    remedy = (
        "Remove the import or allow it in [security.wasm], declare a bounded memory, export "
        "the ABI the policy names, and keep the module free of state between evaluations."
    )

    def modules(self, ctx: RunContext) -> tuple[str, ...]:
        """The .wasm / .wat files under the policy's directories."""
        found = ctx.workspace.under(ctx.policy.security.wasm.dirs)
        return tuple(f for f in found if f.endswith((".wasm", ".wat")))

    def other_modules(self, ctx: RunContext) -> tuple[str, ...]:
        """The Wasm binaries elsewhere in the repository (imports and memory are checked).

        A ``.wasm`` file there that is not Wasm (a Git LFS pointer, a deliberately broken
        test input) is no module and is left out, and so is a module only tests load
        (``wasm_test_data``)."""
        policy_modules = set(self.modules(ctx))
        candidates = [
            f for f in ctx.workspace.files if f.endswith(".wasm") and f not in policy_modules
        ]
        test_data = test_only_modules(ctx.workspace, candidates)  # the tests judge their inputs
        return tuple(
            f
            for f in candidates
            if f not in test_data and is_wasm_binary(ctx.workspace.read_bytes(f))
        )

    def hosts(self, ctx: RunContext) -> tuple[str, ...]:
        """Rust files that run Wasm guests (they use wasmtime or wasmer)."""
        rust = (f for f in ctx.workspace.files if f.endswith(".rs"))
        return tuple(f for f in rust if is_host_source(ctx.workspace.read_text(f)))

    def applies(self, ctx: RunContext) -> NotApplicable | None:
        """Not applicable without a Wasm module or Rust host code anywhere."""
        if self.modules(ctx) or self.other_modules(ctx) or self.hosts(ctx):
            return None
        dirs = ", ".join(f"{d}/" for d in ctx.policy.security.wasm.dirs)
        return NotApplicable(
            f"no .wasm or .wat module under {dirs} ([security.wasm] dirs), no .wasm module "
            "elsewhere, and no Rust code using wasmtime or wasmer",
            enable=("security.wasm.dirs",),
        )

    def run(self, ctx: RunContext) -> Iterator[Finding]:
        """Each module's issues, at the module (with its .wat line) or the sample file;
        then the unchecked memory accesses and unbounded stores of host code."""
        yield from self._policy_modules(ctx)
        unbound = replace(ctx.policy.security.wasm, exports=(), entry="", alloc="")
        for module in self.other_modules(ctx):
            for issue in verify_module(module, ctx.workspace.read_bytes(module), unbound, ()):
                yield self.finding(
                    issue.message,
                    Location(module, issue.line),
                    rule_id=f"{self.id}.{issue.rule}",
                    key=f"{module}\x1f{issue.rule}\x1f{issue.message}",
                )
        for host in self.hosts(ctx):
            for found in scan_host(host, ctx.workspace.read_text(host)):
                yield self.finding(
                    found.message,
                    Location(found.path, found.line, found.column),
                    rule_id=f"{self.id}.{found.rule}",
                    key=f"{found.rule}\x1f{found.message}",
                )

    def _policy_modules(self, ctx: RunContext) -> Iterator[Finding]:
        wasm = ctx.policy.security.wasm
        for module in self.modules(ctx):
            samples: list[Sample] = []
            if wasm.samples_dir:
                samples, problems = self.samples(ctx, module)
                yield from problems
                if not samples and not problems:
                    yield self.finding(
                        f"no samples for this module under {self.sample_dir(ctx, module)}/",
                        Location(module),
                        rule_id=f"{self.id}.no-samples",
                    )
            data = ctx.workspace.read_bytes(module)
            for issue in verify_module(module, data, wasm, samples):
                yield self.finding(
                    issue.message,
                    Location(issue.path or module, issue.line),
                    rule_id=f"{self.id}.{issue.rule}",
                    key=f"{module}\x1f{issue.rule}\x1f{issue.message}",
                )

    def sample_dir(self, ctx: RunContext, module: str) -> str:
        """``<samples_dir>/<module stem>``."""
        stem = posixpath.splitext(posixpath.basename(module))[0]
        return posixpath.join(ctx.policy.security.wasm.samples_dir, stem)

    def samples(self, ctx: RunContext, module: str) -> tuple[list[Sample], list[Finding]]:
        """The module's samples (``<case>.in`` + ``<case>.out``), and findings on bad ones."""
        ws = ctx.workspace
        inputs = [f for f in ws.under([self.sample_dir(ctx, module)]) if f.endswith(".in")]
        samples: list[Sample] = []
        problems: list[Finding] = []
        for path in inputs:
            expected_path = path[: -len(".in")] + ".out"
            name = posixpath.basename(path)[: -len(".in")]
            expected = self._expected(ws, expected_path)
            if expected is None:
                problems.append(
                    self.finding(
                        f"sample {name!r} needs {posixpath.basename(expected_path)} holding "
                        "the expected i32 in decimal",
                        Location(expected_path if ws.exists(expected_path) else path, 1),
                        rule_id=f"{self.id}.sample",
                    )
                )
                continue
            samples.append(Sample(name, path, ws.read_bytes(path), expected))
        return samples, problems

    @staticmethod
    def _expected(ws: Workspace, path: str) -> int | None:
        """The decimal i32 of a ``.out`` file, or None when missing or not a number."""
        if not ws.exists(path):
            return None
        try:
            value = int(ws.read_text(path).strip())
        except ValueError:
            return None
        return value if -(2**31) <= value < 2**31 else None


# -- sec.permission-matrix --------------------------------------------------------------------


class PermissionMatrixCheck(RuleCheck):
    """The permission matrix covers every action, denies by default and grows only with approval.

    ACES IV.7 (``sec.permission-matrix``). Actions are ``rpc:<package>.<Service>/<Method>``
    for each RPC of the repository's .proto files and ``bus:<command>`` for each
    of ``[security.permissions] bus_commands``. When there is any action, a
    matrix is required (``sec.permission-matrix.missing``). The matrix
    (``docs/security-rules.md``) must declare ``default: deny``
    (``.default``), give every role an entry for every action (``.missing-entry``),
    name only known actions (``.unknown-action``), hold values allow / deny
    (``.value``) and give wildcard grants only to ``wildcard_roles``
    (``.wildcard``). Against the base commit, a role that gains a permission
    needs one of ``approval_labels`` on the PR or, with ``senior_approval``, an
    approval by a senior maintainer (``.escalation``).
    """

    id = "sec.permission-matrix"
    clauses = ("sec.permission-matrix",)
    title = "The permission matrix is complete, deny-by-default and approved when it grows"
    remedy = (
        "Give every role an explicit allow or deny for every action, keep 'default: deny', "
        "and have a new grant approved (the policy's label or a senior maintainer's approval)."
    )

    def actions(self, ctx: RunContext) -> tuple[str, ...]:
        """Every action: proto RPCs, then bus commands."""
        ws = ctx.workspace
        rpcs = [
            rpc for f in ws.files if f.endswith(".proto") for rpc in proto_rpcs(ws.read_text(f))
        ]
        commands = bus_actions(ctx.policy.security.permissions.bus_commands)
        return tuple(dict.fromkeys([*sorted(rpcs), *commands]))

    def applies(self, ctx: RunContext) -> NotApplicable | None:
        """Not applicable without actions and without a declared matrix."""
        if ctx.policy.security.permissions.matrix or self.actions(ctx):
            return None
        return NotApplicable(
            "no proto service, no bus command in the policy ([security.permissions] "
            "bus_commands) and no matrix declared ([security.permissions] matrix)",
            enable=("security.permissions.bus_commands", "security.permissions.matrix"),
        )

    def run(self, ctx: RunContext) -> Iterator[Finding]:
        """Presence, validity and approval of the matrix's grants."""
        settings = ctx.policy.security.permissions
        path = settings.matrix
        if not path or not ctx.workspace.exists(path):
            yield self._missing(ctx, path)
            return
        try:
            head = parse_matrix(path, ctx.workspace.read_text(path))
        except MatrixError as exc:
            yield self.finding(
                f"the matrix cannot be read: {exc}",
                Location(path, exc.line),
                rule_id=f"{self.id}.unreadable",
            )
            return
        issues = validate(head, self.actions(ctx), settings.wildcard_roles)
        if not self._approved(ctx):
            issues.extend(gains(head, self._base(ctx, path)) if self._has_base(ctx) else [])
        for issue in sorted(issues, key=lambda i: (i.line, i.rule, i.message)):
            yield self.finding(
                issue.message,
                Location(path, issue.line),
                rule_id=f"{self.id}.{issue.rule}",
                key=f"{issue.rule}\x1f{issue.message}",
            )

    def _missing(self, ctx: RunContext, path: str) -> Finding:
        """The finding for an undeclared or absent matrix."""
        if not path:
            return self.finding(
                "the repository has permission-bearing actions (proto RPCs or bus commands) "
                "but the policy declares no matrix ([security.permissions] matrix)",
                policy_location(ctx, ("security", "permissions")),
                rule_id=f"{self.id}.missing",
            )
        return self.finding(
            f"the permission matrix {path} does not exist",
            policy_location(ctx, ("security", "permissions", "matrix")),
            rule_id=f"{self.id}.missing",
        )

    @staticmethod
    def _has_base(ctx: RunContext) -> bool:
        """Whether there is a base commit to compare with."""
        return not ctx.change.whole_tree and ctx.change.base is not None

    def _approved(self, ctx: RunContext) -> bool:
        """Whether the PR carries an approval label or a senior maintainer's approval."""
        settings = ctx.policy.security.permissions
        pr = ctx.change.pr
        if set(pr.labels) & set(settings.approval_labels):
            return True
        seniors = {m.handle for m in ctx.policy.maintainers if m.senior}
        return settings.senior_approval and bool(seniors & set(pr.approvals))

    def _base(self, ctx: RunContext, path: str) -> Matrix | None:
        """The matrix at the base commit; None when it did not exist or cannot be read there
        (then every grant counts as new)."""
        base = ctx.change.base
        assert base is not None  # _has_base checked it
        spec = f"{base}:{ctx.workspace.git_prefix}{path}"
        env = git_env(root=ctx.workspace.root)
        result = ctx.processes.run(
            ("git", "--no-pager", "cat-file", "-p", spec),
            cwd=ctx.workspace.root,
            timeout=GIT_TIMEOUT_SECONDS,
            env=env,
            install_hint="apt-get install -y git",
        )
        if result.returncode != 0:
            exists = ctx.processes.run(
                ("git", "--no-pager", "cat-file", "-e", base),
                cwd=ctx.workspace.root,
                timeout=GIT_TIMEOUT_SECONDS,
                env=env,
            )
            if exists.returncode != 0:
                raise GitError(f"cannot read the base commit {base[:12]}", path=path)
            return None
        try:
            return parse_matrix(path, result.stdout)
        except MatrixError:
            return None


# -- sec.crypto-misuse ------------------------------------------------------------------------


TIMING_RULES = frozenset({"sec.crypto-misuse.mac-compare"})
# A key literal in a test or a document keys that test or example: information in the
# contexts ``[secrets] info_contexts`` names (the secret scan's own classification).
KEY_RULES = frozenset({"sec.crypto-misuse.hardcoded-key"})
FIXTURE_KEY_HELP = (
    "A key written in a test or a document keys that test or example; it is reported for "
    "review and does not block ([secrets] info_contexts). Make sure no product code uses it."
)
TESTS = frozenset({TEST, FIXTURE})
EXAMPLE_ENV_EXEMPT = frozenset({"sec.unsafe-exposure.debug", "sec.unsafe-exposure.env-secret"})


class CryptoMisuse(RuleCheck):
    """No misused cryptography in Rust, Python or Elixir code.

    ACES IV.7 (``sec.crypto-misuse``), tree-sitter rules: MD5 / SHA-1 for
    security (``.weak-hash``; ``usedforsecurity=False`` is fine), ECB mode
    (``.ecb``), literal IVs / nonces (``.static-iv``), hard-coded keys: literals
    that reach a cipher / MAC / JWT / signing API, directly or through a name bound
    to them, judged by that use and not by a name (``.hardcoded-key``), key material
    from a non-cryptographic or fixed-seed RNG
    (``.weak-random``), JWT signature verification disabled or ``alg: none``
    (``.jwt-no-verify``), RSA keys below ``[security.crypto] min_rsa_bits``
    (``.rsa-key-size``) and MACs compared with ``==`` (``.mac-compare``: a value that
    flows from a MAC / digest call, not a word; not in test code, where no attacker times
    the comparison). A hard-coded key in a test or a document (the secret scan's
    contexts, ``[secrets] info_contexts``) is that test's fixture: information. The
    rules and their samples are in ``aces/engines/cryptorules/rules.py``.
    """

    id = "sec.crypto-misuse"
    clauses = ("sec.crypto-misuse",)
    title = "No misused cryptography APIs"
    remedy = (
        "Use SHA-256 or better, an AEAD mode with a random nonce, keys from a secret store, "
        "a CSPRNG, verified JWTs, RSA >= 2048 bits and constant-time MAC comparison."
    )

    def files(self, ctx: RunContext) -> tuple[str, ...]:
        """The Rust, Python and Elixir files."""
        return tuple(f for f in ctx.workspace.files if language_of(f) is not None)

    def applies(self, ctx: RunContext) -> NotApplicable | None:
        """Not applicable without Rust, Python or Elixir code."""
        return None if self.files(ctx) else NotApplicable("no Rust, Python or Elixir file")

    def run(self, ctx: RunContext) -> Iterator[Finding]:
        """The crypto rules' hits in every source file."""
        scanner = CryptoScanner(ctx.policy.security.crypto.min_rsa_bits)
        # read_text refuses binary and non-UTF-8 files with a clear error
        sources = [(p, ctx.workspace.read_text(p).encode("utf-8")) for p in self.files(ctx)]
        hits = scanner.scan_project(sources)
        # A timing attack needs an attacker timing the comparison: a test comparing a
        # digest with its expected value is not one.
        kept = [h for h in hits if not (h.rule_id in TIMING_RULES and role_of(h.path) in TESTS)]
        info = ctx.policy.secrets.info_contexts
        for hit in kept:
            where = context_of(hit.path)
            if hit.rule_id in KEY_RULES and where in info:
                yield self.fixture_key(hit, where)
            else:
                yield from self.hit_findings((hit,))

    def fixture_key(self, hit: Hit, where: str) -> Finding:
        """A key written in a test or a document: that test's fixture, information."""
        return self.finding(
            f"{hit.message} (in {CONTEXT_TITLES[where]}: information, not blocking)",
            Location(hit.path, hit.line, hit.column),
            rule_id=hit.rule_id,
            key=f"{hit.rule_id}\x1f{hit.message}",
            severity=Severity.NOTE,
            help=FIXTURE_KEY_HELP,
        )


# -- sec.unsafe-exposure ----------------------------------------------------------------------


class UnsafeExposure(RuleCheck):
    """Nothing is exposed that should not be: binds, CORS, debug, privileges, ports, env secrets.

    ACES IV.7 (``sec.unsafe-exposure``): servers bound to ``0.0.0.0`` / ``::`` in a
    file with no authentication mechanism in sight (none, when the file serves
    unauthenticated routes), judged in Python and Rust by where
    the value flows (a bind / listen call, a listen option or setting default; not a
    client URL) (``.bind-all``), CORS allowing
    every origin, worse with credentials (``.cors-wildcard``), debug or admin
    endpoints enabled (``.debug``), privileged containers, host networking or
    namespaces and ``ALL`` capabilities in Compose / Kubernetes YAML
    (``.privileged``, ``.host-network``, ``.host-namespace``, ``.cap-all``), ports
    published beyond ``[security.exposure] allowed_ports`` (``.port``), and
    secret-named keys with values in committed dotenv files (``.env-secret``; the
    value is never shown). A YAML file that does not parse is ``.unreadable``.
    Python web routes (FastAPI, Starlette, aiohttp, Flask) of product code that change
    state or administer the service with no authentication dependency, decorator,
    router dependency or middleware in the repository are ``.unauthenticated-route``;
    routes in tests, fixtures and docs are test apps and examples, not the service.
    """

    id = "sec.unsafe-exposure"
    clauses = ("sec.unsafe-exposure",)
    title = "No unsafe resources exposed"
    remedy = (
        "Bind to loopback or put authentication in front, list allowed origins, turn debug "
        "off, drop privileges and host namespaces, publish only allowed ports, and keep "
        "secrets out of committed env files."
    )

    def files(self, ctx: RunContext) -> tuple[str, ...]:
        """Code and configuration files."""
        return _files_of_kind(ctx.workspace, frozenset({"python", "rust", "elixir", "config"}))

    def applies(self, ctx: RunContext) -> NotApplicable | None:
        """Not applicable without code or configuration files."""
        return None if self.files(ctx) else NotApplicable("no code or configuration file")

    def run(self, ctx: RunContext) -> Iterator[Finding]:
        """Text rules everywhere, dotenv and YAML rules where they apply."""
        ports = ctx.policy.security.exposure.allowed_ports
        services = [p for p in self.files(ctx) if p.endswith(".py") and role_of(p) == PRODUCT]
        auth = RepoAuth.merge(file_auth(ctx.workspace.read_text(p)) for p in services)
        for path in self.files(ctx):
            text = ctx.workspace.read_text(path)
            routes = scan_routes(path, text, auth) if path in services else []
            # test data and code templates are no service: nothing of theirs is exposed
            hits = (
                scan_exposure(path, text, open_routes=bool(routes))
                if role_of(path) != FIXTURE
                else []
            )
            hits.extend(routes)
            if is_env_file(path) and is_example_env(path):  # documents what to set
                hits = [h for h in hits if h.rule_id not in EXAMPLE_ENV_EXEMPT]
            elif is_env_file(path):
                hits.extend(scan_env(path, text))
            if path.endswith((".yaml", ".yml")):
                hits.extend(scan_manifest(path, text, ports))
            yield from self.hit_findings(sorted(hits, key=lambda h: (h.line, h.column, h.rule_id)))


RULE_CHECKS: tuple[Check, ...] = (
    TlsStatic(),
    TlsProbe(),
    WasmPolicyCheck(),
    PermissionMatrixCheck(),
    CryptoMisuse(),
    UnsafeExposure(),
)
