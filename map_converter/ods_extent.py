"""How far an .ods file's tables reach, checked before calamine opens it.

calamine reads every table of an .ods as it opens the file, and builds each one's grid from
its first row and column to its last, repeats spelled out (number-rows-repeated,
number-columns-repeated). An 815-byte file repeating one cell over 95 columns and a million rows
made it ask for 3 GB and abort the process; a far cell does the same without any repeat. The
rule is sheet_extent's: a grid may hold GRID_PER_CELL times the cells written in the file, or
GRID_FLOOR whatever they are; beyond that the file is refused, naming the table and its
farthest cell.

The cells that count are those calamine keeps: a value (office:value, office:*-value, a string
cell's text) or a formula. A formatted empty cell, which LibreOffice repeats to the sheet's
edge, does not.
"""

from __future__ import annotations

import html
import itertools
import operator
import re
from collections.abc import Iterable
from pathlib import Path

from .errors import UnreadableFileError
from .sheet_extent import SheetExtent, grid_limit, xml_pieces
from .xlsx_links import DAMAGED_ZIP_ERRORS, column_letters

# The tags calamine reads a table by (it knows them by these exact names): a table's start and
# end, a row's start (closing itself or not), a cell's start.
_TAG_RE = re.compile(
    rb"<(/?)table:(table|table-row|table-cell|covered-table-cell)(?=[\s/>])([^>]*?)(/?)>"
)
# office:value-type, office:value, office:string-value…, table:formula
_KEPT_RE = re.compile(rb"(?:value(?:-type)?|formula)\s*=")
_ROWS_REPEATED_RE = re.compile(rb"""number-rows-repeated\s*=\s*["']\s*(\d+)""")
_COLUMNS_REPEATED_RE = re.compile(rb"""number-columns-repeated\s*=\s*["']\s*(\d+)""")
_NAME_RE = re.compile(rb"""(?<![\w-])name\s*=\s*(?:"([^"]*)"|'([^']*)')""")  # not style-name


class _TableScan:
    """One table's extent, from its tags in order."""

    def __init__(self, name: str):
        self.name = name
        self.next_row = 1  # the first row the next row element stands for
        self.row_repeats = 0  # of the current row (0: none yet)
        self.column = 0  # the columns taken so far in the current row
        self.row_reach = 0  # the farthest kept cell's column in the current row
        self.last_row = self.last_column = self.cells = 0

    def start_row(self, attributes: bytes) -> None:
        self.end_row()
        self.row_repeats = _repeats(_ROWS_REPEATED_RE, attributes)
        self.column = self.row_reach = 0

    def cell(self, attributes: bytes) -> None:
        self.column += _repeats(_COLUMNS_REPEATED_RE, attributes)
        self.cells += 1  # written in the file, whatever it holds
        if _KEPT_RE.search(attributes):
            self.row_reach = self.column

    def end_row(self) -> None:
        """The current row ends (at the next row's start or the table's end)."""
        if self.row_reach:
            self.last_row = self.next_row + self.row_repeats - 1
            self.last_column = max(self.last_column, self.row_reach)
        self.next_row += self.row_repeats
        self.row_repeats, self.column, self.row_reach = 0, 0, 0

    def extent(self) -> SheetExtent:
        return SheetExtent(self.last_row, self.last_column, self.cells)


def _repeats(pattern: re.Pattern, attributes: bytes) -> int:
    if b"repeated" not in attributes:
        return 1
    found = pattern.search(attributes)
    return max(int(found.group(1)), 1) if found else 1


class _Scan:
    """The tables of content.xml, from its tags in order."""

    def __init__(self):
        self.tables: list[_TableScan] = []
        self.table: _TableScan | None = None
        self.depth = 0  # a table inside a cell's content counts as part of the outer one
        self.spaces = 0  # asked for by <text:s text:c="…"/>
        self.open_hidden = False  # a comment, CDATA or instruction not closed in its piece

    def unended(self) -> str | None:
        """The name of a table whose end tag never comes (checked before extents()): calamine
        reads a table's events until its end and, at the end of the file without one, loops
        for ever (fuzzing found it: a worker's thread gone for good)."""
        if self.table is not None:
            return self.table.name
        return "" if self.open_hidden or self.depth else None

    def tags(self, xml: bytes) -> None:
        """Every tag of this XML, one by one."""
        for closing, kind, attributes, closed in _TAG_RE.findall(xml):
            table = self.table
            if kind == b"table-cell" or kind == b"covered-table-cell":
                if table is not None and not closing:
                    table.cell(attributes)
            elif kind == b"table-row":
                if table is not None and not closing:
                    table.start_row(attributes)
            elif closing:
                self.depth = max(self.depth - 1, 0)
                if self.depth == 0 and table is not None:
                    table.end_row()
                    self.table = None
            elif not closed:
                self.depth += 1
                if self.depth == 1:
                    name = _NAME_RE.search(attributes)
                    label = (name.group(1) or name.group(2) or b"") if name else b""
                    self.table = _TableScan(html.unescape(label.decode("utf-8", "replace")))
                    self.tables.append(self.table)

    def piece(self, xml: bytes) -> None:
        """The same, for a piece that holds no repeat and no table's start or end: rows and
        the widest row's cells counted in C (an upper bound: every row is taken to hold a
        value when one does, and to reach as far as its last cell)."""
        table = self.table
        if b"repeated" in xml:  # LibreOffice ends each row with its empty cells, repeated
            xml = _TRAILING_EMPTY_CELLS_RE.sub(b"</table:table-row>", xml)
        if table is None or b"repeated" in xml or _TABLE_TAG_RE.search(xml):
            self.rows(xml)
            return
        segments = xml.split(b"<table:table-row")  # [the open row's rest, each row started]
        widths = list(map(bytes.count, segments, itertools.repeat(b"<table:table-cell")))
        if b"covered-table-cell" in xml:
            covered = map(bytes.count, segments, itertools.repeat(b"<table:covered-table-cell"))
            widths = list(map(operator.add, widths, covered))
        table.cells += sum(widths)
        kept = b"value" in xml or b"formula" in xml
        table.column += widths[0]
        if kept and widths[0]:  # the open row's cells in this piece may hold one
            table.row_reach = table.column
        if len(segments) == 1:
            return
        table.end_row()
        started = len(segments) - 1  # a <table:table-rows> or -row-group counts: a bound
        if kept and max(widths[1:]):
            table.last_row = table.next_row + started - 1
            table.last_column = max(table.last_column, max(widths[1:]))
        table.next_row += started - 1
        table.start_row(b"")  # the last one, open
        table.column = widths[-1]
        table.row_reach = widths[-1] if kept else 0

    def rows(self, xml: bytes) -> None:
        """The same, a row at a time where a row holds no repeat and no table's start or end:
        its cells are counted in C, and its reach taken as its last cell's (an upper bound:
        an empty cell at its end counts)."""
        segments = xml.split(b"<table:table-row")
        self.tags(segments[0])
        for segment in segments[1:]:
            table = self.table
            if (
                table is None
                or segment[:1] not in _ROW_TAG_ENDS  # <table:table-rows>, -row-group
                or b"repeated" in segment
                or _TABLE_TAG_RE.search(segment)
            ):
                self.tags(b"<table:table-row" + segment)
                continue
            table.start_row(b"")
            cells = segment.count(b"<table:table-cell") + segment.count(
                b"<table:covered-table-cell"
            )
            table.cells += cells
            table.column = cells
            if cells and (b"value" in segment or b"formula" in segment):
                table.row_reach = cells

    def extents(self) -> list[tuple[str, SheetExtent]]:
        if self.table is not None:
            self.table.end_row()
            self.table = None
        return [(table.name, table.extent()) for table in self.tables]


# A row's last cell, empty and repeated (LibreOffice's, with its style or none): it takes no
# room in calamine's grid. The quick pass leaves it out.
_TRAILING_EMPTY_CELLS_RE = re.compile(
    rb'<table:table-cell(?: table:style-name="[^"<>]*")? table:number-columns-repeated="\d+"/>'
    rb"</table:table-row>"
)
_TABLE_TAG_RE = re.compile(rb"table:table[\s/>]")  # a table's start or end
_ROW_TAG_ENDS = (b" ", b"\t", b"\r", b"\n", b"/", b">")  # after <table:table-row


# A run of spaces in a cell's text, <text:s text:c="5"/>: calamine writes them all out. An
# 800-byte file asking for two billion made it build a 2 GB string and abort the process. No
# sheet of links needs a million.
MAX_SPACES = 1 << 20
_SPACES_RE = re.compile(rb"""<text:s\b[^>]*?\btext:c\s*=\s*["']\s*(\d+)""")


# What calamine's XML reader gives as comments, CDATA and processing instructions: no tag in
# them counts, so none is read here either (a table's end tag inside a comment ends nothing).
_HIDDEN = ((b"<!--", b"-->"), (b"<![CDATA[", b"]]>"), (b"<?", b"?>"))
_HIDDEN_START_RE = re.compile(rb"<[!?]")  # one pass: 24 ms for 38 MB, two `in` tests 65 ms


def _without_hidden(piece: bytes, waiting_for: bytes | None) -> tuple[bytes, bytes | None]:
    """The piece without its comments, CDATA sections and instructions, and the end marker of
    one still open at its end (waiting_for: one open from the pieces before). Each kind's next
    start is looked for again only once passed: linear, however many there are."""
    kept, position = [], 0
    if waiting_for is not None:
        close = piece.find(waiting_for)
        if close < 0:
            return b"", waiting_for
        position = close + len(waiting_for)
    starts = [piece.find(start, position) for start, _ in _HIDDEN]
    while True:
        found = [(at, kind) for kind, at in enumerate(starts) if at >= 0]
        if not found:
            break
        at, kind = min(found)
        start, end = _HIDDEN[kind]
        kept.append(piece[position:at])
        close = piece.find(end, at + len(start))
        if close < 0:
            return b"".join(kept), end
        position = close + len(end)
        for other, next_at in enumerate(starts):
            if 0 <= next_at < position:
                starts[other] = piece.find(_HIDDEN[other][0], position)
    kept.append(piece[position:])
    return b"".join(kept), None


def _scan(pieces: Iterable[bytes], exact: bool = False) -> _Scan:
    scan = _Scan()
    waiting_for = None  # the end of a comment, CDATA or instruction open in an earlier piece
    for piece in pieces:
        if waiting_for is not None or _HIDDEN_START_RE.search(piece):
            piece, waiting_for = _without_hidden(piece, waiting_for)
        if b"text:c" in piece:
            scan.spaces += sum(map(int, _SPACES_RE.findall(piece)))
        if b"table:" in piece:
            (scan.tags if exact else scan.piece)(piece)
    scan.open_hidden = waiting_for is not None
    return scan


def ods_extents(pieces: Iterable[bytes], exact: bool = False) -> list[tuple[str, SheetExtent]]:
    """(name, extent) of each table in content.xml, given as pieces that split no tag; exact,
    or an upper bound (quicker) that may count an empty cell at a row's end."""
    return _scan(pieces, exact).extents()


def check_ods_extents(path: Path) -> None:
    """Refuse an .ods one of whose tables would make calamine build a grid far larger than the
    cells written in the file, or whose text asks for millions of spaces (see the notes
    above). A damaged file is left to calamine."""
    try:
        scan = _scan(_content(path))
        unended = scan.unended()
        extents = scan.extents()
        if any(extent.grid > grid_limit(extent.cells) for _, extent in extents):
            extents = ods_extents(_content(path), exact=True)
    except (*DAMAGED_ZIP_ERRORS, KeyError, OSError, ValueError):  # calamine says what is wrong
        return
    if unended is not None:
        what = f"The sheet {unended!r}" if unended else "The file's content"
        raise UnreadableFileError(
            f"{what} does not end: the file is damaged or cut short. It was not opened: open "
            "it in a spreadsheet program, save it again and upload the new copy."
        )
    if scan.spaces > MAX_SPACES:
        raise UnreadableFileError(
            f"The file's cells ask for {scan.spaces:,} spaces in their text, more than a sheet "
            "of links holds (the file is damaged or made to exhaust memory). It was not opened: "
            "open it in a spreadsheet program, save it again and upload the new copy."
        )
    for name, extent in extents:
        if extent.grid > grid_limit(extent.cells):
            farthest = f"{column_letters(max(extent.last_column, 1) - 1)}{extent.last_row}"
            raise UnreadableFileError(
                f"The sheet {name!r} reaches as far as cell {farthest}: "
                f"{extent.grid:,} cells, from {extent.cells:,} written in the file (repeated "
                "rows or cells, or a stray cell far from the data). It was not opened: delete "
                "what lies far from your data, or copy the data to a new sheet, save the file "
                "and upload it again."
            )


def _content(path: Path) -> Iterable[bytes]:
    return (buffer[:cut] for buffer, cut in xml_pieces(path, "content.xml"))
