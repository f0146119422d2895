"""Unseeded randomness and wall-clock use in Rust and Elixir test code.

A small tokenizer first blanks comments and string literals (keeping every
newline, so offsets still give the right line), then regular expressions find
the calls. In Rust, test code is a whole file under a tests directory, or the
items marked ``#[cfg(test)]`` / ``#[test]`` (any ``#[...::test]``) elsewhere;
``#[cfg(test)] mod name;`` makes the module's file test code too
(``rust_test_modules`` finds those files). In Elixir, the scanned files are the
test scripts (``*.exs``) the caller passes; their clock reads and sleeps are
judged on the syntax tree (``elixir_clock``).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from aces.engines.determinism import elixir_clock, rust_clock
from aces.engines.determinism.model import Hazard, Kind
from aces.engines.determinism.rust_clock import Call

_RUST_RANDOM = re.compile(r"\b(thread_rng\s*\(|rand::random\b|rand::rng\s*\(|from_entropy\s*\()")
_RUST_PROPTEST = re.compile(r"\bproptest!\s*[\{\(\[]")
_RUST_FIXED_PROPTEST = re.compile(r"RngSeed::Fixed|TestRunner::deterministic|rng_seed\s*:")
_RUST_CLOCK = re.compile(
    r"\b((?:std::time::)?SystemTime::now|Instant::now|Utc::now|Local::now)\s*\("
)
_RUST_SLEEP = re.compile(r"\b((?:std::)?thread::sleep|tokio::time::sleep)\s*\(")
_RUST_TEST_ATTR = re.compile(r"#\[\s*(?:cfg\s*\(\s*test\s*\)|(?:[\w:]+::)?test)\s*\]")
_RUST_TEST_MOD_DECL = re.compile(
    r"#\[\s*cfg\s*\(\s*test\s*\)\s*\]\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+(\w+)\s*;"
)

_EX_RANDOM = re.compile(
    r"(:rand\.uniform(?:_real)?|Enum\.random|Enum\.shuffle|Enum\.take_random)\s*\("
)
_EX_SEED = re.compile(r":rand\.seed\s*\(")
_EX_PROPERTY = re.compile(r"\bcheck\s+all\b")
_EX_FIXED_PROPERTY = re.compile(r"initial_seed")


def blank_rust(text: str) -> str:
    """``text`` with comments, strings and char literals replaced by spaces (newlines kept)."""
    out = list(text)
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
            _blank(out, i, end)
            i = end
        elif text.startswith("/*", i):
            end = _block_comment_end(text, i)
            _blank(out, i, end)
            i = end
        elif (
            ch == "r"
            and (m := re.match(r'r(#*)"', text[i : i + 260]))
            and not _ident_before(text, i)
        ):
            close = '"' + m.group(1)
            end = text.find(close, i + len(m.group(0)))
            end = n if end < 0 else end + len(close)
            _blank(out, i, end)
            i = end
        elif ch == '"':
            end = _string_end(text, i)
            _blank(out, i, end)
            i = end
        elif ch == "'" and (m := re.match(r"'(?:\\.[^']*|[^\\'\n])'", text[i : i + 12])):
            _blank(out, i, i + len(m.group(0)))
            i += len(m.group(0))
        else:
            i += 1
    return "".join(out)


def _ident_before(text: str, i: int) -> bool:
    return i > 0 and (text[i - 1].isalnum() or text[i - 1] == "_")


def _blank(out: list[str], start: int, end: int) -> None:
    for k in range(start, end):
        if out[k] != "\n":
            out[k] = " "


def _block_comment_end(text: str, start: int) -> int:
    depth, i = 0, start
    while i < len(text):
        if text.startswith("/*", i):
            depth += 1
            i += 2
        elif text.startswith("*/", i):
            depth -= 1
            i += 2
            if depth == 0:
                return i
        else:
            i += 1
    return len(text)


def _string_end(text: str, start: int) -> int:
    i = start + 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
        elif text[i] == '"':
            return i + 1
        else:
            i += 1
    return len(text)


def rust_test_regions(blanked: str) -> list[tuple[int, int]]:
    """``(start, end)`` offsets of the items marked as test code in blanked Rust text."""
    regions: list[tuple[int, int]] = []
    for match in _RUST_TEST_ATTR.finditer(blanked):
        if any(s <= match.start() < e for s, e in regions):
            continue
        brace = _item_body(blanked, match.end())
        if brace is not None:
            regions.append((match.start(), _matching_brace(blanked, brace)))
    return regions


def _item_body(text: str, start: int) -> int | None:
    """The ``{`` opening the item after an attribute; None when the item ends with ``;``."""
    for i in range(start, len(text)):
        if text[i] == "{":
            return i
        if text[i] == ";":
            return None
    return None


def _matching_brace(text: str, open_at: int) -> int:
    depth = 0
    for i in range(open_at, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return i + 1
    return len(text)


def rust_test_modules(path: str, text: str) -> list[str]:
    """Files of the modules ``path`` declares as ``#[cfg(test)] mod name;`` (both layouts)."""
    directory = posixpath.dirname(path)
    stem = posixpath.splitext(posixpath.basename(path))[0]
    if stem not in ("lib", "main", "mod"):
        directory = posixpath.join(directory, stem)
    found = []
    for match in _RUST_TEST_MOD_DECL.finditer(blank_rust(text)):
        name = match.group(1)
        found.append(posixpath.join(directory, f"{name}.rs"))
        found.append(posixpath.join(directory, name, "mod.rs"))
    return found


def scan_rust(path: str, text: str, *, whole_file: bool) -> list[Hazard]:
    """Hazards in the test code of a Rust file (all of it when ``whole_file``)."""
    blanked = blank_rust(text)
    regions = [(0, len(blanked))] if whole_file else rust_test_regions(blanked)
    if not regions:
        return []
    fixed_proptest = _RUST_FIXED_PROPTEST.search(blanked) is not None
    found: list[Hazard] = []
    for start, end in regions:
        part = blanked[start:end]
        for match in _RUST_RANDOM.finditer(part):
            what = match.group(1).rstrip("( ").strip()
            found.append(
                _hazard(
                    blanked,
                    path,
                    start + match.start(),
                    Kind.RANDOMNESS,
                    "unseeded",
                    what,
                    f"{what} is seeded from the operating system (use a seeded StdRng, "
                    "e.g. StdRng::seed_from_u64(<fixed>))",
                )
            )
        if not fixed_proptest:
            for match in _RUST_PROPTEST.finditer(part):
                found.append(
                    _hazard(
                        blanked,
                        path,
                        start + match.start(),
                        Kind.RANDOMNESS,
                        "property-seed",
                        "proptest!",
                        "proptest! runs with a random seed (fix it: ProptestConfig with "
                        "rng_seed: RngSeed::Fixed(<seed>))",
                    )
                )
    found.extend(_rust_clock(blanked, path, regions))
    return sorted(set(found))


def _rust_clock(blanked: str, path: str, regions: list[tuple[int, int]]) -> Iterator[Hazard]:
    """Clock reads that decide a test, sleeps that wait before an assertion (``rust_clock``)."""
    clocks: dict[Call, str] = {}
    sleeps: dict[Call, str] = {}
    for start, end in regions:
        for pattern, into in ((_RUST_CLOCK, clocks), (_RUST_SLEEP, sleeps)):
            for match in pattern.finditer(blanked, start, end):
                into[Call(match.start(), match.end())] = match.group(1)
    for call in sorted(set(rust_clock.deciding(blanked, list(clocks))), key=lambda c: c.start):
        what = clocks[call]
        yield _hazard(
            blanked,
            path,
            call.start,
            Kind.CLOCK,
            "wall-clock",
            what,
            f"{what} decides an assertion or a branch, so the test depends on the clock "
            "(inject a fixed time instead)",
        )
    for call, assertion in rust_clock.waiting(blanked, list(sleeps)):
        what = sleeps[call]
        line = blanked.count("\n", 0, assertion) + 1
        yield _hazard(
            blanked,
            path,
            call.start,
            Kind.CLOCK,
            "sleep",
            what,
            f"{what} waits a fixed time for asynchronous work before the assertion at line "
            f"{line} (wait on the event or condition instead, or fake the clock)",
        )


def scan_elixir(path: str, text: str) -> list[Hazard]:
    """Hazards in an Elixir test script."""
    blanked = blank_elixir(text)
    found: list[Hazard] = []
    if _EX_SEED.search(blanked) is None:
        for match in _EX_RANDOM.finditer(blanked):
            what = match.group(1)
            found.append(
                _hazard(
                    blanked,
                    path,
                    match.start(),
                    Kind.RANDOMNESS,
                    "unseeded",
                    what,
                    f"{what} draws from a generator this test never seeds "
                    "(call :rand.seed(:exsss, <fixed>) in setup)",
                )
            )
    if _EX_FIXED_PROPERTY.search(blanked) is None:
        for match in _EX_PROPERTY.finditer(blanked):
            found.append(
                _hazard(
                    blanked,
                    path,
                    match.start(),
                    Kind.RANDOMNESS,
                    "property-seed",
                    "check all",
                    "property test runs with a random seed (pass initial_seed:)",
                )
            )
    found.extend(_elixir_clock(path, text))
    return sorted(set(found))


def _elixir_clock(path: str, text: str) -> Iterator[Hazard]:
    """Clock reads that decide a test, sleeps that wait before an assertion (``elixir_clock``)."""
    for call in elixir_clock.timed_calls(text):
        line, column = call.node.start_point.row + 1, call.node.start_point.column + 1
        if call.assertion_line:
            message = (
                f"{call.what} waits a fixed time for asynchronous work before the assertion at "
                f"line {call.assertion_line} (wait on the message or condition instead: "
                "assert_receive, or poll)"
            )
            yield Hazard(path, line, column, Kind.CLOCK, "sleep", call.what, message)
        else:
            message = (
                f"{call.what} decides an assertion or a branch, so the test depends on the "
                "clock (inject a fixed time instead)"
            )
            yield Hazard(path, line, column, Kind.CLOCK, "wall-clock", call.what, message)


def blank_elixir(text: str) -> str:
    """``text`` with ``#`` comments and string / heredoc literals blanked (newlines kept)."""
    out = list(text)
    i, n = 0, len(text)
    while i < n:
        if text.startswith('"""', i) or text.startswith("'''", i):
            quote = text[i : i + 3]
            end = text.find(quote, i + 3)
            end = n if end < 0 else end + 3
            _blank(out, i, end)
            i = end
        elif text[i] == '"':
            end = _string_end(text, i)
            _blank(out, i, end)
            i = end
        elif text[i] == "#" and not text.startswith("#{", i) and (i == 0 or text[i - 1] != "?"):
            end = text.find("\n", i)
            end = n if end < 0 else end
            _blank(out, i, end)
            i = end
        else:
            i += 1
    return "".join(out)


def _hazard(
    text: str, path: str, offset: int, kind: Kind, rule: str, what: str, message: str
) -> Hazard:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return Hazard(path, line, column, kind, rule, what, message)
