"""Stage 7 rule checks on the reference example and on mutated copies of it.

The example is green; each mutation is made in a git copy whose base commit is
the untouched example and fails exactly one ``sec.*`` clause with the expected
rule id, clause id, file and line.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import wasmtime

from aces.doctrine.catalog import load_doctrine
from aces.errors import AcesError
from aces.model import Severity
from aces.pipeline.context import RunContext
from aces.policy.loader import load_policy
from aces.stages.security_rules import RULE_CHECKS
from aces.workspace.change import compute_change
from aces.workspace.index import Workspace
from aces.workspace.types import PullRequest

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "arqonbus-mini"
Row = tuple[str, tuple[str, ...], str, int | None]


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(
        EXAMPLE,
        root,
        ignore=shutil.ignore_patterns(
            "__pycache__", ".pytest_cache", ".aces", "target", ".mypy_cache"
        ),
    )
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    return root


def run(
    root: Path, *, base: str | None = "main", pr: PullRequest | None = None
) -> dict[str, list[Row] | str]:
    """Check id -> sorted (rule, clauses, path, line) rows, or the NOT_APPLICABLE reason."""
    ws = Workspace.open(root)
    loaded = load_policy(root)
    change = compute_change(ws, loaded.policy, base=base, pr=pr or PullRequest())
    ctx = RunContext(ws, change, loaded, load_doctrine())
    out: dict[str, list[Row] | str] = {}
    for check in RULE_CHECKS:
        skip = check.applies(ctx)
        if skip is not None:
            out[check.id] = skip.reason
            continue
        out[check.id] = sorted(
            (f.rule_id, f.clauses, f.location.path if f.location else "",
             f.location.line if f.location else None)
            for f in check.run(ctx)
        )  # fmt: skip
    return out


def failing(outcome: dict[str, list[Row] | str]) -> dict[str, list[Row]]:
    return {k: v for k, v in outcome.items() if isinstance(v, list) and v}


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(root: Path, rel: str, needle: str) -> int:
    lines = (root / rel).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if needle in line)


def test_example_is_green(repo: Path) -> None:
    outcome = run(repo, base=None)
    assert failing(outcome) == {}
    assert outcome["sec.tls-probe"] == "the policy lists no TLS endpoint ([security.tls] endpoints)"
    assert all(isinstance(outcome[c], list) for c in (
        "sec.tls", "sec.wasm-policy", "sec.permission-matrix", "sec.crypto-misuse",
        "sec.unsafe-exposure"))  # fmt: skip


def test_tls_plaintext_url_fails(repo: Path) -> None:
    edit(repo, "config/bus.toml", "tls://nats.arqonbus", "nats://nats.arqonbus")
    line = line_of(repo, "config/bus.toml", "nats://")
    assert failing(run(repo)) == {
        "sec.tls": [("sec.tls.plaintext-url", ("sec.tls",), "config/bus.toml", line)]
    }


def test_tls_verify_false_fails(repo: Path) -> None:
    write(
        repo,
        "src/arqonbus_mini/fetch.py",
        "import requests\n\n\ndef get(u):\n    return requests.get(u, verify=False)\n",
    )
    assert failing(run(repo)) == {
        "sec.tls": [("sec.tls.python-verify-false", ("sec.tls",), "src/arqonbus_mini/fetch.py", 5)]
    }


def test_wasm_filesystem_import_fails(repo: Path) -> None:
    edit(
        repo,
        "policies/tenant_guard.wat",
        "(module\n",
        '(module\n  (import "wasi_snapshot_preview1" "path_open"'
        " (func (param i32) (result i32)))\n",
    )
    line = line_of(repo, "policies/tenant_guard.wat", "path_open")
    assert failing(run(repo)) == {
        "sec.wasm-policy": [
            ("sec.wasm-policy.import", ("sec.wasm-policy",), "policies/tenant_guard.wat", line)
        ]
    }


def test_wasm_wrong_sample_and_not_wasm_file_fail(repo: Path) -> None:
    write(repo, "policies/samples/tenant_guard/cross-tenant.out", "1\n")
    (repo / "policies" / "broken.wasm").write_bytes(b"MZ\x90\x00 not wasm")
    rows = failing(run(repo))["sec.wasm-policy"]
    assert rows == [
        ("sec.wasm-policy.no-samples", ("sec.wasm-policy",), "policies/broken.wasm", None),
        ("sec.wasm-policy.not-wasm", ("sec.wasm-policy",), "policies/broken.wasm", None),
        (
            "sec.wasm-policy.sample",
            ("sec.wasm-policy",),
            "policies/samples/tenant_guard/cross-tenant.in",
            None,
        ),
    ]


def test_wasm_unbounded_memory_fails(repo: Path) -> None:
    edit(
        repo,
        "policies/tenant_guard.wat",
        '(memory (export "memory") 1 1)',
        '(memory (export "memory") 1)',
    )
    line = line_of(repo, "policies/tenant_guard.wat", "(memory (export")
    assert failing(run(repo)) == {
        "sec.wasm-policy": [
            ("sec.wasm-policy.memory", ("sec.wasm-policy",), "policies/tenant_guard.wat", line)
        ]
    }


def test_wasm_module_outside_the_policy_dirs_is_checked(repo: Path) -> None:
    wat = '(module (import "wasi_snapshot_preview1" "path_open" (func (param i32) (result i32))))'
    (repo / "plugins").mkdir()
    (repo / "plugins" / "guest.wasm").write_bytes(wasmtime.wat2wasm(wat))
    lfs = b"version https://git-lfs.github.com/spec/v1\noid sha256:00\nsize 12\n"
    (repo / "plugins" / "stored-elsewhere.wasm").write_bytes(lfs)
    assert failing(run(repo)) == {
        "sec.wasm-policy": [
            ("sec.wasm-policy.import", ("sec.wasm-policy",), "plugins/guest.wasm", None)
        ]
    }


def test_wasm_guests_only_tests_load_are_their_data(repo: Path) -> None:
    wat = '(module (import "wasi_snapshot_preview1" "path_open" (func (param i32) (result i32))))'
    (repo / "guests").mkdir()
    for name in ("echo", "shipped"):
        (repo / "guests" / f"{name}.wasm").write_bytes(wasmtime.wat2wasm(wat))
    write(repo, "crates/host/tests/run.rs", 'const G: &[u8] = include_bytes!("echo.wasm");\n')
    write(
        repo,
        "crates/host/src/lib.rs",
        '/// const G: &[u8] = include_bytes!("echo.wasm");\n'
        'pub const KERNEL: &[u8] = include_bytes!("../../../guests/shipped.wasm");\n',
    )
    # echo.wasm is named by a test and by a doc comment: test data; shipped.wasm by product code
    assert failing(run(repo)) == {
        "sec.wasm-policy": [
            ("sec.wasm-policy.import", ("sec.wasm-policy",), "guests/shipped.wasm", None)
        ]
    }


HOST = """use wasmtime::{Engine, Memory, Store};

pub fn run(engine: &Engine, memory: Memory, ptr: usize, len: usize) -> Vec<u8> {
    let store = Store::new(engine, ());
    memory.data(&store)[ptr..ptr + len].to_vec()
}
"""


def test_wasm_host_unchecked_memory_and_unbounded_store_fail(repo: Path) -> None:
    write(repo, "crates/host/src/lib.rs", HOST)
    rel = "crates/host/src/lib.rs"
    assert failing(run(repo)) == {
        "sec.wasm-policy": [
            ("sec.wasm-policy.store-limits", ("sec.wasm-policy",), rel, 4),
            ("sec.wasm-policy.unchecked-memory", ("sec.wasm-policy",), rel, 5),
        ]
    }


def test_wasm_host_with_checked_memory_and_fuel_passes(repo: Path) -> None:
    safe = HOST.replace("[ptr..ptr + len].to_vec()", ".get(ptr..ptr + len).unwrap_or(&[]).to_vec()")
    safe = safe.replace("let store =", "let mut store =").replace(
        "());\n", "());\n    store.set_fuel(1_000_000).unwrap_or(());\n", 1
    )
    write(repo, "crates/host/src/lib.rs", safe)
    assert failing(run(repo)) == {}


def test_permission_missing_entry_and_default_allow_fail(repo: Path) -> None:
    rel = "security/permissions.yaml"
    edit(repo, rel, "default: deny", "default: allow")
    edit(repo, rel, '    "bus:kick": deny\n  subscriber:', "  subscriber:")
    assert failing(run(repo, base=None)) == {
        "sec.permission-matrix": [
            (
                "sec.permission-matrix.default",
                ("sec.permission-matrix",),
                rel,
                line_of(repo, rel, "default:"),
            ),
            (
                "sec.permission-matrix.missing-entry",
                ("sec.permission-matrix",),
                rel,
                line_of(repo, rel, "publisher:"),
            ),
        ]
    }


def test_permission_wildcard_outside_admin_fails(repo: Path) -> None:
    rel = "security/permissions.yaml"
    edit(repo, rel, "  subscriber:\n", '  subscriber:\n    "bus:*": deny\n    "*": allow\n')
    line = line_of(repo, rel, "subscriber:") + 2
    assert failing(run(repo, base=None)) == {
        "sec.permission-matrix": [
            ("sec.permission-matrix.wildcard", ("sec.permission-matrix",), rel, line)
        ]
    }


def test_permission_gain_needs_approval(repo: Path) -> None:
    rel = "security/permissions.yaml"
    edit(repo, rel, '    "bus:publish": deny\n    "bus:subscribe": allow',
         '    "bus:publish": allow\n    "bus:subscribe": allow')  # fmt: skip
    line = line_of(repo, rel, "subscriber:") + 1
    assert failing(run(repo)) == {
        "sec.permission-matrix": [
            ("sec.permission-matrix.escalation", ("sec.permission-matrix",), rel, line)
        ]
    }
    assert failing(run(repo, pr=PullRequest(labels=("security-approved",)))) == {}


def test_permission_matrix_required_when_bus_commands_listed(repo: Path) -> None:
    (repo / "security" / "permissions.yaml").unlink()
    line = line_of(repo, "aces.toml", 'matrix = "security/permissions.yaml"')
    assert failing(run(repo, base=None)) == {
        "sec.permission-matrix": [
            ("sec.permission-matrix.missing", ("sec.permission-matrix",), "aces.toml", line)
        ]
    }


def test_crypto_weak_hash_fails(repo: Path) -> None:
    write(
        repo,
        "src/arqonbus_mini/token.py",
        "import hashlib\n\n\ndef fingerprint(secret: bytes) -> str:\n"
        "    return hashlib.sha1(secret).hexdigest()\n",
    )
    assert failing(run(repo)) == {
        "sec.crypto-misuse": [
            ("sec.crypto-misuse.weak-hash", ("sec.crypto-misuse",), "src/arqonbus_mini/token.py", 5)
        ]
    }


def test_exposure_privileged_container_fails(repo: Path) -> None:
    edit(
        repo,
        "compose.yaml",
        "    depends_on: [nats, valkey]\n",
        "    depends_on: [nats, valkey]\n    privileged: true\n",
    )
    line = line_of(repo, "compose.yaml", "privileged:")
    assert failing(run(repo)) == {
        "sec.unsafe-exposure": [
            ("sec.unsafe-exposure.privileged", ("sec.unsafe-exposure",), "compose.yaml", line)
        ]
    }


def test_exposure_env_secret_and_port_fail(repo: Path) -> None:
    write(repo, ".env", "LOG_LEVEL=info\nVALKEY_PASSWORD=planted-value-123\n")
    # example env files document what to set: their placeholders and DEBUG are not deployed
    example = "DEBUG=true\nVALKEY_PASSWORD=change-me-in-production\n"
    write(repo, ".env.example", example)
    write(repo, "deploy/prod.env.sample", example)
    edit(
        repo,
        "compose.yaml",
        "    depends_on: [nats, valkey]\n",
        '    depends_on: [nats, valkey]\n    ports: ["8080:8080"]\n',
    )
    line = line_of(repo, "compose.yaml", "ports:")
    assert failing(run(repo)) == {
        "sec.unsafe-exposure": [
            ("sec.unsafe-exposure.env-secret", ("sec.unsafe-exposure",), ".env", 2),
            ("sec.unsafe-exposure.port", ("sec.unsafe-exposure",), "compose.yaml", line),
        ]
    }


def test_tls_probe_unreachable_endpoint_is_error(repo: Path) -> None:
    import socket

    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    listener.close()
    write(repo, "certs/ca.pem", "")
    edit(
        repo,
        "aces.toml",
        "[security.wasm]\n",
        f'[security.tls]\nendpoints = ["127.0.0.1:{port}"]\n'
        'ca_bundle = "certs/ca.pem"\n\n[security.wasm]\n',
    )
    with pytest.raises(AcesError, match="CA bundle"):
        run(repo, base=None)


def test_exposure_listen_defaults_fail_and_client_urls_pass(repo: Path) -> None:
    settings = "src/arqonbus_mini/settings.py"
    write(
        repo,
        settings,
        '"""Server settings."""\n\nfrom dataclasses import dataclass\n\n\n'
        "@dataclass(frozen=True)\nclass ServerSettings:\n"
        '    """Where the gateway listens."""\n\n'
        '    host: str = "0.0.0.0"\n    port: int = 8080\n',
    )
    cli = "crates/arqonbus-frame/src/bin/gateway.rs"
    write(
        repo,
        cli,
        "//! Gateway command line.\n\nuse clap::Parser;\n\n/// Options.\n#[derive(Parser)]\n"
        "pub struct Options {\n    /// Listen address.\n"
        '    #[arg(long, default_value = "[::]:4000")]\n'
        "    pub listen: String,\n}\n\nfn main() {\n    let _ = Options::parse();\n}\n",
    )
    # A test's client URLs: the value goes to a request, not to a listening socket.
    write(
        repo,
        "tests/test_health.py",
        "import requests\n\n\ndef test_health(port: int) -> None:\n"
        '    assert requests.get(f"http://0.0.0.0:{port}/health").ok\n',
    )
    write(
        repo,
        "crates/arqonbus-frame/tests/health.rs",
        "#[test]\nfn health() {\n    let port = 8080;\n"
        '    let url = format!("http://0.0.0.0:{port}/health");\n'
        "    let _ = reqwest::blocking::get(&url);\n"
        '    let _parts: Vec<&str> = "a::b".split("::").collect();\n}\n',
    )
    rule = ("sec.unsafe-exposure.bind-all", ("sec.unsafe-exposure",))
    assert run(repo)["sec.unsafe-exposure"] == sorted(
        [(*rule, cli, line_of(repo, cli, "default_value")), (*rule, settings, 10)]
    )


def test_crypto_key_is_judged_by_its_use_in_a_crypto_api(repo: Path) -> None:
    # Names that say "key" but never reach a crypto API are not keys.
    write(
        repo,
        "src/arqonbus_mini/routing_keys.py",
        '"""Cache and routing keys."""\n\nFORMAT_KEY = "arqonbus_frame_format"\n\n\n'
        "def dest_key(tenant: str, room: str) -> str:\n"
        '    dest_key = f"{tenant}:{room}"\n    return dest_key\n',
    )
    signer = "src/arqonbus_mini/signer.py"
    write(
        repo,
        signer,
        '"""Frame signatures."""\n\nimport hashlib\nimport hmac\n\n'
        'SIGNING_SECRET = b"arqonbus-signing-secret"\n\n\n'
        "def sign(frame: bytes) -> str:\n"
        "    return hmac.new(SIGNING_SECRET, frame, hashlib.sha256).hexdigest()\n",
    )
    # the same literal key in a test (a file named as one, anywhere) is the test's fixture:
    # reported as information ([secrets] info_contexts), never blocking
    test_body = '"""Signing test."""\n\nimport hashlib\nimport hmac\n\n\ndef test_sign() -> None:\n'
    test_body += '    assert hmac.new(b"test-secret", b"x", hashlib.sha256).hexdigest()\n'
    write(repo, "test_signing_layer.py", test_body)
    rule = ("sec.crypto-misuse.hardcoded-key", ("sec.crypto-misuse",))
    assert run(repo)["sec.crypto-misuse"] == [
        (*rule, signer, 6),
        (*rule, "test_signing_layer.py", 8),
    ]
    ws = Workspace.open(repo)
    loaded = load_policy(repo)
    ctx = RunContext(ws, compute_change(ws, loaded.policy, base="main", pr=PullRequest()),
                     loaded, load_doctrine())  # fmt: skip
    check = next(c for c in RULE_CHECKS if c.id == "sec.crypto-misuse")
    severities = {f.location.path: f.severity for f in check.run(ctx) if f.location}
    assert severities == {signer: Severity.ERROR, "test_signing_layer.py": Severity.NOTE}


def test_tls_plaintext_url_in_code_is_judged_by_where_it_flows(repo: Path) -> None:
    # A reference string that only names a resource is not a connection.
    write(
        repo,
        "src/arqonbus_mini/outbox.py",
        '"""Outbox handlers by resource name."""\n\nOUTBOX = "postgres://events/outbox"\n'
        "HANDLERS = {OUTBOX: print}\n",
    )
    store = "src/arqonbus_mini/store.py"
    write(
        repo,
        store,
        '"""Event store."""\n\nimport psycopg\n\n\ndef open_store() -> object:\n'
        '    return psycopg.connect("postgresql://events@db.example.com/events")\n',
    )
    assert failing(run(repo)) == {"sec.tls": [("sec.tls.plaintext-url", ("sec.tls",), store, 7)]}


def test_permission_matrix_missing_without_policy_file_has_no_false_place(repo: Path) -> None:
    # no aces.toml: the embedded default is in force, which is no file a finding can point at
    (repo / "aces.toml").unlink()
    write(
        repo,
        "proto/admin.proto",
        'syntax = "proto3";\npackage admin;\nmessage Req {}\n'
        "service Admin {\n  rpc Drain(Req) returns (Req);\n}\n",
    )
    rows = failing(run(repo, base=None))["sec.permission-matrix"]
    assert ("sec.permission-matrix.missing", ("sec.permission-matrix",), "", None) in rows
    assert all(path != "embedded doctrine default" for _, _, path, _ in rows)


def test_mac_compared_with_equals_fails_in_product_code_not_in_tests(repo: Path) -> None:
    body = (
        '"""Frame signatures."""\n\nimport hashlib\nimport hmac\n\n\n'
        "def valid(key: bytes, frame: bytes, received: str) -> bool:\n"
        "    return hmac.new(key, frame, hashlib.sha256).hexdigest() == received\n"
    )
    write(repo, "src/arqonbus_mini/verify.py", body)
    write(repo, "tests/test_verify_digest.py", body.replace("Frame signatures", "Test"))
    assert run(repo)["sec.crypto-misuse"] == [
        ("sec.crypto-misuse.mac-compare", ("sec.crypto-misuse",), "src/arqonbus_mini/verify.py", 8)
    ]


def test_exposure_unauthenticated_route_fails_at_its_decorator(repo: Path) -> None:
    api = "src/arqonbus_mini/admin_api.py"
    write(
        repo,
        api,
        '"""Operator endpoints."""\n\nfrom fastapi import Depends, FastAPI\n\n'
        "app = FastAPI()\n\n\n"
        '@app.get("/rooms")\ndef rooms() -> list[str]:\n    return []\n\n\n'
        '@app.post("/rooms/{rid}/messages")\n'
        "def post(rid: str, user: str = Depends(current_user)) -> None:\n    pass\n\n\n"
        '@app.post("/admin/reset")\ndef reset() -> None:\n    pass\n',
    )
    # the same unauthenticated route in a test is a test app, not the service
    write(
        repo,
        "tests/test_admin_api.py",
        'from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.post("/admin/reset")\n'
        "def reset() -> None:\n    pass\n",
    )
    rule = ("sec.unsafe-exposure.unauthenticated-route", ("sec.unsafe-exposure",))
    assert failing(run(repo)) == {
        "sec.unsafe-exposure": [(*rule, api, line_of(repo, api, '"/admin/reset"'))]
    }


def test_rule_patterns_samples_and_docstrings_in_code_are_not_findings(repo: Path) -> None:
    write(
        repo,
        "src/arqonbus_mini/lint_rules.py",
        '"""Settings this project refuses: ``verify=False``, ``DEBUG = True``."""\n\n'
        "import re\n\n"
        'VERIFY_OFF = re.compile(r"\\bverify\\s*=\\s*False\\b|check_hostname\\s*=\\s*False")\n'
        'CORS_ANY = re.compile(r"allow_origins=\\[\\"\\*\\"\\]")\n'
        'SAMPLES = ("requests.get(url, verify=False)", "app.run(debug=True)",\n'
        '           "ctx.verify_mode = ssl.CERT_NONE", "sslmode=disable")\n',
    )
    write(
        repo,
        "config/url_rules.toml",
        "[[rule]]\nid = \"pg\"\nregex = '''postgres://\\S+'''\n"
        "flag = ['postgres://app@db.internal/app', 'redis://cache.internal:6379']\n"
        "skip = ['postgres://localhost/app']\n",
    )
    assert failing(run(repo)) == {}


def test_cors_debug_and_weak_dsn_in_python_fail_where_the_code_sets_them(repo: Path) -> None:
    web = "src/arqonbus_mini/web.py"
    write(
        repo,
        web,
        '"""HTTP front."""\n\nimport psycopg\nfrom fastapi import FastAPI\n'
        "from fastapi.middleware.cors import CORSMiddleware\n\n"
        "app = FastAPI(debug=True)\n"
        'app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)\n'
        'DSN = "host=db.example.com dbname=bus sslmode=prefer"\n\n\n'
        "def store() -> object:\n    return psycopg.connect(DSN)\n",
    )
    # the same settings in a code template a generator copies are not the service's
    template = (
        '"""Service skeleton."""\n\nfrom fastapi import FastAPI\n'
        "from fastapi.middleware.cors import CORSMiddleware\n\n"
        "app = FastAPI(debug=True)\n"
        'app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)\n\n\n'
        '@app.post("/admin/reset")\ndef reset() -> None:\n    pass\n'
    )
    write(repo, "tools/newservice/templates/app_main.py", template)
    assert failing(run(repo)) == {
        "sec.tls": [("sec.tls.sslmode-disable", ("sec.tls",), web, 9)],
        "sec.unsafe-exposure": [
            ("sec.unsafe-exposure.cors-wildcard", ("sec.unsafe-exposure",), web, 8),
            ("sec.unsafe-exposure.debug", ("sec.unsafe-exposure",), web, 7),
        ],
    }
