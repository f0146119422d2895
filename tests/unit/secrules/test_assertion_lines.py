"""An assertion compares a value, it sets nothing: line rules skip Elixir and Rust assertions.

A test that checks ``assert settings.ssl == [verify: :verify_none]`` or
``assert Env.get_charlist(env, ~c"0.0.0.0") == ~c"127.0.0.1"`` states what the
product does; the product line that sets the value is the finding, reported where
it is written.
"""

from __future__ import annotations

from aces.engines.exposure import scan_exposure
from aces.engines.tlsrules import TLS_RULES, scan_lines

ELIXIR_TEST = """\
defmodule App.SettingsTest do
  use ExUnit.Case

  test "ssl off by default" do
    assert settings().ssl == [verify: :verify_none]
    refute Env.get_charlist("HOST", ~c"0.0.0.0") == ~c"::1"
    assert_receive {:bound, "0.0.0.0"}
  end

  test "a setting made in a test is still a setting" do
    start_supervised!({App.Endpoint, http: [ip: "0.0.0.0"], ssl: [verify: :verify_none]})
  end
end
"""

RUST_TEST = """\
#[test]
fn defaults() {
    assert_eq!(config().bind, "0.0.0.0:8080");
}
"""


def test_elixir_assertions_are_not_settings() -> None:
    tls = [
        (h.rule_id, h.line)
        for h in scan_lines("test/app/settings_test.exs", ELIXIR_TEST, TLS_RULES)
    ]
    assert tls == [("sec.tls.elixir-verify-none", 11)]
    binds = [h.line for h in scan_exposure("test/app/settings_test.exs", ELIXIR_TEST)]
    assert binds == [11]


def test_rust_assertion_macros_are_not_settings() -> None:
    assert scan_exposure("tests/defaults.rs", RUST_TEST) == []
