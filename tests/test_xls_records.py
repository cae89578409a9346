"""An .xls whose records reach far past the cells it holds is refused before calamine opens it:
calamine sizes a sheet's grid by its DIMENSIONS record and its cells and allocates it up front,
so a 6 KB file saying 1.1 billion rows made it ask for 185 GB and abort the whole process (a
web worker with every request it was serving). Each case runs in a child process, so a
regression cannot take the test run down with it."""

from __future__ import annotations

import struct
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_xls_links import _xlwt_workbook

DIMENSIONS_HEADER = b"\x00\x02\x0e\x00"  # record type 0x0200, 14 bytes


def _with_dimensions(source: Path, target: Path, first_row: int, last_row: int, last_column: int):
    data = bytearray(source.read_bytes())
    first_sheet = data.index(DIMENSIONS_HEADER)
    position = data.index(DIMENSIONS_HEADER, first_sheet + 1)  # the second sheet's: Places
    struct.pack_into("<IIHH", data, position + 4, first_row, last_row, 0, last_column)
    target.write_bytes(data)
    return target


def _convert(path: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    """The CLI on path, in a child process (a crash costs the child, not the test run)."""
    return subprocess.run(
        [sys.executable, "-m", "map_converter", str(path), "-o", str(tmp_path / "out.csv")],
        capture_output=True, text=True, timeout=120, env={"RUST_BACKTRACE": "0", "PATH": ""},
    )  # fmt: skip


def _assert_refused(path: Path, tmp_path: Path) -> None:
    done = _convert(path, tmp_path)
    assert done.returncode == 1, done.stderr[-2000:]
    assert "reaches as far as cell" in done.stderr


@pytest.mark.parametrize(
    ("first_row", "last_row", "last_column"),
    [
        (0, 0x45000005, 2),  # the fuzzed file: 1.1 billion rows
        (0, 65_536, 0xFFFF),  # 65,535 columns where BIFF8 has 256, on every row
        (0, 0xFFFFFFFF, 0xFFFF),
        (0x00BB0000, 5, 2),  # a first row after the last: calamine's subtraction wraps
    ],
)
def test_impossible_sheet_dimensions_are_refused_not_a_crash(
    tmp_path, first_row, last_row, last_column
):
    good = _xlwt_workbook(tmp_path / "good.xls", 'HYPERLINK("https://maps.google.com/?q=1.5,2.5")')
    bad = _with_dimensions(good, tmp_path / "bad.xls", first_row, last_row, last_column)
    _assert_refused(bad, tmp_path)


def test_a_cell_far_past_the_others_is_refused(tmp_path):
    """The fuzzed LABELSST record: one cell moved to row 26,931, column 49,415."""
    good = _xlwt_workbook(tmp_path / "good.xls", 'HYPERLINK("https://maps.google.com/?q=1.5,2.5")')
    data = bytearray(good.read_bytes())
    label = data.index(
        b"\xfd\x00\x0a\x00", data.index(DIMENSIONS_HEADER, data.index(DIMENSIONS_HEADER) + 1)
    )
    struct.pack_into("<HH", data, label + 4, 26_930, 49_414)
    bad = tmp_path / "far.xls"
    bad.write_bytes(data)
    _assert_refused(bad, tmp_path)


def test_true_dimensions_still_convert(tmp_path):
    good = _xlwt_workbook(tmp_path / "good.xls", 'HYPERLINK("https://maps.google.com/?q=1.5,2.5")')
    same = _with_dimensions(good, tmp_path / "same.xls", 1, 4, 2)  # rows 2-4, columns A-B
    done = _convert(same, tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "2 rows: 2 ok" in done.stdout


def test_a_child_that_dies_reading_an_xls_is_a_damaged_file(tmp_path):
    """The .xls reader runs in a child process: even a file that gets past the checks above and
    aborts calamine costs the child, not this process."""
    from map_converter.calamine_child import read_in_child
    from map_converter.errors import UnreadableFileError

    good = _xlwt_workbook(tmp_path / "good.xls", 'HYPERLINK("https://maps.google.com/?q=1.5,2.5")')
    bad = _with_dimensions(good, tmp_path / "bad.xls", 0x00BB0000, 5, 2)
    with pytest.raises(UnreadableFileError, match="damaged"):
        read_in_child(bad, None, None)  # the checks before it skipped on purpose
    names, rows = read_in_child(good, None, None)
    assert names == ["Read me", "Places"]
    assert rows["Places"].count == 3
