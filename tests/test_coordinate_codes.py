"""Coordinate codes against their formats' published test vectors."""

from __future__ import annotations

import base64
import json
import math

import pytest

from map_converter.coordinate_codes import (
    decode_ge0,
    decode_geohash,
    decode_here_share,
    decode_osm_shortlink,
    decode_plus_code,
)

# Open Location Code's test_data/decoding.csv: code, latLo, lngLo, latHi, lngHi (we give the centre).
PLUS_CODE_VECTORS = [
    ("7FG49Q00+", 20.35, 2.75, 20.4, 2.8),
    ("7FG49QCJ+2V", 20.37, 2.782125, 20.370125, 2.78225),
    ("7FG49QCJ+2VX", 20.3701, 2.78221875, 20.370125, 2.78225),
    ("7FG49QCJ+2VXGJ", 20.370113, 2.782234375, 20.370114, 2.78223632813),
    ("8FVC2222+22", 47.0, 8.0, 47.000125, 8.000125),
    ("4VCPPQGP+Q9", -41.273125, 174.785875, -41.273, 174.786),
    ("62G20000+", 0.0, -180.0, 1, -179),
    ("22220000+", -90, -180, -89, -179),
    ("7FG40000+", 20.0, 2.0, 21.0, 3.0),
    ("22222222+22", -90.0, -180.0, -89.999875, -179.999875),
    ("6VGX0000+", 0, 179, 1, 180),
    ("6FH32222+222", 1, 1, 1.000025, 1.00003125),
]


@pytest.mark.parametrize(("code", "lat_low", "lng_low", "lat_high", "lng_high"), PLUS_CODE_VECTORS)
def test_plus_codes_decode_to_the_centre_of_their_area(code, lat_low, lng_low, lat_high, lng_high):
    lat, lng = decode_plus_code(code)
    assert math.isclose(lat, (lat_low + lat_high) / 2, abs_tol=1e-6)
    assert math.isclose(lng, (lng_low + lng_high) / 2, abs_tol=1e-6)


@pytest.mark.parametrize("code", ["9QCJ+2VX", "ZZZZZZZZ+ZZ", "8FVC2222+2", "8FVC2200+22", "", "+"])
def test_invalid_or_short_plus_codes_give_none(code):
    assert decode_plus_code(code) is None


# Geohash: Wikipedia's worked examples (the cell centre).
@pytest.mark.parametrize(
    ("geohash", "lat", "lng", "tolerance"),
    [
        ("ezs42", 42.60498046875, -5.60302734375, 1e-12),
        ("u4pruydqqvj", 57.64911, 10.40744, 1e-5),
    ],
)
def test_geohashes_decode_to_their_cell_centre(geohash, lat, lng, tolerance):
    decoded = decode_geohash(geohash)
    assert math.isclose(decoded[0], lat, abs_tol=tolerance)
    assert math.isclose(decoded[1], lng, abs_tol=tolerance)


@pytest.mark.parametrize("geohash", ["", "ai", "u4pr!", "0" * 40])
def test_invalid_geohashes_give_none(geohash):
    assert decode_geohash(geohash) is None


# openstreetmap.org's short links: the site shows the corner value of the code's cell as is.
@pytest.mark.parametrize(
    ("code", "lat", "lng"),
    [
        ("0GAjIv8h", 50.671530961990356, 6.09715461730957),  # the wiki's example
        ("0D_QEtY0--", 50.111110210419, 10.555543899536),  # OSM-Shortlink-PHP's example
        ("wAAA--", 0.0, 0.0),
        ("0EEQjE", 51.510772705078125, 0.054931640625),
    ],
)
def test_osm_short_links_decode_as_openstreetmap_org_does(code, lat, lng):
    decoded = decode_osm_shortlink(code)
    assert math.isclose(decoded[0], lat, abs_tol=1e-9)
    assert math.isclose(decoded[1], lng, abs_tol=1e-9)


def test_osm_short_links_read_the_old_at_sign_as_tilde():
    assert decode_osm_shortlink("0EEQjE@") == decode_osm_shortlink("0EEQjE~")


@pytest.mark.parametrize("code", ["", "----", "A!B", "A" * 20])
def test_invalid_osm_short_links_give_none(code):
    assert decode_osm_shortlink(code) is None


def test_ge0_decodes_the_documented_zurich_example():
    lat, lng = decode_ge0("o4B4pYZsRs")
    assert abs(lat - 47.3859) < 0.001
    assert abs(lng - 8.5767) < 0.001


@pytest.mark.parametrize("code", ["", "o", "o!!", "o" + "A" * 12])
def test_invalid_ge0_codes_give_none(code):
    assert decode_ge0(code) is None


def _base64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    "payload",
    [
        _base64(
            "c=landmark-attraction;id=276u33db-8ee4279a;lat=48.85837;lon=2.29448;n=Eiffel+Tower"
        ),
        _base64(json.dumps({"id": "276u33db", "latitude": 48.85837, "longitude": 2.29448})),
        _base64(json.dumps({"lat": 48.85837, "lng": 2.29448, "name": "Eiffel Tower"})),
        _base64("lat=48.85837;lon=2.29448").rstrip("="),  # padding dropped in the link
    ],
)
def test_here_share_payloads_decode_offline(payload):
    assert decode_here_share(payload) == (48.85837, 2.29448)


@pytest.mark.parametrize("payload", ["", "!!!", _base64("no coordinates here"), "A" * 5000])
def test_here_share_payloads_without_a_place_give_none(payload):
    assert decode_here_share(payload) is None
