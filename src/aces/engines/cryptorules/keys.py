"""Hard-coded keys, judged by their use in a crypto API (Python and Rust).

A literal is a hard-coded key when it is passed to a cipher, MAC, JWT or
signing API, directly (``hmac.new(b"s3cr3t", ...)``) or through a name bound to
a literal (``KEY = b"..."`` then ``hmac.new(KEY, ...)``; ``const K: &[u8] =
b"..."`` then ``Key::from_slice(K)``; a module-level constant imported from the
one file of the project that defines it). A name alone proves nothing:
``FORMAT_KEY = "aces_coverage_baseline"`` (a dict key) and ``dest_key =
f"{a}:{b}"`` (a composite key, not even a literal) are not keys. The exception
is the settings a framework signs with (``SECRET_KEY``, ``JWT_SECRET_KEY``,
``app.secret_key``, ``app.config["SECRET_KEY"]``): the framework is the crypto
API they flow into.

Rules whose ``via`` capture names an identifier match only when that
identifier is bound to a literal (``literal_bindings``); the finding then
points at the literal, where the key is written.
"""

from __future__ import annotations

import tree_sitter as ts

from aces.engines.patterns.grammars import query

P = "sec.crypto-misuse"
KEY_MESSAGE = "a hard-coded key: anyone with the source has it"
# Callees whose keyword `key=` / `secret=` is key material.
_CRYPTO_CALLEE = (
    r"(?i)(fernet|aes|chacha|hmac|jwt|cipher|sign|encrypt|decrypt|mac|nacl|secretbox|aead|"
    r"hkdf|kdf|paseto|itsdangerous|serializer)"
)
_PY_KEY_ARG = """[(identifier) @via
  (call function: (attribute object: (identifier) @via attribute: (identifier) @enc))]"""
_RS_KEY_ARG = """[(identifier) @via (reference_expression value: (identifier) @via)
  (call_expression function: (field_expression value: (identifier) @via
                                               field: (field_identifier) @enc))]"""

PYTHON_KEY_QUERY = f"""
((call function: (_) @fn arguments: (argument_list
    (keyword_argument name: (identifier) @k value: (string (string_content))))) @hit
  (#any-of? @k "key" "secret" "secret_key" "signing_key" "private_key")
  (#match? @fn "{_CRYPTO_CALLEE}"))
((call function: (attribute object: (identifier) @o attribute: (identifier) @f)
       arguments: (argument_list . (string (string_content)))) @hit
  (#any-of? @o "hmac" "AES" "DES" "DES3" "ChaCha20" "Blowfish") (#eq? @f "new"))
((call function: [(attribute attribute: (identifier) @f) (identifier) @f]
       arguments: (argument_list . (string (string_content)))) @hit
  (#any-of? @f "AES" "ChaCha20" "TripleDES" "Camellia" "Fernet" "AESGCM" "ChaCha20Poly1305"))
((call function: (attribute object: (identifier) @o attribute: (identifier) @f)
       arguments: (argument_list . (_) . (string (string_content)))) @hit
  (#eq? @o "jwt") (#any-of? @f "encode" "decode"))
((assignment left: [(identifier) @n (attribute attribute: (identifier) @n)
                    (subscript subscript: (string (string_content) @n))]
             right: (string (string_content))) @hit
  (#match? @n "^(SECRET_KEY|JWT_SECRET_KEY|secret_key)$"))
"""
PYTHON_VIA_QUERY = f"""
((call function: (_) @fn arguments: (argument_list
    (keyword_argument name: (identifier) @k value: {_PY_KEY_ARG})))
  (#any-of? @k "key" "secret" "secret_key" "signing_key" "private_key")
  (#match? @fn "{_CRYPTO_CALLEE}"))
((call function: (attribute object: (identifier) @o attribute: (identifier) @f)
       arguments: (argument_list . {_PY_KEY_ARG}))
  (#any-of? @o "hmac" "AES" "DES" "DES3" "ChaCha20" "Blowfish") (#eq? @f "new"))
((call function: [(attribute attribute: (identifier) @f) (identifier) @f]
       arguments: (argument_list . {_PY_KEY_ARG}))
  (#any-of? @f "AES" "ChaCha20" "TripleDES" "Camellia" "Fernet" "AESGCM" "ChaCha20Poly1305"))
((call function: (attribute object: (identifier) @o attribute: (identifier) @f)
       arguments: (argument_list . (_) . {_PY_KEY_ARG}))
  (#eq? @o "jwt") (#any-of? @f "encode" "decode"))
"""
RUST_KEY_QUERY = """
((call_expression function: (scoped_identifier path: (_) @p name: (identifier) @f)
    arguments: (arguments . [(string_literal) (raw_string_literal) (array_expression)
                             (reference_expression value: (array_expression))])) @hit
  (#match? @p "(?i)key(::)?(<[^>]*>)?$") (#any-of? @f "from_slice" "from" "new"))
((call_expression function: (scoped_identifier name: (identifier) @f)
    arguments: (arguments . [(string_literal) (array_expression)
                             (reference_expression value: (array_expression))])) @hit
  (#any-of? @f "new_from_slice" "from_secret"))
((call_expression function: (scoped_identifier path: (_) @p name: (identifier) @f)
    arguments: (arguments . (_) . (string_literal))) @hit
  (#match? @p "(?i)key(::)?(<[^>]*>)?$") (#eq? @f "new"))
"""
RUST_VIA_QUERY = f"""
((call_expression function: (scoped_identifier path: (_) @p name: (identifier) @f)
    arguments: (arguments . {_RS_KEY_ARG}))
  (#match? @p "(?i)key(::)?(<[^>]*>)?$") (#any-of? @f "from_slice" "from" "new"))
((call_expression function: (scoped_identifier name: (identifier) @f)
    arguments: (arguments . {_RS_KEY_ARG}))
  (#any-of? @f "new_from_slice" "from_secret"))
((call_expression function: (scoped_identifier path: (_) @p name: (identifier) @f)
    arguments: (arguments . (_) . {_RS_KEY_ARG}))
  (#match? @p "(?i)key(::)?(<[^>]*>)?$") (#eq? @f "new"))
"""

_BINDINGS = {
    "python": """
(assignment left: (identifier) @name right: (_) @value)
""",
    "rust": """
(const_item name: (identifier) @name value: (_) @value)
(static_item name: (identifier) @name value: (_) @value)
(let_declaration pattern: (identifier) @name value: (_) @value)
""",
}
_IMPORTS = {
    "python": """
(import_from_statement name: (dotted_name (identifier) @name))
(import_from_statement name: (aliased_import name: (dotted_name (identifier) @name)
                                             alias: (identifier) @alias))
""",
    "rust": """
(use_declaration argument: (scoped_identifier name: (identifier) @name))
(use_list (identifier) @name)
(use_as_clause path: [(identifier) @name (scoped_identifier name: (identifier) @name)]
               alias: (identifier) @alias)
""",
}
_RUST_LITERALS = frozenset({"string_literal", "raw_string_literal", "array_expression"})
_RUST_CONVERSIONS = frozenset({"as_bytes", "as_ref", "to_vec", "to_string", "to_owned", "into"})


def literal_bindings(name: str, root: ts.Node) -> dict[str, ts.Node]:
    """Name -> literal node of every name a file binds to a non-empty literal.

    A name bound more than once, once to something else, is not a literal binding.
    """
    text = _BINDINGS.get(name)
    if text is None:
        return {}
    literal: dict[str, ts.Node] = {}
    other: set[str] = set()
    for _, found in ts.QueryCursor(query(name, text)).matches(root):
        bound = (found["name"][0].text or b"").decode("utf-8", "replace")
        value = found["value"][0]
        if _is_literal(name, value):
            literal.setdefault(bound, value)
        else:
            other.add(bound)
    return {key: node for key, node in literal.items() if key not in other}


def module_constants(bindings: dict[str, ts.Node]) -> dict[str, ts.Node]:
    """Of a file's literal bindings, those other files can import: module level, const / static."""
    return {key: node for key, node in bindings.items() if _at_module_level(node)}


def imported_names(name: str, root: ts.Node) -> dict[str, str]:
    """Local name -> imported name, of ``from m import X [as Y]`` / ``use m::X [as Y]``."""
    text = _IMPORTS.get(name)
    if text is None:
        return {}
    out: dict[str, str] = {}
    for _, found in ts.QueryCursor(query(name, text)).matches(root):
        original = (found["name"][0].text or b"").decode("utf-8", "replace")
        local = found.get("alias", found["name"])[0]
        out[(local.text or b"").decode("utf-8", "replace")] = original
    return out


def _at_module_level(value: ts.Node) -> bool:
    """Whether a bound literal is a module-level assignment or a Rust const / static."""
    binding = value.parent
    if binding is None:
        return False
    if binding.type in ("const_item", "static_item"):
        return True
    statement = binding.parent
    return (
        binding.type == "assignment"
        and statement is not None
        and statement.parent is not None
        and statement.parent.type == "module"
    )


def _is_literal(language: str, value: ts.Node) -> bool:
    """A non-empty string / bytes literal (no interpolation), or a Rust literal array."""
    if language == "python":
        return _is_python_literal(value)
    node = value
    while node.type in ("reference_expression", "call_expression", "field_expression"):
        inner = _rust_inner(node)
        if inner is None:
            return False
        node = inner
    if node.type == "array_expression":
        return all(c.type in ("integer_literal", "char_literal") for c in node.named_children)
    return node.type in _RUST_LITERALS and bool(_descendants(node, "string_content"))


def _is_python_literal(value: ts.Node) -> bool:
    """``"..."``, ``b"..."``, ``"a" "b"``, ``"..." * n``, ``"...".encode()``: no f-string."""
    node: ts.Node | None = value
    if value.type == "call":
        function = value.child_by_field_name("function")
        node = function.child_by_field_name("object") if function is not None else None
    elif value.type == "binary_operator":
        node = value.child_by_field_name("left")
    if node is None or node.type not in ("string", "concatenated_string"):
        return False
    strings = [node] if node.type == "string" else _descendants(node, "string")
    return all(
        not _descendants(s, "interpolation") and _descendants(s, "string_content") for s in strings
    )


def _rust_inner(node: ts.Node) -> ts.Node | None:
    """The literal inside ``&lit``, ``lit.as_bytes()`` and friends, else None."""
    if node.type == "reference_expression":
        return node.child_by_field_name("value")
    if node.type == "call_expression":
        return node.child_by_field_name("function")
    field = node.child_by_field_name("field")
    name = (field.text or b"").decode() if field is not None else ""
    return node.child_by_field_name("value") if name in _RUST_CONVERSIONS else None


def _descendants(node: ts.Node, kind: str) -> list[ts.Node]:
    """Every node of type ``kind`` below ``node``."""
    found: list[ts.Node] = []
    stack = list(node.children)
    while stack:
        current = stack.pop()
        if current.type == kind:
            found.append(current)
        stack.extend(current.children)
    return found
