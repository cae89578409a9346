"""A workbook's sheets, looked through for the one with links: the cost stays in proportion to
the sheets looked at, and a workbook of thousands of sheets is not looked at whole."""

from __future__ import annotations

import io
import zipfile

from defusedxml import ElementTree

from map_converter.tables import read_table
from map_converter.workbook_sheets import MAX_SHEETS_LOOKED_AT
from tests.hostile_files import many_sheets_xlsx


def _counting(monkeypatch, owner, name: str) -> list:
    calls: list = []
    real = getattr(owner, name)

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)
    return calls


def test_a_workbook_of_many_sheets_costs_in_proportion(tmp_path, monkeypatch):
    """3,000 small sheets without a link (900 KB) took 3.5 minutes: every sheet was looked at,
    and each look read the zip's directory (6,000 entries) and parsed the workbook's index
    again. Without a chosen sheet only the first MAX_SHEETS_LOOKED_AT are looked through."""
    path = tmp_path / "many.xlsx"
    path.write_bytes(many_sheets_xlsx(300))
    directory_reads = _counting(monkeypatch, zipfile.ZipFile, "_RealGetContents")
    index_parses = _counting(monkeypatch, ElementTree, "fromstring")
    table = read_table(path, check_sheet_xml=True)
    assert table.sheet_name == "S1"  # no sheet has links: the first with data, as before
    assert len(directory_reads) <= 3 * 100  # a few for each sheet looked at, not all 300
    assert len(index_parses) <= 10  # once for the workbook, not once a sheet
    chosen = read_table(path, sheet="S300")  # a sheet past them can still be chosen
    assert chosen.sheet_name == "S300"


def test_the_sheet_with_links_is_found_among_the_first_ones(tmp_path):
    source = zipfile.ZipFile(io.BytesIO(many_sheets_xlsx(MAX_SHEETS_LOOKED_AT)))
    path = tmp_path / "many.xlsx"
    with zipfile.ZipFile(path, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == f"xl/worksheets/sheet{MAX_SHEETS_LOOKED_AT}.xml":
                data = data.replace(b"<t>b</t>", b"<t>geo:1.5,2.5</t>").replace(
                    b"Note", b"Map link"
                )
            target.writestr(info, data)
    assert read_table(path).sheet_name == f"S{MAX_SHEETS_LOOKED_AT}"
