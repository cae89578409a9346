"""Map Link Converter core: coordinates from map links in spreadsheets. Knows nothing of the web."""

from .links import MAX_LINK_CHARS, LinkReading, Location, is_short_link, parse_link, read_link

__all__ = ["MAX_LINK_CHARS", "LinkReading", "Location", "is_short_link", "parse_link", "read_link"]
