"""The values a conversion produces: row statuses, row results, progress, the finished conversion."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from .tables import Table, cell_text


class RowStatus(enum.StrEnum):
    """What became of one row; the same strings in JSON, the output sheet and CSS."""

    OK = "ok"
    FAILED = "failed"
    SKIPPED = "skipped"


class RowResult(NamedTuple):
    """The outcome for one data row (row_number is 1-based, as the user sees it).

    Immutable and typed; a NamedTuple because one is made per row (2x cheaper than a frozen
    dataclass, which matters at a million rows)."""

    row_number: int
    link: str
    lat: float | None
    lng: float | None
    status: RowStatus
    method: str
    note: str
    name: str = ""


@dataclass(frozen=True, slots=True)
class Progress:
    """How far a conversion is."""

    processed: int
    total: int
    ok: int
    failed: int
    skipped: int


@dataclass
class Conversion:
    """A finished conversion: the table as read, its link column and one result per row."""

    table: Table
    link_column: int
    results: list[RowResult]

    @property
    def reads_coordinate_pair(self) -> bool:
        """Whether the points were read from a latitude and a longitude column, not links."""
        return self.table.reads_pair(self.link_column)

    def link_behind_label(self, index: int) -> str | None:
        """The link row `index` was read from when its cell shows something else (a label over
        a hyperlink, "Open map"); None when the cell shows the link itself, or when the points
        come from a latitude and longitude pair (each row's text is its two cells joined)."""
        link = self.results[index].link
        if not link or self.reads_coordinate_pair:
            return None
        row, column = self.table.rows[index], self.link_column
        shown = cell_text(row[column]).strip() if column < len(row) else ""
        return link if link != shown else None

    @property
    def counts(self) -> dict[str, int]:
        counts = {str(status): 0 for status in RowStatus}
        for result in self.results:
            counts[str(result.status)] += 1
        return counts


def download_name(filename: str, output_format: str) -> str:
    """'<stem>-coordinates.<ext>': the one name every output is offered under."""
    return f"{Path(filename).stem or 'spreadsheet'}-coordinates.{output_format}"
