"""Notations that write longitude first: GIS exports and code put x (longitude) before y
(latitude): WKT, GeoJSON, "LonLat" APIs. Two numbers taken from such text latitude first would be
a wrong point, so these are read as they are meant or refused, before any reader that picks a
pair out of words (coordinates.py).
"""

from __future__ import annotations

import re

from .coordinates import Hit, Refusal, checked_lng_lat

_WKT_NUMBER = r"[-+]?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?"
_WKT_POINT_RE = re.compile(
    rf"\s*(?:SRID\s*=\s*(?P<srid>\d+)\s*;\s*)?POINT\s*(?:ZM|Z|M)?\s*\(\s*(?P<x>{_WKT_NUMBER})\s+"
    rf"(?P<y>{_WKT_NUMBER})(?:\s+{_WKT_NUMBER}){{0,2}}\s*\)\s*",
    re.IGNORECASE,
)
_GEOJSON_POINT_RE = re.compile(
    rf'"coordinates"\s*:\s*\[\s*(?P<x>{_WKT_NUMBER})\s*,\s*(?P<y>{_WKT_NUMBER})\s*(?:,\s*{_WKT_NUMBER}\s*)?\]'
)
_GEOJSON_TYPE_POINT_RE = re.compile(r'"type"\s*:\s*"Point"')
_JSON_COORDINATE_KEY_RE = re.compile(r'"(latitude|longitude|lat|lng|lon|long)"\s*:', re.IGNORECASE)
# Words that say the numbers nearby are longitude first, or x and y.
_LONGITUDE_FIRST_HINT_RE = re.compile(
    r"\b(?:multipoint|linestring|polygon|geometrycollection)\s*(?:zm|z|m)?\s*\("
    rf"|\bpoint\s*(?:zm|z|m)?\s*\(\s*{_WKT_NUMBER}\s+{_WKT_NUMBER}"  # WKT: x y, no comma
    r"|\"coordinates\"|lon\s*[,/]\s*lat|lng\s*[,/]\s*lat|long\s*[,/]\s*lat|lonlat|lnglat",
    re.IGNORECASE,
)
_X_LABEL_RE = re.compile(r"(?<![a-z])x\s*[:=]", re.IGNORECASE)
_Y_LABEL_RE = re.compile(r"(?<![a-z])y\s*[:=]", re.IGNORECASE)
LONGITUDE_FIRST_REASON = (
    "longitude first here (GIS or code notation) and not a form we read; write latitude, longitude"
)
X_Y_REASON = "x and y labels do not say which number is the latitude; label them lat and lng"
NOT_WGS84_REASON = "a point in another coordinate system (SRID {srid}), not latitude and longitude"


def read_notation(text: str) -> Hit | Refusal | None:
    """A WKT or GeoJSON point (longitude first), read as meant; a refusal for other notations
    that write longitude first or name x and y; None when the text is none of these."""
    lowered = text.lower()
    if "(" in text or '"' in text or "lon" in lowered or "lng" in lowered or "x" in lowered:
        point = _WKT_POINT_RE.fullmatch(text)
        if point:
            srid = point["srid"]
            if srid is not None and srid != "4326":
                return Refusal(NOT_WGS84_REASON.format(srid=srid))
            return checked_lng_lat(float(point["x"]), float(point["y"]), "wkt")
        if '"' in text:
            geojson = _GEOJSON_POINT_RE.search(text)
            if geojson and _GEOJSON_TYPE_POINT_RE.search(text):
                return checked_lng_lat(float(geojson["x"]), float(geojson["y"]), "geojson")
        if _LONGITUDE_FIRST_HINT_RE.search(text):
            return Refusal(LONGITUDE_FIRST_REASON)
        x_label = _X_LABEL_RE.search(text)  # two linear scans, never a backtracking one
        if x_label and _Y_LABEL_RE.search(text, x_label.end()):
            return Refusal(X_Y_REASON)
    return None


def json_keys_as_labels(text: str) -> str:
    """'{"lat": 48.85, "lng": 2.29}' as plain labels ('{lat: 48.85, lng: 2.29}'), which the
    pair reader knows; other text unchanged (a '"' would read as a seconds mark)."""
    if '"' in text and _JSON_COORDINATE_KEY_RE.search(text):
        return _JSON_COORDINATE_KEY_RE.sub(r"\1:", text).replace('"', " ")
    return text
