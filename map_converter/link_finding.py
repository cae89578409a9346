"""Finding the links in a cell: pasted links end at spaces, quotes and markup, and lose the
punctuation and HTML leftovers stuck to their end."""

from __future__ import annotations

import re

MAX_LINKS_PER_CELL = 8

# A quote ends a link, but for the seconds mark of a place name in it (…/place/48°51'29.6"N+…):
# a quote after a digit and before a hemisphere letter is part of the link.
_URL_CHARS = r"(?:[^\s<>\"`\u2026{}|\\^]|(?<=\d)\"(?=[NSEWnsew]))"
_SCHEME_URL_RE = re.compile(
    r"(?:https?://|geo:|google\.navigation:|comgooglemaps(?:url)?://|maps://|waze://|om://|"
    r"mapsme://|ge0://|cm://|magicearth://|bingmaps:|baidumap://|iosamap://|androidamap://|"
    r"amapuri://|qqmap://|nmap://)" + _URL_CHARS + "+",
    re.IGNORECASE,
)
_BARE_URL_RE = re.compile(
    r"(?<![\w@.-])(?:[a-z0-9-]+\.)+[a-z]{2,}(?::\d+)?/" + _URL_CHARS + "*", re.IGNORECASE
)
_HTML_JUNK_RE = re.compile(
    r"(?:%3C|%3E|%22%3E|%22%20|%22$|%27%3E|&lt;|&gt;|&quot;|&#34;|&#39;).*$",
    re.IGNORECASE | re.DOTALL,
)
TRAILING_PUNCTUATION = ".,;:!?'\"`)]}>»”’…"
# 'lat, lng' split by a literal space after the comma: "…?q=48.85, 2.29"
_SPLIT_PAIR_TAIL_RE = re.compile(r"[=:@/]([-+]?\d{1,3}(?:\.\d+)?),$")
_SPLIT_PAIR_NEXT_RE = re.compile(r"\s+([-+]?\d{1,3}(?:\.\d+)?)(?=$|[\s&#),;\]])")


def _trim_url(url: str) -> str:
    """Drop HTML leftovers and sentence punctuation stuck to the end of a pasted link."""
    if "%2" in url or "%3" in url or "&" in url:
        url = _HTML_JUNK_RE.sub("", url)
        if "&amp;" in url:
            url = url.replace("&amp;", "&")
    while url:
        last = url[-1]
        if last == ")":
            if url.count("(") >= url.count(")"):
                break  # a balanced ')' belongs to the link: geo:…?q=1,2(Label)
        elif last not in TRAILING_PUNCTUATION:
            break
        url = url[:-1]
    return url


def find_urls(text: str) -> list[tuple[str, int, int]]:
    """The links in the text, trimmed, with where each starts and ends."""
    found = []
    for match in _SCHEME_URL_RE.finditer(text):
        found.append(match)
        if len(found) >= MAX_LINKS_PER_CELL:
            break
    if not found:
        bare = _BARE_URL_RE.finditer(text)
        found = [match for match, _ in zip(bare, range(MAX_LINKS_PER_CELL), strict=False)]
    urls = []
    for match in found:
        url = _trim_url(match.group(0))
        end = match.start() + len(url)
        tail = _SPLIT_PAIR_TAIL_RE.search(match.group(0)) if match.group(0).endswith(",") else None
        if tail:
            following = _SPLIT_PAIR_NEXT_RE.match(text, match.end())
            if following:
                url = match.group(0) + following[1]
                end = following.end()
        elif url.count("(") > url.count(")"):
            # geo:…?q=lat,lng(Eiffel Tower): a label with spaces, closed later in the text
            closing = text.find(")", match.end(), match.end() + 200)
            if closing > 0 and "(" not in text[match.end() : closing]:
                url = text[match.start() : closing + 1]
                end = closing + 1
        if url:
            urls.append((url, match.start(), end))
    return urls


def find_url(text: str) -> str | None:
    """The first link in the text, with or without a scheme."""
    urls = find_urls(text)
    return urls[0][0] if urls else None
