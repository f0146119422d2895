"""The OSV database on disk: directories, all.zip exports, corruption, metadata and age."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import zipfile
from pathlib import Path

import pytest

from aces.engines.vulns.database import (
    Metadata,
    age_days,
    load_database,
    stale_reason,
    write_metadata,
)
from aces.errors import InputError

FIXTURES = Path(__file__).parent / "fixtures" / "osv"


def test_directory_records_are_indexed_and_withdrawn_ones_dropped() -> None:
    db = load_database(FIXTURES, "osv")
    assert (db.records, db.withdrawn) == (8, 1)
    assert db.ecosystems == {"PyPI", "crates.io", "npm", "Hex"}
    assert [a.id for a, _ in db.lookup("PyPI", "Requests")] == [
        "GHSA-aaaa-bbbb-cccc",
        "PYSEC-2099-1",
    ]
    assert [a.id for a, _ in db.lookup("PyPI", "PyYAML")] == ["GHSA-yaml-0000-0001"]
    assert db.lookup("npm", "real-name") == []


def test_age_comes_from_the_newest_record_without_metadata() -> None:
    db = load_database(FIXTURES, "osv")
    assert db.updated() == (
        dt.datetime(2026, 11, 21, 10, 0, 0, 123456, tzinfo=dt.UTC),
        "the newest 'modified' of its records",
    )
    assert stale_reason(db, dt.date(2026, 11, 28), "the HEAD commit", 7) is None
    assert stale_reason(db, dt.date(2026, 11, 29), "the HEAD commit", 7) == (
        "the vulnerability database is stale: 8 days old (the newest 'modified' of its records "
        "2026-11-21, the HEAD commit 2026-11-29), over [vulndb] max_age_days = 7"
    )


def test_metadata_date_wins_and_names_fetched_ecosystems(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES, tmp_path / "db")
    when = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    write_metadata(tmp_path / "db", Metadata(when, ("npm", "Hex")))
    db = load_database(tmp_path / "db", "db")
    assert db.updated() == (when, "aces-vulndb.json 'updated'")
    assert age_days(when, dt.date(2026, 11, 27)) == 26
    assert json.loads((tmp_path / "db" / "aces-vulndb.json").read_text())["updated"] == (
        "2026-11-01T00:00:00Z"
    )


def export(path: Path, names: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            archive.write(FIXTURES / name, name)


def test_all_zip_exports_are_read(tmp_path: Path) -> None:
    export(tmp_path / "db" / "PyPI" / "all.zip", ["GHSA-aaaa-requests.json", "GHSA-pyyaml.json"])
    db = load_database(tmp_path / "db", "db")
    assert db.records == 2
    advisory, _ = db.lookup("PyPI", "requests")[0]
    assert advisory.source == "db/PyPI/all.zip!GHSA-aaaa-requests.json"


def test_a_truncated_zip_is_an_error_naming_it(tmp_path: Path) -> None:
    target = tmp_path / "db" / "PyPI" / "all.zip"
    export(target, ["GHSA-aaaa-requests.json"])
    target.write_bytes(target.read_bytes()[:40])
    with pytest.raises(InputError) as caught:
        load_database(tmp_path / "db", "db")
    assert caught.value.diagnostics().startswith("db/PyPI/all.zip: corrupt OSV export:")


def test_a_zip_with_a_bad_crc_is_an_error_naming_it(tmp_path: Path) -> None:
    target = tmp_path / "db" / "all.zip"
    export(target, ["GHSA-aaaa-requests.json"])
    data = bytearray(target.read_bytes())
    with zipfile.ZipFile(target) as archive:
        info = archive.infolist()[0]
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start + 5] ^= 0xFF  # flip a byte of the compressed member
    target.write_bytes(bytes(data))
    with pytest.raises(InputError) as caught:
        load_database(tmp_path / "db", "db")
    assert caught.value.diagnostics().startswith("db/all.zip: corrupt OSV export:")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "db/bad.json: not a JSON OSV record"),
        ("[]", "db/bad.json: expected an OSV record"),
        ('{"id": "X", "affected": [{"package": {}}]}', "needs 'ecosystem' and 'name'"),
        ('{"id": "X", "modified": "yesterday"}', "'modified' is not an RFC 3339 timestamp"),
        (
            '{"id": "X", "affected": [{"package": {"ecosystem": "npm", "name": "a"}, '
            '"ranges": [{"type": "SEMVER", "events": [{"introduced": "0", "fixed": "1"}]}]}]}',
            "exactly one of introduced, fixed, last_affected, limit",
        ),
    ],
)
def test_bad_records_are_errors_naming_the_file(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "db").mkdir()
    (tmp_path / "db" / "bad.json").write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_database(tmp_path / "db", "db")
    assert message in caught.value.diagnostics()
    assert caught.value.diagnostics().startswith("db/bad.json: ")


def test_missing_and_empty_databases_are_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        load_database(tmp_path / "nowhere", "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="holds no OSV records"):
        load_database(tmp_path / "empty", "empty")


def test_only_wanted_packages_are_parsed_but_all_records_count() -> None:
    db = load_database(FIXTURES, "osv", frozenset({("PyPI", "requests")}))
    assert (db.records, db.withdrawn) == (8, 1)
    assert db.ecosystems == {"PyPI", "crates.io", "npm", "Hex"}
    assert sorted(db.index) == [("PyPI", "requests")]
    assert db.updated() == (
        dt.datetime(2026, 11, 21, 10, 0, 0, 123456, tzinfo=dt.UTC),
        "the newest 'modified' of its records",
    )


def test_a_mis_shaped_record_is_an_error_even_when_not_wanted(tmp_path: Path) -> None:
    (tmp_path / "db").mkdir()
    (tmp_path / "db" / "bad.json").write_text('{"id": "X", "affected": [1]}', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_database(tmp_path / "db", "db", frozenset({("PyPI", "requests")}))
    assert caught.value.diagnostics() == ("db/bad.json: 'affected' entries need a 'package' object")
