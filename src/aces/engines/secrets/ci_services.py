"""Lines of a CI workflow that configure a throwaway database for one job.

A GitHub-style workflow (``.github/workflows``, Forgejo, Gitea) may start service
containers for a job (``jobs.<id>.services.<name>``): a database from a public
image, its password given in the container's ``env``, reachable only from that
job, gone when the job ends. The job reaches it on loopback
(``postgresql://user:pw@127.0.0.1:5432/db``, ``@[::1]``, ``@localhost``). Such
credentials protect nothing that outlives the job: they are a test's fixtures, not
deploy secrets. ``fixture_lines`` gives the lines that hold them; elsewhere in the
workflow a credential is still deploy configuration (a deploy job's password, a URL
to a real host).
"""

from __future__ import annotations

import re

from aces.engines.secrets.fakes import is_loopback_host

WORKFLOW_DIRS = (".github/workflows/", ".forgejo/workflows/", ".gitea/workflows/")
# ``services:`` nested under a job (indented): a top-level key is another format's
_SERVICES = re.compile(r"^([ \t]+)services:[ \t]*(?:#.*)?$")
# a URL with a password (the host is judged by ``fakes.is_loopback_host``)
_URL_PASSWORD = re.compile(rb"://[^\s/@:]*:[^\s@]*(?=@)")


def is_workflow(path: str) -> bool:
    """Whether a path is a GitHub-style CI workflow file."""
    return path.lower().startswith(WORKFLOW_DIRS) and path.lower().endswith((".yml", ".yaml"))


def fixture_lines(path: str, text: str) -> frozenset[int]:
    """1-based lines of a workflow inside a job's ``services:`` block or holding a URL
    with a password to a loopback host; none for any other file."""
    if not is_workflow(path):
        return frozenset()
    lines = text.splitlines()
    found = {n for n, line in enumerate(lines, 1) if _has_local_url(line)}
    found.update(_service_block_lines(lines))
    return frozenset(found)


def _has_local_url(line: str) -> bool:
    """Whether a line holds a URL with a password whose host is loopback."""
    data = line.encode("utf-8", "replace")
    return any(is_loopback_host(data[m.end() :]) for m in _URL_PASSWORD.finditer(data))


def _service_block_lines(lines: list[str]) -> set[int]:
    """The lines indented under each nested ``services:`` key."""
    found: set[int] = set()
    indent: int | None = None
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        depth = len(line) - len(line.lstrip())
        if indent is not None and stripped and not stripped.startswith("#") and depth <= indent:
            indent = None
        if indent is not None:
            found.add(number)
            continue
        match = _SERVICES.match(line)
        if match:
            indent = len(match.group(1))
    return found
