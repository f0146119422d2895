"""Dependencies of sources and manifests, and the layer boundaries they cross."""

from __future__ import annotations

import pytest

from aces.engines.patterns import parse_source
from aces.engines.patterns.imports import (
    cargo_imports,
    elixir_modules,
    mix_imports,
    source_imports,
)
from aces.engines.patterns.layers import (
    DEPENDENCY_RULE,
    FORBIDDEN_RULE,
    LayerDef,
    LayerMap,
    Resolver,
    check_layers,
)
from aces.errors import InputError

LAYERS = LayerMap(
    [
        LayerDef(
            "shield",
            ("shield/**", "crates/shield/**", "lib/shield/**"),
            ("storage",),
            ("reqwest", "requests", "urllib.request", "HTTPoison"),
        ),
        LayerDef("storage", ("storage/**", "crates/storage/**", "lib/storage/**"), (), ()),
    ]
)
LANGUAGES = {"rs": "rust", "py": "python", "ex": "elixir", "exs": "elixir"}


def violations(
    files: dict[str, str], crates: dict[str, str] | None = None
) -> list[tuple[str, int, str]]:
    imports = []
    modules: dict[str, str] = {}
    for path, text in files.items():
        suffix = path.rsplit(".", 1)[1]
        if path.endswith("Cargo.toml"):
            imports.extend(cargo_imports(path, text))
            continue
        source = parse_source(path, LANGUAGES[suffix], text.encode())
        imports.extend(source_imports(source))
        if source.language == "elixir":
            modules.update((m, path) for m in elixir_modules(source))
            if path.endswith("mix.exs"):
                imports.extend(mix_imports(source))
    resolver = Resolver(files, modules, crates or {})
    return [(v.path, v.line, v.rule_id) for v in check_layers(imports, LAYERS, resolver)]


def test_python_imports_resolve_to_modules_of_other_layers() -> None:
    files = {
        "shield/__init__.py": "",
        "shield/guard.py": "import os\nfrom storage.repo import Repo\nfrom . import util\n",
        "shield/util.py": "from ..storage import repo\n",
        "storage/__init__.py": "",
        "storage/repo.py": "from shield import guard\n",
    }
    assert violations(files) == [
        ("shield/guard.py", 2, DEPENDENCY_RULE),
        ("shield/util.py", 1, DEPENDENCY_RULE),
    ]


@pytest.mark.parametrize(
    ("line", "flagged"),
    [
        ("import requests", True),
        ("import requests.adapters", True),
        ("from urllib.request import urlopen", True),
        ("from urllib import request", True),
        ("from urllib import parse", False),
        ("import requests_toolbelt", False),
    ],
)
def test_forbidden_imports_match_by_whole_segments(line: str, flagged: bool) -> None:
    found = violations({"shield/net.py": line + "\n"})
    assert found == ([("shield/net.py", 1, FORBIDDEN_RULE)] if flagged else [])


def test_rust_use_paths_mods_and_paths_in_code() -> None:
    files = {
        "crates/shield/Cargo.toml": '[package]\nname = "shield"\n\n[dependencies]\n'
        'storage = { path = "../storage" }\nreqwest = "0.12"\n',
        "crates/shield/src/lib.rs": "use storage_core::{Repo, x::Y};\nmod net;\n",
        "crates/shield/src/net.rs": "fn f() { let c = reqwest::Client::new(); }\n",
        "crates/storage/Cargo.toml": '[package]\nname = "storage-core"\n',
        "crates/storage/src/lib.rs": "pub struct Repo;\n",
    }
    crates = {"shield": "crates/shield", "storage_core": "crates/storage"}
    assert violations(files, crates) == [
        ("crates/shield/Cargo.toml", 5, DEPENDENCY_RULE),
        ("crates/shield/Cargo.toml", 6, FORBIDDEN_RULE),
        ("crates/shield/src/lib.rs", 1, DEPENDENCY_RULE),
        ("crates/shield/src/net.rs", 1, FORBIDDEN_RULE),
    ]


def test_rust_crate_paths_resolve_inside_the_crate() -> None:
    layers_files = {
        "Cargo.toml": '[package]\nname = "app"\n',
        "src/lib.rs": "mod shield;\nmod storage;\n",
        "src/shield/mod.rs": "use crate::storage::disk::write;\nuse super::storage;\n",
        "src/storage/mod.rs": "pub mod disk;\n",
        "src/storage/disk.rs": "pub fn write() {}\n",
    }
    local = LayerMap(
        [
            LayerDef("shield", ("src/shield/**",), ("storage",), ()),
            LayerDef("storage", ("src/storage/**",), (), ()),
        ]
    )
    imports = []
    for path, text in layers_files.items():
        if path.endswith(".rs"):
            imports.extend(source_imports(parse_source(path, "rust", text.encode())))
    resolver = Resolver(layers_files, {}, {"app": ""})
    found = [(v.path, v.line, v.rule_id) for v in check_layers(imports, local, resolver)]
    assert found == [
        ("src/shield/mod.rs", 1, DEPENDENCY_RULE),
        ("src/shield/mod.rs", 2, DEPENDENCY_RULE),
    ]


def test_elixir_aliases_and_mix_path_deps() -> None:
    files = {
        "lib/shield/guard.ex": "defmodule Bus.Shield.Guard do\n  alias Bus.Storage.{Repo, Cache}\n"
        "  def f, do: HTTPoison.get(1)\nend\n",
        "lib/shield/http.ex": "defmodule Bus.Shield.Http do\n  import HTTPoison\nend\n",
        "lib/storage/repo.ex": "defmodule Bus.Storage.Repo do\nend\n",
        "lib/shield/mix.exs": "defmodule Shield.MixProject do\n"
        '  defp deps, do: [{:storage, path: "../storage"}, {:jason, "~> 1.4"}]\nend\n',
        "lib/storage/mix.exs": "defmodule Storage.MixProject do\nend\n",
    }
    assert violations(files) == [
        ("lib/shield/guard.ex", 2, DEPENDENCY_RULE),
        ("lib/shield/http.ex", 2, FORBIDDEN_RULE),
        ("lib/shield/mix.exs", 2, DEPENDENCY_RULE),
    ]


def test_a_broken_cargo_manifest_cannot_be_verified() -> None:
    with pytest.raises(InputError) as caught:
        cargo_imports("crates/a/Cargo.toml", "[dependencies\n")
    assert caught.value.diagnostics().startswith("crates/a/Cargo.toml: invalid TOML")
