"""parse_link: exact WGS84 coordinates from a map link or coordinate text, offline."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote_plus

from .coordinates import (
    DECIMAL_PAIR_RE,
    NUMBER,
    decode_plus_code,
    is_valid,
    parse_decimal_pair,
    parse_dms_pair,
)

MAX_LINK_CHARS = 4096
_MAX_NESTING = 2  # ?link= and consent ?continue= wrappers, at most this deep


@dataclass(frozen=True, slots=True)
class Location:
    """A coordinate found in a link: WGS84 degrees, how it was found and from which provider."""

    lat: float
    lng: float
    method: str
    provider: str


@dataclass(frozen=True, slots=True)
class LinkReading:
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
    "dms": "degrees, minutes, seconds",
    "plus-code": "plus code (centre of its area)",
    "shortlink": "OpenStreetMap short link",
    "page-og-image": "read from the map page (preview image)",
    "page-app-state": "read from the map page",
    "page-meta": "read from the map page (place metadata)",
    "page-array": "read from the map page",
}

# --- finding a link inside a cell ------------------------------------------------------------

_SCHEME_URL_RE = re.compile(
    r"(?:https?://|geo:|google\.navigation:|comgooglemaps://|maps://|waze://|om://|mapsme://)[^\s<>]+",
    re.IGNORECASE,
)
_BARE_URL_RE = re.compile(r"\b(?:[a-z0-9-]+\.)+[a-z]{2,}(?::\d+)?/[^\s<>]*", re.IGNORECASE)
_HTML_JUNK_RE = re.compile(r"(?:%3C|%3E|%22%3E|&lt;|&gt;|&quot;).*$", re.IGNORECASE | re.DOTALL)
_URL_HEAD_RE = re.compile(
    r"^(?:(?P<scheme>[a-z][a-z0-9+.-]*):)?(?://)?(?:[^/?#@\s]*@)?(?P<host>[^/?#:\s]*)(?::\d+)?(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)


def _trim_url(url: str) -> str:
    """Drop HTML leftovers and sentence punctuation stuck to the end of a pasted link."""
    if "%3" in url or "&lt;" in url or "&gt;" in url or "&quot;" in url:
        url = _HTML_JUNK_RE.sub("", url)
    while url and url[-1] in ".,;:!?'\"]}»”’":
        url = url[:-1]
    while url.endswith(")") and url.count("(") < url.count(")"):
        url = url[:-1]
    return url


def find_url(text: str) -> str | None:
    """The first link in the text, with or without a scheme."""
    match = _SCHEME_URL_RE.search(text) or _BARE_URL_RE.search(text)
    return _trim_url(match.group(0)) if match else None


# --- small readers shared by the families ------------------------------------------------------

_PARAM_CACHE: dict[str, re.Pattern] = {}


def _param(url: str, name: str) -> str | None:
    """Decoded value of a query or fragment parameter, or None."""
    pattern = _PARAM_CACHE.get(name)
    if pattern is None:
        pattern = re.compile(r"[?&#;]" + re.escape(name) + r"=([^&#]*)")
        _PARAM_CACHE[name] = pattern
    match = pattern.search(url)
    if not match:
        return None
    value = match.group(1)
    return unquote_plus(value) if ("%" in value or "+" in value) else value


_NAME_AT_RE = re.compile(rf"@\s*({NUMBER}\s*,\s*{NUMBER})\s*$")
_LABEL_SUFFIX_RE = re.compile(r"\s*\([^()]*\)\s*$")


def _pair_value(value: str | None) -> tuple[float, float] | None:
    """Coordinates from a parameter value: 'lat,lng', 'loc:lat lng', 'Name@lat,lng', 'N34.9,W106.6'."""
    if not value:
        return None
    value = value.strip()
    if value[:4].lower() == "loc:":
        value = value[4:]
    at = _NAME_AT_RE.search(value)
    if at:
        value = at.group(1)
    value = _LABEL_SUFFIX_RE.sub("", value)
    pair = parse_decimal_pair(value)
    if pair is None:
        dms = parse_dms_pair(value)
        pair = (dms[0], dms[1]) if dms else None
    return pair


def _lng_lat(lng_text: str, lat_text: str) -> tuple[float, float] | None:
    """For providers that write longitude first: two numbers -> (lat, lng), range-checked."""
    match = DECIMAL_PAIR_RE.match(f"{lat_text.strip()},{lng_text.strip()}")
    if not match:
        return None
    lat, lng = float(match["lat"]), float(match["lng"])
    return (lat, lng) if is_valid(lat, lng) else None


def _lng_first_value(value: str | None) -> tuple[float, float] | None:
    """'lng,lat[,style…]' as Yandex and 2GIS write it."""
    if not value:
        return None
    parts = value.split(",")
    if len(parts) < 2:
        return None
    return _lng_lat(parts[0], parts[1])


def _location(pair, method: str, provider: str) -> Location | None:
    return Location(pair[0], pair[1], method, provider) if pair else None


# --- Google ------------------------------------------------------------------------------------

# !3d<lat>!4d<lng> inside data= is the place pin; the last one belongs to the place itself.
GOOGLE_PIN_RE = re.compile(rf"!3d(?P<lat>{NUMBER})!4d(?P<lng>{NUMBER})")
# Embed pb=: !1m3!1d<span>!2d<lng>!3d<lat> is the embedded map's centre (longitude first).
GOOGLE_EMBED_RE = re.compile(rf"!1d[\d.]+!2d(?P<lng>{NUMBER})!3d(?P<lat>{NUMBER})")
# /@lat,lng,17z (or 500m, or 3a,75y,90h,80t for Street View) is the viewport.
GOOGLE_VIEWPORT_RE = re.compile(
    rf"/@(?P<lat>{NUMBER}),(?P<lng>{NUMBER})(?:,(?P<suffix>[\d.]+[a-z]))?", re.IGNORECASE
)
GOOGLE_PATH_COORDS_RE = re.compile(r"/maps/(?:place|search)/(?P<value>[^/?#@]+)")
GOOGLE_HOST_RE = re.compile(r"^(?:www\.|maps\.)?google(?:\.[a-z]{2,3}){1,2}$")
_GOOGLE_DEFAULT_VIEWS = {(37.0625, -95.677068), (37.09024, -95.712891)}


def _google_data_tree(url: str) -> list:
    """data=!4m…!1m5… parsed into a tree: [(key, value, children)]; 'm' tokens own the next N."""
    start = url.find("data=")
    if start < 0:
        return []
    end = len(url)
    for stop in ("/", "?", "#"):
        position = url.find(stop, start)
        if position >= 0:
            end = min(end, position)
    tokens = [token for token in url[start + 5 : end].split("!") if len(token) >= 2]

    def build(index: int, count: int) -> tuple[list, int]:
        nodes = []
        while index < len(tokens) and count > 0:
            token = tokens[index]
            key_end = 0
            while key_end < len(token) and token[key_end].isdigit():
                key_end += 1
            key = token[: key_end + 1]
            value = token[key_end + 1 :]
            index += 1
            count -= 1
            children: list = []
            if key.endswith("m") and value.isdigit():
                children, index = build(index, int(value))
                count -= int(value)
            nodes.append((key, value, children))
        return nodes, index

    tree, _ = build(0, len(tokens))
    return tree


def _google_directions_destination(url: str) -> tuple[float, float] | None | str:
    """Destination of a /dir/ link: the last stop, from the path or its data= waypoint."""
    path = url.split("?", 1)[0]
    after_dir = path.split("/dir/", 1)[1]
    stops = []
    for segment in after_dir.split("/"):
        if segment.startswith(("@", "data=", "am=")):
            break
        stops.append(unquote_plus(segment))
    named_stops = [stop for stop in stops if stop.strip()]
    if named_stops:
        pair = _pair_value(named_stops[-1])
        if pair:
            return pair
    # Waypoints live in the innermost 4m block as 1m entries: 2m2 !1d<lng> !2d<lat>.
    stop_entries: list = []

    def find_stops(nodes: list) -> None:
        nonlocal stop_entries
        for key, _value, children in nodes:
            if key == "4m" and any(child[0] == "1m" for child in children):
                stop_entries = [child for child in children if child[0] == "1m"]
            find_stops(children)

    find_stops(_google_data_tree(url))
    if not stop_entries:
        return "directions"
    for key, _value, children in stop_entries[-1][2]:
        if key == "2m":
            values = {child_key: child_value for child_key, child_value, _ in children}
            try:
                pair = (float(values["2d"]), float(values["1d"]))
            except (KeyError, ValueError):
                return "directions"
            return pair if is_valid(*pair) else "directions"
    return "directions"


def _google(url: str) -> Location | None:
    """Google Maps URL, pin before viewport."""
    provider = "google"
    is_directions = "/dir/" in url
    if is_directions:
        destination = _google_directions_destination(url)
        if isinstance(destination, tuple):
            return _location(destination, "directions-destination", provider)
    if "!3d" in url:
        pins = GOOGLE_PIN_RE.findall(url)
        if pins:
            lat, lng = float(pins[-1][0]), float(pins[-1][1])
            if is_valid(lat, lng):
                return Location(lat, lng, "pin", provider)
    for name in ("destination", "daddr"):
        value = _param(url, name)
        if value:
            if "to:" in value:
                value = value.rsplit("to:", 1)[1]
            return _location(_pair_value(value), "directions-destination", provider)
    if is_directions:
        return None  # the viewport of a route is not its destination
    if "pb=" in url:
        match = GOOGLE_EMBED_RE.search(url)
        if match and is_valid(float(match["lat"]), float(match["lng"])):
            return Location(float(match["lat"]), float(match["lng"]), "embed", provider)
    for name in ("q", "query"):
        pair = _pair_value(_param(url, name))
        if pair:
            return _location(pair, "query", provider)
    match = GOOGLE_PATH_COORDS_RE.search(url)
    if match:
        pair = _pair_value(unquote_plus(match["value"]))
        if pair:
            return _location(pair, "pin" if "/place/" in url else "query", provider)
    for name, method in (("ll", "viewport"), ("cbll", "street-view"), ("viewpoint", "street-view")):
        pair = _pair_value(_param(url, name))
        if pair and pair not in _GOOGLE_DEFAULT_VIEWS:
            return _location(pair, method, provider)
    pair = _pair_value(_param(url, "center"))
    if pair and pair not in _GOOGLE_DEFAULT_VIEWS:
        return _location(pair, "viewport", provider)
    match = GOOGLE_VIEWPORT_RE.search(url)
    if match:
        lat, lng = float(match["lat"]), float(match["lng"])
        if is_valid(lat, lng):
            suffix = (match["suffix"] or "").lower()
            # ",3a,75y,90h" is a Street View camera; Google Earth's ",35a" is only altitude.
            is_street_view = suffix.endswith("a") and "/web/@" not in url
            return Location(lat, lng, "street-view" if is_street_view else "viewport", provider)
    # sll= is where a search was run from; only a last resort, never Google's default USA view.
    pair = _pair_value(_param(url, "sll"))
    if pair and pair not in _GOOGLE_DEFAULT_VIEWS:
        return _location(pair, "viewport", provider)
    return None


# --- Other providers ---------------------------------------------------------------------------


def _apple(url: str) -> Location | None:
    """Apple Maps: coordinate/ll are the place, q may be coordinates, center/sll the map."""
    for name, method in (
        ("coordinate", "pin"),
        ("daddr", "directions-destination"),
        ("ll", "pin"),
        ("q", "query"),
        ("center", "viewport"),
        ("sll", "viewport"),
    ):
        pair = _pair_value(_param(url, name))
        if pair:
            return _location(pair, method, "apple")
    return None


OSM_FRAGMENT_RE = re.compile(rf"#map=\d+(?:\.\d+)?/(?P<lat>{NUMBER})/(?P<lng>{NUMBER})")
OSM_SHORTLINK_RE = re.compile(r"/go/(?P<code>[A-Za-z0-9_~@]+)(?P<zoom_marks>[-=]*)")
_OSM_SHORTLINK_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_~"


def decode_osm_shortlink(code: str) -> tuple[float, float] | None:
    """Centre of an osm.org/go/<code> short link (interleaved 3+3 bits per character)."""
    x = y = 0
    bits = 0
    for character in code.replace("@", "~"):
        index = _OSM_SHORTLINK_CHARS.find(character)
        if index < 0:
            return None
        for _ in range(3):
            x = (x << 1) | ((index >> 5) & 1)
            y = (y << 1) | ((index >> 4) & 1)
            index = (index << 2) & 63
        bits += 3
    if bits == 0 or bits > 32:
        return None
    x <<= 32 - bits
    y <<= 32 - bits
    # The code names a cell; its centre is the best single point.
    half_cell = 1 << (32 - bits - 1) if bits < 32 else 0
    lng = (x + half_cell) * 360.0 / 2**32 - 180.0
    lat = (y + half_cell) * 180.0 / 2**32 - 90.0
    return (round(lat, 7), round(lng, 7)) if is_valid(lat, lng) else None


def _osm(url: str) -> Location | None:
    """OpenStreetMap: mlat/mlon pin beats #map= viewport; route= destination; /go/ short links."""
    mlat, mlon = _param(url, "mlat"), _param(url, "mlon")
    if mlat and mlon:
        pair = parse_decimal_pair(f"{mlat},{mlon}")
        if pair:
            return _location(pair, "pin", "osm")
    route = _param(url, "route")
    if route:
        return _location(_pair_value(route.split(";")[-1]), "directions-destination", "osm")
    match = OSM_FRAGMENT_RE.search(url)
    if match:
        return _location(parse_decimal_pair(f"{match['lat']},{match['lng']}"), "viewport", "osm")
    lat, lon = _param(url, "lat"), _param(url, "lon")
    if lat and lon:
        return _location(parse_decimal_pair(f"{lat},{lon}"), "viewport", "osm")
    match = OSM_SHORTLINK_RE.search(url)
    if match:
        return _location(decode_osm_shortlink(match["code"]), "shortlink", "osm")
    return None


def _bing(url: str) -> Location | None:
    """Bing Maps: sp=point.lat_lng pin, rtp= route destination, q=, cp=lat~lng viewport."""
    sp = _param(url, "sp")
    if sp and sp.startswith("point."):
        parts = sp[6:].split("_")
        if len(parts) >= 2:
            return _location(parse_decimal_pair(f"{parts[0]},{parts[1]}"), "pin", "bing")
    rtp = _param(url, "rtp")
    if rtp:
        last = rtp.strip("~").split("~")[-1]
        if last.startswith("pos."):
            parts = last[4:].split("_")
            if len(parts) >= 2:
                pair = parse_decimal_pair(f"{parts[0]},{parts[1]}")
                return _location(pair, "directions-destination", "bing")
    pair = _pair_value(_param(url, "q"))
    if pair:
        return _location(pair, "query", "bing")
    cp = _param(url, "cp")
    if cp and "~" in cp:
        return _location(parse_decimal_pair(cp.replace("~", ",", 1)), "viewport", "bing")
    return None


def _waze(url: str) -> Location | None:
    """Waze: to=ll.lat,lng destination, ll= and latlng= points."""
    to = _param(url, "to")
    if to and to.startswith("ll."):
        return _location(_pair_value(to[3:]), "directions-destination", "waze")
    for name in ("ll", "latlng"):
        pair = _pair_value(_param(url, name))
        if pair:
            return _location(pair, "pin", "waze")
    return None


def _yandex(url: str) -> Location | None:
    """Yandex: pt= and whatshere[point]= pins, rtext= destination, ll= viewport (lng first)."""
    pt = _param(url, "pt")
    if pt and "~" not in pt:
        return _location(_lng_first_value(pt), "pin", "yandex")
    point = _param(url, "whatshere%5Bpoint%5D") or _param(url, "whatshere[point]")
    if point:
        return _location(_lng_first_value(point), "pin", "yandex")
    rtext = _param(url, "rtext")
    if rtext:
        # rtext is the one Yandex parameter written latitude first.
        return _location(_pair_value(rtext.split("~")[-1]), "directions-destination", "yandex")
    return _location(_lng_first_value(_param(url, "ll")), "viewport", "yandex")


HERE_PLACE_RE = re.compile(rf"/l/(?P<lat>{NUMBER}),(?P<lng>{NUMBER})")


def _here(url: str) -> Location | None:
    """HERE WeGo: /l/lat,lng pins, map=lat,lng,zoom viewport."""
    match = HERE_PLACE_RE.search(url)
    if match:
        return _location(parse_decimal_pair(f"{match['lat']},{match['lng']}"), "pin", "here")
    value = _param(url, "map")
    if value:
        parts = value.split(",")
        if len(parts) >= 2:
            return _location(parse_decimal_pair(f"{parts[0]},{parts[1]}"), "viewport", "here")
    return None


TWOGIS_GEO_RE = re.compile(rf"/geo/(?:\d+/)?(?P<lng>{NUMBER})(?:,|%2C)(?P<lat>{NUMBER})", re.I)


def _2gis(url: str) -> Location | None:
    """2GIS: /geo/lng,lat pin, m=lng,lat/zoom viewport (longitude first)."""
    match = TWOGIS_GEO_RE.search(url)
    if match:
        return _location(_lng_lat(match["lng"], match["lat"]), "pin", "2gis")
    value = _param(url, "m")
    if value:
        return _location(_lng_first_value(value.split("/")[0]), "viewport", "2gis")
    return None


def _mapy(url: str) -> Location | None:
    """Mapy.cz/.com: source=coor&id=lng,lat pin, x=lng&y=lat viewport."""
    if _param(url, "source") == "coor":
        pair = _lng_first_value(_param(url, "id"))
        if pair:
            return _location(pair, "pin", "mapy")
    x, y = _param(url, "x"), _param(url, "y")
    if x and y:
        return _location(parse_decimal_pair(f"{y},{x}"), "viewport", "mapy")
    return None


def _lat_lon_params(provider: str, method: str) -> Callable[[str], Location | None]:
    """A family whose link carries lat= and lon= parameters."""

    def read(url: str) -> Location | None:
        lat, lon = _param(url, "lat"), _param(url, "lon")
        if lat and lon:
            return _location(parse_decimal_pair(f"{lat},{lon}"), method, provider)
        return None

    return read


def _osmand(url: str) -> Location | None:
    """OsmAnd: pin=lat,lon beats the #zoom/lat/lon viewport; go?lat=&lon= is a pin."""
    pair = _pair_value(_param(url, "pin"))
    if pair:
        return _location(pair, "pin", "osmand")
    located = _lat_lon_params("osmand", "pin")(url)
    if located:
        return located
    fragment = url.split("#", 1)[1] if "#" in url else ""
    parts = fragment.split("/")
    if len(parts) == 3:
        return _location(parse_decimal_pair(f"{parts[1]},{parts[2]}"), "viewport", "osmand")
    return None


_GE0_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_GE0_MAX_CHARACTERS = 10  # 3 latitude and 3 longitude bits per character, 30 bits each at most
ORGANIC_PATH_RE = re.compile(
    rf"^/(?:(?P<lat>{NUMBER}),(?P<lng>{NUMBER})|(?P<code>[A-Za-z0-9_-]{{2,11}}))(?:[/?#]|$)"
)


def decode_ge0(code: str) -> tuple[float, float] | None:
    """Centre of an Organic Maps / MAPS.ME 'ge0' short code (first character is the zoom)."""
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
    return (round(lat, 7), round(lng, 7)) if is_valid(lat, lng) else None


def _organic(url: str) -> Location | None:
    """Organic Maps / MAPS.ME: ll=lat,lon API links, /lat,lon/Name and /<ge0 code>/Name links."""
    located = _location(_pair_value(_param(url, "ll")), "pin", "organic-maps")
    if located or "://" in url[:10]:
        return located
    match = ORGANIC_PATH_RE.match(url)
    if not match:
        return None
    if match["code"]:
        return _location(decode_ge0(match["code"]), "shortlink", "organic-maps")
    return _location(parse_decimal_pair(f"{match['lat']},{match['lng']}"), "pin", "organic-maps")


def _google_navigation(url: str) -> Location | None:
    """google.navigation:q=lat,lng (Android intent)."""
    return _location(_pair_value(_param("?" + url.split(":", 1)[1], "q")), "query", "google")


# Hosts whose coordinates are not WGS84 (GCJ-02 / BD-09). We do not convert them.
DATUM_SHIFTED_HOST_RE = re.compile(
    r"(?:^|\.)(?:amap\.com|gaode\.com|map\.baidu\.com|api\.map\.baidu\.com|map\.qq\.com|apis\.map\.qq\.com)$"
)
DATUM_SHIFTED_REASON = (
    "Chinese map services (Amap, Baidu, QQ) use a shifted datum (GCJ-02/BD-09); "
    "copy the place from another map service"
)

# Hosts of short share links: they hold no coordinates until followed.
SHORT_LINK_HOST_RE = re.compile(
    r"^(?:maps\.app\.goo\.gl|goo\.gl|app\.goo\.gl|g\.co|go\.2gis\.com|her\.is|maps\.apple|"
    r"(?:www\.)?mapy\.(?:cz|com)|(?:maps\.)?yandex\.[a-z.]+|maps\.apple\.com)$"
)


@dataclass(frozen=True, slots=True)
class LinkFamily:
    """One provider: which hosts (and path) it owns and the function that reads its links."""

    provider: str
    host_pattern: re.Pattern
    read: Callable[[str], Location | None]
    path_prefix: str = ""


# Tried in order; the first family whose host (and path prefix) matches reads the link.
LINK_FAMILIES = (
    LinkFamily("google", re.compile(r"^maps\.google(?:\.[a-z]{2,3}){1,2}$"), _google),
    LinkFamily("google", GOOGLE_HOST_RE, _google, "/maps"),
    LinkFamily("google", re.compile(r"^earth\.google\.com$"), _google),
    LinkFamily("apple", re.compile(r"^maps\.apple(?:\.com)?$"), _apple),
    LinkFamily("osm", re.compile(r"^(?:www\.)?(?:openstreetmap\.(?:org|de|fr)|osm\.org)$"), _osm),
    LinkFamily("bing", re.compile(r"^(?:www\.)?bing\.com$"), _bing, "/maps"),
    LinkFamily("waze", re.compile(r"^(?:www\.|embed\.)?waze\.com$"), _waze),
    LinkFamily("yandex", re.compile(r"^(?:www\.)?yandex\.[a-z.]+$"), _yandex, "/maps"),
    LinkFamily("yandex", re.compile(r"^maps\.yandex\.[a-z.]+$"), _yandex),
    LinkFamily("here", re.compile(r"^(?:wego|share)\.here\.com$"), _here),
    LinkFamily("2gis", re.compile(r"^(?:www\.)?2gis\.[a-z.]+$"), _2gis),
    LinkFamily("mapy", re.compile(r"^(?:www\.|en\.|de\.)?mapy\.(?:cz|com)$"), _mapy),
    LinkFamily(
        "magic-earth",
        re.compile(r"^(?:www\.)?magicearth\.com$"),
        _lat_lon_params("magic-earth", "pin"),
    ),
    LinkFamily("osmand", re.compile(r"^(?:www\.)?osmand\.net$"), _osmand),
    LinkFamily("organic-maps", re.compile(r"^(?:omaps\.app|ge0\.me|comaps\.at)$"), _organic),
)
_SCHEME_FAMILIES = {
    "google.navigation": _google_navigation,
    "comgooglemaps": lambda url: _google(
        url.replace("comgooglemaps://", "https://maps.google.com/maps", 1)
    ),
    "maps": _apple,
    "waze": _waze,
    "om": _organic,
    "mapsme": _organic,
}

GEO_URI_RE = re.compile(
    rf"^geo:(?P<lat>{NUMBER}),(?P<lng>{NUMBER})(?:,[-+]?[\d.]+)?(?P<params>(?:;[^?]*)?)(?:\?(?P<query>.*))?$",
    re.IGNORECASE,
)


def _geo_uri(url: str) -> LinkReading:
    """RFC 5870 geo: URIs and Android's geo:0,0?q=lat,lng(label)."""
    match = GEO_URI_RE.match(url)
    if not match:
        return LinkReading(None, "malformed geo: URI")
    params = match["params"].lower()
    if ";crs=" in params and ";crs=wgs84" not in params:
        return LinkReading(None, "geo: URI in a coordinate system other than WGS84")
    lat, lng = float(match["lat"]), float(match["lng"])
    query_pair = _pair_value(_param("?" + (match["query"] or ""), "q"))
    if query_pair and (lat, lng) == (0.0, 0.0):
        return LinkReading(Location(query_pair[0], query_pair[1], "geo-uri", "geo"))
    if (lat, lng) == (0.0, 0.0):
        return LinkReading(None, "geo: URI with a place name but no coordinates")
    if not is_valid(lat, lng):
        return LinkReading(None, "coordinates out of range")
    return LinkReading(Location(lat, lng, "geo-uri", "geo"))


@functools.lru_cache(maxsize=4096)
def _families_for_host(host: str) -> tuple[LinkFamily, ...] | None:
    """The families that own a host, None for datum-shifted hosts (cached: hosts repeat a lot)."""
    if DATUM_SHIFTED_HOST_RE.search(host):
        return None
    return tuple(family for family in LINK_FAMILIES if family.host_pattern.match(host))


def _read_url(url: str, depth: int) -> LinkReading:
    """Read one URL: pick its family by host, then read it."""
    lowered_start = url[:24].lower()
    if lowered_start.startswith("geo:"):
        return _geo_uri(url)
    head = _URL_HEAD_RE.match(url)
    if not head:
        return LinkReading(None, "not a map link we recognise")
    scheme = (head["scheme"] or "").lower()
    if scheme and scheme not in ("http", "https"):
        reader = _SCHEME_FAMILIES.get(scheme)
        if reader is None:
            return LinkReading(None, "not a map link we recognise")
        location = reader(url)
        return LinkReading(location, "" if location else "no coordinates in the link")
    host = head["host"].lower().rstrip(".")
    rest = head["rest"]
    families = _families_for_host(host)
    if families is None:
        return LinkReading(None, DATUM_SHIFTED_REASON)
    # Wrapped links (Firebase ?link=, Google's consent page ?continue=) are read offline.
    if depth < _MAX_NESTING and host in ("maps.app.goo.gl", "consent.google.com", "app.goo.gl"):
        inner = _param(rest, "link") or _param(rest, "continue")
        if inner:
            return _read_url(inner, depth + 1)
    for family in families:
        if rest.startswith(family.path_prefix):
            location = family.read(rest)
            if location:
                return LinkReading(location)
            if SHORT_LINK_HOST_RE.match(host) and _looks_short(host, rest):
                return LinkReading(None, "short link", is_short_link=True)
            return LinkReading(None, f"no coordinates in this {family.provider} link")
    if SHORT_LINK_HOST_RE.match(host):
        return LinkReading(None, "short link", is_short_link=True)
    return LinkReading(None, "not a map link we recognise")


def _looks_short(host: str, rest: str) -> bool:
    """Provider hosts that also serve short links: Yandex /maps/-/, Mapy /s/, Apple places."""
    if host.startswith(("yandex.", "maps.yandex.", "www.yandex.")):
        return rest.startswith("/maps/-/")
    if "mapy." in host:
        return rest.startswith("/s/")
    if host.startswith("maps.apple"):
        return rest.startswith(("/p/", "/place")) or "auid=" in rest or "place-id=" in rest
    return True


def read_link(text: str) -> LinkReading:
    """Like parse_link, but says why there is no location and whether it is a short link."""
    if not isinstance(text, str):
        return LinkReading(None, "not text")
    if len(text) > MAX_LINK_CHARS:
        return LinkReading(None, f"cell longer than {MAX_LINK_CHARS} characters")
    text = text.strip()
    if not text:
        return LinkReading(None, "blank")
    if "\u2212" in text or "\xa0" in text:
        text = text.replace("\u2212", "-").replace("\xa0", " ")
    url = find_url(text)
    if url is not None:
        return _read_url(url, 0)
    return _read_text(text)


def _read_text(text: str) -> LinkReading:
    """A cell that holds only coordinates: decimal, DMS, hemisphere letters or a plus code."""
    pair = parse_decimal_pair(text)
    if pair:
        return LinkReading(Location(pair[0], pair[1], "text", "text"))
    dms = parse_dms_pair(text)
    if dms:
        return LinkReading(Location(dms[0], dms[1], "dms" if dms[2] else "text", "text"))
    if "+" in text:
        plus = decode_plus_code(text)
        if plus:
            return LinkReading(Location(plus[0], plus[1], "plus-code", "plus-code"))
        if re.match(r"^[23456789CFGHJMPQRVWX]{4,6}\+[23456789CFGHJMPQRVWX]{2,3}\b", text, re.I):
            return LinkReading(None, "short plus code without its area; use the full code")
    if re.search(r"\d,\d+\s*,\s*[-+]?\d+,\d", text):
        return LinkReading(None, "coordinates with decimal commas read two ways; use dots")
    if re.fullmatch(rf"\(?\s*{NUMBER}\s*[,; ]\s*{NUMBER}\s*\)?", text):
        return LinkReading(None, "coordinates out of range")
    return LinkReading(None, "not a map link or coordinates we recognise")


def parse_link(text: str) -> Location | None:
    """Exact WGS84 coordinates of a map link or coordinate text, or None.

    Accepts links of Google, Apple, OpenStreetMap, Bing, Waze, Yandex, HERE, 2GIS, Mapy,
    Magic Earth, OsmAnd and Organic Maps, geo: URIs, and cells holding only coordinates
    ("-26.108204, 28.0527061", "48°51'29.5\"N 2°17'40.2\"E", "9C3W9QCJ+2VX"). A place pin wins
    over a viewport centre. Never touches the network, never raises, and returns None for text
    longer than MAX_LINK_CHARS, ambiguous text and links that hold no coordinates.
    """
    try:
        return read_link(text).location
    except Exception:  # a parser bug must cost one cell, never the whole file
        return None


def is_short_link(text: str) -> bool:
    """True when the cell is a short share link that only the resolver can follow."""
    return read_link(text).is_short_link
