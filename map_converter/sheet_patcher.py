"""The sheet's XML, copied as a stream from reader to writer with our cells put in.

The XML is read in chunks and checked (sheet_xml) unless that was done already; a scanner that
knows comments, CDATA sections, processing instructions and namespace prefixes finds each <row>
and where it ends. Runs of plain rows are edited at once. New cells are appended to a row when
they come after its last cell (the usual case: our columns are new); otherwise that row alone
is split into its cells and rebuilt in column order. Memory stays at a chunk plus the longest
row, whatever the size of the sheet.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from itertools import chain, repeat
from typing import BinaryIO

from .errors import UnreadableFileError
from .sheet_values import ColumnValues, RowValues, ValueCursor
from .sheet_xml import CHUNK_BYTES, NoCheck, SheetXmlCheck, SoundSheet
from .xlsx_cells import (
    TAG_REST_RE,
    NewCells,
    attribute_re,
    last_cell_column,
    merged_cells,
    style_of,
)
from .xlsx_links import column_letters, column_number

_NAME = rb"(?:[A-Za-z_][\w.-]*:)?"
# Where something interesting may start: markup that can hide '<row', and the tags we edit.
_MARK_RE = re.compile(
    rb"<(?:!--|!\[CDATA\[|\?|!|(/?)(" + _NAME + rb")(row|sheetData|dimension|cols)(?=[\s/>]))"
)
_CLOSERS = {b"<!--": b"-->", b"<![CDATA[": b"]]>", b"<?": b"?>"}
_NOT_MARKUP = -1


def _markup_end(buffer: bytes, start: int) -> int | None:
    """End of the comment, CDATA section or PI at start; None when it ends beyond the buffer,
    _NOT_MARKUP when there is none of them at start."""
    for begin, finish in _CLOSERS.items():
        if buffer.startswith(begin, start):
            stop = buffer.find(finish, start + len(begin))
            return None if stop < 0 else stop + len(finish)
    return _NOT_MARKUP


_ROW_NUMBER_RE = attribute_re(b"r", rb"(\d+)")  # .match() at the row's '<'
_SPANS_RE = re.compile(rb'\s+spans\s*=\s*"[^"]*"')
_DIMENSION_REF_RE = re.compile(rb'ref\s*=\s*"([A-Z]{1,3}\d+)(?::([A-Z]{1,3})(\d+))?"')


class _RunPatterns:
    """What a run of plain rows looks like (for one namespace prefix): each row tag is
    <row r="N" name="value"...> (no '>' or '<' in a value, single spaces, not self-closing),
    rows follow each other with only whitespace between them, each cell starts <c r="A1"."""

    def __init__(self, prefix: bytes):
        row, cell = b"<" + prefix + b"row", b"<" + prefix + b"c"
        self.row_opener = row
        self.row_closer = b"</" + prefix + b"row>"
        self.row_numbers = re.compile(re.escape(row) + rb' r="(\d+)"(?: [\w:.-]+="[^"<>]*")*>')
        # split() leaves a row tag's text up to its spans attribute, and the rest after it.
        self.row_spans = re.compile(
            b"(" + re.escape(row) + rb' r="\d+"(?: (?!spans=)[\w:.-]+="[^"<>]*")*) spans="[^"<>]*"'
        )
        self.row_joins = re.compile(re.escape(self.row_closer) + rb"\s*" + re.escape(row))
        # The column letters of each cell, b"" for a cell that does not start <c r="A1" (then
        # the run is not plain): one pass finds both.
        self.cell_columns = re.compile(re.escape(cell) + rb'(?=[\s/>])(?: r="([A-Z]{1,3})\d+")?')
        self.sheet_data_end = b"</" + prefix + b"sheetData"
        self.stoppers = (b"<!", b"<?", self.sheet_data_end)


_RUN_PATTERNS: dict[bytes, _RunPatterns] = {}


class SheetPatcher:
    """Copies the sheet XML from reader to writer, editing the rows that have values."""

    def __init__(
        self,
        rows: ColumnValues | Iterable[RowValues],
        last_column: int,
        widths,
        header_row: int | None = None,
        data_styles: Mapping[int, bytes] | None = None,
        sound_sheet: SoundSheet | None = None,
    ):
        self.sound_sheet = sound_sheet
        self.header_row = header_row
        # Style attributes of the new cells below the header (a number format), by column.
        self.data_styles = data_styles or {}
        # (row number, values) in ascending order, taken as the sheet's rows go by.
        self._values = ValueCursor(rows)
        self.last_column = last_column
        self.widths = widths
        self.has_cols = False
        self.in_sheet_data = False
        self.after_sheet_data = False
        self.previous_row_number = 0
        self.prefix = b""
        self._data_cells: dict[bytes, NewCells] = {}  # by namespace prefix
        self._offset = 0  # where the buffer starts in the sheet's XML
        self._no_run_before = 0  # a run of rows was refused up to here

    def run(self, reader: BinaryIO, writer: BinaryIO) -> None:
        check = NoCheck() if self.sound_sheet else SheetXmlCheck()
        buffer = b""
        is_end = False
        while True:
            # A construct longer than a chunk (a row padded with megabytes of whitespace) is
            # read on in chunks as long as what is held: scanned a few times, not once a chunk.
            chunk = b"" if is_end else reader.read(max(CHUNK_BYTES, len(buffer)))
            is_end = not chunk
            check.feed(chunk, is_end)
            buffer = buffer + chunk if buffer else chunk
            done, output = self._scan(buffer, is_end)
            writer.write(b"".join(output))
            buffer = buffer[done:]
            self._offset += done
            if is_end:
                if buffer:
                    writer.write(buffer)
                return

    def _scan(self, buffer: bytes, is_end: bool) -> tuple[int, list[bytes]]:
        """Process the whole constructs in buffer: (bytes consumed, output pieces)."""
        output: list[bytes] = []
        position = 0  # everything before it is in output
        while not self.after_sheet_data:
            mark = _MARK_RE.search(buffer, position)
            if mark is None:
                keep = len(buffer) if is_end else max(position, len(buffer) - 64)
                output.append(buffer[position:keep])  # a mark may begin in the kept bytes
                return keep, output
            start = mark.start()
            end, replacement = self._construct(buffer, mark)
            if end is None:  # the construct goes on in the next chunk
                if is_end:
                    raise UnreadableFileError("The sheet's XML ends in the middle of an element.")
                output.append(buffer[position:start])
                return start, output
            output.append(buffer[position:start])
            output.append(buffer[start:end] if replacement is None else replacement)
            position = end
        output.append(buffer[position:])
        return len(buffer), output

    def _construct(self, buffer: bytes, mark: re.Match) -> tuple[int | None, bytes | None]:
        """(end of the construct at mark, what to write instead or None to copy it)."""
        start = mark.start()
        name = mark.group(3)
        if name is None:  # a comment, CDATA, PI or declaration: copied, never looked into
            end = _markup_end(buffer, start)
            if end == _NOT_MARKUP:
                tag = TAG_REST_RE.match(buffer, mark.end())
                end = None if tag is None else tag.end()
            return end, None
        tag = TAG_REST_RE.match(buffer, mark.end())
        if tag is None:
            return None, None
        is_closing, prefix = mark.group(1), mark.group(2)
        tag_bytes = buffer[start : tag.end()]
        if name == b"row" and not is_closing:
            if self.in_sheet_data and prefix == self.prefix:
                run = self._run_of_rows(buffer, start)
                if run is not None:
                    return run
            row_end = self._row_end(buffer, tag.end(), prefix, tag_bytes)
            if row_end is None:
                return None, None
            content_end, element_end = row_end
            return element_end, self._row(tag_bytes, buffer[tag.end() : content_end], prefix)
        if name == b"sheetData":
            return tag.end(), self._sheet_data_tag(tag_bytes, is_closing, prefix)
        if name == b"dimension" and not is_closing:
            return tag.end(), self._dimension(tag_bytes)
        if name == b"cols":
            self.has_cols = True
        return tag.end(), None

    def _row_end(self, buffer: bytes, position: int, prefix: bytes, tag_bytes: bytes):
        """(end of the row's content, end of the row element), or None when not in the buffer."""
        if tag_bytes.endswith(b"/>"):
            return position, position
        closing = b"</" + prefix + b"row>"
        search_from = position
        while True:
            end = buffer.find(closing, search_from)
            special = buffer.find(b"<!", search_from, end if end >= 0 else len(buffer))
            if end < 0 and special < 0:
                return None
            if special >= 0:  # a comment or CDATA inside the row may hold '</row>'
                skipped = _markup_end(buffer, special)
                if skipped is None:
                    return None
                search_from = special + 2 if skipped == _NOT_MARKUP else skipped
                continue
            return end, end + len(closing)

    def _run_of_rows(self, buffer: bytes, start: int) -> tuple[int, bytes] | None:
        """The whole rows from start on, edited at once, when they are plain (_RunPatterns) and
        hold no comment, CDATA or PI: (end, output), or None for the row-by-row path. The result
        is the same; this only spends less Python per row."""
        if self._offset + start < self._no_run_before:
            return None
        patterns = _RUN_PATTERNS.get(self.prefix)
        if patterns is None:
            patterns = _RUN_PATTERNS[self.prefix] = _RunPatterns(self.prefix)
        limit = len(buffer)
        plain = self.sound_sheet is not None and self.sound_sheet.plain  # no <! or <? to find
        for stopper in (patterns.sheet_data_end,) if plain else patterns.stoppers:
            found = buffer.find(stopper, start, limit)
            if found >= 0:
                limit = found
        closer = patterns.row_closer
        end = buffer.rfind(closer, start, limit)
        if end < 0:
            return None
        end += len(closer)
        region = buffer[start:end]
        count = region.count(closer)
        numbers = patterns.row_numbers.findall(region)
        if (
            len(numbers) != count
            or region.count(patterns.row_opener) != count
            or (
                region.count(closer + patterns.row_opener) != count - 1
                and len(patterns.row_joins.findall(region)) != count - 1
            )  # rows side by side, or with whitespace between them
            or b"" in (cell_letters := set(patterns.cell_columns.findall(region)))
        ):
            self._no_run_before = self._offset + end
            return None
        # Every '<row' is the start of one piece, so piece i is row i: its tag, then its cells.
        last_existing = max((column_number(c.decode()) for c in cell_letters), default=-1)
        prefix, header_row, values_to_write = self.prefix, self.header_row, self._values
        new_cells = self._new_cells(prefix)
        row_numbers = list(map(int, numbers))
        columns = values_to_write.columns
        if (
            columns
            and min(columns) > last_existing
            and (taken := values_to_write.take_run(row_numbers)) is not None
        ):  # every row of the run gets its cells after the user's: one join, no loop
            if b" spans=" in region:  # a hint our new cells would break; only in row tags
                region = b"".join(patterns.row_spans.split(region))
            cells = new_cells.columns_xml(row_numbers, columns, taken[0])
            self.previous_row_number = row_numbers[-1]
            pieces = region.split(closer)
            return end, b"".join(chain.from_iterable(zip(pieces, *cells, repeat(closer))))
        pieces = region.split(closer)
        output: list[bytes] = []
        append = output.append
        done = start  # the rows before it are in output
        for row_number, piece in zip(row_numbers, pieces, strict=False):  # pieces ends with b""
            done += len(piece) + len(closer)
            waiting = values_to_write.next  # (row number, values) of the next row to write
            if waiting is None or waiting[0] > row_number:  # nothing to write in this row
                append(piece)
                append(closer)
                continue
            values = waiting[1]
            tag_end = piece.find(b">") + 1
            if (
                waiting[0] < row_number
                or row_number == header_row
                or not values
                or min(values) <= last_existing
            ):  # rows to add before it, the header, or cells to put between the user's
                tag_start = piece.find(b"<")  # after the whitespace between rows
                append(piece[:tag_start])
                append(self._row(piece[tag_start:tag_end], piece[tag_end:], prefix))
                if row_number == header_row and done < end:
                    return done, b"".join(output)  # the rows after the header: a run again
                continue
            values_to_write.advance()
            if piece.find(b"spans", 0, tag_end) >= 0:
                append(_SPANS_RE.sub(b"", piece[:tag_end]))
                append(piece[tag_end:])
            else:
                append(piece)
            append(new_cells.row_xml(row_number, values))
            append(closer)
        self.previous_row_number = row_numbers[-1]
        return end, b"".join(output)

    def _row(self, tag_bytes: bytes, content: bytes, prefix: bytes) -> bytes:
        number = _ROW_NUMBER_RE.match(tag_bytes)
        row_number = int(number.group(1)) if number else self.previous_row_number + 1
        self.previous_row_number = row_number
        missing = self._new_rows(prefix, before=row_number)
        values_to_write = self._values
        values = None
        if values_to_write.next is not None and values_to_write.next[0] == row_number:
            values = values_to_write.next[1]
            values_to_write.advance()
        if values is None:
            end = b"" if tag_bytes.endswith(b"/>") else b"</" + prefix + b"row>"
            return missing + tag_bytes + content + end
        start_tag = _SPANS_RE.sub(b"", tag_bytes)  # spans is a hint our new cells would break
        if start_tag.endswith(b"/>"):
            start_tag = start_tag[:-2].rstrip() + b">"
        first_new = min(values, default=0)
        last_existing = last_cell_column(content, prefix)
        is_header = row_number == self.header_row
        if last_existing is not None and last_existing < first_new:
            new_cells = self._new_cells(prefix)
            if is_header:
                # New header cells look like the header: the style of its last cell.
                last_cell = content[content.rfind(b"<" + prefix + b"c") :]
                styles = dict.fromkeys(values, style_of(last_cell)) if last_existing >= 0 else {}
                new_cells = NewCells(prefix, styles)
            body = content + new_cells.row_xml(row_number, values)
        else:
            body = merged_cells(content, prefix, row_number, values, is_header, self.data_styles)
        return missing + start_tag + body + b"</" + prefix + b"row>"

    def _new_cells(self, prefix: bytes) -> NewCells:
        """The new cells below the header (their style: a number format), for this prefix."""
        new_cells = self._data_cells.get(prefix)
        if new_cells is None:
            new_cells = self._data_cells[prefix] = NewCells(prefix, self.data_styles)
        return new_cells

    def _new_row(self, row_number: int, values, prefix: bytes) -> bytes:
        is_header = row_number == self.header_row
        new_cells = NewCells(prefix) if is_header else self._new_cells(prefix)
        cells = new_cells.row_xml(row_number, values)
        return b'<%srow r="%d">%s</%srow>' % (prefix, row_number, cells, prefix)

    def _new_rows(self, prefix: bytes, before: int | None = None) -> bytes:
        """Rows we must write that the sheet has no <row> for: those numbered below `before`,
        or all that are left."""
        rows = []
        values_to_write = self._values
        while values_to_write.next is not None and (
            before is None or values_to_write.next[0] < before
        ):
            rows.append(self._new_row(*values_to_write.next, prefix))
            values_to_write.advance()
        return b"".join(rows)

    def _sheet_data_tag(self, tag_bytes: bytes, is_closing: bytes, prefix: bytes) -> bytes:
        if is_closing:
            self.after_sheet_data = True
            return self._new_rows(prefix) + tag_bytes
        self.in_sheet_data = True
        self.prefix = prefix
        cols = b""
        if self.widths and not self.has_cols:
            cols = b"<%scols>%s</%scols>" % (
                prefix,
                b"".join(
                    b'<%scol min="%d" max="%d" width="%s" customWidth="1"/>'
                    % (prefix, column + 1, column + 1, repr(width).encode())
                    for column, width in sorted(self.widths.items())
                ),
                prefix,
            )
        if tag_bytes.endswith(b"/>"):
            self.after_sheet_data = True
            opened = tag_bytes[:-2].rstrip() + b">"
            return cols + opened + self._new_rows(prefix) + b"</" + prefix + b"sheetData>"
        return cols + tag_bytes

    def _dimension(self, tag_bytes: bytes) -> bytes:
        match = _DIMENSION_REF_RE.search(tag_bytes)
        if not match:
            return tag_bytes
        start, end_letters, end_row = match.group(1), match.group(2), match.group(3)
        if end_letters is None:
            end_letters, end_row = re.match(rb"([A-Z]+)(\d+)", start).groups()
        end_column = max(column_number(end_letters.decode()), self.last_column)
        widened = b'ref="%s:%s%s"' % (start, column_letters(end_column).encode(), end_row)
        return tag_bytes[: match.start()] + widened + tag_bytes[match.end() :]
