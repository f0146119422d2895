"""Cyclomatic complexity and nesting depth per function, for the three languages."""

from __future__ import annotations

from aces.engines.patterns import measure, parse_source

RUST = b"""\
fn f(a: u8) -> u8 {
    if a > 1 && a < 5 {
        for i in 0..a {
            if i == 2 { return 1; }
        }
    } else if a == 0 {
        return 2;
    }
    match a { 1 => 1, 2 => 2, _ => { let c = |x: u8| x; c(a) } }
}

fn g() { fn inner() { if true {} } }
"""

PYTHON = b"""\
def f(a):
    if a and b:
        for x in a:
            while x:
                try:
                    pass
                except E:
                    pass
    elif a:
        pass
    return [x for x in a if x]
"""

ELIXIR = b"""\
defmodule M do
  def f(a) when is_integer(a) do
    case a do
      1 -> if a, do: 1, else: 2
      2 -> 3
      _ -> a and b
    end
  end

  defp g, do: 1
end
"""


def metrics(path: str, language: str, text: bytes) -> list[tuple[str, int, int, int]]:
    found = measure(parse_source(path, language, text))
    return [(m.name, m.line, m.cyclomatic, m.nesting) for m in found]


def test_rust() -> None:
    # if, &&, for, if, else-if, and a 3-arm match (+2); nesting if > for > if.
    assert metrics("a.rs", "rust", RUST) == [
        ("f", 1, 8, 3),
        ("g", 12, 1, 0),
        ("inner", 12, 2, 1),
    ]


def test_python() -> None:
    # if, and, for, while, except, elif, comprehension for + if; nesting if > for > while > try.
    assert metrics("a.py", "python", PYTHON) == [("f", 1, 9, 4)]


def test_elixir() -> None:
    # a 3-clause case (+2), if, and; nesting case > if.
    assert metrics("a.ex", "elixir", ELIXIR) == [("f", 2, 5, 2), ("g", 10, 1, 0)]
