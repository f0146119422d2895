"""One code file that is not valid UTF-8 does not stop the inline-suppression scan."""

from __future__ import annotations

import subprocess
from pathlib import Path

from aces.doctrine.catalog import load_doctrine
from aces.pipeline.context import RunContext
from aces.policy.loader import load_policy
from aces.stages.static_tools import NoManualExceptions
from aces.workspace.change import compute_change
from aces.workspace.index import Workspace
from aces.workspace.types import PullRequest

FILES = {
    "web/a.ts": b"// @ts-ignore\nexport const a = 1;\n",
    "web/b.ts": b"// caf\xe9\xa0ok\n// @ts-ignore\nexport const b = 2;\n",  # Latin-1 bytes
    "m.py": b"x = 1  # noqa: E501\n",
}


def _repo(root: Path) -> Path:
    for rel, data in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    for args in (("init", "-q", "-b", "main"), ("add", "-A"), ("commit", "-q", "-m", "base")):
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
            cwd=root,
            check=True,
            capture_output=True,
        )
    return root


def test_a_latin1_byte_neither_hides_suppressions_nor_errors(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    ws = Workspace.open(root)
    loaded = load_policy(root)
    change = compute_change(ws, loaded.policy, base=None, pr=PullRequest())
    ctx = RunContext(ws, change, loaded, load_doctrine())
    found = sorted(
        (f.rule_id, f.location.path, f.location.line)
        for f in NoManualExceptions().run(ctx)
        if f.location is not None
    )
    assert found == [
        ("principle.no-manual-exceptions.noqa", "m.py", 1),
        ("principle.no-manual-exceptions.ts-ignore", "web/a.ts", 1),
        ("principle.no-manual-exceptions.ts-ignore", "web/b.ts", 2),
    ]
