"""How far a sheet's cells reach, checked before calamine reads the sheet.

calamine allocates a sheet's whole grid at once, from its first row and column to its last. A
300-byte .xlsx holding a cell at A1 and one at XFD1048576 made it ask for 549 GB, and a failed
allocation in Rust aborts the process: not an exception we can catch, but a web worker gone with
every request it was serving. A real sheet's grid is mostly filled, so the rule compares the grid
with the cells that are there: it may hold at most GRID_PER_CELL times as many, or GRID_FLOOR
(a million rows of four columns) whatever the cells. A sheet beyond that is refused, naming its
farthest cell, before calamine sees it.
"""

from __future__ import annotations

import contextlib
import functools
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import UnreadableFileError
from .xlsx_cells import TAG_REST_RE
from .xlsx_links import (
    SHARED_STRINGS_TYPE_SUFFIX,
    column_letters,
    column_number,
    inflate_with_isal,
    related_part_path,
    sheet_part_path,
)

GRID_FLOOR = 1 << 22  # 4,194,304 cells (calamine: about 130 MB)
GRID_PER_CELL = 8
CHUNK_BYTES = 1 << 20

# Reference attributes (r="XFD1048576" of a cell, r="12" of a row) in any spelling XML allows.
_ROW_NUMBER_RE = re.compile(rb"""\sr\s*=\s*["'][A-Z]{0,3}(\d+)["']""")
_COLUMN_LETTERS_RE = re.compile(rb"""\sr\s*=\s*["']([A-Z]{1,3})\d""")
_DIGITS_RE = re.compile(rb"\d+")
_CELL_RE = re.compile(rb"<(?:[\w.-]+:)?c[\s/>]")
# A cell whose tag does not start with r="…": without a namespace prefix, with one (two regexes,
# each with a literal start the engine skips to); and a cell with no r= at all, to count them.
_UNREFERENCED_CELL_RE = re.compile(rb'<c(?: (?!r=")|[/>])')
_PREFIXED_UNREFERENCED_CELL_RE = re.compile(rb':c(?: (?!r=")|[/>])')
_ANY_UNREFERENCED_CELL_RE = re.compile(rb"<(?:[\w.-]+:)?c(?![^>]*\sr\s*=)[\s/>]")
_ROW_END_RE = re.compile(rb"</(?:[\w.-]+:)?row>")


@dataclass(frozen=True)
class SheetExtent:
    """The last row (from 1) and column (from 1) the sheet's cells and rows reach, and how many
    cells it holds (None: not counted, the grid being small enough whatever it holds)."""

    last_row: int
    last_column: int
    cells: int | None = None

    @property
    def grid(self) -> int:
        return self.last_row * self.last_column


def grid_limit(cells: int | None) -> int:
    return max(GRID_FLOOR, GRID_PER_CELL * (cells or 0))


def check_extent(sheet_name: str, extent: SheetExtent) -> None:
    if extent.grid <= grid_limit(extent.cells):
        return
    farthest = f"{column_letters(max(extent.last_column, 1) - 1)}{extent.last_row}"
    raise UnreadableFileError(  # counted: an uncounted extent is within GRID_FLOOR
        f"The sheet {sheet_name!r} reaches as far as cell {farthest} but holds only "
        f"{extent.cells or 0:,} "
        "cells (a stray cell far to the right or below?). It was not opened: delete the cells "
        "far from your data, or copy the data to a new sheet, save the file and upload it again."
    )


def unchecked(what: str, error: Exception) -> UnreadableFileError:
    """The error for a workbook whose parts our checks could not read. Such a file is never
    handed to calamine: it reads damaged XML leniently (a misquoted declaration in
    workbook.xml.rels), so it may go on to allocate for cells no check counted (549 GB, an
    aborted process, from a few hundred bytes)."""
    if isinstance(error, UnreadableFileError):
        return error  # ours already says what is wrong
    return UnreadableFileError(
        f"The workbook is damaged: {what} could not be read, so it was not opened. Open it in "
        "a spreadsheet program, save it again and upload the new copy."
    )


class _ExtentScan:
    """The extent of a sheet's XML, fed in pieces that split no tag, with the work in C.

    A piece as programs write it (r="…" first in each cell's tag, rows in order) is settled by
    three searches: its last row's number is read, then one search looks for any reference
    beyond the farthest row or column so far, and two for a cell without a reference. A piece
    where one finds something is read whole (every reference, every row's cells), so a file
    made to mislead costs only time in proportion to its size. Cells are counted in a second
    pass, only when the grid is past GRID_FLOOR."""

    def __init__(self):
        self.last_row = 0
        self.letters = b""  # the farthest column's letters so far
        self.unreferenced_width = 0  # the most cells without a reference in one row
        self.open_row_unreferenced = 0  # those of the row that goes on into the next piece

    def feed(self, piece: bytes) -> None:
        last_row_tag = piece.rfind(b'row r="')
        if last_row_tag >= 0:
            digits = _DIGITS_RE.match(piece, last_row_tag + 7)
            if digits:
                self.last_row = max(self.last_row, int(digits.group()))
        if (
            _UNREFERENCED_CELL_RE.search(piece)
            or _PREFIXED_UNREFERENCED_CELL_RE.search(piece)
            or _beyond(self.last_row, self.letters).search(piece)
        ):
            self._read_whole(piece)
        elif self.open_row_unreferenced and _ROW_END_RE.search(piece):
            self.open_row_unreferenced = 0

    def _read_whole(self, piece: bytes) -> None:
        numbers = _ROW_NUMBER_RE.findall(piece)
        if numbers:
            self.last_row = max(self.last_row, max(map(int, set(numbers))))
        letters = set(_COLUMN_LETTERS_RE.findall(piece))
        if letters:
            self.letters = max(letters | {self.letters}, key=_column_order)
        rows = _ROW_END_RE.split(piece)  # the last one goes on into the next piece
        for number, row in enumerate(rows):
            unreferenced = len(_ANY_UNREFERENCED_CELL_RE.findall(row))
            if number == 0:
                unreferenced += self.open_row_unreferenced
            self.unreferenced_width = max(self.unreferenced_width, unreferenced)
        self.open_row_unreferenced = len(_ANY_UNREFERENCED_CELL_RE.findall(rows[-1])) + (
            self.open_row_unreferenced if len(rows) == 1 else 0
        )

    def extent(self) -> SheetExtent:
        last_column = column_number(self.letters.decode()) + 1 if self.letters else 0
        # A cell without a reference takes the column after the one before it.
        return SheetExtent(self.last_row, last_column + self.unreferenced_width)


def _column_order(letters: bytes) -> tuple[int, bytes]:
    return len(letters), letters


def _after(text: bytes, first: int, last: int) -> list[bytes]:
    """Regex alternatives for the strings as long as text, of characters first..last, that sort
    after it."""
    alternatives = []
    for position, character in enumerate(text):
        if character < last:
            rest = len(text) - position - 1
            tail = b"[%c-%c]{%d}" % (first, last, rest) if rest else b""
            alternatives.append(
                re.escape(text[:position]) + b"[%c-%c]" % (character + 1, last) + tail
            )
    return alternatives


@functools.lru_cache(maxsize=256)
def _beyond(last_row: int, letters: bytes) -> re.Pattern:
    """A reference past row last_row or past the column of these letters (more digits or
    letters, or as many that sort after them), r= spelled in any way XML allows."""
    digits = str(last_row).encode() if last_row else b""
    rows = [rb"\d{%d,}" % (len(digits) + 1), *_after(digits, ord("0"), ord("9"))]
    columns = [rb"[A-Z]{%d,3}" % (len(letters) + 1)] if len(letters) < 3 else []
    columns += _after(letters, ord("A"), ord("Z"))
    wanted = rb"[A-Z]{0,3}(?:" + b"|".join(rows) + rb""")["']"""
    if columns:
        wanted += rb"|(?:" + b"|".join(columns) + rb")\d"
    # A literal "r" first: the engine skips to each one in C.
    return re.compile(rb"""r\s*=\s*["'](?:""" + wanted + rb")")


def xml_pieces(source: Path | zipfile.ZipFile, part: str) -> Iterator[tuple[bytes, int]]:
    """The part's inflated XML as (buffer, cut): buffer[:cut] is whole tags and text; the rest
    (a tag not yet closed) goes on in the next buffer (the last buffer's cut is its end).

    Text may be cut anywhere, so megabytes of whitespace between two tags go by a chunk at a
    time; a tag longer than a chunk is read on with chunks as long as it, so its bytes are
    copied a few times, not once a chunk (a 195 MB padded sheet took 14 s and 640 MB).
    source: the workbook's path, or the workbook opened already (its directory read once)."""
    with _opened(source) as archive, archive.open(part) as stream:
        inflate_with_isal(stream, archive.getinfo(part))
        rest = b""
        while True:
            chunk = stream.read(max(CHUNK_BYTES, len(rest)))
            buffer = rest + chunk
            cut = len(buffer)
            if chunk:
                last_tag = buffer.rfind(b"<")
                if last_tag >= 0 and not TAG_REST_RE.match(buffer, last_tag + 1):
                    cut = last_tag  # the last tag goes on in the next chunk
            yield buffer, cut
            if not chunk:
                return
            rest = buffer[cut:]


def _opened(source: Path | zipfile.ZipFile):
    if isinstance(source, zipfile.ZipFile):
        return contextlib.nullcontext(source)
    return zipfile.ZipFile(source)


def _count_cells(path: Path | zipfile.ZipFile, part: str) -> int:
    return sum(len(_CELL_RE.findall(buffer, 0, cut)) for buffer, cut in xml_pieces(path, part))


# A row's or a cell's tag (its attributes, and "/" when it closes itself), and its reference.
_ROW_OR_CELL_TAG_RE = re.compile(rb"<(?:[\w.-]+:)?(row|c)\b([^>]*?)(/?)>")
_REFERENCE_RE = re.compile(rb"""\sr\s*=\s*["']([A-Z]{0,3})(\d+)["']""")
_EMPTY_CONTENT_RE = re.compile(rb"\s*</")  # <c r="A1"></c>: written open, holding nothing


def _valued_extent(path: Path | zipfile.ZipFile, part: str) -> SheetExtent:
    """The exact extent of the cells that hold something, which is what calamine's grid spans
    (a formatted empty cell, <c r="XFD1048576" s="1"/>, or a formatted row does not count).
    A loop over every row and cell: only for a sheet whose upper bound looked too far."""
    last_row = last_column = cells = 0
    row, next_column = 0, 1  # the current row; the column a cell without a reference takes
    for buffer, cut in xml_pieces(path, part):
        for tag in _ROW_OR_CELL_TAG_RE.finditer(buffer, 0, cut):
            kind, attributes, closed = tag.groups()
            reference = _REFERENCE_RE.search(attributes)
            if kind == b"row":
                row = int(reference.group(2)) if reference else row + 1
                next_column = 1
                continue
            column = next_column
            if reference and reference.group(1):
                column = column_number(reference.group(1).decode()) + 1
                row = int(reference.group(2))
            next_column = column + 1
            if not closed and not _EMPTY_CONTENT_RE.match(buffer, tag.end()):
                last_row, last_column = max(last_row, row), max(last_column, column)
                cells += 1
    return SheetExtent(last_row, last_column, cells)


def xlsx_extent(path: Path, sheet_name: str) -> SheetExtent:
    """The extent of an .xlsx sheet, read as a stream; raises UnreadableFileError when its
    part cannot be found or read (see unchecked)."""
    scan = _ExtentScan()
    try:
        with zipfile.ZipFile(path) as archive:
            part = sheet_part_path(archive, sheet_name)
            for buffer, cut in xml_pieces(archive, part):
                scan.feed(buffer[:cut])
            extent = scan.extent()  # an upper bound: formatted empty cells and rows count too
            if extent.grid > GRID_FLOOR:
                cells = _count_cells(archive, part)
                extent = SheetExtent(extent.last_row, extent.last_column, cells)
                if extent.grid > grid_limit(extent.cells):
                    extent = _valued_extent(archive, part)
    except Exception as error:  # a damaged zip, part or index (zipfile's, ISA-L's, our own)
        raise unchecked(f"the sheet {sheet_name!r}", error) from error
    return extent


# A claim calamine may reserve room for whatever the part holds (24 bytes a string: 24 MB), for
# writers that put the count of references into uniqueCount.
HARMLESS_STRING_CLAIM = 1 << 20
# deflate packs at most about 1,032 bytes into one; a shared string takes at least 5 (<si/>).
_MOST_INFLATED_PER_BYTE = 1032
_SHARED_STRINGS_TAG_RE = re.compile(rb"<(?:[\w.-]+:)?sst\b[^>]*>")
_UNIQUE_COUNT_RE = re.compile(rb"""\suniqueCount\s*=\s*["'](\d+)["']""")


def check_shared_strings(path: Path) -> None:
    """Refuse an .xlsx whose shared-strings part claims more strings than its bytes can hold:
    calamine reserves room for uniqueCount strings before it reads one, and a claim of four
    billion made it ask for 103 GB and abort the process."""
    try:
        with zipfile.ZipFile(path) as archive:
            part = related_part_path(archive, SHARED_STRINGS_TYPE_SUFFIX)
            if part is None:
                return
            info = archive.getinfo(part)
            with archive.open(info) as stream:
                head = stream.read(1 << 16)
    except Exception as error:  # a damaged zip, part or index: never left to calamine
        raise unchecked("its shared strings", error) from error
    tag = _SHARED_STRINGS_TAG_RE.search(head)
    claimed = _UNIQUE_COUNT_RE.search(tag.group()) if tag else None
    if claimed is None:
        return
    largest = min(info.file_size, info.compress_size * _MOST_INFLATED_PER_BYTE)
    if int(claimed.group(1)) > max(largest // 5 + 16, HARMLESS_STRING_CLAIM):
        raise UnreadableFileError(
            f"The workbook is damaged: its shared strings claim {int(claimed.group(1)):,} "
            "strings, more than the part can hold. Open it in a spreadsheet program, save it "
            "again and upload the new copy."
        )
