"""Nested projects: a directory below the root with its own aces.toml is a separate project."""

from __future__ import annotations

from pathlib import Path

from aces.workspace.index import Workspace
from aces.workspace.nested import nested_projects, note, project_of


def test_the_outermost_directories_with_a_policy_file_are_nested_projects() -> None:
    files = [
        "aces.toml",
        "src/app.py",
        "examples/demo/aces.toml",
        "examples/demo/inner/aces.toml",
        "examples/demo/specs/a.md",
        "services/api/aces.toml",
        "notes/aces.toml.bak",
    ]
    assert nested_projects(files) == ("examples/demo", "services/api")


def test_a_path_belongs_to_its_nested_project_and_only_below_it() -> None:
    projects = ("examples/demo",)
    assert project_of("examples/demo/specs/a.md", projects) == "examples/demo"
    assert project_of("examples/demo-two/a.md", projects) is None
    assert project_of("examples/demo", projects) is None


def test_the_note_names_every_nested_project() -> None:
    assert note(("a", "b/c")).endswith(": a, b/c")


def test_the_workspace_leaves_nested_projects_out_of_its_files(tmp_path: Path) -> None:
    for rel in ("aces.toml", "src/app.py", "sub/aces.toml", "sub/src/app.py"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x = 1\n")
    ws = Workspace.open(tmp_path)
    assert ws.files == ("aces.toml", "src/app.py")
    assert ws.all_files == ("aces.toml", "src/app.py", "sub/aces.toml", "sub/src/app.py")
    assert ws.nested_projects == ("sub",)
    assert not ws.exists("sub/src/app.py")


def test_a_project_run_from_inside_has_no_nested_project(tmp_path: Path) -> None:
    for rel in ("aces.toml", "src/app.py"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x = 1\n")
    ws = Workspace.open(tmp_path)
    assert ws.nested_projects == ()
    assert ws.files == ws.all_files


def test_the_directory_of_the_policy_in_force_is_no_nested_project(tmp_path: Path) -> None:
    for rel in ("src/app.py", "config/aces.toml", "sub/aces.toml", "sub/a.py"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x = 1\n")
    given = Workspace.open(tmp_path, policy_file=tmp_path / "config" / "aces.toml")
    assert given.nested_projects == ("sub",)
    assert "config/aces.toml" in given.files
    (tmp_path / "aces.toml").symlink_to("config/aces.toml")
    linked = Workspace.open(tmp_path)
    assert linked.nested_projects == ("sub",)
