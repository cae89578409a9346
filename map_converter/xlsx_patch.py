"""Write results into a copy of the user's .xlsx by editing only the sheet's XML.

Everything else in the package (other sheets, styles, widths, frozen panes, macros) is copied
byte for byte, which is both faithful and ~20x faster than loading and saving with openpyxl.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from xml.sax.saxutils import escape

from .xlsx_links import column_letters, column_number, sheet_part_path

_ROW_RE = re.compile(rb"<row\b([^>]*?)(?:/>|>(.*?)</row>)", re.DOTALL)
_CELL_RE = re.compile(rb"<c\b([^>]*?)(?:/>|>.*?</c>)", re.DOTALL)
_CELL_REF_RE = re.compile(rb'\br="([A-Z]{1,3})(\d+)"')
_ROW_NUMBER_RE = re.compile(rb'\br="(\d+)"')
_SPANS_RE = re.compile(rb'\s+spans="[^"]*"')
_DIMENSION_RE = re.compile(rb'<dimension ref="([^"]*)"\s*/>')
_SHEET_DATA_OPEN_RE = re.compile(rb"<sheetData\s*/>|<sheetData\b[^>]*>")
_ILLEGAL_XML_CHARS_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """Text without the control characters XML 1.0 cannot hold."""
    return _ILLEGAL_XML_CHARS_RE.sub("", text)


CellValue = float | str | None


def _cell_xml(column: int, row_number: int, value: CellValue) -> bytes:
    """A number cell, or an inline-string cell (never a formula, whatever the text starts with)."""
    reference = f"{column_letters(column)}{row_number}"
    if value is None or value == "":
        return b""
    if isinstance(value, float | int) and not isinstance(value, bool):
        return f'<c r="{reference}"><v>{value!r}</v></c>'.encode()
    text = escape(xml_safe(str(value)))
    return (
        f'<c r="{reference}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'.encode()
    )


def _patch_row(
    attributes: bytes, body: bytes | None, row_number: int, values: Mapping[int, CellValue]
) -> bytes:
    """Row XML with the given columns replaced, cells kept in column order."""
    cells: list[tuple[int, bytes]] = []
    next_column = 0
    for match in _CELL_RE.finditer(body or b""):
        reference = _CELL_REF_RE.search(match.group(1))
        column = column_number(reference.group(1).decode()) if reference else next_column
        next_column = column + 1
        if column not in values:
            cells.append((column, match.group(0)))
    for column, value in values.items():
        cell = _cell_xml(column, row_number, value)
        if cell:
            cells.append((column, cell))
    cells.sort(key=lambda pair: pair[0])
    attributes = _SPANS_RE.sub(b"", attributes)  # spans is a hint that our new cells would break
    return b"<row" + attributes + b">" + b"".join(cell for _, cell in cells) + b"</row>"


def _patch_sheet_xml(
    xml: bytes,
    rows: Mapping[int, Mapping[int, CellValue]],
    last_column: int,
    widths: Mapping[int, float],
) -> bytes:
    """Apply row edits, extend the dimension and give new columns a width."""
    pending = dict(rows)
    previous_row_number = 0

    def replace(match: re.Match) -> bytes:
        nonlocal previous_row_number
        attributes = match.group(1)
        number_match = _ROW_NUMBER_RE.search(attributes)
        row_number = int(number_match.group(1)) if number_match else previous_row_number + 1
        previous_row_number = row_number
        values = pending.pop(row_number, None)
        if values is None:
            return match.group(0)
        return _patch_row(attributes, match.group(2), row_number, values)

    xml = _ROW_RE.sub(replace, xml)
    if pending:  # rows that had no <row> element (blank in the source) are appended in order
        extra = b"".join(
            _patch_row(f' r="{number}"'.encode(), b"", number, values)
            for number, values in sorted(pending.items())
        )
        if b"<sheetData/>" in xml:
            xml = xml.replace(b"<sheetData/>", b"<sheetData>" + extra + b"</sheetData>", 1)
        else:
            xml = xml.replace(b"</sheetData>", extra + b"</sheetData>", 1)

    def widen(match: re.Match) -> bytes:
        reference = match.group(1).decode()
        start, _, end = reference.partition(":")
        end = end or start
        end_match = re.match(r"([A-Z]+)(\d+)", end)
        if not end_match:
            return match.group(0)
        end_column = max(column_number(end_match.group(1)), last_column)
        return (
            f'<dimension ref="{start}:{column_letters(end_column)}{end_match.group(2)}"/>'.encode()
        )

    xml = _DIMENSION_RE.sub(widen, xml, count=1)
    if widths and b"<cols>" not in xml and b"<cols " not in xml:
        cols = b"".join(
            f'<col min="{column + 1}" max="{column + 1}" width="{width}" customWidth="1"/>'.encode()
            for column, width in sorted(widths.items())
        )
        xml = _SHEET_DATA_OPEN_RE.sub(
            lambda found: b"<cols>" + cols + b"</cols>" + found.group(0), xml, count=1
        )
    return xml


def patch_workbook(
    source_path: Path,
    output_path: Path,
    sheet_name: str,
    rows: Mapping[int, Mapping[int, CellValue]],
    new_columns: Sequence[int],
    widths: Mapping[int, float],
) -> None:
    """Copy the workbook with the given cells set on one sheet; nothing else changes."""
    last_column = max([*new_columns, *(c for values in rows.values() for c in values)], default=0)
    temporary_path = Path(str(output_path) + ".partial")
    with zipfile.ZipFile(source_path) as source:
        part = sheet_part_path(source, sheet_name)
        with zipfile.ZipFile(temporary_path, "w", zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                if info.filename == part:
                    xml = _patch_sheet_xml(source.read(part), rows, last_column, widths)
                    target.writestr(info, xml, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
                else:
                    with source.open(info) as member, target.open(info, "w") as copy:
                        shutil.copyfileobj(member, copy, 1 << 20)
    temporary_path.replace(output_path)
