"""Links behind labels in an .ods sheet (a <text:a> hyperlink, an =HYPERLINK() formula), which
calamine reads as the label only: read from content.xml, at the right row and column."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import Table, TableCell, TableRow
from odf.text import A, P

from map_converter.convert import convert_table
from map_converter.errors import UnreadableFileError
from map_converter.ods_links import MAX_LINKS, MAX_REPEATED_LINKS, read_ods_links
from map_converter.results import RowStatus
from map_converter.tables import read_table

FIRST = "https://maps.google.com/?q=1.5,2.5"
SECOND = "https://www.openstreetmap.org/?mlat=3.5&mlon=4.5"


def _text(value: str, **attributes) -> TableCell:
    cell = TableCell(valuetype="string", **attributes)
    cell.addElement(P(text=value))
    return cell


def _labelled(target: str, label: str) -> TableCell:
    cell = TableCell(valuetype="string")
    paragraph = P()
    paragraph.addElement(A(href=target, type="simple", text=label))
    cell.addElement(paragraph)
    return cell


def _row(*cells, **attributes) -> TableRow:
    row = TableRow(**attributes)
    for cell in cells:
        row.addElement(cell)
    return row


def _ods(path: Path, sheets: dict[str, list[TableRow]]) -> Path:
    document = OpenDocumentSpreadsheet()
    for name, rows in sheets.items():
        table = Table(name=name)
        for row in rows:
            table.addElement(row)
        document.spreadsheet.addElement(table)
    document.save(str(path))
    return path


def _places(tmp_path: Path) -> Path:
    formula = _text("Open", formula=f'of:=HYPERLINK("{SECOND}";"Open")')
    return _ods(
        tmp_path / "places.ods",
        {
            "Read me": [_row(_labelled("https://example.com/elsewhere", "Open map"))],
            "Places": [
                _row(numberrowsrepeated=2),  # two empty rows above the header
                _row(_text("Name"), TableCell(numbercolumnsrepeated=2), _text("Map link")),
                _row(_text("A"), TableCell(numbercolumnsrepeated=2), _labelled(FIRST, "Open map")),
                _row(_text("B"), TableCell(numbercolumnsrepeated=2), formula),
                _row(_text("C"), TableCell(numbercolumnsrepeated=2), _text("48.8584, 2.2945")),
            ],
        },
    )


def test_links_behind_labels_are_read_at_their_cells(tmp_path):
    assert read_ods_links(_places(tmp_path), "Places") == {(4, 3): FIRST, (5, 3): SECOND}


def test_an_ods_sheet_of_labelled_links_converts(tmp_path):
    table = read_table(_places(tmp_path))
    assert table.sheet_name == "Places"
    results = convert_table(table).results
    assert [(result.row_number, result.lat, result.lng) for result in results] == [
        (4, 1.5, 2.5), (5, 3.5, 4.5), (6, 48.8584, 2.2945),
    ]  # fmt: skip
    assert {result.status for result in results} == {RowStatus.OK}


def test_repeated_rows_and_cells_count_as_what_they_stand_for_within_a_bound(tmp_path):
    path = _ods(
        tmp_path / "r.ods",
        {
            "S": [
                _row(_labelled(FIRST, "x"), numberrowsrepeated=3),
                _row(TableCell(numbercolumnsrepeated=5), _labelled(SECOND, "y")),
                _row(
                    _labelled(
                        FIRST,
                        "z",
                    ),
                    numberrowsrepeated=10**9,
                ),
            ]
        },
    )
    links = read_ods_links(path, "S")
    assert [links[(row, 0)] for row in (1, 2, 3)] == [FIRST] * 3
    assert links[(4, 5)] == SECOND
    assert sum(1 for row, _ in links if row >= 5) == MAX_REPEATED_LINKS


def test_a_content_part_that_declares_entities_is_refused(tmp_path):
    path = _places(tmp_path)
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    content = parts["content.xml"]
    declaration_end = content.index(b"?>") + 2
    parts["content.xml"] = (
        content[:declaration_end]
        + b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        + content[declaration_end:]
    )
    damaged = tmp_path / "entities.ods"
    with zipfile.ZipFile(damaged, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    with pytest.raises(UnreadableFileError):
        read_ods_links(damaged, "Places")


@pytest.mark.parametrize("chunk_bytes", [1, 7, 64, 1 << 20])
def test_the_quick_look_finds_a_label_wherever_the_chunks_are_cut(
    tmp_path, monkeypatch, chunk_bytes
):
    monkeypatch.setattr("map_converter.ods_links._LOOK_CHUNK_BYTES", chunk_bytes)
    assert read_ods_links(_places(tmp_path), "Places") == {(4, 3): FIRST, (5, 3): SECOND}
    only_formula = _ods(
        tmp_path / "f.ods",
        {"S": [_row(_text("Open", formula=f'of:=HYPERLINK("{SECOND}";"Open")'))]},
    )
    assert read_ods_links(only_formula, "S") == {(1, 0): SECOND}


def test_links_that_show_themselves_need_no_second_pass(tmp_path, monkeypatch):
    """LibreOffice turns a typed URL into a link showing that URL: calamine's text is the link."""
    path = _ods(
        tmp_path / "typed.ods",
        {
            "S": [
                _row(_text("Link")),
                _row(_labelled(FIRST, FIRST)),
                _row(_labelled(SECOND, SECOND)),
            ]
        },
    )
    monkeypatch.setattr("map_converter.ods_links._SheetLinks", None)  # never reached
    assert read_ods_links(path, "S") == {}
    results = convert_table(read_table(path)).results
    assert [(result.lat, result.lng) for result in results] == [(1.5, 2.5), (3.5, 4.5)]


def test_a_damaged_content_part_reads_no_links_and_raises_nothing(tmp_path):
    """calamine has its own say on a damaged file; the links are only ever extra."""
    path = _places(tmp_path)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("content.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for offset in (5, info.compress_size // 2, info.compress_size - 3):  # inflate or CRC fails
        damaged = bytearray(data)
        damaged[start + offset] ^= 0xFF
        target = tmp_path / f"damaged-{offset}.ods"
        target.write_bytes(damaged)
        assert read_ods_links(target, "Places") == {}
    truncated = tmp_path / "truncated.ods"
    truncated.write_bytes(data[: len(data) // 2])
    assert read_ods_links(truncated, "Places") == {}


def test_repeats_cannot_make_the_links_outgrow_a_sheet(tmp_path):
    """Links repeated across columns and rows are bounded in total, not only per repeat: three
    linked cells of 1,024 columns each, in a row repeated 1,000 times, were 3 million entries."""
    wide = [TableCell(valuetype="string", numbercolumnsrepeated=1024) for _ in range(3)]
    for cell in wide:
        paragraph = P()
        paragraph.addElement(A(href=FIRST, type="simple", text="x"))
        cell.addElement(paragraph)
    path = _ods(tmp_path / "wide.ods", {"S": [_row(*wide, numberrowsrepeated=1000)]})
    assert len(read_ods_links(path, "S")) == MAX_LINKS
