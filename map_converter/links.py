"""parse_link: exact WGS84 coordinates from a map link or coordinate text, offline.

A cell is read in three steps: find the links in it (trimmed of the punctuation and markup that
pasting leaves around them), read each with the provider record that owns its host or scheme
(url_reading.py, providers.py), and make sure everything in the cell names one place. A cell
without a link is read as coordinate text (coordinates.py, gis_notations.py).
"""

from __future__ import annotations

import logging
import re
from typing import NamedTuple

from .coordinate_codes import SHORT_PLUS_CODE_RE
from .coordinates import (
    DECIMAL_COMMA_REASON,
    OUT_OF_RANGE_REASON,
    TWO_PLACES_REASON,
    UNCLEAR_REASON,
    Refusal,
    normalise_text,
    read_pair,
)
from .gis_notations import json_keys_as_labels, read_notation
from .link_finding import TRAILING_PUNCTUATION, find_url, find_urls
from .link_readers import Hit, plus_code_hit
from .providers import DATUM_SHIFTED_REASON
from .url_reading import (
    SHORT_LINK,
    Location,
    innermost_link,
    locate_url,
    located,
    new_tuple,
)

logger = logging.getLogger(__name__)

MAX_LINK_CHARS = 4096
SAME_PLACE_DEGREES = 1e-5  # about a metre: the same point written twice


class LinkReading(NamedTuple):
    """What parse_link saw in one cell: a location, or why there is none."""

    location: Location | None
    reason: str = ""
    is_short_link: bool = False


# Plain words for each method, used as the Note of a successful row.
METHOD_NOTES = {
    "pin": "place pin",
    "query": "searched coordinates",
    "directions-destination": "directions destination",
    "viewport": "map centre (the link has no place pin)",
    "street-view": "Street View camera position",
    "embed": "embedded map centre",
    "geo-uri": "geo: URI",
    "text": "coordinates in the cell",
    "columns": "latitude and longitude columns",
    "dms": "degrees, minutes, seconds",
    "wkt": "WKT point (longitude first)",
    "geojson": "GeoJSON point (longitude first)",
    "plus-code": "plus code (centre of its area)",
    "geohash": "Waze share code (centre of its cell)",
    "shortlink": "short code decoded offline",
    "page-og-image": "read from the map page (preview image)",
    "page-app-state": "read from the map page",
    "page-meta": "read from the map page (place metadata)",
    "page-array": "read from the map page",
}

# --- reading a whole cell -----------------------------------------------------------------

_NUMBER_IN_TEXT_RE = re.compile(r"[-+]?\d+(?:[.,]\d+)?")
_PRECISE_NUMBER_RE = re.compile(r"^[-+]?\d{1,3}\.\d{4,}$")


def _pairs_in_text(text: str) -> list[Hit] | None:
    """Coordinate pairs written among other words ('Eiffel Tower 48.8584, 2.2945').

    Only numbers with four or more decimals count, and only when every number in the text
    belongs to a pair: a list of other numbers is never read as a place.
    """
    numbers = _NUMBER_IN_TEXT_RE.findall(text)
    if not numbers or len(numbers) % 2 or len(numbers) > 8:
        return None
    if not all(_PRECISE_NUMBER_RE.match(number) for number in numbers):
        return None
    hits = []
    for index in range(0, len(numbers), 2):
        found = read_pair(f"{numbers[index]},{numbers[index + 1]}")
        if found is None or isinstance(found, Refusal):
            return None
        hits.append(Hit(found.lat, found.lng, "text"))
    return hits


def _one_place(locations: list[Location]) -> Location | Refusal:
    first = locations[0]
    for other in locations[1:]:
        if (
            abs(first.lat - other.lat) > SAME_PLACE_DEGREES
            or abs(first.lng - other.lng) > SAME_PLACE_DEGREES
        ):
            return Refusal(TWO_PLACES_REASON)
    return first


_LINK_STARTS = {"http", "HTTP", "Http", "geo:", "GEO:"}


_HTML_JUNK_HINT_RE = re.compile(r"%2[27]|%3[CE]", re.IGNORECASE)
_PAIR_STARTS = frozenset("0123456789-+")
# Both with decimals: whole-number pairs and everything else go the long way (read_pair).
_PLAIN_DECIMAL_PAIR_RE = re.compile(r"([-+]?\d{1,3}\.\d+)\s*,\s*([-+]?\d{1,3}\.\d+)")


def _locate(text: str) -> Location | Refusal:
    """The one place a cell names, or why there is none."""
    if text.__class__ is not str:
        return Refusal("not text")
    if len(text) > MAX_LINK_CHARS:
        return Refusal(f"cell longer than {MAX_LINK_CHARS} characters")
    if not text.isascii():
        text = normalise_text(text)
    text = text.strip()
    if not text:
        return Refusal("blank")
    if text[0] in _PAIR_STARTS:  # '48.85, 2.29' typed in a cell: one pattern reads it
        plain = _PLAIN_DECIMAL_PAIR_RE.fullmatch(text)
        if plain:
            lat, lng = float(plain[1]), float(plain[2])
            if -90.0 <= lat <= 90.0 and -180.0 <= lng <= 180.0 and (lat or lng):
                return new_tuple(Location, (lat, lng, "text", "text"))
    if (
        text[:4] in _LINK_STARTS
        and text[-1] not in TRAILING_PUNCTUATION
        # no space, quote or bracket after which pasted text goes on (rarer breaks such as '|'
        # only cost recall on this path, never a wrong point); isprintable() is one call for
        # tabs, newlines and every other control character
        and text.isprintable()
        and not (" " in text or '"' in text or "<" in text or ">" in text)
        and ("%" not in text or not _HTML_JUNK_HINT_RE.search(text))
        and (";" not in text or "&" not in text)  # HTML entities (&amp;) need the full trim
    ):
        return locate_url(text)  # the cell is one clean link (the usual case)
    urls = find_urls(text) if (":" in text or "/" in text) else []
    if not urls:
        return _locate_text(text)
    if len(urls) == 1 and urls[0][1] == 0 and urls[0][2] >= len(text) - 3:
        return locate_url(urls[0][0])
    answers = [locate_url(url) for url, _, _ in urls]
    locations = [answer for answer in answers if answer.__class__ is Location]
    leftover = text
    for _url, start, end in reversed(urls):
        leftover = leftover[:start] + " " + leftover[end:]
    notation = read_notation(leftover)
    if notation is None:
        pairs = _pairs_in_text(json_keys_as_labels(leftover)) or []
        locations += [Location(hit.lat, hit.lng, "text", "text") for hit in pairs]
    elif notation.__class__ is Hit:
        locations.append(Location(*notation, "text"))
    if locations:
        return _one_place(locations)
    return SHORT_LINK if SHORT_LINK in answers else answers[0]


_BRACKETED_PAIR_RE = re.compile(r"\[\s*[-+]?[\d.]+\s*,\s*[-+]?[\d.]+\s*\]")
BRACKETS_REASON = (
    "two numbers in square brackets read two ways (GeoJSON writes longitude first); "
    "write 'latitude, longitude' without brackets"
)


def _locate_text(text: str) -> Location | Refusal:
    """A cell without a link: coordinates, a plus code, or coordinates among other words."""
    if text[0] == "[" and _BRACKETED_PAIR_RE.fullmatch(text):
        return Refusal(BRACKETS_REASON)
    notation = read_notation(text)  # WKT, GeoJSON, x/y, "lon,lat": never read latitude first
    if notation is not None:
        return located(notation, "text")
    text = json_keys_as_labels(text)
    found = read_pair(text, allow_whole_numbers=False)
    if found.__class__ is Refusal and found.reason == UNCLEAR_REASON:
        hits = _pairs_in_text(text)  # several pairs: the same place written twice, or two places
        if hits and len(hits) > 1:
            return _one_place([Location(hit.lat, hit.lng, "text", "text") for hit in hits])
    if found is not None:
        return located(found, "text")
    if "+" in text:
        plus = plus_code_hit(text)
        if plus:
            return Location(plus.lat, plus.lng, "plus-code", "plus-code")
        if SHORT_PLUS_CODE_RE.match(text):
            return Refusal("short plus code without its area; use the full code")
    hits = _pairs_in_text(text)
    if hits:
        return _one_place([Location(hit.lat, hit.lng, "text", "text") for hit in hits])
    if _TWO_DECIMAL_COMMA_NUMBERS_RE.search(text):
        return Refusal(DECIMAL_COMMA_REASON)
    if _LONE_PAIR_RE.fullmatch(text):
        return Refusal(OUT_OF_RANGE_REASON)
    return Refusal("not a map link or coordinates we recognise")


_TWO_DECIMAL_COMMA_NUMBERS_RE = re.compile(r"\d,\d+\s*,\s*[-+]?\d+,\d")
_LONE_PAIR_RE = re.compile(r"\(?\s*[-+]?\d+(?:\.\d+)?\s*[,; ]\s*[-+]?\d+(?:\.\d+)?\s*\)?")


def read_link(text: str) -> LinkReading:
    """Like parse_link, but says why there is no location and whether it is a short link.

    This is what the pipeline calls on every cell; a reader bug costs that cell, never the file.
    """
    try:
        found = _locate(text)
    except Exception:
        logger.exception("could not read a cell of %d characters", len(text))
        return LinkReading(None, "could not read this cell (an internal error; please report it)")
    if found.__class__ is Location:
        return LinkReading(found)
    return LinkReading(None, found.reason, found is SHORT_LINK)


def parse_link(text: str) -> Location | None:
    """Exact WGS84 coordinates of a map link or coordinate text, or None.

    Accepts links of every provider in providers.PROVIDERS, geo: URIs, and cells holding only
    coordinates ("-26.108204, 28.0527061", "48°51'29.5\"N 2°17'40.2\"E", "9C3W9QCJ+2VX"). A place
    pin wins over a viewport centre. Never touches the network, never raises, and returns None for
    text longer than MAX_LINK_CHARS, ambiguous text, two different places in one cell, and links
    that hold no coordinates.
    """
    try:
        found = _locate(text)
    except Exception:  # a parser bug must cost one cell, never the whole file
        return None
    return found if found.__class__ is Location else None


def is_short_link(text: str) -> bool:
    """True when the cell is a short share link that only the resolver can follow."""
    return _locate(text) is SHORT_LINK


__all__ = [
    "DATUM_SHIFTED_REASON",
    "MAX_LINK_CHARS",
    "METHOD_NOTES",
    "LinkReading",
    "Location",
    "find_url",
    "find_urls",
    "innermost_link",
    "is_short_link",
    "parse_link",
    "read_link",
]
