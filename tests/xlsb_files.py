"""Excel binary workbooks (.xlsb) for the tests, written from the format's documentation
([MS-XLSB] 2.1.4 records, 2.4 record types): no library we have writes them, and LibreOffice
only reads them. Each record is a type and a size, both variable-length integers of 7 bits a
byte, then its body; a workbook part names the sheets, a sheet part holds rows and cells."""

from __future__ import annotations

import io
import struct
import zipfile
from xml.sax.saxutils import escape

BEGIN_BOOK, END_BOOK, BEGIN_SHEET_LIST, END_SHEET_LIST, SHEET_ENTRY = 131, 132, 143, 144, 156
BEGIN_SHEET, END_SHEET, BEGIN_SHEET_DATA, END_SHEET_DATA, SHEET_DIMENSION = 129, 130, 145, 146, 148
ROW_HEADER, CELL_BLANK, CELL_NUMBER, CELL_TEXT, HYPERLINK = 0, 1, 5, 6, 0x1EE

_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
_OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _variable_length(value: int) -> bytes:
    encoded = bytearray()
    while True:
        low, value = value & 0x7F, value >> 7
        encoded.append(low | (0x80 if value else 0))
        if not value:
            return bytes(encoded)


def record(kind: int, body: bytes = b"") -> bytes:
    return _variable_length(kind) + _variable_length(len(body)) + body


def _wide_string(text: str) -> bytes:
    """XLWideString: a count of UTF-16 code units, then the units."""
    units = text.encode("utf-16-le")
    return struct.pack("<I", len(units) // 2) + units


BLANK = object()  # a formatted cell that holds nothing (BrtCellBlank)


class Raw:
    """A record written as given (type and body) where a cell would be: damaged or odd files."""

    def __init__(self, kind: int, body: bytes = b"") -> None:
        self.kind, self.body = kind, body


def _sheet_part(
    rows: list[list] | dict[tuple[int, int], object], hyperlinks=(), before_data=()
) -> bytes:
    """A sheet part of these rows, or of these cells by (row, column) from 0, sparse; with
    hyperlinks (first row, last row, first column, last column, address; from 0), and records
    (bytes) to write between the sheet's dimension and its data."""
    if isinstance(rows, list):
        rows = {(r, c): value for r, row in enumerate(rows) for c, value in enumerate(row)}
    last_row = max((r for r, _ in rows), default=0)
    last_column = max((c for _, c in rows), default=0)
    dimension = struct.pack("<IIII", 0, last_row, 0, last_column)
    records = [record(BEGIN_SHEET), record(SHEET_DIMENSION, dimension), *before_data]
    records.append(record(BEGIN_SHEET_DATA))
    row_index = None
    for (row, column), value in sorted(rows.items(), key=lambda item: item[0]):
        if row != row_index:
            # row, style, height in twips, three flag bytes, no column spans
            records.append(record(ROW_HEADER, struct.pack("<IIHBBBI", row, 0, 300, 0, 0, 0, 0)))
            row_index = row
        cell = struct.pack("<II", column, 0)  # column, style
        if value is None:
            continue
        if isinstance(value, Raw):
            records.append(record(value.kind, value.body))
        elif value is BLANK:
            records.append(record(CELL_BLANK, cell))
        elif isinstance(value, int | float):
            records.append(record(CELL_NUMBER, cell + struct.pack("<d", float(value))))
        else:
            records.append(record(CELL_TEXT, cell + _wide_string(str(value))))
    records.append(record(END_SHEET_DATA))
    for number, (first_row, last_row, first_column, last_column, _url) in enumerate(hyperlinks, 1):
        # BrtHLink: the range, the relationship's id, location, tooltip, display text
        body = struct.pack("<IIII", first_row, last_row, first_column, last_column)
        body += _wide_string(f"rIdLink{number}") + _wide_string("") * 3
        records.append(record(HYPERLINK, body))
    records.append(record(END_SHEET))
    return b"".join(records)


def _hyperlink_relationships(hyperlinks: list[tuple]) -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_RELATIONSHIPS}">'
        + "".join(
            f'<Relationship Id="rIdLink{number}" Type="{_OFFICE}/hyperlink" '
            f'Target="{escape(link[4])}" TargetMode="External"/>'
            for number, link in enumerate(hyperlinks, 1)
        )
        + "</Relationships>"
    )


def xlsb_bytes(
    sheets: dict[str, list[list] | dict[tuple[int, int], object]],
    hyperlinks: dict[str, list[tuple]] | None = None,
    before_data: dict[str, list[bytes]] | None = None,
) -> bytes:
    """A workbook of these sheets (name: rows of text, numbers or None, or such cells by
    (row, column)), in order; hyperlinks and records before the data by sheet name, as
    _sheet_part takes them."""
    hyperlinks = hyperlinks or {}
    book = [record(BEGIN_BOOK), record(BEGIN_SHEET_LIST)]
    relationships = []
    for number, name in enumerate(sheets, start=1):
        entry = struct.pack("<II", 0, number) + _wide_string(f"rId{number}") + _wide_string(name)
        book.append(record(SHEET_ENTRY, entry))  # visible, tab id, relationship id, name
        relationships.append(
            f'<Relationship Id="rId{number}" Type="{_OFFICE}/worksheet" '
            f'Target="worksheets/sheet{number}.bin"/>'
        )
    book += [record(END_SHEET_LIST), record(END_BOOK)]
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{number}.bin" '
        'ContentType="application/vnd.ms-excel.worksheet"/>'
        for number in range(1, len(sheets) + 1)
    )
    content_types = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Override PartName="/xl/workbook.bin" '
        'ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/>'
        f"{overrides}</Types>"
    )
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr(
            "_rels/.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_RELATIONSHIPS}">'
            f'<Relationship Id="rId1" Type="{_OFFICE}/officeDocument" '
            'Target="xl/workbook.bin"/></Relationships>',
        )
        archive.writestr("xl/workbook.bin", b"".join(book))
        archive.writestr(
            "xl/_rels/workbook.bin.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_RELATIONSHIPS}">'
            f"{''.join(relationships)}</Relationships>",
        )
        for number, (name, rows) in enumerate(sheets.items(), start=1):
            links = hyperlinks.get(name, [])
            part = _sheet_part(rows, links, (before_data or {}).get(name, ()))
            archive.writestr(f"xl/worksheets/sheet{number}.bin", part)
            if links:
                archive.writestr(
                    f"xl/worksheets/_rels/sheet{number}.bin.rels", _hyperlink_relationships(links)
                )
    return package.getvalue()
