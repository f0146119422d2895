"""``aces vulndb update``: download OSV's per-ecosystem ``all.zip`` exports.

Each export is written next to a temporary name, checked to be a readable zip
(every member's CRC), then moved into ``<database>/<ecosystem>/all.zip``; the
metadata file records when. Any network or archive failure is one
``FetchError`` line naming the URL, and the database is left as it was.
"""

from __future__ import annotations

import datetime as dt
import shutil
import urllib.error
import urllib.parse
import urllib.request
import zipfile
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO

from aces.engines.vulns.database import Metadata, write_metadata
from aces.errors import AcesError

OSV_EXPORT_URL = "https://osv-vulnerabilities.storage.googleapis.com/{ecosystem}/all.zip"

Opener = Callable[[str, float], IO[bytes]]


class FetchError(AcesError):
    """An export could not be downloaded or is not a valid zip."""


def export_url(ecosystem: str) -> str:
    """The URL of one ecosystem's export."""
    return OSV_EXPORT_URL.format(ecosystem=urllib.parse.quote(ecosystem, safe=""))


def _urlopen(url: str, timeout: float) -> IO[bytes]:
    """Open ``url`` with a timeout (HTTPS only, by construction of the URL)."""
    response: IO[bytes] = urllib.request.urlopen(url, timeout=timeout)
    return response


def fetch_exports(
    root: Path,
    ecosystems: Sequence[str],
    *,
    timeout: float,
    now: dt.datetime,
    opener: Opener = _urlopen,
) -> Metadata:
    """Download every ecosystem's export, then move them all into ``root`` and date it.

    Nothing in ``root`` changes unless every download succeeds.
    """
    root.mkdir(parents=True, exist_ok=True)
    done: list[tuple[Path, Path]] = []
    try:
        for ecosystem in ecosystems:
            partial = root / f".{ecosystem}.all.zip.part"
            done.append((partial, root / ecosystem / "all.zip"))
            _download(partial, export_url(ecosystem), timeout, opener)
    except FetchError:
        for partial, _ in done:
            partial.unlink(missing_ok=True)
        raise
    for partial, target in done:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial.replace(target)
    meta = Metadata(now, tuple(sorted(ecosystems)), OSV_EXPORT_URL.format(ecosystem="<ecosystem>"))
    write_metadata(root, meta)
    return meta


def _download(partial: Path, url: str, timeout: float, opener: Opener) -> None:
    """Download one export to ``partial`` and check it is a sound zip."""
    try:
        with opener(url, timeout) as response, partial.open("wb") as out:
            shutil.copyfileobj(response, out)
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise FetchError(
            f"cannot download {url}: {reason}",
            hint="check the network, or copy the OSV exports into the database directory",
        ) from exc
    _check_zip(partial, url)


def _check_zip(path: Path, url: str) -> None:
    """Raise FetchError unless ``path`` is a zip whose members all read back."""
    try:
        with zipfile.ZipFile(path) as archive:
            bad = archive.testzip()
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise FetchError(f"{url} did not return a valid zip: {exc}") from exc
    if bad is not None:
        raise FetchError(f"{url} returned a zip whose member {bad!r} is corrupt")
