"""An .ods sheet's hyperlinks. calamine reads a cell that shows a label over a link
(<text:a xlink:href="…">Open map</text:a>) or an =HYPERLINK("…";"Open") formula as its label
only; this reads the links behind them from content.xml, as xlsx_links does for .xlsx.

One streaming pass of expat with handlers (no tree is built; no DTD or entity is expanded), which
stops at the end of the wanted sheet. Repeated rows and cells (number-rows-repeated,
number-columns-repeated) count as the rows and columns they stand for.
"""

from __future__ import annotations

import html
import re
import zipfile
from pathlib import Path

from .errors import UnreadableFileError
from .xlsx_links import DAMAGED_ZIP_ERRORS, inflate_with_isal
from .xlsx_links import MAX_SHEET_LINKS as MAX_LINKS

_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0 "  # expat's "namespace name"
_TABLE_NAME, _ROW = _TABLE + "table", _TABLE + "table-row"
_CELL_NAMES = frozenset((_TABLE + "table-cell", _TABLE + "covered-table-cell"))
_TABLE_NAME_ATTRIBUTE, _FORMULA = _TABLE + "name", _TABLE + "formula"
_ROWS_REPEATED, _COLUMNS_REPEATED = (
    _TABLE + "number-rows-repeated",
    _TABLE + "number-columns-repeated",
)
_ANCHOR = "urn:oasis:names:tc:opendocument:xmlns:text:1.0 a"
_HREF = "http://www.w3.org/1999/xlink href"
# office:document-content > office:body > office:spreadsheet > table:table
_SHEET_DEPTH = 4
_HYPERLINK_FORMULA_RE = re.compile(r'HYPERLINK\(\s*"([^"]+)"', re.IGNORECASE)
# A link cell repeated over more rows or columns than this is recorded this many times: a
# repeat count is a number in the file, not a measure of its size.
MAX_REPEATED_LINKS = 1024


class _Refused(Exception):
    """A DTD or an entity declaration: never expanded, the file is refused."""


class _SheetLinks:
    """expat's handlers for one pass over content.xml: the wanted sheet's rows and cells counted
    as they start, a cell's link taken from its <text:a> or its formula."""

    def __init__(self, sheet_name: str):
        self.sheet_name = sheet_name
        self.links: dict[tuple[int, int], str] = {}
        self.depth = 0
        self.table_depth = 0  # the depth of the wanted sheet's element while inside it, else 0
        self.done = False
        self.row_number, self.row_repeat, self.column = 1, 1, 0
        self.cell_repeat, self.cell_link = 1, None  # of the cell being read
        self.row_links: list[tuple[int, str]] = []

    def start(self, name: str, attributes: dict[str, str]) -> None:
        self.depth += 1
        if name == _TABLE_NAME and not self.table_depth and self.depth == _SHEET_DEPTH:
            if attributes.get(_TABLE_NAME_ATTRIBUTE) == self.sheet_name:
                self.table_depth = self.depth
        elif not self.table_depth:
            return
        elif name == _ROW:
            self.row_repeat = _repeat(attributes.get(_ROWS_REPEATED))
            self.column, self.row_links = 0, []
        elif name in _CELL_NAMES:
            self.cell_repeat = _repeat(attributes.get(_COLUMNS_REPEATED))
            formula = _HYPERLINK_FORMULA_RE.search(attributes.get(_FORMULA) or "")
            self.cell_link = formula.group(1).strip() if formula else None
        elif name == _ANCHOR:
            target = (attributes.get(_HREF) or "").strip()
            if target and self.cell_link is None:
                self.cell_link = target

    def end(self, name: str) -> None:
        self.depth -= 1
        if not self.table_depth:
            return
        if name in _CELL_NAMES:
            if self.cell_link:
                room = MAX_LINKS - len(self.row_links)  # a row of many repeated links too
                for offset in range(min(self.cell_repeat, MAX_REPEATED_LINKS, room)):
                    self.row_links.append((self.column + offset, self.cell_link))
            self.column += self.cell_repeat
            self.cell_repeat, self.cell_link = 1, None
        elif name == _ROW:
            for offset in range(min(self.row_repeat, MAX_REPEATED_LINKS) if self.row_links else 0):
                for column, link in self.row_links:
                    if len(self.links) >= MAX_LINKS:
                        self.done = True  # enough for any sheet: the rest is not read
                        return
                    self.links[(self.row_number + offset, column)] = link
            self.row_number += self.row_repeat
        elif name == _TABLE_NAME and self.depth < self.table_depth:
            self.table_depth, self.done = 0, True


def _refuse(*_arguments) -> None:
    raise _Refused


def _repeat(value: str | None) -> int:
    try:
        return max(1, int(value or "1"))
    except ValueError:
        return 1


# The quick look: any hyperlink element (any prefix), one whose text is plain, and a formula.
_ANCHOR_START_RE = re.compile(rb"<(?:[\w.-]+:)?a[\s>]")
_PLAIN_ANCHOR_RE = re.compile(
    rb'<(?:[\w.-]+:)?a\s[^<>]*?href="([^"]*)"[^<>]*>([^<]*)</(?:[\w.-]+:)?a>'
)
_FORMULA_MARKS = (b"HYPERLINK(", b"hyperlink(", b"Hyperlink(")  # bytes.find: 15 ms a 50 MB
_ANCHOR_MARKS = (b":a ", b":a>", b"<a ", b"<a>")  # before the regexes, which take 80 ms
_LOOK_CHUNK_BYTES = 1 << 20


def _unescaped(raw: bytes) -> str:
    return html.unescape(raw.decode("utf-8", errors="replace"))


def _has_labels_over_links(content) -> bool:
    """Whether content.xml has a link that shows something other than itself, or a HYPERLINK
    formula. Typed URLs become links that show themselves (LibreOffice's URL recognition); then
    calamine's text is the link already, and the slower pass is not needed. Read in chunks, in
    C regexes; a chunk is looked at up to its last tag, the rest goes with the next one."""
    rest = b""
    while True:
        chunk = content.read(_LOOK_CHUNK_BYTES)
        buffer = rest + chunk
        if any(mark in buffer for mark in _FORMULA_MARKS):  # the whole buffer: rest overlaps
            return True
        cut = len(buffer)
        if chunk:  # look up to the last tag; an anchor that may go on waits for the next chunk
            last_anchor = buffer.rfind(b":a ")
            if last_anchor < 0:
                cut = max(buffer.rfind(b"<"), len(buffer) - 4096, 0)
            else:
                cut = max(buffer.rfind(b"<", 0, last_anchor), 0)
                if cut == 0 and len(buffer) > 4 * _LOOK_CHUNK_BYTES:
                    return True  # no tag in megabytes: not worth a closer look, read it all
        piece, rest = buffer[:cut], buffer[cut:]
        if not any(mark in piece for mark in _ANCHOR_MARKS):
            if not chunk:
                return False
            continue
        plain = _PLAIN_ANCHOR_RE.findall(piece)
        if len(plain) != len(_ANCHOR_START_RE.findall(piece)):
            return True  # a link over formatted text, or a form we do not look into
        for target, text in plain:
            if target != text and _unescaped(target) != _unescaped(text):
                return True
        if not chunk:
            return False


# A damaged zip or part (or no content.xml): calamine has its own say on such a file, and the
# links behind labels are only ever extra, so they are then none.
_DAMAGED = (*DAMAGED_ZIP_ERRORS, KeyError, RuntimeError, OSError)


def read_ods_links(path: Path, sheet_name: str) -> dict[tuple[int, int], str]:
    """(row number from 1, column index from 0) -> link, for the cells of the named sheet."""
    from xml.parsers import expat

    try:
        with zipfile.ZipFile(path) as archive:
            with archive.open("content.xml") as content:
                inflate_with_isal(content, archive.getinfo("content.xml"))
                if not _has_labels_over_links(content):
                    return {}
            handlers = _SheetLinks(sheet_name)
            parser = expat.ParserCreate(namespace_separator=" ")
            parser.StartElementHandler, parser.EndElementHandler = handlers.start, handlers.end
            # As defusedxml does: no DTD and no entity is ever expanded; a file with one is
            # refused.
            parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = _refuse
            parser.UnparsedEntityDeclHandler = parser.ExternalEntityRefHandler = _refuse
            parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
            with archive.open("content.xml") as content:
                while not handlers.done:
                    chunk = content.read(1 << 20)
                    parser.Parse(chunk, not chunk)
                    if not chunk:
                        break
    except (*_DAMAGED, expat.ExpatError):
        return {}
    except _Refused as error:
        raise UnreadableFileError(
            "The spreadsheet's content declares entities (a DTD), which we never expand; save "
            "it again from LibreOffice and upload the new copy."
        ) from error
    return handlers.links
