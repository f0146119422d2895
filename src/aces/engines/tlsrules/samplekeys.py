"""Lines of a TOML or YAML file that hold samples, patterns or prose, not configuration.

A rule-definition file (a secret scanner's rules, a linter's test table, a Semgrep
rule) is TOML or YAML like any configuration file, but the values of its sample and
pattern keys are inputs the rules are tested on (``flag = ['postgres://app:...@db.
internal/app']``) or the rules themselves (``regex = '''...'''``, ``pattern-not:
app.run(debug=True)``), and a ``message`` / ``description`` is prose: nothing
connects there. A key is recognised by its name alone (``SAMPLE_KEYS``, or a name
starting with ``pattern``), whatever the file, and its whole value is left out: TOML
multi-line arrays and strings, YAML blocks indented below the key.
"""

from __future__ import annotations

import re

SAMPLE_KEYS = frozenset(
    {
        "should_flag", "should_not_flag", "flag", "skip", "samples", "sample",
        "examples", "example", "regex", "regexes", "pattern", "patterns", "message",
        "description",
    }
)  # fmt: skip
_YAML_KEY = re.compile(r"""^(?P<lead>\s*(?:-\s+)?)["']?(?P<key>[A-Za-z0-9_.-]+)["']?\s*:(?:\s|$)""")
_KEY = re.compile(r"""^\s*["']?(?P<key>[A-Za-z0-9_-]+)["']?\s*=\s*(?P<value>.*)$""")
# Complete strings (triple-quoted first), or an opening triple quote left open.
_TOKENS = re.compile(
    r"'{3}.*?'{3}|\"{3}.*?\"{3}|(?P<open>'{3}|\"{3})|'[^'\n]*'|\"(?:\\.|[^\"\\\n])*\""
)


def sample_lines(text: str) -> frozenset[int]:
    """1-based numbers of the lines that belong to a sample or pattern key's value."""
    out: set[int] = set()
    depth = 0
    open_quote = ""
    for number, line in enumerate(text.splitlines(), start=1):
        if depth or open_quote:
            out.add(number)
            depth, open_quote = _carry(line, depth, open_quote)
            continue
        match = _KEY.match(line)
        if match is not None and is_sample_key(match["key"]):
            out.add(number)
            depth, open_quote = _carry(match["value"], 0, "")
    return frozenset(out)


def yaml_sample_lines(text: str) -> frozenset[int]:
    """1-based numbers of the YAML lines of a sample, pattern or prose key and its block."""
    out: set[int] = set()
    column = -1  # the open key's column; lines indented deeper belong to its value
    for number, line in enumerate(text.splitlines(), start=1):
        indent = len(line) - len(line.lstrip(" "))
        if column >= 0 and (not line.strip() or indent > column):
            out.add(number)
            continue
        column = -1
        match = _YAML_KEY.match(line)
        if match is not None and is_sample_key(match["key"]):
            out.add(number)
            column = len(match["lead"])
    return frozenset(out)


def is_sample_key(key: str) -> bool:
    """Whether a key names samples, patterns or prose rather than a setting."""
    name = key.lower()
    return name in SAMPLE_KEYS or name.startswith("pattern")


def _carry(fragment: str, depth: int, open_quote: str) -> tuple[int, str]:
    """Bracket depth and open triple quote after one more fragment of a value."""
    if open_quote:
        end = fragment.find(open_quote)
        if end < 0:
            return depth, open_quote
        fragment = fragment[end + len(open_quote) :]
    code: list[str] = []
    position = 0
    for token in _TOKENS.finditer(fragment):
        code.append(fragment[position : token.start()])
        position = token.end()
        if token["open"]:
            return depth + _balance("".join(code)), token["open"]
    code.append(fragment[position:].split("#", 1)[0])
    return max(0, depth + _balance("".join(code))), ""


def _balance(code: str) -> int:
    """Opened minus closed brackets in a fragment without strings."""
    return code.count("[") + code.count("{") - code.count("]") - code.count("}")
