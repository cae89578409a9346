"""Coordinates written as text: decimal pairs, degrees/minutes/seconds, Open Location Codes."""

from __future__ import annotations

import re

# One decimal number as maps write it: no exponent, no thousands separators.
NUMBER = r"[-+]?(?:\d{1,3}(?:\.\d+)?|\.\d+)"

DECIMAL_PAIR_RE = re.compile(
    rf"""^\(?\s*(?P<lat>{NUMBER})\s*(?:,|;|\s)\s*(?P<lng>{NUMBER})\s*\)?$""", re.VERBOSE
)
# Two numbers with decimal commas and a comma between them: "48,8584, 2,2945" reads two ways.
DECIMAL_COMMA_RE = re.compile(r"\d,\d+\s*,\s*[-+]?\d+,\d")
HEMISPHERES = "NSEWnsew"

# One axis: optional leading hemisphere, degrees, optional minutes and seconds, optional
# trailing hemisphere. ASCII stand-ins (d m s, ' ") are accepted for the symbols.
_DMS_AXIS = r"""
    (?P<{p}lead>[NSEW])?\s*
    (?P<{p}sign>[-+])?
    (?P<{p}deg>\d{{1,3}}(?:\.\d+)?)\s*(?:°|º|˚|deg|d)?\s*
    (?:(?P<{p}min>\d{{1,2}}(?:\.\d+)?)\s*(?:'|′|’|min|m|\s)\s*
       (?:(?P<{p}sec>\d{{1,2}}(?:\.\d+)?)\s*(?:"|″|”|''|s|sec)?\s*)?
    )?
    (?({p}lead)|(?P<{p}trail>[NSEW])?)
"""
DMS_PAIR_RE = re.compile(
    r"^\(?\s*" + _DMS_AXIS.format(p="a") + r"\s*[,;/]?\s*" + _DMS_AXIS.format(p="b") + r"\s*\)?$",
    re.VERBOSE | re.IGNORECASE,
)

PLUS_CODE_ALPHABET = "23456789CFGHJMPQRVWX"
PLUS_CODE_RE = re.compile(
    r"^(?P<code>[23456789CFGHJMPQRVWX]{2}(?:[23456789CFGHJMPQRVWX]{6}|[23456789CFGHJMPQRVWX]{4}00|[23456789CFGHJMPQRVWX]{2}0000)\+(?:[23456789CFGHJMPQRVWX]{2,})?)$",
    re.IGNORECASE,
)
_PLUS_CODE_PAIR_RESOLUTIONS = (20.0, 1.0, 0.05, 0.0025, 0.000125)


def is_valid(lat: float, lng: float) -> bool:
    """True when the pair is a WGS84 coordinate."""
    return -90.0 <= lat <= 90.0 and -180.0 <= lng <= 180.0


def parse_decimal_pair(text: str) -> tuple[float, float] | None:
    """Read 'lat, lng' / 'lat lng' / '(lat; lng)' with dot decimals; None if unreadable or ambiguous."""
    if DECIMAL_COMMA_RE.search(text):
        return None
    match = DECIMAL_PAIR_RE.match(text.strip())
    if not match:
        return None
    lat, lng = float(match["lat"]), float(match["lng"])
    return (lat, lng) if is_valid(lat, lng) else None


def _axis_value(match: re.Match, prefix: str) -> tuple[float, str | None] | None:
    """Decimal degrees and hemisphere letter of one DMS axis."""
    lead, trail = match[prefix + "lead"], match[prefix + "trail"]
    if lead and trail:
        return None
    hemisphere = (lead or trail or "").upper() or None
    degrees = float(match[prefix + "deg"])
    minutes = float(match[prefix + "min"] or 0)
    seconds = float(match[prefix + "sec"] or 0)
    if minutes >= 60 or seconds >= 60:
        return None
    if (match[prefix + "min"] or match[prefix + "sec"]) and "." in match[prefix + "deg"]:
        return None
    value = degrees + minutes / 60 + seconds / 3600 if minutes or seconds else degrees
    if match[prefix + "sign"] == "-":
        if hemisphere:
            return None
        value = -value
    if hemisphere in ("S", "W"):
        value = -value
    return value, hemisphere


def parse_dms_pair(text: str) -> tuple[float, float, bool] | None:
    """Read DMS or hemisphere-letter coordinates; returns (lat, lng, has_minutes)."""
    match = DMS_PAIR_RE.match(text.strip())
    if not match:
        return None
    first, second = _axis_value(match, "a"), _axis_value(match, "b")
    if first is None or second is None:
        return None
    (value_a, hemi_a), (value_b, hemi_b) = first, second
    if not hemi_a and not hemi_b:
        return None  # plain numbers are the decimal reader's business
    lat_letters, lng_letters = {"N", "S"}, {"E", "W"}
    if (hemi_a in lng_letters or hemi_a is None) and hemi_b in lat_letters:
        value_a, value_b = value_b, value_a
    elif (
        hemi_a in lat_letters
        and hemi_b in lat_letters
        or hemi_a in lng_letters
        and hemi_b in lng_letters
        or hemi_a in lng_letters
        and hemi_b is None
    ):
        return None
    has_minutes = bool(match["amin"] or match["bmin"])
    return (value_a, value_b, has_minutes) if is_valid(value_a, value_b) else None


def decode_plus_code(text: str) -> tuple[float, float] | None:
    """Centre of a full Open Location Code's area; None for short or malformed codes."""
    match = PLUS_CODE_RE.match(text.strip())
    if not match:
        return None
    code = match["code"].upper().replace("+", "")
    digits = code.rstrip("0")
    if "0" in digits or (len(digits) < 10 and len(digits) % 2):
        return None
    if PLUS_CODE_ALPHABET.index(digits[0]) > 8 or PLUS_CODE_ALPHABET.index(digits[1]) > 17:
        return None
    lat, lng = -90.0, -180.0
    pair_digits = digits[:10]
    resolution = 20.0
    for pair_index in range(len(pair_digits) // 2):
        resolution = _PLUS_CODE_PAIR_RESOLUTIONS[pair_index]
        lat += PLUS_CODE_ALPHABET.index(pair_digits[2 * pair_index]) * resolution
        lng += PLUS_CODE_ALPHABET.index(pair_digits[2 * pair_index + 1]) * resolution
    lat_resolution = lng_resolution = resolution
    for grid_digit in digits[10:15]:
        row, column = divmod(PLUS_CODE_ALPHABET.index(grid_digit), 4)
        lat_resolution /= 5
        lng_resolution /= 4
        lat += row * lat_resolution
        lng += column * lng_resolution
    centre_lat = min(lat + lat_resolution / 2, 90.0)
    centre_lng = lng + lng_resolution / 2
    return round(centre_lat, 10), round(centre_lng, 10)
