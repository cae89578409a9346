"""Coordinates written as text: decimal pairs, degrees/minutes/seconds, hemisphere letters, labels.

`read_pair` is the one reader for a piece of text that should be exactly one coordinate pair: a
cell, or a link parameter such as `q=`. It answers a `Hit`, a `Refusal` (the text is a
coordinate pair we must not use, with the reason) or None (the text is not a coordinate pair).
The text is tokenised in one pass (no backtracking regex over the whole input), so its cost is
linear in the text, which callers cap.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from fractions import Fraction
from typing import NamedTuple

# One decimal number as maps write it: no exponent, no thousands separators.
NUMBER = r"[-+]?(?:\d{1,3}(?:\.\d+)?|\.\d+)"

DECIMAL_PAIR_RE = re.compile(rf"\(?\s*(?P<lat>{NUMBER})\s*(?:,|;|\s)\s*(?P<lng>{NUMBER})\s*\)?")

# Reasons shared by every reader (the Note of a failed row).
ZERO_REASON = "0, 0 is the 'no location' default of many apps, not a place"
SWAPPED_REASON = "looks like longitude, latitude — swap them"
OUT_OF_RANGE_REASON = "coordinates out of range"
DECIMAL_COMMA_REASON = "coordinates with decimal commas read two ways; use dots"
CONTRADICTION_REASON = "a minus sign and a hemisphere letter contradict each other"
TWO_PLACES_REASON = "two different places in this cell"
UNCLEAR_REASON = "cannot tell which number is the latitude and which the longitude"
WHOLE_NUMBERS_REASON = "two whole numbers are not clearly coordinates; write them with decimals"
GLUED_DASH_REASON = (
    "a dash between the two numbers reads two ways (a minus sign, or a separator); "
    "write 'latitude, longitude'"
)
_GLUED_DASH_PAIR_RE = re.compile(r"[(\[{]?\s*[-+]?[\d.]+-[\d.]+\s*[)\]}]?")


class Hit(NamedTuple):
    """A point read from text or a link: WGS84 degrees and how it was found (a METHOD_NOTES key).

    A NamedTuple rather than a dataclass: it is made once per cell, and a tuple is made 2x faster.
    """

    lat: float
    lng: float
    method: str


@dataclass(frozen=True, slots=True)
class Refusal:
    """Text that states a coordinate we must not use, and why (never a silent guess)."""

    reason: str


# tuple.__new__ builds a NamedTuple in C, 2x faster than its generated __new__ (hot path only).
new_tuple = tuple.__new__


def is_valid(lat: float, lng: float) -> bool:
    """True when the pair is a WGS84 coordinate."""
    return -90.0 <= lat <= 90.0 and -180.0 <= lng <= 180.0


def checked_pair(lat: float, lng: float, method: str) -> Hit | Refusal:
    """The point, or why not: out of range, written longitude first, or the 0,0 'no location'."""
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lng <= 180.0):
        if -180.0 <= lat <= 180.0 and -90.0 <= lng <= 90.0:
            return Refusal(SWAPPED_REASON)
        return Refusal(OUT_OF_RANGE_REASON)
    if lat == 0.0 and lng == 0.0:
        return Refusal(ZERO_REASON)
    return new_tuple(Hit, (lat, lng, method))


def checked_lng_lat(lng: float, lat: float, method: str) -> Hit | Refusal:
    """For providers that document longitude first: the same checks, no swap hint."""
    if not is_valid(lat, lng):
        return Refusal(OUT_OF_RANGE_REASON)
    return checked_pair(lat, lng, method)


# --- normalising what people paste --------------------------------------------------------------

_DELETED = "\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e"
_DELETED += "\u2066\u2067\u2068\u2069\u00ad"
_TRANSLATION = str.maketrans(
    {
        **dict.fromkeys(_DELETED, None),
        **dict.fromkeys("\u2212\u2010\u2011\u2012\u2013\ufe63\uff0d", "-"),
        **dict.fromkeys("\u00a0\u2007\u202f\u2009\u200a\u2002\u2003\u2004\u2005\u2006\u3000", " "),
        **dict.fromkeys("\u00ba\u02da\u2070", "°"),
        **dict.fromkeys("\u2032\u2019\u2018\u00b4\u02b9", "'"),
        **dict.fromkeys("\u2033\u201d\u201c\u02ba", '"'),
        "\u3001": ",",
    }
)


def normalise_text(text: str) -> str:
    """Unicode minus signs, dashes, primes, odd spaces, invisible marks and fullwidth forms made plain."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFKC", text.translate(_TRANSLATION))


# --- the tokenised reader -----------------------------------------------------------------------

_TOKEN_RE = re.compile(
    r"""
    (?P<space>\s+)
    |(?P<number>[-+]?(?:\d+(?:\.\d+)?|\.\d+))
    |(?P<deg>°|degrees?(?![a-z])|degs?(?![a-z])|d(?![a-z]))
    |(?P<sec>''|"|seconds?(?![a-z])|secs?(?![a-z])|s(?=[nsew](?![a-z])))
    |(?P<min>'|minutes?(?![a-z])|mins?(?![a-z])|m(?![a-z]))
    |(?P<hemisphere>north|south|east|west|[nsew](?![a-z]))
    |(?P<label>latitude|longitude|lat|lng|lon|long)(?![a-z])\.?\s*[:=]?
    |(?P<separator>[,;/|])
    |(?P<ignored>[():\[\]{}])
    |(?P<other>.)
    """,
    re.VERBOSE | re.IGNORECASE,
)
_SLOTS = {"deg": 0, "min": 1, "sec": 2}
_MAX_TOKENS = 40


@dataclass(slots=True)
class _Axis:
    """One half of a pair as it is being read."""

    numbers: list[tuple[str, int | None]]  # (number text, 0/1/2 slot when marked)
    hemisphere: str | None = None
    label: str | None = None  # "lat" / "lng"

    def is_empty(self) -> bool:
        return not self.numbers


def _tokens(text: str) -> list[tuple[str, str]] | None:
    tokens = []
    for match in _TOKEN_RE.finditer(text):
        kind = match.lastgroup
        if kind == "other":
            return None
        if kind in ("space", "ignored"):
            continue
        tokens.append((kind, match.group(kind)))
        if len(tokens) > _MAX_TOKENS:
            return None
    return tokens


def _split_axes(tokens: list[tuple[str, str]]) -> list[_Axis] | None:
    """Group tokens into axes: separators, hemisphere letters, labels and degree marks split."""
    axes: list[_Axis] = []
    axis = _Axis([])
    is_leading_style: bool | None = None
    for index, (kind, value) in enumerate(tokens):
        if kind == "hemisphere":
            letter = value[0].upper()
            next_kind = tokens[index + 1][0] if index + 1 < len(tokens) else ""
            if letter == "S" and len(value) == 1 and next_kind == "hemisphere" and axis.numbers:
                kind, value = "sec", value  # "46s N": the s is a seconds mark here
            else:
                if is_leading_style is None:
                    is_leading_style = axis.is_empty()
                if is_leading_style:
                    if not axis.is_empty():
                        axes.append(axis)
                        axis = _Axis([])
                    if axis.hemisphere:
                        return None
                    axis.hemisphere = letter
                else:
                    if axis.is_empty() or axis.hemisphere:
                        return None
                    axis.hemisphere = letter
                    axes.append(axis)
                    axis = _Axis([])
                continue
        if kind == "label":
            if not axis.is_empty():
                axes.append(axis)
                axis = _Axis([])
            if axis.label:
                return None
            axis.label = "lat" if value.lower().startswith("lat") else "lng"
            continue
        if kind == "separator":
            if not axis.is_empty():
                axes.append(axis)
                axis = _Axis([])
            continue
        if kind == "number":
            is_degrees = index + 1 < len(tokens) and tokens[index + 1][0] == "deg"
            if is_degrees and any(slot is not None for _, slot in axis.numbers):
                # A second degree value starts the other axis: 33°51'54" 151°12'35"
                axes.append(axis)
                axis = _Axis([])
            axis.numbers.append((value, None))
            continue
        # a unit mark: it names the slot of the number just before it
        if not axis.numbers or axis.numbers[-1][1] is not None:
            return None
        axis.numbers[-1] = (axis.numbers[-1][0], _SLOTS[kind])
    if not axis.is_empty():
        axes.append(axis)
    elif axis.hemisphere or axis.label:
        return None
    if len(axes) == 1 and len(axes[0].numbers) == 2 and not _has_marks_or_names(axes[0]):
        first, second = axes[0].numbers
        axes = [_Axis([first]), _Axis([second])]  # "48.85 2.29": two plain numbers
    return axes


def _has_marks_or_names(axis: _Axis) -> bool:
    return bool(axis.hemisphere or axis.label or any(slot is not None for _, slot in axis.numbers))


def _axis_value(axis: _Axis) -> tuple[float, bool] | Refusal | None:
    """Decimal degrees of one axis (sign and hemisphere applied) and whether it had minutes."""
    previous_slot = -1
    parts = [0.0, 0.0, 0.0]
    texts = ["0", "0", "0"]
    sign = 1.0
    for position, (text, slot) in enumerate(axis.numbers):
        slot = previous_slot + 1 if slot is None else slot
        if slot <= previous_slot or slot > 2:
            return None
        if position == 0 and slot != 0:
            return None
        if text[0] in "+-":
            if position:
                return None
            sign = -1.0 if text[0] == "-" else 1.0
            text = text[1:]
        if "." in text and position < len(axis.numbers) - 1:
            return None  # only the last part may have a fraction
        parts[slot] = float(text)
        texts[slot] = text
        previous_slot = slot
    degrees, minutes, seconds = parts
    if minutes >= 60 or seconds >= 60 or degrees > 180:
        return None
    value = _exact_sum(texts) if (minutes or seconds) else degrees
    hemisphere = axis.hemisphere
    if hemisphere:
        if axis.numbers[0][0][0] == "-" and hemisphere in "NE":
            return Refusal(CONTRADICTION_REASON)
        if axis.numbers[0][0][0] == "+" and hemisphere in "SW":
            return Refusal(CONTRADICTION_REASON)
        sign = -1.0 if hemisphere in "SW" else 1.0
    return sign * value, len(axis.numbers) > 1


def _exact_sum(texts: list[str]) -> float:
    """degrees + minutes/60 + seconds/3600 from their texts, rounded once: 2°17'40.2" is 2.2945,
    where adding rounded fractions gives 2.2944999999999998, digits nobody wrote."""
    degrees, minutes, seconds = map(Fraction, texts)
    return float(degrees + minutes / 60 + seconds / 3600)


def _axis_name(axis: _Axis) -> str | None | bool:
    """'lat', 'lng', None when unnamed, False when its letter and label disagree."""
    from_letter = None
    if axis.hemisphere:
        from_letter = "lat" if axis.hemisphere in "NS" else "lng"
    if from_letter and axis.label and from_letter != axis.label:
        return False
    return from_letter or axis.label


_DECIMAL_COMMA_NUMBER_RE = re.compile(r"(\d),(\d)")
_TWO_DECIMAL_COMMA_NUMBERS_RE = re.compile(r"\d,\d+\s*,\s*[-+]?\d+,\d")
_DECIMAL_COMMA_WITH_DEGREE_RE = re.compile(r"\d,\d+\s*°")
_SPACED_DECIMAL_COMMAS_RE = re.compile(r"^\s*[-+]?\d+,\d+\s+[-+]?\d+,\d+\s*$")


def _with_decimal_points(text: str) -> str | Refusal:
    """Decimal commas made dots where the pair's separator makes them unambiguous."""
    if _TWO_DECIMAL_COMMA_NUMBERS_RE.search(text):
        return Refusal(DECIMAL_COMMA_REASON)
    if (
        any(separator in text for separator in ";|/")
        or _DECIMAL_COMMA_WITH_DEGREE_RE.search(text)
        or _SPACED_DECIMAL_COMMAS_RE.match(text)
    ):
        return _DECIMAL_COMMA_NUMBER_RE.sub(r"\1.\2", text)
    return text


def read_pair(
    text: str, method: str | None = None, *, allow_whole_numbers: bool = True
) -> Hit | Refusal | None:
    """One coordinate pair written as text, latitude first unless letters or labels say otherwise.

    Accepts '48.8584, 2.2945', '48.8584 2.2945', '(48.8584; 2.2945)', '48°51'29.5"N 2°17'40.2"E',
    '33 51 54 S 151 12 35 E', 'S 33.86 E 151.2', '40:26:46N,79:56:55W', '41 24.2028, 2 10.4418',
    'Lat: 59.3293, Long: 18.0686', '48,8584; 2,2945'. Refuses (with the reason) a longitude
    written first, 0,0, a sign contradicting its letter, and ambiguous decimal commas.
    The method is the caller's, else "dms" for degrees with minutes and "text" for decimals.
    """
    match = DECIMAL_PAIR_RE.fullmatch(text)
    if match:
        lat_text, lng_text = match["lat"], match["lng"]
        lat, lng = float(lat_text), float(lng_text)
        if not allow_whole_numbers and "." not in lat_text and "." not in lng_text and (lat or lng):
            return Refusal(WHOLE_NUMBERS_REASON)
        return checked_pair(lat, lng, method or "text")
    text = normalise_text(text)
    if "," in text and "." not in text and _DECIMAL_COMMA_NUMBER_RE.search(text):
        converted = _with_decimal_points(text)
        if isinstance(converted, Refusal):
            return converted
        if converted != text:
            return read_pair(converted, method, allow_whole_numbers=allow_whole_numbers)
    tokens = _tokens(text)
    if not tokens:
        return None
    if len(tokens) == 2 and _GLUED_DASH_PAIR_RE.fullmatch(text.strip()):
        return Refusal(GLUED_DASH_REASON)  # '48.8584-2.2945': 2.2945 west, or east?
    # From here the text is all numbers, marks, letters and labels: when it does not make one
    # clear pair, say so, so that no lower-trust reader picks two of its numbers instead.
    unclear = Refusal(UNCLEAR_REASON) if sum(kind == "number" for kind, _ in tokens) > 1 else None
    axes = _split_axes(tokens)
    if axes is None or len(axes) != 2:
        return unclear
    values = []
    for axis in axes:
        value = _axis_value(axis)
        if value is None:
            return unclear
        if isinstance(value, Refusal):
            return value
        values.append(value)
    (first, first_minutes), (second, second_minutes) = values
    names = (_axis_name(axes[0]), _axis_name(axes[1]))
    has_minutes = first_minutes or second_minutes
    method = method or ("dms" if has_minutes else "text")
    if names == (None, None):
        if not allow_whole_numbers and not has_minutes and "." not in text:
            return Refusal(WHOLE_NUMBERS_REASON)
        return checked_pair(first, second, method)
    if names == ("lat", "lng"):
        return checked_pair(first, second, method)
    if names == ("lng", "lat"):
        return checked_pair(second, first, method)
    return unclear  # one axis named and the other not, two latitudes, or a letter against a label
