"""Actions of a permission matrix: proto RPCs and bus commands.

``rpc:<package>.<Service>/<Method>`` for every ``rpc`` of every ``service`` of
the repository's .proto files, ``bus:<command>`` for every bus command the
policy lists. The proto reader is a scanner over the ``package``, ``service``
and ``rpc`` lines (comments and strings removed first), enough to name RPCs.
"""

from __future__ import annotations

import re

_COMMENTS = re.compile(r'//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\])*"', re.DOTALL)
_PACKAGE = re.compile(r"\bpackage\s+([A-Za-z_][\w.]*)\s*;")
_SERVICE = re.compile(r"\bservice\s+([A-Za-z_]\w*)\s*\{")
_RPC = re.compile(r"\brpc\s+([A-Za-z_]\w*)\s*\(")


def _blank(match: re.Match[str]) -> str:
    """A comment or string replaced by blanks, newlines kept so offsets stay put."""
    return re.sub(r"[^\n]", " ", match.group(0))


def proto_rpcs(text: str) -> tuple[str, ...]:
    """``rpc:pkg.Service/Method`` for every RPC of one .proto file's text."""
    clean = _COMMENTS.sub(_blank, text)
    package = _PACKAGE.search(clean)
    prefix = f"{package.group(1)}." if package else ""
    out: list[str] = []
    for service in _SERVICE.finditer(clean):
        body = _block(clean, service.end() - 1)
        out.extend(f"rpc:{prefix}{service.group(1)}/{rpc.group(1)}" for rpc in _RPC.finditer(body))
    return tuple(out)


def _block(text: str, open_brace: int) -> str:
    """The text between the brace at ``open_brace`` and its matching close."""
    depth = 0
    for i in range(open_brace, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return text[open_brace + 1 : i]
    return text[open_brace + 1 :]


def bus_actions(commands: tuple[str, ...]) -> tuple[str, ...]:
    """``bus:<command>`` for each bus command the policy lists."""
    return tuple(f"bus:{command}" for command in commands)
