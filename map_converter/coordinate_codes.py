"""Coordinates packed into codes: plus codes, geohashes, OSM short links, ge0 codes, HERE shares,
and Web Mercator metres (EPSG:3857).

Each decoder takes the code alone and returns (lat, lng) in WGS84 degrees, or None for anything
that is not a valid code. None of them raises, and all are iterative and bounded by the code's
length, which the callers cap.
"""

from __future__ import annotations

import base64
import binascii
import math
import re

# --- Open Location Code (plus codes) -----------------------------------------------------------

PLUS_CODE_ALPHABET = "23456789CFGHJMPQRVWX"
_PLUS = "[23456789CFGHJMPQRVWX]"
# A full code: 8 digits (or fewer followed by zero padding), '+', then 0 or 2+ digits.
FULL_PLUS_CODE_RE = re.compile(
    rf"(?P<code>{_PLUS}{{2}}(?:{_PLUS}{{6}}|{_PLUS}{{4}}00|{_PLUS}{{2}}0000)\+(?:{_PLUS}{{2,}})?)",
    re.IGNORECASE,
)
SHORT_PLUS_CODE_RE = re.compile(rf"^{_PLUS}{{4,6}}\+{_PLUS}{{2,3}}\b", re.IGNORECASE)
_PAIR_RESOLUTIONS = (20.0, 1.0, 0.05, 0.0025, 0.000125)
_MAX_PLUS_DIGITS = 15


def decode_plus_code(code: str) -> tuple[float, float] | None:
    """Centre of a full Open Location Code's area ('8FVC9G8F+6X'); None for short or bad codes."""
    match = FULL_PLUS_CODE_RE.fullmatch(code.strip())
    if not match:
        return None
    digits = match["code"].upper().replace("+", "")
    significant = digits.rstrip("0")
    if "0" in significant or (len(significant) < 10 and len(significant) % 2):
        return None
    if (
        PLUS_CODE_ALPHABET.index(significant[0]) > 8
        or PLUS_CODE_ALPHABET.index(significant[1]) > 17
    ):
        return None  # first latitude digit beyond 90°, first longitude digit beyond 180°
    significant = significant[:_MAX_PLUS_DIGITS]
    lat, lng = -90.0, -180.0
    resolution = 20.0
    for pair_index in range(min(len(significant), 10) // 2):
        resolution = _PAIR_RESOLUTIONS[pair_index]
        lat += PLUS_CODE_ALPHABET.index(significant[2 * pair_index]) * resolution
        lng += PLUS_CODE_ALPHABET.index(significant[2 * pair_index + 1]) * resolution
    lat_resolution = lng_resolution = resolution
    for grid_digit in significant[10:]:
        row, column = divmod(PLUS_CODE_ALPHABET.index(grid_digit), 4)
        lat_resolution /= 5
        lng_resolution /= 4
        lat += row * lat_resolution
        lng += column * lng_resolution
    centre_lat = min(lat + lat_resolution / 2, 90.0)
    centre_lng = min(lng + lng_resolution / 2, 180.0)
    return round(centre_lat, 10), round(centre_lng, 10)


# --- Geohash (Waze share links) ----------------------------------------------------------------

GEOHASH_ALPHABET = "0123456789bcdefghjkmnpqrstuvwxyz"
_GEOHASH_VALUES = {character: value for value, character in enumerate(GEOHASH_ALPHABET)}
MAX_GEOHASH_CHARS = 22


def decode_geohash(geohash: str) -> tuple[float, float] | None:
    """Centre of a geohash cell ('u09tvw0qm'); Waze's /ul/h<geohash> opens that centre."""
    if not 1 <= len(geohash) <= MAX_GEOHASH_CHARS:
        return None
    lat_low, lat_high, lng_low, lng_high = -90.0, 90.0, -180.0, 180.0
    is_longitude_bit = True
    for character in geohash.lower():
        value = _GEOHASH_VALUES.get(character)
        if value is None:
            return None
        for shift in range(4, -1, -1):
            bit = (value >> shift) & 1
            if is_longitude_bit:
                middle = (lng_low + lng_high) / 2
                lng_low, lng_high = (middle, lng_high) if bit else (lng_low, middle)
            else:
                middle = (lat_low + lat_high) / 2
                lat_low, lat_high = (middle, lat_high) if bit else (lat_low, middle)
            is_longitude_bit = not is_longitude_bit
    return (lat_low + lat_high) / 2, (lng_low + lng_high) / 2


# --- OpenStreetMap short links (osm.org/go/<code>) ---------------------------------------------

_OSM_SHORTLINK_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_~"
MAX_OSM_SHORTLINK_CHARS = 11


def decode_osm_shortlink(code: str) -> tuple[float, float] | None:
    """The point openstreetmap.org shows for /go/<code>: the south-west corner of the code's cell.

    Each character carries 3 bits of x and 3 of y, interleaved; '@' is the old spelling of '~';
    trailing '-' / '=' only refine the zoom. The site shifts the bits back to 32 and shows the
    corner value as is, so this does too (no centring, no rounding).
    """
    x = y = bits = 0
    for character in code.replace("@", "~"):
        value = _OSM_SHORTLINK_CHARS.find(character)
        if value < 0:
            if character in "-=":
                continue
            return None
        for _ in range(3):
            x = (x << 1) | ((value >> 5) & 1)
            y = (y << 1) | ((value >> 4) & 1)
            value = (value << 2) & 63
        bits += 3
    if bits == 0 or bits > 3 * MAX_OSM_SHORTLINK_CHARS:
        return None
    if bits <= 32:
        x <<= 32 - bits
        y <<= 32 - bits
    else:
        x >>= bits - 32
        y >>= bits - 32
    lat = y * 180.0 / 2**32 - 90.0
    lng = x * 360.0 / 2**32 - 180.0
    return lat, lng


# --- Organic Maps / MAPS.ME ge0 codes ----------------------------------------------------------

_GE0_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_GE0_MAX_CHARACTERS = 10  # 3 latitude and 3 longitude bits per character, 30 bits each at most


def decode_ge0(code: str) -> tuple[float, float] | None:
    """Centre of an Organic Maps / MAPS.ME 'ge0' short code (the first character is the zoom)."""
    point = code[1:]
    if not 1 <= len(point) <= _GE0_MAX_CHARACTERS or any(c not in _GE0_ALPHABET for c in code):
        return None
    lat_bits = lng_bits = 0
    for character in point:
        value = _GE0_ALPHABET.index(character)
        # Bits 5, 3, 1 belong to the latitude, bits 4, 2, 0 to the longitude.
        lat_bits = (lat_bits << 3) | ((value >> 3) & 4) | ((value >> 2) & 2) | ((value >> 1) & 1)
        lng_bits = (lng_bits << 3) | ((value >> 2) & 4) | ((value >> 1) & 2) | (value & 1)
    unused_bits = 3 * (_GE0_MAX_CHARACTERS - len(point))
    lat_bits = (lat_bits << unused_bits) + (1 << unused_bits >> 1)  # the middle of the cell
    lng_bits = (lng_bits << unused_bits) + (1 << unused_bits >> 1)
    scale = (1 << (3 * _GE0_MAX_CHARACTERS)) - 1
    lat = lat_bits / scale * 180.0 - 90.0
    lng = lng_bits / scale * 360.0 - 180.0
    return round(lat, 7), round(lng, 7)


# --- HERE WeGo share links (share.here.com/p/s-<base64>, /p/e-<base64 JSON>) -------------------

MAX_HERE_PAYLOAD_CHARS = 2048
_HERE_NUMBER = r"[-+]?\d{1,3}(?:\.\d+)?"
_HERE_LAT_RE = re.compile(
    rf"""(?:(?:^|;)lat=|"(?:lat|latitude)"\s*:\s*"?)(?P<value>{_HERE_NUMBER})"""
)
_HERE_LNG_RE = re.compile(
    rf"""(?:(?:^|;)(?:lon|lng)=|"(?:lon|lng|longitude)"\s*:\s*"?)(?P<value>{_HERE_NUMBER})"""
)


def decode_here_share(payload: str) -> tuple[float, float] | None:
    """The place in a HERE share payload: base64 of 'lat=…;lon=…;…' or of a JSON object."""
    if not payload or len(payload) > MAX_HERE_PAYLOAD_CHARS:
        return None
    padded = payload + "=" * (-len(payload) % 4)
    try:
        text = base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        return None
    decoded = text.decode("utf-8", errors="replace")
    lat, lng = _HERE_LAT_RE.search(decoded), _HERE_LNG_RE.search(decoded)
    if not lat or not lng:
        return None
    return float(lat["value"]), float(lng["value"])


# --- Web Mercator metres (EPSG:3857) -------------------------------------------------------------

_EARTH_RADIUS_M = 6378137.0  # the sphere of EPSG:3857
_MERCATOR_LIMIT_M = math.pi * _EARTH_RADIUS_M  # x = ±180°; the map is square


def decode_web_mercator(x: float, y: float) -> tuple[float, float] | None:
    """(lat, lng) of a point given in Web Mercator metres, as NAVER Map writes c= and route
    points; rounded to 1e-9° (0.1 mm), past which the metres' own digits say nothing."""
    if not (abs(x) <= _MERCATOR_LIMIT_M and abs(y) <= _MERCATOR_LIMIT_M):
        return None
    lng = math.degrees(x / _EARTH_RADIUS_M)
    lat = math.degrees(2.0 * math.atan(math.exp(y / _EARTH_RADIUS_M)) - math.pi / 2.0)
    return round(lat, 9), round(lng, 9)
