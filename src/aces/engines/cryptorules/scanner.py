"""Run the crypto-misuse rules over source files with tree-sitter.

A ``CryptoScanner`` compiles every rule's query once (per scanner, no module
state) and scans one file at a time: parse, run each query of the file's
language, filter matches by the rule's ``requires`` / ``unless`` expressions
and key-size capture, resolve a ``via`` identifier to the literal it is bound to
in the file (``keys.literal_bindings``), keep a comparison only when a MAC or digest
flows into it (``digestflow``), and report one hit per rule and line. Query captures are
not in source order (a tree-sitter 0.26 trait), so hits are sorted.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import tree_sitter as ts
import tree_sitter_elixir
import tree_sitter_python
import tree_sitter_rust

from aces.engines.cryptorules.digestflow import carries_digest, digest_names
from aces.engines.cryptorules.keys import imported_names, literal_bindings, module_constants
from aces.engines.cryptorules.rules import CRYPTO_RULES, CryptoRule
from aces.engines.tlsrules.textscan import Hit

_GRAMMARS: dict[str, Callable[[], object]] = {
    "python": tree_sitter_python.language,
    "rust": tree_sitter_rust.language,
    "elixir": tree_sitter_elixir.language,
}
_EXTENSIONS: dict[str, str] = {
    ".py": "python",
    ".pyi": "python",
    ".rs": "rust",
    ".ex": "elixir",
    ".exs": "elixir",
}
Place = tuple[str, int, int]  # path, 1-based line and column
_INT = re.compile(r"^(0[xob])?[0-9a-fA-F_]+")


def language_of(path: str) -> str | None:
    """The crypto rules' language of a path, by extension."""
    dot = path.rfind(".")
    return _EXTENSIONS.get(path[dot:].lower()) if dot >= 0 else None


def parse_int(text: str) -> int | None:
    """A Python / Rust / Elixir integer literal (``1_024``, ``1024u32``, ``0x400``)."""
    match = _INT.match(text.strip())
    if match is None:
        return None
    try:
        return int(match.group(0).replace("_", ""), 0)
    except ValueError:
        return None


@dataclass(frozen=True)
class _Compiled:
    """A rule with its compiled query and expressions."""

    rule: CryptoRule
    query: ts.Query
    requires: tuple[re.Pattern[str], ...]
    unless: re.Pattern[str] | None


class CryptoScanner:
    """The crypto rules compiled for one run; ``scan`` one file at a time."""

    def __init__(self, min_rsa_bits: int, rules: Sequence[CryptoRule] = CRYPTO_RULES) -> None:
        self.min_rsa_bits = min_rsa_bits
        self._languages = {name: ts.Language(grammar()) for name, grammar in _GRAMMARS.items()}
        self._rules: dict[str, list[_Compiled]] = {}
        for rule in rules:
            language = self._languages[rule.language]
            compiled = _Compiled(
                rule,
                ts.Query(language, rule.query),
                tuple(re.compile(r) for r in rule.requires),
                re.compile(rule.unless) if rule.unless else None,
            )
            self._rules.setdefault(rule.language, []).append(compiled)

    def scan_project(self, files: Iterable[tuple[str, bytes]]) -> list[Hit]:
        """Every rule hit in a set of files, with constants resolved across them.

        A key constant imported from another file (``from .keys import SECRET``,
        ``use crate::keys::SECRET;``) resolves to its literal when exactly one file
        of the project defines it at module level.
        """
        trees = [(path, tree) for path, tree in self._parse_all(files) if tree is not None]
        bindings = {path: literal_bindings(language, root) for path, (language, root) in trees}
        defined: dict[str, list[Place]] = {}
        for path, _ in trees:
            for name, node in module_constants(bindings[path]).items():
                defined.setdefault(name, []).append(_place(path, node))
        unique = {name: places[0] for name, places in defined.items() if len(places) == 1}
        found: dict[tuple[str, str, int], Hit] = {}
        for path, (language, root) in trees:
            known = self._known(language, path, root, unique, bindings[path])
            for hit in self._scan_tree(path, language, root, known):
                found.setdefault((hit.rule_id, hit.path, hit.line), hit)
        return sorted(found.values(), key=lambda h: (h.path, h.line, h.column, h.rule_id))

    def _parse_all(
        self, files: Iterable[tuple[str, bytes]]
    ) -> Iterator[tuple[str, tuple[str, ts.Node] | None]]:
        """(path, (language, root) or None when no rule reads the file) per file."""
        for path, source in files:
            language = language_of(path)
            if language is None or language not in self._rules:
                yield path, None
                continue
            yield path, (language, ts.Parser(self._languages[language]).parse(source).root_node)

    def scan(
        self,
        path: str,
        source: bytes,
        language: str | None = None,
        constants: Mapping[str, Place] | None = None,
    ) -> list[Hit]:
        """Every rule hit in one file (its language from ``path`` unless given).

        ``constants`` are the project's module-level literal constants, for names the
        file imports.
        """
        language = language or language_of(path)
        if language is None or language not in self._rules:
            return []
        root = ts.Parser(self._languages[language]).parse(source).root_node
        own = literal_bindings(language, root)
        return self._scan_tree(
            path, language, root, self._known(language, path, root, constants or {}, own)
        )

    def _scan_tree(
        self, path: str, language: str, root: ts.Node, known: Mapping[str, Place]
    ) -> list[Hit]:
        """Every rule hit in one parsed file; ``known`` names resolve to literals."""
        found: dict[tuple[str, str, int], Hit] = {}
        flow = _Flow(language, root)
        for compiled in self._rules[language]:
            for where, line, column in self._matches(compiled, root, path, known, flow):
                key = (compiled.rule.rule_id, where, line)
                if key not in found or column < found[key].column:
                    found[key] = Hit(
                        compiled.rule.rule_id, where, line, column, self._message(compiled.rule)
                    )
        return sorted(found.values(), key=lambda h: (h.line, h.column, h.rule_id))

    def _known(
        self,
        language: str,
        path: str,
        root: ts.Node,
        constants: Mapping[str, Place],
        own: Mapping[str, ts.Node],
    ) -> dict[str, Place]:
        """Name -> literal place for the names of one file: its own, then imported ones."""
        known = {
            local: constants[original]
            for local, original in imported_names(language, root).items()
            if original in constants
        }
        for name, node in own.items():
            known[name] = _place(path, node)
        return known

    def _message(self, rule: CryptoRule) -> str:
        """The rule's message, with the minimum for key-size rules."""
        if rule.size_capture:
            return f"{rule.message} ({self.min_rsa_bits} bits)"
        return rule.message

    def _matches(
        self,
        compiled: _Compiled,
        root: ts.Node,
        path: str,
        known: Mapping[str, Place],
        flow: _Flow,
    ) -> list[Place]:
        """Where a rule's matches that pass its filters point.

        A rule with a ``via`` capture points at the literal its identifier names.
        """
        out: list[Place] = []
        via = compiled.rule.via_capture
        for _, captures in ts.QueryCursor(compiled.query).matches(root):
            if via:
                names = [(n.text or b"").decode("utf-8", "replace") for n in captures.get(via, [])]
                out.extend(known[name] for name in names if name in known)
                continue
            for node in captures.get("hit", []):
                if self._accepts(compiled, node, captures, flow):
                    out.append(_place(path, node))
        return out

    def _accepts(
        self,
        compiled: _Compiled,
        node: ts.Node,
        captures: dict[str, list[ts.Node]],
        flow: _Flow,
    ) -> bool:
        """Whether a match passes ``requires``, ``unless``, the digest flow and the key size."""
        text = (node.text or b"").decode("utf-8", "replace")
        if not all(pattern.search(text) for pattern in compiled.requires):
            return False
        if compiled.unless is not None and compiled.unless.search(text):
            return False
        if compiled.rule.digest_flow and not flow.carries_digest(node):
            return False
        return self._too_small(compiled.rule, captures) if compiled.rule.size_capture else True

    def _too_small(self, rule: CryptoRule, captures: dict[str, list[ts.Node]]) -> bool:
        """Whether a key-size capture is below the policy's minimum RSA modulus."""
        sizes = captures.get(rule.size_capture, [])
        values = [parse_int((n.text or b"").decode("utf-8", "replace")) for n in sizes]
        return any(v is not None and v < self.min_rsa_bits for v in values)


class _Flow:
    """The digest-carrying names of one file, found on first use."""

    def __init__(self, language: str, root: ts.Node) -> None:
        self.language = language
        self.root = root
        self._names: frozenset[str] | None = None

    def carries_digest(self, node: ts.Node) -> bool:
        """Whether a MAC or digest flows into ``node`` (``digestflow.carries_digest``)."""
        if self._names is None:
            self._names = digest_names(self.language, self.root)
        return carries_digest(self.language, node, self._names)


def _place(path: str, node: ts.Node) -> Place:
    """Where ``node`` starts in ``path``."""
    return path, node.start_point.row + 1, node.start_point.column + 1
