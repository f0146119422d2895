"""Scanning files: positions, binary and non-UTF-8 files, huge files in chunks."""

from __future__ import annotations

import random
import tracemalloc
from pathlib import Path

import pytest

from aces.engines.secrets.matcher import Matcher
from aces.engines.secrets.rules import load_builtin
from aces.engines.secrets.samples import expand
from aces.engines.secrets.scanner import scan_buffer, scan_file

MATCHER = Matcher(load_builtin())
GITHUB = expand("ghp_@@alnum:36@@", "scanner")
KEY = expand(
    "-----BEGIN OPENSSH PRIVATE KEY-----\n@@b64:70@@\n@@b64:70@@\n"
    "-----END OPENSSH PRIVATE KEY-----",
    "scanner-key",
)


def test_line_column_and_end_line_of_hits(tmp_path: Path) -> None:
    path = tmp_path / "x.py"
    path.write_text(f"import os\n\nTOKEN = '{GITHUB}'\nkey = '''\n{KEY}\n'''\n", encoding="utf-8")
    scan = scan_file(MATCHER, str(path), "x.py")
    assert [(h.rule_id, h.line, h.column, h.end_line) for h in scan.hits] == [
        ("github-token", 3, 10, 3),
        ("private-key", 5, 1, 8),
    ]
    assert scan.skipped == ""


@pytest.mark.parametrize(
    ("head", "reason"),
    [
        (b"\x7fELF\x02\x01\x01\x00" + bytes(56), "binary file (ELF signature)"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file (PNG signature)"),
        (b"PK\x03\x04\x14\x00\x00\x00", "binary file (zip signature)"),
        (
            random.Random("scanner-noise").randbytes(4000),
            "binary file (control bytes in the first 8000 bytes)",
        ),
        (bytes(range(32)) * 8, "binary file (control bytes in the first 8000 bytes)"),
    ],
)
def test_binary_files_are_skipped_with_their_reason(
    tmp_path: Path, head: bytes, reason: str
) -> None:
    path = tmp_path / "blob.bin"
    path.write_bytes(head + b"\ntoken = " + GITHUB.encode() + b"\n")
    scan = scan_file(MATCHER, str(path), "blob.bin")
    assert scan.hits == ()
    assert scan.skipped == reason


@pytest.mark.parametrize(
    "head",
    [
        b"\x00",  # a NUL-padded header
        b"\x00\x01",
        b"record\x00one\x00two\x00\n",  # NUL-separated records
        b"# config\n" * 20 + b"\x00" * 8 + b"\n",
    ],
)
def test_text_with_a_few_nul_bytes_is_scanned(tmp_path: Path, head: bytes) -> None:
    path = tmp_path / "settings.cfg"
    path.write_bytes(head + b"\ntoken = " + GITHUB.encode() + b"\n")
    scan = scan_file(MATCHER, str(path), "settings.cfg")
    assert scan.skipped == ""
    assert [(h.rule_id, h.line) for h in scan.hits] == [("github-token", head.count(b"\n") + 2)]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_text_is_decoded_and_scanned(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "secrets.ps1"
    path.write_bytes(f"# café\n$token = '{GITHUB}'\n".encode(encoding))
    scan = scan_file(MATCHER, str(path), "secrets.ps1")
    assert scan.skipped == ""
    assert [(h.rule_id, h.line, h.column) for h in scan.hits] == [("github-token", 2, 11)]


def test_utf16_across_chunks_is_decoded_once(tmp_path: Path) -> None:
    path = tmp_path / "big.ps1"
    text = "x = 1\n" * 3000 + f"t = '{GITHUB}'\n" + "x = 1\n" * 3000
    path.write_bytes(text.encode("utf-16"))
    scan = scan_file(MATCHER, str(path), "big.ps1", chunk_bytes=10001, overlap_bytes=512)
    assert [(h.line, h.column) for h in scan.hits] == [(3001, 6)]


def test_non_utf8_text_is_scanned_as_bytes(tmp_path: Path) -> None:
    path = tmp_path / "latin1.cfg"
    path.write_bytes(b"caf\xe9 = 1\ntoken=" + GITHUB.encode() + b"\n\xff\xfe\n")
    assert [h.line for h in scan_file(MATCHER, str(path), "latin1.cfg").hits] == [2]


def test_secret_across_a_chunk_boundary_is_found_once_at_its_line(tmp_path: Path) -> None:
    filler = b"x = 1\n" * 2000  # 12000 bytes
    path = tmp_path / "big.txt"
    path.write_bytes(filler + b"t = " + GITHUB.encode() + b"\n" + filler)
    scan = scan_file(MATCHER, str(path), "big.txt", chunk_bytes=12010, overlap_bytes=512)
    assert [(h.rule_id, h.line, h.column) for h in scan.hits] == [("github-token", 2001, 5)]


def test_huge_file_is_streamed_not_read_at_once(tmp_path: Path) -> None:
    path = tmp_path / "huge.log"
    line = b"2026-01-01 INFO request served in 3 ms\n"
    with path.open("wb") as out:
        for _ in range(40):
            out.write(line * (1 << 15))  # 40 x 1.25 MB
        out.write(b"export GH=" + GITHUB.encode() + b"\n")
    size = path.stat().st_size
    tracemalloc.start()
    scan = scan_file(MATCHER, str(path), "huge.log", chunk_bytes=4 << 20, overlap_bytes=4096)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert [(h.rule_id, h.line) for h in scan.hits] == [("github-token", 40 * (1 << 15) + 1)]
    assert peak < size / 3


def test_hits_carry_no_secret_value() -> None:
    hits = scan_buffer(MATCHER, f"TOKEN={GITHUB}\n".encode(), "env")
    assert len(hits) == 1
    assert GITHUB not in repr(hits)
