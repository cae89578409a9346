"""The values the sheet patcher writes, and the cursor it takes them with, in row order.

Two shapes: (row number, {column: value}) pairs in ascending order, taken one at a time; or
ColumnValues, one list per column, of which the patcher can take a run of rows at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from .xlsx_cells import CellValue

RowValues = tuple[int, Mapping[int, CellValue]]


@dataclass(frozen=True)
class ColumnValues:
    """columns[c][i] is written to column c of row row_numbers[i] (ascending); None writes no
    cell. The header row's values are apart: they take the header's look."""

    row_numbers: list[int]
    columns: Mapping[int, Sequence[CellValue]]
    header_row: int | None = None
    header: Mapping[int, CellValue] = field(default_factory=dict)


class ValueCursor:
    """next: the (row number, values) still to write first, or None when all are written."""

    def __init__(self, rows: ColumnValues | Iterable[RowValues]):
        self._table = rows if isinstance(rows, ColumnValues) else None
        self._pairs = None if self._table else iter(rows)
        self._index = 0  # of the next data row in the ColumnValues
        self._header_waits = bool(self._table and self._table.header_row is not None)
        self._at_header = False
        self.next: RowValues | None = self._peek()

    def _peek(self) -> RowValues | None:
        table = self._table
        if table is None:
            return next(self._pairs, None)
        index, numbers = self._index, table.row_numbers
        self._at_header = self._header_waits and (
            index >= len(numbers) or table.header_row <= numbers[index]
        )
        if self._at_header:
            return table.header_row, table.header
        if index >= len(numbers):
            return None
        return numbers[index], {column: values[index] for column, values in table.columns.items()}

    def advance(self) -> None:
        if self._at_header:
            self._header_waits = False
        elif self._table is not None:
            self._index += 1
        self.next = self._peek()

    def take_run(self, numbers: list[int]) -> tuple[int, int] | None:
        """When the next rows to write are exactly these row numbers, and the header is not
        among them: take them, and return their index range in the columns; else None."""
        table = self._table
        if table is None or self._at_header or not numbers or not table.columns:
            return None
        start = self._index
        stop = start + len(numbers)
        if self._header_waits and table.header_row <= numbers[-1]:
            return None
        if table.row_numbers[start:stop] != numbers:
            return None
        self._index = stop
        self.next = self._peek()
        return start, stop

    @property
    def columns(self) -> Mapping[int, Sequence[CellValue]]:
        return self._table.columns if self._table else {}
