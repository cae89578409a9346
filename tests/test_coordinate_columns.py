"""A sheet that keeps its places as a latitude column and a longitude column (CRM and GPS exports)
reads one point a row from the pair, as if 'lat, lng' were typed in one cell; a column of links
still comes first, and what the user typed in those columns is never changed."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest

from map_converter.convert import convert_table
from map_converter.pipeline import convert_file
from map_converter.results import RowStatus
from map_converter.tables import detect_link_column, read_table
from tests.conftest import write_xlsx

PLACES = [
    ["Name", "Lat", "Lng"],
    ["Eiffel Tower", 48.8583701, 2.2944813],
    ["Statue of Liberty", 40.6892494, -74.0445004],
    ["Whole degrees", 48, 2],
    ["Sydney, swapped", 151.2093, -33.8688],
    ["No place yet", None, None],
]


def _csv(path: Path, rows: list[list], delimiter: str = ",") -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    return path


def test_a_latitude_and_a_longitude_column_read_as_one_point_a_row(tmp_path):
    table = read_table(write_xlsx(tmp_path / "crm.xlsx", PLACES))
    conversion = convert_table(table)
    assert table.header[conversion.link_column] == "Lat"
    results = conversion.results
    assert (results[0].lat, results[0].lng) == (48.8583701, 2.2944813)
    assert results[0].status is RowStatus.OK
    assert "latitude and longitude columns" in results[0].note
    assert (results[1].lat, results[1].lng) == (40.6892494, -74.0445004)
    assert (results[2].lat, results[2].lng) == (48.0, 2.0)  # named columns: whole degrees are clear
    assert results[3].status is RowStatus.FAILED
    assert "swap" in results[3].note
    assert results[4].status is RowStatus.SKIPPED


def test_the_output_keeps_the_users_columns_and_adds_only_status_and_note(tmp_path):
    source = write_xlsx(tmp_path / "crm.xlsx", PLACES)
    output = tmp_path / "out.xlsx"
    convert_file(source, [(output, "xlsx")])
    sheet = openpyxl.load_workbook(output).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Name", "Lat", "Lng")
    assert len(rows[0]) == 5  # Status and Note, no second Latitude/Longitude
    assert rows[1][1:3] == (48.8583701, 2.2944813)
    assert rows[4][1:3] == (151.2093, -33.8688)  # a refused row keeps what was typed
    assert rows[4][3] == "failed"


def test_decimal_commas_in_each_cell_of_a_semicolon_csv_are_one_number_each(tmp_path):
    rows = [["Name", "Latitude", "Longitude"], ["Eiffel", "48,8583701", "2,2944813"]]
    table = read_table(_csv(tmp_path / "fr.csv", rows, ";"))
    result = convert_table(table).results[0]
    assert (result.lat, result.lng) == (48.8583701, 2.2944813)


def test_choosing_either_column_of_the_pair_reads_the_pair(tmp_path):
    table = read_table(write_xlsx(tmp_path / "crm.xlsx", PLACES))
    for column in ("Lat", "Lng"):
        result = convert_table(table, column).results[0]
        assert (result.lat, result.lng) == (48.8583701, 2.2944813), column


def test_a_column_of_links_still_comes_first(tmp_path):
    rows = [
        ["Name", "Latitude", "Longitude", "Website"],
        ["A", 10.5, 20.5, "https://www.google.com/maps/place/A/@1,1,17z/data=!3d48.85!4d2.29"],
        ["B", None, None, "https://www.google.com/maps/@40.7,-74.0,17z"],
    ]
    table = read_table(write_xlsx(tmp_path / "both.xlsx", rows))
    assert detect_link_column(table) == 3


def test_a_sheet_of_links_is_chosen_before_a_sheet_of_coordinate_columns(tmp_path):
    links = [["Map link"], ["https://www.google.com/maps/@40.7,-74.0,17z"]]
    path = write_xlsx(tmp_path / "two.xlsx", PLACES, sheet="Summary", extra_sheets={"Links": links})
    assert read_table(path).sheet_name == "Links"


@pytest.mark.parametrize(
    "rows",
    [
        [["Name", "Lat", "Lng"], ["A", "north", "east"], ["B", "", ""]],  # words, not numbers
        [["Name", "Lat"], ["A", 48.85]],  # a latitude without its longitude
    ],
)
def test_columns_named_so_without_numbers_are_no_pair(tmp_path, rows):
    table = read_table(write_xlsx(tmp_path / "words.xlsx", rows))
    with pytest.raises(Exception, match="No column holds map links"):
        detect_link_column(table)


def test_every_output_shows_the_users_columns_and_no_link_behind_a_label(tmp_path):
    source = _csv(
        tmp_path / "pair.csv", [["Name", "Latitude", "Longitude"], ["A", "48.8584", "2.2945"]]
    )
    outputs = [(tmp_path / f"out.{kind}", kind) for kind in ("csv", "geojson", "kml", "xlsx")]
    convert_file(source, outputs)
    with (tmp_path / "out.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["Name", "Latitude", "Longitude", "Status", "Note"]
    assert rows[1][:4] == ["A", "48.8584", "2.2945", "ok"]
    for kind in ("geojson", "kml"):
        assert "Map link URL" not in (tmp_path / f"out.{kind}").read_text(encoding="utf-8"), kind
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx").active
    assert [cell.hyperlink for cell in sheet[2]] == [None] * 5
    assert [cell.value for cell in sheet[2]][:3] == ["A", 48.8584, 2.2945]


def test_a_column_named_like_links_but_holding_none_gives_way_to_the_pair(tmp_path):
    rows = [["Name", "Location", "Latitude", "Longitude"], ["A", "Paris", 48.8584, 2.2945]]
    table = read_table(write_xlsx(tmp_path / "crm.xlsx", rows))
    assert table.header[detect_link_column(table)] == "Latitude"
    rows = [["Location", "Latitude", "Longitude"], ["Paris", None, None]]  # no pair to read
    table = read_table(write_xlsx(tmp_path / "names.xlsx", rows))
    assert table.header[detect_link_column(table)] == "Location"
