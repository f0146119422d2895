"""Text or binary, from a file's first bytes; and how to read a text that is not ASCII-based.

git calls a file binary when its first 8000 bytes hold a NUL byte. That rule
skips text a secret can hide in: UTF-16 files (every other byte is NUL) and
text with a stray NUL (a NUL-padded header, a NUL-separated record). Here:

1. no NUL byte in the first 8000 bytes: text (git's rule, the fast path);
2. a UTF-32 or UTF-16 byte-order mark, or NUL bytes on every other position
   of mostly ASCII (UTF-16 without a mark): text in that encoding, which the
   scanner decodes to UTF-8 before matching;
3. the signature of a binary format (ELF, PE, Mach-O, class files, zip, gzip,
   xz, zstd, bzip2, 7z, rar, PNG, JPEG, GIF, PDF, SQLite, Wasm, ...): binary;
4. otherwise text when at most 1 byte in 10 is *suspect*: a control byte that
   text does not use (not TAB, LF, VT, FF, CR or ESC) or a byte that is not
   part of valid UTF-8. Compressed or machine data is about half suspect;
   text with a few NUL bytes is almost none.
"""

from __future__ import annotations

from dataclasses import dataclass

SNIFF_BYTES = 8000
# At most this share of suspect bytes (1 in 10) is text with a few stray bytes.
SUSPECT_RATIO = 0.1

_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x7fELF", "ELF"),
    (b"MZ", "PE/DOS executable"),
    (b"\xcf\xfa\xed\xfe", "Mach-O"),
    (b"\xce\xfa\xed\xfe", "Mach-O"),
    (b"\xca\xfe\xba\xbe", "Java class / Mach-O universal"),
    (b"\x00asm", "WebAssembly"),
    (b"PK\x03\x04", "zip"),
    (b"PK\x05\x06", "zip"),
    (b"\x1f\x8b", "gzip"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
    (b"BZh", "bzip2"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"Rar!\x1a\x07", "rar"),
    (b"!<arch>\n", "ar archive"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"RIFF", "RIFF"),
    (b"%PDF-", "PDF"),
    (b"SQLite format 3\x00", "SQLite"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "OLE2"),
    (b"wOFF", "WOFF"),
    (b"wOF2", "WOFF2"),
    (b"\x00\x01\x00\x00\x00", "TrueType"),
    (b"OTTO", "OpenType"),
)
# Control bytes text does not use: C0 except TAB, LF, VT, FF, CR and ESC (colour codes); DEL.
_SUSPECT_CONTROLS = bytes(set(range(0x20)) - {0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1B}) + b"\x7f"


@dataclass(frozen=True)
class Sniff:
    """What a file's first bytes say: binary (and why), or text and its encoding."""

    binary: bool
    reason: str = ""
    encoding: str = ""  # "" for ASCII-compatible text, scanned as bytes


TEXT = Sniff(binary=False)


def sniff(head: bytes) -> Sniff:
    """Classify a file from its first bytes (``SNIFF_BYTES`` of them are read)."""
    head = head[:SNIFF_BYTES]
    if b"\0" not in head:
        return TEXT
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return Sniff(binary=False, encoding=encoding)
    for signature, name in _SIGNATURES:
        if head.startswith(signature):
            return Sniff(binary=True, reason=f"binary file ({name} signature)")
    encoding = _utf16_without_bom(head)
    if encoding:
        return Sniff(binary=False, encoding=encoding)
    if _suspect(head) > SUSPECT_RATIO * len(head):
        return Sniff(binary=True, reason="binary file (control bytes in the first 8000 bytes)")
    return TEXT


def _utf16_without_bom(head: bytes) -> str:
    """``utf-16-le`` / ``utf-16-be`` when NUL bytes fill one byte of (nearly) every pair."""
    size = len(head) - len(head) % 2
    if size < 4:
        return ""
    even, odd = head[0:size:2], head[1:size:2]
    half = size // 2
    for zeros, other, name in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if zeros.count(0) >= 0.9 * half and other.count(0) <= 0.05 * half:
            return name
    return ""


def _suspect(head: bytes) -> int:
    """Control bytes text does not use, plus bytes that are not part of valid UTF-8."""
    controls = len(head) - len(head.translate(None, _SUSPECT_CONTROLS))
    # A cut multi-byte character at the end of the window is not a sign of binary data.
    invalid = head.decode("utf-8", "replace").count("\ufffd") - head.count("\ufffd".encode())
    return controls + max(invalid - 3, 0)
