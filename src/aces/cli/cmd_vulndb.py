"""``aces vulndb``: refresh and inspect the offline OSV database of the dependency audit.

``aces vulndb update [PATH]`` downloads OSV's per-ecosystem ``all.zip``
exports (``[vulndb] ecosystems``, or ``--ecosystem``) into ``[vulndb] path``
and records the time in ``aces-vulndb.json``; without a network it fails with
one line and exit 2, leaving the database as it was. ``aces vulndb status
[PATH]`` prints the database's records, ecosystems, date and age, and exits 0
when it is fresh, 2 when it is missing, corrupt or stale.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from aces.engines.suppressions import allowlist
from aces.engines.vulns.database import age_days, load_database, stale_reason
from aces.engines.vulns.fetch import export_url, fetch_exports
from aces.errors import InputError
from aces.policy.loader import load_policy
from aces.policy.vulndb_section import OSV_ECOSYSTEMS

EXIT_OK = 0
DEFAULT_TIMEOUT_SECONDS = 60.0


def add_parser(sub: Any) -> None:
    """Register ``vulndb update`` and ``vulndb status``."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "vulndb", help="refresh or inspect the offline OSV vulnerability database"
    )
    actions = parser.add_subparsers(dest="vulndb_action", metavar="ACTION")
    actions.required = True
    update = actions.add_parser("update", help="download the OSV exports ([vulndb] ecosystems)")
    _add_root(update)
    update.add_argument(
        "--ecosystem",
        action="append",
        choices=OSV_ECOSYSTEMS,
        help="fetch only this ecosystem (repeatable; default: [vulndb] ecosystems)",
    )
    update.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT_SECONDS,
        help="seconds per network operation (default %(default)s)",
    )
    update.set_defaults(func=handle_update)
    status = actions.add_parser("status", help="records, date and age; exit 2 when stale")
    _add_root(status)
    status.set_defaults(func=handle_status)


def _add_root(parser: argparse.ArgumentParser) -> None:
    """The repository root argument."""
    parser.add_argument(
        "path", nargs="?", default=".", type=Path, help="repository root (default: .)"
    )


def handle_update(args: argparse.Namespace) -> int:
    """Download the exports; FetchError (exit 2) when the network or an archive fails."""
    root: Path = args.path
    settings = load_policy(root).policy.vulndb
    ecosystems = tuple(args.ecosystem or settings.ecosystems)
    target = root / settings.path
    meta = fetch_exports(target, ecosystems, timeout=args.timeout, now=dt.datetime.now(dt.UTC))
    for ecosystem in meta.ecosystems:
        print(f"fetched {export_url(ecosystem)}")
    print(f"{settings.path}: updated {meta.updated.strftime('%Y-%m-%dT%H:%M:%SZ')}")
    return EXIT_OK


def handle_status(args: argparse.Namespace) -> int:
    """Print the database's state; InputError (exit 2) when it is missing or stale."""
    root: Path = args.path
    settings = load_policy(root).policy.vulndb
    db = load_database(root / settings.path, settings.path)
    # outside git (or before the first commit) the date falls back to today's
    reference = allowlist.reference_date(root, is_git=True, today=dt.datetime.now(dt.UTC).date())
    ecosystems = ", ".join(sorted(db.ecosystems)) or "none"
    print(f"database: {settings.path}")
    print(f"records: {db.records} ({db.withdrawn} withdrawn); ecosystems: {ecosystems}")
    updated = db.updated()
    if updated is not None:
        when, source = updated
        age = age_days(when, reference.date)
        print(
            f"updated: {when.date().isoformat()} ({source}); age {age} days at {reference.source}"
        )
    print(f"limit: {settings.max_age_days} days ([vulndb] max_age_days)")
    reason = stale_reason(db, reference.date, reference.source, settings.max_age_days)
    if reason is not None:
        raise InputError(reason, path=settings.path, hint="run `aces vulndb update`")
    sys.stdout.write("status: fresh\n")
    return EXIT_OK
