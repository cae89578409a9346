"""An ordinary office workbook, end to end, checked in a real spreadsheet program (LibreOffice).

A "Read me" first sheet, a clients sheet with its own Notes, hand-typed coordinates, "Open map"
hyperlinks, a styled header and an autofilter: every coordinate right, nothing of theirs lost.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import Font, PatternFill

from map_converter.pipeline import convert_file

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
