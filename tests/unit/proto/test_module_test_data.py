"""Test data inside a proto directory: left out of the module, excluded from buf's build."""

from __future__ import annotations

import json

from aces.engines.proto.sources import aces_config, find_modules, own_config_excluding
from aces.policy.schema import ProtoPolicy
from aces.workspace.roles import role_directory

FILES = (
    "proto/acme/v1/a.proto",
    "proto/acme/testdata/bad.proto",
    "proto/testdata/broken/x.proto",
    "proto/testdata/broken/y.proto",
    "proto/tests/z.proto",
    "proto/buf.yaml",
    "testdata/outside.proto",
)


def test_role_directory_is_the_shallowest_directory_that_makes_the_role() -> None:
    assert role_directory("proto/testdata/broken/x.proto") == "proto/testdata"
    assert role_directory("a/tests/fixtures/b.json") == "a/tests"
    assert role_directory("docs/api.proto") == "docs"
    assert role_directory("proto/acme/v1/a.proto") is None


def test_a_module_holds_product_protos_and_excludes_its_test_data() -> None:
    (module,) = find_modules(FILES, ("proto",))
    assert module.files == ("proto/acme/v1/a.proto",)
    assert module.excludes == ("acme/testdata", "testdata", "tests")
    assert module.repo_config == "proto/buf.yaml"


def test_a_directory_of_test_data_only_is_no_module() -> None:
    assert find_modules(FILES, ("testdata",)) == ()


def test_the_aces_config_excludes_the_test_data_from_the_build() -> None:
    config = json.loads(aces_config(ProtoPolicy(), ("testdata",)))
    assert config["build"] == {"excludes": ["testdata"]}
    assert "build" not in json.loads(aces_config(ProtoPolicy()))


def test_a_repository_v1_config_is_extended_and_a_v2_one_left_as_written() -> None:
    own = "version: v1\nbuild:\n  excludes: [vendor, testdata]\nlint:\n  use: [DEFAULT]\n"
    config = json.loads(own_config_excluding(own, ("testdata", "tests", "vendor/x")) or "")
    assert config["build"]["excludes"] == ["vendor", "testdata", "tests"]
    assert config["lint"] == {"use": ["DEFAULT"]}
    assert own_config_excluding(own, ("testdata",)) is None  # nothing to add
    assert own_config_excluding("version: v2\n", ("testdata",)) is None
    assert own_config_excluding("version: v1\ndeps: [buf.build/x/y]\n", ("t",)) is None
    assert own_config_excluding("version: [v1\n", ("testdata",)) is None
