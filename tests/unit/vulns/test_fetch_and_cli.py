"""``aces vulndb update`` / ``status`` and the export download, without a network."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import IO

import pytest

from aces.cli.main import main
from aces.engines.vulns import fetch
from aces.engines.vulns.fetch import FetchError, export_url, fetch_exports

FIXTURES = Path(__file__).parent / "fixtures" / "osv"
NOW = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.write(FIXTURES / "GHSA-aaaa-requests.json", "GHSA-aaaa-requests.json")
    return buffer.getvalue()


def serving(body: bytes, seen: list[str]) -> fetch.Opener:
    def opener(url: str, timeout: float) -> IO[bytes]:
        seen.append(f"{url} {timeout}")
        return io.BytesIO(body)

    return opener


def test_export_urls() -> None:
    assert export_url("crates.io") == (
        "https://osv-vulnerabilities.storage.googleapis.com/crates.io/all.zip"
    )
    assert export_url("PyPI") == "https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip"


def test_fetch_writes_each_export_and_the_metadata(tmp_path: Path) -> None:
    seen: list[str] = []
    meta = fetch_exports(
        tmp_path / "db", ("PyPI", "npm"), timeout=5, now=NOW, opener=serving(zip_bytes(), seen)
    )
    assert seen == [f"{export_url('PyPI')} 5", f"{export_url('npm')} 5"]
    assert meta.ecosystems == ("PyPI", "npm")
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.*")) == [
        "db/PyPI/all.zip",
        "db/aces-vulndb.json",
        "db/npm/all.zip",
    ]
    saved = json.loads((tmp_path / "db" / "aces-vulndb.json").read_text())
    assert saved["updated"] == "2026-11-27T12:00:00Z"


def test_a_download_that_is_not_a_zip_changes_nothing(tmp_path: Path) -> None:
    with pytest.raises(FetchError, match="did not return a valid zip"):
        fetch_exports(tmp_path / "db", ("PyPI",), timeout=5, now=NOW, opener=serving(b"<html>", []))
    assert list((tmp_path / "db").iterdir()) == []


def test_a_network_failure_is_one_line_and_changes_nothing(tmp_path: Path) -> None:
    def refuse(url: str, timeout: float) -> IO[bytes]:
        raise OSError("Network is unreachable")

    with pytest.raises(FetchError) as caught:
        fetch_exports(tmp_path / "db", ("PyPI",), timeout=5, now=NOW, opener=refuse)
    assert caught.value.diagnostics() == (
        f"cannot download {export_url('PyPI')}: Network is unreachable (check the network, or "
        "copy the OSV exports into the database directory)"
    )
    assert list((tmp_path / "db").iterdir()) == []


def test_cli_update_without_a_network_exits_2_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # a closed local port stands in for an absent network, whatever this machine has
    monkeypatch.setattr(fetch, "OSV_EXPORT_URL", "http://127.0.0.1:9/{ecosystem}/all.zip")
    (tmp_path / "aces.toml").write_text(
        'policy_version = "1.0.0"\n[vulndb]\necosystems = ["PyPI"]\n', encoding="utf-8"
    )
    code = main(["vulndb", "update", str(tmp_path), "--timeout", "5"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1
    assert err.startswith("aces: error: cannot download http://127.0.0.1:9/PyPI/all.zip: ")
    assert not (tmp_path / ".osv" / "PyPI").exists()


def commit_at(root: Path, date: str) -> None:
    """Make ``root`` a git repository whose HEAD commit is dated ``date``."""
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
        "GIT_AUTHOR_DATE": f"{date}T12:00:00Z",
        "GIT_COMMITTER_DATE": f"{date}T12:00:00Z",
    }
    for argv in (["init", "-q"], ["add", "-A"], ["commit", "-q", "--allow-empty", "-m", date]):
        subprocess.run(["git", *argv], cwd=root, env=env, check=True, capture_output=True)


def test_cli_status_fresh_and_stale(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copytree(FIXTURES, tmp_path / ".osv")
    (tmp_path / "aces.toml").write_text('policy_version = "1.0.0"\n', encoding="utf-8")
    commit_at(tmp_path, "2026-11-28")
    assert main(["vulndb", "status", str(tmp_path)]) == 0
    assert capsys.readouterr().out == (
        "database: .osv\n"
        "records: 8 (1 withdrawn); ecosystems: Hex, PyPI, crates.io, npm\n"
        "updated: 2026-11-21 (the newest 'modified' of its records); age 7 days at the HEAD "
        "commit\n"
        "limit: 7 days ([vulndb] max_age_days)\n"
        "status: fresh\n"
    )
    commit_at(tmp_path, "2026-11-29")
    assert main(["vulndb", "status", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (
        "aces: error: .osv: the vulnerability database is stale: 8 days old (the newest "
        "'modified' of its records 2026-11-21, the HEAD commit 2026-11-29), over [vulndb] "
        "max_age_days = 7 (run `aces vulndb update`)\n"
    )


def test_cli_status_without_a_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["vulndb", "status", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (
        "aces: error: .osv: the vulnerability database directory does not exist (run `aces "
        "vulndb update` or set [vulndb] path in aces.toml)\n"
    )
