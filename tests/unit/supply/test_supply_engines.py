"""The supply-chain engines: lockfiles, manifests, SBOM, DSSE / in-toto, ledger, pins."""

from __future__ import annotations

import base64
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from aces.engines.supply.ledger import (
    ImageRef,
    image_refs,
    ledger_changes,
    manifest_kind,
    parse_ledger,
)
from aces.engines.supply.lockfiles import (
    Package,
    parse_cargo_lock,
    parse_mix_lock,
    parse_package_lock,
    parse_requirements,
)
from aces.engines.supply.manifests import (
    cargo_manifest,
    find_lock,
    pyproject_manifest,
    resolve_inherited,
)
from aces.engines.supply.provenance import (
    Artifact,
    Source,
    build_statement,
    pae,
    sign_statement,
    verify_bundle,
)
from aces.engines.supply.sbom import (
    SourceState,
    Subject,
    build_sbom,
    component_purls,
    serial_number,
)
from aces.engines.supply.signing import load_private_key, load_public_key, private_pem
from aces.engines.supply.toolchains import (
    is_exact,
    mise_pins,
    rust_toolchain_pin,
    tool_versions_pins,
)
from aces.errors import AcesError, InputError

CARGO_LOCK = """version = 4

[[package]]
name = "app"
version = "0.1.0"
dependencies = ["serde"]

[[package]]
name = "serde"
version = "1.0.210"
source = "registry+https://github.com/rust-lang/crates.io-index"
"""
DIGEST_A = "sha256:" + "a" * 64
DIGEST_B = "sha256:" + "b" * 64


def test_cargo_lock_packages() -> None:
    assert parse_cargo_lock("Cargo.lock", CARGO_LOCK) == [
        Package("cargo", "app", "0.1.0", "Cargo.lock"),
        Package("cargo", "serde", "1.0.210", "Cargo.lock"),
    ]


def test_a_merge_conflict_marker_is_named_with_its_line() -> None:
    text = CARGO_LOCK.replace('version = "1.0.210"', '<<<<<<< HEAD\nversion = "1.0.210"')
    with pytest.raises(InputError) as err:
        parse_cargo_lock("Cargo.lock", text)
    assert err.value.diagnostics() == (
        "Cargo.lock: line 10 holds a merge conflict marker (<<<<<<<) "
        "(resolve the conflict and regenerate the lockfile)"
    )


def test_requirements_pins_with_hashes_and_markers() -> None:
    text = (
        "# comment\nRequests[socks]==2.32.3 \\\n    --hash=sha256:abc\n"
        "idna==3.10 ; python_version >= '3'\nflask>=3\n"
    )
    assert [p.purl for p in parse_requirements("requirements.txt", text)] == [
        "pkg:pypi/requests@2.32.3",
        "pkg:pypi/idna@3.10",
    ]


def test_package_lock_v3_and_scoped_purl() -> None:
    text = json.dumps(
        {
            "lockfileVersion": 3,
            "packages": {
                "": {"name": "web", "dependencies": {"@types/node": "^20"}},
                "node_modules/@types/node": {"version": "20.1.0"},
                "node_modules/local": {"link": True},
            },
        }
    )
    assert [p.purl for p in parse_package_lock("package-lock.json", text)] == [
        "pkg:npm/%40types/node@20.1.0"
    ]


def test_mix_lock_entries() -> None:
    text = (
        '%{\n  "jason": {:hex, :jason, "1.4.4", "b9226785", [:mix], [], "hexpm", "c5eb"},\n'
        '  "plug": {:hex, :plug, "1.16.1", "abc", [:mix], [], "hexpm", "x"},\n}\n'
    )
    assert [p.purl for p in parse_mix_lock("mix.lock", text)] == [
        "pkg:hex/jason@1.4.4",
        "pkg:hex/plug@1.16.1",
    ]


def test_cargo_manifest_dependencies_with_lines_and_renames() -> None:
    text = (
        '[package]\nname = "app"\n\n[dependencies]\nserde = "1"\n'
        'json = { package = "serde_json", version = "1" }\n\n[dev-dependencies.proptest]\n'
        'version = "1"\n'
    )
    manifest = cargo_manifest("Cargo.toml", text)
    assert [(d.name, d.line) for d in manifest.dependencies] == [
        ("serde", 5),
        ("serde_json", 6),
        ("proptest", 8),
    ]


def test_a_crate_finds_its_workspace_lock_and_python_needs_one_beside_it() -> None:
    crate = cargo_manifest("crates/a/Cargo.toml", '[package]\nname = "a"\n')
    assert find_lock(crate, frozenset({"Cargo.lock", "crates/a/Cargo.toml"})) == "Cargo.lock"
    py = pyproject_manifest("tool/pyproject.toml", '[project]\ndependencies = ["httpx>=0.27"]\n')
    assert py.needs_lock
    assert find_lock(py, frozenset({"requirements.txt"})) is None
    assert find_lock(py, frozenset({"tool/requirements-lock.txt"})) == "tool/requirements-lock.txt"


def test_sbom_is_reproducible_sorted_and_valid() -> None:
    packages = [
        Package("pypi", "Zeta_Pkg", "1.0", "requirements.txt"),
        Package("cargo", "serde", "1.0.210", "Cargo.lock"),
    ]
    state = SourceState("1" * 40, 1_700_000_000)
    first = build_sbom(Subject("app", "1.0.0"), packages, state)
    again = build_sbom(Subject("app", "1.0.0"), list(reversed(packages)), state)
    assert first == again
    doc = json.loads(first)
    assert doc["specVersion"] == "1.6"
    assert doc["serialNumber"] == f"urn:uuid:{serial_number('1' * 40)}"
    assert doc["metadata"]["timestamp"] == "2023-11-14T22:13:20+00:00"
    assert component_purls("x", first) == ("pkg:cargo/serde@1.0.210", "pkg:pypi/zeta-pkg@1.0")


def test_component_purls_refuses_a_non_sbom() -> None:
    with pytest.raises(InputError, match="'components' is not an array"):
        component_purls("sbom.json", '{"components": 3}')


def test_pae_matches_the_dsse_spec_encoding() -> None:
    assert pae("http://example.com/HelloWorld", b"hello world") == (
        b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
    )


def _bundle(key: Ed25519PrivateKey, digest: str = "ab" * 32, builder: str = "ci://b") -> str:
    statement = build_statement(
        [Artifact("dist/app", digest)],
        builder_id=builder,
        source=Source("git+https://example.invalid/r", "c" * 40),
    )
    return json.dumps(sign_statement(statement, key))


def test_a_signed_statement_verifies_and_says_what_it_is() -> None:
    key = Ed25519PrivateKey.generate()
    text = _bundle(key)
    outcome = verify_bundle(text, key.public_key(), [Artifact("app", "ab" * 32)], "ci://b")
    assert outcome.ok
    assert outcome.statement is not None
    assert outcome.statement["_type"] == "https://in-toto.io/Statement/v1"
    assert outcome.statement["predicateType"] == "https://slsa.dev/provenance/v1"
    definition = outcome.statement["predicate"]["buildDefinition"]
    assert definition["resolvedDependencies"] == [
        {"uri": "git+https://example.invalid/r", "digest": {"gitCommit": "c" * 40}}
    ]
    assert json.loads(text)["payloadType"] == "application/vnd.in-toto+json"


def test_verification_names_each_problem() -> None:
    key = Ed25519PrivateKey.generate()
    other = Ed25519PrivateKey.generate()
    text = _bundle(key)
    art = [Artifact("app", "ab" * 32)]
    assert verify_bundle(text, other.public_key(), art, "ci://b").problems == (
        "no signature verifies with the public key",
    )
    assert verify_bundle(text, key.public_key(), art, "ci://evil").problems == (
        "builder id is 'ci://b', expected 'ci://evil'",
    )
    assert verify_bundle(
        text, key.public_key(), [Artifact("app", "cd" * 32)], "ci://b"
    ).problems == (f"app: its sha256 {'cd' * 8}... is not a subject",)
    envelope = json.loads(text)
    envelope["payload"] = base64.b64encode(b'{"_type": "x"}').decode()
    assert verify_bundle(json.dumps(envelope), key.public_key(), art, "ci://b").problems == (
        "no signature verifies with the public key",
    )
    assert verify_bundle("not json", key.public_key(), art, "ci://b").problems == (
        "the bundle is not JSON (line 1): Expecting value",
    )


def test_only_ed25519_pem_keys_are_accepted() -> None:
    key = Ed25519PrivateKey.generate()
    assert load_private_key("k.pem", private_pem(key)).public_key() == key.public_key()
    with pytest.raises(InputError, match="not a readable PEM public key"):
        load_public_key("pub.pem", b"garbage")


def test_image_references_by_kind() -> None:
    k8s = (
        "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n"
        "      containers:\n        - name: a\n          image: ghcr.io/o/a:1.2@" + DIGEST_A + "\n"
        '        - image: "ghcr.io/o/b:1.0"\n'
    )
    assert manifest_kind("deploy/app.yaml", k8s) == "kubernetes"
    refs = list(image_refs("deploy/app.yaml", k8s, "kubernetes"))
    assert [(r.line, r.tag, r.digest) for r in refs] == [
        (8, "ghcr.io/o/a:1.2", DIGEST_A),
        (9, "ghcr.io/o/b:1.0", None),
    ]
    nomad = 'job "bus" {\n  task "t" {\n    config {\n      image = "bus:${VERSION}"\n'
    assert manifest_kind("jobs/bus.nomad.hcl", nomad) == "nomad"
    (ref,) = image_refs("jobs/bus.nomad.hcl", nomad, "nomad")
    assert ref == ImageRef("jobs/bus.nomad.hcl", 4, "bus:${VERSION}") and ref.templated
    assert manifest_kind("config/app.yaml", "name: x\n") is None
    assert ImageRef("f", 1, "localhost:5000/app@" + DIGEST_A).tag is None


def test_a_ledger_tag_may_not_move_or_disappear() -> None:
    base = parse_ledger(
        "l.json", json.dumps({"version": 1, "tags": {"a:1": DIGEST_A, "b:1": DIGEST_A}})
    )
    head_text = (
        '{\n  "version": 1,\n  "tags": {\n    "a:1": "'
        + DIGEST_B
        + '",\n    "c:1": "'
        + DIGEST_A
        + '"\n  }\n}\n'
    )
    head = parse_ledger("l.json", head_text)
    assert [(c.tag, c.kind, c.line) for c in ledger_changes(base, head)] == [
        ("a:1", "moved", 4),
        ("b:1", "removed", 1),
    ]
    with pytest.raises(InputError, match="the digest of 'a:1' is not sha256"):
        parse_ledger("l.json", '{"version": 1, "tags": {"a:1": "latest"}}')


@pytest.mark.parametrize(
    ("version", "exact"),
    [
        ("1.95.0", True),
        ("nightly-2026-01-15", True),
        ("1.17.3-otp-27", True),
        ("temurin-21.0.2+13", True),
        ("stable", False),
        ("nightly", False),
        ("1.95", False),
        ("latest", False),
        ("^1.2.3", False),
        ("system", False),
    ],
)
def test_exact_versions(version: str, exact: bool) -> None:
    assert is_exact(version) is exact


def test_toolchain_files() -> None:
    assert rust_toolchain_pin("rust-toolchain.toml", '# x\n[toolchain]\nchannel = "1.95"\n') == (
        "1.95",
        3,
    )
    assert rust_toolchain_pin("rust-toolchain", "stable\n") == ("stable", 1)
    pins = list(tool_versions_pins(".tool-versions", "erlang 27.1.2\nelixir latest\n"))
    assert [(p.line, p.tool, p.value) for p in pins] == [(2, "elixir", "latest")]
    mise = '[tools]\nnode = "22"\npython = "3.12.7"\n'
    assert [(p.line, p.tool, p.value) for p in mise_pins("mise.toml", mise)] == [(2, "node", "22")]


def test_an_invalid_committed_sbom_is_refused() -> None:
    from aces.engines.supply.sbom import validate_sbom

    with pytest.raises(AcesError, match=r"not a valid CycloneDX 1\.6 document"):
        validate_sbom('{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{}]}', "s")


def test_workspace_inherited_renames_are_locked_under_their_package_name() -> None:
    root = (
        '[workspace]\nmembers = ["crates/*"]\n\n[workspace.dependencies]\n'
        'foo = { version = "0.8", package = "foo-core" }\nserde = "1"\n'
    )
    member = (
        '[package]\nname = "app"\n\n[dependencies]\nfoo = { workspace = true }\n'
        "serde.workspace = true\n"
    )
    files = {"Cargo.toml": root, "crates/app/Cargo.toml": member}
    manifests = [cargo_manifest(path, text) for path, text in files.items()]
    resolved = resolve_inherited(manifests, files.__getitem__)
    assert [(d.name, d.line) for d in resolved[1].dependencies] == [("foo-core", 5), ("serde", 6)]
    assert resolved[0] == manifests[0]
