"""Where specs are: the spec directories and the links of a PR body.

Two layouts count as specs inside a spec directory (``policy.paths.specs``):

* ``<dir>/<feature>.md`` (``README.md`` and ``index.md`` there are indexes, not specs);
* spec-kit folders ``<dir>/<NNN-feature>/spec.md``; the other files of such a
  folder (``plan.md``, ``tasks.md``, ``research.md``, ``contracts/...``) are not specs.

A PR body links a spec with a Markdown link or a bare path to a ``.md`` file in
the repository (``specs/x.md``, ``./docs/x.md``, ``/specs/x.md``, or a GitHub
``.../blob/<ref>/<path>.md`` URL). Links to other sites are not repository files
and are ignored.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_INDEX_NAMES = frozenset({"readme.md", "index.md"})
_MD_LINK = re.compile(r"!?\[[^\]]*\]\(\s*(?:<([^>]+)>|([^)\s]+))(?:\s+\"[^\"]*\")?\s*\)")
_REF_DEFINITION = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$")
_BARE_PATH = re.compile(
    r"(?<![\w/.\-:@])((?:\.{1,2}/|/)?[\w.\-]+(?:/[\w.\-]+)*\.md)(?![\w/\-])", re.I
)
_BLOB_URL = re.compile(r"^https?://[^/]+/[^/]+/[^/]+/(?:-/)?blob/[^/]+/(.+)$")
_BARE_URL = re.compile(r"https?://[^\s)>\]]+")
_URL_SCHEME = re.compile(r"^[a-z][a-z0-9+.\-]*:", re.IGNORECASE)


@dataclass(frozen=True)
class PrLink:
    """A ``.md`` file linked from the PR body: the repository path and the body line."""

    target: str
    line: int
    raw: str


def spec_kind(path: str, spec_dirs: Sequence[str]) -> str:
    """``"feature"`` (``<dir>/x.md``), ``"speckit"`` (``<dir>/NNN-x/spec.md``),
    ``"companion"`` (another file of a spec-kit folder), ``"index"`` or ``"outside"``."""
    for directory in _clean_dirs(spec_dirs):
        prefix = f"{directory}/" if directory else ""
        if not path.startswith(prefix):
            continue
        rest = path[len(prefix) :].split("/")
        if len(rest) == 1:
            if not rest[0].lower().endswith(".md"):
                return "companion"
            return "index" if rest[0].lower() in _INDEX_NAMES else "feature"
        if len(rest) == 2 and rest[1] == "spec.md":
            return "speckit"
        return "companion"
    return "outside"


def spec_paths(files: Iterable[str], spec_dirs: Sequence[str]) -> tuple[str, ...]:
    """Every spec in the spec directories, sorted."""
    return tuple(sorted(p for p in files if spec_kind(p, spec_dirs) in ("feature", "speckit")))


def speckit_folder(path: str, spec_dirs: Sequence[str]) -> str | None:
    """The spec-kit folder (``specs/001-x``) a companion file belongs to, if any."""
    for directory in _clean_dirs(spec_dirs):
        prefix = f"{directory}/" if directory else ""
        if path.startswith(prefix):
            rest = path[len(prefix) :].split("/")
            if len(rest) >= 2:
                return prefix + rest[0]
    return None


def pr_links(body: str) -> tuple[PrLink, ...]:
    """The ``.md`` repository files a PR body links, first mention first, without repeats."""
    found: dict[str, PrLink] = {}
    for number, line in enumerate(body.splitlines(), start=1):
        for raw in _targets_on_line(line):
            target = normalize_target(raw)
            if target is not None and target not in found:
                found[target] = PrLink(target=target, line=number, raw=raw)
    return tuple(found.values())


def normalize_target(raw: str) -> str | None:
    """A link target as a repository path, or None when it is not a repository ``.md`` file."""
    value = raw.strip()
    blob = _BLOB_URL.match(value)
    if blob:
        value = blob.group(1)
    elif _URL_SCHEME.match(value) or value.startswith("//"):
        return None
    value = value.split("#", 1)[0].split("?", 1)[0]
    if not value.lower().endswith(".md"):
        return None
    value = posixpath.normpath(value.lstrip("/"))
    return value if value not in (".", "") else None


def _targets_on_line(line: str) -> list[str]:
    """Link targets and bare ``.md`` paths of one line of a PR body."""
    targets = [m.group(1) or m.group(2) for m in _MD_LINK.finditer(line)]
    definition = _REF_DEFINITION.match(line)
    if definition:
        return [*targets, definition.group(1)]
    rest = _MD_LINK.sub(" ", line)
    for url in _BARE_URL.findall(rest):
        if _BLOB_URL.match(url):
            targets.append(url)
    rest = _BARE_URL.sub(" ", rest)
    targets.extend(m.group(1) for m in _BARE_PATH.finditer(rest))
    return targets


def _clean_dirs(spec_dirs: Sequence[str]) -> list[str]:
    """Spec directories as clean relative POSIX paths."""
    return [d.strip().strip("/") for d in spec_dirs]
