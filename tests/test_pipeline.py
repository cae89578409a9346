"""The whole row pipeline on arbitrary cells: every row ends with a status and a note, and every
output parses (JSON, XML, xlsx, CSV). Also non-finite numbers in a real workbook."""

from __future__ import annotations

import csv
import json
import math
import tempfile
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from map_converter.convert import convert_table
from map_converter.output import write_output
from map_converter.pipeline import convert_file
from map_converter.results import RowStatus
from map_converter.tables import Table
from tests.test_xlsx_patch import workbook_with_sheet_xml

LINKS = st.sampled_from(
    [
        "https://www.google.com/maps/place/X/@1,1,15z/data=!3m1!4b1!4m2!3m1!8m2!3d48.8583701!4d2.2944813",
        "geo:0,0?q=40.7,-74.0(A & B <c>)",
        "48°51'29.5\"N 2°17'40.2\"E",
        "https://maps.app.goo.gl/abc",
        "https://maps.google.com/?q=0,0",
        "",
    ]
)
CELLS = st.one_of(
    st.none(),
    st.text(max_size=60),
    LINKS,
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**18), max_value=10**18),
    st.booleans(),
)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    header=st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=4),
    rows=st.lists(st.lists(CELLS, min_size=1, max_size=5), min_size=1, max_size=8),
)
def test_any_cells_end_as_row_statuses_and_parseable_outputs(header, rows):
    table = Table(
        path=Path("generated.csv"),
        format="csv",
        sheet_names=[],
        sheet_name=None,
        header=["Link", *header],
        rows=rows,
        row_numbers=list(range(2, len(rows) + 2)),
        header_row_number=1,
    )
    conversion = convert_table(table, "Link")
    assert len(conversion.results) == len(rows)
    for result in conversion.results:
        assert result.status in set(RowStatus)
        assert result.note
        if result.status is RowStatus.OK:
            assert math.isfinite(result.lat)
            assert math.isfinite(result.lng)
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        for output_format in ("xlsx", "csv", "geojson", "kml"):
            write_output(conversion, folder / f"out.{output_format}", output_format)
        collection = json.loads((folder / "out.geojson").read_text(encoding="utf-8"))
        assert collection["type"] == "FeatureCollection"
        ElementTree.parse(folder / "out.kml")
        workbook = openpyxl.load_workbook(folder / "out.xlsx")
        assert workbook.active.max_row == len(rows) + 1
        with open(folder / "out.csv", encoding="utf-8-sig", newline="") as handle:
            assert len(list(csv.reader(handle))) == len(rows) + 1


def test_infinite_numbers_in_a_workbook_do_not_fail_the_conversion(tmp_path):
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    sheet = (
        f'<worksheet xmlns="{main}"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Link</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>Size</t></is></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>48.85, 2.29</t></is></c><c r="B2"><v>1e999</v></c></row>'
        '<row r="3"><c r="A3"><v>-1e999</v></c><c r="B3"><v>2</v></c></row>'
        "</sheetData></worksheet>"
    )
    source = workbook_with_sheet_xml(tmp_path / "inf.xlsx", sheet)
    outputs = [(tmp_path / f"out.{kind}", kind) for kind in ("xlsx", "csv", "geojson", "kml")]
    conversion = convert_file(source, outputs)
    assert [result.status for result in conversion.results] == [RowStatus.OK, RowStatus.SKIPPED]
    features = json.loads((tmp_path / "out.geojson").read_text(encoding="utf-8"))["features"]
    assert features[0]["properties"]["Size"] is None
    with zipfile.ZipFile(tmp_path / "out.xlsx") as archive:
        assert b"1e999" in archive.read("xl/worksheets/sheet1.xml")  # the user's cell, untouched
