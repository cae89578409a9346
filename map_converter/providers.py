"""One record per link provider: its hosts and schemes, its short links, its readers in order.

Everything else is derived from `PROVIDERS`: which provider owns a host (`providers_for_host`),
which short links the resolver may request and which map pages it may fetch after a redirect
(`safety.py`), and the README's provider table (`provider_table_markdown`). Adding a provider is
one record here and its rows in tests/test_links.py (a test fails for a provider without rows).

Readers are tried in order of trust, and only when their marker (a cheap substring) is in the
link: a place pin beats a searched point, which beats the map's viewport centre.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import unquote, unquote_plus

from .coordinate_codes import (
    MAX_GEOHASH_CHARS,
    decode_ge0,
    decode_geohash,
    decode_here_share,
    decode_osm_shortlink,
    decode_plus_code,
    decode_web_mercator,
)
from .coordinates import (
    DECIMAL_COMMA_REASON,
    NUMBER,
    OUT_OF_RANGE_REASON,
    Hit,
    Refusal,
    checked_pair,
    new_tuple,
    read_pair,
)
from .link_readers import (
    DESTINATION_NAME_REASON,
    Found,
    Reader,
    comma_decimals,
    destination_hit,
    lat_lng_params,
    lng_lat_hit,
    lng_lat_param,
    match_hit,
    numbers_hit,
    param,
    path_after,
    pattern,
    query_param,
    same_place,
    unwrap,
    value_hit,
)


@dataclass(frozen=True)
class HostRule:
    """Hosts (an anchored pattern: exact names, never suffixes) and the paths that count there."""

    hosts: str
    paths: tuple[str, ...] = ("",)  # path prefixes; "" is any path
    query_markers: tuple[str, ...] = ()  # or any of these in the query (Apple's ?auid=)
    exact_paths: tuple[str, ...] = ()
    readers: tuple[Reader, ...] = ()  # tried first on this site only (wrapper pages)
    # When given, the path or query must also hold one of these (a place id, not just a name).
    required_markers: tuple[str, ...] = ()

    @functools.cached_property
    def host_pattern(self) -> re.Pattern:
        return re.compile(rf"(?:{self.hosts})\Z")

    def matches(self, host: str, path: str, query: str = "") -> bool:
        if not self.host_pattern.match(host):
            return False
        if self.required_markers and not any(
            marker in path or marker in query for marker in self.required_markers
        ):
            return False
        if path in self.exact_paths or path.startswith(self.paths):
            return True
        return any(marker in query for marker in self.query_markers)


@dataclass(frozen=True)
class Provider:
    """One map service or link format."""

    name: str  # the provider string of a Location ("google")
    title: str  # for people ("Google Maps")
    sites: tuple[HostRule, ...]  # web links it owns
    readers: tuple[Reader, ...]  # in order of trust
    schemes: tuple[str, ...] = ()  # app links it owns ("waze" for waze://…)
    short_links: tuple[HostRule, ...] = ()  # short links the resolver may request
    pages: tuple[HostRule, ...] = ()  # pages the resolver may fetch after a redirect
    refusal: str = ""  # links of this provider are always refused with this reason
    forms: str = ""  # the forms we read, for the README

    @functools.cached_property
    def markers_and_readers(self) -> tuple[tuple[str, Callable[[str], Found]], ...]:
        """The readers as (marker, read) pairs: unpacking a pair beats two attribute lookups."""
        return tuple((reader.marker, reader.read) for reader in self.readers)


# --- Google -----------------------------------------------------------------------------------

_GOOGLE_TLD = r"(?:\.[a-z]{2,3}){1,2}"
# Google's own hosts, for what the resolver may request: a country domain, never any name.
_GOOGLE_OWN_HOSTS = r"(?:www\.|maps\.)?google\.(?:com|[a-z]{2}|co\.[a-z]{2}|com\.[a-z]{2})"
_GOOGLE_DEFAULT_VIEWS = {(37.0625, -95.677068), (37.09024, -95.712891)}
_PIN_RE = re.compile(rf"!3d(?P<lat>{NUMBER})!4d(?P<lng>{NUMBER})")
_VIEWPORT_RE = re.compile(
    rf"/@(?P<lat>{NUMBER}),(?P<lng>{NUMBER})(?:,(?P<suffix>[\d.]+[a-z]))?", re.IGNORECASE
)
_PLACE_PATH_RE = re.compile(r"/maps/(?:place|search)/(?P<value>[^/?#@]+)")
_SEARCH_POSITION_RE = re.compile(
    rf"/maps/search/[^/?#]+/(?P<lat>{NUMBER}),\s*(?P<lng>{NUMBER})(?:,[\d.]+z)?(?:[/?#]|$)"
)
_MAX_DATA_TOKENS = 2048


def _data_tree(rest: str) -> list:
    """data=!4m…!1m5… as a tree of (key, value, children); 'Nm<count>' owns the next count tokens.

    Built iteratively with a stack of open blocks, so a deep chain cannot exhaust the stack.
    """
    start = rest.find("data=")
    if start < 0:
        return []
    end = len(rest)
    for stop in ("/", "?", "#"):
        position = rest.find(stop, start)
        if position >= 0:
            end = min(end, position)
    root: list = []
    open_blocks: list[tuple[int, list]] = []  # (index after the block's last token, its children)
    tokens = [token for token in rest[start + 5 : end].split("!") if len(token) >= 2]
    for index, token in enumerate(tokens[:_MAX_DATA_TOKENS]):
        while open_blocks and index >= open_blocks[-1][0]:
            open_blocks.pop()
        key_end = 0
        while key_end < len(token) and token[key_end].isdigit():
            key_end += 1
        key, value = token[: key_end + 1], token[key_end + 1 :]
        node = (key, value, [])
        (open_blocks[-1][1] if open_blocks else root).append(node)
        if key.endswith("m") and value.isdigit():
            open_blocks.append((index + 1 + int(value), node[2]))
    return root


def _route_stops(tree: list) -> list:
    """The waypoints of the last (innermost) 4m block that lists 1m entries, in pre-order."""
    stops: list = []
    pending = list(reversed(tree))
    while pending:
        key, _value, children = pending.pop()
        if key == "4m" and any(child[0] == "1m" for child in children):
            stops = [child for child in children if child[0] == "1m"]
        pending.extend(reversed(children))
    return stops


def _google_directions(rest: str) -> Found:
    """The destination of a /dir/ link: its last stop, written in the path or in data= (lng first)."""
    stops = []
    segments = path_after(rest, "/dir/") or []
    for index, segment in enumerate(segments):
        if segment.startswith(("@", "data=", "am=")):
            break
        if segment or index < len(segments) - 1:  # '/dir/A/B/': the last '/' adds no stop
            stops.append(unquote_plus(segment).strip())
    # The destination is the last stop, even when it is empty ('/dir/<start>//'): never the start.
    if stops and stops[-1]:
        found = value_hit(stops[-1], "directions-destination")
        if found is not None:
            return found
    stops_in_data = _route_stops(_data_tree(rest))
    if not stops_in_data:
        return None
    for key, _value, children in stops_in_data[-1][2]:
        if key == "2m":
            values = {child_key: child_value for child_key, child_value, _ in children}
            # In a route's data, !1d is the longitude and !2d the latitude.
            return numbers_hit(values.get("2d"), values.get("1d"), "directions-destination")
    return None


def _google_route(rest: str) -> Found:
    """A /dir/ link: its destination, else a place pin or destination= in it, else a refusal:
    the viewport of a route is not a place."""
    for read in (_google_directions, _google_pin, _google_destination):
        found = read(rest)
        if found is not None:
            return found
    return _NO_DESTINATION


_NO_DESTINATION = Refusal("a directions link without a destination point")


def _google_pin(rest: str) -> Found:
    pins = _PIN_RE.findall(rest)
    if not pins:
        return None
    lat, lng = pins[-1]  # the last pin is the place itself
    lat, lng = float(lat), float(lng)
    if -90.0 <= lat <= 90.0 and -180.0 <= lng <= 180.0 and (lat or lng):
        return new_tuple(Hit, (lat, lng, "pin"))  # checked_pair, inlined (hot path)
    return checked_pair(lat, lng, "pin")


def _google_destination(rest: str) -> Found:
    for name in ("destination", "daddr"):
        value = param(rest, name)
        if value:
            if "to:" in value:
                value = value.rsplit("to:", 1)[1]
            return destination_hit(value)
    return None


_STREET_VIEW_EMBED_RE = re.compile(rf"!2m2!1d(?P<lat>{NUMBER})!2d(?P<lng>{NUMBER})")
_EMBED_RE = re.compile(rf"!1d[\d.]+!2d(?P<lng>{NUMBER})!3d(?P<lat>{NUMBER})")


def _google_street_view_embed(rest: str) -> Found:
    """Street View embeds: !6m8…!2m2!1d<lat>!2d<lng> (latitude first here)."""
    match = _STREET_VIEW_EMBED_RE.search(rest, rest.find("!6m"))
    return numbers_hit(match["lat"], match["lng"], "street-view") if match else None


def _google_embed(rest: str) -> Found:
    match = _EMBED_RE.search(rest)
    return numbers_hit(match["lat"], match["lng"], "embed") if match else None


def _google_place_path(rest: str) -> Found:
    match = _PLACE_PATH_RE.search(rest)
    if not match:
        return None
    return value_hit(unquote_plus(match["value"]), "pin" if "/place/" in rest else "query")


def _google_search_position(rest: str) -> Found:
    match = _SEARCH_POSITION_RE.search(rest)
    return numbers_hit(match["lat"], match["lng"], "viewport") if match else None


def _not_default_view(reader: Reader) -> Reader:
    """Google writes its default USA view into links that have no place; never report it."""

    def read(rest: str) -> Found:
        found = reader.read(rest)
        if isinstance(found, Hit) and (found.lat, found.lng) in _GOOGLE_DEFAULT_VIEWS:
            return None
        return found

    return Reader(reader.marker, read)


def _google_viewport(rest: str) -> Found:
    match = _VIEWPORT_RE.search(rest)
    if not match:
        return None
    suffix = (match["suffix"] or "").lower()
    if not suffix and comma_decimals(match["lat"], match["lng"], after=rest[match.end() :]):
        return Refusal(DECIMAL_COMMA_REASON)
    # ",3a,75y,90h" is a Street View camera; Google Earth's ",35a" is only altitude.
    is_street_view = suffix.endswith("a") and "/web/@" not in rest
    method = "street-view" if is_street_view else "viewport"
    lat, lng = match.group("lat", "lng")
    return checked_pair(float(lat), float(lng), method)


def _static_map_markers(rest: str) -> Found:
    """Static Maps API markers=style|lat,lng|lat,lng…: the marked points, which must agree."""
    value = param(rest, "markers")
    if not value:
        return None
    points = [part for part in value.split("|") if part and ":" not in part][:20]
    return same_place([value_hit(point, "pin") for point in points]) if points else None


GOOGLE = Provider(
    name="google",
    title="Google Maps",
    sites=(
        # Embeds and the Maps APIs: their own readers first, then the general ones.
        HostRule(
            rf"(?:www\.|maps\.)?google{_GOOGLE_TLD}",
            ("/maps/embed",),
            readers=(Reader("!6m", _google_street_view_embed), Reader("pb=", _google_embed)),
        ),
        HostRule(
            r"maps\.googleapis\.com",
            ("/maps/api/staticmap", "/maps/api/streetview"),
            readers=(
                Reader("markers=", _static_map_markers),
                query_param("location", "street-view"),
            ),
        ),
        HostRule(rf"maps\.google{_GOOGLE_TLD}"),
        HostRule(rf"(?:www\.)?google{_GOOGLE_TLD}", ("/maps",)),
        HostRule(rf"(?:www\.)?google{_GOOGLE_TLD}", ("/url",), readers=(unwrap("q", "url"),)),
        HostRule(r"earth\.google\.com"),
        HostRule(rf"consent\.google{_GOOGLE_TLD}", readers=(unwrap("continue"),)),
        HostRule(
            r"maps\.app\.goo\.gl|app\.goo\.gl|goo\.gl|g\.co|share\.google",
            readers=(unwrap("link"),),
        ),
    ),
    schemes=("google.navigation", "comgooglemaps", "comgooglemapsurl"),
    readers=(
        Reader("/dir/", _google_route),
        Reader("!3d", _google_pin),
        Reader("addr=", _google_destination),
        Reader("destination=", _google_destination),
        query_param("q", "query"),
        query_param("query", "query"),
        Reader("/place/", _google_place_path),
        Reader("/search/", _google_place_path),
        _not_default_view(query_param("ll", "viewport")),
        query_param("cbll", "street-view"),
        query_param("viewpoint", "street-view"),
        _not_default_view(query_param("center", "viewport")),
        Reader("/maps/search/", _google_search_position),
        Reader("/@", _google_viewport),
        # sll= is where a search was run from: only a last resort.
        _not_default_view(query_param("sll", "viewport")),
    ),
    short_links=(
        HostRule(r"maps\.app\.goo\.gl|app\.goo\.gl|share\.google"),
        HostRule(r"goo\.gl", ("/maps/", "/app/")),
        HostRule(r"g\.co", ("/kgs/",)),
        HostRule(r"g\.page"),  # a Google Business Profile's share link: opens the place's page
        # A place named by its id with no coordinates (Google Takeout's saved lists, cid= links):
        # the place's own page says where it is. A place name alone is not followed.
        HostRule(
            _GOOGLE_OWN_HOSTS,
            ("/maps",),
            exact_paths=("/",),
            required_markers=(
                "!1s0x",
                "cid=",
                "ftid=",
                "query_place_id=",
                "place_id:",
                "place_id%3A",
            ),
        ),  # fmt: skip
    ),
    pages=(HostRule(_GOOGLE_OWN_HOSTS, ("/maps",), exact_paths=("/",)),),
    forms="place pin `!3d…!4d…`, `/place/<lat>,<lng>`, `q=` / `query=` (also `loc:`, `Name@lat,lng`, "
    "plus codes), Static Maps `markers=` / `center=` and Street View API `location=`, `/dir/` destination (path or `data=`), `daddr=` / `destination=`, Street View "
    "and map embeds (`pb=`), `ll=`, `cbll=`, `viewpoint=`, `center=`, `/search/…/<lat>,<lng>,<z>z`, "
    "`/@lat,lng` viewport, `sll=`; `/url?q=` and consent `?continue=` wrappers; "
    "`google.navigation:` and `comgooglemaps://`; short links `maps.app.goo.gl`, `goo.gl/maps`, "
    "`g.co/kgs`, `share.google`, `g.page`; a place link with an id but no coordinates "
    "(`data=…!1s0x…`, `cid=`, `ftid=`, `place_id`) is followed to its page",
)


# --- Apple ------------------------------------------------------------------------------------

APPLE = Provider(
    name="apple",
    title="Apple Maps",
    sites=(HostRule(r"(?:beta\.)?maps\.apple(?:\.com)?"),),
    schemes=("maps",),
    readers=(
        query_param("coordinate", "pin"),
        Reader("daddr=", lambda rest: destination_hit(param(rest, "daddr"))),
        Reader("destination=", lambda rest: destination_hit(param(rest, "destination"))),
        query_param("ll", "pin"),
        query_param("q", "query"),
        query_param("query", "query"),
        query_param("center", "viewport"),
        query_param("sll", "viewport"),
    ),
    short_links=(
        HostRule(r"(?:beta\.)?maps\.apple(?:\.com)?", ("/p/", "/place"), ("auid=", "place-id=")),
    ),
    forms="`coordinate=`, `daddr=` / `destination=`, `ll=`, `q=` / `query=`, `center=`, `sll=`, "
    "`maps://`; place links (`/p/…`, `?auid=`) are followed",
)


# --- OpenStreetMap ----------------------------------------------------------------------------

_OSM_FRAGMENT_RE = re.compile(rf"#(?:map=)?\d+(?:\.\d+)?/(?P<lat>{NUMBER})/(?P<lng>{NUMBER})")
_OSM_SHORTLINK_RE = re.compile(r"/go/(?P<code>[A-Za-z0-9_~@]{1,11})[-=]*(?:[/?#]|$)")


_OSM_MARKER_RE = re.compile(rf"[?&;]mlat=(?P<lat>{NUMBER})&mlon=(?P<lng>{NUMBER})(?=[&#]|$)")


def _osm_marker(rest: str) -> Found:
    match = _OSM_MARKER_RE.search(rest)  # the usual order, read by one pattern
    if match:
        return checked_pair(float(match["lat"]), float(match["lng"]), "pin")
    return numbers_hit(param(rest, "mlat"), param(rest, "mlon"), "pin")


def _osm_route(rest: str) -> Found:
    """route=lat,lng;lat,lng (destination last); to=lat,lng."""
    route = param(rest, "route")
    if route:
        return destination_hit(route.split(";")[-1])
    return destination_hit(param(rest, "to"))


def _osm_fragment(rest: str) -> Found:
    if "%3D" in rest or "%2F" in rest:
        rest = unquote(rest)
    match = _OSM_FRAGMENT_RE.search(rest)
    return numbers_hit(match["lat"], match["lng"], "viewport") if match else None


def _bbox_centre(rest: str) -> Found:
    """export/embed.html?bbox=minlon,minlat,maxlon,maxlat: the map's centre."""
    value = param(rest, "bbox")
    parts = value.split(",") if value else []
    if len(parts) != 4:
        return None
    try:
        west, south, east, north = (float(part) for part in parts)
    except ValueError:
        return None
    return lng_lat_hit(f"{(west + east) / 2},{(south + north) / 2}", "viewport")


def _old_osm_box(rest: str) -> Found:
    """The old ?minlon=&minlat=&maxlon=&maxlat= links: the box's centre."""
    values = [param(rest, name) for name in ("minlon", "minlat", "maxlon", "maxlat")]
    if not all(values):
        return None
    return _bbox_centre("?bbox=" + ",".join(values))


def _osm_shortlink(rest: str) -> Found:
    match = _OSM_SHORTLINK_RE.search(rest)
    centre = decode_osm_shortlink(match["code"]) if match else None
    return checked_point(centre[0], centre[1], "shortlink") if centre else None


OSM = Provider(
    name="osm",
    title="OpenStreetMap",
    sites=(HostRule(r"(?:www\.)?(?:openstreetmap\.(?:org|de|fr)|osm\.org)"),),
    readers=(
        Reader("mlat=", _osm_marker),
        query_param("marker", "pin"),
        Reader("=", _osm_route),
        query_param("query", "query"),
        Reader("#", _osm_fragment),
        Reader("bbox=", _bbox_centre),
        Reader("minlon=", _old_osm_box),
        lat_lng_params("lat", "lon", "viewport"),
        Reader("/go/", _osm_shortlink),
    ),
    forms="`mlat=&mlon=` and embed `marker=` pins, `route=` / `to=` destination, `search?query=`, "
    "`#map=z/lat/lng` (also percent-encoded or without `map=`), embed `bbox=` centre, `lat=&lon=`, "
    "`/go/<code>` short links (decoded offline, as openstreetmap.org does)",
)


# --- Bing -------------------------------------------------------------------------------------


def _bing_point(rest: str) -> Found:
    for name in ("sp", "collection"):
        value = param(rest, name)
        if value and value[:6].lower() == "point.":  # Bing writes both point. and Point.
            parts = value[6:].split("_")
            if len(parts) >= 2:
                return numbers_hit(parts[0], parts[1], "pin")
    return None


def _bing_route(rest: str) -> Found:
    value = param(rest, "rtp")
    last = value.strip("~").split("~")[-1] if value else ""
    if last.startswith("pos."):
        parts = last[4:].split("_")
        if len(parts) >= 2:
            return numbers_hit(parts[0], parts[1], "directions-destination")
    return Refusal(DESTINATION_NAME_REASON) if last else None


_BING_CENTRE_RE = re.compile(rf"[?&;]cp=(?P<lat>{NUMBER})~(?P<lng>{NUMBER})(?=[&#]|$)")


def _bing_centre(rest: str) -> Found:
    match = _BING_CENTRE_RE.search(rest)
    if match:
        return checked_pair(float(match["lat"]), float(match["lng"]), "viewport")
    value = param(rest, "cp")
    if value and "~" in value:
        first, second = value.split("~", 1)
        return numbers_hit(first, second, "viewport")
    return None


BING = Provider(
    name="bing",
    title="Bing Maps",
    sites=(HostRule(r"(?:www\.)?bing\.com", ("/maps",)),),
    schemes=("bingmaps",),
    readers=(
        Reader("oint.", _bing_point),  # point. or Point.
        Reader("rtp=", _bing_route),
        query_param("where1", "query"),
        query_param("q", "query"),
        Reader("cp=", _bing_centre),
    ),
    short_links=(HostRule(r"binged\.it"),),
    forms="`sp=point.lat_lng` / `collection=point.…` pins, `rtp=` destination, `where1=`, `q=`, "
    "`cp=lat~lng` viewport, the `bingmaps:` scheme",
)


# --- Waze -------------------------------------------------------------------------------------

_WAZE_GEOHASH_RE = re.compile(
    rf"/ul/h(?P<hash>[0-9bcdefghjkmnpqrstuvwxyz]{{1,{MAX_GEOHASH_CHARS}}})(?:[/?#]|$)"
)


def _waze_geohash(rest: str) -> Found:
    match = _WAZE_GEOHASH_RE.search(rest)
    geohash = match["hash"] if match else param(rest, "h")
    centre = decode_geohash(geohash) if geohash else None
    return checked_point(centre[0], centre[1], "geohash") if centre else None


def _waze_to(rest: str) -> Found:
    value = param(rest, "to")
    return (
        value_hit(value[3:], "directions-destination")
        if value and value.startswith("ll.")
        else None
    )


WAZE = Provider(
    name="waze",
    title="Waze",
    sites=(HostRule(r"(?:www\.|embed\.|ul\.)?waze\.com"),),
    schemes=("waze",),
    readers=(
        Reader("/ul/h", _waze_geohash),
        Reader("h=", _waze_geohash),
        Reader("to=", _waze_to),
        query_param("ll", "pin"),
        query_param("latlng", "pin"),
        lat_lng_params("lat", "lon", "pin"),
    ),
    forms="share links `/ul/h<geohash>` and `live-map?h=` (geohash cell centre), `to=ll.lat,lng`, "
    "`ll=`, `latlng=`, embed `iframe?lat=&lon=`, `waze://`",
)


# --- Yandex -----------------------------------------------------------------------------------

_YANDEX_TLD = (
    r"\.(?:ru|com|by|kz|ua|uz|az|kg|tj|tm|md|lt|lv|ee|eu|fr|com\.tr|com\.am|com\.ge|co\.il)"
)


def _yandex_pins(rest: str) -> Found:
    """pt=lng,lat[,style][~lng,lat…]: the marked points, which must agree."""
    value = param(rest, "pt")
    if not value:
        return None
    return same_place([lng_lat_hit(point, "pin") for point in value.split("~")[:20]])


def _yandex_route(rest: str) -> Found:
    value = param(rest, "rtext")
    # rtext is the one Yandex parameter written latitude first; the destination is the last stop.
    return destination_hit(value.strip("~").split("~")[-1]) if value else None


def _yandex_text(rest: str) -> Found:
    """A coordinate search, text=lat,lng (latitude first, unlike ll=)."""
    value = param(rest, "text")
    found = value_hit(value, "query") if value else None
    return found if found is not None else None


YANDEX = Provider(
    name="yandex",
    title="Yandex Maps",
    sites=(
        HostRule(
            rf"(?:www\.|m\.)?(?:yandex{_YANDEX_TLD}|ya\.ru)",
            ("/maps", "/harita", "/map-widget", "/web-maps"),  # /harita: yandex.com.tr
        ),
        HostRule(rf"(?:maps|static-maps|n\.maps)\.yandex{_YANDEX_TLD}"),
    ),
    readers=(
        lng_lat_param("poi[point]", "pin", "poi%5Bpoint%5D"),
        lng_lat_param("whatshere[point]", "pin", "whatshere%5Bpoint%5D"),
        Reader("pt=", _yandex_pins),
        Reader("rtext=", _yandex_route),
        Reader("text=", _yandex_text),
        lng_lat_param("sll", "viewport"),
        lng_lat_param("ll", "viewport"),
    ),
    short_links=(
        HostRule(
            rf"(?:www\.)?(?:yandex{_YANDEX_TLD}|ya\.ru)",
            ("/maps/-/", "/harita/-/", "/map-widget/v1/-/"),
        ),
    ),
    pages=(HostRule(rf"(?:www\.)?yandex{_YANDEX_TLD}", ("/maps/",)),),
    forms="`poi[point]=`, `whatshere[point]=`, `pt=` pins (longitude first), `rtext=` destination "
    "(latitude first), `text=lat,lng`, `sll=`, `ll=` (longitude first); `/map-widget/v1/` embeds, "
    "static maps, mobile and regional hosts; `/maps/-/` short links are followed",
)


# --- HERE -------------------------------------------------------------------------------------

_HERE_PLACE_RE = re.compile(rf"/l/(?P<lat>{NUMBER}),(?P<lng>{NUMBER})")
_HERE_SHARE_RE = re.compile(r"/p/[a-z]-(?P<payload>[A-Za-z0-9+/_=-]+)")


def _here_place(rest: str) -> Found:
    return match_hit(_HERE_PLACE_RE.search(rest), rest, "pin")


def _here_share(rest: str) -> Found:
    match = _HERE_SHARE_RE.search(rest)
    point = decode_here_share(match["payload"]) if match else None
    return checked_point(point[0], point[1], "pin") if point else None


_HERE_WAYPOINT_RE = re.compile(r"(?:^|[:/])e-(?P<payload>[A-Za-z0-9+_=-]+)")


def _here_directions(rest: str) -> Found:
    """/directions/<mode>/<start>/<name>:e-<base64 JSON>: the last waypoint is the destination."""
    points = path_after(rest, "/directions/", decoded=True)
    waypoints = points[1:] if points else []
    if not waypoints or not waypoints[-1]:
        return None
    match = _HERE_WAYPOINT_RE.search(waypoints[-1])
    point = decode_here_share(match["payload"]) if match else None
    if point:
        return checked_point(point[0], point[1], "directions-destination")
    return destination_hit(waypoints[-1].split(":", 1)[0].replace("-", " ") or None)


_HERE_ROUTE_POINT_RE = re.compile(rf"(?P<lat>{NUMBER}),(?P<lng>{NUMBER})(?:,.*)?", re.DOTALL)
_HERE_ROUTE_SHARE_RE = re.compile(r"[a-z]-(?P<payload>[A-Za-z0-9+/_=-]+)")
HERE_OWN_LOCATION_REASON = "directions to the phone's own location (mylocation), not to a point"


def _here_route(rest: str) -> Found:
    """/r/<waypoint>/…/<waypoint> route shares: the last waypoint is the destination, written
    'lat,lng[,title]', as a place share id, or 'mylocation'."""
    if not rest.startswith("/r/"):
        return None
    path = rest[3:].split("?", 1)[0].split("#", 1)[0]
    waypoints = [waypoint for waypoint in path.split("/") if waypoint]
    if not waypoints:
        return None
    destination = unquote(waypoints[-1]).strip()
    if destination.lower() == "mylocation":
        return Refusal(HERE_OWN_LOCATION_REASON)
    point = _HERE_ROUTE_POINT_RE.fullmatch(destination)
    if point:
        return match_hit(point, destination, "directions-destination")
    share = _HERE_ROUTE_SHARE_RE.fullmatch(destination)
    decoded = decode_here_share(share["payload"]) if share else None
    if decoded:
        return checked_point(decoded[0], decoded[1], "directions-destination")
    return Refusal(DESTINATION_NAME_REASON)


def _here_map(rest: str) -> Found:
    value = param(rest, "map")
    parts = value.split(",") if value else []
    return numbers_hit(parts[0], parts[1], "viewport") if len(parts) >= 2 else None


HERE = Provider(
    name="here",
    title="HERE WeGo",
    sites=(HostRule(r"(?:share\.|wego\.|www\.)?here\.com"),),
    readers=(
        Reader("/directions/", _here_directions),
        Reader("/r/", _here_route),
        Reader("/l/", _here_place),
        Reader("/p/", _here_share),
        Reader("map=", _here_map),
    ),
    short_links=(HostRule(r"her\.is"),),
    pages=(HostRule(r"share\.here\.com|wego\.here\.com"),),
    forms="`/l/lat,lng` pins, `/p/s-…` and `/p/e-…` share links, `/directions/…:e-…` and "
    "`/r/…/lat,lng` route destinations (decoded offline), `map=lat,lng,z`; "
    "`her.is` short links are followed",
)


# --- 2GIS / Urbi ------------------------------------------------------------------------------

_2GIS_COMMA = r"(?:,|%2C)"
TWOGIS = Provider(
    name="2gis",
    title="2GIS / Urbi",
    sites=(
        HostRule(r"(?:www\.|m\.)?(?:2gis|urbi)\.[a-z]{2,3}(?:\.[a-z]{2})?"),
        HostRule(r"maps\.urbi\.ae|share\.api\.2gis\.ru"),
    ),
    readers=(
        pattern(
            rf"/geo/(?:\d+/)?(?P<lng>{NUMBER}){_2GIS_COMMA}(?P<lat>{NUMBER})",
            "pin",
            "/geo/",
            lng_first=True,
        ),
        Reader("m=", lambda rest: lng_lat_hit((param(rest, "m") or "").split("/")[0], "viewport")),
        pattern(
            rf"/firm/\d+/(?P<lng>{NUMBER}){_2GIS_COMMA}(?P<lat>{NUMBER})",
            "pin",
            "/firm/",
            lng_first=True,
        ),
        pattern(
            rf"/center/(?P<lng>{NUMBER}){_2GIS_COMMA}(?P<lat>{NUMBER})",
            "viewport",
            "/center/",
            lng_first=True,
        ),
        lng_lat_param("center", "viewport"),
    ),
    short_links=(HostRule(r"go\.2gis\.com"),),
    pages=(HostRule(r"2gis\.ru|2gis\.com"),),
    forms="`/geo/lng,lat` pins, `m=lng,lat/z`, `/firm/<id>/lng,lat`, `/center/lng,lat/zoom/…`, "
    "`getimage?center=` (all longitude first); `go.2gis.com` short links are followed",
)


# --- Mapy -------------------------------------------------------------------------------------


def _mapy_coordinates(rest: str) -> Found:
    return lng_lat_hit(param(rest, "id"), "pin") if param(rest, "source") == "coor" else None


MAPY = Provider(
    name="mapy",
    title="Mapy.com (Mapy.cz)",
    sites=(HostRule(r"(?:www\.|en\.|de\.)?mapy\.(?:cz|com)"),),
    readers=(
        Reader("source=", _mapy_coordinates),
        Reader("x=", lambda rest: numbers_hit(param(rest, "y"), param(rest, "x"), "viewport")),
    ),
    short_links=(HostRule(r"(?:www\.)?mapy\.(?:cz|com)", ("/s/",)),),
    pages=(HostRule(r"(?:www\.)?mapy\.cz"),),
    forms="`source=coor&id=lng,lat` pins, `x=&y=` viewport; `/s/` short links are followed",
)


# --- apps and national maps with documented coordinate links ----------------------------------

MAGIC_EARTH = Provider(
    name="magic-earth",
    title="Magic Earth",
    sites=(HostRule(r"(?:www\.)?magicearth\.com"),),
    schemes=("magicearth",),
    readers=(lat_lng_params("lat", "lon", "pin"),),
    forms="`?lat=&lon=`, `magicearth://?lat=&lon=`",
)


def _osmand_fragment(rest: str) -> Found:
    parts = rest.split("#", 1)[1].split("/") if "#" in rest else []
    return numbers_hit(parts[1], parts[2], "viewport") if len(parts) == 3 else None


OSMAND = Provider(
    name="osmand",
    title="OsmAnd",
    sites=(HostRule(r"(?:www\.)?osmand\.net"),),
    readers=(
        query_param("pin", "pin"),
        query_param("finish", "directions-destination"),
        lat_lng_params("lat", "lon", "pin"),
        Reader("#", _osmand_fragment),
    ),
    forms="`pin=lat,lng`, `navigate?start=…&finish=lat,lng` (the destination), `go?lat=&lon=`, "
    "`#z/lat/lng`",
)

_ORGANIC_PATH_RE = re.compile(
    rf"^/(?:(?P<lat>{NUMBER}),(?P<lng>{NUMBER})|(?P<code>[A-Za-z0-9_-]{{2,11}}))(?:[/?#]|$)"
)


def _organic_path(rest: str) -> Found:
    match = _ORGANIC_PATH_RE.match(rest)
    if not match:
        return None
    if match["code"]:
        centre = decode_ge0(match["code"])
        return checked_point(centre[0], centre[1], "shortlink") if centre else None
    return numbers_hit(match["lat"], match["lng"], "pin")


ORGANIC_MAPS = Provider(
    name="organic-maps",
    title="Organic Maps / CoMaps / MAPS.ME",
    sites=(HostRule(r"omaps\.app|ge0\.me|comaps\.at|comaps\.app"),),
    schemes=("om", "mapsme", "ge0", "cm"),
    readers=(query_param("ll", "pin"), Reader("/", _organic_path)),
    forms="`ll=lat,lng`, `/lat,lng/Name`, `ge0` short codes (`omaps.app/<code>`, `ge0://<code>`, "
    "decoded offline)",
)


def _plus_code_path(rest: str) -> Found:
    code = unquote(rest.split("?", 1)[0].split("#", 1)[0]).strip("/").split("/")[0]
    centre = decode_plus_code(code.replace(" ", "+"))
    return checked_point(centre[0], centre[1], "plus-code") if centre else None


PLUS_CODES = Provider(
    name="plus-code",
    title="Plus codes (Open Location Code)",
    sites=(HostRule(r"(?:www\.)?plus\.codes"),),
    readers=(Reader("/", _plus_code_path),),
    forms="`plus.codes/<full code>`; full codes in cells and in `q=` (centre of the code's area)",
)

CARTES_IGN = Provider(
    name="ign",
    title="Cartes IGN / Géoportail",
    sites=(
        HostRule(r"cartes-ign\.ign\.fr|(?:www\.)?cartes\.gouv\.fr|(?:www\.)?geoportail\.gouv\.fr"),
    ),
    readers=(
        lat_lng_params("lat", "lng", "pin"),
        lat_lng_params("lat", "lon", "pin"),
        lng_lat_param("c", "viewport"),  # Géoportail permalinks: c=<lng>,<lat>
    ),
    forms="`?lng=&lat=`, Géoportail `c=lng,lat` (longitude first)",
)

_QWANT_LATLON_RE = re.compile(rf"latlon:(?P<lat>{NUMBER}):(?P<lng>{NUMBER})")
QWANT = Provider(
    name="qwant",
    title="Qwant Maps",
    sites=(HostRule(r"(?:www\.)?qwant\.com", ("/maps",)),),
    readers=(
        Reader("latlon:", lambda rest: _pattern_hit(_QWANT_LATLON_RE, rest, "pin")),
        Reader("#", _osm_fragment),
    ),
    forms="`place/latlon:<lat>:<lng>`, `#map=z/lat/lng`",
)


def _pattern_hit(compiled: re.Pattern, rest: str, method: str, *, before: bool = False) -> Found:
    return match_hit(compiled.search(rest), rest, method, before=before)


def _geohack(rest: str) -> Found:
    """params=48_51_29.5_N_2_17_40.2_E_type:… (or decimal, or signed 'lat_lng')."""
    value = param(rest, "params")
    if not value:
        return None
    parts = value.split("_")[:10]
    letters = [index for index, part in enumerate(parts) if part.upper() in ("N", "S", "E", "W")]
    if len(letters) >= 2:
        first, second = letters[0], letters[1]
        text = " ".join(parts[: first + 1]) + ", " + " ".join(parts[first + 1 : second + 1])
        return read_pair(text, "pin")
    return numbers_hit(parts[0], parts[1], "pin") if len(parts) >= 2 else None


GEOHACK = Provider(
    name="geohack",
    title="GeoHack (Wikipedia coordinates)",
    sites=(
        HostRule(r"geohack\.toolforge\.org"),
        HostRule(r"tools\.wmflabs\.org", ("/geohack",)),
    ),
    readers=(Reader("params=", _geohack),),
    forms="`params=<d>_<m>_<s>_N_<d>_<m>_<s>_E…` and decimal forms",
)

_OS_MAPS_PATH_RE = re.compile(
    rf"^/(?:[a-z]{{2}}/)?(?:pin/)?(?P<lat>{NUMBER}),(?:\s|%20)*(?P<lng>{NUMBER})(?:,[\d.]+)?(?:[/?#]|$)"
)
OS_MAPS = Provider(
    name="os-maps",
    title="Ordnance Survey Maps",
    sites=(HostRule(r"explore\.osmaps\.com|osmaps\.ordnancesurvey\.co\.uk|(?:www\.)?osmaps\.com"),),
    readers=(
        Reader("/", lambda rest: _pattern_hit(_OS_MAPS_PATH_RE, rest, "viewport")),
        lat_lng_params("lat", "lon", "viewport"),
    ),
    forms="`/<lat>,<lng>,<zoom>`, `?lat=&lon=`",
)


def _michelin(rest: str) -> Found:
    value = param(rest, "position")
    parts = value.replace("%3B", ";").split(";") if value else []
    return numbers_hit(parts[0], parts[1], "viewport") if len(parts) >= 2 else None


VIAMICHELIN = Provider(
    name="viamichelin",
    title="ViaMichelin",
    sites=(HostRule(r"(?:www\.)?viamichelin\.[a-z]{2,3}(?:\.[a-z]{2})?"),),
    readers=(Reader("position=", _michelin),),
    forms="`position=<lat>;<lng>;<zoom>`",
)

YAHOO_JAPAN = Provider(
    name="yahoo-japan",
    title="Yahoo! JAPAN Maps",
    sites=(HostRule(r"map\.yahoo\.co\.jp"),),
    readers=(lat_lng_params("lat", "lon", "pin"),),
    forms="`?lat=&lon=`",
)

_GSI_FRAGMENT_RE = re.compile(rf"#\d+(?:\.\d+)?/(?P<lat>{NUMBER})/(?P<lng>{NUMBER})")
GSI_JAPAN = Provider(
    name="gsi-japan",
    title="GSI Maps (Japan)",
    sites=(HostRule(r"maps\.gsi\.go\.jp"),),
    readers=(
        query_param("ll", "viewport"),
        Reader("#", lambda rest: _pattern_hit(_GSI_FRAGMENT_RE, rest, "viewport")),
    ),
    forms="`#<z>/<lat>/<lng>`, `ll=lat,lng`",
)

# Hosts whose coordinates are not WGS84 (GCJ-02 / BD-09). We do not convert them.
DATUM_SHIFTED_REASON = (
    "Chinese map services (Amap, Baidu, QQ) use a shifted datum (GCJ-02/BD-09); "
    "copy the place from another map service"
)
CHINESE_DATUMS = Provider(
    name="datum-shifted",
    title="Amap, Baidu, Tencent/QQ (refused)",
    sites=(
        HostRule(
            r"(?:[a-z0-9-]+\.)*(?:amap\.com|gaode\.com)"
            r"|(?:[a-z0-9-]+\.)*map\.baidu\.com|j\.map\.baidu\.com"
            r"|(?:[a-z0-9-]+\.)*map\.qq\.com"
        ),
    ),
    schemes=("baidumap", "iosamap", "androidamap", "amapuri", "qqmap"),
    readers=(),
    refusal=DATUM_SHIFTED_REASON,
    forms="refused with a reason: their coordinates are in the GCJ-02 / BD-09 datums, not WGS84",
)


# Kakao Map's documented links put the name first, then latitude, longitude: /link/map/<name>,<lat>,<lng>.
_KAKAO_POINT_RE = re.compile(rf"(?:^|,)(?P<lat>{NUMBER}),(?P<lng>{NUMBER})$")


def _kakao_link(method: str, *marks: str) -> Callable[[str], Found]:
    def read(rest: str) -> Found:
        path = rest.split("?", 1)[0].split("#", 1)[0]
        for mark in marks:
            if mark in path:
                segment = unquote(path.rsplit(mark, 1)[1]).rstrip("/")
                return _pattern_hit(_KAKAO_POINT_RE, segment, method, before=True)
        return None

    return read


KAKAO = Provider(
    name="kakao",
    title="Kakao Map",
    sites=(HostRule(r"(?:m\.)?map\.kakao\.com", ("/link/",)),),
    readers=(
        Reader("/to/", _kakao_link("directions-destination", "/to/")),
        Reader("/link/map/", _kakao_link("pin", "/link/map/")),
        Reader("/link/roadview/", _kakao_link("street-view", "/link/roadview/")),
    ),
    forms="`/link/map/<name>,<lat>,<lng>`, `/link/to/…` (the destination), `/link/roadview/<lat>,<lng>`",
)

_MAPQUEST_RE = re.compile(rf"^/latlng/(?P<lat>{NUMBER}),(?P<lng>{NUMBER})(?:[/?#]|$)")
MAPQUEST = Provider(
    name="mapquest",
    title="MapQuest",
    sites=(HostRule(r"(?:www\.)?mapquest\.com", ("/latlng/",)),),
    readers=(Reader("/latlng/", lambda rest: _pattern_hit(_MAPQUEST_RE, rest, "pin")),),
    forms="`/latlng/<lat>,<lng>`",
)


# --- NAVER Map --------------------------------------------------------------------------------
# Korea's most used map. The nmap:// app scheme is documented (NAVER Cloud, "URL Scheme for
# integration of Maps app"): /map and /place take lat= and lng=, /route/<mode> and /navigation the
# destination's dlat= and dlng=. map.naver.com writes its view (c=) and its route points
# longitude first, in degrees or in Web Mercator metres; its share links (naver.me) lead to a
# place id, and c= there holds only the zoom ("15.00,0,0,0,dh"): no point.

_NAVER_C_PARTS = 6  # "x,y,zoom,tilt,bearing,…,dh" holds a point; "zoom,0,0,0,dh" only the zoom


def _naver_point(value: str | None, method: str) -> Found:
    """'x,y[,zoom or name,…]' longitude first, in degrees or in Web Mercator metres (EPSG:3857).
    What follows x,y is NAVER's own (a zoom, a name), never the decimals of a comma locale."""
    parts = (value or "").split(",")
    if len(parts) < 2:
        return None
    found = numbers_hit(parts[1], parts[0], method)
    if found.__class__ is not Refusal or found.reason != OUT_OF_RANGE_REASON:
        return found
    point = decode_web_mercator(float(parts[0]), float(parts[1]))  # plain numbers: numbers_hit
    return checked_point(point[0], point[1], method) if point else found


def _naver_view(rest: str) -> Found:
    value = param(rest, "c")
    if not value or len(value.split(",")) < _NAVER_C_PARTS:
        return None
    return _naver_point(value, "viewport")


def _naver_lat_lng(rest: str) -> Found:
    """lat= and lng= named: the place (nmap://place, a place page, a titled point), else the view
    (nmap://map, an untitled map)."""
    pinned = "/place" in rest or "title=" in rest or "name=" in rest
    method = "pin" if pinned and not rest.startswith("/map") else "viewport"
    return numbers_hit(param(rest, "lat"), param(rest, "lng"), method)


def _naver_destination(rest: str) -> Found:
    found = numbers_hit(param(rest, "dlat"), param(rest, "dlng"), "directions-destination")
    if found is None and param(rest, "dname"):
        return Refusal(DESTINATION_NAME_REASON)
    return found


def _naver_directions(rest: str) -> Found:
    """/directions/<start>/<goal>/<stops>/<mode>: the goal, 'x,y,name,id,type' ('-' when unset)."""
    points = path_after(rest, "/directions/", decoded=True)
    if points is None:
        return None
    goal = points[1].strip() if len(points) > 1 else ""
    if goal in ("", "-", "~"):
        return _NO_DESTINATION
    return _naver_point(goal, "directions-destination") or Refusal(DESTINATION_NAME_REASON)


NAVER = Provider(
    name="naver",
    title="NAVER Map",
    sites=(
        HostRule(r"(?:m\.)?map\.naver\.com"),
        HostRule(r"(?:m|pcmap)\.place\.naver\.com"),  # place pages: an id, no point
    ),
    schemes=("nmap",),
    readers=(
        Reader("dlat=", _naver_destination),
        Reader("dname=", _naver_destination),
        Reader("/directions/", _naver_directions),
        lat_lng_params("ey", "ex", "directions-destination"),  # route.nhn: x is the longitude
        Reader("lat=", _naver_lat_lng),
        Reader("c=", _naver_view),
        Reader(
            "x=", lambda rest: _naver_point(f"{param(rest, 'x')},{param(rest, 'y')}", "viewport")
        ),
    ),
    short_links=(HostRule(r"naver\.me"),),
    forms="`nmap://place?lat=&lng=` and `?lat=&lng=&title=` pins, `nmap://route/…` and "
    "`nmap://navigation` `dlat=&dlng=`, `/directions/<start>/<goal>/…` and `route.nhn?ex=&ey=` "
    "destinations, `c=x,y,zoom,…` and `x=&y=` views (longitude first, degrees or Web Mercator "
    "metres); `naver.me` short links are followed",
)


# --- links wrapped by mail and social sites ------------------------------------------------------

# A link pasted from Outlook, Facebook or LinkedIn is often their redirect page around the real
# one. Only the wrapped link is read (and, if it is a short link, followed); the wrapper's own
# host is never requested.
LINK_WRAPPERS = Provider(
    name="link-wrapper",
    title="Mail and social link wrappers",
    sites=(
        HostRule(
            r"[a-z]{2,5}\d{2}\.safelinks\.protection\.(?:outlook\.com|office365\.us)",
            readers=(unwrap("url"),),
        ),
        HostRule(
            r"l\.facebook\.com|lm\.facebook\.com|l\.messenger\.com",
            ("/l.php",),
            readers=(unwrap("u"),),
        ),
        HostRule(r"l\.instagram\.com", readers=(unwrap("u"),)),
        HostRule(
            r"(?:www\.)?linkedin\.com", ("/redir/redirect", "/safety/go"), readers=(unwrap("url"),)
        ),
    ),
    readers=(),
    forms="Outlook Safe Links `?url=`, Facebook, Messenger and Instagram `?u=`, LinkedIn "
    "`/redir/redirect?url=`: the link inside is read (short links inside are followed)",
)


PROVIDERS: tuple[Provider, ...] = (
    GOOGLE,
    APPLE,
    OSM,
    BING,
    WAZE,
    YANDEX,
    HERE,
    TWOGIS,
    MAPY,
    MAGIC_EARTH,
    OSMAND,
    ORGANIC_MAPS,
    PLUS_CODES,
    CARTES_IGN,
    QWANT,
    GEOHACK,
    OS_MAPS,
    VIAMICHELIN,
    YAHOO_JAPAN,
    GSI_JAPAN,
    KAKAO,
    MAPQUEST,
    NAVER,
    CHINESE_DATUMS,
    LINK_WRAPPERS,
)
_SCHEME_PROVIDERS = {scheme: provider for provider in PROVIDERS for scheme in provider.schemes}


def provider_for_scheme(scheme: str) -> Provider | None:
    """The provider that owns an app scheme ('waze', 'comgooglemaps'…)."""
    return _SCHEME_PROVIDERS.get(scheme)


_SITES_BY_HOST: dict[str, tuple[tuple[Provider, HostRule], ...]] = {}
_MAX_CACHED_HOSTS = 4096


def sites_for_host(host: str) -> tuple[tuple[Provider, HostRule], ...]:
    """Every (provider, site) whose hosts include this one (cached: hosts repeat a lot)."""
    found = _SITES_BY_HOST.get(host)
    if found is None:
        found = tuple(
            (provider, site)
            for provider in PROVIDERS
            for site in provider.sites
            if site.host_pattern.match(host)
        )
        if len(_SITES_BY_HOST) < _MAX_CACHED_HOSTS:
            _SITES_BY_HOST[host] = found
    return found


class SiteRoute(NamedTuple):
    """Where a link on one host goes: the site's paths, its provider and their readers as
    (marker, read) pairs, precomputed per host because this is looked up for every cell."""

    paths: tuple[str, ...]
    provider: Provider
    site_readers: tuple[tuple[str, Callable[[str], Found]], ...]
    readers: tuple[tuple[str, Callable[[str], Found]], ...]
    # The same readers less those whose marker is a parameter ('q='): for links with no '='.
    path_readers: tuple[tuple[str, Callable[[str], Found]], ...]
    provider_name: str


# Host as written in the link (any case, trailing dot) -> its routes. Bounded: hosts repeat a lot.
ROUTES_BY_HOST: dict[str, tuple[SiteRoute, ...]] = {}


def routes_for_host(written_host: str) -> tuple[SiteRoute, ...]:
    """The routes for a host as written in a link, computed once per host."""
    routes = ROUTES_BY_HOST.get(written_host)
    if routes is None:
        routes = tuple(
            SiteRoute(
                site.paths,
                provider,
                tuple((reader.marker, reader.read) for reader in site.readers),
                provider.markers_and_readers,
                tuple(pair for pair in provider.markers_and_readers if "=" not in pair[0]),
                provider.name,
            )
            for provider, site in sites_for_host(written_host.lower().rstrip("."))
        )
        if len(ROUTES_BY_HOST) < _MAX_CACHED_HOSTS:
            ROUTES_BY_HOST[written_host] = routes
    return routes


def provider_for_host(host: str) -> Provider | None:
    """The provider that owns a host, for any path."""
    found = sites_for_host(host.lower().rstrip("."))
    return found[0][0] if found else None


def is_short_link_url(host: str, path: str, query: str) -> bool:
    """True for a short link we may follow: a provider's short-link host and path."""
    return any(
        rule.matches(host, path, query) for provider in PROVIDERS for rule in provider.short_links
    )


def is_map_page_url(host: str, path: str, query: str) -> bool:
    """True for a map page the resolver may fetch after a redirect."""
    return any(rule.matches(host, path, query) for provider in PROVIDERS for rule in provider.pages)


def provider_table_markdown() -> str:
    """The README's provider table, derived from the records."""
    lines = ["| provider | what we read |", "|---|---|"]
    lines += [f"| {provider.title} | {provider.forms} |" for provider in PROVIDERS]
    return "\n".join(lines)


def checked_point(lat: float, lng: float, method: str) -> Hit | Refusal:
    """A decoded point through the same range and 0,0 checks as written ones."""
    return checked_pair(lat, lng, method)
