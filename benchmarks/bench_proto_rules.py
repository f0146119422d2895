"""The ArqonBus protobuf ruleset against ``buf breaking`` on a 500-file proto tree.

Generates a tree of 500 .proto files (a base, and a head with compatible
additions), builds both images once with buf, then times in one run:
``buf breaking head --against base`` and the native ruleset (indexing both images
and every base-vs-head rule). Prints both times and the ratio; the target is a
ruleset adding less than 10% on top of buf breaking.

Run: .venv/bin/python benchmarks/bench_proto_rules.py [--files 500] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from aces.engines.proto.annotations import parse_version
from aces.engines.proto.model import index_image, read_image
from aces.engines.proto.rules import (
    compat_comments,
    deprecation,
    optional_fields,
    removal,
    rename,
    reserved,
)
from aces.tools.buf import Buf, find_buf
from aces.tools.process import ProcessRunner

CONFIG = '{"version":"v1","lint":{"use":["STANDARD"]},"breaking":{"use":["FILE"]}}'


def proto_text(i: int, head: bool) -> str:
    """One file: a message of 12 fields, an enum and a service."""
    fields = "".join(
        f"  // Field {n}.\n  // @since 1.0.0\n  string f{n} = {n};\n" for n in range(1, 13)
    )
    if head:
        fields += "  // Added.\n  // @since 1.1.0\n  optional int32 extra = 13;\n"
    return (
        f'syntax = "proto3";\n\npackage bench.p{i}.v1;\n\n'
        f"// M{i}.\n// @since 1.0.0\nmessage M{i} {{\n{fields}}}\n\n"
        f"// E{i}.\n// @since 1.0.0\nenum E{i} {{\n  // @since 1.0.0\n  E{i}_UNSPECIFIED = 0;\n"
        f"  // @since 1.0.0\n  E{i}_ONE = 1;\n}}\n\n"
        f"// S{i}.\n// @since 1.0.0\nservice S{i}Service {{\n"
        f"  // @since 1.0.0\n  rpc Get(M{i}) returns (M{i});\n}}\n"
    )


def write_tree(root: Path, files: int, head: bool) -> None:
    """The tree of one version."""
    for i in range(files):
        path = root / "bench" / f"p{i}" / "v1" / f"m{i}.proto"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(proto_text(i, head), encoding="utf-8")


def ruleset(base_data: bytes, head_data: bytes) -> int:
    """Index both images and run every base-vs-head rule; the number of violations."""
    base = index_image(read_image(base_data), "proto")
    head = index_image(read_image(head_data), "proto")
    version = parse_version("1.1.0")
    assert version is not None
    found = [
        *reserved.check(base, head),
        *rename.check(base, head),
        *deprecation.check(head),
        *compat_comments.check(base, head, "@since"),
        *removal.check(base, head, version),
        *optional_fields.check(base, head, True),
    ]
    return len(found)


def timed(fn: object, repeat: int) -> float:
    """Median wall time of ``repeat`` calls."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    """Build, time and print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    root = Path(__file__).resolve().parents[1]
    executable = find_buf(root, "")
    if executable is None:
        raise SystemExit("buf is not installed: make buf")
    with tempfile.TemporaryDirectory(prefix="aces-bench-") as tmp:
        work = Path(tmp)
        buf = Buf(executable, ProcessRunner(), work / "cache")
        images = {}
        for name, head in (("base", False), ("head", True)):
            write_tree(work / name, args.files, head)
            out = work / f"{name}.binpb"
            assert not buf.build(work, name, out, CONFIG)
            images[name] = out
        base_data, head_data = images["base"].read_bytes(), images["head"].read_bytes()
        assert ruleset(base_data, head_data) == 0
        breaking = timed(
            lambda: buf.breaking(work, str(images["head"]), str(images["base"]), CONFIG),
            args.repeat,
        )
        rules = timed(lambda: ruleset(base_data, head_data), args.repeat)
    print(f"proto files:            {args.files}")
    print(f"buf breaking (median):  {breaking * 1000:8.1f} ms")
    print(f"ArqonBus ruleset:       {rules * 1000:8.1f} ms")
    print(f"ratio ruleset / breaking: {rules / breaking:.3f} (target < 0.10)")


if __name__ == "__main__":
    main()
