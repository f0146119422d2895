"""Just enough of the WebAssembly binary format to read the memories a module defines.

wasmtime lists a module's imports and exports but not the memories it
defines without exporting them, and every memory must declare a maximum. The
memory section (id 5) is a vector of limits; this reader skips every other
section by its size. Malformed input raises ``BinaryFormatError``.
"""

from __future__ import annotations

from dataclasses import dataclass

MAGIC = b"\0asm"
_MEMORY_SECTION = 5


class BinaryFormatError(ValueError):
    """The bytes are not a well-formed WebAssembly module."""


@dataclass(frozen=True)
class MemoryLimits:
    """A memory's declared limits, in 64 KiB pages (``maximum`` None when undeclared)."""

    minimum: int
    maximum: int | None


def is_wasm_binary(data: bytes) -> bool:
    """Whether ``data`` starts with the Wasm magic number and version 1."""
    return data[:8] == MAGIC + b"\x01\0\0\0"


class _Reader:
    """A cursor over bytes with LEB128 decoding."""

    def __init__(self, data: bytes, pos: int = 0, end: int | None = None) -> None:
        self.data = data
        self.pos = pos
        self.end = len(data) if end is None else end

    def byte(self) -> int:
        """The next byte."""
        if self.pos >= self.end:
            raise BinaryFormatError(f"unexpected end of module at offset {self.pos}")
        value = self.data[self.pos]
        self.pos += 1
        return value

    def uleb(self) -> int:
        """An unsigned LEB128 number (at most 64 bits)."""
        result = shift = 0
        while True:
            b = self.byte()
            result |= (b & 0x7F) << shift
            if b < 0x80:
                return result
            shift += 7
            if shift > 63:
                raise BinaryFormatError(f"LEB128 number too long at offset {self.pos}")


def defined_memories(data: bytes) -> tuple[MemoryLimits, ...]:
    """The limits of every memory the module's memory section defines."""
    if not is_wasm_binary(data):
        raise BinaryFormatError("not a WebAssembly binary (no \\0asm version 1 header)")
    reader = _Reader(data, 8)
    out: list[MemoryLimits] = []
    while reader.pos < reader.end:
        section = reader.byte()
        size = reader.uleb()
        start = reader.pos
        if start + size > reader.end:
            raise BinaryFormatError(f"section {section} runs past the end of the module")
        if section == _MEMORY_SECTION:
            out.extend(_memories(_Reader(data, start, start + size)))
        reader.pos = start + size
    return tuple(out)


def _memories(reader: _Reader) -> list[MemoryLimits]:
    """The vector of limits of a memory section."""
    count = reader.uleb()
    limits: list[MemoryLimits] = []
    for _ in range(count):
        flags = reader.uleb()
        minimum = reader.uleb()
        maximum = reader.uleb() if flags & 0x01 else None
        if flags & 0x08:  # custom page size proposal: the log2 page size follows
            reader.uleb()
        limits.append(MemoryLimits(minimum, maximum))
    return limits
