"""Writing results: the same table with coordinates (.xlsx or .csv), GeoJSON and KML."""

from __future__ import annotations

import csv
import functools
import itertools
import math
import operator
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import UnsupportedFormatError
from .map_formats import write_geojson, write_kml
from .new_workbook import write_new_workbook
from .results import Conversion, RowResult, RowStatus
from .sheet_values import ColumnValues
from .tables import LATITUDE_HEADERS, LONGITUDE_HEADERS, cell_text, find_column
from .xlsx_patch import patch_workbook

OUTPUT_FORMATS = ("xlsx", "csv", "geojson", "kml")
MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xlsm": "application/vnd.ms-excel.sheet.macroEnabled.12",
    "csv": "text/csv; charset=utf-8",
    "geojson": "application/geo+json",
    "kml": "application/vnd.google-earth.kml+xml",
}
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER_RE = re.compile(r"^[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$")
NEW_COLUMN_WIDTHS = {"Latitude": 12.0, "Longitude": 12.0, "Status": 9.0, "Note": 34.0}


def neutralise_formula(text: str) -> str:
    """Prefix text that a spreadsheet would run as a formula; plain numbers stay numbers."""
    if text.startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER_RE.match(text):
        return "'" + text
    return text


@dataclass(frozen=True)
class OutputLayout:
    """Header of the output and where the four result columns go.

    An existing latitude/longitude column is filled in; Status and Note are always columns of
    our own, under a name the sheet does not use yet, so a user's own Notes are never overwritten.
    """

    header: list[str]
    lat_column: int
    lng_column: int
    status_column: int
    note_column: int
    new_columns: tuple[int, ...]


OUR_COLUMN_NAMES = {"status": ("Status", "Map link status"), "note": ("Note", "Map link note")}


def _free_name(header: list[str], choices: tuple[str, ...]) -> str:
    taken = {str(title).strip().lower() for title in header}
    for name in choices:
        if name.lower() not in taken:
            return name
    number = 2
    while f"{choices[-1]} ({number})".lower() in taken:
        number += 1
    return f"{choices[-1]} ({number})"


def output_layout(conversion: Conversion) -> OutputLayout:
    """Fill the sheet's own Latitude/Longitude columns if it has them (the pair the points are
    read from, when they are); add the rest."""
    header = list(conversion.table.header)
    new_columns = []
    columns = []
    reads_pair = conversion.reads_coordinate_pair
    for names, title in ((LATITUDE_HEADERS, "Latitude"), (LONGITUDE_HEADERS, "Longitude")):
        existing = find_column(conversion.table, names)
        if existing is None or (existing == conversion.link_column and not reads_pair):
            existing = len(header)
            header.append(_free_name(header, (title, f"Map link {title.lower()}")))
            new_columns.append(existing)
        columns.append(existing)
    for key in ("status", "note"):
        columns.append(len(header))
        new_columns.append(len(header))
        header.append(_free_name(header, OUR_COLUMN_NAMES[key]))
    return OutputLayout(header, *columns, tuple(new_columns))


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        try:
            value = float(str(value).strip()) if value not in (None, "") else None
        except ValueError:
            return None
    return float(value) if value is not None and math.isfinite(value) else None


def _result_cells(layout: OutputLayout, result: RowResult, row: list) -> dict[int, object]:
    """The cells we write for one row. A point we found replaces coordinates already in the
    sheet (the Note says so); a row where we found none keeps them (the Note says that too)."""
    note = result.note
    cells: dict[int, object] = {layout.status_column: str(result.status)}
    old_lat = _number(row[layout.lat_column]) if layout.lat_column < len(row) else None
    old_lng = _number(row[layout.lng_column]) if layout.lng_column < len(row) else None
    had_coordinates = old_lat is not None and old_lng is not None
    if result.status is RowStatus.OK:
        cells[layout.lat_column] = result.lat
        cells[layout.lng_column] = result.lng
        if had_coordinates and (old_lat, old_lng) != (result.lat, result.lng):
            note = f"{note}; replaced {old_lat!r}, {old_lng!r}"
    elif had_coordinates:
        note = f"{note}; kept the coordinates already in the sheet"
    else:
        cells[layout.lat_column] = None
        cells[layout.lng_column] = None
    cells[layout.note_column] = note
    return cells


def _values_to_write(conversion: Conversion, layout: OutputLayout) -> ColumnValues | Iterator:
    """_result_cells of every row for the sheet patcher: column by column when no coordinates
    of the user's are there to keep or replace (each row's cells are then its result's), else
    row by row (a row that keeps the user's coordinates leaves those cells out)."""
    table, results = conversion.table, conversion.results
    header = {column: layout.header[column] for column in layout.new_columns}
    if layout.lat_column in layout.new_columns and layout.lng_column in layout.new_columns:
        ok = RowStatus.OK
        columns = {
            layout.status_column: [result.status.value for result in results],  # shared strs
            layout.lat_column: [result.lat if result.status is ok else None for result in results],
            layout.lng_column: [result.lng if result.status is ok else None for result in results],
            layout.note_column: [result.note for result in results],
        }
        numbers = [result.row_number for result in results]
        return ColumnValues(numbers, columns, table.header_row_number, header)
    return itertools.chain(
        [(table.header_row_number, header)],
        (
            (result.row_number, _result_cells(layout, result, table.rows[index]))
            for index, result in enumerate(results)
        ),
    )  # generated row by row as the patcher reaches each row


def output_rows(conversion: Conversion, layout: OutputLayout) -> Iterator[tuple[RowResult, list]]:
    """Each result with its full output row (original cells, results filled in)."""
    width = len(layout.header)
    for index, result in enumerate(conversion.results):
        original = conversion.table.rows[index]
        row = list(original[:width])
        row.extend([None] * (width - len(row)))
        for column, value in _result_cells(layout, result, original).items():
            row[column] = value
        yield result, row


def default_format(input_format: str) -> str:
    """Output format that matches the input: CSV stays CSV, any workbook becomes .xlsx."""
    return "csv" if input_format in ("csv", "tsv") else "xlsx"


def format_from_path(path: Path) -> str | None:
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("xlsx", "xlsm"):
        return "xlsx"
    if suffix in ("csv", "geojson", "kml"):
        return suffix
    if suffix == "json":
        return "geojson"
    return None


def write_output(conversion: Conversion, path: Path | str, output_format: str | None = None) -> str:
    """Write the conversion in the given (or the path's, or the input's) format; returns it."""
    path = Path(path)
    output_format = (
        output_format or format_from_path(path) or default_format(conversion.table.format)
    )
    writers = {"xlsx": write_xlsx, "csv": write_csv, "geojson": write_geojson, "kml": write_kml}
    if output_format not in writers:
        raise UnsupportedFormatError(
            f"Unknown output format {output_format!r}; use one of {', '.join(OUTPUT_FORMATS)}."
        )
    writers[output_format](conversion, output_layout(conversion), path)
    return output_format


def _column_widths(conversion: Conversion, layout: OutputLayout) -> dict[int, float]:
    """Widths of our new columns; a coordinate column is wide enough for its longest number,
    shown in full by COORDINATE_NUMBER_FORMAT (a too narrow column would show ####)."""
    numbers = itertools.chain(
        map(operator.attrgetter("lat"), conversion.results),
        map(operator.attrgetter("lng"), conversion.results),
    )
    digits = max(
        map(len, map(repr, filter(functools.partial(operator.is_not, None), numbers))), default=0
    )
    widths = {}
    for column in layout.new_columns:
        width = NEW_COLUMN_WIDTHS.get(layout.header[column], 18.0)
        if column in (layout.lat_column, layout.lng_column):
            width = max(width, digits + 2.0)
        widths[column] = width
    return widths


def write_xlsx(conversion: Conversion, layout: OutputLayout, path: Path) -> None:
    """Patch the user's workbook when it is .xlsx/.xlsm, else write a new one."""
    table = conversion.table
    if table.format in ("xlsx", "xlsm"):
        rows = _values_to_write(conversion, layout)
        widths = _column_widths(conversion, layout)
        patch_workbook(
            table.path,
            path,
            table.sheet_name,
            rows,
            layout.new_columns,
            widths,
            header_row=table.header_row_number,
            last_column=max(
                layout.lat_column, layout.lng_column, layout.status_column, layout.note_column
            ),
            coordinate_columns=[
                column
                for column in (layout.lat_column, layout.lng_column)
                if column in layout.new_columns
            ],
            sound_sheet=table.sound_sheet,
        )
        return
    _write_new_xlsx(conversion, layout, path)


def _write_new_xlsx(conversion: Conversion, layout: OutputLayout, path: Path) -> None:
    """A fresh workbook (new_workbook); the link column's cells that showed a label keep the
    link behind it."""
    urls = link_urls(conversion)
    widths = _column_widths(conversion, layout)
    write_new_workbook(
        path,
        conversion.table.sheet_name or "Sheet1",
        layout.header,
        lambda: (row for _result, row in output_rows(conversion, layout)),
        {
            column: widths.get(column, NEW_COLUMN_WIDTHS.get(title, 18.0))
            for column, title in enumerate(layout.header)
        },
        coordinate_columns=(layout.lat_column, layout.lng_column),
        hyperlinks={conversion.link_column: urls} if urls else None,
        note_column=layout.note_column,
    )


def link_urls(conversion: Conversion) -> list[str | None] | None:
    """Per row, the link behind a cell that only shows a label ("Open map" with a hyperlink);
    None when no row has one. Files without hyperlinks (CSV) keep their shape."""
    urls = [conversion.link_behind_label(index) for index in range(len(conversion.results))]
    return urls if any(urls) else None


def write_csv(conversion: Conversion, layout: OutputLayout, path: Path) -> None:
    """UTF-8 CSV (with BOM so Excel reads accents right); formula-like text is neutralised."""
    numeric_columns = {layout.lat_column, layout.lng_column}
    urls = link_urls(conversion)
    header = list(layout.header)
    if urls:
        header.append(_free_name(header, ("Map link URL",)))
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([neutralise_formula(title) for title in header])
        for index, (_result, row) in enumerate(output_rows(conversion, layout)):
            if urls:
                row = [*row, urls[index]]
            writer.writerow(
                [
                    (
                        repr(value)
                        if isinstance(value, float) and math.isfinite(value)
                        else cell_text(value)
                    )
                    if column in numeric_columns and value is not None
                    else neutralise_formula(cell_text(value))
                    for column, value in enumerate(row)
                ]
            )
