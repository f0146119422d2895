"""Clock reads that decide a Rust test, and sleeps that wait for asynchronous work.

Works on blanked text (comments and strings removed, see ``text_scan``), inside
the test function that holds each call. A clock read (``Instant::now()``,
``SystemTime::now()``, ``Utc::now()``) is a hazard when it reaches an
assertion macro (``assert!``, ``assert_eq!``, ``prop_assert!``, ...) or an
``if`` / ``while`` condition, directly or through ``let`` bindings that carry
its value (the read or the carrying name at the top level of the initializer:
``let elapsed = start.elapsed();``, not ``let e = Event { ts: now };`` nor
``Msg::new(now)``, which only stamp data). A sleep (``thread::sleep``,
``tokio::time::sleep``) is a hazard when an assertion macro follows it in the
same test function and it is not inside a polling loop (``loop``, ``while``, or
a ``for`` that can ``break``: it waits on a condition).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_ASSERT = re.compile(r"\b(?:debug_|prop_)?assert(?:_eq|_ne|_matches)?!\s*[\(\[\{]")
_CONDITION = re.compile(r"\b(?:if|while)\b")
_LET = re.compile(r"\blet\s+(?:mut\s+)?(\w+)\s*(?::[^=;]+)?=(?!=)")
_LOOP_HEADER = re.compile(r"\b(?:loop|while|for)\b")
_BREAK = re.compile(r"\bbreak\b")
_FN_HEADER = re.compile(r"\bfn\s+\w+")
_OPEN = "([{"
_CLOSE = ")]}"


@dataclass(frozen=True)
class Call:
    """A clock or sleep call found by the caller: its offset and its end in the text."""

    start: int
    end: int


def enclosing_opens(text: str, offset: int) -> list[int]:
    """Offsets of the unmatched ``{`` before ``offset``, innermost first."""
    opens: list[int] = []
    depth = 0
    for i in range(offset - 1, -1, -1):
        ch = text[i]
        if ch == "}":
            depth += 1
        elif ch == "{":
            if depth == 0:
                opens.append(i)
            else:
                depth -= 1
    return opens


def _header(text: str, brace: int) -> str:
    """The text before a ``{`` back to the previous statement boundary."""
    start = max(text.rfind(c, 0, brace) for c in ";{}") + 1
    return text[start:brace]


def function_body(text: str, offset: int) -> tuple[int, int] | None:
    """``(start, end)`` of the body of the ``fn`` holding ``offset``, or None."""
    for brace in enclosing_opens(text, offset):
        if _FN_HEADER.search(_header(text, brace)):
            return brace, _matching(text, brace)
    return None


def in_loop(text: str, offset: int, body_start: int) -> bool:
    """Whether a polling loop inside the function holds ``offset``: ``loop`` / ``while``,
    or a ``for`` whose block can ``break``."""
    for brace in enclosing_opens(text, offset):
        if brace <= body_start:
            return False
        header = _LOOP_HEADER.search(_header(text, brace))
        if header and (
            header.group(0) != "for" or _BREAK.search(text, brace, _matching(text, brace))
        ):
            return True
    return False


def _matching(text: str, open_at: int) -> int:
    depth = 0
    for i in range(open_at, len(text)):
        if text[i] in _OPEN:
            depth += 1
        elif text[i] in _CLOSE:
            depth -= 1
            if depth == 0:
                return i + 1
    return len(text)


def decision_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Assertion macro arguments and ``if`` / ``while`` conditions within ``[start, end)``."""
    part = text[start:end]
    spans = []
    for match in _ASSERT.finditer(part):
        opener = start + match.end() - 1
        spans.append((opener, _matching(text, opener)))
    for match in _CONDITION.finditer(part):
        at = start + match.end()
        brace = _next_at_depth_zero(text, at, end, "{")
        spans.append((at, brace))
    return spans


def _next_at_depth_zero(text: str, start: int, end: int, wanted: str) -> int:
    depth = 0
    for i in range(start, end):
        ch = text[i]
        if depth == 0 and ch == wanted:
            return i
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth -= 1
            if depth < 0:
                return i
    return end


def carried(text: str, start: int, end: int, calls: list[Call]) -> dict[str, set[Call]]:
    """Names bound by ``let`` in ``[start, end)`` -> the clock calls their value carries."""
    names: dict[str, set[Call]] = {}
    for match in _LET.finditer(text, start, end):
        value_start = match.end()
        value_end = _next_at_depth_zero(text, value_start, end, ";")
        sources = {c for c in calls if value_start <= c.start < value_end}
        sources = {c for c in sources if _top_level(text, value_start, c.start)}
        for name, known in names.items():
            for word in re.finditer(rf"\b{name}\b", text[value_start:value_end]):
                if _top_level(text, value_start, value_start + word.start()):
                    sources |= known
        if sources:
            names.setdefault(match.group(1), set()).update(sources)
    return names


def _top_level(text: str, start: int, offset: int) -> bool:
    """Whether ``offset`` is outside every bracket opened since ``start``."""
    depth = 0
    for ch in text[start:offset]:
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth -= 1
    return depth <= 0


def deciding(text: str, calls: list[Call]) -> Iterator[Call]:
    """The clock calls whose value decides an assertion or a branch of their test function."""
    by_body: dict[tuple[int, int], list[Call]] = {}
    for call in calls:
        body = function_body(text, call.start)
        if body is not None:
            by_body.setdefault(body, []).append(call)
    for (start, end), own in sorted(by_body.items()):
        names = carried(text, start, end, own)
        for span_start, span_end in decision_spans(text, start, end):
            span = text[span_start:span_end]
            for call in own:
                if span_start <= call.start < span_end:
                    yield call
            for name, sources in names.items():
                if re.search(rf"\b{name}\b", span):
                    yield from sources


def waiting(text: str, sleeps: list[Call]) -> Iterator[tuple[Call, int]]:
    """Sleeps outside loops followed by an assertion macro: (sleep, offset of the assertion)."""
    for call in sleeps:
        body = function_body(text, call.start)
        if body is None or in_loop(text, call.start, body[0]):
            continue
        after = _ASSERT.search(text, call.end, body[1])
        if after is not None:
            yield call, after.start()
