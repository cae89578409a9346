"""Reading every row of a table: direct links offline first, then short links in one batch."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Protocol

from .links import METHOD_NOTES, LinkReading, read_link
from .results import Conversion, Progress, RowResult, RowStatus
from .tables import NAME_HEADERS, Table, cell_text, detect_link_column, find_column

logger = logging.getLogger(__name__)

SHORT_LINK_NOT_RESOLVED = "short link not resolved"


class ShortLinkFollower(Protocol):
    """Follows short links; the only part of a conversion that may use the network."""

    def handles(self, link: str) -> bool: ...

    def resolve_many(
        self, links: Iterable[str], on_result: Callable[[str, LinkReading], None]
    ) -> None: ...


def _row_result(row_number: int, link: str, name: str, reading: LinkReading) -> RowResult:
    location = reading.location
    if location is not None:
        note = METHOD_NOTES.get(location.method, location.method)
        return RowResult(
            row_number, link, location.lat, location.lng, RowStatus.OK, location.method, note, name
        )
    return RowResult(row_number, link, None, None, RowStatus.FAILED, "", reading.reason, name)


def _row_name(table: Table, index: int, name_column: int | None) -> str:
    """The row's name-like cell, for tables, KML placemarks and the results API."""
    row = table.rows[index]
    if name_column is None or name_column >= len(row):
        return ""
    return cell_text(row[name_column]).strip()


class _ProgressReporter:
    """Calls the callback at most every interval_seconds, and always at the end."""

    def __init__(self, total: int, callback, interval_seconds: float = 0.25, clock=time.monotonic):
        self.total, self.callback, self.interval_seconds = total, callback, interval_seconds
        self.clock = clock
        self.counts = dict.fromkeys(RowStatus, 0)
        self.processed = 0
        self.last_report = 0.0

    def add(self, status: RowStatus) -> None:
        self.counts[status] += 1
        self.processed += 1
        now = self.clock()
        if self.callback and now - self.last_report >= self.interval_seconds:
            self.last_report = now
            self.report()

    def report(self) -> None:
        if self.callback:
            self.callback(
                Progress(
                    self.processed,
                    self.total,
                    self.counts[RowStatus.OK],
                    self.counts[RowStatus.FAILED],
                    self.counts[RowStatus.SKIPPED],
                )
            )


def convert_table(
    table: Table,
    column: str | None = None,
    resolver: ShortLinkFollower | None = None,
    progress: Callable[[Progress], None] | None = None,
    known: Mapping[int, RowResult] | None = None,
) -> Conversion:
    """Read every row's link; rows needing no network first, then short links via the resolver."""
    link_column = detect_link_column(table, column)
    name_column = find_column(table, NAME_HEADERS)
    if name_column == link_column:
        name_column = None
    reporter = _ProgressReporter(table.row_count, progress)
    results: list[RowResult | None] = [None] * table.row_count
    pending: dict[str, list[int]] = {}  # short link -> data indexes waiting for it
    reads_pair = table.reads_pair(link_column)
    link_text = table.pair_text if reads_pair else table.cell_link_text  # chosen once: hot loop
    add, row_numbers = reporter.add, table.row_numbers
    for index in range(table.row_count):
        row_number = row_numbers[index]
        if known and row_number in known:  # a retry: rows that were ok are not touched
            results[index] = known[row_number]
            add(known[row_number].status)
            continue
        link = link_text(index, link_column).strip()
        name = _row_name(table, index, name_column) if name_column is not None else ""
        if not link:
            results[index] = RowResult(
                row_number, "", None, None, RowStatus.SKIPPED, "", "no link in this row", name
            )
            add(RowStatus.SKIPPED)
            continue
        reading = read_link(link)
        if reads_pair and reading.location is not None and reading.location.method == "text":
            reading = LinkReading(reading.location._replace(method="columns"))
        if reading.location is None and resolver is not None and resolver.handles(link):
            pending.setdefault(link, []).append(index)
            continue
        if reading.is_short_link:
            reading = LinkReading(None, SHORT_LINK_NOT_RESOLVED, True)
        result = _row_result(row_number, link, name, reading)
        results[index] = result
        add(result.status)
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
