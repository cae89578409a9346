"""Coordinates from a map page's HTML, for links whose final URL holds only a place name."""

from __future__ import annotations

import html
import re

from .coordinates import NUMBER, is_valid
from .links import Location

# Google's preview image: staticmap?center=lat%2Clng&…&markers=… (markers means a real place).
OG_IMAGE_RE = re.compile(
    r"""<meta[^>]+(?:property|itemprop)=["'](?:og:image|image)["'][^>]*>|<meta[^>]+content=["'][^"']*staticmap[^"']*["'][^>]*>""",
    re.IGNORECASE,
)
STATIC_MAP_CENTER_RE = re.compile(rf"center=(?P<lat>{NUMBER})(?:%2C|,)(?P<lng>{NUMBER})", re.I)
# window.APP_INITIALIZATION_STATE=[[[altitude,lng,lat],…  (longitude first)
APP_STATE_RE = re.compile(
    rf"APP_INITIALIZATION_STATE=\[\[\[(?P<altitude>{NUMBER}|[\d.e+]+),(?P<lng>{NUMBER}),(?P<lat>{NUMBER})\]"
)
NULL_ARRAY_RE = re.compile(r"\[null,null,(?P<lat>-?\d{1,2}\.\d{4,}),(?P<lng>-?\d{1,3}\.\d{4,})\]")
APPLE_LATITUDE_RE = re.compile(
    rf"""<meta[^>]+property=["']place:location:latitude["'][^>]+content=["'](?P<value>{NUMBER})["']""",
    re.I,
)
APPLE_LONGITUDE_RE = re.compile(
    rf"""<meta[^>]+property=["']place:location:longitude["'][^>]+content=["'](?P<value>{NUMBER})["']""",
    re.I,
)


def _is_place_page(url: str, page: str) -> bool:
    """A page about one place, not a map that fell back to the visitor's IP-based location."""
    return any(marker in url for marker in ("/place/", "ftid=", "cid=", "q=", "/search/")) or (
        "markers=" in page
    )


def find_page_location(url: str, page: str, provider: str) -> Location | None:
    """Coordinates a map page states for its place, by the most trustworthy route first."""
    latitude, longitude = APPLE_LATITUDE_RE.search(page), APPLE_LONGITUDE_RE.search(page)
    if latitude and longitude:
        pair = float(latitude["value"]), float(longitude["value"])
        if is_valid(*pair):
            return Location(pair[0], pair[1], "page-meta", provider)
    if not _is_place_page(url, page):
        return None  # a map without a place is centred on the visitor's IP location
    for meta in OG_IMAGE_RE.finditer(page):
        content = html.unescape(meta.group(0))
        match = STATIC_MAP_CENTER_RE.search(content)
        if match:
            pair = float(match["lat"]), float(match["lng"])
            if is_valid(*pair):
                return Location(pair[0], pair[1], "page-og-image", provider)
    match = APP_STATE_RE.search(page)
    if match:
        pair = float(match["lat"]), float(match["lng"])
        if is_valid(*pair):
            return Location(pair[0], pair[1], "page-app-state", provider)
    match = NULL_ARRAY_RE.search(page)
    if match:
        pair = float(match["lat"]), float(match["lng"])
        if is_valid(*pair):
            return Location(pair[0], pair[1], "page-array", provider)
    return None
