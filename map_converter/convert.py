"""One conversion: read the sheet, read every link, resolve short links, write the outputs."""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from .links import METHOD_NOTES, LinkReading, read_link
from .tables import NAME_HEADERS, Table, cell_text, detect_link_column, find_column, read_table

logger = logging.getLogger(__name__)

SHORT_LINK_NOT_RESOLVED = "short link not resolved"


class Status(enum.StrEnum):
    """Row status; the same strings appear in JSON, the output sheet and CSS."""

    OK = "ok"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class RowResult:
    """The outcome for one data row."""

    row_number: int
    link: str
    lat: float | None
    lng: float | None
    status: Status
    method: str
    note: str
    name: str = ""

    def as_dict(self) -> dict:
        return {
            "row_number": self.row_number,
            "name": self.name,
            "link": self.link,
            "lat": self.lat,
            "lng": self.lng,
            "status": str(self.status),
            "method": self.method,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class Progress:
    """How far a conversion is."""

    processed: int
    total: int
    ok: int
    failed: int
    skipped: int


class ShortLinkResolver(Protocol):
    """Follows short links; the only part of a conversion that may use the network."""

    def handles(self, link: str) -> bool: ...

    def resolve_many(
        self, links: Iterable[str], on_result: Callable[[str, LinkReading], None]
    ) -> None: ...


@dataclass
class Conversion:
    """A finished conversion: the table as read, its link column and one result per row."""

    table: Table
    link_column: int
    results: list[RowResult]

    @property
    def counts(self) -> dict[str, int]:
        counts = {str(status): 0 for status in Status}
        for result in self.results:
            counts[str(result.status)] += 1
        return counts


def _row_result(row_number: int, link: str, name: str, reading: LinkReading) -> RowResult:
    location = reading.location
    if location is not None:
        note = METHOD_NOTES.get(location.method, location.method)
        return RowResult(
            row_number, link, location.lat, location.lng, Status.OK, location.method, note, name
        )
    return RowResult(row_number, link, None, None, Status.FAILED, "", reading.reason, name)


def _row_name(table: Table, index: int, name_column: int | None) -> str:
    """The row's name-like cell, for tables, KML placemarks and the results API."""
    row = table.rows[index]
    if name_column is None or name_column >= len(row):
        return ""
    return cell_text(row[name_column]).strip()


class _ProgressReporter:
    """Calls the callback at most every interval_seconds, and always at the end."""

    def __init__(self, total: int, callback, interval_seconds: float = 0.25):
        self.total, self.callback, self.interval_seconds = total, callback, interval_seconds
        self.counts = {str(status): 0 for status in Status}
        self.processed = 0
        self.last_report = 0.0

    def add(self, status: Status) -> None:
        self.counts[str(status)] += 1
        self.processed += 1
        now = time.monotonic()
        if self.callback and now - self.last_report >= self.interval_seconds:
            self.last_report = now
            self.report()

    def report(self) -> None:
        if self.callback:
            self.callback(
                Progress(
                    self.processed,
                    self.total,
                    self.counts["ok"],
                    self.counts["failed"],
                    self.counts["skipped"],
                )
            )


def convert_table(
    table: Table,
    column: str | None = None,
    resolver: ShortLinkResolver | None = None,
    progress: Callable[[Progress], None] | None = None,
) -> Conversion:
    """Read every row's link; rows needing no network first, then short links via the resolver."""
    link_column = detect_link_column(table, column)
    name_column = find_column(table, NAME_HEADERS)
    if name_column == link_column:
        name_column = None
    reporter = _ProgressReporter(table.row_count, progress)
    results: list[RowResult | None] = [None] * table.row_count
    pending: dict[str, list[int]] = {}  # short link -> data indexes waiting for it
    for index in range(table.row_count):
        row_number = table.row_numbers[index]
        link = table.link_text(index, link_column).strip()
        name = _row_name(table, index, name_column)
        if not link:
            results[index] = RowResult(
                row_number, "", None, None, Status.SKIPPED, "", "no link in this row", name
            )
            reporter.add(Status.SKIPPED)
            continue
        reading = read_link(link)
        if reading.location is None and resolver is not None and resolver.handles(link):
            pending.setdefault(link, []).append(index)
            continue
        if reading.is_short_link:
            reading = LinkReading(None, SHORT_LINK_NOT_RESOLVED, True)
        result = _row_result(row_number, link, name, reading)
        results[index] = result
        reporter.add(result.status)
    reporter.report()
    if pending and resolver is not None:

        def on_result(link: str, reading: LinkReading) -> None:
            for index in pending.get(link, ()):
                if results[index] is not None:
                    continue
                name = _row_name(table, index, name_column)
                result = _row_result(table.row_numbers[index], link, name, reading)
                results[index] = result
                reporter.add(result.status)

        resolver.resolve_many(list(pending), on_result)
        for link, indexes in pending.items():
            for index in indexes:
                if results[index] is None:  # a resolver that skipped a link must not lose the row
                    name = _row_name(table, index, name_column)
                    reading = LinkReading(None, SHORT_LINK_NOT_RESOLVED, True)
                    result = _row_result(table.row_numbers[index], link, name, reading)
                    results[index] = result
                    reporter.add(result.status)
    reporter.report()
    return Conversion(table, link_column, [result for result in results if result is not None])


def convert_file(
    input_path: Path | str,
    output_path: Path | str,
    output_format: str | None = None,
    column: str | None = None,
    sheet: str | None = None,
    resolver: ShortLinkResolver | None = None,
    progress: Callable[[Progress], None] | None = None,
    max_rows: int | None = None,
) -> Conversion:
    """Read → parse → resolve → write, in one call shared by the CLI and the web service."""
    from .output import write_output

    table = read_table(input_path, sheet=sheet, max_rows=max_rows)
    conversion = convert_table(table, column=column, resolver=resolver, progress=progress)
    write_output(conversion, output_path, output_format)
    return conversion
