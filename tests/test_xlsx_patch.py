"""The streaming sheet patcher on valid XML that regexes get wrong, and on hostile XML."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from map_converter import output, sheet_patcher
from map_converter.errors import UnreadableFileError
from map_converter.pipeline import convert_file
from map_converter.sheet_values import ColumnValues
from map_converter.sheet_xml import NoCheck, SoundSheet, check_sheet
from map_converter.tables import read_table
from map_converter.xlsx_patch import patch_workbook

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS = {"m": MAIN}


def workbook_with_sheet_xml(path: Path, sheet_xml: str) -> Path:
    """An openpyxl workbook whose sheet1.xml is replaced by the given XML."""
    base = io.BytesIO()
    workbook = openpyxl.Workbook()
    workbook.active.append(["x"])
    workbook.save(base)
    with zipfile.ZipFile(base) as source, zipfile.ZipFile(path, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml.encode()
            target.writestr(info, data)
    return path


def sheet_xml_of(path: Path) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read("xl/worksheets/sheet1.xml")


def cells_by_row(xml: bytes) -> dict[str, list[str]]:
    """row number -> cell references in document order (namespace-prefixed or not)."""
    root = ElementTree.fromstring(xml)
    rows = {}
    for row in root.iter(f"{{{MAIN}}}row"):
        rows[row.get("r")] = [cell.get("r") for cell in row.iter(f"{{{MAIN}}}c")]
    return rows


def patch(tmp_path: Path, sheet_xml: str, rows: dict, new_columns=(2, 3)) -> bytes:
    source = workbook_with_sheet_xml(tmp_path / "in.xlsx", sheet_xml)
    output = tmp_path / "out.xlsx"
    patch_workbook(source, output, "Sheet", rows, new_columns, {2: 12.0, 3: 12.0})
    return sheet_xml_of(output)


def sheet(body: str, prefix: str = "") -> str:
    namespace = f'xmlns{":" + prefix[:-1] if prefix else ""}="{MAIN}"'
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><{prefix}worksheet {namespace}>'
        f'<{prefix}dimension ref="A1:B3"/><{prefix}sheetData>{body}</{prefix}sheetData>'
        f"</{prefix}worksheet>"
    )


ROWS = {1: {2: "Latitude", 3: "Longitude"}, 2: {2: 48.85, 3: 2.29}, 3: {2: 40.7, 3: -74.0}}
# ROWS written into a sheet whose three rows hold one cell each, in column A.
OURS_AFTER_COLUMN_A = {"1": ["A1", "C1", "D1"], "2": ["A2", "C2", "D2"], "3": ["A3", "C3", "D3"]}


def test_cdata_holding_a_row_end_is_left_alone(tmp_path):
    body = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t><![CDATA[x</row><row r="9">]]></t></is></c></row>'
        '<row r="3"><c r="A3"><v>1</v></c></row>'
    )
    xml = patch(tmp_path, sheet(body), ROWS)
    assert cells_by_row(xml) == OURS_AFTER_COLUMN_A
    assert b'<![CDATA[x</row><row r="9">]]>' in xml


def test_a_comment_holding_a_row_is_not_a_row(tmp_path):
    body = (
        '<row r="1"><c r="A1"><v>1</v></c></row><!-- <row r="2"><c r="A2"/></row> -->'
        '<row r="2"><!-- </row> --><c r="A2"><v>2</v></c></row><row r="3"><c r="A3"><v>3</v></c></row>'
    )
    xml = patch(tmp_path, sheet(body), ROWS)
    assert cells_by_row(xml) == OURS_AFTER_COLUMN_A


def test_namespace_prefixed_spreadsheetml_gets_its_cells(tmp_path):
    body = (
        '<x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c></x:row>'
        '<x:row r="2"><x:c r="A2"><x:v>2</x:v></x:c></x:row>'
        '<x:row r="3"><x:c r="A3"><x:v>3</x:v></x:c></x:row>'
    )
    xml = patch(tmp_path, sheet(body, "x:"), ROWS)
    assert cells_by_row(xml) == OURS_AFTER_COLUMN_A
    assert b'<x:c r="C2"><x:v>48.85</x:v></x:c>' in xml
    assert b'<x:cols><x:col min="3"' in xml


def test_cells_after_ours_keep_column_order(tmp_path):
    body = (
        '<row r="1"><c r="A1"><v>1</v></c><c r="E1"><v>5</v></c></row>'
        '<row r="2"><c r="A2"><v>1</v></c><c r="C2"><v>old</v></c><c r="E2"><v>5</v></c></row>'
        '<row r="3"><c r="A3"/><c r="B3"><v>7</v></c></row>'
    )
    xml = patch(tmp_path, sheet(body), ROWS)
    assert cells_by_row(xml) == {
        "1": ["A1", "C1", "D1", "E1"], "2": ["A2", "C2", "D2", "E2"], "3": ["A3", "B3", "C3", "D3"],
    }  # fmt: skip
    assert b"old" not in xml


def test_rows_split_over_chunks_and_rows_missing_from_the_sheet(tmp_path, monkeypatch):
    monkeypatch.setattr(sheet_patcher, "CHUNK_BYTES", 7)  # every construct crosses a boundary
    body = '<row r="1"><c r="A1"><v>1</v></c></row><!-- a comment --><row r="3"><c r="A3"><v>3</v></c></row>'
    xml = patch(tmp_path, sheet(body), ROWS)
    assert cells_by_row(xml) == {
        "1": ["A1", "C1", "D1"],
        "2": ["C2", "D2"],
        "3": ["A3", "C3", "D3"],
    }
    assert b'<dimension ref="A1:D3"/>' in xml


def test_a_row_longer_than_many_chunks_is_scanned_a_few_times_not_once_a_chunk(
    tmp_path, monkeypatch
):
    """A 17 MB upload whose row held 150 MB of whitespace took 29 s to patch: the row was
    looked for again in a buffer one chunk longer each time, and the buffer copied as often."""
    monkeypatch.setattr(sheet_patcher, "CHUNK_BYTES", 1024)
    scanned = []
    scan = sheet_patcher.SheetPatcher._scan
    monkeypatch.setattr(
        sheet_patcher.SheetPatcher,
        "_scan",
        lambda self, buffer, is_end: [scanned.append(len(buffer)), scan(self, buffer, is_end)][1],
    )
    body = '<row r="1"><c r="A1"><v>1</v></c></row><row r="2">' + " " * 200_000
    body += '<c r="A2"><v>2</v></c></row><row r="3"><c r="A3"><v>3</v></c></row>'
    xml = patch(tmp_path, sheet(body), ROWS)
    assert cells_by_row(xml) == OURS_AFTER_COLUMN_A
    assert sum(scanned) <= 4 * len(body)


def test_non_finite_numbers_write_no_cell(tmp_path):
    rows = {1: {2: "Latitude"}, 2: {2: float("inf"), 3: float("nan")}}
    xml = patch(tmp_path, sheet('<row r="1"/><row r="2"><c r="A2"><v>1</v></c></row>'), rows)
    assert cells_by_row(xml)["2"] == ["A2"]
    assert b"inf" not in xml.lower()


@pytest.mark.parametrize(
    "sheet_xml",
    [
        '<!DOCTYPE worksheet [<!ENTITY a "aaaa">]><worksheet xmlns="'
        + MAIN
        + '"><sheetData/></worksheet>',
        '<worksheet xmlns="'
        + MAIN
        + '"><sheetData><row r="1"><c r="A1"><v>1</v></row></sheetData></worksheet>',
        '<worksheet xmlns="' + MAIN + '"><sheetData><row r="1">',
    ],
    ids=["dtd", "mismatched-tags", "truncated"],
)
def test_damaged_or_dtd_sheets_are_refused(tmp_path, sheet_xml):
    with pytest.raises(UnreadableFileError):
        patch(tmp_path, sheet_xml, ROWS)
    assert not (tmp_path / "out.xlsx.partial").exists()


def test_whole_pipeline_on_a_sheet_with_a_cdata_row_end(tmp_path):
    body = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Link</t></is></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>48.85, 2.29</t></is></c></row>'
        '<row r="3"><c r="A3" t="inlineStr"><is><t><![CDATA[40.7, -74.0]]></t></is></c></row>'
    )
    source = workbook_with_sheet_xml(tmp_path / "in.xlsx", sheet(body))
    output = tmp_path / "out.xlsx"
    conversion = convert_file(source, [(output, None)])
    assert conversion.counts["ok"] == 2
    sheet_values = openpyxl.load_workbook(output).active
    assert (sheet_values["B2"].value, sheet_values["C2"].value) == (48.85, 2.29)
    assert (sheet_values["B3"].value, sheet_values["C3"].value) == (40.7, -74.0)


def column_of(reference: str) -> int:
    letters = reference.rstrip("0123456789")
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def assert_cells_in_column_order(xml: bytes) -> None:
    """Excel reads a row's cells only in ascending column order; it drops or 'repairs' the rest."""
    for row_number, references in cells_by_row(xml).items():
        columns, column = [], 0
        for reference in references:  # a cell without r is the one after the cell before it
            column = column_of(reference) if reference else column + 1
            columns.append(column)
        assert columns == sorted(set(columns)), f"row {row_number}: {references}"


def test_values_given_out_of_column_order_are_written_in_column_order(tmp_path):
    rows = {1: {3: "Longitude", 2: "Latitude"}, 2: {5: "ok", 2: 48.85, 3: 2.29, 6: "note"}}
    body = '<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2"><v>1</v></c></row>'
    xml = patch(tmp_path, sheet(body), rows, new_columns=(2, 3, 5, 6))
    assert cells_by_row(xml) == {"1": ["A1", "C1", "D1"], "2": ["A2", "C2", "D2", "F2", "G2"]}


def test_whole_pipeline_writes_every_row_in_column_order(tmp_path):
    source = tmp_path / "in.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.append(["Name", "Map link", "Notes"])
    workbook.active.append(["a", "https://maps.google.com/?q=48.85,2.29", "x"])
    workbook.active.append(["b", "not a link", "y"])
    workbook.active.append(["c", "geo:40.7,-74.0", None])
    workbook.save(source)
    output = tmp_path / "out.xlsx"
    convert_file(source, [(output, None)])
    assert_cells_in_column_order(sheet_xml_of(output))


def test_an_attribute_value_that_looks_like_r_is_not_the_reference(tmp_path):
    # Another attribute's value may hold the text r="…"; only the r attribute itself counts.
    body = (
        '<row r="1"><c r="A1"><v>1</v></c></row>'
        '<row x=" r=\'3\'" r="2"><c x=\' r="Z2"\' r="A2"><v>1</v></c></row>'
        '<row r="3"><c r="A3"><v>3</v></c></row>'
    )
    xml = patch(tmp_path, sheet(body), ROWS)
    assert cells_by_row(xml) == OURS_AFTER_COLUMN_A
    assert b'<c r="C2"><v>48.85</v></c>' in xml


ROW_SHAPES = st.fixed_dictionaries(
    {
        "numbered": st.booleans(),
        "spans": st.booleans(),
        "empty": st.booleans(),
        "cells": st.one_of(
            st.lists(st.integers(min_value=0, max_value=1), max_size=2, unique=True),
            st.lists(st.integers(min_value=0, max_value=6), max_size=3, unique=True),
        ),
        "cell_refs": st.booleans(),
        "before": st.sampled_from(["", "", "", "\n  ", "<!-- c -->", "<?pi x?>"]),
    }
)


def generated_sheet(prefix: str, shapes: list[dict]) -> str:
    rows = []
    for number, shape in enumerate(shapes, start=1):
        attributes = (f' r="{number}"' if shape["numbered"] else "") + (
            ' spans="1:2"' if shape["spans"] else ""
        )
        if not shape["numbered"] and rows:
            attributes = f' r="{number}"'  # rows without r only where they count from the last
        cells = "".join(
            f"<{prefix}c{' r=' + chr(34) + 'ABCDEFG'[column] + str(number) + chr(34) if shape['cell_refs'] else ''}>"
            f"<{prefix}v>{column}</{prefix}v></{prefix}c>"
            for column in sorted(shape["cells"])
        )
        if shape["empty"] and not cells:
            rows.append(f"{shape['before']}<{prefix}row{attributes}/>")
        else:
            rows.append(f"{shape['before']}<{prefix}row{attributes}>{cells}</{prefix}row>")
    return sheet("".join(rows), prefix)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    prefix=st.sampled_from(["", "x:"]),
    shapes=st.lists(ROW_SHAPES, min_size=1, max_size=12),
    written=st.one_of(
        st.sets(st.integers(min_value=1, max_value=14), max_size=14),
        st.just(set(range(1, 13))),  # every row: runs taken whole
    ),
    header_row=st.sampled_from([None, 1, 2]),
    chunk_bytes=st.sampled_from([7, 64, 1 << 20]),
)
def test_runs_of_plain_rows_give_the_bytes_row_by_row_gives(
    prefix, shapes, written, header_row, chunk_bytes
):
    """The run-of-rows path is only a faster way to the row-by-row path's output."""
    sheet_xml = generated_sheet(prefix, shapes)
    rows = {
        number: {5: float(number) + 0.5, 2: "ok" if number % 3 else "", 3: -1.25, 6: "n<&>"}
        for number in sorted(written)
    }
    outputs = []
    with tempfile.TemporaryDirectory() as folder:
        source = workbook_with_sheet_xml(Path(folder) / "in.xlsx", sheet_xml)
        data = [number for number in sorted(rows) if number != header_row]
        by_column = ColumnValues(
            data,
            {column: [rows[number][column] for number in data] for column in (2, 3, 5, 6)},
            header_row if header_row in rows else None,
            rows.get(header_row, {}),
        )
        sound = check_sheet(source, "Sheet")
        for way, values, runs, sound_sheet in (
            ("row by row", rows, False, None),
            ("runs", rows, True, None),
            ("runs, checked", rows, True, sound),
            ("runs by column, checked", by_column, True, sound),
        ):
            with pytest.MonkeyPatch.context() as monkeypatch:
                monkeypatch.setattr(sheet_patcher, "CHUNK_BYTES", chunk_bytes)
                if not runs:
                    monkeypatch.setattr(sheet_patcher.SheetPatcher, "_run_of_rows", lambda *_: None)
                output = Path(folder) / f"out-{way}.xlsx"
                patch_workbook(
                    source, output, "Sheet", values, (5, 6), {5: 12.0}, header_row,
                    coordinate_columns=(5,), sound_sheet=sound_sheet,
                )  # fmt: skip
                outputs.append(sheet_xml_of(output))
    assert sound is not None
    assert outputs[1:] == [outputs[0]] * 3
    ElementTree.fromstring(outputs[0])
    assert_cells_in_column_order(outputs[0])


def test_the_check_beside_calamine_passes_sound_sheets_and_leaves_faults_to_the_patcher(
    tmp_path, monkeypatch
):
    body = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Link</t></is></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>48.85, 2.29</t></is></c></row>'
    )
    sound = workbook_with_sheet_xml(tmp_path / "sound.xlsx", sheet(body))
    assert read_table(sound, check_sheet_xml=True).sound_sheet == SoundSheet(plain=True)
    assert read_table(sound).sound_sheet is None  # only when asked
    checked = []
    monkeypatch.setattr(sheet_patcher, "NoCheck", lambda: checked.append(1) or NoCheck())
    convert_file(sound, [(tmp_path / "out.xlsx", None)])
    assert checked == [1]  # the patcher did not check it again
    # calamine reads this sheet; its DTD is refused by the patcher, and no output is left
    with_dtd = '<!DOCTYPE worksheet [<!ENTITY a "x">]>' + sheet(body).split("?>", 1)[1]
    damaged = workbook_with_sheet_xml(tmp_path / "dtd.xlsx", with_dtd)
    table = read_table(damaged, check_sheet_xml=True)
    assert table.rows == [["48.85, 2.29"]]
    assert table.sound_sheet is None
    with pytest.raises(UnreadableFileError, match="DTD"):
        convert_file(damaged, [(tmp_path / "dtd-out.xlsx", None)])
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "dtd.xlsx",
        "out.xlsx",
        "sound.xlsx",
    ]


def test_values_by_column_are_the_result_cells_of_every_row(tmp_path):
    """output writes ok/failed/skipped rows column by column; that must stay _result_cells."""
    source = tmp_path / "in.xlsx"
    workbook = openpyxl.Workbook()
    for row in (["Name", "Link"], ["a", "48.85, 2.29"], ["b", "nonsense"], ["c", None]):
        workbook.active.append(row)
    workbook.save(source)
    conversion = convert_file(source)
    layout = output.output_layout(conversion)
    values = output._values_to_write(conversion, layout)
    assert isinstance(values, ColumnValues)
    for index, result in enumerate(conversion.results):
        by_row = output._result_cells(layout, result, conversion.table.rows[index])
        assert {column: cells[index] for column, cells in values.columns.items()} == by_row


@pytest.mark.parametrize(
    ("sheet_compression", "other_compression"),
    [
        (zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED),
        (zipfile.ZIP_STORED, zipfile.ZIP_STORED),
        (zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA),  # rare in a workbook, but zip allows them
    ],
)
def test_parts_read_back_whole_by_zlib_whatever_deflates_them(
    tmp_path, sheet_compression, other_compression
):
    """ISA-L inflates and deflates what we stream; the file must still be plain deflate that
    zlib (every spreadsheet program's kind) reads with matching CRCs, stored parts stay stored,
    and every part but the sheet and styles comes back byte for byte. The sheet spans several
    read chunks."""
    body = "".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>{("place " + str(n) + " ") * 8}</t></is></c></row>'
        for n in range(1, 30_001)
    )
    source = workbook_with_sheet_xml(tmp_path / "plain.xlsx", sheet(body))
    mixed = tmp_path / "mixed.xlsx"
    with zipfile.ZipFile(source) as plain, zipfile.ZipFile(mixed, "w") as target:
        for info in plain.infolist():
            data = plain.read(info)
            is_sheet = info.filename == "xl/worksheets/sheet1.xml"
            info.compress_type = sheet_compression if is_sheet else zipfile.ZIP_DEFLATED
            if info.filename == "docProps/app.xml":
                info.compress_type = other_compression
            target.writestr(info, data)
    output_path = tmp_path / "out.xlsx"
    rows = {n: {2: n / 7, 3: f"row {n}"} for n in range(1, 30_001)}
    patch_workbook(mixed, output_path, "Sheet", rows, (2, 3), {2: 12.0, 3: 12.0})
    with zipfile.ZipFile(mixed) as before, zipfile.ZipFile(output_path) as after:
        assert after.testzip() is None
        for info in before.infolist():
            written = after.getinfo(info.filename)
            assert written.compress_type == info.compress_type or (
                info.filename == "xl/worksheets/sheet1.xml"
                and written.compress_type == zipfile.ZIP_DEFLATED
            )
            if info.filename not in ("xl/worksheets/sheet1.xml", "xl/styles.xml"):
                assert after.read(info.filename) == before.read(info)
        patched = after.read("xl/worksheets/sheet1.xml")
    assert len(patched) > 3 * sheet_patcher.CHUNK_BYTES
    assert cells_by_row(patched)["30000"] == ["A30000", "C30000", "D30000"]


def test_rows_after_the_header_go_as_one_run(tmp_path, monkeypatch):
    """Every sheet has its header in its first chunk: the header row takes the row-by-row path
    (its cells take the header's look), and the rows after it must be written as a run again,
    not one by one to the end of the chunk (the whole of a small sheet)."""
    body = "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(1, 51))
    source = workbook_with_sheet_xml(tmp_path / "in.xlsx", sheet(body))
    data = list(range(2, 51))
    values = ColumnValues(
        data,
        {2: [n / 3 for n in data], 3: ["ok"] * len(data)},
        1,
        {2: "Latitude", 3: "Status"},
    )
    written_one_by_one = []
    row_xml = sheet_patcher.NewCells.row_xml
    monkeypatch.setattr(
        sheet_patcher.NewCells,
        "row_xml",
        lambda self, number, cells: (
            written_one_by_one.append(number) or row_xml(self, number, cells)
        ),
    )
    output_path = tmp_path / "out.xlsx"
    patch_workbook(source, output_path, "Sheet", values, (2, 3), {2: 12.0}, header_row=1)
    assert written_one_by_one == [1]
    assert cells_by_row(sheet_xml_of(output_path))["50"] == ["A50", "C50", "D50"]
