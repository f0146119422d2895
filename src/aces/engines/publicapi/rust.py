"""The public surface of a Rust module, and the modules a library crate makes public."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import PurePosixPath

from tree_sitter import Node

from aces.engines.patterns.grammars import parser

ReadText = Callable[[str], "str | None"]

# Items whose whole text (minus bodies of functions) is their public contract.
_WHOLE_ITEMS = frozenset(
    {"enum_item", "trait_item", "type_item", "const_item", "static_item", "use_declaration",
     "union_item", "macro_definition"}
)  # fmt: skip
SYNTAX_ERROR = ("<does not parse>",)


def public_rust_files(files: Iterable[str], read: ReadText) -> set[str]:
    """The module files of every library crate reachable from ``src/lib.rs`` by ``pub``."""
    present = set(files)
    found: set[str] = set()
    for manifest in sorted(p for p in present if PurePosixPath(p).name == "Cargo.toml"):
        crate = str(PurePosixPath(manifest).parent)
        lib = "src/lib.rs" if crate == "." else f"{crate}/src/lib.rs"
        if lib in present:
            _walk(lib, present, read, found)
    return found


def _walk(path: str, present: set[str], read: ReadText, found: set[str]) -> None:
    """Add ``path`` and the files of the modules it makes public."""
    if path in found:
        return
    found.add(path)
    text = read(path)
    if text is None:
        return
    root = parser("rust").parse(text.encode("utf-8")).root_node
    folder = _module_folder(path)
    for name in _public_children(root):
        for candidate in (f"{folder}/{name}.rs", f"{folder}/{name}/mod.rs"):
            if candidate in present:
                _walk(candidate, present, read, found)


def _module_folder(path: str) -> str:
    """Where the child modules of the module file ``path`` live."""
    pure = PurePosixPath(path)
    if pure.name in ("lib.rs", "mod.rs", "main.rs"):
        return str(pure.parent)
    return str(pure.parent / pure.stem)


def _public_children(root: Node) -> set[str]:
    """Child modules declared ``pub mod x;``, or private ones a ``pub use`` re-exports from."""
    declared: dict[str, bool] = {}
    reexported: set[str] = set()
    for node in root.named_children:
        if node.type == "mod_item" and node.child_by_field_name("body") is None:
            name = node.child_by_field_name("name")
            if name is not None:
                declared[_text(name)] = _is_pub(node)
        elif node.type == "use_declaration" and _is_pub(node):
            argument = node.child_by_field_name("argument")
            head = _text(argument).split("::")[0].strip() if argument is not None else ""
            if head in ("self", "crate") and argument is not None:
                parts = _text(argument).split("::")
                head = parts[1].strip() if len(parts) > 1 else ""
            reexported.add(head)
    return {name for name, pub in declared.items() if pub or name in reexported}


def rust_surface(text: str | None) -> tuple[str, ...]:
    """Sorted signatures of the module's ``pub`` items (empty for a missing file)."""
    if text is None:
        return ()
    root = parser("rust").parse(text.encode("utf-8")).root_node
    if root.has_error:
        return (*SYNTAX_ERROR, text)
    out: list[str] = []
    _items(root, "", out)
    return tuple(sorted(out))


def _items(container: Node, prefix: str, out: list[str]) -> None:
    """The public signatures of the items of a file or an inline module."""
    for node in container.named_children:
        if node.type == "impl_item":
            _impl(node, prefix, out)
            continue
        if not _is_pub(node):
            continue
        if node.type == "function_item":
            out.append(prefix + _signature(node))
        elif node.type == "struct_item":
            out.append(prefix + _struct(node))
        elif node.type == "mod_item":
            body = node.child_by_field_name("body")
            name = node.child_by_field_name("name")
            label = _text(name) if name is not None else ""
            out.append(f"{prefix}pub mod {label}")
            if body is not None:
                _items(body, f"{prefix}{label}::", out)
        elif node.type in _WHOLE_ITEMS:
            out.append(prefix + _tokens(node))


def _impl(node: Node, prefix: str, out: list[str]) -> None:
    """``pub`` methods of an inherent impl, and every method of a trait impl's signature."""
    body = node.child_by_field_name("body")
    if body is None:
        return
    head = _tokens(node, body.start_byte)
    for item in body.named_children:
        if item.type == "function_item" and _is_pub(item):
            out.append(f"{prefix}{head} {{ {_signature(item)} }}")


def _signature(node: Node) -> str:
    """A function's tokens up to its body."""
    body = node.child_by_field_name("body")
    return _tokens(node, body.start_byte if body is not None else node.end_byte)


def _struct(node: Node) -> str:
    """A struct's name, generics and ``pub`` fields (a tuple struct: all of its tokens)."""
    body = node.child_by_field_name("body")
    if body is None or body.type != "field_declaration_list":
        return _tokens(node)
    fields = [_tokens(f) for f in body.named_children if f.type == "field_declaration"]
    public = [f for f in fields if f.startswith("pub ")]
    return f"{_tokens(node, body.start_byte)} {{ {', '.join(public)} }}"


def _is_pub(node: Node) -> bool:
    """Whether an item is ``pub`` (``pub(crate)`` and narrower are not public API)."""
    return any(c.type == "visibility_modifier" and _text(c) == "pub" for c in node.children)


def _text(node: Node) -> str:
    return node.text.decode("utf-8", "replace") if node.text is not None else ""


def _tokens(node: Node, stop: int | None = None) -> str:
    """The node's tokens before byte ``stop``, comments left out, one space apart.

    Formatting and documentation are no API change.
    """
    end = node.end_byte if stop is None else stop
    out: list[str] = []
    pending = [node]
    while pending:
        current = pending.pop()
        if current.start_byte >= end or current.type in ("line_comment", "block_comment"):
            continue
        if current.child_count == 0:
            out.append(_text(current))
        else:
            pending.extend(reversed(current.children))
    return " ".join(out)
