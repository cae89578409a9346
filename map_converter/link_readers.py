"""Small readers that provider records are built from: query parameters, pairs, patterns.

A reader looks at the part of a link after its host (`rest`: path, query and fragment) and
answers a `Hit` (a point and how it was found), a `Refusal` (the link states a point we must not
use), a `Wrapped` link to read instead, or None (not this way; try the next reader).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote, unquote_plus

from .coordinate_codes import FULL_PLUS_CODE_RE, decode_plus_code
from .coordinates import (
    DECIMAL_COMMA_REASON,
    NUMBER,
    TWO_PLACES_REASON,
    Hit,
    Refusal,
    checked_lng_lat,
    checked_pair,
    new_tuple,
    read_pair,
)


@dataclass(frozen=True, slots=True)
class Wrapped:
    """A link that only carries another link (Google's /url?q=, consent ?continue=)."""

    url: str


Found = Hit | Refusal | Wrapped | None


@dataclass(frozen=True, slots=True)
class Reader:
    """One way a provider's links carry a point; tried only when `marker` occurs in the link."""

    marker: str
    read: Callable[[str], Found]


# --- query parameters -------------------------------------------------------------------------

_PARAM_PATTERNS: dict[str, re.Pattern] = {}


def param(rest: str, name: str) -> str | None:
    """Decoded value of a query, fragment or path parameter `name=`, or None.

    Parameters are found after '?', '&', '#', ';' or '/', so `/maps/ll=…` and `#map=…` count.
    """
    pattern = _PARAM_PATTERNS.get(name)
    if pattern is None:
        pattern = re.compile(r"[?&#;/]" + re.escape(name) + r"=([^&#]*)")
        _PARAM_PATTERNS[name] = pattern
    match = pattern.search(rest)
    if not match:
        return None
    value = match.group(1)
    return unquote_plus(value) if ("%" in value or "+" in value) else value


def path_after(rest: str, marker: str, *, decoded: bool = False) -> list[str] | None:
    """The segments of the link's path after marker ('/dir/'), its query and fragment left out
    (decoded: the path percent-decoded first); None when the path does not hold the marker,
    which may stand in the query or the fragment instead."""
    path = rest.split("?", 1)[0].split("#", 1)[0]
    if decoded:
        path = unquote(path)
    return path.split(marker, 1)[1].split("/") if marker in path else None


def raw_param(rest: str, name: str) -> str | None:
    """Like param, but '+' stays '+' (plus codes, 'lat+lng' values)."""
    pattern = _PARAM_PATTERNS.get(name)
    if pattern is None:
        param(rest, name)
        pattern = _PARAM_PATTERNS[name]
    match = pattern.search(rest)
    return unquote(match.group(1)) if match else None


# --- values -----------------------------------------------------------------------------------

_LOC_PREFIX_RE = re.compile(rf"^loc:\s*(?P<lat>{NUMBER})\s*(?:,|\s|\+)\s*(?P<lng>{NUMBER})", re.I)
_NAME_AT_RE = re.compile(rf"@\s*(?P<lat>{NUMBER})\s*,\s*(?P<lng>{NUMBER})\s*$")
_PLUS_JOINED_RE = re.compile(rf"^(?P<lat>{NUMBER})\s*\+\s*(?P<lng>[-+]?[\d.]+)$")
_SPACED_PLUS_CODE_RE = re.compile(
    r"^([23456789CFGHJMPQRVWX]{8}) ([23456789CFGHJMPQRVWX]{2,})\b", re.I
)
_PLUS_CODE_START_RE = re.compile(rf"^{FULL_PLUS_CODE_RE.pattern}(?:\s|,|$)", re.I)


def plus_code_hit(value: str) -> Hit | None:
    """A full plus code at the start of a value ('8FVC9G8F+6X', '8FVC9G8F 6X Paris')."""
    spaced = _SPACED_PLUS_CODE_RE.match(value)
    if spaced:
        value = f"{spaced[1]}+{spaced[2]}"
    match = _PLUS_CODE_START_RE.match(value)
    if not match:
        return None
    centre = decode_plus_code(match["code"])
    return Hit(centre[0], centre[1], "plus-code") if centre else None


def value_hit(value: str | None, method: str) -> Hit | Refusal | None:
    """A point in a parameter value written latitude first, as map services write queries.

    'lat,lng', 'lat, lng', 'loc:lat lng (label)', 'Name @lat,lng', 'lat+lng', a DMS pair,
    or a full plus code.
    """
    if not value:
        return None
    value = value.strip()
    if value[:4].lower() == "loc:":
        match = _LOC_PREFIX_RE.match(value)
        return checked_pair(float(match["lat"]), float(match["lng"]), method) if match else None
    if "@" in value:
        match = _NAME_AT_RE.search(value)
        if match:
            return checked_pair(float(match["lat"]), float(match["lng"]), method)
    if "(" in value:
        value = value.split("(", 1)[0]  # 'lat,lng(Label)': the label is only a name
    found = read_pair(value, method)
    if found is not None:
        return found
    if "+" in value:
        match = _PLUS_JOINED_RE.match(value)
        if match:
            return read_pair(f"{match['lat']},{match['lng']}", method)
    if len(value) >= 10 and value[0] in "23456789CFGHJMPQRVWXcfghjmpqrvwx":
        return plus_code_hit(value)
    return None


DESTINATION_NAME_REASON = (
    "directions to a place name, not to a point; only the route's map is in the link"
)


def destination_hit(value: str | None) -> Hit | Refusal | None:
    """The destination of a directions link; a name there ends the search (the map's view around a
    route is not its destination)."""
    if not value or not value.strip():
        return None
    found = value_hit(value, "directions-destination")
    return Refusal(DESTINATION_NAME_REASON) if found is None else found


def lng_lat_hit(value: str | None, method: str) -> Hit | Refusal | None:
    """'lng,lat[,more]' as Yandex, 2GIS and Mapy write it."""
    if not value:
        return None
    parts = value.replace("%2C", ",").replace("%2c", ",").split(",")
    if len(parts) < 2:
        return None
    lng_text, lat_text = parts[0].strip(), parts[1].strip()
    if not _is_plain_number(lng_text) or not _is_plain_number(lat_text):
        return None
    if len(parts) > 2 and comma_decimals(lng_text, lat_text, after="," + parts[2]):
        return Refusal(DECIMAL_COMMA_REASON)
    return checked_lng_lat(float(lng_text), float(lat_text), method)


# "48,85,2,29" is 48.85, 2.29 typed where the comma is the decimal mark: a reader of 'a,b' that
# took its first two numbers would give a wrong place (48, 85). Whole numbers with a bare number
# right after them (or, for pairs read from the end, right before) are refused instead; a zoom
# ("17z"), a style or a name after whole degrees is not a number and reads as before.
_BARE_NUMBER_AFTER = re.compile(
    r"\s*(?:,|%2C)\s*[-+]?\d+(?:$|[,/&#?;~]|%2C|%2F)", re.IGNORECASE
).match
_BARE_NUMBER_BEFORE = re.compile(r"(?:^|[,/=])[-+]?\d+(?:,|%2C)?$", re.IGNORECASE).search


def comma_decimals(first: str, second: str, before: str = "", after: str = "") -> bool:
    """Whether two whole numbers read as a pair are really one or two decimals with commas."""
    if "." in first or "." in second:
        return False
    return bool(_BARE_NUMBER_AFTER(after) or _BARE_NUMBER_BEFORE(before))


def match_hit(
    match: re.Match | None, text: str, method: str, *, lng_first: bool = False, before: bool = False
) -> Hit | Refusal | None:
    """The `lat` and `lng` groups of a pattern's match in text, unless decimal commas split them
    (the text right after the pair, and with before=True right before it, is looked at)."""
    if not match:
        return None
    lat, lng = unquote(match["lat"]), unquote(match["lng"])
    start, end = (
        min(match.start("lat"), match.start("lng")),
        max(match.end("lat"), match.end("lng")),
    )
    if comma_decimals(lat, lng, text[:start] if before else "", text[end:]):
        return Refusal(DECIMAL_COMMA_REASON)
    if lng_first:
        return lng_lat_hit(f"{lng},{lat}", method)
    return numbers_hit(lat, lng, method)


_is_plain_number = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)").fullmatch


def numbers_hit(lat_text: str | None, lng_text: str | None, method: str) -> Hit | Refusal | None:
    """Two separate numbers (lat= and lon= parameters, path parts); no exponents, no 'nan'."""
    if not lat_text or not lng_text:
        return None
    lat_text, lng_text = lat_text.strip(), lng_text.strip()
    if not _is_plain_number(lat_text) or not _is_plain_number(lng_text):
        return None
    return checked_pair(float(lat_text), float(lng_text), method)


def same_place(hits: list[Hit | Refusal | None]) -> Hit | Refusal | None:
    """One point from several that must agree (several pins in one link)."""
    points = [hit for hit in hits if isinstance(hit, Hit)]
    if not points:
        return next((hit for hit in hits if hit is not None), None)
    first = points[0]
    for point in points[1:]:
        if abs(point.lat - first.lat) > 1e-5 or abs(point.lng - first.lng) > 1e-5:
            return Refusal(TWO_PLACES_REASON)
    return first


# --- reader constructors ----------------------------------------------------------------------


def query_param(name: str, method: str, *aliases: str) -> Reader:
    """`name=lat,lng` (and its aliases), latitude first."""
    names = (name, *aliases)
    # The usual value, two plain decimals, is read by one small pattern; anything else by value_hit.
    plain_pair = re.compile(
        r"[?&#;/]" + re.escape(name) + rf"=(?P<lat>{NUMBER})(?:,|%2C)(?P<lng>{NUMBER})(?=[&#]|$)"
    ).search

    def read(rest: str) -> Found:
        match = plain_pair(rest)
        if match:
            lat, lng = match.groups()
            lat, lng = float(lat), float(lng)
            if -90.0 <= lat <= 90.0 and -180.0 <= lng <= 180.0 and (lat or lng):
                return new_tuple(Hit, (lat, lng, method))  # checked_pair, inlined (hot path)
            return checked_pair(lat, lng, method)
        for each in names:
            value = param(rest, each)
            if value is not None:
                found = value_hit(value, method)
                if found is None and "+" in rest:
                    found = value_hit(raw_param(rest, each), method)
                if found is not None:
                    return found
        return None

    return Reader(name + "=", read)


def lng_lat_param(name: str, method: str, *aliases: str) -> Reader:
    """`name=lng,lat`, longitude first."""
    names = (name, *aliases)

    def read(rest: str) -> Found:
        for each in names:
            found = lng_lat_hit(param(rest, each), method)
            if found is not None:
                return found
        return None

    return Reader(name.split("%")[0].split("[")[0], read)


def lat_lng_params(lat_name: str, lng_name: str, method: str) -> Reader:
    """Separate `lat=` and `lon=` parameters."""

    def read(rest: str) -> Found:
        return numbers_hit(param(rest, lat_name), param(rest, lng_name), method)

    return Reader(lat_name + "=", read)


def pattern(regex: str, method: str, marker: str, *, lng_first: bool = False) -> Reader:
    """A compiled pattern with `lat` and `lng` groups, searched from the marker on."""
    compiled = re.compile(regex, re.IGNORECASE)

    def read(rest: str) -> Found:
        match = compiled.search(rest, max(rest.find(marker), 0) if marker else 0)
        return match_hit(match, rest, method, lng_first=lng_first)

    return Reader(marker, read)


def unwrap(*names: str) -> Reader:
    """A parameter that holds a whole link to read instead."""

    def read(rest: str) -> Found:
        for name in names:
            value = param(rest, name)
            if value and ("://" in value[:12] or value[:4].lower() == "geo:"):
                return Wrapped(value)
        return None

    return Reader(names[0] + "=", read)
