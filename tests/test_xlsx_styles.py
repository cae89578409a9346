"""The number format of the coordinate cells we add: every digit we wrote stays visible."""

from __future__ import annotations

import csv
from xml.etree import ElementTree

import openpyxl
import pytest
from openpyxl.styles import Font

from map_converter.pipeline import convert_file
from map_converter.xlsx_styles import COORDINATE_NUMBER_FORMAT, with_number_format

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
FONTS = '<fonts count="1"><font><sz val="11"/></font></fonts>'
CELL_STYLE_XFS = '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0"/></cellStyleXfs>'
CELL_XFS = (
    '<cellXfs count="2"><xf numFmtId="0" fontId="0"/><xf numFmtId="14" fontId="0"/></cellXfs>'
)


def styles(body: str, prefix: str = "") -> bytes:
    declaration = f'xmlns:{prefix[:-1]}="{MAIN}"' if prefix else f'xmlns="{MAIN}"'
    body = body.replace("<", f"<{prefix}").replace(f"<{prefix}/", f"</{prefix}")
    return f"<{prefix}styleSheet {declaration}>{body}</{prefix}styleSheet>".encode()


def added_format(edited: bytes, index: int) -> tuple[str, str]:
    root = ElementTree.fromstring(edited)
    xf = root.find(f"{{{MAIN}}}cellXfs")[index]
    number_format_id = xf.get("numFmtId")
    codes = {
        element.get("numFmtId"): element.get("formatCode")
        for element in root.iter(f"{{{MAIN}}}numFmt")
    }
    return number_format_id, codes[number_format_id]


@pytest.mark.parametrize(
    "numbers, expected_id",
    [
        ("", "164"),  # no numFmts element: one is added, first in the styleSheet
        ('<numFmts count="0"/>', "164"),  # an empty one, as openpyxl writes it
        ('<numFmts count="2"><numFmt numFmtId="164" formatCode="0.00"/>'
         '<numFmt numFmtId="170" formatCode="0.000"/></numFmts>', "171"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("prefix", ["", "x:"])
def test_one_cell_format_is_added_after_the_others(numbers, expected_id, prefix):
    edited, index = with_number_format(
        styles(numbers + FONTS + CELL_STYLE_XFS + CELL_XFS, prefix), COORDINATE_NUMBER_FORMAT
    )
    assert index == 2
    assert added_format(edited, index) == (expected_id, COORDINATE_NUMBER_FORMAT)
    root = ElementTree.fromstring(edited)
    assert root.find(f"{{{MAIN}}}cellXfs").get("count") == "3"
    assert list(root)[0].tag == f"{{{MAIN}}}numFmts"
    assert root.find(f"{{{MAIN}}}numFmts").get("count") == str(len(root.find(f"{{{MAIN}}}numFmts")))


@pytest.mark.parametrize(
    "part",
    [
        b"<styleSheet",  # damaged
        styles(FONTS + CELL_STYLE_XFS),  # no cellXfs
        styles(CELL_STYLE_XFS + CELL_XFS),  # no fonts
        b'<?xml version="1.0"?><!DOCTYPE s [<!ENTITY x "y">]>' + styles(FONTS + CELL_XFS),
        styles(FONTS + "<!-- </cellXfs> -->" + CELL_XFS),  # what a byte edit could get wrong
    ],
)
def test_an_unexpected_styles_part_is_left_alone(part):
    assert with_number_format(part, COORDINATE_NUMBER_FORMAT) is None


def workbook(path, rows, header_font=None):
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    if header_font:
        for cell in sheet[1]:
            cell.font = header_font
    book.save(path)
    return path


LONG = "https://maps.google.com/?q=48.858370123456,-122.294481312345"


def test_new_coordinate_cells_show_every_digit_in_a_patched_workbook(tmp_path):
    source = workbook(
        tmp_path / "in.xlsx",
        [["Name", "Link"], ["long", LONG], ["none", "no link"], ["short", "1.5, 2.25"]],
        header_font=Font(bold=True),
    )
    convert_file(source, [(tmp_path / "out.xlsx", "xlsx")])
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx").active
    assert [sheet["C2"].value, sheet["D2"].value] == [48.858370123456, -122.294481312345]
    for reference in ("C2", "D2", "C4", "D4"):
        assert sheet[reference].number_format == COORDINATE_NUMBER_FORMAT
    assert sheet["C1"].font.bold  # the header's look
    assert sheet["C1"].number_format == "General"
    assert sheet["E2"].number_format == "General"  # Status is text
    assert sheet.column_dimensions["D"].width >= len("-122.294481312345")


def test_existing_coordinate_cells_keep_their_own_format(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Link", "Latitude", "Longitude"])
    sheet.append([LONG, 1.0, 2.0])
    sheet["B2"].number_format = sheet["C2"].number_format = "0.000"
    book.save(tmp_path / "in.xlsx")
    convert_file(tmp_path / "in.xlsx", [(tmp_path / "out.xlsx", "xlsx")])
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx").active
    assert sheet["B2"].value == 48.858370123456
    assert sheet["B2"].number_format == "0.000"


def test_a_new_workbook_from_csv_has_the_format_too(tmp_path):
    source = tmp_path / "in.csv"
    with open(source, "w", newline="") as handle:
        csv.writer(handle).writerows([["Name", "Link"], ["long", LONG]])
    convert_file(source, [(tmp_path / "out.xlsx", "xlsx")])
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx").active
    assert sheet["C2"].value == 48.858370123456
    assert sheet["C2"].number_format == COORDINATE_NUMBER_FORMAT
    assert sheet["D2"].number_format == COORDINATE_NUMBER_FORMAT
    assert sheet.column_dimensions["C"].width >= len("-122.294481312345")
    assert sheet.column_dimensions["D"].width >= len("-122.294481312345")
