"""Parse a generated 100 MB LCOV file with ACES's LCOV reader; target: under 5 s.

The corpus is written once to a temporary directory (about 21,000 records of
400 lines each, branches on every tenth line, a fifth of the lines never run),
then read and parsed; the script prints the size, the parse time and the rate.
Run: ``.venv/bin/python benchmarks/bench_lcov.py [size-in-MB]``.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from aces.engines.coverage import parse_lcov

TARGET_SECONDS = 5.0
LINES_PER_RECORD = 400


def record(index: int) -> str:
    """One LCOV record for a synthetic source file."""
    out = [f"SF:/build/crate/src/module_{index}.rs"]
    for line in range(1, LINES_PER_RECORD):
        out.append(f"DA:{line},{(line * 7 + index) % 5}")
        if line % 10 == 0:
            out.append(f"BRDA:{line},0,0,{(line + index) % 3}")
            out.append(f"BRDA:{line},0,1,-")
    out.append(f"LF:{LINES_PER_RECORD - 1}\nLH:0\nend_of_record\n")
    return "\n".join(out)


def write_corpus(path: Path, size: int) -> int:
    """Write records until ``size`` bytes; the number of records."""
    written = count = 0
    with path.open("w", encoding="utf-8") as handle:
        while written < size:
            text = record(count)
            handle.write(text)
            written += len(text)
            count += 1
    return count


def main() -> int:
    """Generate, parse, print; exit 1 when over the target."""
    megabytes = float(sys.argv[1]) if len(sys.argv) > 1 else 100.0
    with tempfile.TemporaryDirectory(prefix="aces-bench-lcov-") as tmp:
        path = Path(tmp, "lcov.info")
        records = write_corpus(path, int(megabytes * 1_000_000))
        size = path.stat().st_size
        started = time.perf_counter()
        data = parse_lcov(path.read_text(encoding="utf-8"), "lcov.info")
        elapsed = time.perf_counter() - started
    mb = size / 1_000_000
    print(f"LCOV file: {mb:.1f} MB, {records} records, {len(data.files)} files parsed")
    print(f"aces parse: {elapsed:.2f} s ({mb / elapsed:.1f} MB/s); target < {TARGET_SECONDS:g} s")
    return 0 if elapsed < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
