"""The pure parsers of aces.workspace.git, on recorded git output."""

from __future__ import annotations

import pytest

from aces.errors import GitError
from aces.workspace import git
from aces.workspace.git import NameStatus
from aces.workspace.types import Hunk

# `git diff -z --name-status -M` after: modify, add, delete, rename (with a space and a tab).
NAME_STATUS = (
    b"M\0src/app.py\0"
    b"A\0docs/new file.md\0"
    b"D\0old.txt\0"
    b"R087\0proto/v1/bus.proto\0proto/v2/bus.proto\0"
    b"T\0link\0"
    b"M\0tab\tname.txt\0"
)

# `git diff -U0 --src-prefix=a/ --dst-prefix=b/ -M`, recorded from git 2.39.
HUNKS = (
    b"diff --git a/docs/new file.md b/docs/new file.md\n"
    b"new file mode 100644\n"
    b"index 0000000..b77b4eb\n"
    b"--- /dev/null\n"
    b"+++ b/docs/new file.md\t\n"
    b"@@ -0,0 +1,2 @@\n"
    b"+x\n"
    b"+y\n"
    b"diff --git a/old.txt b/old.txt\n"
    b"deleted file mode 100644\n"
    b"index 7898192..0000000\n"
    b"--- a/old.txt\n"
    b"+++ /dev/null\n"
    b"@@ -1 +0,0 @@\n"
    b"-a\n"
    b"diff --git a/proto/v1/bus.proto b/proto/v2/bus.proto\n"
    b"similarity index 87%\n"
    b"rename from proto/v1/bus.proto\n"
    b"rename to proto/v2/bus.proto\n"
    b"index 1111111..2222222 100644\n"
    b"--- a/proto/v1/bus.proto\n"
    b"+++ b/proto/v2/bus.proto\n"
    b"@@ -3 +3 @@ message Envelope {\n"
    b"-  string id = 1;\n"
    b"+  string key = 1;\n"
    b"diff --git a/src/app.py b/src/app.py\n"
    b"index 6178079..9ddeb5c 100644\n"
    b"--- a/src/app.py\n"
    b"+++ b/src/app.py\n"
    b"@@ -2,0 +3,2 @@ def main():\n"
    b"+++ b/not-a-header\n"
    b"+    return 0\n"
    b"@@ -10,2 +11,0 @@\n"
    b"-gone\n"
    b"-gone too\n"
    b"@@ -20 +19 @@\n"
    b"-old\n"
    b"+new\n"
    b'diff --git "a/tab\\tname.txt" "b/tab\\tname.txt"\n'
    b"index 1..2 100644\n"
    b'--- "a/tab\\tname.txt"\n'
    b'+++ "b/tab\\tname.txt"\n'
    b"@@ -1 +1 @@\n"
    b"-q\n"
    b"+r\n"
    b"diff --git a/logo.png b/logo.png\n"
    b"index 3..4 100644\n"
    b"Binary files a/logo.png and b/logo.png differ\n"
)


def test_name_status_parses_every_kind_with_renames() -> None:
    assert git.parse_name_status(NAME_STATUS) == [
        NameStatus("M", "src/app.py"),
        NameStatus("A", "docs/new file.md"),
        NameStatus("D", "old.txt"),
        NameStatus("R", "proto/v2/bus.proto", "proto/v1/bus.proto"),
        NameStatus("T", "link"),
        NameStatus("M", "tab\tname.txt"),
    ]


def test_name_status_empty_output_is_no_change() -> None:
    assert git.parse_name_status(b"") == []


@pytest.mark.parametrize("raw", [b"M\0", b"R100\0a\0"])
def test_name_status_truncated_output_is_a_git_error(raw: bytes) -> None:
    with pytest.raises(GitError, match="truncated"):
        git.parse_name_status(raw)


def test_hunks_give_exact_head_side_line_ranges() -> None:
    assert git.parse_hunks(HUNKS) == {
        "docs/new file.md": (Hunk(1, 2),),
        "proto/v2/bus.proto": (Hunk(3, 1),),
        # "+++ b/not-a-header" is an added line, not a header; "+11,0" is a pure deletion.
        "src/app.py": (Hunk(3, 2), Hunk(19, 1)),
        "tab\tname.txt": (Hunk(1, 1),),
    }


def test_hunk_header_that_cannot_be_parsed_is_a_git_error() -> None:
    raw = b"diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ nonsense @@\n"
    with pytest.raises(GitError, match="unparsable hunk header"):
        git.parse_hunks(raw)


@pytest.mark.parametrize(
    ("quoted", "raw"),
    [
        (b'"a\\tb"', b"a\tb"),
        (b'"caf\\303\\251.md"', "café.md".encode()),
        (b'"say \\"hi\\"\\\\"', b'say "hi"\\'),
        (b'"line\\nbreak"', b"line\nbreak"),
    ],
)
def test_unquote_c_undoes_git_quoting(quoted: bytes, raw: bytes) -> None:
    assert git.unquote_c(quoted) == raw


# `git status --porcelain=v2 --branch -z --untracked-files=all`, recorded from git 2.39.
STATUS_V2 = (
    b"# branch.oid 1a5e3bba5ff86b9dfa4dd57470923117abdb6b24\0"
    b"# branch.head main\0"
    b"1 .M N... 100644 100644 100644 7898192 7898192 sub/a file.txt\0"
    b"2 R. N... 100644 100644 100644 486a4f7 486a4f7 R100 d2/g2.py\0d2/f2.py\0"
    b"u UU N... 100644 100644 100644 100644 1111111 2222222 3333333 conflict.txt\0"
    b"? new dir/untracked.txt\0"
)


def test_status_v2_paths_include_rename_origins_and_untracked() -> None:
    assert git.parse_status_paths(STATUS_V2) == [
        "conflict.txt",
        "d2/f2.py",
        "d2/g2.py",
        "new dir/untracked.txt",
        "sub/a file.txt",
    ]


def test_status_v2_clean_tree_names_no_path() -> None:
    assert git.parse_status_paths(b"# branch.oid (initial)\0# branch.head main\0") == []


def test_status_v2_garbage_is_a_git_error() -> None:
    with pytest.raises(GitError, match="unparsable `git status"):
        git.parse_status_paths(b"1 .M too few fields\0")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("refs/remotes/origin/main\n", "origin/main"),
        ("refs/remotes/origin/release/2.x", "origin/release/2.x"),
        ("refs/heads/main", None),
        ("", None),
    ],
)
def test_symbolic_ref_of_origin_head(text: str, expected: str | None) -> None:
    assert git.parse_symbolic_ref(text) == expected


def test_missing_ref_error_tells_how_to_fetch() -> None:
    err = git.missing_ref_error("origin/develop")
    assert err.diagnostics() == (
        "base ref 'origin/develop' does not exist; "
        "fetch it (git fetch origin develop) or pass --base"
    )


def test_git_env_is_explicit() -> None:
    env = git.git_env(
        {"PATH": "/bin", "HOME": "/h", "GIT_DIR": "/elsewhere", "GIT_INDEX_FILE": "x", "FOO": "1"}
    )
    assert env == {
        "PATH": "/bin",
        "HOME": "/h",
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_OPTIONAL_LOCKS": "0",
        "GIT_PAGER": "cat",
        "PAGER": "cat",
        "LC_ALL": "C",
        "LANG": "C",
    }


def test_ls_files_stage_and_tag_parsers() -> None:
    from aces.workspace.git import parse_ls_files_stage, parse_ls_files_tags

    staged = (
        b"100644 e69de29bb2d1d6434b8b29ae775ad8c2e48c5391 0\ta b.txt\0"
        b"120000 1111111111111111111111111111111111111111 0\tlink\0"
        b"160000 2222222222222222222222222222222222222222 0\tsub\0"
    )
    assert parse_ls_files_stage(staged) == {"a b.txt": "100644", "link": "120000", "sub": "160000"}
    tagged = b"C a b.txt\0R gone.txt\0? new file.txt\0"
    assert parse_ls_files_tags(tagged) == [
        ("C", "a b.txt"),
        ("R", "gone.txt"),
        ("?", "new file.txt"),
    ]
