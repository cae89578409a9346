"""How far an .xlsx sheet reaches, read before calamine allocates its grid: a 300-byte file with
a cell at A1 and one at XFD1048576 made calamine ask for 549 GB and abort the process. The
crashes run in child processes, so a regression cannot take the test run down with it."""

from __future__ import annotations

import pytest

from map_converter import sheet_extent
from map_converter.sheet_extent import SheetExtent, _valued_extent, xlsx_extent
from map_converter.tables import read_table
from tests.hostile_files import (
    CONTENT_TYPES,
    ROOT_RELS,
    SHEET_HEAD,
    convert_in_child,
    raw_xlsx,
    shared_strings_claim_xlsx,
)

ROWS = '<row r="1"><c r="A1" t="inlineStr"><is><t>Link</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>geo:1.5,2.5</t></is></c></row>'


def _sheet(rows_xml: str, prefix: str = "") -> str:
    head = SHEET_HEAD
    if prefix:
        head = head.replace("<worksheet xmlns=", f"<{prefix}:worksheet xmlns:{prefix}=")
        return f"{head}<{prefix}:sheetData>{rows_xml}</{prefix}:sheetData></{prefix}:worksheet>"
    return f"{head}<sheetData>{rows_xml}</sheetData></worksheet>"


def test_a_cell_at_the_far_corner_is_refused_not_a_crash(tmp_path):
    far = ROWS + '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    path = tmp_path / "far.xlsx"
    path.write_bytes(raw_xlsx(_sheet(far)))
    done = convert_in_child(path, tmp_path / "out.csv")
    assert done.returncode == 1, done.stderr[-2000:]
    assert "reaches as far as cell XFD1048576" in done.stderr


MISLEADING = [
    # rows out of order: the far one first
    ('<row r="900000"><c r="ZZ900000"><v>1</v></c></row>' + ROWS, SheetExtent(900000, 702)),
    # r="…" not first in the tag
    (ROWS + '<row r="3"><c s="0" r="XFD3"><v>1</v></c></row>', SheetExtent(3, 16384)),
    # r='…' in single quotes, and spaces around =
    (ROWS + "<row r='70000'><c r = 'AB70000'><v>1</v></c></row>", SheetExtent(70000, 28)),
    # cells without references: each takes the column after the one before it
    (ROWS + '<row r="3">' + "<c><v>1</v></c>" * 40 + "</row>", SheetExtent(3, 41)),
    # a cell whose reference names a row far past its row's
    (ROWS + '<row r="3"><c r="B999999"><v>1</v></c></row>', SheetExtent(999999, 2)),
]


@pytest.mark.parametrize("chunk_bytes", [5, 64, 1 << 20])
@pytest.mark.parametrize(("rows_xml", "extent"), MISLEADING, ids=range(len(MISLEADING)))
def test_the_extent_is_read_whatever_the_file_does(
    tmp_path, monkeypatch, chunk_bytes, rows_xml, extent
):
    monkeypatch.setattr("map_converter.sheet_extent.CHUNK_BYTES", chunk_bytes)
    path = tmp_path / "sheet.xlsx"
    path.write_bytes(raw_xlsx(_sheet(rows_xml)))
    found = xlsx_extent(path, "Sheet1")
    assert (found.last_row, found.last_column) == (extent.last_row, extent.last_column)


def test_a_prefixed_sheet_is_read_too(tmp_path):
    rows_xml = ROWS.replace("<row", "<x:row").replace("</row>", "</x:row>").replace("<c ", "<x:c ")
    rows_xml = (
        rows_xml.replace("</c>", "</x:c>").replace("<is>", "<x:is>").replace("</is>", "</x:is>")
    )
    rows_xml = rows_xml.replace("<t>", "<x:t>").replace("</t>", "</x:t>")
    far = rows_xml + '<x:row r="3"><x:c r="XFD3"><x:v>1</x:v></x:c><x:c><x:v>1</x:v></x:c></x:row>'
    path = tmp_path / "prefixed.xlsx"
    path.write_bytes(raw_xlsx(_sheet(far, prefix="x")))
    found = xlsx_extent(path, "Sheet1")
    assert (found.last_row, found.last_column) == (3, 16385)  # the last cell follows XFD3


def test_a_far_reaching_sheet_nobody_chose_is_passed_over(tmp_path):
    """A "Read me" sheet with a stray cell far away does not stop the sheet of links."""
    import zipfile

    far = '<row r="1"><c r="A1" t="inlineStr"><is><t>Read me</t></is></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    workbook = (
        '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
        '<sheet name="Read me" sheetId="1" r:id="rId1"/><sheet name="Places" sheetId="2" r:id="rId2"/></sheets></workbook>'
    )
    relationships = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet2.xml"/>'
        "</Relationships>"
    )
    path = tmp_path / "two.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES.replace("sheet1.xml", "sheet1.xml"))
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/_rels/workbook.xml.rels", relationships)
        archive.writestr("xl/worksheets/sheet1.xml", _sheet(far))
        archive.writestr("xl/worksheets/sheet2.xml", _sheet(ROWS))
    table = read_table(path)
    assert table.sheet_name == "Places"


def test_shared_strings_claiming_billions_are_refused_not_a_crash(tmp_path):
    """calamine reserved room for uniqueCount strings: 4,294,967,295 of them asked for 103 GB."""
    path = tmp_path / "strings.xlsx"
    path.write_bytes(shared_strings_claim_xlsx())
    done = convert_in_child(path, tmp_path / "out.csv")
    assert done.returncode == 1, done.stderr[-2000:]
    assert "shared strings claim 4,294,967,295" in done.stderr


@pytest.mark.parametrize(
    "far",
    [
        '<row r="1048576"><c r="XFD1048576" s="0"/></row>',  # a formatted cell, no value
        '<row r="1048576" s="1" customFormat="1"/>',  # a formatted row
        '<row r="900000"><c r="ZZ900000" s="0"></c></row>',  # an empty cell written open
    ],
)
def test_formatting_far_away_does_not_refuse_a_sheet(tmp_path, far):
    """Excel keeps formatted empty cells and rows (the "last cell" far below the data); calamine
    reads only cells with a value, so such a sheet is read, not refused."""
    path = tmp_path / "formatted.xlsx"
    path.write_bytes(raw_xlsx(_sheet(ROWS + far)))
    table = read_table(path)
    assert table.row_count == 1
    found = _valued_extent(path, "xl/worksheets/sheet1.xml")
    assert (found.last_row, found.last_column, found.cells) == (2, 1, 2)


@pytest.mark.parametrize(
    ("rows_xml", "extent"),
    [
        (ROWS + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>', (1048576, 16384, 3)),
        (ROWS + '<row r="3">' + "<c><v>1</v></c>" * 40 + "</row>", (3, 40, 42)),
        (ROWS + "<row r='70000'><c r = 'AB70000'><v>1</v></c></row>", (70000, 28, 3)),
        ('<row r="900000"><c r="ZZ900000"><v>1</v></c></row>' + ROWS, (900000, 702, 3)),
    ],
)
def test_the_exact_extent_counts_the_cells_that_hold_something(tmp_path, rows_xml, extent):
    path = tmp_path / "sheet.xlsx"
    path.write_bytes(raw_xlsx(_sheet(rows_xml)))
    found = _valued_extent(path, "xl/worksheets/sheet1.xml")
    assert (found.last_row, found.last_column, found.cells) == extent


def test_a_sloppy_shared_strings_count_that_costs_little_is_read(tmp_path):
    """A writer that puts the count of references into uniqueCount (500,000 for two strings):
    calamine reserves 12 MB for it, harmless, so the file is read."""
    path = tmp_path / "sloppy.xlsx"
    path.write_bytes(shared_strings_claim_xlsx(claimed=500_000))
    done = convert_in_child(path, tmp_path / "out.csv")
    assert done.returncode == 0, done.stderr[-2000:]


def test_text_without_tags_is_read_in_pieces_of_bounded_size(tmp_path, monkeypatch):
    """A sheet padded with megabytes of whitespace (the zip-bomb corpus's 195 MB one) was read
    as one ever-growing buffer, copied again with every chunk: 14 s and 640 MB for one upload."""
    monkeypatch.setattr(sheet_extent, "CHUNK_BYTES", 1024)
    padding = " " * 200_000
    rows = ROWS.replace('<row r="2">', padding + '<row r="2">') + padding
    path = tmp_path / "padded.xlsx"
    path.write_bytes(raw_xlsx(_sheet(rows)))
    part = "xl/worksheets/sheet1.xml"
    assert max(len(buffer) for buffer, _cut in sheet_extent.xml_pieces(path, part)) <= 3 * 1024
    assert xlsx_extent(path, "Sheet1") == SheetExtent(2, 1)
    # a tag longer than a chunk is still read whole
    long_tag = '<row r="3"><c r="B3" t="inlineStr"' + " " * 5000 + "><is><t>x</t></is></c></row>"
    path.write_bytes(raw_xlsx(_sheet(ROWS + long_tag)))
    assert xlsx_extent(path, "Sheet1") == SheetExtent(3, 2)
