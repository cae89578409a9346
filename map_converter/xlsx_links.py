"""Workbook parts read straight from the .xlsx zip: where a sheet's XML is, cell references, and
the sheet's hyperlinks (openpyxl's hyperlink binding is quadratic in the number of links)."""

from __future__ import annotations

import html
import posixpath
import re
import threading
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

from isal import isal_zlib

from .errors import UnreadableFileError

_HYPERLINK_RE = re.compile(rb"<(?:\w+:)?hyperlink\b([^>]*)/?>")
_ATTR_RE = re.compile(rb'([\w:]+)="([^"]*)"')
_FORMULA_CELL_RE = re.compile(
    rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3})(\d+)"[^>]*>\s*<(?:\w+:)?f\b[^>]*>\s*(?:_xlfn\.)?HYPERLINK\(\s*(?:&quot;|")((?:(?!&quot;|").)*)(?:&quot;|")(?=\s*[,;)])',
    re.IGNORECASE,
)  # the URL argument is one literal: "…?q=" & A2 is never read as its first piece
_CELL_REF_RE = re.compile(r"^([A-Z]{1,3})(\d+)$")
_RELATIONSHIP_RE = re.compile(rb"<(?:\w+:)?Relationship\b([^>]*)>")


# What reading a damaged part of a zip raises besides BadZipFile (found by fuzzing): a broken
# deflate stream (zlib's or ISA-L's error), a part cut short, a "version needed" zipfile does not
# know or a method it cannot inflate. Readers add what else their reading may raise; never
# OSError where a file is written (a full disk is not a damaged upload).
DAMAGED_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    isal_zlib.error,
    EOFError,
    NotImplementedError,
    UnicodeDecodeError,  # a part's own header flags its name as UTF-8 and it is not
)


# The most links behind labels one sheet's reader records (a sheet's rows, in Excel): ranges
# and repeats are numbers in a file, not measures of its size.
MAX_SHEET_LINKS = 1 << 20


# ISA-L's level 2: the 48 MB sheet of a 100,000-row output in 0.05 s and 6.75 MB, where zlib's
# level 1 takes 0.22 s for 6.86 MB (its level 3 is three times slower for no gain).
ISAL_LEVEL = 2


def deflate_with_isal(written, entry: zipfile.ZipInfo) -> None:
    """ISA-L's deflate for a part zipfile has just opened for writing, in place of zlib's: the
    same raw deflate, at 4x zlib's speed; zipfile still writes the CRC. Only a deflated part."""
    if entry.compress_type == zipfile.ZIP_DEFLATED and hasattr(written, "_compressor"):
        written._compressor = isal_zlib.compressobj(ISAL_LEVEL, isal_zlib.DEFLATED, -15)


def inflate_with_isal(member: zipfile.ZipExtFile, info: zipfile.ZipInfo) -> None:
    """ISA-L's inflate for a part zipfile has just opened, in place of the zlib object it made
    (zipfile has no public knob): the same raw deflate, inflated in half zlib's time; zipfile
    still checks the CRC. Only a deflated part: a stored, bzip2 or LZMA one keeps its own."""
    if info.compress_type == zipfile.ZIP_DEFLATED and hasattr(member, "_decompressor"):
        member._decompressor = isal_zlib.decompressobj(-15)


def column_number(letters: str) -> int:
    """'A' -> 0, 'AB' -> 27."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number - 1


def column_letters(index: int) -> str:
    """0 -> 'A', 27 -> 'AB'."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def sheet_part_path(archive: zipfile.ZipFile, sheet_name: str) -> str:
    """Zip path of a sheet's XML, found through workbook.xml and its relationships."""
    sheets = _parsed_index(archive, "xl/workbook.xml", _sheet_relationship_ids)
    return workbook_part(archive, "xl/_rels/workbook.xml.rels", sheets.get(sheet_name), sheet_name)


def _sheet_relationship_ids(workbook) -> dict[str, str | None]:
    """Sheet name -> its relationship id, from workbook.xml's tree."""
    return {
        element.get("name"): next(
            (value for key, value in element.attrib.items() if key.endswith("}id")), None
        )
        for element in workbook.iter()
        if element.tag.endswith("}sheet")
    }


def _relationships(rels) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type, target), in the part's order."""
    return {
        element.get("Id"): (element.get("Type", ""), element.get("Target", ""))
        for element in rels.iter()
        if element.get("Id") is not None
    }


def workbook_part(
    archive: zipfile.ZipFile, rels_part: str, relationship_id: str | None, sheet_name: str
) -> str:
    """Zip path of the part the workbook's relationships (.xml.rels, or .bin.rels of an .xlsb)
    give this id, the sheet's."""
    relationships = _parsed_index(archive, rels_part, _relationships)
    if relationship_id is None or relationship_id not in relationships:
        raise UnreadableFileError(
            f"The workbook does not say where sheet {sheet_name!r} is stored."
        )
    return _workbook_target_path(relationships[relationship_id][1])


_INDEXES: dict[tuple, dict] = {}  # the last few workbooks' indexes (see _parsed_index)
_MAX_INDEXES = 8
_MAX_INDEX_ENTRIES = 10_000
_INDEXES_LOCK = threading.Lock()


def _parsed_index(archive: zipfile.ZipFile, part: str, read) -> dict:
    """read(tree of the part), once per workbook and part: the sheets are looked at one by one,
    each look opening the workbook again, and a workbook of thousands of sheets parsed its
    index thousands of times. Known by the file, the part, its CRC and size (the zip's
    directory gives them without reading the part)."""
    from defusedxml import DefusedXmlException, ElementTree

    try:
        info = archive.getinfo(part)
    except KeyError as error:
        raise UnreadableFileError(
            "The workbook's index is damaged or declares entities; save it again from Excel."
        ) from error
    key = (str(archive.filename), part, read, info.CRC, info.file_size, info.compress_size)
    index = _INDEXES.get(key)
    if index is None:
        try:
            index = read(ElementTree.fromstring(archive.read(part)))
        except (DefusedXmlException, ElementTree.ParseError) as error:
            raise UnreadableFileError(
                "The workbook's index is damaged or declares entities; save it again from Excel."
            ) from error
        if len(index) <= _MAX_INDEX_ENTRIES:  # kept between requests: never a huge one
            with _INDEXES_LOCK:  # the links are read in a thread of their own
                if len(_INDEXES) >= _MAX_INDEXES:
                    _INDEXES.pop(next(iter(_INDEXES)))
                _INDEXES[key] = index
    return index


def first_sheet_name(path: Path) -> str | None:
    """The name of the workbook's first sheet, from workbook.xml; None when it cannot be read
    (calamine then says what is wrong)."""
    try:
        with zipfile.ZipFile(path) as archive:
            sheets = _parsed_index(archive, "xl/workbook.xml", _sheet_relationship_ids)
    except Exception:  # a damaged zip, part or index
        return None
    return next(iter(sheets), None)


def _workbook_target_path(target: str) -> str:
    """Zip path of a part named in workbook.xml.rels (absolute, or relative to xl/)."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join("xl", target))


_STYLES_TYPE_SUFFIX = "/relationships/styles"
SHARED_STRINGS_TYPE_SUFFIX = "/relationships/sharedStrings"


def styles_part_path(archive: zipfile.ZipFile) -> str | None:
    """Zip path of the workbook's styles part (see related_part_path)."""
    return related_part_path(archive, _STYLES_TYPE_SUFFIX)


def related_part_path(archive: zipfile.ZipFile, type_suffix: str) -> str | None:
    """Zip path of the workbook's part of this relationship type, from the workbook's
    relationships; None when the workbook names none (or its relationships cannot be read)."""
    try:
        relationships = _parsed_index(archive, "xl/_rels/workbook.xml.rels", _relationships)
    except UnreadableFileError:
        return None
    for kind, target in relationships.values():
        if kind.endswith(type_suffix):
            path = _workbook_target_path(target)
            return path if path in archive.NameToInfo else None
    return None


_SCAN_CHUNK_BYTES = 1 << 20
_SCAN_OVERLAP_BYTES = 16384  # longer than any hyperlink element or HYPERLINK() cell we read
_LINK_MARK_RE = re.compile(
    _FORMULA_CELL_RE.pattern + rb"|" + _HYPERLINK_RE.pattern, re.IGNORECASE | re.DOTALL
)


def _scan(
    stream,
    pattern: re.Pattern,
    hints: tuple[bytes, ...],
    each_chunk: Callable[[bytes], None] | None = None,
):
    """Matches of pattern in a stream read in chunks: memory stays at a chunk and an overlap.
    A chunk holding none of the hint strings is not searched (a plain 'in' is 20x faster).
    each_chunk, when given, is handed every chunk read (another reader of the same bytes)."""
    buffer = b""
    while True:
        chunk = stream.read(_SCAN_CHUNK_BYTES)
        if each_chunk is not None and chunk:
            each_chunk(chunk)
        buffer += chunk
        is_end = not chunk
        cut = len(buffer) if is_end else max(0, len(buffer) - _SCAN_OVERLAP_BYTES)
        if not any(hint in buffer for hint in hints):
            if is_end:
                return
            buffer = buffer[cut:]
            continue
        for match in pattern.finditer(buffer):
            if match.end() > cut:
                cut = min(cut, match.start())  # finish it with the next chunk
                break
            yield match
        if is_end:
            return
        buffer = buffer[cut:]


def read_xlsx_links(
    path: Path, sheet_name: str, each_chunk: Callable[[bytes], None] | None = None
) -> dict[tuple[int, int], str]:
    """Cell hyperlink targets and =HYPERLINK("url", …) formulas of one sheet, read as a stream;
    each_chunk is handed the sheet's XML as it is read (the XML check, in the same pass)."""
    links: dict[tuple[int, int], str] = {}
    hyperlinks: list[dict] = []
    try:
        with zipfile.ZipFile(path) as archive:
            part = sheet_part_path(archive, sheet_name)
            with archive.open(part) as stream:
                hints = (b"yperlink", b"YPERLINK")
                for match in _scan(stream, _LINK_MARK_RE, hints, each_chunk):
                    if match.group(1) is not None:  # a HYPERLINK() formula cell
                        url = html.unescape(match.group(3).decode("utf-8", "replace"))
                        links[(int(match.group(2)), column_number(match.group(1).decode()))] = (
                            url.replace('""', '"')
                        )
                    else:
                        hyperlinks.append(dict(_ATTR_RE.findall(match.group(4))))
            if not hyperlinks:
                return links
            targets = external_targets(archive, part)
            for attributes in hyperlinks:
                target = targets.get(attributes.get(b"r:id")) or next(
                    (targets.get(v) for k, v in attributes.items() if k.endswith(b":id")), None
                )
                if not target:
                    continue
                for row_number, column in _cells_in_ref(attributes.get(b"ref", b"").decode()):
                    if len(links) >= MAX_SHEET_LINKS:
                        return links
                    links.setdefault((row_number, column), target)
    except (KeyError, *DAMAGED_ZIP_ERRORS):  # the links are only extra (a bad name: damaged)
        return links
    return links


def external_targets(archive: zipfile.ZipFile, part: str) -> dict[bytes, str]:
    """Relationship id -> target of the part's external relationships (its hyperlinks), from
    the part's .rels (a sheet's .xml.rels, or .bin.rels in an .xlsb)."""
    rels_path = posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")
    targets = {}
    if rels_path in archive.NameToInfo:
        for element in _RELATIONSHIP_RE.finditer(archive.read(rels_path)):
            attributes = dict(_ATTR_RE.findall(element.group(1)))
            if attributes.get(b"TargetMode", b"").lower() == b"external":
                targets[attributes.get(b"Id")] = html.unescape(
                    attributes.get(b"Target", b"").decode("utf-8", "replace")
                )
    return targets


def _cells_in_ref(ref: str) -> list[tuple[int, int]]:
    """'B2' or 'B2:B4' -> [(row_number, column_index), …] (capped for absurd ranges)."""
    parts = ref.split(":")
    matches = [_CELL_REF_RE.match(part) for part in parts]
    if not all(matches) or not matches:
        return []
    first, last = matches[0], matches[-1]
    first_column, last_column = column_number(first[1]), column_number(last[1])
    return cells_in_range(int(first[2]), int(last[2]), first_column, last_column)


def cells_in_range(
    first_row: int, last_row: int, first_column: int, last_column: int
) -> list[tuple[int, int]]:
    """(row number, column index) of each cell of a range, none for an absurd one (past
    100,000 cells)."""
    if (last_row - first_row + 1) * (last_column - first_column + 1) > 100_000:
        return []
    return [
        (row_number, column)
        for row_number in range(first_row, last_row + 1)
        for column in range(first_column, last_column + 1)
    ]
