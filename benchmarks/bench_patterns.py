"""The forbidden-pattern engine against Semgrep, on the same Rust corpus of at least 50 MB.

The corpus is made from real Rust sources (the toolchain's ``rust-src``, Debian's
``/usr/src/rustc-*``, or the cargo registry), copied in sorted order; files that do not
parse are left out (both tools would report them as errors); when the sources are
smaller than the target they are replicated with a mutation (a leading comment line, so
every replica's lines move). It is built once under ``--corpus`` and reused.

Semgrep is installed into a throwaway venv under /tmp at benchmark time (``pip install
semgrep``); it is never a project dependency. Both tools run the same four rules with the
same meaning (``$X.unwrap()``, ``$X.expect(...)``, ``todo!`` / ``unimplemented!``,
``panic!``) with zones off, since Semgrep has no project-wide notion of test code; the
match sets (path, line, column) are compared rule by rule. The time of the full aces Rust
rule set with zones is printed too. Times are wall-clock seconds of one run each,
including Semgrep's start-up.

    .venv/bin/python benchmarks/bench_patterns.py [--size-mb 50] [--corpus DIR] [--workers 1]
        [--semgrep-venv DIR] [--aces-only]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from aces.engines.patterns import (
    PatternEngine,
    check_settings,
    load_rules,
    parse_source,
    zone_settings,
)
from aces.engines.patterns.grammars import parser
from aces.engines.patterns.zones import ZoneResolver, Zones
from aces.policy.schema import PatternsPolicy

GOAL_RATIO = 5.0
EQUIVALENT = ("rust.unwrap", "rust.expect", "rust.todo", "rust.panic")
SEMGREP_RULES = """\
rules:
  - id: rust.unwrap
    languages: [rust]
    severity: ERROR
    message: unwrap
    pattern: $X.unwrap()
  - id: rust.expect
    languages: [rust]
    severity: ERROR
    message: expect
    pattern: $X.expect(...)
  - id: rust.todo
    languages: [rust]
    severity: ERROR
    message: todo
    pattern-either:
      - pattern: todo!(...)
      - pattern: unimplemented!(...)
      - pattern: $P::todo!(...)
      - pattern: $P::unimplemented!(...)
  - id: rust.panic
    languages: [rust]
    severity: ERROR
    message: panic
    pattern-either:
      - pattern: panic!(...)
      - pattern: $P::panic!(...)
"""
Match = tuple[str, int, int]


def cpu_seconds() -> float:
    """CPU seconds of this process and of its finished children (the machine is shared:
    CPU time is the steadier figure, wall time the one a user waits)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


# -- corpus ---------------------------------------------------------------------------------


def source_roots() -> list[Path]:
    """Directories that may hold real Rust sources, most preferred first."""
    roots: list[Path] = []
    rustc = shutil.which("rustc")
    if rustc:
        sysroot = subprocess.run(
            [rustc, "--print", "sysroot"], capture_output=True, text=True, check=False
        ).stdout.strip()
        roots.append(Path(sysroot) / "lib/rustlib/src/rust")
    roots.extend(sorted(Path("/usr/src").glob("rustc-*")))
    roots.append(Path.home() / ".cargo/registry/src")
    return [root for root in roots if root.is_dir()]


def parses(data: bytes) -> bool:
    """Whether the Rust grammar reads ``data`` without an error node, as UTF-8."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not parser("rust").parse(data).root_node.has_error


def build_corpus(dest: Path, target_bytes: int) -> tuple[int, int]:
    """Fill ``dest`` with >= ``target_bytes`` of parseable Rust; (files, bytes)."""
    stamp = dest / ".corpus"
    if stamp.exists():
        files, size = (int(x) for x in stamp.read_text().split())
        if size >= target_bytes:
            return files, size
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    (dest / ".semgrepignore").write_text("# nothing ignored\n")
    sources = [p for root in source_roots() for p in sorted(root.rglob("*.rs")) if p.is_file()]
    if not sources:
        sys.exit("no Rust sources found (install rust-src: rustup or apt-get install rust-src)")
    kept: list[tuple[Path, bytes]] = []
    files = total = 0
    for path in sources:
        data = path.read_bytes()
        if len(data) > 1_000_000 or not parses(data):
            continue
        kept.append((path, data))
        total += _write(dest / "r0" / f"{files:06d}_{path.name}", data)
        files += 1
        if total >= target_bytes:
            break
    replica = 1
    while total < target_bytes and kept:
        for path, data in kept:
            mutated = f"// replica {replica}\n".encode() + data
            total += _write(dest / f"r{replica}" / f"{files:06d}_{path.name}", mutated)
            files += 1
            if total >= target_bytes:
                break
        replica += 1
    stamp.write_text(f"{files} {total}\n")
    return files, total


def _write(path: Path, data: bytes) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return len(data)


def corpus_files(corpus: Path) -> list[Path]:
    """The corpus's Rust files, sorted."""
    return sorted(corpus.rglob("*.rs"))


# -- aces ---------------------------------------------------------------------------------


def scan_files(
    paths: list[str], rule_ids: tuple[str, ...], use_zones: bool
) -> list[tuple[str, Match]]:
    """The (rule, match) pairs of the chosen rules on these files."""
    policy = PatternsPolicy()
    rules = tuple(r for r in load_rules("rust") if not rule_ids or r.id in rule_ids)
    engine = PatternEngine({"rust": rules}, check_settings(policy))
    found: list[tuple[str, Match]] = []
    # Zones file by file (globs and in-file spans): holding every tree of the corpus at once
    # for the project-wide module resolution would measure memory, not the engine.
    resolver = ZoneResolver(zone_settings(policy))
    for path in paths:
        source = parse_source(path, "rust", Path(path).read_bytes())
        zones = resolver.resolve({path: source})[path] if use_zones else Zones()
        for hit in engine.scan(source, zones, use_zones=use_zones):
            found.append((hit.rule_id, (hit.path, hit.line, hit.column)))
    return found


def run_aces(
    files: list[Path], rule_ids: tuple[str, ...], *, use_zones: bool, workers: int
) -> tuple[float, float, list[tuple[str, Match]]]:
    """Wall seconds, CPU seconds and matches of the aces engine over the corpus."""
    paths = [str(p) for p in files]
    cpu = cpu_seconds()
    started = time.perf_counter()
    if workers <= 1:
        found = scan_files(paths, rule_ids, use_zones)
    else:
        chunks = [paths[i::workers] for i in range(workers)]
        with ProcessPoolExecutor(workers) as pool:
            parts = pool.map(scan_files, chunks, [rule_ids] * workers, [use_zones] * workers)
            found = [item for part in parts for item in part]
    return time.perf_counter() - started, cpu_seconds() - cpu, found


# -- semgrep ------------------------------------------------------------------------------


def semgrep_binary(venv: Path) -> Path | None:
    """Semgrep from the throwaway venv, installed on first use; None when it cannot be."""
    binary = venv / "bin" / "semgrep"
    if binary.exists():
        return binary
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(venv / "bin" / "pip"), "install", "-q", "semgrep"],
            check=True,
            timeout=900,
        )
    except (subprocess.SubprocessError, OSError) as exc:
        print(f"semgrep: cannot install ({exc})")
        return None
    return binary if binary.exists() else None


def run_semgrep(binary: Path, corpus: Path) -> tuple[float, float, list[tuple[str, Match]], str]:
    """Wall seconds, CPU seconds, matches and version of Semgrep over the corpus."""
    rules = corpus.parent / "aces-bench-semgrep-rules.yaml"
    rules.write_text(SEMGREP_RULES)
    version = subprocess.run(
        [str(binary), "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    command = [
        str(binary), "scan", "--config", str(rules), "--json", "--metrics=off",
        "--disable-version-check", "--no-git-ignore", "--max-target-bytes", "0",
        "--timeout", "0", "-q", ".",
    ]  # fmt: skip
    env = {**os.environ, "SEMGREP_SEND_METRICS": "off"}
    cpu = cpu_seconds()
    started = time.perf_counter()
    done = subprocess.run(command, cwd=corpus, capture_output=True, text=True, env=env, check=False)
    seconds = time.perf_counter() - started
    cpu = cpu_seconds() - cpu
    report = json.loads(done.stdout)
    if report.get("errors"):
        print(f"semgrep: {len(report['errors'])} errors, first: {report['errors'][0]}")
    found = [
        (r["check_id"].rsplit(".", 2)[-2] + "." + r["check_id"].rsplit(".", 1)[-1],
         (str(corpus / r["path"]), r["start"]["line"], r["start"]["col"]))
        for r in report["results"]
    ]  # fmt: skip
    return seconds, cpu, found, version


# -- report -------------------------------------------------------------------------------


def by_rule(found: Iterable[tuple[str, Match]]) -> dict[str, set[Match]]:
    """Rule -> its matches (path, line, column)."""
    out: dict[str, set[Match]] = {rule: set() for rule in EQUIVALENT}
    for rule, match in found:
        out.setdefault(rule, set()).add(match)
    return out


def by_line(matches: set[Match]) -> Counter[tuple[str, int]]:
    """How many matches start on each (path, line)."""
    return Counter((path, line) for path, line, _ in matches)


def main() -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--size-mb", type=float, default=50.0)
    args.add_argument("--corpus", type=Path, default=Path("/tmp/aces-bench-rust-corpus"))
    args.add_argument("--workers", type=int, default=1, help="aces worker processes")
    args.add_argument("--semgrep-venv", type=Path, default=Path("/tmp/aces-bench-semgrep"))
    args.add_argument("--aces-only", action="store_true", help="time aces alone (no Semgrep)")
    opts = args.parse_args()
    target = int(opts.size_mb * 1_000_000)
    print(f"building corpus ({opts.size_mb:g} MB) in {opts.corpus} ...", flush=True)
    count, size = build_corpus(opts.corpus, target)
    files = corpus_files(opts.corpus)
    print(f"corpus: {count} files, {size / 1e6:.1f} MB of Rust")

    aces_s, aces_cpu, aces_found = run_aces(
        files, EQUIVALENT, use_zones=False, workers=opts.workers
    )
    full_s, full_cpu, full_found = run_aces(files, (), use_zones=True, workers=opts.workers)
    print(f"aces, 4 equivalent rules, zones off: {aces_s:.2f} s wall, {aces_cpu:.2f} s CPU, "
          f"{len(aces_found)} matches")  # fmt: skip
    print(f"aces, all {len(load_rules('rust'))} Rust rules, zones on: {full_s:.2f} s wall, "
          f"{full_cpu:.2f} s CPU, {len(full_found)} findings")  # fmt: skip

    if opts.aces_only:
        return 0
    binary = semgrep_binary(opts.semgrep_venv)
    if binary is None:
        print("semgrep: not available offline; no comparison")
        return 2
    sg_s, sg_cpu, sg_found, version = run_semgrep(binary, opts.corpus)
    print(f"semgrep {version}, 4 rules: {sg_s:.2f} s wall, {sg_cpu:.2f} s CPU, "
          f"{len(sg_found)} matches")  # fmt: skip

    ours, theirs = by_rule(aces_found), by_rule(sg_found)
    print("\nper rule: matches of each tool; identical (path, line, column); on the same line at")
    print("another column (the tools start the node elsewhere, e.g. Semgrep drops parentheses);")
    print("matches on lines only one tool reports")
    print(f"{'rule':<14}{'aces':>7}{'semgrep':>9}{'identical':>11}{'column':>8}{'aces only':>11}"
          f"{'sg only':>9}")  # fmt: skip
    for rule in EQUIVALENT:
        a, g = ours[rule], theirs[rule]
        lines_a, lines_g = by_line(a), by_line(g)
        only_a, only_g = lines_a - lines_g, lines_g - lines_a
        column = len(a - g) - sum(only_a.values())
        print(f"{rule:<14}{len(a):>7}{len(g):>9}{len(a & g):>11}{column:>8}"
              f"{sum(only_a.values()):>11}{sum(only_g.values()):>9}")  # fmt: skip
        for (path, line), _ in sorted(only_a.items())[:2]:
            print(f"    aces only: {Path(path).relative_to(opts.corpus)}:{line}")
        for (path, line), _ in sorted(only_g.items())[:2]:
            print(f"    semgrep only: {Path(path).relative_to(opts.corpus)}:{line}")
    print(f"\nspeed, wall: aces {aces_s:.2f} s vs semgrep {sg_s:.2f} s: {sg_s / aces_s:.1f}x "
          f"(goal >= {GOAL_RATIO:g}x); full aces rule set {sg_s / full_s:.1f}x")  # fmt: skip
    print(f"speed, CPU: aces {aces_cpu:.2f} s vs semgrep {sg_cpu:.2f} s: "
          f"{sg_cpu / aces_cpu:.1f}x; full aces rule set {sg_cpu / full_cpu:.1f}x")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
