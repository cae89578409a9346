"""An .xls sheet's links behind labels: its HLink records and its =HYPERLINK("url", …) formulas.
calamine reads such a cell as its label only (or as nothing, when the file keeps no value for a
formula, as files written by xlwt do); this reads the links from the BIFF8 records.

Built from the format's documentation: [MS-XLS] 2.1.4 (records), 2.4.28 BoundSheet8, 2.4.127
Formula, 2.4.140 HLink, 2.5.198.85 PtgStr, 2.5.198.63 PtgFuncVar; the hyperlink object inside an
HLink record is [MS-OSHARED] 2.3.7.1; xls_records reads the records. The file is searched for
the hyperlink class id and the HYPERLINK function's token first, and read no further when it has
neither. Every loop is bounded by the stream's length; nothing here raises on a damaged file:
calamine has read it already, and a link we cannot read leaves the cell's text.
"""

from __future__ import annotations

import re
import struct
from pathlib import Path

from .xls_records import records, sheets, short_string, workbook_stream
from .xlsx_links import MAX_SHEET_LINKS as MAX_LINKS

FORMULA, HLINK = 0x0006, 0x01B8
_HYPERLINK_CLASS = bytes.fromhex("d0c9ea79f9bace118c8200aa004ba90b")  # CLSID_StdHlink
_URL_MONIKER_CLASS = bytes.fromhex("e0c9ea79f9bace118c8200aa004ba90b")  # CLSID_URLMoniker
# PtgFuncVar (any class) with 1 or 2 arguments calling function 359, HYPERLINK.
_HYPERLINK_CALL_RE = re.compile(rb"[\x22\x42\x62][\x01\x02]\x67\x01")
_PTG_STR, _PTG_ATTR, _PTG_INT, _PTG_NUM = 0x17, 0x19, 0x1E, 0x1F
_PTG_REFS = (0x24, 0x44, 0x64)  # a reference to one cell (row, column): the label in a cell
# An HLink record's range may cover a whole sheet; its link is given to this many cells at most.
MAX_CELLS_PER_LINK = 1024

_HAS_MONIKER, _HAS_LOCATION, _HAS_DISPLAY_NAME = 0x01, 0x08, 0x10
_HAS_FRAME_NAME, _MONIKER_SAVED_AS_STRING = 0x80, 0x100


def read_xls_links(path: Path, sheet_name: str) -> dict[tuple[int, int], str]:
    """(row number from 1, column index from 0) -> link, for the cells of the named sheet."""
    with open(path, "rb") as handle:
        raw = handle.read()
    if _HYPERLINK_CLASS not in raw and not _HYPERLINK_CALL_RE.search(raw):
        return {}
    stream = workbook_stream(raw)
    starts = (
        [start for name, start, _ in sheets(stream) or () if name == sheet_name] if stream else []
    )
    return _sheet_links(stream, starts[0]) if starts else {}


def _sheet_links(stream: bytes, start: int) -> dict[tuple[int, int], str]:
    links: dict[tuple[int, int], str] = {}
    for kind, body in records(stream, start):
        if kind == HLINK and len(body) >= 24 and body[8:24] == _HYPERLINK_CLASS:
            first_row, last_row, first_column, last_column = struct.unpack_from("<4H", body)
            url = _hyperlink_url(body, 24)
            cells = (
                (row, column)
                for row in range(first_row, last_row + 1)
                for column in range(first_column, last_column + 1)
            )
            for _, (row, column) in zip(range(MAX_CELLS_PER_LINK), cells, strict=False):
                if url:
                    links[(row + 1, column)] = url
            if len(links) >= MAX_LINKS:
                return links
        elif kind == FORMULA and len(body) >= 22:
            row, column = struct.unpack_from("<HH", body)
            (size,) = struct.unpack_from("<H", body, 20)
            url = hyperlink_formula_url(body[22 : 22 + size])
            if url:
                links.setdefault((row + 1, column), url)
    return links


def _hyperlink_string(body: bytes, position: int) -> tuple[str, int] | None:
    """HyperlinkString: a count of UTF-16 units (with the closing NUL), then the units."""
    if position + 4 > len(body):
        return None
    (count,) = struct.unpack_from("<I", body, position)
    end = position + 4 + 2 * count
    if end > len(body):
        return None
    return body[position + 4 : end].decode("utf-16-le", "replace").split("\0", 1)[0], end


def _hyperlink_url(body: bytes, position: int) -> str | None:
    """The URL of a hyperlink object ([MS-OSHARED] 2.3.7.1); None for a link to a file or to a
    place in the workbook, or anything we cannot read."""
    if position + 8 > len(body):
        return None
    _version, flags = struct.unpack_from("<II", body, position)
    position += 8
    for flag in (_HAS_DISPLAY_NAME, _HAS_FRAME_NAME):  # the label and the target frame
        if flags & flag:
            skipped = _hyperlink_string(body, position)
            if skipped is None:
                return None
            position = skipped[1]
    if not flags & _HAS_MONIKER:
        return None
    if flags & _MONIKER_SAVED_AS_STRING:
        moniker = _hyperlink_string(body, position)
        return moniker[0].strip() or None if moniker else None
    if body[position : position + 16] != _URL_MONIKER_CLASS or position + 20 > len(body):
        return None  # a file moniker or another kind: not a web link
    (size,) = struct.unpack_from("<I", body, position + 16)
    raw = body[position + 20 : position + 20 + size]
    url, ends, _ = raw.decode("utf-16-le", "replace").partition("\0")
    if position + 20 + size > len(body) or not ends:
        return None  # cut short: part of a link is never taken for the link
    return url.strip() or None


def hyperlink_formula_url(tokens: bytes) -> str | None:
    """The URL of a formula that is exactly HYPERLINK("url") or HYPERLINK("url", label) with a
    text, number or one-cell label; None for any other formula (a URL built from pieces, such as
    "…?q=" & A2, is never taken for its first piece)."""
    position = 0
    while tokens[position : position + 2] == b"\x19\x40":  # PtgAttrSpace: spaces in the formula
        position += 4
    if position >= len(tokens) or tokens[position] != _PTG_STR:
        return None
    url = short_string(tokens, position + 1)
    if url is None:
        return None
    position = url[1]
    label_end = _operand_end(tokens, position)
    call = tokens[label_end:] if label_end is not None else b""
    arguments = 1 if label_end == position else 2
    if call[:1] not in (b"\x22", b"\x42", b"\x62") or call[1:] != bytes((arguments, 0x67, 0x01)):
        return None
    return url[0].strip() or None


def _operand_end(tokens: bytes, position: int) -> int | None:
    """End of the one operand token at position (a label), position itself when the call comes
    next, None for anything else."""
    while tokens[position : position + 2] == b"\x19\x40":
        position += 4
    kind = tokens[position] if position < len(tokens) else None
    if kind in (0x22, 0x42, 0x62):
        return position
    if kind == _PTG_STR:
        label = short_string(tokens, position + 1)
        return label[1] if label else None
    sizes = {_PTG_INT: 3, _PTG_NUM: 9, **dict.fromkeys(_PTG_REFS, 5)}
    return position + sizes[kind] if kind in sizes else None
