"""Workspace: which files it exposes, how it reads them, languages and digests."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.unit.workspace.gitrepo import GitRepo

from aces.errors import GitError, InputError
from aces.workspace.index import Workspace


def _git_ws(repo: GitRepo) -> Workspace:
    ws = Workspace.open(repo.root)
    assert ws.is_git
    return ws


# -- file listing in a git repository ----------------------------------------------------------


def test_git_files_tracked_untracked_and_gitignore(repo: GitRepo) -> None:
    repo.write(".gitignore", "build/\n*.log\n!keep.log\n")
    repo.write("src/app.py", "print(1)\n")
    repo.write("build/out.bin", "x")
    repo.write("debug.log", "x")
    repo.write("keep.log", "x")
    repo.commit("init")
    repo.write("untracked.md", "# new\n")
    repo.write("ignored.log", "x")
    repo.write(".aces/cache/x.json", "{}")
    repo.write(".venv/lib/site.py", "")
    ws = _git_ws(repo)
    assert ws.files == (".gitignore", "keep.log", "src/app.py", "untracked.md")
    assert ws.exists("untracked.md")
    assert not ws.exists("debug.log")


def test_git_files_leave_out_files_deleted_in_the_worktree(repo: GitRepo) -> None:
    repo.write("a.txt", "a")
    repo.write("b.txt", "b")
    repo.commit()
    (repo.root / "b.txt").unlink()
    assert _git_ws(repo).files == ("a.txt",)


def test_workspace_below_the_top_of_a_repository(repo: GitRepo) -> None:
    repo.write("top.txt", "t")
    repo.write("examples/mini/proto/bus.proto", 'syntax = "proto3";\n')
    repo.commit()
    repo.write("examples/mini/new.md", "n\n")
    ws = Workspace.open(repo.root / "examples" / "mini")
    assert ws.files == ("new.md", "proto/bus.proto")
    assert ws.git_prefix == "examples/mini/"


def test_symlinks_in_git_inside_kept_outside_and_directories_dropped(
    repo: GitRepo, tmp_path: Path
) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text("secret\n")
    repo.write("real.txt", "real\n")
    repo.write("dir/x.txt", "x\n")
    (repo.root / "inside-link").symlink_to("real.txt")
    (repo.root / "outside-link").symlink_to(outside)
    (repo.root / "dir-link").symlink_to("dir")
    (repo.root / "dangling").symlink_to("nowhere")
    repo.commit()
    ws = _git_ws(repo)
    assert ws.files == ("dir/x.txt", "inside-link", "real.txt")
    assert ws.read_text("inside-link") == "real\n"
    with pytest.raises(InputError) as err:
        ws.read_bytes("outside-link")
    assert err.value.path == "outside-link"
    assert "symlink resolves outside the workspace" in err.value.diagnostics()


def test_symlink_loop_is_skipped_and_reading_it_fails_cleanly(repo: GitRepo) -> None:
    repo.write("a.txt", "a")
    (repo.root / "loop1").symlink_to("loop2")
    (repo.root / "loop2").symlink_to("loop1")
    (repo.root / "self").symlink_to("self")
    ws = _git_ws(repo)
    assert ws.files == ("a.txt",)
    with pytest.raises(InputError) as err:
        ws.read_bytes("loop1")
    assert err.value.path == "loop1"


# -- file listing outside git ------------------------------------------------------------------


def test_plain_directory_honours_nested_gitignore(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    files = {
        ".gitignore": "*.tmp\ndist/\n/only-top.txt\n",
        "a.py": "",
        "x.tmp": "",
        "only-top.txt": "",
        "dist/bundle.js": "",
        "pkg/.gitignore": "!keep.tmp\nlocal/\n",
        "pkg/keep.tmp": "",
        "pkg/drop.tmp": "",
        "pkg/only-top.txt": "",
        "pkg/local/y.py": "",
        ".git/config": "",
        ".aces/cache.json": "",
        ".venv/bin/python": "",
        "sub/.aces/z": "",
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    ws = Workspace.open(root)
    assert not ws.is_git
    assert ws.files == (".gitignore", "a.py", "pkg/.gitignore", "pkg/keep.tmp", "pkg/only-top.txt")


def test_plain_directory_symlinks_and_loops(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    (root / "d").mkdir(parents=True)
    (root / "d" / "f.txt").write_text("f\n")
    (tmp_path / "out.txt").write_text("out\n")
    (root / "to-file").symlink_to("d/f.txt")
    (root / "to-outside").symlink_to(tmp_path / "out.txt")
    (root / "d" / "up").symlink_to("..")  # a directory loop: never followed
    (root / "loop").symlink_to("loop")
    os.mkfifo(root / "fifo")
    ws = Workspace.open(root)
    assert ws.files == ("d/f.txt", "to-file")
    with pytest.raises(InputError, match="outside the workspace"):
        ws.read_bytes("to-outside")


@pytest.mark.parametrize("kind", ["missing", "file"])
def test_root_must_be_an_existing_directory(tmp_path: Path, kind: str) -> None:
    root = tmp_path / "root"
    if kind == "file":
        root.write_text("")
    with pytest.raises(InputError) as err:
        Workspace.open(root)
    expected = "does not exist" if kind == "missing" else "is not a directory"
    assert err.value.diagnostics() == f"{root}: workspace root {expected}"


# -- reading -----------------------------------------------------------------------------------


def _plain(tmp_path: Path, files: dict[str, bytes], **kwargs: int) -> Workspace:
    root = tmp_path / "plain"
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    return Workspace.open(root, **kwargs)


def test_read_text_rejects_non_utf8_naming_the_file(tmp_path: Path) -> None:
    ws = _plain(tmp_path, {"specs/latin1.md": "# Café\n".encode("latin-1")})
    with pytest.raises(InputError) as err:
        ws.read_text("specs/latin1.md")
    assert err.value.diagnostics() == (
        "specs/latin1.md: not valid UTF-8 (byte 0xe9 at offset 5) (re-encode the file as UTF-8)"
    )


def test_binary_detection_and_read_text_on_binary(tmp_path: Path) -> None:
    ws = _plain(tmp_path, {"logo.png": b"\x89PNG\r\n\x1a\n\0\0", "a.md": b"text\n"})
    assert ws.is_binary("logo.png")
    assert not ws.is_binary("a.md")
    with pytest.raises(InputError) as err:
        ws.read_text("logo.png")
    assert err.value.diagnostics() == (
        "logo.png: binary file (NUL byte at offset 8), expected UTF-8 text"
    )


def test_read_text_strips_a_utf8_bom(tmp_path: Path) -> None:
    ws = _plain(tmp_path, {"a.md": b"\xef\xbb\xbf# Title\n"})
    assert ws.read_text("a.md") == "# Title\n"


def test_huge_file_is_refused_with_its_size(tmp_path: Path) -> None:
    ws = _plain(tmp_path, {"big.json": b"x" * 101, "ok.json": b"x" * 100}, max_file_bytes=100)
    assert ws.read_bytes("ok.json") == b"x" * 100
    with pytest.raises(InputError) as err:
        ws.read_bytes("big.json")
    assert err.value.path == "big.json"
    assert err.value.message == "file is 101 bytes, over the 100-byte limit ACES reads"


@pytest.mark.parametrize(
    ("rel", "message"),
    [
        ("missing.txt", "missing.txt: file does not exist in the workspace"),
        ("../escape.txt", "../escape.txt: not a path inside the workspace"),
        ("/etc/passwd", "/etc/passwd: not a path inside the workspace"),
        ("d", "d: not a regular file"),
    ],
)
def test_read_bytes_errors_name_the_file(tmp_path: Path, rel: str, message: str) -> None:
    ws = _plain(tmp_path, {"d/a.txt": b"a"})
    (tmp_path / "escape.txt").write_text("x")
    with pytest.raises(InputError) as err:
        ws.read_bytes(rel)
    assert err.value.diagnostics() == message


# -- selection and languages -------------------------------------------------------------------


def test_match_and_under(tmp_path: Path) -> None:
    ws = _plain(
        tmp_path,
        {
            "proto/bus.proto": b"",
            "proto/README.md": b"",
            "api/v1/x.proto": b"",
            "state_machines/room.sm.yaml": b"",
            "protobuf/y.txt": b"",
        },
    )
    assert ws.match(["proto/**", "**/*.proto"]) == (
        "api/v1/x.proto",
        "proto/README.md",
        "proto/bus.proto",
    )
    assert ws.match([]) == ()
    assert ws.under(["proto", "state_machines/"]) == (
        "proto/README.md",
        "proto/bus.proto",
        "state_machines/room.sm.yaml",
    )
    assert ws.under(["."]) == ws.files


def test_languages_by_extension_name_and_shebang(tmp_path: Path) -> None:
    ws = _plain(
        tmp_path,
        {
            "app/main.py": b"",
            "crate/src/lib.rs": b"",
            "lib/bus.ex": b"",
            "test/bus_test.exs": b"",
            "proto/bus.proto": b"",
            "README.md": b"",
            "ci.yml": b"",
            "Cargo.toml": b"",
            "Dockerfile": b"",
            "deploy/Dockerfile.prod": b"",
            "bin/tool": b"#!/usr/bin/env python3\n",
            "bin/run": b"#!/bin/bash -eu\n",
            "bin/blob": b"\0\0\0",
            "web/app.ts": b"",
            "notes.unknown": b"",
        },
    )
    assert ws.languages() == {
        "dockerfile": ("Dockerfile", "deploy/Dockerfile.prod"),
        "elixir": ("lib/bus.ex", "test/bus_test.exs"),
        "markdown": ("README.md",),
        "protobuf": ("proto/bus.proto",),
        "python": ("app/main.py", "bin/tool"),
        "rust": ("crate/src/lib.rs",),
        "shell": ("bin/run",),
        "toml": ("Cargo.toml",),
        "typescript": ("web/app.ts",),
        "yaml": ("ci.yml",),
    }


# -- digests -----------------------------------------------------------------------------------


def test_digest_depends_on_content_and_paths_not_order(tmp_path: Path) -> None:
    ws = _plain(tmp_path, {"a.txt": b"a", "b.txt": b"b"})
    first = ws.digest(["a.txt", "b.txt"])
    assert ws.digest(["b.txt", "a.txt", "a.txt"]) == first
    assert len(first) == 64
    (ws.root / "b.txt").write_bytes(b"B")
    assert ws.digest(["a.txt", "b.txt"]) != first
    assert ws.digest(["a.txt"]) != ws.digest(["b.txt"])
    assert ws.digest(["missing"]) != ws.digest([])


def test_git_tree_digest_is_stable_and_sees_every_kind_of_change(repo: GitRepo) -> None:
    repo.write("a.txt", "a\n")
    repo.commit()
    ws = _git_ws(repo)
    seen = {ws.tree_digest()}
    assert ws.tree_digest() in seen  # unchanged tree, unchanged digest

    def changed(step: Callable[[], object]) -> None:
        step()
        digest = ws.tree_digest()
        assert digest not in seen
        seen.add(digest)
        assert ws.tree_digest() == digest

    changed(lambda: repo.write("a.txt", "edited\n"))
    changed(lambda: repo.write("a.txt", "edited again\n"))  # still dirty, new content
    changed(lambda: repo.write("new.txt", "n\n"))
    changed(lambda: repo.git("add", "-A"))
    changed(lambda: repo.commit())


def test_plain_tree_digest_sees_new_and_modified_files(tmp_path: Path) -> None:
    ws = _plain(tmp_path, {"a.txt": b"a"})
    first = ws.tree_digest()
    assert ws.tree_digest() == first
    (ws.root / "b.txt").write_bytes(b"b")
    second = ws.tree_digest()
    assert second != first
    os.utime(ws.root / "a.txt", ns=(1, 1))
    assert ws.tree_digest() != second


def test_without_git_a_plain_directory_is_walked_but_a_repository_is_an_error(
    repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "a.txt").write_text("a")
    repo.write("b.txt", "b")
    monkeypatch.setenv("PATH", str(tmp_path / "no-such-bin"))
    assert Workspace.open(plain).files == ("a.txt",)
    with pytest.raises(GitError) as err:
        Workspace.open(repo.root)
    assert err.value.diagnostics() == (
        f"{repo.root.resolve()}: git executable not found (install git and put it on PATH)"
    )


def test_directory_ignored_by_the_enclosing_repository_is_walked(repo: GitRepo) -> None:
    repo.write(".gitignore", "scratch/\n")
    repo.write("scratch/copy/.gitignore", "*.tmp\n")
    repo.write("scratch/copy/proto/bus.proto", "")
    repo.write("scratch/copy/x.tmp", "")
    repo.commit()
    ws = Workspace.open(repo.root / "scratch" / "copy")
    assert not ws.is_git
    assert ws.files == (".gitignore", "proto/bus.proto")


def test_tracked_file_replaced_by_an_outside_symlink_is_not_read(
    repo: GitRepo, tmp_path: Path
) -> None:
    repo.write("specs/a.md", "# A\n")
    repo.write("specs/b.md", "# B\n")
    repo.commit()
    outside = tmp_path / "outside.md"
    outside.write_text("secret\n", encoding="utf-8")
    target = repo.root / "specs" / "a.md"
    target.unlink()
    target.symlink_to(outside)
    ws = _git_ws(repo)
    assert ws.files == ("specs/b.md",)
    assert [path for path, _ in ws.unread_links] == ["specs/a.md"]
    assert "outside the repository" in ws.unread_links[0][1]
