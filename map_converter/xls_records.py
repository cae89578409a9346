"""An .xls workbook's BIFF8 records ([MS-XLS] 2.1.4), read from its compound file with olefile:
the records one by one, where each sheet's records start, and how far a sheet reaches.

calamine sizes a sheet's grid by its DIMENSIONS record and by its cells, and allocates it at
once: a 6 KB file stating 1.1 billion rows (or one cell in column 49,414, where BIFF8 has 256)
made it ask for 185 GB, which aborts the process. xls_extent gives sheet_extent's check what it
needs before calamine opens the sheet. Every loop here is bounded by the stream's length.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

from .sheet_extent import SheetExtent

EOF, FILEPASS, BOUNDSHEET, DIMENSIONS = 0x000A, 0x002F, 0x0085, 0x0200


def workbook_stream(raw: bytes) -> bytes | None:
    """The BIFF8 "Workbook" stream of a compound file; None when it has none (BIFF5 and older
    keep a "Book") or olefile cannot follow the container."""
    import olefile

    try:
        with olefile.OleFileIO(raw) as compound:
            if not compound.exists("Workbook"):
                return None
            return compound.openstream("Workbook").read()
    except Exception:  # olefile's errors for a damaged container
        return None


def records(stream: bytes, position: int = 0) -> Iterator[tuple[int, bytes]]:
    """(type, body) of each record from position to the end of that substream (its EOF)."""
    while position + 4 <= len(stream):
        kind, size = struct.unpack_from("<HH", stream, position)
        body = stream[position + 4 : position + 4 + size]
        position += 4 + size
        yield kind, body
        if kind == EOF:
            return


def short_string(body: bytes, position: int) -> tuple[str, int] | None:
    """ShortXLUnicodeString at position: (text, end), or None when it runs past the body."""
    if position + 2 > len(body):
        return None
    count, wide = body[position], body[position + 1] & 1
    end = position + 2 + count * (2 if wide else 1)
    if end > len(body):
        return None
    raw = body[position + 2 : end]
    return (raw.decode("utf-16-le", "replace") if wide else raw.decode("latin-1")), end


def sheets(stream: bytes) -> list[tuple[str, int, int]] | None:
    """(name, where its records start, sheet type) of each sheet, from the BoundSheet8 records;
    None when the workbook is encrypted (its records are then unreadable to us)."""
    found = []
    for kind, body in records(stream):
        if kind == FILEPASS:
            return None
        if kind == BOUNDSHEET and len(body) >= 8:
            name = short_string(body, 6)
            if name is not None:
                found.append((name[0], struct.unpack_from("<I", body)[0], body[5]))
    return found


# Cell records (row, column first): BLANK, NUMBER, LABEL, BOOLERR, FORMULA, LABELSST, RK,
# RSTRING; MULRK and MULBLANK hold a run of cells from their first column to the last (at the end
# of the record).
_CELLS = frozenset((0x0201, 0x0203, 0x0204, 0x0205, 0x0006, 0x00FD, 0x027E, 0x00D6))
_CELL_RUNS = frozenset((0x00BD, 0x00BE))


def xls_extents(raw: bytes) -> list[tuple[str, SheetExtent]]:
    """How far each sheet reaches, by its DIMENSIONS record and by its cells (calamine sizes its
    grid by both, for every sheet as it opens the workbook), and how many cells it holds; none
    when the workbook cannot be read here (calamine says what is wrong with it)."""
    stream = workbook_stream(raw)
    return (
        [(name, _extent(stream, start)) for name, start, _ in sheets(stream) or ()]
        if stream
        else []
    )


def _extent(stream: bytes, start: int) -> SheetExtent:
    last_row = last_column = cells = 0
    for kind, body in records(stream, start):
        if kind in _CELLS and len(body) >= 4:
            row, column = struct.unpack_from("<HH", body)
            last_row, last_column = max(last_row, row + 1), max(last_column, column + 1)
            cells += 1
        elif kind in _CELL_RUNS and len(body) >= 6:
            row, first_column = struct.unpack_from("<HH", body)
            (final_column,) = struct.unpack_from("<H", body, len(body) - 2)
            last_row, last_column = max(last_row, row + 1), max(last_column, final_column + 1)
            cells += max(final_column - first_column + 1, 0)
        elif kind == DIMENSIONS and len(body) >= 12:
            first_row, rows_end, first_column, columns_end = struct.unpack_from("<IIHH", body)
            if first_row > rows_end or first_column > columns_end:  # calamine subtracts them
                rows_end, columns_end = max(first_row, rows_end, 1 << 32), max(columns_end, 1 << 16)
            last_row, last_column = max(last_row, rows_end), max(last_column, columns_end)
    return SheetExtent(last_row, last_column, cells)
