"""Reading every supported format, finding the link column, and writing results back."""

from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path

import openpyxl
import pytest

from map_converter.convert import convert_table
from map_converter.errors import (
    EmptyFileError,
    EncryptedFileError,
    MapConverterError,
    NoLinkColumnError,
    NotASpreadsheetError,
    TooManyRowsError,
    UnknownSheetError,
    UnreadableFileError,
)
from map_converter.output import neutralise_formula
from map_converter.pipeline import convert_file
from map_converter.results import RowStatus as Status
from map_converter.tables import detect_link_column, read_table
from tests.conftest import write_xlsx
from tests.xlsb_files import xlsb_bytes

PIN = "https://www.google.com/maps/place/X/@1,1,15z/data=!3m1!4b1!4m2!3m1!8m2!3d48.8583701!4d2.2944813"
ROWS = [
    ["Name", "Map link", "Phone"],
    ["Eiffel", PIN, "+33 1"],
    ["Blank", "", "x"],
    ["Bad", "https://example.com/nothing", "y"],
    ["Text", "-26.108204, 28.0527061", "=1+1"],
]


def _csv(path: Path, rows, encoding="utf-8", delimiter=",") -> Path:
    with open(path, "w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    return path


def _xls(path: Path, rows) -> Path:
    import xlwt

    workbook = xlwt.Workbook()
    sheet = workbook.add_sheet("Places")
    for row_index, row in enumerate(rows):
        for column, value in enumerate(row):
            sheet.write(row_index, column, value)
    workbook.save(str(path))
    return path


def _xlsb(path: Path, rows) -> Path:
    path.write_bytes(xlsb_bytes({"Places": rows}))
    return path


def _ods(path: Path, rows) -> Path:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    table = Table(name="Places")
    for row in rows:
        table_row = TableRow()
        for value in row:
            cell = TableCell(valuetype="string")
            cell.addElement(P(text=str(value)))
            table_row.addElement(cell)
        table.addElement(table_row)
    document.spreadsheet.addElement(table)
    document.save(str(path))
    return path


@pytest.mark.parametrize(
    ("suffix", "maker"),
    [
        ("xlsx", lambda p: write_xlsx(p, ROWS)),
        ("xlsm", lambda p: write_xlsx(p, ROWS)),
        ("xls", lambda p: _xls(p, ROWS)),
        ("xlsb", lambda p: _xlsb(p, ROWS)),
        ("ods", lambda p: _ods(p, ROWS)),
        ("csv", lambda p: _csv(p, ROWS)),
        ("tsv", lambda p: _csv(p, ROWS, delimiter="\t")),
    ],
)
def test_every_format_is_read_and_converted(tmp_path, suffix, maker):
    source = maker(tmp_path / f"places.{suffix}")
    conversion = convert_table(read_table(source))
    assert conversion.table.header[:3] == ["Name", "Map link", "Phone"]
    assert [result.status for result in conversion.results] == [
        Status.OK, Status.SKIPPED, Status.FAILED, Status.OK,
    ]  # fmt: skip
    assert (conversion.results[0].lat, conversion.results[0].lng) == (48.8583701, 2.2944813)
    assert [result.row_number for result in conversion.results] == [2, 3, 4, 5]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
def test_csv_encodings(tmp_path, encoding):
    rows = [["Café", "Link"], ["Crème brûlée", "40.7, -74.0"]]
    table = read_table(_csv(tmp_path / "odd.csv", rows, encoding=encoding))
    assert table.header == ["Café", "Link"]
    assert table.rows[0][0] == "Crème brûlée"


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_csv_delimiter_is_sniffed(tmp_path, delimiter):
    rows = [["Name", "Link"], ["A", "40.7 -74.0"], ["B", "geo:1.5,2.5"]]
    table = read_table(_csv(tmp_path / "d.csv", rows, delimiter=delimiter))
    assert table.header == ["Name", "Link"]


def test_a_long_cell_in_a_csv_costs_nothing_and_comes_back_whole(tmp_path):
    # csv's default field limit is 128 KB: one long note made the whole file unreadable.
    notes = "x" * 300_000
    rows = [["Name", "Link", "Notes"], ["A", "40.7, -74.0", notes], ["B", "geo:1.5,2.5", "short"]]
    source = _csv(tmp_path / "long.csv", rows)
    conversion = convert_file(source, [(tmp_path / "out.csv", "csv")])
    assert [result.status for result in conversion.results] == [Status.OK, Status.OK]
    with open(tmp_path / "out.csv", encoding="utf-8-sig", newline="") as handle:
        written = list(csv.reader(handle))
    assert written[1][2] == notes


def test_a_cell_longer_than_excel_allows_is_cut_only_with_a_note_saying_so(tmp_path):
    notes = "y" * 40_000  # Excel holds 32,767 characters in a cell
    rows = [["Name", "Link", "Notes"], ["A", "40.7, -74.0", notes], ["B", "geo:1.5,2.5", "short"]]
    source = _csv(tmp_path / "long.csv", rows)
    convert_file(source, [(tmp_path / "out.xlsx", "xlsx")])
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx").active
    header = [cell.value for cell in sheet[1]]
    first, second = (
        dict(zip(header, [cell.value for cell in row], strict=True))
        for row in sheet.iter_rows(2, 3)
    )
    assert first["Notes"] == notes[:32_767]
    assert first["Status"] == "ok"
    assert "C2" in first["Note"]
    assert "32,767" in first["Note"]
    assert second["Note"] == "geo: URI"


PLACE_URL = (
    "https://www.google.com/maps/place/Eiffel+Tower/@48.8583701,2.2922926,17z/data=!3m1!4b1"
    "!4m6!3m5!1s0x0:0x1!8m2!3d48.8583701!4d2.2944813!16s"
)


def test_a_link_cut_at_its_commas_in_a_hand_written_csv_is_read_whole(tmp_path):
    # Links with commas written into a CSV without quotes: the line splits at every comma.
    lines = [
        "Name,Map link",
        f"Eiffel,{PLACE_URL}",
        "Centre,https://www.google.com/maps/@48.85,2.29,15z",
        'Quoted,"https://maps.google.com/?q=40.7,-74.0"',
        "Plain,geo:1.5,2.5",
    ]
    middle = [  # the link in a middle column, a note after it
        "Name,Map link,Notes",
        "Centre,https://www.google.com/maps/@48.85,2.29,15z,nice view",
        "Eiffel,https://maps.google.com/?q=48.8583701,2.2944813,",
    ]
    for name, text in (("last.csv", lines), ("middle.csv", middle)):
        (tmp_path / name).write_text("\n".join(text) + "\n", encoding="utf-8")
    conversion = convert_table(read_table(tmp_path / "last.csv"))
    points = [(r.lat, r.lng, r.method) for r in conversion.results]
    assert points == [
        (48.8583701, 2.2944813, "pin"),
        (48.85, 2.29, "viewport"),
        (40.7, -74.0, "query"),
        (1.5, 2.5, "geo-uri"),
    ]
    assert conversion.results[0].link == PLACE_URL
    conversion = convert_table(read_table(tmp_path / "middle.csv"), column="Map link")
    points = [(r.lat, r.lng, r.method) for r in conversion.results]
    assert points == [(48.85, 2.29, "viewport"), (48.8583701, 2.2944813, "query")]


def test_only_a_cell_that_starts_a_link_is_joined_with_the_cells_after_it(tmp_path):
    # Joined with the pieces after it, the name before a cut link would read as that link's
    # viewport: the name column must not look like links, nor an ID and a number like a pair.
    lines = ["Name,Where", f"Eiffel,{PLACE_URL}", f"Tower,{PLACE_URL}"]
    (tmp_path / "names.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    table = read_table(tmp_path / "names.csv")
    assert table.link_text(0, 0) == "Eiffel"
    conversion = convert_table(table)
    assert conversion.link_column == 1
    assert [(r.lat, r.lng, r.method) for r in conversion.results] == [
        (48.8583701, 2.2944813, "pin")
    ] * 2
    lines = ["ID,Position", "12,48.1, 2.1", "13,48.2, 2.2"]
    (tmp_path / "ids.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    table = read_table(tmp_path / "ids.csv")
    assert [table.link_text(index, 0) for index in range(2)] == ["12", "13"]


def test_cells_after_the_header_are_never_joined_into_a_link_that_reads_alone(tmp_path):
    lines = ["Name,Map link", 'A,"48.1, 2.1",10,20', "B,geo:1.5,2.5"]
    (tmp_path / "extra.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    conversion = convert_table(read_table(tmp_path / "extra.csv"))
    assert [(r.lat, r.lng) for r in conversion.results] == [(48.1, 2.1), (1.5, 2.5)]
    assert conversion.results[0].link == "48.1, 2.1"


def test_link_cells_are_never_coerced(tmp_path):
    rows = [["Link"], ["1e5"], ["NaN"], ["00123"], ["40.7, -74.0"]]
    table = read_table(_csv(tmp_path / "c.csv", rows))
    assert [row[0] for row in table.rows] == ["1e5", "NaN", "00123", "40.7, -74.0"]


def test_sheet_choice(tmp_path):
    path = write_xlsx(
        tmp_path / "s.xlsx", [], sheet="Empty", extra_sheets={"Data": ROWS, "More": ROWS[:2]}
    )
    assert read_table(path).sheet_name == "Data"
    assert read_table(path, sheet="More").row_count == 1
    with pytest.raises(UnknownSheetError):
        read_table(path, sheet="Nope")


@pytest.mark.parametrize(
    "header", ["Map link", "MAPS", "url", "Link", " location ", "Google Maps", "map_link"]
)
def test_link_column_by_header(tmp_path, header):
    rows = [["Notes", header], ["40.7, -74.0", "40.7, -74.0"], ["x", "geo:1,2"]]
    table = read_table(_csv(tmp_path / "h.csv", rows))
    assert detect_link_column(table) == 1


def test_link_column_by_content_and_by_name(tmp_path):
    rows = [["A", "B", "C"], ["x", "y", PIN], ["x", "y", "geo:1,2"]]
    table = read_table(_csv(tmp_path / "c.csv", rows))
    assert detect_link_column(table) == 2
    assert detect_link_column(table, "a") == 0
    with pytest.raises(NoLinkColumnError):
        detect_link_column(table, "Missing")


def test_no_link_column(tmp_path):
    table = read_table(_csv(tmp_path / "n.csv", [["A", "B"], ["x", "y"]]))
    with pytest.raises(NoLinkColumnError) as error:
        detect_link_column(table)
    assert error.value.code == "no_link_column"


def test_hyperlink_targets_and_formulas(tmp_path):
    path = write_xlsx(
        tmp_path / "h.xlsx",
        [
            ["Name", "Map"],
            ["Label cell", "Open map"],
            ["Formula", '=HYPERLINK("https://maps.google.com/?q=10.5,20.5","Open")'],
            ["Escaped", '=HYPERLINK("https://maps.google.com/?q=1.5,2.5&z=3","Open")'],
        ],
        hyperlinks={"B2": "https://www.openstreetmap.org/?mlat=51.5&mlon=-0.1"},
    )
    results = convert_table(read_table(path), column="Map").results
    assert [(r.lat, r.lng) for r in results] == [(51.5, -0.1), (10.5, 20.5), (1.5, 2.5)]


def test_a_hyperlink_formula_that_builds_its_url_is_not_read_as_its_first_piece(tmp_path):
    """=HYPERLINK("https://www.google.com/maps/@48.85,2.29,15z/data=!3d"&C2&"!4d"&D2, …): the
    first piece alone is the map's viewport, not the place the whole link names."""
    viewport_then_pin = '"https://www.google.com/maps/@48.85,2.29,15z/data=!3d"&C2&"!4d"&D2'
    path = write_xlsx(
        tmp_path / "pieces.xlsx",
        [
            ["Name", "Map", "Lat", "Lng"],
            ["Built", f'=HYPERLINK({viewport_then_pin},"Open")', 48.8583701, 2.2944813],
            ["Literal", '=HYPERLINK( "https://maps.google.com/?q=10.5,20.5" ; "Open")', 1, 2],
        ],
    )
    table = read_table(path)
    assert table.cell_links == {(3, 1): "https://maps.google.com/?q=10.5,20.5"}
    results = convert_table(table, column="Map").results
    assert results[0].lat is None
    assert (results[1].lat, results[1].lng) == (10.5, 20.5)


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (b"", EmptyFileError),
        (b"\x00\x01\x02\x03" * 100, NotASpreadsheetError),
        (b"PK\x03\x04garbage", UnreadableFileError),
        (b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200, NotASpreadsheetError),
    ],
)
def test_file_level_problems(tmp_path, content, error):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(content)
    with pytest.raises(error) as raised:
        read_table(path)
    assert raised.value.code
    assert raised.value.message


@pytest.mark.parametrize("missing_bytes", [1024, 1536, 3000])
def test_a_cut_short_xls_is_unreadable_not_a_crash(tmp_path, missing_bytes):
    """calamine's Rust code panics on an .xls cut before its directory sector (an interrupted
    download); pyo3 raises that as PanicException, which `except Exception` does not catch."""
    data = _xls(tmp_path / "whole.xls", ROWS).read_bytes()
    cut = tmp_path / "cut.xls"
    cut.write_bytes(data[: len(data) - missing_bytes])
    with pytest.raises(UnreadableFileError):
        read_table(cut)


def test_header_only_and_row_limit(tmp_path):
    with pytest.raises(EmptyFileError):
        read_table(_csv(tmp_path / "h.csv", [["Link"]]))
    path = _csv(tmp_path / "r.csv", [["Link"]] + [["1,2"]] * 11)
    with pytest.raises(TooManyRowsError):
        read_table(path, max_rows=10)
    assert read_table(path, max_rows=11).row_count == 11


def test_encrypted_workbook(tmp_path):
    import msoffcrypto.format.ooxml as ooxml

    plain = write_xlsx(tmp_path / "plain.xlsx", ROWS)
    encrypted = tmp_path / "locked.xlsx"
    with open(plain, "rb") as source, open(encrypted, "wb") as target:
        ooxml.OOXMLFile(source).encrypt("secret", target)
    with pytest.raises(EncryptedFileError):
        read_table(encrypted)


def test_zip_bomb_is_refused_before_parsing(tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = b"\x00" * (1 << 20)
            for _ in range(64):
                member.write(chunk)
    with pytest.raises(UnreadableFileError, match="zip bomb"):
        read_table(path)


# --- output --------------------------------------------------------------------------------------


def test_xlsx_output_keeps_the_workbook(tmp_path):
    source = write_xlsx(
        tmp_path / "in.xlsx",
        ROWS,
        sheet="Places",
        freeze="A2",
        widths={"A": 33.0},
        extra_sheets={"Other": [["keep me", 42]]},
    )
    output = tmp_path / "out.xlsx"
    convert_file(source, [(output, None)])
    workbook = openpyxl.load_workbook(output)
    assert workbook.sheetnames == ["Places", "Other"]
    sheet = workbook["Places"]
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width == 33.0
    assert [cell.value for cell in sheet[1]] == [
        "Name", "Map link", "Phone", "Latitude", "Longitude", "Status", "Note",
    ]  # fmt: skip
    assert sheet["D2"].value == 48.8583701
    assert sheet["D2"].data_type == "n"
    assert sheet["E2"].value == 2.2944813
    assert sheet["F2"].value == "ok"
    assert sheet["G2"].value == "place pin"
    assert sheet["F3"].value == "skipped"
    assert sheet["D3"].value is None
    assert sheet["F4"].value == "failed"
    assert "recognise" in sheet["G4"].value
    assert sheet["C5"].value == "=1+1"  # the user's own formula is left alone
    assert workbook["Other"]["A1"].value == "keep me"
    assert workbook["Other"]["B1"].value == 42


def test_existing_coordinates_are_replaced_only_by_a_point_we_found(tmp_path):
    """Issue 10: the user's own Status column stays; a failed row keeps the coordinates it had."""
    rows = [
        ["LATTs", "Link", "LONG", "Status"],
        [1.0, PIN, 2.0, "old"],
        [3.0, "https://example.com/", 4.0, "old"],
        [None, "https://example.com/", None, "old"],
    ]
    output = tmp_path / "out.xlsx"
    convert_file(write_xlsx(tmp_path / "in.xlsx", rows), [(output, None)])
    sheet = openpyxl.load_workbook(output).active
    assert [cell.value for cell in sheet[1]] == [
        "LATTs", "Link", "LONG", "Status", "Map link status", "Note",
    ]  # fmt: skip
    assert (sheet["A2"].value, sheet["C2"].value) == (48.8583701, 2.2944813)
    assert (sheet["D2"].value, sheet["E2"].value) == ("old", "ok")
    assert sheet["F2"].value == "place pin; replaced 1.0, 2.0"
    assert (sheet["A3"].value, sheet["C3"].value) == (3.0, 4.0)
    assert (sheet["D3"].value, sheet["E3"].value) == ("old", "failed")
    assert sheet["F3"].value.endswith("kept the coordinates already in the sheet")
    assert (sheet["A4"].value, sheet["C4"].value, sheet["E4"].value) == (None, None, "failed")


def test_text_we_write_is_never_a_formula(tmp_path):
    rows = [["Link", "Note"], ["=cmd|' /C calc'!A0", "x"], ["@SUM(1)", "y"]]
    source = _csv(tmp_path / "f.csv", rows)
    xlsx = tmp_path / "f.xlsx"
    convert_file(source, [(xlsx, None)])
    sheet = openpyxl.load_workbook(xlsx).active
    assert sheet["A2"].data_type == "s"
    assert sheet["A2"].value.startswith("=cmd")
    csv_out = tmp_path / "f-out.csv"
    convert_file(source, [(csv_out, None)])
    text = csv_out.read_text(encoding="utf-8-sig")
    assert "'=cmd" in text
    assert "'@SUM(1)" in text
    assert neutralise_formula("-74.006") == "-74.006"
    assert neutralise_formula("-cmd") == "'-cmd"
    assert neutralise_formula("\tx") == "'\tx"


def test_csv_geojson_kml_outputs(tmp_path):
    source = write_xlsx(tmp_path / "in.xlsx", ROWS)
    convert_file(source, [(tmp_path / "o.csv", None)])
    with open(tmp_path / "o.csv", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][-4:] == ["Latitude", "Longitude", "Status", "Note"]
    assert rows[1][-4:-2] == ["48.8583701", "2.2944813"]
    assert rows[4][-4:-2] == ["-26.108204", "28.0527061"]
    convert_file(source, [(tmp_path / "o.geojson", None)])
    collection = json.loads((tmp_path / "o.geojson").read_text(encoding="utf-8"))
    assert collection["type"] == "FeatureCollection"
    assert len(collection["features"]) == 2
    feature = collection["features"][0]
    assert feature["geometry"]["coordinates"] == [2.2944813, 48.8583701]
    assert feature["properties"]["Name"] == "Eiffel"
    assert feature["properties"]["row_number"] == 2
    convert_file(source, [(tmp_path / "o.kml", None)])
    kml = (tmp_path / "o.kml").read_text(encoding="utf-8")
    assert kml.count("<Placemark>") == 2
    assert "<name>Eiffel</name>" in kml
    assert "<coordinates>2.2944813,48.8583701</coordinates>" in kml
    from defusedxml import ElementTree

    ElementTree.fromstring(kml.encode())


def test_xls_xlsb_and_ods_become_new_xlsx(tmp_path):
    sources = (
        _xls(tmp_path / "a.xls", ROWS),
        _xlsb(tmp_path / "c.xlsb", ROWS),
        _ods(tmp_path / "b.ods", ROWS),
    )
    for source in sources:
        output = tmp_path / (source.stem + "-out.xlsx")
        convert_file(source, [(output, None)])
        sheet = openpyxl.load_workbook(output).active
        assert sheet["D2"].value == 48.8583701
        assert sheet["F2"].value == "ok"


@pytest.mark.parametrize("maker", [_xls, _xlsb, _ods, lambda p, rows: write_xlsx(p, rows)])
@pytest.mark.parametrize("name", ["places.xlsx", "places.xls", "places.ods", "places.xlsb"])
def test_a_workbook_is_read_by_its_content_whatever_its_name(tmp_path, maker, name):
    """A local file's name may lie (a .xls saved as .xlsx by a web export, a renamed copy): the
    content decides, as the format sniffing already does for uploads."""
    made = maker(tmp_path / "made.bin", ROWS)
    source = tmp_path / name
    made.rename(source)
    conversion = convert_table(read_table(source))
    assert (conversion.results[0].lat, conversion.results[0].lng) == (48.8583701, 2.2944813)


def test_errors_share_one_family():
    for error in (EmptyFileError, NoLinkColumnError, TooManyRowsError, EncryptedFileError):
        assert issubclass(error, MapConverterError)
        assert error.code


def test_title_line_above_the_header_is_skipped(tmp_path):
    rows = [["My places, exported 2026-11-01"], [], ["Name", "Map link"], ["Eiffel", PIN]]
    table = read_table(write_xlsx(tmp_path / "t.xlsx", rows))
    assert table.header == ["Name", "Map link"]
    assert table.header_row_number == 3
    assert table.row_numbers == [4]
    single_column = read_table(_csv(tmp_path / "s.csv", [["Link"], [PIN], ["40.7, -74.0"]]))
    assert single_column.header == ["Link"]
    assert single_column.row_count == 2


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_describing_an_upload_keeps_only_the_first_rows_and_counts_the_rest(tmp_path, kind):
    rows = [["Name", "Map link"]] + [[f"P{n}", f"{n % 80}.5, 2.5"] for n in range(2000)]
    if kind == "csv":
        source = _csv(tmp_path / "many.csv", rows)
    else:
        source = write_xlsx(tmp_path / "many.xlsx", rows)
    described = read_table(source, keep_rows=500)
    assert described.row_count == 2000
    assert len(described.rows) <= 502
    assert detect_link_column(described) == 1
    assert read_table(source).row_count == 2000
    with pytest.raises(TooManyRowsError):
        read_table(source, max_rows=1999, keep_rows=500)


@pytest.mark.parametrize("part", ["docProps/app.xml", "xl/theme/theme1.xml"])
def test_a_damaged_part_calamine_never_reads_fails_the_copy_with_a_message(tmp_path, part):
    """Found by fuzzing: the workbook reads (calamine skips the part), but copying it into the
    output met a bad CRC or a broken deflate stream and answered 500."""
    source = write_xlsx(tmp_path / "places.xlsx", ROWS)
    data = bytearray(source.read_bytes())
    with zipfile.ZipFile(source) as archive:
        info = archive.getinfo(part)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + info.compress_size // 2] ^= 0xFF
    damaged = tmp_path / "damaged.xlsx"
    damaged.write_bytes(data)
    conversion_input = read_table(damaged)  # calamine reads what it needs
    assert conversion_input.row_count == 4
    with pytest.raises(UnreadableFileError) as raised:
        convert_file(damaged, [(tmp_path / "out.xlsx", "xlsx")])
    assert part in raised.value.message
    assert not (tmp_path / "out.xlsx").exists()
