"""The secret scanner against detect-secrets: throughput on the standard library, and
precision / recall on the labelled set (``secrets_corpus/generate.py``).

Throughput corpus: this machine's Python standard library without ``__pycache__``,
``site-packages`` / ``dist-packages`` and binary files (NUL byte in the first 8000
bytes), copied once to ``--corpus`` so both tools read the same files. Figures:

- aces full scan: ``Workspace.open`` (walk with .gitignore rules) + read + hyperscan
  prefilter + ``re`` confirmation + entropy + Findings + JSON rendering, one core, page
  cache warm (one untimed pass first), best of ``--repeat`` (3) in wall-clock and in
  CPU time (the CPU time is the figure to compare on a loaded machine);
- hyperscan raw: the same compiled database over all files concatenated in memory;
- detect-secrets 1.5 (``detect-secrets scan --all-files -n DIR``), installed into a
  throwaway venv under /tmp (never a project dependency); by default on every
  ``--ds-every``-th file and extrapolated to the corpus by bytes, which it says.

    .venv/bin/python benchmarks/bench_secrets.py [--corpus DIR] [--ds-venv DIR]
        [--ds-every 10] [--labelled DIR] [--no-detect-secrets] [--repeat 3]

``--no-detect-secrets``: the figures of aces alone (no throwaway venv, no comparison).
The script imports ``aces`` from ``PYTHONPATH``: the same script measures two versions
of ``src`` (``PYTHONPATH=/tmp/base/src``), runs alternated.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

from aces.engines.secrets.matcher import Matcher
from aces.engines.secrets.rules import load_builtin
from aces.engines.secrets.scanner import scan_file
from aces.model import Finding, Location

HERE = Path(__file__).resolve().parent
SKIP_DIRS = {"__pycache__", "site-packages", "dist-packages"}


def build_corpus(stdlib: Path, out: Path) -> None:
    """Copy the text files of the standard library (once)."""
    if out.exists():
        return
    for directory, dirs, files in os.walk(stdlib):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        for name in sorted(files):
            src = Path(directory) / name
            if src.is_symlink() or not src.is_file():
                continue
            with src.open("rb") as handle:
                if b"\0" in handle.read(8000):
                    continue
            dst = out / src.relative_to(stdlib)
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)


def aces_scan(root: Path, matcher: Matcher) -> tuple[list[Finding], int]:
    """Walk, read, scan, make findings and render them: what the check does."""
    from aces.workspace.index import Workspace

    ws = Workspace.open(root)
    findings: list[Finding] = []
    total = 0
    for rel in ws.files:
        scan = scan_file(matcher, os.fspath(root / rel), rel)
        total += scan.size
        for hit in scan.hits:
            findings.append(
                Finding(
                    rule_id=f"sec.secrets.{hit.rule_id}",
                    clauses=("sec.secrets",),
                    message=hit.preview,
                    location=Location(hit.path, hit.line or None, hit.column or None),
                    key=hit.key,
                )
            )
    json.dumps([f.to_dict() for f in sorted(findings, key=Finding.sort_key)], sort_keys=True)
    return findings, total


def hyperscan_raw(root: Path, matcher: Matcher) -> float:
    """MB/s of the compiled database alone over the corpus held in memory."""
    blobs = [p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()]
    size = sum(len(b) for b in blobs)
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for blob in blobs:
            matcher.candidates(blob)
        best = min(best, time.perf_counter() - start)
    return size / 1e6 / best


def detect_secrets(venv: Path, directory: Path) -> tuple[float, dict[str, set[int]]]:
    """Seconds of one ``detect-secrets scan --all-files -n`` and its (file -> lines)."""
    exe = venv / "bin" / "detect-secrets"
    if not exe.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip = [str(venv / "bin" / "pip"), "install", "-q", "detect-secrets==1.5.0"]
        subprocess.run(pip, check=True)
    start = time.perf_counter()
    done = subprocess.run(
        [str(exe), "scan", "--all-files", "-n", "."],
        cwd=directory,
        check=True,
        capture_output=True,
    )
    seconds = time.perf_counter() - start
    results = json.loads(done.stdout)["results"]
    return seconds, {f: {r["line_number"] for r in rs} for f, rs in results.items()}


def subset(corpus: Path, every: int, out: Path) -> int:
    """Copy every ``every``-th file of the corpus (sorted) to ``out``; return its bytes."""
    if out.exists():
        shutil.rmtree(out)
    size = 0
    for i, path in enumerate(sorted(p for p in corpus.rglob("*") if p.is_file())):
        if i % every == 0:
            dst = out / path.relative_to(corpus)
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dst)
            size += path.stat().st_size
    return size


def score(labels: dict[str, list[int]], found: dict[str, set[int]]) -> tuple[int, int, int]:
    """(true positives, false positives, false negatives): one secret per labelled file.

    A secret is found when a reported line falls on one of its lines; every reported
    line outside them is a false positive.
    """
    tp = fp = fn = 0
    for rel, lines in labels.items():
        got, wanted = found.get(rel, set()), set(lines)
        if wanted:
            tp, fn = (tp + 1, fn) if got & wanted else (tp, fn + 1)
        fp += len(got - wanted)
    return tp, fp, fn


def row(name: str, counts: tuple[int, int, int]) -> str:
    """One line of the precision / recall table."""
    tp, fp, fn = counts
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return f"| {name} | {tp} | {fp} | {fn} | {precision:.3f} | {recall:.3f} |"


def main() -> None:
    """Run both tools and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=Path("/tmp/aces-bench-stdlib"))
    parser.add_argument("--stdlib", type=Path, default=Path(sysconfig.get_paths()["stdlib"]))
    parser.add_argument("--ds-venv", type=Path, default=Path("/tmp/ds-venv"))
    parser.add_argument("--ds-every", type=int, default=10, help="1 scans the whole corpus")
    parser.add_argument("--labelled", type=Path, default=Path("/tmp/aces-bench-labelled"))
    parser.add_argument("--no-detect-secrets", action="store_true", help="aces figures only")
    parser.add_argument("--repeat", type=int, default=3, help="timed full scans (best kept)")
    args = parser.parse_args()

    build_corpus(args.stdlib, args.corpus)
    matcher = Matcher(load_builtin())
    aces_scan(args.corpus, matcher)  # warm the page cache
    best = best_cpu = float("inf")
    for _ in range(args.repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        findings, total = aces_scan(args.corpus, matcher)
        best = min(best, time.perf_counter() - start)
        best_cpu = min(best_cpu, time.process_time() - start_cpu)
    files = sum(1 for p in args.corpus.rglob("*") if p.is_file())
    aces_rate = total / 1e6 / best
    raw = hyperscan_raw(args.corpus, matcher)
    print(f"corpus: {files} files, {total / 1e6:.1f} MB ({args.corpus})")
    print(
        f"aces full scan: {best:.3f} s (CPU {best_cpu:.3f} s), {aces_rate:.1f} MB/s, "
        f"{len(findings)} findings"
    )
    print(f"hyperscan raw: {raw:.0f} MB/s (aces is {raw / aces_rate:.1f}x slower)")
    if not args.no_detect_secrets:
        compare_speed(args, total, aces_rate)
    labelled(args, matcher)


def compare_speed(args: argparse.Namespace, total: int, aces_rate: float) -> None:
    """detect-secrets on (a subset of) the same corpus, extrapolated, and the ratio."""
    sub = args.corpus.with_name(args.corpus.name + f"-every{args.ds_every}")
    sub_bytes = subset(args.corpus, args.ds_every, sub) if args.ds_every > 1 else total
    ds_seconds, _ = detect_secrets(args.ds_venv, sub if args.ds_every > 1 else args.corpus)
    ds_rate = sub_bytes / 1e6 / ds_seconds
    what = "whole corpus" if args.ds_every == 1 else f"every {args.ds_every}th file"
    print(
        f"detect-secrets: {ds_seconds:.1f} s on {sub_bytes / 1e6:.2f} MB ({what}), "
        f"{ds_rate:.3f} MB/s; extrapolated to the corpus: {total / 1e6 / ds_rate:.0f} s"
    )
    print(f"ratio aces / detect-secrets: {aces_rate / ds_rate:.0f}x")


def labelled(args: argparse.Namespace, matcher: Matcher) -> None:
    """Precision and recall on the labelled set, of aces (and of detect-secrets)."""
    if args.labelled.exists():
        shutil.rmtree(args.labelled)
    subprocess.run(
        [sys.executable, str(HERE / "secrets_corpus" / "generate.py"), str(args.labelled)],
        check=True,
        capture_output=True,
    )
    labels = json.loads((args.labelled / "labels.json").read_text())["files"]
    aces_found: dict[str, set[int]] = {}
    for rel in labels:
        for hit in scan_file(matcher, os.fspath(args.labelled / rel), rel).hits:
            aces_found.setdefault(rel, set()).add(hit.line)
    print("\n| tool | TP | FP | FN | precision | recall |\n|---|---|---|---|---|---|")
    print(row("aces", score(labels, aces_found)))
    if not args.no_detect_secrets:
        _, ds_found = detect_secrets(args.ds_venv, args.labelled)
        print(row("detect-secrets 1.5", score(labels, ds_found)))


if __name__ == "__main__":
    main()
