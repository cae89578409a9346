"""An .xlsb sheet's records: how far its cells reach (checked before calamine reads the sheet)
and the links behind its labels (which calamine does not give).

calamine allocates an .xlsb sheet's grid from its first cell to its last, as it does for .xlsx:
a cell at A1 and one at XFD1048576 made it ask for 549 GB and abort the process. The sheet's
records ([MS-XLSB] 2.1.4: a type and a size, each a variable-length integer, then the body) are
read for their row headers and cells, and sheet_extent's rule applies. A hyperlink (BrtHLink,
[MS-XLSB] 2.4.662: the range it covers, then its relationship's id, location, tooltip and
display text) points through the sheet's relationships to its address.
"""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Iterator
from pathlib import Path

from .sheet_extent import SheetExtent, unchecked
from .xlsx_links import (
    MAX_SHEET_LINKS,
    cells_in_range,
    external_targets,
    inflate_with_isal,
    workbook_part,
)

BUNDLE_SHEET = 0x9C  # BrtBundleSh: a sheet's entry in workbook.bin
ROW_HEADER, BEGIN_SHEET_DATA, END_SHEET_DATA, DIMENSION = 0x00, 0x91, 0x92, 0x94
# Blocks calamine passes over whole while it looks for the sheet's data after its dimension
# (views, AC blocks, column infos): a data start inside one is not where its cells start.
SKIPPED_BLOCKS = {0x85: 0x86, 0x25: 0x26, 0x186: 0x187}
HYPERLINK = 0x1EE  # BrtHLink
# The cell records calamine reads a value from (BrtCellRk … BrtFmlaError); the column is the
# body's first four bytes. BrtCellBlank (1) and the BrtShort* records (12-18) are written cells
# too, counted but not reached for.
VALUE_CELLS = frozenset(range(0x02, 0x0C))
WRITTEN_CELLS = frozenset(range(0x01, 0x13))
LAST_ROW_INDEX = 0x100000  # calamine stops reading a sheet at a row header past this
_UINT32 = struct.Struct("<I")
CHUNK_BYTES = 1 << 20


def _records(stream) -> Iterator[tuple[int, bytes, int, int]]:
    """(type, buffer, start, size) of each record in the stream, read in chunks: its body is
    buffer[start:start + size] (not sliced here: most records are looked at for a few bytes)."""
    buffer, position, end = b"", 0, 0
    while True:
        if end - position < 6:  # a record's type and size take at most 6 bytes
            buffer = buffer[position:] + stream.read(CHUNK_BYTES)
            position, end = 0, len(buffer)
            if not end:
                return
        kind = buffer[position]
        size = buffer[position + 1] if end - position > 1 else 0x80
        if kind < 0x80 and size < 0x80:  # most records: a byte each
            position += 2
        else:
            position += 1
            if kind & 0x80:
                kind = (kind & 0x7F) | ((buffer[position] & 0x7F) << 7) if position < end else -1
                position += 1
            size = shift = 0
            for _ in range(4):
                if position >= end:
                    return
                byte = buffer[position]
                position += 1
                size |= (byte & 0x7F) << shift
                shift += 7
                if not byte & 0x80:
                    break
            if kind < 0:
                return
        if end - position < size:
            buffer = buffer[position:] + stream.read(max(CHUNK_BYTES, size))
            position, end = 0, len(buffer)
            if end < size:
                return  # cut short: calamine says so
        yield kind, buffer, position, size
        position += size


def _wide_string(body: bytes, offset: int) -> tuple[str | None, int]:
    """An XLNullableWideString at offset (a count of UTF-16 units, 0xFFFFFFFF for none), and
    the offset after it."""
    (count,) = _UINT32.unpack_from(body, offset)
    offset += 4
    if count == 0xFFFFFFFF:
        return None, offset
    end = offset + 2 * count
    return body[offset:end].decode("utf-16-le", "replace"), end


def _sheet_entries(archive: zipfile.ZipFile) -> Iterator[tuple[str | None, str | None]]:
    """(relationship id, name) of each sheet in workbook.bin, in order."""
    with archive.open("xl/workbook.bin") as workbook:
        for kind, buffer, start, size in _records(workbook):
            if kind == BUNDLE_SHEET and size >= 16:
                body = buffer[start : start + size]
                entry_id, offset = _wide_string(body, 8)  # after hsState and iTabID
                name, _ = _wide_string(body, offset)
                yield entry_id, name


def sheet_part_path(archive: zipfile.ZipFile, sheet_name: str) -> str:
    """Zip path of an .xlsb sheet, from workbook.bin's sheet entries and their relationships."""
    relationship_id = next(
        (entry_id for entry_id, name in _sheet_entries(archive) if name == sheet_name), None
    )
    return workbook_part(archive, "xl/_rels/workbook.bin.rels", relationship_id, sheet_name)


def first_sheet_name(path: Path) -> str | None:
    """The name of the workbook's first sheet; None when it cannot be read (calamine then says
    what is wrong)."""
    try:
        with zipfile.ZipFile(path) as archive:
            return next((name for _, name in _sheet_entries(archive)), None)
    except Exception:  # a damaged zip or part
        return None


def xlsb_extent(path: Path, sheet_name: str) -> SheetExtent:
    """The extent of the cells calamine would read from an .xlsb sheet, and how many cells the
    sheet writes; raises UnreadableFileError when its part cannot be found or read (see
    sheet_extent.unchecked).

    The records are walked as calamine walks them: the dimension first, then the data start
    past the blocks it skips; and a row or column is read from the bytes calamine reads it
    from. calamine reads each record into one buffer that grows but is never cut: a record
    shorter than four bytes leaves the bytes of the records before it in place, and a cell or
    row header of no bytes reads its column or row from them (fuzzing found such a cell
    reaching column 1,042,428,225 where its own record said nothing)."""
    last_row = last_column = cells = 0
    try:
        with zipfile.ZipFile(path) as archive:
            part = sheet_part_path(archive, sheet_name)
            with archive.open(part) as stream:
                inflate_with_isal(stream, archive.getinfo(part))
                row, unpack_from = 0, _UINT32.unpack_from
                stage, skip_until = _BEFORE_DIMENSION, None
                # calamine's buffer: its first bytes are held[at:at + 4] (no copy of a record
                # of four bytes or more), and it is held_length long
                held, at, held_length = b"", 0, 0
                for kind, buffer, start, size in _records(stream):
                    if size >= 4:
                        held, at = buffer, start
                    else:
                        first = held[at : at + min(held_length, 4)]
                        held, at = buffer[start : start + size] + first[size:], 0
                    if size > held_length:
                        held_length = size
                    if stage == _IN_DATA:
                        if kind in WRITTEN_CELLS:
                            cells += 1
                            if kind in VALUE_CELLS:
                                if held_length < 4:
                                    break  # calamine stops: it cannot read a column
                                if row >= last_row:
                                    last_row = row + 1
                                column = unpack_from(held, at)[0]
                                if column >= last_column:
                                    last_column = column + 1
                        elif kind == ROW_HEADER:
                            if held_length < 4:
                                break
                            (row,) = unpack_from(held, at)
                            if row > LAST_ROW_INDEX:
                                break
                        elif kind == END_SHEET_DATA:
                            break
                    elif skip_until is not None:
                        if kind == skip_until:
                            skip_until = None
                    elif stage == _BEFORE_DIMENSION:
                        if kind == DIMENSION:
                            stage = _BEFORE_DATA
                    elif kind == BEGIN_SHEET_DATA:
                        stage = _IN_DATA
                    else:
                        skip_until = SKIPPED_BLOCKS.get(kind)
    except Exception as error:  # a damaged zip, part or index: never left to calamine
        raise unchecked(f"the sheet {sheet_name!r}", error) from error
    return SheetExtent(last_row, last_column, cells)


_BEFORE_DIMENSION, _BEFORE_DATA, _IN_DATA = range(3)


def read_xlsb_links(path: Path, sheet_name: str) -> dict[tuple[int, int], str]:
    """(row number from 1, column index from 0) -> the address of the hyperlink over that cell,
    for the cells of the named sheet whose hyperlink leads out of the workbook. A sheet without
    such a relationship is not read at all."""
    links: dict[tuple[int, int], str] = {}
    try:
        with zipfile.ZipFile(path) as archive:
            part = sheet_part_path(archive, sheet_name)
            targets = external_targets(archive, part)
            if not targets:
                return links
            with archive.open(part) as stream:
                inflate_with_isal(stream, archive.getinfo(part))
                for kind, buffer, start, size in _records(stream):
                    if kind == HYPERLINK and size >= 20:
                        body = buffer[start : start + size]
                        for cell, target in _hyperlink_cells(body, targets):
                            if len(links) >= MAX_SHEET_LINKS:
                                return links
                            links.setdefault(cell, target)
    except Exception:  # a damaged zip, part or index: the links behind labels are only extra
        return links
    return links


def _hyperlink_cells(body: bytes, targets: dict[bytes, str]):
    """((row number, column), address) of each cell a BrtHLink record covers."""
    first_row, last_row, first_column, last_column = struct.unpack_from("<IIII", body)
    try:
        relationship_id, _ = _wide_string(body, 16)
    except struct.error:  # cut short
        return []
    target = targets.get(relationship_id.encode()) if relationship_id else None
    if not target:
        return []
    cells = cells_in_range(first_row + 1, last_row + 1, first_column, last_column)
    return [(cell, target) for cell in cells]
