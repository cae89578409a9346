"""The XML of the cells we write and of the rows we rebuild, for the sheet patcher (and the
cells of a new workbook, new_workbook).

Numbers are numbers, text is an inline string (never a formula, whatever it starts with), a
cell we replace keeps its style, and a row is split into its cells by expat (comment and CDATA
safe) only when our cells must go between the user's.
"""

from __future__ import annotations

import math
import re
import xml.parsers.expat
from collections.abc import Mapping, Sequence

from .errors import UnreadableFileError
from .xlsx_links import column_letters, column_number

_ILLEGAL_XML_CHARS_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
TAG_REST_RE = re.compile(rb"(?:[^>\"']|\"[^\"]*\"|'[^']*')*>")  # attribute values may hold '>'


def attribute_re(name: bytes, value: bytes) -> re.Pattern[bytes]:
    """A start tag from its '<' up to the attribute name (value: a pattern with its groups),
    stepping over the other attributes whole: a value that holds the text r="5" is not r."""
    return re.compile(
        rb"<[^\s/>]+(?:\s+(?!" + name + rb'\s*=)[^\s=/>]+\s*=\s*(?:"[^"]*"|\'[^\']*\'))*'
        rb"\s+" + name + rb'\s*=\s*["\']' + value + rb'["\']'
    )


CELL_REF_RE = attribute_re(b"r", rb"([A-Z]{1,3})\d+")  # .match() at the cell's '<'

CellValue = float | str | None


class DateNumber(float):
    """A date as Excel's number of days, written in NewCells' date style."""


def xml_safe(text: str) -> str:
    """Text without the control characters XML 1.0 cannot hold."""
    return _ILLEGAL_XML_CHARS_RE.sub("", text)


def _escape(text: str) -> bytes:
    return xml_safe(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").encode()


_ESCAPED: dict[str, bytes] = {}  # notes and statuses repeat a lot
_MAX_ESCAPED = 4096


def _escaped(text: str) -> bytes:
    escaped = _ESCAPED.get(text)
    if escaped is None:
        escaped = _escape(text)
        if len(_ESCAPED) < _MAX_ESCAPED:
            _ESCAPED[text] = escaped
    return escaped


class NewCells:
    """The XML of the cells we write, for one namespace prefix and one column -> style mapping
    (b' s="3"': the header's look, a number format). Numbers are numbers, text is an inline
    string (never a formula, whatever it starts with), True and False are booleans, a
    DateNumber is a number in date_style; empty and non-finite values write no cell. Each
    column's cell is a template built once, so a cell costs one formatting step."""

    def __init__(
        self, prefix: bytes, styles: Mapping[int, bytes] | None = None, date_style: bytes = b""
    ):
        self.prefix = prefix
        self.styles = styles or {}
        self.date_style = date_style  # of a DateNumber's cell
        self._by_column: dict[int, tuple[bytes, bytes, bytes, bytes]] = {}

    def _templates(self, column: int) -> tuple[bytes, bytes, bytes, bytes]:
        """(number cell, text cell, true/false cell, date cell) of a column, with the row
        number and value left as %d and %r (a float's repr: the shortest text that reads back
        the same) or %s."""
        templates = self._by_column.get(column)
        if templates is None:
            prefix = self.prefix
            reference = b'<%sc r="%s%%d"' % (prefix, column_letters(column).encode())
            opener = reference + self.styles.get(column, b"")
            close = b"</%sc>" % prefix
            value = b"><%sv>%%r</%sv>" % (prefix, prefix) + close
            text = (
                opener
                + b' t="inlineStr"><%sis><%st xml:space="preserve">%%s</%st></%sis>'
                % ((prefix,) * 4)
                + close
            )
            boolean = opener + b' t="b"' + value.replace(b"%r", b"%d")
            date = reference + self.date_style + value
            templates = self._by_column[column] = (opener + value, text, boolean, date)
        return templates

    def column_cells(
        self, column: int, row_numbers: Sequence[int], values: Sequence[CellValue]
    ) -> list[bytes]:
        """The cell of each row in one column (b"" where the value writes no cell)."""
        number, text, boolean, date = self._templates(column)
        isfinite = math.isfinite
        if len(values) > 1:  # a whole column of one kind is formatted without a Python step
            kinds = set(map(type, values))
            if kinds == {float} and isfinite(sum(values)):  # no inf or nan among them
                return list(map(number.__mod__, zip(row_numbers, values, strict=True)))
            if kinds == {str} and all(values):
                escaped = {value: _escaped(value) for value in set(values)}
                texts = map(escaped.__getitem__, values)
                return list(map(text.__mod__, zip(row_numbers, texts, strict=True)))
        cells = []
        append = cells.append
        for row_number, value in zip(row_numbers, values, strict=True):
            kind = value.__class__
            if kind is float:
                append(number % (row_number, value) if isfinite(value) else b"")
            elif kind is str:
                append(text % (row_number, _escaped(value)) if value else b"")
            elif value is None:
                append(b"")
            elif kind is bool:
                append(boolean % (row_number, value))
            elif kind is int:
                append(number % (row_number, value))
            elif kind is DateNumber:
                append(date % (row_number, float(value)))
            else:
                append(text % (row_number, _escaped(str(value))) if str(value) else b"")
        return cells

    def columns_xml(
        self, row_numbers: Sequence[int], columns: Mapping[int, Sequence[CellValue]], start: int
    ) -> list[list[bytes]]:
        """column_cells of each column, in column order (Excel reads a row's cells only in
        ascending column order, the rest as damage), for rows whose values are
        columns[c][start:]."""
        stop = start + len(row_numbers)
        return [
            self.column_cells(column, row_numbers, columns[column][start:stop])
            for column in sorted(columns)
        ]

    def rows_xml(
        self, row_numbers: Sequence[int], columns: Mapping[int, Sequence[CellValue]], start: int
    ) -> list[bytes]:
        """The new cells of each of these rows (see columns_xml)."""
        return list(map(b"".join, zip(*self.columns_xml(row_numbers, columns, start), strict=True)))

    def cells(self, row_number: int, values: Mapping[int, CellValue]) -> list[tuple[int, bytes]]:
        """(column, cell XML) for each value that writes a cell, in column order."""
        cells = []
        for column in sorted(values):
            cell = self.column_cells(column, (row_number,), (values[column],))[0]
            if cell:
                cells.append((column, cell))
        return cells

    def row_xml(self, row_number: int, values: Mapping[int, CellValue]) -> bytes:
        return self.rows_xml((row_number,), {c: (v,) for c, v in values.items()}, 0)[0]


_STYLE_RE = attribute_re(b"s", rb"(\d+)")


def style_of(cell_or_tag: bytes) -> bytes:
    """b' s="N"' of a cell, or b''."""
    tag = TAG_REST_RE.match(cell_or_tag, 1)
    match = _STYLE_RE.match(cell_or_tag, 0, tag.end() if tag else len(cell_or_tag))
    return b' s="%s"' % match.group(1) if match else b""


def last_cell_column(content: bytes, prefix: bytes) -> int | None:
    """Column of the row's last cell, when it can be told without parsing the row; else None.

    A row holds only <c> elements (no raw '<' in text or attribute values), so without comments,
    CDATA or PIs in it, the last '<c' is the start tag of the last cell."""
    if not content:
        return -1
    if b"<!" in content or b"<?" in content:
        return None
    opener = b"<" + prefix + b"c"
    start = content.rfind(opener)
    if start < 0:
        return -1
    if content[start + len(opener) : start + len(opener) + 1] not in (b" ", b"\t", b"\n", b"\r"):
        return None  # '<c>' or '<c/>' without a reference: the slow path counts cells
    tag = TAG_REST_RE.match(content, start + len(opener))
    reference = CELL_REF_RE.match(content, start, tag.end()) if tag else None
    return column_number(reference.group(1).decode()) if reference else None


def merged_cells(
    content: bytes,
    prefix: bytes,
    row_number: int,
    values,
    is_header: bool,
    new_styles: Mapping[int, bytes] | None = None,
) -> bytes:
    """The row's cells with ours put in column order. A cell we replace keeps its style (its
    number format, say); new header cells take the style of the header's last cell, other new
    cells the style new_styles gives their column."""
    cells: list[tuple[int, bytes]] = []
    styles: dict[int, bytes] = {}
    existing = _split_cells(content, prefix)
    for column, cell in existing:
        if column in values:
            styles[column] = style_of(cell)
        else:
            cells.append((column, cell))
    if is_header:
        header_style = style_of(existing[-1][1]) if existing else b""
        for column in values:
            styles.setdefault(column, header_style)
    elif new_styles:
        for column in values:
            if column in new_styles:
                styles.setdefault(column, new_styles[column])
    new_cells = NewCells(prefix, styles).cells(row_number, values)
    cells.extend(new_cells)
    cells.sort(key=lambda pair: pair[0])
    return b"".join(cell for _, cell in cells)


def _split_cells(content: bytes, prefix: bytes) -> list[tuple[int, bytes]]:
    """The row's child elements with their columns, found by expat (comments and CDATA safe)."""
    spans: list[list[int]] = []
    depth = 0
    parser = xml.parsers.expat.ParserCreate()
    wrapper = b"<w>"

    def start(_name, _attributes):
        nonlocal depth
        depth += 1
        if depth == 2:
            spans.append([parser.CurrentByteIndex - len(wrapper), -1])

    def end(_name):
        nonlocal depth
        if depth == 2:
            spans[-1][1] = parser.CurrentByteIndex - len(wrapper)
        depth -= 1

    parser.StartElementHandler, parser.EndElementHandler = start, end
    try:
        parser.Parse(wrapper + content + b"</w>", True)
    except xml.parsers.expat.ExpatError as error:
        raise UnreadableFileError(f"A row of the sheet is damaged ({error}).") from error
    cells = []
    next_column = 0
    for begin, end_tag in spans:
        tag = TAG_REST_RE.match(content, end_tag)
        finish = tag.end() if tag else len(content)
        element = content[begin:finish]
        reference = CELL_REF_RE.match(element)  # steps over attributes: stays in the start tag
        column = column_number(reference.group(1).decode()) if reference else next_column
        next_column = column + 1
        cells.append((column, element))
    return cells
