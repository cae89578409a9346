"""An ordinary office workbook, end to end, checked in a real spreadsheet program (LibreOffice).

A "Read me" first sheet, a clients sheet with its own Notes, hand-typed coordinates, "Open map"
hyperlinks, a styled header and an autofilter: every coordinate right, nothing of theirs lost.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import Font, PatternFill

from map_converter.pipeline import convert_file
from tests.test_xlsx_patch import assert_cells_in_column_order

SOFFICE = shutil.which("soffice") or "/usr/bin/soffice"
PIN = "https://www.google.com/maps/place/X/@1,1,15z/data=!3m1!4b1!4m2!3m1!8m2!3d48.8583701!4d2.2944813"


def office_workbook(path: Path) -> Path:
    workbook = openpyxl.Workbook()
    readme = workbook.active
    readme.title = "Read me"
    readme.append(["This workbook lists our clients. Do not sort it."])
    clients = workbook.create_sheet("Clients")
    clients.append(["Name", "Map", "Notes", "Status", "Latitude", "Longitude"])
    for cell in clients[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="FFD966")
    clients.append(["Eiffel", "Open map", "call first", "active", None, None])
    clients["B2"].hyperlink = PIN
    clients.append(["Typed", "see notes", "keep me", "lead", 40.7128, -74.006])
    clients.append(["Moved", "48.85, 2.29", "new office", "active", 1.5, 2.5])
    clients.auto_filter.ref = "A1:F4"
    workbook.save(path)
    return path


def libreoffice_csv(xlsx: Path, sheet: str, work: Path) -> list[list[str]]:
    """The sheet as LibreOffice reads it, exported as CSV (a fresh profile, headless)."""
    if not Path(SOFFICE).exists():
        pytest.fail("LibreOffice is missing: apt-get install -y libreoffice-calc-nogui")
    profile = work / "lo-profile"
    out = work / "lo-out"
    subprocess.run(
        [
            SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
            "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
            "--outdir", str(out), str(xlsx),
        ],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    with open(out / f"{xlsx.stem}-{sheet}.csv", encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_an_office_workbook_comes_back_whole_and_right(tmp_path):
    source = office_workbook(tmp_path / "clients.xlsx")
    outputs = [(tmp_path / f"clients-out.{kind}", kind) for kind in ("xlsx", "csv", "geojson")]
    conversion = convert_file(source, outputs)
    assert conversion.table.sheet_name == "Clients"  # the "Read me" sheet is passed over
    rows = libreoffice_csv(tmp_path / "clients-out.xlsx", "Clients", tmp_path)
    assert rows[0] == [
        "Name", "Map", "Notes", "Status", "Latitude", "Longitude", "Map link status", "Note",
    ]  # fmt: skip
    assert rows[1][:6] == ["Eiffel", "Open map", "call first", "active", "48.8583701", "2.2944813"]
    assert rows[1][6:] == ["ok", "place pin"]
    assert rows[2][:6] == ["Typed", "see notes", "keep me", "lead", "40.7128", "-74.006"]
    assert rows[2][6] == "failed"
    assert rows[2][7].endswith("kept the coordinates already in the sheet")
    assert rows[3][4:6] == ["48.85", "2.29"]
    assert rows[3][7] == "coordinates in the cell; replaced 1.5, 2.5"
    sheet = openpyxl.load_workbook(tmp_path / "clients-out.xlsx")["Clients"]
    assert sheet["G1"].font.bold  # new header cells look like the header
    assert sheet["G1"].fill.fgColor.rgb == sheet["A1"].fill.fgColor.rgb
    assert sheet.auto_filter.ref == "A1:F4"  # kept, and clear of the new columns
    assert sheet["B2"].hyperlink.target == PIN
    with zipfile.ZipFile(tmp_path / "clients-out.xlsx") as archive:
        sheet_part = next(name for name in archive.namelist() if name.endswith("sheet2.xml"))
        assert_cells_in_column_order(archive.read(sheet_part))  # Excel drops cells out of order
    with open(tmp_path / "clients-out.csv", encoding="utf-8-sig", newline="") as handle:
        csv_rows = list(csv.reader(handle))
    assert csv_rows[0][-1] == "Map link URL"
    assert csv_rows[1][-1] == PIN
    features = json.loads((tmp_path / "clients-out.geojson").read_text(encoding="utf-8"))[
        "features"
    ]
    assert features[0]["properties"]["Map link URL"] == PIN
    assert features[0]["properties"]["Latitude"] == 48.8583701  # never the old value
    assert features[1]["properties"]["Latitude"] == 48.85


def test_new_coordinate_columns_open_in_libreoffice_with_every_digit(tmp_path):
    """Our edited styles part (one number format more) is read by a real spreadsheet program."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Places"
    sheet.append(["Name", "Link"])
    sheet["A1"].font = Font(bold=True)
    sheet.append(["far", "https://maps.google.com/?q=48.858370123456,-122.294481312345"])
    sheet.append(["near", "1.5, 2.25"])
    workbook.save(tmp_path / "places.xlsx")
    convert_file(tmp_path / "places.xlsx", [(tmp_path / "places-out.xlsx", "xlsx")])
    rows = libreoffice_csv(tmp_path / "places-out.xlsx", "Places", tmp_path)
    assert rows[1][2:5] == ["48.858370123456", "-122.294481312345", "ok"]
    assert rows[2][2:5] == ["1.5", "2.25", "ok"]


def test_what_else_is_on_the_sheet_stays(tmp_path):
    """Conditional formats, data validations, defined names, comments, merged cells, a chart and
    a table stay as they were; our columns land clear of the table."""
    from openpyxl.chart import BarChart, Reference
    from openpyxl.comments import Comment
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.workbook.defined_name import DefinedName
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.table import Table

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Sites"
    sheet.append(["Site", "Link", "Visits"])
    sheet.append(["Eiffel", PIN, 3])
    sheet.append(["Typed", "40.7128, -74.006", 5])
    sheet.append(["Nothing", "ask Anna", 1])
    sheet.conditional_formatting.add(
        "C2:C4", CellIsRule(operator="greaterThan", formula=["2"], font=Font(bold=True))
    )
    validation = DataValidation(type="whole", operator="between", formula1="0", formula2="99")
    validation.add("C2:C4")
    sheet.add_data_validation(validation)
    workbook.defined_names["Visits"] = DefinedName("Visits", attr_text="Sites!$C$2:$C$4")
    sheet["A2"].comment = Comment("our best client", "Anna")
    sheet.add_table(Table(displayName="SitesTable", ref="A1:C4"))
    sheet["A6"] = "Totals"
    sheet.merge_cells("A6:B6")
    chart = BarChart()
    chart.add_data(Reference(sheet, min_col=3, min_row=1, max_row=4), titles_from_data=True)
    sheet.add_chart(chart, "E8")
    workbook.save(tmp_path / "sites.xlsx")

    convert_file(tmp_path / "sites.xlsx", [(tmp_path / "sites-out.xlsx", "xlsx")])
    out = openpyxl.load_workbook(tmp_path / "sites-out.xlsx")
    sheet = out["Sites"]
    assert [cell.value for cell in sheet[1]][:7] == [
        "Site", "Link", "Visits", "Latitude", "Longitude", "Status", "Note",
    ]  # fmt: skip
    assert (sheet["D2"].value, sheet["E2"].value) == (48.8583701, 2.2944813)
    assert [str(rules.sqref) for rules in sheet.conditional_formatting] == ["C2:C4"]
    assert [str(item.sqref) for item in sheet.data_validations.dataValidation] == ["C2:C4"]
    assert out.defined_names["Visits"].attr_text == "Sites!$C$2:$C$4"
    assert sheet["A2"].comment.text == "our best client"
    assert sheet.tables["SitesTable"].ref == "A1:C4"  # our columns start after it
    assert [str(merged) for merged in sheet.merged_cells.ranges] == ["A6:B6"]
    with zipfile.ZipFile(tmp_path / "sites-out.xlsx") as archive:
        assert any(name.startswith("xl/charts/chart") for name in archive.namelist())
    rows = libreoffice_csv(tmp_path / "sites-out.xlsx", "Sites", tmp_path)
    assert rows[1][3:6] == ["48.8583701", "2.2944813", "ok"]
    assert rows[3][5] == "failed"
