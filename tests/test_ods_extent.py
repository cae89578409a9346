"""How far an .ods file's tables reach, read before calamine opens it: an 815-byte file of
repeated cells made calamine ask for 3 GB and abort the process. The crashes run in child
processes whose address space is capped, so a regression fails fast and alone."""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from map_converter.errors import UnreadableFileError
from map_converter.ods_extent import ods_extents
from map_converter.sheet_extent import SheetExtent
from map_converter.tables import read_table
from tests.hostile_files import (
    ODS_CELL,
    convert_in_child,
    raw_ods,
    repeated_cells_ods,
    rewrite_part,
)

HEADER = f"<table:table-row>{ODS_CELL.format('Map link')}</table:table-row>"
LINK = f"<table:table-row>{ODS_CELL.format('geo:1.5,2.5')}</table:table-row>"
EMPTY = "<table:table-cell/>"


def test_cells_repeated_into_millions_are_refused_not_a_crash(tmp_path):
    path = tmp_path / "repeated.ods"
    path.write_bytes(repeated_cells_ods())
    done = convert_in_child(path, tmp_path / "out.csv")
    assert done.returncode == 1, done.stderr[-2000:]
    assert "The sheet 'Places' reaches as far as cell CQ1000001" in done.stderr
    assert "95,000,095 cells, from 2 written in the file" in done.stderr


def test_a_stray_cell_far_to_the_right_is_refused_without_any_repeat(tmp_path):
    """Ten thousand rows of one cell and one row of 9,000 cells: 90 million in calamine's grid."""
    wide = "<table:table-row>" + ODS_CELL.format("x") * 9000 + "</table:table-row>"
    path = tmp_path / "wide.ods"
    path.write_bytes(raw_ods({"Places": HEADER + LINK * 10_000 + wide}))
    done = convert_in_child(path, tmp_path / "out.csv")
    assert done.returncode == 1, done.stderr[-2000:]
    assert "reaches as far as cell MHD10002" in done.stderr


def test_a_far_table_nobody_chose_still_refuses_the_file(tmp_path):
    """calamine reads every table as it opens an .ods: the check cannot pass one over."""
    far = HEADER + (
        '<table:table-row table:number-rows-repeated="1048574"><table:table-cell/>'
        '</table:table-row><table:table-row><table:table-cell table:number-columns-repeated="16383"/>'
        f"{ODS_CELL.format('x')}</table:table-row>"
    )
    path = tmp_path / "two.ods"
    path.write_bytes(raw_ods({"Places": HEADER + LINK, "Notes": far}))
    done = convert_in_child(path, tmp_path / "out.csv")
    assert done.returncode == 1, done.stderr[-2000:]
    assert "The sheet 'Notes' reaches as far as cell XFD1048576" in done.stderr


def _spaces(count: int) -> str:
    return (
        '<table:table-row><table:table-cell office:value-type="string"><text:p>geo:1.5,'
        f'<text:s text:c="{count}"/>2.5</text:p></table:table-cell></table:table-row>'
    )


def test_text_asking_for_billions_of_spaces_is_refused_not_a_crash(tmp_path):
    path = tmp_path / "spaces.ods"
    path.write_bytes(raw_ods({"Places": HEADER + _spaces(2_000_000_000)}))
    done = convert_in_child(path, tmp_path / "out.csv")
    assert done.returncode == 1, done.stderr[-2000:]
    assert "ask for 2,000,000,000 spaces" in done.stderr


def test_runs_of_spaces_are_read_as_written(tmp_path):
    path = tmp_path / "spaces.ods"
    path.write_bytes(raw_ods({"Places": HEADER + _spaces(3)}))
    assert read_table(path).rows[0][0] == "geo:1.5,   2.5"


def test_formatting_repeated_to_the_sheets_edge_is_read(tmp_path):
    """LibreOffice repeats a formatted empty row and cell to the sheet's last row and column;
    calamine keeps no empty cell, and neither does the check."""
    edge = (
        '<table:table-row table:style-name="ro1" table:number-rows-repeated="1048573">'
        '<table:table-cell table:style-name="ce1" table:number-columns-repeated="16384"/>'
        "</table:table-row>"
    )
    trailing = '<table:table-cell table:style-name="ce1" table:number-columns-repeated="16383"/>'
    rows = HEADER + LINK.replace("</table:table-row>", trailing + "</table:table-row>") + edge
    path = tmp_path / "formatted.ods"
    path.write_bytes(raw_ods({"Places": rows}))
    table = read_table(path)
    assert table.row_count == 1
    assert table.rows[0][0] == "geo:1.5,2.5"


def test_repeated_rows_within_the_floor_are_read_as_the_rows_they_stand_for(tmp_path):
    same = f'<table:table-row table:number-rows-repeated="1000">{ODS_CELL.format("geo:1.5,2.5")}'
    path = tmp_path / "same.ods"
    path.write_bytes(raw_ods({"Places": HEADER + same + "</table:table-row>"}))
    assert read_table(path).row_count == 1000


def _pieces(content: str, tags_per_piece: int) -> list[bytes]:
    """content.xml cut before every tags_per_piece-th tag, as the streaming reader gives it."""
    starts = [match.start() for match in re.finditer("<", content)][::tags_per_piece] + [None]
    return [content[a:b].encode() for a, b in zip(starts, starts[1:], strict=False) if a != b]


def _table(rows: str) -> str:
    return f'<office:body><table:table table:name="T">{rows}</table:table></office:body>'


SHAPES = [
    # a kept cell after repeated empty ones reaches past them
    (HEADER + f'<table:table-row><table:table-cell table:number-columns-repeated="40"/>'
     f"{ODS_CELL.format('x')}</table:table-row>", SheetExtent(2, 41, 3)),
    # a number, a date, a formula: each is kept; a cell of text without a value type is not
    (HEADER + '<table:table-row><table:table-cell office:value="1"/><table:table-cell '
     'office:date-value="2024-01-01"/><table:table-cell table:formula="of:=1"/>'
     "<table:table-cell><text:p>t</text:p></table:table-cell></table:table-row>",
     SheetExtent(2, 3, 5)),
    # a repeated row holding a value counts every row it stands for
    (HEADER + '<table:table-row table:number-rows-repeated="7">' + ODS_CELL.format("x")
     + "</table:table-row>", SheetExtent(8, 1, 2)),
    # empty repeated rows count only when a kept row follows them
    (HEADER + '<table:table-row table:number-rows-repeated="50"><table:table-cell/>'
     "</table:table-row>" + LINK, SheetExtent(52, 1, 3)),
    (HEADER + '<table:table-row table:number-rows-repeated="50"><table:table-cell/>'
     "</table:table-row>", SheetExtent(1, 1, 2)),
    # rows inside row groups and header rows; a covered cell holding a value
    ("<table:table-header-rows>" + HEADER + "</table:table-header-rows><table:table-row-group>"
     + LINK + '<table:table-row><table:covered-table-cell table:number-columns-repeated="4"/>'
     '<table:covered-table-cell office:value-type="float" office:value="2"/></table:table-row>'
     "</table:table-row-group>", SheetExtent(3, 5, 4)),
    # a row that closes itself stands for its rows all the same
    (HEADER + '<table:table-row table:number-rows-repeated="3"/>' + LINK, SheetExtent(5, 1, 2)),
]  # fmt: skip


@pytest.mark.parametrize("tags_per_piece", [1, 3, 10_000])
@pytest.mark.parametrize(("rows", "extent"), SHAPES)
def test_the_extent_is_what_calamine_would_build(rows, extent, tags_per_piece):
    pieces = _pieces(_table(rows), tags_per_piece)
    assert ods_extents(pieces, exact=True) == [("T", extent)]
    [(name, bound)] = ods_extents(pieces)  # the quick pass: an upper bound
    assert name == "T"
    assert bound.last_row >= extent.last_row
    assert bound.last_column >= extent.last_column


TRAILING = '<table:table-cell table:style-name="ce1" table:number-columns-repeated="16382"/>'


@pytest.mark.parametrize("trailing", ["", TRAILING], ids=["plain", "libreoffice"])
def test_the_quick_pass_is_exact_for_rows_of_kept_cells(trailing):
    """As LibreOffice saves a sheet too: each row ends with its empty cells, repeated to the
    sheet's last column, which take no room in calamine's grid."""
    row = LINK.replace("</table:table-row>", ODS_CELL.format("n") + trailing + "</table:table-row>")
    for tags_per_piece in (1, 7, 100_000):
        pieces = _pieces(_table(HEADER + row * 500), tags_per_piece)
        [(_, bound)] = ods_extents(pieces)
        [(_, exact)] = ods_extents(pieces, exact=True)
        assert (
            (bound.last_row, bound.last_column) == (exact.last_row, exact.last_column) == (501, 2)
        )


def test_a_damaged_content_part_is_a_damaged_file(tmp_path):
    """A broken deflate stream in content.xml raised ISA-L's own error out of the check (a 500
    in the web) where calamine would have said the file is damaged."""
    content = bytearray(raw_ods({"Places": HEADER + LINK * 50}))
    info = zipfile.ZipFile(io.BytesIO(bytes(content))).getinfo("content.xml")
    data_start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    content[data_start + 20 : data_start + 60] = b"\xff" * 40
    path = tmp_path / "broken.ods"
    path.write_bytes(bytes(content))
    with pytest.raises(UnreadableFileError):
        read_table(path)


@pytest.mark.parametrize(
    "change",
    [
        lambda xml: xml.replace(b"</table:table>", b""),  # cut short: the table never ends
        lambda xml: xml.replace(b"</table:table>", b"<!-- </table:table> -->"),  # in a comment
        lambda xml: xml.replace(b"</table:table>", b"<![CDATA[</table:table>]]>"),
    ],
    ids=["no-end", "end-in-a-comment", "end-in-cdata"],
)
def test_a_table_that_never_ends_is_refused_not_a_hang(tmp_path, change):
    """calamine reads a table's events until its end tag and loops for ever at the end of the
    file when there is none (fuzzing found it: a worker's thread gone for good)."""
    path = tmp_path / "endless.ods"
    path.write_bytes(rewrite_part(raw_ods({"Places": HEADER + LINK}), "content.xml", change))
    done = convert_in_child(path, tmp_path / "out.csv")
    assert done.returncode == 1, done.stderr[-2000:]
    assert "The sheet 'Places' does not end" in done.stderr


def test_comments_elsewhere_are_read_as_before(tmp_path):
    path = tmp_path / "commented.ods"
    path.write_bytes(
        rewrite_part(
            raw_ods({"Places": HEADER + "<!-- a note -->" + LINK}),
            "content.xml",
            lambda xml: xml.replace(b"<office:body>", b"<!-- made by hand --><office:body>"),
        )
    )
    assert read_table(path).rows[0][0] == "geo:1.5,2.5"


def test_cells_inside_a_comment_do_not_count_toward_what_a_sheet_may_reach(tmp_path):
    """calamine reads no cell inside a comment, so none may raise the allowance (the grid may
    hold 8 cells for each one written): 5,000,000 cells from one, with 700,000 commented out."""
    far = (
        '<table:table-row table:number-rows-repeated="50000"><table:table-cell '
        'table:number-columns-repeated="100" office:value-type="float" office:value="1"/>'
        "</table:table-row>"
    )
    commented = (
        "<!--" + '<table:table-cell office:value-type="float" office:value="1"/>' * 700_000 + "-->"
    )
    path = tmp_path / "padded.ods"
    path.write_bytes(raw_ods({"Places": HEADER + commented + far}))
    with pytest.raises(UnreadableFileError, match="reaches as far as cell CV50001"):
        read_table(path)
