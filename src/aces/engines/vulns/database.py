"""An OSV database on disk: JSON records and per-ecosystem ``all.zip`` exports, indexed.

The directory is read recursively: every ``*.json`` file is one OSV record
(except the metadata file ``aces-vulndb.json``) and every ``*.zip`` is an
export whose ``*.json`` members are records (OSV publishes one ``all.zip`` per
ecosystem). A file that cannot be read or decoded, or a zip that is corrupt
(bad archive, CRC mismatch), is an ``InputError`` naming it. Withdrawn
records are dropped. Records are indexed by (ecosystem, normalised package
name) so a lookup costs one dict access per package.

Freshness: ``aces vulndb update`` writes ``aces-vulndb.json`` with the time of
the download (``updated``); without it, the newest ``modified`` time of any
record stands in. That time is a lower bound of the download time, so the age
computed from it is never younger than the truth (fail closed).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from aces.engines.vulns.model import PYPI
from aces.engines.vulns.osv import Advisory, Affected, parse_advisory, parse_time
from aces.errors import InputError
from aces.nesting import parse_bounded

METADATA_FILE = "aces-vulndb.json"
METADATA_FORMAT = 1
_PYPI_SEPARATORS = re.compile(r"[-_.]+")

IndexKey = tuple[str, str]


def normalise_name(ecosystem: str, name: str) -> str:
    """The name packages are compared by: PEP 503 for PyPI, as written elsewhere."""
    if ecosystem == PYPI:
        return _PYPI_SEPARATORS.sub("-", name).lower()
    return name


@dataclass(frozen=True)
class Metadata:
    """What ``aces vulndb update`` recorded: when, and which ecosystems it fetched."""

    updated: dt.datetime
    ecosystems: tuple[str, ...]
    source: str = ""


@dataclass
class VulnDatabase:
    """The records of one database directory, indexed by (ecosystem, package name)."""

    path: str  # as shown to the user
    index: dict[IndexKey, list[tuple[Advisory, Affected]]] = field(default_factory=dict)
    ecosystems: set[str] = field(default_factory=set)
    records: int = 0
    withdrawn: int = 0
    newest_modified: dt.datetime | None = None
    metadata: Metadata | None = None

    def add(self, advisory: Advisory) -> None:
        """Index one record (withdrawn ones are only counted)."""
        if advisory.withdrawn:
            self.withdrawn += 1
            return
        self.records += 1
        modified = advisory.modified
        if modified is not None and (
            self.newest_modified is None or modified > self.newest_modified
        ):
            self.newest_modified = modified
        for affected in advisory.affected:
            self.ecosystems.add(affected.ecosystem)
            key = (affected.ecosystem, normalise_name(affected.ecosystem, affected.name))
            self.index.setdefault(key, []).append((advisory, affected))

    def add_raw(self, data: object, source: str, wanted: frozenset[IndexKey] | None) -> None:
        """Index one decoded record, fully parsed only when it names a wanted package.

        Parsing into dataclasses dominates the load time of an export; a record
        about packages no lockfile pins only adds to the counts, the ecosystems
        and the newest ``modified`` time.
        """
        keys = _affected_keys(data)
        if not isinstance(data, dict) or keys is None or wanted is None:
            self.add(parse_advisory(data, source))  # raises on a mis-shaped record
            return
        if not wanted.isdisjoint(keys):
            self.add(parse_advisory(data, source))
            return
        modified = parse_time(data.get("modified"), source)
        if data.get("withdrawn"):
            self.withdrawn += 1
            return
        self.records += 1
        self.ecosystems.update(ecosystem for ecosystem, _ in keys)
        if modified is not None and (
            self.newest_modified is None or modified > self.newest_modified
        ):
            self.newest_modified = modified

    def lookup(self, ecosystem: str, name: str) -> list[tuple[Advisory, Affected]]:
        """The (record, affected entry) pairs naming this package."""
        return self.index.get((ecosystem, normalise_name(ecosystem, name)), [])

    def updated(self) -> tuple[dt.datetime, str] | None:
        """The freshness time and where it came from, or None for an empty database."""
        if self.metadata is not None:
            return self.metadata.updated, f"{METADATA_FILE} 'updated'"
        if self.newest_modified is not None:
            return self.newest_modified, "the newest 'modified' of its records"
        return None

    def covers(self, ecosystem: str) -> bool:
        """Whether the database holds (or was fetched for) this ecosystem."""
        fetched = self.metadata.ecosystems if self.metadata else ()
        return ecosystem in self.ecosystems or ecosystem in fetched


def _affected_keys(data: object) -> list[IndexKey] | None:
    """The (ecosystem, normalised name) of each affected package; None when mis-shaped."""
    affected = data.get("affected", []) if isinstance(data, dict) else None
    if not isinstance(data, dict) or not isinstance(data.get("id"), str):
        return None
    if not isinstance(affected, list):
        return None
    keys: list[IndexKey] = []
    for item in affected:
        package = item.get("package") if isinstance(item, dict) else None
        if not isinstance(package, dict):
            return None
        ecosystem, name = package.get("ecosystem"), package.get("name")
        if not isinstance(ecosystem, str) or not isinstance(name, str):
            return None
        ecosystem = ecosystem.split(":", 1)[0]
        keys.append((ecosystem, normalise_name(ecosystem, name)))
    return keys


def load_database(
    root: Path, shown: str, wanted: frozenset[IndexKey] | None = None
) -> VulnDatabase:
    """Read and index every record below ``root``; InputError when missing or corrupt.

    With ``wanted`` ((ecosystem, normalised name) pairs), only records naming one
    of those packages are parsed in full; the others are counted and dated.
    """
    if not root.is_dir():
        raise InputError(
            "the vulnerability database directory does not exist",
            path=shown,
            hint="run `aces vulndb update` or set [vulndb] path in aces.toml",
        )
    db = VulnDatabase(shown)
    for file in sorted(root.rglob("*")):
        rel = f"{shown}/{file.relative_to(root).as_posix()}"
        if not file.is_file():
            continue
        if file.name == METADATA_FILE and file.parent == root:
            db.metadata = read_metadata(file, rel)
        elif file.suffix == ".json":
            db.add_raw(_decode(_read(file, rel), rel), rel, wanted)
        elif file.suffix == ".zip":
            for data, member in _zip_documents(file, rel):
                db.add_raw(data, member, wanted)
    if db.records == 0 and db.withdrawn == 0:
        raise InputError(
            "the vulnerability database holds no OSV records",
            path=shown,
            hint="run `aces vulndb update` to fetch the OSV exports",
        )
    return db


def _read(file: Path, rel: str) -> bytes:
    """The bytes of a database file."""
    try:
        return file.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", path=rel) from exc


def _decode(data: bytes, rel: str) -> object:
    """Decode one JSON document."""
    try:
        text = data.decode(json.detect_encoding(data), "surrogatepass")
        return parse_bounded(json.loads, text, rel, "json")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"not a JSON OSV record: {exc}", path=rel) from exc


def _zip_documents(file: Path, rel: str) -> Iterator[tuple[object, str]]:
    """The decoded records of one OSV export zip, each with its name; corrupt -> InputError."""
    try:
        with zipfile.ZipFile(file) as archive:
            for info in sorted(archive.infolist(), key=lambda i: i.filename):
                if info.is_dir() or not info.filename.endswith(".json"):
                    continue
                member = f"{rel}!{info.filename}"
                yield _decode(archive.read(info), member), member
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise InputError(
            f"corrupt OSV export: {exc}",
            path=rel,
            hint="delete it and run `aces vulndb update` again",
        ) from exc


def read_metadata(file: Path, rel: str) -> Metadata:
    """The metadata ``aces vulndb update`` wrote."""
    data = _decode(_read(file, rel), rel)
    if not isinstance(data, dict) or data.get("format") != METADATA_FORMAT:
        raise InputError(f'expected an object with "format": {METADATA_FORMAT}', path=rel)
    updated = parse_time(data.get("updated"), rel)
    ecosystems = data.get("ecosystems", [])
    if updated is None or not isinstance(ecosystems, list):
        raise InputError("needs 'updated' (RFC 3339) and an 'ecosystems' array", path=rel)
    return Metadata(updated, tuple(str(e) for e in ecosystems), str(data.get("source", "")))


def write_metadata(root: Path, meta: Metadata) -> Path:
    """Write ``aces-vulndb.json`` into ``root``; returns its path."""
    target = root / METADATA_FILE
    body = {
        "format": METADATA_FORMAT,
        "updated": meta.updated.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "ecosystems": sorted(meta.ecosystems),
        "source": meta.source,
    }
    target.write_text(json.dumps(body, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return target


def age_days(updated: dt.datetime, today: dt.date) -> int:
    """Whole days from the database's time to ``today`` (negative when it is newer)."""
    return (today - updated.astimezone(dt.UTC).date()).days


def stale_reason(db: VulnDatabase, today: dt.date, today_source: str, limit: int) -> str | None:
    """Why the database is too old (or undated) at ``today``, or None when it is fresh."""
    updated = db.updated()
    if updated is None:
        return "the vulnerability database has no date (no metadata and no 'modified' times)"
    when, source = updated
    age = age_days(when, today)
    if age <= limit:
        return None
    return (
        f"the vulnerability database is stale: {age} days old ({source} "
        f"{when.date().isoformat()}, {today_source} {today.isoformat()}), "
        f"over [vulndb] max_age_days = {limit}"
    )
