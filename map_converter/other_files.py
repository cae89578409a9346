"""Files people send instead of a spreadsheet, known by how they start or by the parts of their
zip, each with what to tell them: what the file is and what to upload instead.

Read from at most the first 8 KB of text (sniffing reads no more) or from the names of a zip's
parts; nothing is parsed, every regex runs in linear time, and markup's prologue is stepped over
in a loop.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .errors import SPREADSHEET_KINDS

_HAS_COORDINATES = (
    "its places already have coordinates. To convert a spreadsheet of map links, upload the "
    f"spreadsheet ({SPREADSHEET_KINDS})."
)


@dataclass(frozen=True)
class OtherFile:
    """One kind of file that is not a spreadsheet, and the whole message for it."""

    kind: str
    message: str


HTML_PAGE = OtherFile(
    "html",
    "This is a web page (HTML), not a spreadsheet. If a system exported it as a spreadsheet, "
    "open it in Excel or LibreOffice and save it as .xlsx; if it is a sign-in or error page, "
    "download the sheet itself as .xlsx or .csv.",
)
SPREADSHEET_2003 = OtherFile(
    "spreadsheetml-2003",
    "This is an Excel 2003 XML spreadsheet, an old format we do not read. Open it in Excel or "
    "LibreOffice, save it as .xlsx and upload that.",
)
KML = OtherFile("kml", "This is a KML file (Google Earth or My Maps map data): " + _HAS_COORDINATES)
KMZ = OtherFile("kmz", "This is a KMZ file (Google Earth or My Maps map data): " + _HAS_COORDINATES)
GPX = OtherFile("gpx", "This is a GPX file (GPS waypoints and tracks): " + _HAS_COORDINATES)
GEOJSON = OtherFile("geojson", "This is a GeoJSON file: " + _HAS_COORDINATES)
XML = OtherFile(
    "xml",
    "This is an XML file, not a spreadsheet. If a spreadsheet program opens it, save it from "
    "there as .xlsx and upload that.",
)
GOOGLE_DRIVE_SHORTCUT = OtherFile(
    "google-drive-shortcut",
    "This is a Google Drive shortcut to a Google Sheets document, not the sheet's data. Open "
    "it in Google Sheets, choose File → Download → Microsoft Excel (.xlsx) or "
    "Comma-separated values (.csv), and upload that file.",
)
PDF = OtherFile(
    "pdf",
    "This is a PDF document, not a spreadsheet: tables in a PDF cannot be read. Upload the "
    "spreadsheet it was made from (.xlsx, .xls, .ods or .csv), or copy the table into a "
    "spreadsheet program and save it as .xlsx.",
)
RTF = OtherFile(
    "rtf",
    "This is a rich-text (RTF) document, not a spreadsheet. Copy its table into a spreadsheet "
    "program and save it as .xlsx or .csv.",
)
IWORK = OtherFile(
    "iwork",
    "This is an Apple iWork file (Numbers, Pages or Keynote). For a Numbers spreadsheet choose "
    "File → Export To → Excel… in Numbers, then upload the .xlsx file.",
)
WORD = OtherFile(
    "word",
    "This is a Word document, not a spreadsheet. Copy its table into Excel or LibreOffice "
    "Calc, save it as .xlsx and upload that.",
)
POWERPOINT = OtherFile(
    "powerpoint",
    "This is a PowerPoint presentation, not a spreadsheet. Copy its table into Excel or "
    "LibreOffice Calc, save it as .xlsx and upload that.",
)

_SPACES_RE = re.compile(r"\s*")
_ROOT_TAG_RE = re.compile(r"<(?:[\w.-]+:)?([\w.-]+)[\s/>]")
_ROOT_KINDS = {"kml": KML, "gpx": GPX}
_SPREADSHEET_2003_NAMESPACE = "urn:schemas-microsoft-com:office:spreadsheet"
_DRIVE_SHORTCUT_RE = re.compile(r'"doc_id"\s*:\s*"')
_GEOJSON_TYPE_RE = re.compile(
    r'"type"\s*:\s*"(?:featurecollection|feature|point|multipoint|linestring|multilinestring|'
    r'polygon|multipolygon|geometrycollection)"'
)


def _markup_kind(text: str) -> OtherFile | None:
    """HTML or XML: the prologue (declaration, comments, processing instructions, doctype) is
    stepped over in a loop, then the root element names the kind."""
    position, is_xml, is_html = 0, text.startswith("<?xml"), False
    while True:
        position = _SPACES_RE.match(text, position).end()
        for opener, closer in (("<!--", "-->"), ("<?", "?>"), ("<!doctype", ">")):
            if text.startswith(opener, position):
                end = text.find(closer, position + len(opener))
                if end < 0:
                    return XML if is_xml else None
                is_html = is_html or text.startswith("<!doctype html", position)
                position = end + len(closer)
                break
        else:
            break
    root = _ROOT_TAG_RE.match(text, position)
    name = root.group(1) if root else ""
    if is_html or (name == "html" and "</" in text):
        return HTML_PAGE
    if _SPREADSHEET_2003_NAMESPACE in text:
        return SPREADSHEET_2003
    return _ROOT_KINDS.get(name) or (XML if is_xml else None)


_ZIP_KINDS: tuple[tuple[Callable[[set[str]], bool], OtherFile], ...] = (
    (lambda names: "word/document.xml" in names, WORD),
    (lambda names: "ppt/presentation.xml" in names, POWERPOINT),
    (lambda names: any(name.endswith(".iwa") for name in names) or "Index.zip" in names, IWORK),
    (lambda names: any(name.lower().endswith(".kml") for name in names), KMZ),
)


def other_text_file(head: bytes) -> OtherFile | None:
    """What text that is not a table is, from its first bytes; None for anything else."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", errors="ignore")
    else:
        text = head.decode("utf-8", errors="ignore")
    text = text.lstrip("\ufeff \t\r\n").lower()
    if text.startswith("%pdf-"):
        return PDF
    if text.startswith("{\\rtf"):
        return RTF
    if text.startswith("<"):
        return _markup_kind(text)
    if text.startswith("{"):
        if _DRIVE_SHORTCUT_RE.search(text):
            return GOOGLE_DRIVE_SHORTCUT
        if _GEOJSON_TYPE_RE.search(text):
            return GEOJSON
    return None


def other_zip_file(names: set[str]) -> OtherFile | None:
    """What a zip that is not a workbook holds, from its parts' names; None when unknown."""
    for test, other in _ZIP_KINDS:
        if test(names):
            return other
    return None
