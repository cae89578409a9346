"""How far an .xlsb sheet reaches, read before calamine allocates its grid: a cell at A1 and
one at XFD1048576 made calamine ask for 549 GB and abort the process. The crashes run in child
processes whose address space is capped."""

from __future__ import annotations

import struct

import openpyxl
import pytest

from map_converter import xlsb_records as records_module
from map_converter.errors import UnreadableFileError
from map_converter.pipeline import convert_file
from map_converter.sheet_extent import SheetExtent
from map_converter.tables import read_table
from map_converter.xlsb_records import read_xlsb_links, xlsb_extent
from tests.hostile_files import convert_in_child
from tests.xlsb_files import BEGIN_SHEET_DATA, BLANK, END_SHEET_DATA, Raw, record, xlsb_bytes

LINKS = {(0, 0): "Map link", (1, 0): "geo:1.5,2.5"}


@pytest.mark.parametrize(
    ("far", "named"),
    [((1048575, 16383), "XFD1048576"), ((2, 4_000_000_000), "LXQEASW3")],
    ids=["far-corner", "column-past-the-sheet"],
)
def test_a_far_cell_is_refused_not_a_crash(tmp_path, far, named):
    path = tmp_path / "far.xlsb"
    path.write_bytes(xlsb_bytes({"Places": {**LINKS, far: "x"}}))
    done = convert_in_child(path, tmp_path / "out.csv")
    assert done.returncode == 1, done.stderr[-2000:]
    assert f"The sheet 'Places' reaches as far as cell {named} but holds only 3" in done.stderr


# calamine reads each record into one buffer that it grows but never shrinks: a record shorter
# than what calamine reads from it (a cell of no bytes) takes the rest from the records before
# it. Fuzzing found such cells reaching a column 1,042,428,225 (an abort, 114 GB) where the
# records' own bytes said column 1. The extent reads the bytes calamine reads.
_UNKNOWN = 0x3D  # a record type calamine passes over, whose bytes stay in its buffer


@pytest.mark.parametrize(
    ("cells", "named"),
    [
        # a cell record of no bytes: its column is the bytes left by the record before
        ({(1, 1): Raw(_UNKNOWN, struct.pack("<II", 4_000_000_000, 0)), (1, 2): Raw(0x04)}, "LXQEASW2"),
        # a row header of no bytes: its row is the bytes left by the record before
        (
            {(1, 1): Raw(_UNKNOWN, struct.pack("<II", 1048575, 0)), (1, 2): Raw(0x00),
             (1, 3): Raw(0x05, struct.pack("<IId", 16383, 0, 1.0))},
            "XFD1048576",
        ),
    ],
    ids=["stale-column", "stale-row"],
)  # fmt: skip
def test_a_cell_that_reads_bytes_left_by_another_record_is_refused(tmp_path, cells, named):
    path = tmp_path / "stale.xlsb"
    path.write_bytes(xlsb_bytes({"Places": {**LINKS, **cells}}))
    done = convert_in_child(path, tmp_path / "out.csv")
    assert done.returncode == 1, done.stderr[-2000:]
    assert f"The sheet 'Places' reaches as far as cell {named}" in done.stderr


def test_sheet_data_inside_a_block_calamine_skips_is_not_where_cells_start(tmp_path):
    # calamine looks for the sheet's data past blocks such as its views (0x85 … 0x86): a data
    # start and end inside one are passed over, and the cells after the real start are read.
    views = [record(0x85), record(BEGIN_SHEET_DATA), record(END_SHEET_DATA), record(0x86)]
    path = tmp_path / "views.xlsb"
    path.write_bytes(
        xlsb_bytes({"Places": {**LINKS, (1048575, 16383): "x"}}, before_data={"Places": views})
    )
    done = convert_in_child(path, tmp_path / "out.csv")
    assert done.returncode == 1, done.stderr[-2000:]
    assert "reaches as far as cell XFD1048576" in done.stderr


def test_a_formatted_empty_cell_far_away_is_read(tmp_path):
    path = tmp_path / "formatted.xlsb"
    path.write_bytes(xlsb_bytes({"Places": {**LINKS, (1048575, 16383): BLANK}}))
    table = read_table(path)
    assert table.row_count == 1
    assert table.rows[0][0] == "geo:1.5,2.5"


def test_a_far_reaching_sheet_nobody_chose_is_passed_over(tmp_path):
    path = tmp_path / "two.xlsb"
    path.write_bytes(xlsb_bytes({"Read me": {(0, 0): "x", (1048575, 16383): "y"}, "Places": LINKS}))
    done = convert_in_child(path, tmp_path / "out.csv")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "geo:1.5,2.5" in (tmp_path / "out.csv").read_text(encoding="utf-8-sig")


@pytest.mark.parametrize("chunk_bytes", [7, 64, 1 << 20])
def test_the_extent_counts_value_cells_and_every_written_cell(tmp_path, monkeypatch, chunk_bytes):
    monkeypatch.setattr(records_module, "CHUNK_BYTES", chunk_bytes)
    cells = {**LINKS, (5, 3): 2.5, (7, 9): BLANK, (8, 1): "é" * 40}
    path = tmp_path / "cells.xlsb"
    path.write_bytes(xlsb_bytes({"Other": [["x"]], "Places": cells}))
    assert xlsb_extent(path, "Places") == SheetExtent(9, 4, 5)
    with pytest.raises(UnreadableFileError):  # a sheet that cannot be checked is not opened
        xlsb_extent(path, "Missing")


PIN = "https://www.google.com/maps/place/X/@1,1,15z/data=!3m1!4b1!4m2!3m1!8m2!3d48.8583701!4d2.2944813"


def test_a_label_over_a_hyperlink_is_read_as_its_link(tmp_path):
    """Excel keeps a hyperlink apart from the cell (BrtHLink, after the cells); calamine gives
    the label only."""
    path = tmp_path / "labels.xlsb"
    rows = [["Name", "Map"], ["Eiffel", "Open map"], ["Typed", "geo:1.5,2.5"]]
    path.write_bytes(xlsb_bytes({"Places": rows}, {"Places": [(1, 1, 1, 1, PIN)]}))
    conversion = convert_file(path, [(tmp_path / "out.xlsx", "xlsx")])
    assert [(r.lat, r.lng) for r in conversion.results] == [(48.8583701, 2.2944813), (1.5, 2.5)]
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx").active
    assert sheet["B2"].value == "Open map"
    assert sheet["B2"].hyperlink.target == PIN


@pytest.mark.parametrize("chunk_bytes", [7, 1 << 20])
def test_hyperlinks_cover_their_range_and_only_lead_out(tmp_path, monkeypatch, chunk_bytes):
    monkeypatch.setattr(records_module, "CHUNK_BYTES", chunk_bytes)
    path = tmp_path / "ranges.xlsb"
    links = [(1, 2, 0, 1, "https://a.example/?x=1&y=2"), (4, 4, 3, 3, "https://b.example/")]
    path.write_bytes(xlsb_bytes({"Other": [["x"]], "Places": [["a"]] * 5}, {"Places": links}))
    assert read_xlsb_links(path, "Places") == {
        (2, 0): "https://a.example/?x=1&y=2",
        (2, 1): "https://a.example/?x=1&y=2",
        (3, 0): "https://a.example/?x=1&y=2",
        (3, 1): "https://a.example/?x=1&y=2",
        (5, 3): "https://b.example/",
    }
    assert read_xlsb_links(path, "Other") == {}  # no relationship: its records are not read
