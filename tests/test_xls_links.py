"""Links behind labels in an .xls sheet (HLink records, =HYPERLINK() formulas), which calamine
reads as the label only, or as nothing when the file keeps no value for the formula."""

from __future__ import annotations

import struct
import subprocess
from pathlib import Path

import pytest

from map_converter.convert import convert_table
from map_converter.results import RowStatus
from map_converter.tables import read_table
from map_converter.xls_links import (
    HLINK,
    MAX_CELLS_PER_LINK,
    MAX_LINKS,
    _sheet_links,
    hyperlink_formula_url,
    read_xls_links,
)
from map_converter.xls_records import EOF
from tests.test_ods_links import FIRST, SECOND, _labelled, _ods, _row, _text
from tests.test_office_workbook import SOFFICE

BOF = 0x0809

HYPERLINK_CLASS = bytes.fromhex("d0c9ea79f9bace118c8200aa004ba90b")
URL_MONIKER_CLASS = bytes.fromhex("e0c9ea79f9bace118c8200aa004ba90b")


def _xlwt_workbook(path: Path, formula: str) -> Path:
    import xlwt

    workbook = xlwt.Workbook()
    workbook.add_sheet("Read me").write(0, 0, "See Places")
    sheet = workbook.add_sheet("Places")
    sheet.write(1, 0, "Name")  # row 2: a blank row above the header
    sheet.write(1, 1, "Map link")
    sheet.write(2, 0, "Eiffel")
    sheet.write(2, 1, xlwt.Formula(formula))
    sheet.write(3, 0, "Typed")
    sheet.write(3, 1, "48.8584, 2.2945")
    workbook.save(str(path))
    return path


def test_a_hyperlink_formula_without_a_kept_value_is_read(tmp_path):
    path = _xlwt_workbook(tmp_path / "f.xls", f'HYPERLINK("{FIRST}";"Open map")')
    assert read_xls_links(path, "Places") == {(3, 1): FIRST}
    assert read_xls_links(path, "Read me") == {}
    results = convert_table(read_table(path)).results
    assert [(result.row_number, result.lat, result.lng) for result in results] == [
        (3, 1.5, 2.5), (4, 48.8584, 2.2945),
    ]  # fmt: skip


def test_a_link_built_from_pieces_is_never_taken_for_its_first_piece(tmp_path):
    path = _xlwt_workbook(tmp_path / "p.xls", 'HYPERLINK("https://maps.google.com/?q=1.5,"&A3;"x")')
    assert read_xls_links(path, "Places") == {}


def test_a_labelled_hyperlink_saved_by_libreoffice_is_read(tmp_path):
    formula = _text("Open", formula=f'of:=HYPERLINK("{SECOND}";"Open")')
    source = _ods(
        tmp_path / "labels.ods",
        {
            "Places": [
                _row(_text("Name"), _text("Map link")),
                _row(_text("A"), _labelled(FIRST, "Open map")),
                _row(_text("B"), formula),
            ]
        },
    )
    if not Path(SOFFICE).exists():
        pytest.fail("LibreOffice is missing: apt-get install -y libreoffice-calc-nogui")
    subprocess.run(
        [
            SOFFICE, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
            "--norestore", "--convert-to", "xls", "--outdir", str(tmp_path), str(source),
        ],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    path = tmp_path / "labels.xls"
    assert read_xls_links(path, "Places") == {(2, 1): FIRST, (3, 1): SECOND}
    results = convert_table(read_table(path)).results
    assert [(result.lat, result.lng) for result in results] == [(1.5, 2.5), (3.5, 4.5)]
    assert {result.status for result in results} == {RowStatus.OK}


def _record(kind: int, body: bytes) -> bytes:
    return struct.pack("<HH", kind, len(body)) + body


def _string(text: str) -> bytes:
    """HyperlinkString: units with the closing NUL, counted."""
    units = (text + "\0").encode("utf-16-le")
    return struct.pack("<I", len(units) // 2) + units


def _hlink(rows: tuple[int, int], columns: tuple[int, int], url: str, label: str = "Open") -> bytes:
    moniker = (url + "\0").encode("utf-16-le")
    body = (
        struct.pack("<4H", rows[0], rows[1], columns[0], columns[1])
        + HYPERLINK_CLASS
        + struct.pack("<II", 2, 0x01 | 0x02 | 0x10)  # moniker, absolute, display name
        + _string(label)
        + URL_MONIKER_CLASS
        + struct.pack("<I", len(moniker))
        + moniker
    )
    return _record(HLINK, body)


def _substream(*records: bytes) -> bytes:
    return _record(BOF, b"\x00\x06\x10\x00" + b"\x00" * 12) + b"".join(records) + _record(EOF, b"")


def test_hlink_records_from_the_documentation():
    stream = _substream(_hlink((4, 4), (2, 2), FIRST), _hlink((0, 0xFFFF), (0, 0xFF), SECOND))
    links = _sheet_links(stream, 0)
    assert links[(5, 2)] == FIRST
    assert sum(1 for link in links.values() if link == SECOND) == MAX_CELLS_PER_LINK


def test_many_hlink_records_cannot_make_the_links_outgrow_a_sheet():
    records = [_hlink((row, row + 3), (0, 255), FIRST) for row in range(0, 4400, 4)]
    assert len(_sheet_links(_substream(*records), 0)) == MAX_LINKS


@pytest.mark.parametrize("cut", [1, 9, 24, 30, 40, 60, 75])
def test_a_cut_or_damaged_record_reads_nothing_and_raises_nothing(cut):
    record = _hlink((1, 1), (1, 1), FIRST)
    body = record[4:][:cut]
    assert _sheet_links(_substream(_record(HLINK, body)), 0) == {}
    assert _sheet_links(_substream(record)[: 4 + 20 + cut], 0) in ({}, {(2, 1): FIRST})


@pytest.mark.parametrize(
    ("tokens", "url"),
    [
        (b"\x17\x03\x00abc\x42\x01\x67\x01", "abc"),
        (b"\x17\x03\x00abc\x17\x01\x00x\x42\x02\x67\x01", "abc"),
        (b"\x19\x40\x01\x00\x17\x03\x00abc\x24\x01\x00\x02\x00\x42\x02\x67\x01", "abc"),
        (b"\x17\x03\x01a\x00b\x00c\x00\x42\x01\x67\x01", "abc"),  # UTF-16 text
        (b"\x17\x03\x00abc\x24\x01\x00\x02\x00\x08\x17\x01\x00x\x42\x02\x67\x01", None),  # & A2
        (b"\x17\x03\x00abc\x42\x02\x67\x01", None),  # two arguments announced, one given
        (b"\x17\x09\x00abc", None),  # cut short
        (b"\x24\x01\x00\x02\x00\x42\x01\x67\x01", None),  # the URL is in a cell
        (b"", None),
    ],
)
def test_only_a_literal_hyperlink_formula_gives_its_url(tokens, url):
    assert hyperlink_formula_url(tokens) == url
