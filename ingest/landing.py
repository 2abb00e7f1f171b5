"""The landing zone: which files a source has, their business dates, and which are not loaded yet.

Bronze itself is the cursor of a file source: a file counts as loaded when bronze holds rows
of it with the same content (SHA-256), or, for a file without records (a header only), when
ops.empty_files records it. A crash before dlt commits leaves no rows, so the file is simply
still pending on the next run; a changed file is pending again and loading it replaces its
old rows.

A file is read again only when its size, modification time or (on a local disk) inode change
time differ from what was loaded: any write changes the change time, even one that restores
the modification time (`cp -p`, `tar x`), and a bucket has no such writes. What was read is
loaded only if its content differs: the same bytes landed again are not loaded twice.
"""

from __future__ import annotations

import fnmatch
import functools
import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from ingest.config import Settings
from ingest.errors import FileRejected, RippleError
from ingest.sources import FileSource
from ingest.warehouse import connect

BRONZE = "bronze"
COMPRESSED = (".gz", ".zst")  # a compressed file is loaded like its plain twin


@dataclass(frozen=True)
class Fingerprint:
    """What says whether a file changed: its stat without reading it, its content when read."""

    size: int
    modified_at: datetime | None
    changed_at: datetime | None  # inode change time, local files only
    checksum: str | None = None

    def same_stat(self, other: Fingerprint) -> bool:
        return (self.size, self.modified_at, self.changed_at) == (other.size, other.modified_at, other.changed_at)


@dataclass
class LandedFile:
    path: str  # relative to the landing zone, e.g. tickets/tickets_2023-01-01.csv
    size: int
    modified_at: datetime
    opener: Callable[[], BinaryIO]
    changed_at: datetime | None = None

    @property
    def fingerprint(self) -> Fingerprint:
        return Fingerprint(self.size, self.modified_at, self.changed_at)


def plain_path(path: str) -> str:
    """The path of a file's plain twin: `x.csv.gz` -> `x.csv`."""
    return next((path.removesuffix(s) for s in COMPRESSED if path.endswith(s)), path)


def business_date_of(source: FileSource, path: str) -> date | None:
    if not source.business_date_pattern:
        return None
    match = re.search(source.business_date_pattern, plain_path(path))
    if not match:
        raise FileRejected(
            f"file name does not match {source.business_date_pattern!r}, so its business date is unknown"
        )
    groups = match.groupdict()
    text = groups.get("date") or f"{groups.get('year')}-{groups.get('month')}-{groups.get('day')}"
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise FileRejected(f"{text!r} in the file's path is not a date") from None


def check_not_ahead(source: FileSource, business_date: date | None, today: date | None = None) -> None:
    """A business date far in the future is a mistake (a typo, a wrong clock), not data to load:
    it would stretch every daily table to that date."""
    today = today or datetime.now(UTC).date()
    if business_date is not None and business_date > today + timedelta(days=source.max_days_ahead):
        raise FileRejected(
            f"business date {business_date} is {(business_date - today).days} days after today ({today}, UTC), "
            f"more than max_days_ahead = {source.max_days_ahead} allows"
        )


def date_or_none(source: FileSource, path: str) -> date | None:
    try:
        return business_date_of(source, path)
    except FileRejected:
        return None


def is_local(url: str) -> bool:
    return "://" not in url or url.startswith("file://")


def landed_files(source: FileSource, settings: Settings, glob: str | None = None) -> list[LandedFile]:
    """Every file of the source in the landing zone (a local path or any fsspec URL), its
    compressed twins (`.gz`, `.zst`) included."""
    from dlt.sources.filesystem import filesystem  # slow to import; only listing needs it

    pattern = glob or source.location
    listed = pattern if pattern.endswith("*") else pattern + "*"
    local_root = Path(settings.landing_url.removeprefix("file://")) if is_local(settings.landing_url) else None
    files = []
    for item in filesystem(bucket_url=settings.landing_url, file_glob=listed):
        path = item["relative_path"]
        if not fnmatch.fnmatchcase(plain_path(path), pattern) and not fnmatch.fnmatchcase(path, pattern):
            continue
        changed_at = None
        if local_root is not None:
            changed_at = from_ns(os.stat(local_root / path).st_ctime_ns)
        files.append(
            LandedFile(
                path=path,
                size=item["size_in_bytes"],
                modified_at=datetime.fromtimestamp(item["modification_date"].timestamp(), UTC),
                # the bytes as landed: the checksum is of those, and readers.py decompresses
                opener=functools.partial(item.open, compression="disable"),
                changed_at=changed_at,
            )
        )
    return files


def from_ns(ns: int) -> datetime:
    """An exact UTC datetime (to the microsecond, as stored) from a stat's nanoseconds."""
    return datetime.fromtimestamp(ns // 1_000_000_000, UTC) + timedelta(microseconds=ns % 1_000_000_000 // 1000)


def latest_landed_day(source: FileSource, settings: Settings) -> date | None:
    days = [d for d in (date_or_none(source, f.path) for f in landed_files(source, settings)) if d]
    return max(days, default=None)


def loaded_fingerprints(source: FileSource, settings: Settings) -> tuple[dict[str, Fingerprint], set[str]]:
    """The fingerprint of every file loaded (from bronze, or ops.empty_files for files without
    records), and which of them have rows in bronze."""
    fingerprints: dict[str, Fingerprint] = {}
    with connect(settings, read_only=True) as con:
        if con.table_exists("ops", "empty_files"):
            for path, size, modified, changed, checksum in con.execute(
                "select path, size, modified_at, changed_at, checksum from ops.empty_files where source_name = ?",
                [source.name],
            ).fetchall():
                fingerprints[path] = Fingerprint(size, utc(modified), utc(changed), checksum)
        with_rows: set[str] = set()
        columns = con.columns(BRONZE, source.table)
        if columns:
            # bronze loaded before ripple kept the change time has no such column until the next load
            changed_column = "_file_changed_at" if "_file_changed_at" in columns else "cast(null as timestamptz)"
            for path, size, modified, changed, checksum in con.execute(
                f"select distinct _source_file, _file_size, _file_modified_at, {changed_column}, _file_checksum "
                f"from {BRONZE}.{source.table}"
            ).fetchall():
                fingerprints[path] = Fingerprint(size, utc(modified), utc(changed), checksum)
                with_rows.add(path)
    return fingerprints, with_rows


def utc(value: datetime | None) -> datetime | None:
    return value.astimezone(UTC) if value is not None else None


def content_changed(landed: LandedFile, loaded: Fingerprint) -> bool:
    """Read the file: are its bytes different from what was loaded?"""
    with landed.opener() as f:
        return hashlib.sha256(f.read()).hexdigest() != loaded.checksum


def pending_files(
    source: FileSource, settings: Settings, dates: set[date] | None = None, glob: str | None = None
) -> tuple[list[LandedFile], bool]:
    """Files not loaded yet or changed since (with `dates`: those dates' files, loaded or not),
    oldest business date first, and whether any of them has rows in bronze that loading it replaces."""
    files = landed_files(source, settings, glob)
    loaded, with_rows = loaded_fingerprints(source, settings)
    if dates:
        chosen = [f for f in files if date_or_none(source, f.path) in dates]
        missing = dates - {date_or_none(source, f.path) for f in chosen}
        if missing:
            raise RippleError(
                f"{source.name}: no landed file for {', '.join(map(str, sorted(missing)))} "
                f"under {settings.landing_url}/{glob or source.location}"
            )
    else:
        chosen = [
            f
            for f in files
            if f.path not in loaded
            or (not f.fingerprint.same_stat(loaded[f.path]) and content_changed(f, loaded[f.path]))
        ]
    replaces = any(f.path in with_rows for f in chosen)
    return sorted(chosen, key=lambda f: (date_or_none(source, f.path) or date.max, f.path)), replaces
