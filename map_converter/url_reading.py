"""Reading one link: its provider found by scheme or host (providers.py), then that provider's
readers in order of trust; the link inside a wrapper read in turn; geo: URIs and app links.
"""

from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import unquote

from .coordinates import NUMBER, ZERO_REASON, Refusal, checked_pair, read_pair
from .link_finding import find_url
from .link_readers import Hit, Wrapped, param, raw_param, value_hit
from .providers import (
    ROUTES_BY_HOST,
    Provider,
    is_short_link_url,
    provider_for_scheme,
    routes_for_host,
)

_MAX_WRAPPING = 3  # /url?q= inside consent ?continue= inside ?link=: at most this deep


class Location(NamedTuple):
    """A coordinate found in a link: WGS84 degrees, how it was found and from which provider.

    Immutable and typed; a NamedTuple because one is made per cell and tuples are made fastest.
    """

    lat: float
    lng: float
    method: str
    provider: str


SHORT_LINK = Refusal("short link")  # not an answer yet: only the resolver can follow it
_NOT_RECOGNISED = Refusal("not a map link we recognise")

_URL_HEAD_RE = re.compile(
    r"(?:(?P<scheme>[a-z][a-z0-9+.-]*):)?(?://)?(?:[^/?#@\s]*@)?(?P<host>[^/?#:\s]*)(?::[^/?#]*)?",
    re.IGNORECASE,
)


def _read_with(provider: Provider, rest: str) -> Hit | Refusal | Wrapped | None:
    """The first answer of a provider's readers, in order of trust."""
    for reader in provider.readers:
        if reader.marker in rest:
            found = reader.read(rest)
            if found is not None:
                return found
    return None


def located(found: Hit | Refusal, provider_name: str) -> Location | Refusal:
    """A reader's hit as the Location of that provider; a refusal as it is."""
    if found.__class__ is Refusal:
        return found
    return new_tuple(Location, (*found, provider_name))


new_tuple = tuple.__new__  # builds a NamedTuple in C: this runs once per cell
_GEO_PLAIN_RE = re.compile(rf"geo:(?P<lat>{NUMBER}),(?P<lng>{NUMBER})", re.IGNORECASE)
_HTTP_HOST_RE = re.compile(r"https?://([^/?#@:\s]*)(?=[/?#]|$)", re.IGNORECASE)


def locate_url(url: str) -> Location | Refusal:
    """Read one link, and the link inside it while it only wraps another (at most _MAX_WRAPPING)."""
    found = _read_url(url)
    if found.__class__ is not Wrapped:  # the usual case: no loop to set up
        return found
    for _ in range(_MAX_WRAPPING):
        found = _read_url(found.url.strip())
        if found.__class__ is not Wrapped:
            return found
    return Refusal("a link wrapped in too many other links")


def innermost_link(text: str) -> str:
    """The link a cell's link wraps (Google's /url?q=, Outlook Safe Links, Facebook's l.php…),
    as deep as locate_url reads; the cell's own link when it wraps none. This is the link the
    resolver requests: the wrapper itself is never fetched."""
    url = find_url(text) or text.strip()
    for _ in range(_MAX_WRAPPING + 1):
        found = _read_url(url)
        if found.__class__ is not Wrapped:
            break
        url = found.url.strip()
    return url


def _read_url(url: str) -> Location | Refusal | Wrapped:
    """Read one link: pick its provider by scheme or host, then its readers in order."""
    plain = _HTTP_HOST_RE.match(url)
    if plain:
        written_host, rest = plain[1], url[plain.end() :] or "/"
    elif url[:4].lower() == "geo:":
        simple = _GEO_PLAIN_RE.fullmatch(url)
        if simple:
            found = checked_pair(float(simple["lat"]), float(simple["lng"]), "geo-uri")
            return located(found, "geo")
        return _locate_geo_uri(url)
    else:
        head = _URL_HEAD_RE.match(url)
        scheme = (head["scheme"] or "").lower()
        if scheme and scheme not in ("http", "https"):
            return _read_app_link(scheme, url)
        written_host, rest = head["host"], url[head.end() :] or "/"
    for route in ROUTES_BY_HOST.get(written_host) or routes_for_host(written_host):
        if rest.startswith(route.paths):
            break
    else:
        return SHORT_LINK if _is_short(written_host, rest) else _NOT_RECOGNISED
    provider = route.provider
    if provider.refusal:
        return Refusal(provider.refusal)
    found = None
    readers = route.site_readers or (route.readers if "=" in rest else route.path_readers)
    for marker, read in readers:  # the hot loop
        if marker in rest:
            found = read(rest)
            if found is not None:
                break
    if found is None and route.site_readers:  # a wrapper page that wraps nothing
        for marker, read in route.readers:
            if marker in rest:
                found = read(rest)
                if found is not None:
                    break
    if found.__class__ is Hit:
        return new_tuple(Location, (*found, route.provider_name))
    if found is None:
        if _is_short(written_host, rest):
            return SHORT_LINK
        return Refusal(f"no coordinates in this {provider.title} link")
    return found


def _is_short(written_host: str, rest: str) -> bool:
    path, _, query = rest.partition("?")
    return is_short_link_url(written_host.lower().rstrip("."), path, query)


def _read_app_link(scheme: str, url: str) -> Location | Refusal | Wrapped:
    """An app link (waze://, comgooglemaps://, bingmaps:…): its provider's readers on the rest."""
    provider = provider_for_scheme(scheme)
    if provider is None:
        return _NOT_RECOGNISED
    if provider.refusal:
        return Refusal(provider.refusal)
    rest = url[len(scheme) + 1 :].lstrip("/")
    found = _read_with(provider, rest if rest.startswith("?") else "/" + rest)
    if found is None:
        return Refusal(f"no coordinates in this {provider.title} link")
    if found.__class__ is Wrapped:
        return found
    return located(found, provider.name)


def _locate_geo_uri(url: str) -> Location | Refusal:
    """RFC 5870 geo: URIs and Android's forms: geo:lat,lng, geo:0,0?q=lat,lng(label), geo:?q=…."""
    body = url[4:].lstrip("/")
    path, _, query = body.partition("?")
    path = unquote(path).split("(", 1)[0]  # geo:lat,lng(Label): the label is only a name
    coordinates, _, parameters = path.partition(";")
    parameters = parameters.lower()
    if "crs=" in parameters and "crs=wgs84" not in parameters:
        return Refusal("geo: URI in a coordinate system other than WGS84")
    # On Android the path only sets the view and q= is the marker: the marker wins.
    marker = None
    if query:
        rest = "?" + query
        marker = value_hit(param(rest, "q"), "geo-uri")
        if marker is None and "+" in query:
            marker = value_hit(raw_param(rest, "q"), "geo-uri")
    if marker is not None:
        return located(marker, "geo")
    parts = [part.strip() for part in coordinates.split(",")]
    if len(parts) not in (2, 3) or not all(parts[:2]):
        if parts == [""] and query:
            return Refusal(_GEO_NAME_ONLY_REASON)
        return Refusal("malformed geo: URI")
    # With a q= we could not read as a point, the path is only the view around a name search.
    method = "geo-uri" if "q=" not in query else "viewport"
    found = read_pair(f"{parts[0]},{parts[1]}", method)
    if found is None:
        return Refusal("malformed geo: URI")
    if found.__class__ is Refusal:
        return Refusal(_GEO_NAME_ONLY_REASON) if found.reason == ZERO_REASON and query else found
    return Location(found.lat, found.lng, method, "geo")


_GEO_NAME_ONLY_REASON = "geo: URI with a place name but no coordinates"
