"""A server that binds every interface and serves open routes is reported, whatever words
the file holds.

A word naming authentication in a file clears its bind to ``0.0.0.0``: the service
may check a key before it answers. A variable named ``auth`` that builds a
database URL checks nothing, and when the syntax tree shows the file's own routes
served with no authentication, ``uvicorn.run(app, host="0.0.0.0")`` is reported
beside them.
"""

from __future__ import annotations

from pathlib import Path

from tests.integration.stage7_rules.test_stage7_rules import failing, line_of, repo, run, write

__all__ = ["repo"]  # the fixture, used by name

API = "src/arqonbus_mini/oracle_api.py"
SERVER = (
    '"""Oracle endpoints."""\n\nimport uvicorn\nfrom fastapi import FastAPI\n\n'
    "app = FastAPI()\n\n\n"
    "def store_url(user: str, password: str, host: str) -> str:\n"
    '    auth = f"{user}:{password}"\n'
    '    return f"postgres://{auth}@{host}/oracle"\n\n\n'
    '@app.post("/reset")\ndef reset() -> None:\n    pass\n\n\n'
    'if __name__ == "__main__":\n    uvicorn.run(app, host="0.0.0.0", port=8080)\n'
)


def test_a_bind_beside_open_routes_is_reported(repo: Path) -> None:
    write(repo, API, SERVER)
    rows = [(rule, path, line) for rule, _, path, line in failing(run(repo))["sec.unsafe-exposure"]]
    assert sorted(rows, key=lambda r: r[2] or 0) == [
        ("sec.unsafe-exposure.unauthenticated-route", API, line_of(repo, API, '"/reset"')),
        ("sec.unsafe-exposure.bind-all", API, line_of(repo, API, '"0.0.0.0"')),
    ]


def test_a_bind_beside_authenticated_routes_is_cleared_by_them(repo: Path) -> None:
    guarded = SERVER.replace(
        '@app.post("/reset")\ndef reset() -> None:',
        '@app.post("/reset", dependencies=[Depends(require_admin)])\ndef reset() -> None:',
    ).replace("from fastapi import FastAPI", "from fastapi import Depends, FastAPI")
    write(repo, API, guarded)
    assert "sec.unsafe-exposure" not in failing(run(repo))
