"""Magic numbers in Elixir: only unnamed literals in logic are flagged (one realistic module).

Each line of ``MODULE`` ends with ``# flag`` when its literal is magic; every other
literal is named by something around it: a module attribute, a keyword, the
default of a lookup by key, a bit size in a binary pattern, a ``:timer`` unit,
a row of a lookup table (a literal clause mapped to a literal, a literal map
key), see ``aces/engines/patterns/named_numbers.py``.
"""

from __future__ import annotations

from aces.engines.patterns import (
    PatternEngine,
    all_rules,
    check_settings,
    parse_source,
    zone_settings,
)
from aces.engines.patterns.zones import resolve_zones
from aces.policy.schema import PatternsPolicy

MODULE = """\
defmodule Shop.Orders do
  @retry_ms 5_000
  use Shop.Buckets, buckets: [100, 250, 5_000]

  def timeout, do: Application.get_env(:shop, :timeout_ms, 15_000)
  def shards, do: Shop.Env.get_integer("SHOP_SHARDS", 12)
  def limit(opts), do: Keyword.get(opts, :limit, 50)
  def interval, do: :timer.minutes(10)
  def ttl, do: :timer.seconds(30)

  def decode(<<kind::integer-32, size::size(16), rest::binary>>), do: {kind, size, rest}

  def type_name(oid) do
    case oid do
      16 -> "bool"
      20 -> "int8"
      _ -> "unknown"
    end
  end

  def responses, do: %{204 => :no_content, 404 => :not_found}
  def settings, do: %{"poll_interval_ms" => 100, :ratio => -0.5}
  def negated(filters), do: Enum.map(filters, &elem(&1, 3))
  def strip_null(name), do: String.slice(name, 0..-2//1)

  def call(server), do: GenServer.call(server, :go, timeout: 7_000)
  def ping(server, timeout \\\\ 5_000), do: GenServer.call(server, :ping, timeout)

  def backoff(attempt) do
    if attempt > 7 do  # flag
      Process.send_after(self(), :retry, @retry_ms * 3)  # flag
    end

    case attempt do
      5 -> Process.send_after(self(), :retry, attempt)  # flag
      _ -> :ok
    end
  end

  def major(version), do: div(version, 10_000)  # flag
  def render(x), do: [x * 37]  # flag
  def tail(s, n), do: String.slice(s, 0, n * 37)  # flag
end
"""


def flagged_lines(text: str) -> list[int]:
    policy = PatternsPolicy()
    source = parse_source("lib/shop/orders.ex", "elixir", text.encode())
    zones = resolve_zones({source.path: source}, zone_settings(policy))
    rules = {"elixir": tuple(r for r in all_rules()["elixir"] if r.id == "elixir.magic-number")}
    engine = PatternEngine(rules, check_settings(policy))
    return sorted(hit.line for hit in engine.scan(source, zones[source.path]))


def test_only_the_unnamed_elixir_literals_in_logic_are_flagged() -> None:
    expected: list[int] = []
    for number, line in enumerate(MODULE.splitlines(), 1):
        expected.extend([number] * line.count("# flag"))
    assert flagged_lines(MODULE) == expected


def test_a_clause_whose_body_is_logic_is_no_table_row() -> None:
    text = "defmodule M do\n  def f(x) do\n    case x do\n      42 -> x + 1\n    end\n  end\nend\n"
    assert flagged_lines(text) == [4]


def test_a_function_body_keyword_does_not_name_a_list() -> None:
    assert flagged_lines("defmodule M do\n  def f(x), do: [x * 37]\nend\n") == [2]


def test_the_values_a_comprehension_enumerates_are_a_table() -> None:
    # `for n <- [5, 7]` lists the cases to go through; a literal in the body is still logic.
    text = (
        "defmodule M do\n"
        "  def sizes do\n"
        "    for shards <- [5, 7], nodes <- [4, 8, 12], do: {shards, nodes * 37}\n"
        "  end\n"
        "end\n"
    )
    assert flagged_lines(text) == [3]
    generator_only = "defmodule M do\n  def sizes, do: for(n <- [5, 7], do: n)\nend\n"
    assert flagged_lines(generator_only) == []
