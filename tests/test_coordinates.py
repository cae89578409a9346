"""Coordinates typed by hand: hemispheres, DMS without marks, labels, decimal commas, Unicode."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from map_converter import parse_link, read_link
from map_converter.coordinates import Hit, Refusal, read_pair


def _exact_degrees(degrees: str, minutes: str, seconds: str = "0") -> float:
    """The double nearest to degrees + minutes/60 + seconds/3600 computed without rounding."""
    return float(Fraction(degrees) + Fraction(minutes) / 60 + Fraction(seconds) / 3600)


SYDNEY_DMS = (-_exact_degrees("33", "51", "54"), _exact_degrees("151", "12", "35"))
PITTSBURGH = (_exact_degrees("40", "26", "46"), -_exact_degrees("79", "56", "55"))
EIFFEL_DMS = (_exact_degrees("48", "51", "29.5"), _exact_degrees("2", "17", "40.2"))

# (cell, lat, lng, method)
TYPED = [
    # Hemisphere letters after seconds without a '"' mark are hemispheres, never seconds marks.
    ("33°51'54S 151°12'35E", *SYDNEY_DMS, "dms"),
    ("33°51'54s 151°12'35e", *SYDNEY_DMS, "dms"),
    ("33 51 54 S 151 12 35 E", *SYDNEY_DMS, "dms"),
    ("33 51 54 s 151 12 35 e", *SYDNEY_DMS, "dms"),
    ("33°51'54\" S, 151°12'35\" E", *SYDNEY_DMS, "dms"),
    ("S33°51'54\" E151°12'35\"", *SYDNEY_DMS, "dms"),
    ("33d51m54s 151d12m35e", *SYDNEY_DMS, "dms"),
    ("151°12'35E 33°51'54S", *SYDNEY_DMS, "dms"),  # letters say which is which
    ("48d51m29.5sN 2d17m40.2sE", *EIFFEL_DMS, "dms"),
    ("48°51'29.5\"N 2°17'40.2\"E", *EIFFEL_DMS, "dms"),
    ("48°51′29.5″N 2°17′40.2″E", *EIFFEL_DMS, "dms"),  # primes
    ("48º51'29.5''N 2º17'40.2''E", *EIFFEL_DMS, "dms"),  # ordinal sign, two apostrophes
    ("N 48°51'29.5\" E 2°17'40.2\"", *EIFFEL_DMS, "dms"),
    ("48°51'29.5\" 2°17'40.2\"", *EIFFEL_DMS, "dms"),  # no letters, two degree values
    ("40:26:46N,79:56:55W", *PITTSBURGH, "dms"),
    ("40:26:46 N, 79:56:55 W", *PITTSBURGH, "dms"),
    ("40°26'46\"N 79°56'55\"W", *PITTSBURGH, "dms"),
    # Letters before the number, words, a sign that agrees with its letter.
    ("S 33.86 E 151.2", -33.86, 151.2, "text"),
    ("s33.86 e151.2", -33.86, 151.2, "text"),
    ("33.86 S, 151.2 E", -33.86, 151.2, "text"),
    ("33.86S 151.2E", -33.86, 151.2, "text"),
    ("33.86 south, 151.2 east", -33.86, 151.2, "text"),
    ("North 40.7128, West 74.006", 40.7128, -74.006, "text"),
    ("S -33.86, E 151.2", -33.86, 151.2, "text"),
    # Degrees and decimal minutes, with or without marks.
    ("41 24.2028, 2 10.4418", 41 + 24.2028 / 60, 2 + 10.4418 / 60, "dms"),
    ("-30° 28.453, 150° 55.265", -(30 + 28.453 / 60), 150 + 55.265 / 60, "dms"),
    ("N41 24.2028 E2 10.4418", 41 + 24.2028 / 60, 2 + 10.4418 / 60, "dms"),
    # Decimal commas where the separator makes them unambiguous.
    ("48,8584°, 2,2945°", 48.8584, 2.2945, "text"),
    ("48,8584; 2,2945", 48.8584, 2.2945, "text"),
    ("48,8584 / 2,2945", 48.8584, 2.2945, "text"),
    ("48,8584 | 2,2945", 48.8584, 2.2945, "text"),
    ("-33,86;151,2", -33.86, 151.2, "text"),
    # Labels.
    ("Lat: 59.3293, Long: 18.0686", 59.3293, 18.0686, "text"),
    ("lat=59.3293 lon=18.0686", 59.3293, 18.0686, "text"),
    ("Latitude 59.3293 Longitude 18.0686", 59.3293, 18.0686, "text"),
    ("Lng: 18.0686, Lat: 59.3293", 59.3293, 18.0686, "text"),
    ("LAT 59.3293 LNG 18.0686", 59.3293, 18.0686, "text"),
    # Unicode minus, en dash, hyphen, fullwidth digits, odd spaces, invisible marks.
    ("\u221233.86, 151.2", -33.86, 151.2, "text"),
    ("\u201333.86, 151.2", -33.86, 151.2, "text"),
    ("\u201033.86, 151.2", -33.86, 151.2, "text"),
    ("４８.８５８４, ２.２９４５", 48.8584, 2.2945, "text"),
    ("48.8584,\u00a02.2945", 48.8584, 2.2945, "text"),
    ("48.8584,\u202f2.2945", 48.8584, 2.2945, "text"),
    ("\u200b48.8584, 2.2945\u200b", 48.8584, 2.2945, "text"),
    ("\ufeff48.8584, 2.2945", 48.8584, 2.2945, "text"),
    ("\u200e48.8584, 2.2945\u200f", 48.8584, 2.2945, "text"),
    ("\u202a-33.86, 151.2\u202c", -33.86, 151.2, "text"),
    # Coordinates among other words, the same point twice.
    ("Eiffel Tower 48.8583701, 2.2944813", 48.8583701, 2.2944813, "text"),
    ("48.8583701, 2.2944813 (48.8583701, 2.2944813)", 48.8583701, 2.2944813, "text"),
]


@pytest.mark.parametrize(("text", "lat", "lng", "method"), TYPED)
def test_typed_coordinates_are_read_exactly(text, lat, lng, method):
    location = parse_link(text)
    assert location is not None, read_link(text).reason
    assert math.isclose(location.lat, lat, abs_tol=1e-9)
    assert math.isclose(location.lng, lng, abs_tol=1e-9)
    assert location.method == method


# Notations that write longitude first (GIS exports, GeoJSON, code): read as they are meant, or
# refused — never the two numbers taken latitude first.
LONGITUDE_FIRST = [
    ("POINT(2.2944813 48.8583701)", 48.8583701, 2.2944813, "wkt"),
    ("POINT (2.2944813 48.8583701)", 48.8583701, 2.2944813, "wkt"),
    ("point(2.2944813 48.8583701)", 48.8583701, 2.2944813, "wkt"),
    ("POINT Z (2.2944813 48.8583701 35)", 48.8583701, 2.2944813, "wkt"),
    ("SRID=4326;POINT(2.2944813 48.8583701)", 48.8583701, 2.2944813, "wkt"),
    ('{"type": "Point", "coordinates": [2.2944813, 48.8583701]}', 48.8583701, 2.2944813, "geojson"),
    ('{"coordinates":[-74.006,40.7128],"type":"Point"}', 40.7128, -74.006, "geojson"),
    ('{"lat": 48.8583701, "lng": 2.2944813}', 48.8583701, 2.2944813, "text"),
    ('{"lng": 2.2944813, "lat": 48.8583701}', 48.8583701, 2.2944813, "text"),
    ('{"latitude":48.8583701,"longitude":2.2944813}', 48.8583701, 2.2944813, "text"),
    ("Meeting point (48.8583701, 2.2944813)", 48.8583701, 2.2944813, "text"),  # not WKT: a comma
    ("Lon: 2.2944813 Lat: 48.8583701", 48.8583701, 2.2944813, "text"),
]


@pytest.mark.parametrize(("text", "lat", "lng", "method"), LONGITUDE_FIRST)
def test_longitude_first_notations_are_read_as_meant(text, lat, lng, method):
    location = parse_link(text)
    assert location is not None, read_link(text).reason
    assert (location.lat, location.lng, location.method) == (lat, lng, method)


LONGITUDE_FIRST_REFUSED = [
    ("SRID=3857;POINT(255422.5 6250868.2)", "not latitude and longitude"),
    ("MULTIPOINT((2.29 48.85))", "longitude first"),
    ("LINESTRING(2.29 48.85, 2.3 48.86)", "longitude first"),
    ("ol.proj.fromLonLat([2.2944813, 48.8583701])", "longitude first"),
    ("lon/lat 2.2944813 48.8583701", "longitude first"),
    ("lng,lat: 2.2944813,48.8583701", "longitude first"),
    ("x: 2.2944813 y: 48.8583701", "x and y"),
    ("X=2.2944813, Y=48.8583701", "x and y"),
    ('{"coordinates": [2.29, 48.85]}', "longitude first"),
]


@pytest.mark.parametrize(("text", "reason"), LONGITUDE_FIRST_REFUSED)
def test_longitude_first_notations_we_cannot_read_are_refused(text, reason):
    reading = read_link(text)
    assert reading.location is None
    assert reason in reading.reason


# (cell, words the reason must contain)
REFUSED = [
    ("N -68.6 E -152.7", "contradict"),
    ("33.86 N, -151.2 E", "contradict"),
    ("+33.86 S, 151.2 E", "contradict"),
    ("120.0, 14.5", "swap them"),
    ("-122.4194, 37.7749", "swap them"),
    ("0,0", "no location"),
    ("0.0, 0.0", "no location"),
    ("0°0'0\"N 0°0'0\"E", "no location"),
    ("48.8584, 2.2945 / 40.7128, -74.0060", "two different places"),
    ("48.8584, 2.2945; 40.7128, -74.0060", "two different places"),
    ("Paris 48.8584, 2.2945 or New York 40.7128, -74.0060", "two different places"),
    ("48,8584, 2,2945", "decimal commas"),
    ("12, 5", "whole numbers"),
    ("191.5, 10.0", "out of range"),
    ("91.5, 200.0", "out of range"),
    ("[2.2944813, 48.8583701]", "square brackets"),
    # A dash glued between the numbers: a minus sign (west) or a separator (east)? Never a guess.
    ("48.8584-2.2945", "dash between"),
    ("48.8584\u20132.2945", "dash between"),
    ("(48.8584-2.2945)", "dash between"),
    (
        "https://maps.google.com/?q=48.8584-2.2945",
        "dash between",
    ),  # GeoJSON order, or Leaflet's? Never a guess.
]


@pytest.mark.parametrize(("text", "reason"), REFUSED)
def test_ambiguous_or_wrong_text_is_refused_with_a_reason(text, reason):
    reading = read_link(text)
    assert reading.location is None
    assert reason in reading.reason


NOT_COORDINATES = [
    "1E+05",
    "1e5",
    "48°51'29.5\"N 2°17'40.2\"N",  # two latitudes
    "48°75'29.5\"N 2°17'40.2\"E",  # 75 minutes
    "48.5°51'N 2°17'E",  # a fraction before the minutes
    "Lat: 59.3293, Lat: 18.0686",
    "Lat 59.3293 E 18.0686",  # a label against a letter
    "33.86 S 151.2",  # one axis named, the other not
    "41 24.2028 2 10.4418",  # four numbers and no separator: which split?
    "33 51 54 151 12 35",
    "2024",
    "Room 12.5, floor 3",
    "1.2345, 2.3456, 3.4567",  # a list of numbers, not a place
    "N",
    "°",
    "lat lon",
]


@pytest.mark.parametrize("text", NOT_COORDINATES)
def test_text_that_is_not_one_coordinate_pair_gives_none(text):
    assert parse_link(text) is None


def test_read_pair_takes_the_callers_method_and_says_refusals():
    assert read_pair("48.85, 2.29", "query") == Hit(48.85, 2.29, "query")
    assert read_pair("48 51 29.5 N, 2 17 40.2 E") == Hit(*EIFFEL_DMS, "dms")
    assert isinstance(read_pair("120, 14.5"), Refusal)
    assert read_pair("hello") is None


def test_a_very_long_run_of_tokens_is_cut_short():
    assert read_pair(" ".join(["1"] * 2000)) is None


@pytest.mark.parametrize(
    ("text", "lat", "lng"),
    [
        # 2°17'40.2" is 2.2945 exactly; adding rounded thirds gave 2.2944999999999998 in the
        # output sheet, digits the user never wrote.
        ("48°51'29.5\"N 2°17'40.2\"E", _exact_degrees("48", "51", "29.5"), 2.2945),
        ("33°51'54\"S 151°12'35\"E", *SYDNEY_DMS),
        ("40:26:46N,79:56:55W", *PITTSBURGH),
        ("41 24.2028, 2 10.4418", 41.40338, 2.17403),
        ("N 48° 51.502 E 2° 17.670", _exact_degrees("48", "51.502"), 2.2945),
    ],
)
def test_degrees_minutes_seconds_give_the_nearest_double_of_the_exact_value(text, lat, lng):
    location = parse_link(text)
    assert location is not None, read_link(text).reason
    assert location.lat == lat
    assert location.lng == lng
