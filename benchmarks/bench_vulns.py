"""The dependency audit on a synthetic OSV export: indexed lookup against a linear scan.

No peer tool audits offline against a local OSV export here (pip-audit and osv-scanner
query online services), so the figure of comparison is the unindexed way: testing every
record against every package. A zip of ``--records`` OSV records over ``--names`` PyPI
package names (two ranges each, CVSS v3 vectors) and a requirements file of ``--packages``
pins are generated under a temporary directory; both audits must find the same matches.
Times are wall-clock seconds of one run each.

    .venv/bin/python benchmarks/bench_vulns.py [--records 20000] [--names 5000] [--packages 2000]
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
import zipfile
from pathlib import Path

from aces.engines.vulns.database import load_database, normalise_name
from aces.engines.vulns.lockfiles import parse_lockfile
from aces.engines.vulns.matching import affects, audit


def record(i: int, name: str, rng: random.Random) -> dict[str, object]:
    """One synthetic OSV record with two ranges."""
    low = rng.randint(0, 5)
    return {
        "id": f"BENCH-{i:06d}",
        "modified": "2026-11-27T00:00:00Z",
        "aliases": [f"CVE-2099-{i:06d}"],
        "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": name},
                "ranges": [
                    {
                        "type": "ECOSYSTEM",
                        "events": [{"introduced": f"{low}.0"}, {"fixed": f"{low + 1}.0"}],
                    },
                    {"type": "ECOSYSTEM", "events": [{"introduced": "9.0"}, {"fixed": "9.5"}]},
                ],
            }
        ],
    }


def build(root: Path, records: int, names: int, packages: int) -> str:
    """Write the export and return the requirements text."""
    rng = random.Random(11)
    pool = [f"pkg-{n:05d}" for n in range(names)]
    (root / "db" / "PyPI").mkdir(parents=True)
    with zipfile.ZipFile(root / "db" / "PyPI" / "all.zip", "w", zipfile.ZIP_DEFLATED) as out:
        for i in range(records):
            out.writestr(f"BENCH-{i:06d}.json", json.dumps(record(i, rng.choice(pool), rng)))
    pins = [f"{rng.choice(pool)}=={rng.randint(0, 6)}.{rng.randint(0, 9)}" for _ in range(packages)]
    return "\n".join(pins) + "\n"


def main() -> None:
    """Generate, run both audits, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--names", type=int, default=5_000)
    parser.add_argument("--packages", type=int, default=2_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        text = build(root, args.records, args.names, args.packages)
        started = time.perf_counter()
        packages = parse_lockfile("requirements.txt", text).packages
        wanted = frozenset((p.ecosystem, normalise_name(p.ecosystem, p.name)) for p in packages)
        db = load_database(root / "db", "db", wanted)
        loaded = time.perf_counter()
        indexed = audit(packages, db)
        audited = time.perf_counter()
        full_started = time.perf_counter()
        full = load_database(root / "db", "db")
        full_loaded = time.perf_counter()
        everything = [pair for pairs in full.index.values() for pair in pairs]
        done = time.perf_counter()
        linear = [
            (p.line, a.id)
            for p in packages
            for a, e in everything
            if normalise_name(e.ecosystem, e.name) == normalise_name(p.ecosystem, p.name)
            and affects(e, p.version).affected
        ]
        naive = time.perf_counter()
    found = sorted((m.package.line, m.id) for m in indexed)
    assert found == sorted(linear), "the two audits disagree"
    print(f"records {args.records}, packages {len(packages)}, matches {len(found)}")
    print(f"parse lockfile + load the export (wanted):  {loaded - started:8.3f} s")
    print(f"load the export, every record parsed:       {full_loaded - full_started:8.3f} s")
    print(f"aces audit (indexed):                       {audited - loaded:8.3f} s")
    print(f"linear scan (every record x every package): {naive - done:8.3f} s")
    print(
        f"ratio linear / indexed:                     {(naive - done) / (audited - loaded):8.1f}x"
    )


if __name__ == "__main__":
    main()
