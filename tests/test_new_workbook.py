"""The new .xlsx written for a CSV, .ods, .xls or .xlsb input: every kind of value comes back
as it went in, read by openpyxl and by LibreOffice as a spreadsheet program reads it."""

from __future__ import annotations

import datetime as dt
import zipfile

import openpyxl
import pytest

from map_converter import new_workbook
from map_converter.new_workbook import EXCEL_CELL_CHARS, excel_serial, write_new_workbook
from map_converter.pipeline import convert_file
from map_converter.xlsx_styles import COORDINATE_NUMBER_FORMAT
from tests.hostile_files import ODS_CELL, raw_ods
from tests.test_office_workbook import libreoffice_csv

HEADER = ["Name", "Value", "Latitude", "Note"]
LONG = "x" * (EXCEL_CELL_CHARS + 5)
ROWS = [
    ["formula-like", "=1+1", 48.858370123456, ""],
    ["spaces", "  two  ", -122.294481312345, "kept"],
    ["xml", "<a & b>", None, None],
    ["control", "a\x01b\x0bc", 1.0, None],
    ["unicode", "Zürich 北京 🗺", 0.1 + 0.2, None],
    ["int", 12345678901, -0.0, None],
    ["true", True, None, None],
    ["false", False, None, None],
    ["date", dt.date(2024, 2, 29), None, None],
    ["datetime", dt.datetime(2024, 1, 1, 12, 30, 15), None, None],
    ["old date", dt.date(1850, 5, 1), None, None],
    ["time", dt.time(8, 30), None, None],
    ["duration", dt.timedelta(hours=26), None, None],
    ["empty", "", float("nan"), None],
    ["long", LONG, float("inf"), "a note"],
]


@pytest.fixture
def workbook_path(tmp_path):
    path = tmp_path / "new.xlsx"
    write_new_workbook(
        path, "Places & co", HEADER, lambda: [list(row) for row in ROWS], {0: 20.0, 2: 19.0},
        coordinate_columns=(2,), hyperlinks={1: [None, "https://example.com/?a=1&b=2"]},
        note_column=3,
    )  # fmt: skip
    return path


def test_every_kind_of_value_reads_back(workbook_path):
    sheet = openpyxl.load_workbook(workbook_path)["Places & co"]
    values = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert values[0] == ["formula-like", "=1+1", 48.858370123456, None]
    assert sheet["B2"].data_type == "s"  # text, never a formula
    assert values[1][1:3] == ["  two  ", -122.294481312345]
    assert values[2][1] == "<a & b>"
    assert values[3][1] == "abc"  # characters XML cannot hold are left out
    assert values[4][1:3] == ["Zürich 北京 🗺", 0.30000000000000004]
    assert values[5][1] == 12345678901
    assert [values[6][1], values[7][1]] == [True, False]
    assert values[8][1] == dt.datetime(2024, 2, 29)
    assert values[9][1] == dt.datetime(2024, 1, 1, 12, 30, 15)
    assert values[10][1] == "1850-05-01"  # before Excel's first day: as text
    assert [values[11][1], values[12][1]] == ["08:30:00", "1 day, 2:00:00"]
    assert values[13][1:3] == [None, None]  # no cell for "" or NaN
    assert values[14][1] == LONG[:EXCEL_CELL_CHARS]
    assert values[14][2] is None
    assert values[14][3] == (
        f"a note; B16 held more than Excel's {EXCEL_CELL_CHARS:,} characters and is cut in this "
        ".xlsx (the .csv output keeps it whole)"
    )


def test_the_sheet_looks_like_our_other_outputs(workbook_path):
    sheet = openpyxl.load_workbook(workbook_path)["Places & co"]
    assert [cell.value for cell in sheet[1]] == HEADER
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width == 20.0
    assert sheet.column_dimensions["B"].width == 18.0
    assert sheet["C2"].number_format == COORDINATE_NUMBER_FORMAT
    assert sheet["B10"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert sheet["B3"].hyperlink.target == "https://example.com/?a=1&b=2"
    assert sheet["B2"].hyperlink is None


def test_libreoffice_opens_it_with_every_digit(workbook_path, tmp_path):
    rows = libreoffice_csv(workbook_path, "Places & co", tmp_path)
    assert rows[0] == HEADER
    assert rows[1][:3] == ["formula-like", "=1+1", "48.858370123456"]
    assert rows[2][2] == "-122.294481312345"
    assert rows[7][1] == "TRUE"
    assert rows[9][1] == "2024-02-29 00:00:00"
    assert rows[15][1] == LONG[:EXCEL_CELL_CHARS]


def test_every_part_is_sound_xml_and_deflated(workbook_path):
    from xml.dom import minidom

    with zipfile.ZipFile(workbook_path) as archive:
        assert archive.testzip() is None
        for name in archive.namelist():
            minidom.parseString(archive.read(name))  # well formed


@pytest.mark.parametrize(
    ("day", "serial"),
    [
        (dt.date(1900, 1, 1), 1),
        (dt.date(1900, 2, 28), 59),
        (dt.date(1900, 3, 1), 61),  # after the 29 February 1900 Excel counts
        (dt.date(2024, 1, 1), 45292),
        (dt.datetime(2024, 1, 1, 18), 45292.75),
        (dt.date(1899, 12, 31), None),
    ],
)
def test_dates_are_excels_day_numbers(day, serial):
    assert excel_serial(day) == serial


def test_a_link_behind_a_label_in_an_ods_keeps_its_hyperlink(tmp_path):
    pin = "https://www.google.com/maps/place/X/@1,1,15z/data=!3m1!4b1!4m2!3m1!8m2!3d48.8583701!4d2.2944813"
    labelled = (
        '<table:table-cell office:value-type="string"><text:p><text:a xlink:href="'
        + pin.replace("&", "&amp;")
        + '">Open map</text:a></text:p></table:table-cell>'
    )
    rows = f"<table:table-row>{ODS_CELL.format('Map link')}</table:table-row><table:table-row>{labelled}</table:table-row>"
    source = tmp_path / "places.ods"
    source.write_bytes(raw_ods({"Places": rows}))
    convert_file(source, [(tmp_path / "out.xlsx", "xlsx")])
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx").active
    assert sheet["A2"].value == "Open map"
    assert sheet["A2"].hyperlink.target == pin
    assert [sheet["B2"].value, sheet["C2"].value] == [48.8583701, 2.2944813]


def _small_workbook(path, sheet_name="Places", hyperlinks=None):
    rows = [["a", "geo:1,2"], ["b", "geo:3,4"], ["c", "geo:5,6"]]
    write_new_workbook(path, sheet_name, ["Name", "Link"], lambda: rows, {}, (), hyperlinks)
    return openpyxl.load_workbook(path)


@pytest.mark.parametrize(
    ("name", "written"),
    [
        ("Places & co", "Places & co"),
        ("a" * 40, "a" * 31),  # an .ods sheet's name may be longer than Excel's 31
        ("Q1/Q2: [draft]?", "Q1_Q2_ _draft__"),
        ("'quoted'", "quoted"),
        ("", "Sheet1"),
        ("History", "Sheet1"),  # reserved by Excel
    ],
)
def test_the_sheet_name_is_one_excel_takes(tmp_path, name, written):
    assert _small_workbook(tmp_path / "out.xlsx", name).sheetnames == [written]


def test_hyperlinks_stay_within_excels_limits(tmp_path, monkeypatch):
    monkeypatch.setattr(new_workbook, "MAX_HYPERLINKS", 1)
    too_long = "https://example.com/?q=" + "x" * 2100
    sheet = _small_workbook(
        tmp_path / "out.xlsx",
        hyperlinks={1: [too_long, "https://a.example/", "https://b.example/"]},
    ).active
    assert sheet["B2"].hyperlink is None  # past the 2,079 characters of an address
    assert sheet["B3"].hyperlink.target == "https://a.example/"
    assert sheet["B4"].hyperlink is None  # past the sheet's count
    assert sheet["B4"].value == "geo:5,6"


def test_a_sheet_past_two_gigabytes_is_written_again_with_zip64(tmp_path, monkeypatch):
    monkeypatch.setattr(zipfile, "ZIP64_LIMIT", 500)  # stands for 2 GiB
    attempts = []
    write = new_workbook._Sheet.write
    monkeypatch.setattr(
        new_workbook._Sheet,
        "write",
        lambda self, *a, zip64: [attempts.append(zip64), write(self, *a, zip64=zip64)],
    )
    sheet = _small_workbook(tmp_path / "out.xlsx").active
    assert attempts == [False, True]
    assert [cell.value for cell in sheet["B"]] == ["Link", "geo:1,2", "geo:3,4", "geo:5,6"]
