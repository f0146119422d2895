"""Recall of the secret scanner on token formats and assignment spellings, and its
false positives on look-alikes, over a corpus this benchmark generates itself.

The corpus (``secrets_corpus/formats.py``) is built from the issuers' published
formats, one case per file, every file a non-test configuration, deploy or source
file: tokens of each documented family in a neutral place, random values assigned
to credential names in every common syntax, and look-alikes (placeholders,
references, paths, code, documented example values, made-up and wrong-length
tokens). Each file is scanned as the check scans it (``scan_file``). Printed:
recall per family, recall per spelling, the look-alike false-positive rate, the
cases that went wrong, and whether the targets are met (family >= 95%, spelling
>= 90%, look-alike FP <= 2%); the exit status is 1 when one is not.

    .venv/bin/python benchmarks/bench_secrets_formats.py [--seed 7] [--per-family 40]
        [--per-spelling 40] [--out /tmp/aces-bench-formats] [--show 20]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from secrets_corpus.formats import Case, cases
from secrets_corpus.scoring import Tally, misses, score

from aces.engines.secrets.matcher import Matcher
from aces.engines.secrets.rules import load_builtin
from aces.engines.secrets.scanner import Hit, scan_file


def write(corpus: list[Case], out: Path) -> list[str]:
    """Each case as its own file under ``out`` (``c00000/<path>``); their relative paths."""
    if out.exists():
        shutil.rmtree(out)
    rels: list[str] = []
    for index, case in enumerate(corpus):
        rel = f"c{index:05d}/{case.path}"
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(case.text, encoding="utf-8")
        rels.append(rel)
    return rels


def table(title: str, tally: Tally) -> None:
    """One recall table."""
    print(f"\n| {title} | found | total | recall |\n|---|---|---|---|")
    for name in sorted(tally.total):
        print(f"| {name} | {tally.found[name]} | {tally.total[name]} | {tally.rate(name):.1%} |")
    print(f"| all | {sum(tally.found.values())} | {sum(tally.total.values())} "
          f"| {tally.overall():.1%} |")  # fmt: skip


def show(tallies: dict[str, Tally], limit: int) -> None:
    """The first ``limit`` cases of each group that went wrong (values never printed)."""
    for group, tally in tallies.items():
        for case, rules in tally.wrong[:limit]:
            print(f"  {group} {case.name}: {case.path}:{case.line} rules={list(rules)}")


def main() -> int:
    """Generate, scan, score, print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--per-family", type=int, default=40)
    parser.add_argument("--per-spelling", type=int, default=40)
    parser.add_argument("--out", type=Path, default=Path("/tmp/aces-bench-formats"))
    parser.add_argument("--show", type=int, default=20, help="wrong cases shown per group")
    args = parser.parse_args()

    corpus = cases(args.seed, args.per_family, args.per_spelling)
    rels = write(corpus, args.out)
    matcher = Matcher(load_builtin())
    start = time.perf_counter()
    hits: dict[int, tuple[Hit, ...]] = {}
    for index, rel in enumerate(rels):
        found = scan_file(matcher, os.fspath(args.out / rel), rel).hits
        if found:
            hits[index] = found
    seconds = time.perf_counter() - start
    tallies = score(corpus, hits)
    print(f"corpus: {len(corpus)} files (seed {args.seed}), scanned in {seconds:.2f} s")
    table("family", tallies["family"])
    table("spelling", tallies["spelling"])
    lookalike = tallies["lookalike"]
    flagged = sum(lookalike.total.values()) - sum(lookalike.found.values())
    print(f"\nlook-alikes: {flagged} of {sum(lookalike.total.values())} flagged, "
          f"false-positive rate {1 - lookalike.overall():.1%}")  # fmt: skip
    print("\nwrong cases:")
    show(tallies, args.show)
    missed = misses(tallies)
    print("\ntargets: " + ("all met" if not missed else "MISSED: " + "; ".join(missed)))
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
