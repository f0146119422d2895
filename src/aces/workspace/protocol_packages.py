"""The packages whose changes are core behaviour, inferred when the policy names none.

ACES III.1 asks a spec of every PR that changes core behaviour. Without
``[change_classes] core_behaviour`` globs, the core behaviour of a Python product
is its wire protocol: the package that holds the modules the protocol is written
in, by the names the field gives them (``envelope``, ``protocol``, ``wire``,
``codec``, ``framing``, ``routing``, ``router``: a module ``envelope.py`` or a
subpackage ``protocol/``). Each such package gives two globs: its own modules
(``pkg/*.py``) and, for a protocol subpackage, everything under it
(``pkg/protocol/**``). Packages under test, example, documentation, script or
benchmark directories are not the product's core (as for the inferred core
libraries, ``aces.workspace.core_inference``). The globs are sorted so a
check can say what it inferred.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from pathlib import PurePosixPath

from aces.workspace.core_inference import NOT_CORE_DIRS
from aces.workspace.roles import is_product

# Module and subpackage names under which the field writes a message protocol.
PROTOCOL_NAMES = frozenset(
    {"envelope", "envelopes", "protocol", "protocols", "wire", "codec", "codecs", "framing"}
    | {"routing", "router"}
)


def infer_core_behaviour(paths: Iterable[str]) -> tuple[str, ...]:
    """Globs of the Python packages that hold protocol modules, sorted."""
    files = frozenset(paths)
    packages = {posixpath.dirname(p) for p in files if posixpath.basename(p) == "__init__.py"}
    globs: set[str] = set()
    for path in files:
        pure = PurePosixPath(path)
        if pure.suffix != ".py" or not is_product(path) or NOT_CORE_DIRS & set(pure.parts[:-1]):
            continue
        parent = posixpath.dirname(path)
        if pure.stem in PROTOCOL_NAMES and parent in packages:
            globs.add(posixpath.join(parent, "*.py") if parent else "*.py")
        elif pure.name == "__init__.py" and posixpath.basename(parent) in PROTOCOL_NAMES:
            holder = posixpath.dirname(parent)
            globs.add(posixpath.join(parent, "**"))
            if holder in packages:
                globs.add(posixpath.join(holder, "*.py"))
    return tuple(sorted(globs))
