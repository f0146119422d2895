"""A small lexer that splits source text into comments and code, per language.

It knows only what it needs to tell a comment from a string: line and block
comments, string and character literals (Python prefixes and triple quotes,
Rust raw strings and lifetimes, Elixir heredocs, sigils and ``?x`` characters,
JavaScript template literals). ``split`` returns every comment with its
position, and the code with strings and comments blanked out (newlines kept),
so a pattern searched in the code never matches inside a string.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

# Languages with their comment syntax family.
HASH_LANGUAGES = frozenset({"python", "elixir"})
SLASH_LANGUAGES = frozenset(
    {"rust", "javascript", "typescript", "go", "c", "cpp", "java", "kotlin"}
)
LANGUAGES = HASH_LANGUAGES | SLASH_LANGUAGES

_SIGIL_CLOSERS = {"(": ")", "[": "]", "{": "}", "<": ">", "/": "/", "|": "|", '"': '"', "'": "'"}


@dataclass(frozen=True)
class Comment:
    """One comment: 1-based line and column of its first character, and its text."""

    line: int
    column: int
    text: str


@dataclass(frozen=True)
class Split:
    """A source split into its comments and its code (strings and comments blanked)."""

    comments: tuple[Comment, ...]
    code: str
    line_starts: tuple[int, ...]

    def position(self, offset: int) -> tuple[int, int]:
        """1-based line and column of ``offset`` in the text."""
        index = bisect.bisect_right(self.line_starts, offset) - 1
        return index + 1, offset - self.line_starts[index] + 1


def split(text: str, language: str) -> Split:
    """The comments and blanked code of ``text`` in ``language`` (one of ``LANGUAGES``)."""
    lexer = _Lexer(text, language)
    lexer.scan()
    starts = [0, *(i + 1 for i, ch in enumerate(text) if ch == "\n")]
    return Split(tuple(lexer.comments), "".join(lexer.code), tuple(starts))


class _Lexer:
    """One pass over the text; ``code`` mirrors it with non-code characters blanked."""

    def __init__(self, text: str, language: str) -> None:
        self.text = text
        self.language = language
        self.pos = 0
        self.code = list(text)
        self.comments: list[Comment] = []
        self.line = 1
        self.line_start = 0

    # -- driver ----------------------------------------------------------------------------

    def scan(self) -> None:
        """Walk the text, dispatching on what starts at each position."""
        text = self.text
        while self.pos < len(text):
            if not self._special():
                self._advance(1)

    def _special(self) -> bool:
        """Consume a comment or literal starting here; False when this is plain code."""
        text, pos = self.text, self.pos
        char = text[pos]
        if self.language in HASH_LANGUAGES:
            if char == "#":
                self._line_comment()
                return True
            return self._hash_literal(char)
        if text.startswith("//", pos):
            self._line_comment()
            return True
        if text.startswith("/*", pos):
            self._block_comment(nested=self.language == "rust")
            return True
        return self._slash_literal(char)

    # -- comments --------------------------------------------------------------------------

    def _line_comment(self) -> None:
        end = self.text.find("\n", self.pos)
        end = len(self.text) if end < 0 else end
        self._comment(self.pos, end)

    def _block_comment(self, *, nested: bool) -> None:
        depth, i = 0, self.pos
        while i < len(self.text):
            if self.text.startswith("/*", i):
                depth, i = depth + 1, i + 2
            elif self.text.startswith("*/", i):
                depth, i = depth - 1, i + 2
                if depth == 0 or not nested:
                    break
            else:
                i += 1
        self._comment(self.pos, i)

    def _comment(self, start: int, end: int) -> None:
        self.comments.append(Comment(self.line, start - self.line_start + 1, self.text[start:end]))
        self._blank_to(end)

    # -- literals --------------------------------------------------------------------------

    def _hash_literal(self, char: str) -> bool:
        """Python and Elixir strings, Elixir sigils and character literals."""
        text, pos = self.text, self.pos
        if text.startswith(('"""', "'''"), pos):
            self._delimited(text[pos : pos + 3], text[pos : pos + 3], escapes=True)
            return True
        if char in "\"'":
            self._delimited(char, char, escapes=True, single_line=self.language == "python")
            return True
        if self.language != "elixir":
            return False
        if char == "~" and pos + 2 < len(text) and text[pos + 1].isalpha():
            return self._sigil()
        if char == "?" and pos + 1 < len(text) and not _ident_before(text, pos):
            self._blank_to(pos + (3 if text[pos + 1] == "\\" else 2))
            return True
        return False

    def _sigil(self) -> bool:
        text, start = self.text, self.pos + 1
        end = start
        while end < len(text) and text[end].isalpha():
            end += 1
        if end >= len(text):
            return False
        if text.startswith(('"""', "'''"), end):
            quote = text[end : end + 3]
            self._blank_to(end)
            self._delimited(quote, quote, escapes=True)
            return True
        closer = _SIGIL_CLOSERS.get(text[end])
        if closer is None:
            return False
        self._blank_to(end)
        self._delimited(text[end], closer, escapes=True)
        return True

    def _slash_literal(self, char: str) -> bool:
        """Strings and characters of the C-like languages, Rust raw strings and lifetimes."""
        if self.language == "rust":
            return self._rust_literal(char)
        if char in "\"'":
            self._delimited(char, char, escapes=True, single_line=True)
            return True
        if char == "`":
            self._delimited("`", "`", escapes=self.language != "go")
            return True
        return False

    def _rust_literal(self, char: str) -> bool:
        text, pos = self.text, self.pos
        if char in "rb" and not _ident_before(text, pos):
            i = pos + (2 if text.startswith(("br", "rb"), pos) else 1)
            if char == "b" and i == pos + 1 and i < len(text) and text[i] in "\"'":
                self._blank_to(i)
                return self._rust_literal(text[i])
            hashes = 0
            while i < len(text) and text[i] == "#":
                hashes, i = hashes + 1, i + 1
            if "r" in text[pos:i] and i < len(text) and text[i] == '"':
                self._blank_to(i)
                self._delimited('"', '"' + "#" * hashes, escapes=False)
                return True
            return False
        if char == '"':
            self._delimited('"', '"', escapes=True)
            return True
        if char == "'":
            return self._rust_char()
        return False

    def _rust_char(self) -> bool:
        """A character literal (``'a'``, ``'\\n'``, ``'\\u{1F600}'``), not a lifetime."""
        text, pos = self.text, self.pos
        if text.startswith("\\", pos + 1):
            end = text.find("'", pos + 2)
            if end > 0 and "\n" not in text[pos:end]:
                self._blank_to(end + 1)
                return True
            return False
        if pos + 2 < len(text) and text[pos + 2] == "'" and text[pos + 1] != "\n":
            self._blank_to(pos + 3)
            return True
        return False

    def _delimited(
        self, opener: str, closer: str, *, escapes: bool, single_line: bool = False
    ) -> None:
        """Blank a literal from its opener to its closer (or the end of line / text)."""
        text = self.text
        i = self.pos + len(opener)
        while i < len(text):
            if escapes and text[i] == "\\":
                i += 2
                continue
            if single_line and text[i] == "\n":
                break
            if text.startswith(closer, i):
                i += len(closer)
                break
            i += 1
        self._blank_to(min(i, len(text)))

    # -- positions -------------------------------------------------------------------------

    def _blank_to(self, end: int) -> None:
        """Blank ``pos..end`` in the code (newlines kept) and move there."""
        for i in range(self.pos, end):
            if self.text[i] != "\n":
                self.code[i] = " "
        self._advance(end - self.pos)

    def _advance(self, count: int) -> None:
        end = min(self.pos + count, len(self.text))
        newline = self.text.rfind("\n", self.pos, end)
        if newline >= 0:
            self.line += self.text.count("\n", self.pos, end)
            self.line_start = newline + 1
        self.pos = end


def _ident_before(text: str, pos: int) -> bool:
    """Whether the character before ``pos`` continues an identifier."""
    return pos > 0 and (text[pos - 1].isalnum() or text[pos - 1] == "_")
