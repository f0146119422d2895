"""Stage 4 runs the programs the tool resolver found, each checked against its pin.

A build command's first word that is a catalog tool (cargo here) is found in
``.tools/bin`` first and version-checked before the build starts; the build runs
that very program. faketime, diffoscope and the container engine are optional,
but once pinned they must be there, at their pinned version.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.integration.fail_closed_matrix.shims import write
from tests.integration.stage4.test_stage4_build import declare_build, git_example, run

from aces.model import Status

CARGO_BUILD = (
    '[build]\ncommands = [["cargo", "build", "--release"]]\nartifacts = ["out/built.txt"]\n'
)


def cargo_shim(version: str) -> str:
    """A cargo that reports ``version`` and, asked to build, writes a fixed artifact."""
    return (
        "#!/bin/sh\n"
        'case "$1" in\n'
        f"  --version) echo 'cargo {version} (shim)' ;;\n"
        "  build) mkdir -p out && echo 'built by the pinned cargo' > out/built.txt ;;\n"
        "esac\n"
    )


def pin(root: Path, table: str) -> None:
    with (root / "aces.toml").open("a", encoding="utf-8") as handle:
        handle.write(f"\n[toolchain]\n{table}")


def test_a_cargo_of_another_version_is_an_error_in_stage_4(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    declare_build(root, CARGO_BUILD)
    pin(root, 'cargo = "1.95.0"\n')
    shim = root / ".tools/bin/cargo"
    write(shim, cargo_shim("1.94.0"))
    outcome = run(root, "build.reproducible")["build.reproducible"]
    assert outcome.status is Status.ERROR
    assert outcome.error.startswith(
        f"cargo 1.94.0 found at {shim}, but [toolchain] pins cargo = '1.95.0'"
    )


def test_the_build_runs_the_cargo_that_was_checked(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    declare_build(root, CARGO_BUILD)
    pin(root, 'cargo = "1.95.0"\n')
    write(root / ".tools/bin/cargo", cargo_shim("1.95.0"))
    outcome = run(root, "build.reproducible")["build.reproducible"]
    assert (outcome.status, outcome.error) == (Status.PASS, "")


def test_a_faketime_of_another_version_is_an_error(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    declare_build(root, '[build]\ncommands = [["true"]]\nartifacts = ["aces.toml"]\n')
    pin(root, 'faketime = "0.9.10"\n')
    write(root / ".tools/bin/faketime", "#!/bin/sh\necho 'faketime: Version 0.9.8'\n")
    outcome = run(root, "build.reproducible")["build.reproducible"]
    assert outcome.status is Status.ERROR
    assert "faketime 0.9.8 found at" in outcome.error
    assert "pins faketime = '0.9.10'" in outcome.error


def test_a_pinned_diffoscope_that_is_missing_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "/usr/bin:/bin")  # no diffoscope anywhere ACES looks
    root = git_example(tmp_path)
    declare_build(root, '[build]\ncommands = [["true"]]\nartifacts = ["aces.toml"]\n')
    pin(root, 'diffoscope = "254"\n')
    outcome = run(root, "build.reproducible")["build.reproducible"]
    assert outcome.status is Status.ERROR
    assert outcome.error.startswith("diffoscope is not installed")
