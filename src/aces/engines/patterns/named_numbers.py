"""Where a numeric literal already has a name or a plain meaning, so it is not magic.

A magic number is an unnamed literal in logic (``if retries > 7``, ``x * 37``).
A literal is *not* magic when the code around it names it or it means only itself:

- **the value of a named constant**: Rust ``const`` / ``static`` items, enum
  discriminants, array lengths and tuple indexes; Python assignments to
  UPPER_CASE names, whole tables included (``LIMITS = {"a": 10}``), and
  unpacked ones (``LOW, HIGH = 7, 14``), and any module-level assignment to a
  plain name (``max_tries = 60 * 5`` in a script names its value as well); Elixir
  module attributes (``@timeout_ms 5_000``);
- **named by a field or parameter**: Python class attributes (dataclass / attrs /
  pydantic field defaults, typed or not: ``port: int = 8080``), parameter
  defaults (``def f(retries=3)``), keyword arguments (``status=500``,
  ``timeout=30``), dictionary entries under a string key (``{"timeout": 30}``)
  and the default of a lookup by key (``.get("limit", 100)``, ``getenv``); Rust
  struct field initialisers (``Config { port: 8080 }``), a builder method's one
  argument (``.status(404)``, ``.max_connections(5)``; not a count such as
  ``.take(5)`` or arithmetic such as ``.pow(3)``) and the values of a ``match``
  table (``Level::WARN => 3``); Elixir keyword pairs
  (``timeout: 5_000``, ``buckets: [100, 250]``, never a ``do:`` body), parameter
  defaults (``def ping(timeout \\\\ 5_000)``) and the
  arguments of a lookup by key (``Application.get_env(:app, :ttl, 30)``,
  ``Keyword.get(opts, :limit, 50)``, any ``get*`` / ``fetch*``);
- **a unit or a bit size**: ``:timer.minutes(10)``, ``:timer.seconds(30)``; the
  size of a segment of an Elixir binary pattern (``<<kind::integer-32>>``,
  ``size(16)``);
- **a calendar date or clock time**: the parts given to a date or time constructor
  (``NaiveDate::from_ymd(2016, 7, 8).and_hms(9, 10, 11)``);
- **a row of a lookup table**: an Elixir ``case`` clause mapping a literal to a
  literal (``16 -> "bool"``) and a literal map key (``%{204 => :no_content}``);
  an Elixir map value under a string or atom key (``%{"poll_ms" => 100}``), as
  a Python dictionary entry; the list an Elixir comprehension enumerates
  (``for n <- [5, 7]``: the cases gone through, not the body's logic);
- **a position**: a subscript or slice (``[:16]``, ``[-2]``, Rust ``&b[..4]``),
  the group or part of a match or split (``.group(3)``, ``.span(2)``,
  ``rsplit(".", 2)``), digits and bases (``round(x, 2)``, ``int(s, 16)``), an
  Elixir tuple index (``elem(row, 3)``, ``put_elem(row, 3, v)``) or slice range
  (``String.slice(s, 0..-2//1)``);
- **a unit conversion**: a factor of ``*`` or ``/`` (``//``, ``*=``, ``/=``) that
  converts between units: 60, 24, 3600, 86400 (time), 100 (percent), 1000,
  1e3, 1e6, 1e9 and their inverses (metric), 1024, 1024², 1024³ (binary sizes).

Loop bounds are not exempt: ``range(5)`` is five of something (attempts,
workers) and a name says which; the policy's ``allowed_numbers`` (0, 1, -1, 2 by
default) already covers ``range(1, n)`` and ``range(2)``.
"""

from __future__ import annotations

from tree_sitter import Node

from aces.engines.patterns.source import SourceFile

NAMED_CONTEXTS = {
    "rust": """
[(const_item) (static_item) (enum_variant) (attribute_item) (macro_definition)] @constant
(array_type length: (_) @constant)
(array_expression length: (_) @constant)
(field_expression field: (integer_literal) @constant)
(field_initializer value: [(integer_literal) (float_literal) (unary_expression)] @constant)
(index_expression (_) [(integer_literal) (range_expression) (unary_expression)] @constant)
(match_arm value: [(integer_literal) (float_literal) (unary_expression)] @constant)
(call_expression
  function: (field_expression field: (field_identifier) @method)
  arguments: (arguments . [(integer_literal) (float_literal)] @constant .)
  (#not-match? @method
    "^(take|skip|nth|step_by|pow|powi|powf|repeat|chunks|chunks_exact|windows|split_at|truncate|rotate_left|rotate_right|min|max|clamp|add|sub|mul|div|rem|shl|shr|checked_.*|wrapping_.*|saturating_.*|overflowing_.*)$"))
(call_expression
  function: [(scoped_identifier name: (identifier) @method)
             (field_expression field: (field_identifier) @method)]
  arguments: (arguments) @constant
  (#match? @method "^(from_ymd|from_hms|and_hms|with_ymd_and_hms|from_yo|from_isoywd)"))
""",
    "python": """
(assignment left: (identifier) @name (#match? @name "^_*[A-Z][A-Z0-9_]*$")) @constant
(module (expression_statement (assignment left: (identifier)) @constant))
(assignment
  left: [(pattern_list) (tuple_pattern)] @names
  (#match? @names "^[(]?_*[A-Z][A-Z0-9_]*([ ]*,[ ]*_*[A-Z][A-Z0-9_]*)*[ ]*,?[ ]*[)]?$")) @constant
(pair key: (string) value: [(integer) (float) (unary_operator)] @constant)
(class_definition body: (block (expression_statement (assignment) @constant)))
(keyword_argument value: [(integer) (float) (unary_operator) (binary_operator)] @constant)
(default_parameter value: [(integer) (float) (unary_operator) (binary_operator)] @constant)
(typed_default_parameter
  value: [(integer) (float) (unary_operator) (binary_operator)] @constant)
(subscript subscript: [(integer) (unary_operator) (slice)] @constant)
(call
  function: (attribute attribute: (identifier) @method)
  arguments: (argument_list) @constant
  (#any-of? @method
    "group" "groups" "span" "start" "end" "split" "rsplit" "pop" "insert"
    "get" "setdefault" "getenv"))
(call
  function: (identifier) @function
  arguments: (argument_list (_) . [(integer) (unary_operator)] @constant)
  (#any-of? @function "round" "int"))
""",
    "elixir": """
(unary_operator operator: "@" operand: (_) @constant)
(pair value: [(integer) (float) (unary_operator)] @constant)
(pair
  key: (keyword) @key
  value: [(list) (tuple)] @constant
  (#not-match? @key "^(do|else|after|rescue|catch):"))
(bitstring (binary_operator operator: "::" right: (_) @constant))
(binary_operator operator: "\\\\\\\\" right: [(integer) (float) (unary_operator)] @constant)
(call
  target: (dot right: (identifier) @method)
  (arguments) @constant
  (#match? @method "^(get|fetch)(_[a-z_]+)?!?$"))
(call
  target: (dot left: (atom) @module right: (identifier) @unit)
  (arguments) @constant
  (#eq? @module ":timer")
  (#any-of? @unit "seconds" "minutes" "hours" "hms"))
(stab_clause
  left: (arguments . [(integer) (float) (unary_operator)] .) @constant
  right: (body . [(string) (atom) (integer) (float) (charlist) (nil) (boolean)] .))
(map_content (binary_operator left: [(integer) (float)] @constant "=>"))
(map_content
  (binary_operator left: [(string) (atom)] right: [(integer) (float) (unary_operator)] @constant))
(call
  target: (identifier) @position
  (arguments . (_) . (integer) @constant)
  (#any-of? @position "elem" "put_elem"))
(call
  target: (dot right: (identifier) @slice)
  (arguments (_) . (binary_operator) @constant)
  (#match? @constant "^-?[0-9_]+[.][.]")
  (#any-of? @slice "slice" "binary_part" "split_at"))
(call
  target: (identifier) @comprehension
  (arguments (binary_operator operator: "<-" right: (list) @constant))
  (#eq? @comprehension "for"))
""",
}

_TIME = (60.0, 24.0, 3600.0, 86400.0)
_METRIC = (100.0, 1e3, 1e6, 1e9, 1e-3, 1e-6, 1e-9)
_BINARY = (1024.0, 1024.0**2, 1024.0**3)
UNIT_FACTORS = frozenset((*_TIME, *_METRIC, *_BINARY))
_SCALING_OPERATORS = frozenset({"*", "/", "//", "*=", "/="})
_SQUARE_ROOT = 0.5


def is_square_root(source: SourceFile, literal: Node, value: float) -> bool:
    """Whether the literal is the exponent ``0.5`` of ``**``: ``n ** 0.5`` is a square root,
    an operation that needs no name (another exponent still does)."""
    parent = literal.parent
    if value != _SQUARE_ROOT or parent is None or parent.type != "binary_operator":
        return False
    operator = parent.child_by_field_name("operator")
    right = parent.child_by_field_name("right")
    return operator is not None and source.text(operator) == "**" and right == literal


def is_unit_conversion(source: SourceFile, literal: Node, value: float) -> bool:
    """Whether the literal is a unit factor that multiplies or divides (``ms * 1000``)."""
    if value not in UNIT_FACTORS:
        return False
    parent = literal.parent
    if parent is None:
        return False
    operator = parent.child_by_field_name("operator")
    return operator is not None and source.text(operator) in _SCALING_OPERATORS
