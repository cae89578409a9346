"""A new .xlsx workbook of one sheet, written as its XML parts: the output of a CSV, .ods, .xls
or .xlsb input, which has no .xlsx of its own to patch.

The sheet is written a block of rows at a time, column by column, through the same cell
templates as the sheet patcher (xlsx_cells.NewCells): 100,000 rows of seven columns in 0.77 s,
where XlsxWriter, cell by cell, took 5.0 s. Text stays text (never a formula), numbers
keep every digit, dates are dates, a link that showed only a label keeps its hyperlink.
"""

from __future__ import annotations

import datetime as dt
import html
import itertools
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .background_io import WriteBehind
from .xlsx_cells import DateNumber, NewCells, xml_safe
from .xlsx_links import column_letters, deflate_with_isal
from .xlsx_styles import COORDINATE_NUMBER_FORMAT

EXCEL_CELL_CHARS = 32_767  # the most text one cell holds
BLOCK_ROWS = 1024
DATE_FORMAT = "yyyy-mm-dd hh:mm:ss"
# Styles (cellXfs): 0 the default, 1 the header, 2 a date, 3 a coordinate.
HEADER_STYLE, DATE_STYLE, COORDINATE_STYLE = b' s="1"', b' s="2"', b' s="3"'


def quoteattr(text: str) -> str:
    """An XML attribute value, quoted (xml.sax.saxutils has this, but importing it takes 30 ms:
    it brings urllib.request)."""
    return f'"{html.escape(text, quote=True)}"'


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
CONTENT_TYPES = (
    f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)  # fmt: skip
ROOT_RELATIONSHIPS = (
    f'{_XML}<Relationships xmlns="{_PACKAGE}"><Relationship Id="rId1" '
    f'Type="{_OFFICE}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK_RELATIONSHIPS = (
    f'{_XML}<Relationships xmlns="{_PACKAGE}">'
    f'<Relationship Id="rId1" Type="{_OFFICE}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_OFFICE}/styles" Target="styles.xml"/></Relationships>'
)
STYLES = (
    f'{_XML}<styleSheet xmlns="{_MAIN}"><numFmts count="2">'
    f'<numFmt numFmtId="164" formatCode={quoteattr(DATE_FORMAT)}/>'
    f'<numFmt numFmtId="165" formatCode={quoteattr(COORDINATE_NUMBER_FORMAT)}/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
    "</cellStyles></styleSheet>"
)  # fmt: skip
_EXCEL_EPOCH = dt.datetime(1899, 12, 31)
_FIRST_DAY = dt.datetime(1900, 1, 1)


def excel_serial(value: dt.datetime | dt.date) -> float | None:
    """A date's number in Excel's 1900 date system (which counts a 29 February 1900 that never
    was); None before 1900, which Excel cannot show."""
    if isinstance(value, dt.datetime):
        value = value.replace(tzinfo=None)  # a spreadsheet's dates have no time zone
    else:
        value = dt.datetime(value.year, value.month, value.day)
    if value < _FIRST_DAY:
        return None
    delta = value - _EXCEL_EPOCH
    serial = delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400
    return serial + 1 if serial >= 60 else serial


def _workbook(sheet_name: str) -> str:
    return (
        f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_OFFICE}"><bookViews>'
        '<workbookView activeTab="0"/></bookViews><sheets>'
        f'<sheet name={quoteattr(xml_safe(sheet_name))} sheetId="1" r:id="rId1"/></sheets>'
        "</workbook>"
    )


def _cell_value(value: object) -> object:
    """What a cell holds in the workbook: text cut to what a cell holds, a date as its number,
    a time of day or a duration as its text, other values as they are."""
    if isinstance(value, str):
        return value[:EXCEL_CELL_CHARS]
    if isinstance(value, dt.date):
        serial = excel_serial(value)
        return DateNumber(serial) if serial is not None else value.isoformat()
    if isinstance(value, dt.time | dt.timedelta):
        return str(value)
    return value


_AS_THEY_ARE = frozenset((float, int, bool, type(None)))


def _column_values(values: tuple) -> Sequence:
    """_cell_value of each value; a column of plain numbers, or of text no cell cuts, as it is
    (checked in C)."""
    kinds = set(map(type, values))
    if kinds <= _AS_THEY_ARE:
        return values
    if kinds <= {str, type(None)} and max(map(len, filter(None, values)), default=0) <= (
        EXCEL_CELL_CHARS
    ):
        return values
    return [_cell_value(value) for value in values]


def write_new_workbook(
    path: Path,
    sheet_name: str,
    header: Sequence[str],
    rows: Callable[[], Iterable[list]],
    widths: Mapping[int, float],
    coordinate_columns: Iterable[int] = (),
    hyperlinks: Mapping[int, Sequence[str | None]] | None = None,
    note_column: int | None = None,
) -> None:
    """The workbook: a bold header row frozen above the rows (rows() gives lists of values, as
    wide as the header), each column as wide as widths says. hyperlinks: per column, each row's
    link (or None), set on that row's cell. note_column: where a row says which of its cells
    held more text than a cell holds (and is cut).

    The sheet is written without Zip64 extensions (which some Excel versions take for damage)
    unless it comes to more than 2 GiB: then it is written again, with them."""
    sheet = _Sheet(header, widths, coordinate_columns, hyperlinks or {}, note_column)
    try:
        sheet.write(path, _excel_sheet_name(sheet_name), rows(), zip64=False)
    except RuntimeError as error:  # zipfile: "File size too large, try using force_zip64"
        if "force_zip64" not in str(error):
            raise
        sheet.write(path, _excel_sheet_name(sheet_name), rows(), zip64=True)


_NOT_IN_SHEET_NAMES_RE = re.compile(r"[\[\]:*?/\\]")


def _excel_sheet_name(name: str) -> str:
    """A name Excel takes for a sheet: at most 31 characters, none of []:*?/\\, not starting or
    ending with an apostrophe (an .ods sheet's name may be longer, or hold them)."""
    name = _NOT_IN_SHEET_NAMES_RE.sub("_", xml_safe(name)).strip("'")[:31].strip("'")
    return name if name.strip() and name.lower() != "history" else "Sheet1"


class _Sheet:
    """One sheet's parts, written into a new package."""

    def __init__(self, header, widths, coordinate_columns, hyperlinks, note_column):
        self.header = header
        self.widths = widths
        self.cells = NewCells(b"", dict.fromkeys(coordinate_columns, COORDINATE_STYLE), DATE_STYLE)
        self.links = _hyperlinks(hyperlinks)
        self.note_column = note_column

    def write(self, path: Path, sheet_name: str, rows: Iterable[list], zip64: bool) -> None:
        header_cells = NewCells(b"", dict.fromkeys(range(len(self.header)), HEADER_STYLE))
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("[Content_Types].xml", CONTENT_TYPES)
            archive.writestr("_rels/.rels", ROOT_RELATIONSHIPS)
            archive.writestr("xl/workbook.xml", _workbook(sheet_name))
            archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELATIONSHIPS)
            archive.writestr("xl/styles.xml", STYLES)
            entry = zipfile.ZipInfo("xl/worksheets/sheet1.xml", (1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(entry, "w", force_zip64=zip64) as part:
                deflate_with_isal(part, entry)
                with WriteBehind(part) as writer:
                    writer.write(_sheet_head(self.header, self.widths, header_cells))
                    for block in _blocks(rows):
                        writer.write(_rows_xml(self.cells, block, self.note_column))
                    writer.write(b"</sheetData>" + self.links.sheet_xml + b"</worksheet>")
            if self.links.relationships:
                archive.writestr("xl/worksheets/_rels/sheet1.xml.rels", self.links.relationships)


def _sheet_head(header: Sequence[str], widths: Mapping[int, float], header_cells) -> bytes:
    columns = "".join(
        f'<col min="{column + 1}" max="{column + 1}" width="{widths.get(column, 18.0)!r}" '
        'customWidth="1"/>'
        for column in range(len(header))
    )
    head = (
        f'{_XML}<worksheet xmlns="{_MAIN}" xmlns:r="{_OFFICE}"><sheetViews>'
        '<sheetView tabSelected="1" workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
        'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft"/></sheetView>'
        f'</sheetViews><sheetFormatPr defaultRowHeight="15"/><cols>{columns}</cols><sheetData>'
    ).encode()
    titles = {column: str(title) for column, title in enumerate(header) if title != ""}
    return head + b'<row r="1">' + header_cells.row_xml(1, titles) + b"</row>"


def _blocks(rows: Iterable[list]):
    """(first row number, rows) of BLOCK_ROWS rows at a time; the first row is row 2."""
    iterator = iter(rows)
    number = 2
    while block := list(itertools.islice(iterator, BLOCK_ROWS)):
        yield number, block
        number += len(block)


def _rows_xml(cells: NewCells, block: tuple[int, list[list]], note_column: int | None) -> bytes:
    first, rows = block
    numbers = range(first, first + len(rows))
    columns = list(zip(*rows, strict=True))
    if note_column is not None:
        _say_what_is_cut(columns, first, note_column)
    values = {column: _column_values(column_values) for column, column_values in enumerate(columns)}
    row_cells = cells.rows_xml(numbers, values, 0)
    return b"".join(
        b'<row r="%d">%s</row>' % (number, xml)
        for number, xml in zip(numbers, row_cells, strict=True)
        if xml
    )


def _say_what_is_cut(columns: list[tuple], first: int, note_column: int) -> None:
    """A row holding text longer than a cell holds says in its note which cell is cut (found
    in C for a column of text, cell by cell for a mixed one)."""
    long_cells: dict[int, list[str]] = {}
    for column, values in enumerate(columns):
        try:
            if max(map(len, filter(None, values)), default=0) <= EXCEL_CELL_CHARS:
                continue
        except TypeError:  # not all text or empty
            pass
        for index, value in enumerate(values):
            if isinstance(value, str) and len(value) > EXCEL_CELL_CHARS:
                long_cells.setdefault(index, []).append(f"{column_letters(column)}{first + index}")
    if not long_cells:
        return
    notes = list(columns[note_column])
    for index, references in long_cells.items():
        cut = (
            f"{', '.join(references)} held more than Excel's {EXCEL_CELL_CHARS:,} characters "
            "and is cut in this .xlsx (the .csv output keeps it whole)"
        )
        notes[index] = f"{notes[index]}; {cut}" if notes[index] else cut
    columns[note_column] = tuple(notes)


# Excel's limits: a sheet holds at most 65,530 hyperlinks, and one's address at most 2,079
# characters (past either, Excel reports the file damaged). A link past them is still in the
# CSV, GeoJSON and KML outputs ("Map link URL"); here its cell keeps the label alone.
MAX_HYPERLINKS = 65_530
MAX_HYPERLINK_CHARS = 2_079


@dataclass(frozen=True)
class SheetHyperlinks:
    """A sheet's <hyperlinks> element, and its relationships part (empty: none)."""

    sheet_xml: bytes = b""
    relationships: str = ""


def _hyperlinks(links: Mapping[int, Sequence[str | None]]) -> SheetHyperlinks:
    """The sheet's <hyperlinks> and the relationships they point through."""
    references, targets = [], []
    for column, urls in sorted(links.items()):
        letters = column_letters(column)
        for index, url in enumerate(urls):
            if url and len(url) <= MAX_HYPERLINK_CHARS and len(targets) < MAX_HYPERLINKS:
                targets.append(url)
                references.append(
                    f'<hyperlink ref="{letters}{index + 2}" r:id="rId{len(targets)}"/>'
                )
    if not targets:
        return SheetHyperlinks()
    relationships = "".join(
        f'<Relationship Id="rId{number}" Type="{_OFFICE}/hyperlink" '
        f'Target={quoteattr(xml_safe(url))} TargetMode="External"/>'
        for number, url in enumerate(targets, start=1)
    )
    return SheetHyperlinks(
        f"<hyperlinks>{''.join(references)}</hyperlinks>".encode(),
        f'{_XML}<Relationships xmlns="{_PACKAGE}">{relationships}</Relationships>',
    )
