"""``make system`` installs every server stage 6 starts, PostgreSQL included.

Run as a user without root (a fake ``id``), so nothing is installed: the target
names what is missing. PostgreSQL counts as installed when ``postgres`` is on
PATH or in Debian's layout off PATH (``/usr/lib/postgresql/<major>/bin``).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PRESENT = ("git", "faketime", "nats-server", "redis-server")

needs_make = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def shims(tmp_path: Path) -> Path:
    """A PATH where the other system packages exist and ``id -u`` says 1000."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in (*PRESENT, "id"):
        script = bin_dir / name
        script.write_text("#!/bin/sh\necho 1000\n", encoding="utf-8")
        script.chmod(0o755)
    for helper in ("cat", "cksum", "cut"):  # the Makefile's own variables use them
        found = shutil.which(helper)
        assert found is not None
        (bin_dir / helper).symlink_to(found)
    return bin_dir


def make_system(path: Path, layout: str) -> subprocess.CompletedProcess[str]:
    make = shutil.which("make")
    assert make is not None
    return subprocess.run(
        [
            make,
            "-s",
            "--no-print-directory",
            "-C",
            str(REPO),
            "system",
            f"DISTRO_BIN_DIRS={layout}",
        ],
        env={"PATH": str(path)},
        capture_output=True,
        text=True,
        check=False,
    )


@needs_make
def test_postgresql_missing_is_named_with_its_install_command(tmp_path: Path) -> None:
    result = make_system(shims(tmp_path), f"{tmp_path}/nowhere/*/bin")
    assert result.returncode == 2
    assert result.stderr.splitlines()[0] == (
        "missing system packages: postgresql — install them with: sudo apt-get install postgresql"
    )


@needs_make
def test_postgresql_in_the_debian_layout_off_path_counts_as_installed(tmp_path: Path) -> None:
    layout = tmp_path / "usr/lib/postgresql/15/bin"
    layout.mkdir(parents=True)
    server = layout / "postgres"
    server.write_text("#!/bin/sh\n", encoding="utf-8")
    server.chmod(0o755)
    result = make_system(shims(tmp_path), f"{tmp_path}/usr/lib/postgresql/*/bin")
    assert (result.returncode, result.stderr) == (0, "")
