"""A sheet as a table (header, rows, links behind labels) from any supported file, and which
column holds the links."""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from .csv_rows import read_csv_rows
from .errors import (
    MAX_COLUMNS,
    EmptyFileError,
    MapConverterError,
    NoLinkColumnError,
    TooManyColumnsError,
    TooManyRowsError,
)
from .link_finding import find_urls
from .links import read_link
from .sheet_xml import SoundSheet
from .sniffing import sniff_format
from .workbook_sheets import read_beside_calamine, workbook_grids

COLUMN_SAMPLE_ROWS = 500

LINK_HEADERS = {
    "map link", "maps link", "map", "maps", "url", "link", "links", "location", "locations",
    "google maps", "google maps link", "google map", "google map link", "maps url", "map url",
    "location link", "gmaps", "coordinates", "coords", "gps", "geo", "pin", "share link",
}  # fmt: skip
LATITUDE_HEADERS = {"latitude", "lat", "latts", "latt", "lats"}
LONGITUDE_HEADERS = {"longitude", "lng", "lon", "long", "longs", "longt"}
NAME_HEADERS = {
    "name", "place", "place name", "title", "label", "location name", "store", "site",
    "business", "company", "customer", "shop", "venue", "client", "customer name", "client name",
    "contact", "account", "organisation", "organization", "restaurant", "hotel", "branch",
}  # fmt: skip


def normalise_header(value: object) -> str:
    """Header as compared: lower case, single spaces, no underscores or trailing colons."""
    text = str(value if value is not None else "").strip().lower()
    text = re.sub(r"[\s_\-]+", " ", text).strip(" :")
    return text


@dataclass
class Table:
    """One sheet as read: header, data rows (plain Python values) and where they came from."""

    path: Path
    format: str
    sheet_names: list[str]
    sheet_name: str | None
    header: list[str]
    rows: list[list]
    row_numbers: list[int]  # 1-based, as the user sees them in the sheet
    header_row_number: int
    # (row_number, column_index) -> hyperlink target or =HYPERLINK() URL
    cell_links: dict[tuple[int, int], str] = field(default_factory=dict)
    # When only the first rows were kept (a description of the upload): how many there are.
    counted_rows: int | None = None
    # The sheet's XML passed sheet_xml.check_sheet (read_table's check_sheet_xml).
    sound_sheet: SoundSheet | None = None
    # CSV/TSV only: the delimiter, and how many columns the header row names. A row with more
    # cells than that may hold a link written without quotes and cut at its commas.
    csv_delimiter: str | None = None
    named_columns: int = 0

    @property
    def row_count(self) -> int:
        return len(self.rows) if self.counted_rows is None else self.counted_rows

    def column_index(self, name: str) -> int | None:
        """Index of the column with this header (exact first, then case/spacing-insensitive)."""
        if name in self.header:
            return self.header.index(name)
        wanted = normalise_header(name)
        for index, header in enumerate(self.header):
            if normalise_header(header) == wanted:
                return index
        return None

    @functools.cached_property
    def coordinate_pair(self) -> tuple[int, int] | None:
        """(latitude column, longitude column) when the header names both and they hold numbers:
        a pair that reads as one point a row, as if 'lat, lng' were typed in one cell."""
        lat_column = find_column(self, LATITUDE_HEADERS)
        lng_column = find_column(self, LONGITUDE_HEADERS)
        if lat_column is None or lng_column is None:
            return None
        filled = numbers = 0
        for row in self.rows[:COLUMN_SAMPLE_ROWS]:
            lat, lng = _pair_part(row, lat_column), _pair_part(row, lng_column)
            filled += bool(lat[0] or lng[0])
            numbers += lat[1] and lng[1]
        return (lat_column, lng_column) if numbers and numbers * 2 >= filled else None

    def reads_pair(self, column: int) -> bool:
        """Whether points read from this column come from the latitude and longitude pair."""
        pair = self.coordinate_pair
        return pair is not None and column in pair

    def link_text(self, data_index: int, column: int) -> str:
        """The text a point is read from: pair_text or cell_link_text, as the column is."""
        read = self.pair_text if self.reads_pair(column) else self.cell_link_text
        return read(data_index, column)

    def pair_text(self, data_index: int, column: int) -> str:
        """The text a point is read from when `column` is one of the latitude and longitude pair
        (see reads_pair): both its cells, as 'lat, lng' typed in one cell."""
        row, (lat_column, lng_column) = self.rows[data_index], self.coordinate_pair
        lat, lng = _pair_part(row, lat_column)[0], _pair_part(row, lng_column)[0]
        return f"{lat}, {lng}" if lat and lng else lat or lng

    def cell_link_text(self, data_index: int, column: int) -> str:
        """The text a point is read from in any other column: the link in the cell, its
        hyperlink target when the visible text is only a label."""
        row = self.rows[data_index]
        text = cell_text(row[column]) if column < len(row) else ""
        if self.csv_delimiter is not None and len(row) > self.named_columns:
            return self._link_cut_at_delimiters(row, column, text)
        if not self.cell_links:
            return text
        target = self.cell_links.get((self.row_numbers[data_index], column))
        if target and (not text or read_link(text).location is None):
            return target
        return text

    def _link_cut_at_delimiters(self, row: list, column: int, text: str) -> str:
        """A link written into a CSV line without quotes is cut at each comma, its pieces pushed
        into the cells after it. When the cell starts a link but alone names no point: the cell
        joined with as many of the next cells as the row has cells too many (the text the
        person wrote, the same delimiters between), if that names a point or is a short link."""
        stripped = text.strip()
        if not stripped or _looks_like_map_link(stripped):
            return text
        starts = find_urls(stripped)
        if not starts or starts[0][1] != 0:
            return text  # only a cell that starts a link: a name before one never reads as it
        surplus = len(row) - self.named_columns  # all of them: a shorter piece of a place link
        pieces = [cell_text(cell) for cell in row[column + 1 : column + 1 + surplus]]
        if any("://" in piece or "geo:" in piece.lower() for piece in pieces):
            return text  # another link follows: never joined into this one
        joined = self.csv_delimiter.join([text, *pieces]).rstrip(self.csv_delimiter)
        return joined if _looks_like_map_link(joined) else text


_ONE_DECIMAL_COMMA_RE = re.compile(r"[-+]?\d+,\d+")


def _pair_part(row: list, column: int) -> tuple[str, bool]:
    """One cell of a latitude/longitude pair: its text (a number in full, '48.0' never '48'; a
    decimal comma as the decimal mark, the cell holding one number; else as typed), and whether
    it is a number."""
    value = row[column] if column < len(row) else None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (repr(float(value)), True) if math.isfinite(value) else ("", False)
    text = cell_text(value).strip()
    if _ONE_DECIMAL_COMMA_RE.fullmatch(text):
        text = text.replace(",", ".")
    try:
        return text, math.isfinite(float(text))
    except ValueError:
        return text, False


def cell_text(value: object) -> str:
    """A cell value as the text a person sees (3.0 -> '3', dates as ISO)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if not math.isfinite(value):
            return ""  # 1e999 in a workbook: no number we can write back, so an empty cell
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)


# --- reading -----------------------------------------------------------------------------------


def read_table(
    path: Path | str,
    sheet: str | None = None,
    max_rows: int | None = None,
    file_format: str | None = None,
    keep_rows: int | None = None,
    check_sheet_xml: bool = False,
) -> Table:
    """Read the chosen sheet of any supported spreadsheet. Without a choice: the first sheet that
    has a column of links, else the first sheet with data (a "Read me" sheet never stops anyone).

    file_format is sniff_format's answer when the caller already has it. keep_rows keeps only
    the first rows (and counts the rest), enough to describe an upload without holding it.
    check_sheet_xml: also check an .xlsx sheet's XML for the patcher (Table.sound_sheet),
    while calamine reads it.
    """
    path = Path(path)
    file_format = file_format or sniff_format(path)
    if file_format in ("csv", "tsv"):
        grid, delimiter = read_csv_rows(path, file_format, _with_header_margin(keep_rows))
        table = _table_from_grid(path, file_format, [], None, grid, {})
        table.csv_delimiter = delimiter
    else:
        table = _read_workbook_table(
            path, file_format, sheet, _with_header_margin(keep_rows), check_sheet_xml
        )
    if max_rows is not None and table.row_count > max_rows:
        raise TooManyRowsError(
            f"The sheet has {table.row_count:,} rows; the limit is {max_rows:,}. "
            "Split the file into smaller ones and convert each."
        )
    return table


def _with_header_margin(keep_rows: int | None) -> int | None:
    return None if keep_rows is None else keep_rows + 2  # a title line and the header above


def _read_workbook_table(
    path: Path,
    file_format: str,
    sheet: str | None,
    keep: int | None = None,
    check_sheet_xml: bool = False,
) -> Table:
    first_table: Table | None = None  # a sheet of latitude/longitude columns first, else any
    first_error: MapConverterError | None = None
    for table in _workbook_tables(path, file_format, sheet, keep, check_sheet_xml):
        if isinstance(table, MapConverterError):
            if sheet is not None:
                raise table
            first_error = first_error or table
        elif sheet is not None or has_link_column(table, pairs=False):
            return table
        elif first_table is None or (
            first_table.coordinate_pair is None and table.coordinate_pair is not None
        ):
            first_table = table
    if first_table is not None:
        return first_table
    raise first_error or EmptyFileError("Every sheet of the workbook is empty.")


def _workbook_tables(path, file_format, sheet, keep, check_sheet_xml=False):
    """Each sheet's Table in order (the chosen one, or those with data among the first
    MAX_SHEETS_LOOKED_AT), or the error that keeps a sheet from being one."""
    alongside = read_beside_calamine(path, file_format, check_sheet_xml)
    grids = workbook_grids(path, sheet, keep, alongside, file_format)
    for sheet_names, sheet_name, grid, extras in grids:
        links, sound_sheet = extras.result() if extras else ({}, None)
        try:
            table = _table_from_grid(path, file_format, sheet_names, sheet_name, grid, links)
        except (EmptyFileError, TooManyColumnsError) as error:
            yield error
            continue
        table.sound_sheet = sound_sheet
        yield table


def sheets_with_links(path: Path | str) -> list[str]:
    """The sheets that have a column of links, from their first rows, all read in one opening
    of the workbook: a hint for a person whose chosen sheet has none."""
    path = Path(path)
    file_format = sniff_format(path)
    if file_format in ("csv", "tsv"):
        return []
    tables = _workbook_tables(path, file_format, None, _with_header_margin(COLUMN_SAMPLE_ROWS))
    return [
        t.sheet_name for t in tables if isinstance(t, Table) and has_link_column(t, pairs=False)
    ]


def has_link_column(table: Table, *, pairs: bool = True) -> bool:
    try:
        detect_link_column(table, pairs=pairs)
    except NoLinkColumnError:
        return False
    return True


def _filled_cells(row: list) -> int:
    return sum(1 for cell in row if cell not in ("", None))


def _find_header_index(rows: list[tuple[int, list]]) -> int | None:
    """Index (in rows) of the header: the first row, unless it is a one-cell title line above a
    wider header row."""
    if not rows:
        return None
    if len(rows) > 1 and _filled_cells(rows[0][1]) == 1:
        second = rows[1][1]
        looks_like_header = all(
            isinstance(cell, str) and any(c.isalpha() for c in cell) and "://" not in cell
            and read_link(cell).location is None
            for cell in second
            if cell not in ("", None)
        )  # fmt: skip
        if _filled_cells(second) >= 2 and looks_like_header:
            return 1  # "My places (export of 2026-11-01)" above the real header
    return 0


def _table_from_grid(path, file_format, sheet_names, sheet_name, grid, cell_links) -> Table:
    """The header row (see _find_header_index) and the data rows below it; blank rows are
    already gone (grid holds (row number, cells) of the rows with something in them)."""
    grid, non_blank_count = grid.kept, grid.count
    header_index = _find_header_index(grid)
    if header_index is None:
        raise EmptyFileError("The sheet is empty. It needs a header row and rows of links.")
    header_row_number, header_cells = grid[header_index]
    header = [cell_text(cell).strip() for cell in header_cells]
    while header and not header[-1]:
        header.pop()
    if len(header) > MAX_COLUMNS:
        raise TooManyColumnsError.for_count(len(header))
    width = named_columns = len(header)
    header = [name or f"Column {index + 1}" for index, name in enumerate(header)]
    rows, row_numbers = [], []
    for row_number, row in grid[header_index + 1 :]:
        if len(row) > width and any(cell not in ("", None) for cell in row[width:]):
            width = max(index + 1 for index, cell in enumerate(row) if cell not in ("", None))
            if width > MAX_COLUMNS:
                raise TooManyColumnsError.for_count(width)
            header.extend(f"Column {number + 1}" for number in range(len(header), width))
        rows.append(row)
        row_numbers.append(row_number)
    if not rows:
        raise EmptyFileError("The sheet has a header row but no data rows.")
    counted = non_blank_count - header_index - 1
    return Table(
        path, file_format, sheet_names, sheet_name, header, rows, row_numbers,
        header_row_number, cell_links, counted_rows=counted if counted != len(rows) else None,
        named_columns=named_columns,
    )  # fmt: skip


# --- which columns mean what -------------------------------------------------------------------


def _looks_like_map_link(text: str) -> bool:
    reading = read_link(text)
    return reading.location is not None or reading.is_short_link


def detect_link_column(table: Table, requested: str | None = None, *, pairs: bool = True) -> int:
    """The link column: the one named by the caller, else by header and content, else (with
    pairs) the latitude column of a latitude and longitude pair."""
    if requested:
        index = table.column_index(requested)
        if index is None:
            raise NoLinkColumnError(
                f"There is no column named {requested!r}. Columns: {', '.join(table.header)}."
            )
        return index
    sample = range(min(len(table.rows), COLUMN_SAMPLE_ROWS))
    scores = []
    for column in range(len(table.header)):
        texts = [table.cell_link_text(index, column) for index in sample]
        filled = [text for text in texts if text.strip()]
        hits = sum(1 for text in filled if _looks_like_map_link(text))
        scores.append(hits / len(filled) if filled else 0.0)
    best_score = max(scores, default=0.0)
    header_matches = [
        column for column, name in enumerate(table.header) if normalise_header(name) in LINK_HEADERS
    ]
    pair = table.coordinate_pair if pairs else None
    if pair is not None and not best_score:  # no cell reads as a link: not even one named so
        return pair[0]
    for column in header_matches:
        if scores[column] >= best_score * 0.5:
            return column
    if best_score >= 0.3:
        return scores.index(best_score)
    if header_matches:
        return header_matches[0]
    if pair is not None:
        return pair[0]
    raise NoLinkColumnError(
        "No column holds map links or coordinates. Name the column (for example 'Map link') "
        "or choose it explicitly."
    )


def find_column(table: Table, names: set[str]) -> int | None:
    """First column whose normalised header is one of names."""
    for index, header in enumerate(table.header):
        if normalise_header(header) in names:
            return index
    return None
