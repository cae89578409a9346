"""The XML of the cells we write and of the rows we rebuild, for the sheet patcher.

Numbers are numbers, text is an inline string (never a formula, whatever it starts with), a
cell we replace keeps its style, and a row is split into its cells by expat (comment and CDATA
safe) only when our cells must go between the user's.
"""

from __future__ import annotations

import math
import re
import xml.parsers.expat
from collections.abc import Mapping

from .errors import UnreadableFileError
from .xlsx_links import column_letters, column_number

_ILLEGAL_XML_CHARS_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
TAG_REST_RE = re.compile(rb"(?:[^>\"']|\"[^\"]*\"|'[^']*')*>")  # attribute values may hold '>'
CELL_REF_RE = re.compile(rb'\sr\s*=\s*["\']([A-Z]{1,3})\d+["\']')

CellValue = float | str | None


def xml_safe(text: str) -> str:
    """Text without the control characters XML 1.0 cannot hold."""
    return _ILLEGAL_XML_CHARS_RE.sub("", text)


def _escape(text: str) -> bytes:
    return xml_safe(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").encode()


_CELL_TEMPLATES: dict[tuple[bytes, int, bytes, bool], bytes] = {}
_ESCAPED: dict[str, bytes] = {}  # notes and statuses repeat a lot
_MAX_ESCAPED = 4096


def _cell_template(prefix: bytes, column: int, style: bytes, is_number: bool) -> bytes:
    """A cell's XML with the row number and the value left as %d and %s; built once per
    column, style and kind, so a cell costs one formatting step."""
    key = (prefix, column, style, is_number)
    template = _CELL_TEMPLATES.get(key)
    if template is None:
        opener = b'<%sc r="%s%%d"%s' % (prefix, column_letters(column).encode(), style)
        if is_number:
            body = b"><%sv>%%s</%sv>" % (prefix, prefix)
        else:
            body = b' t="inlineStr"><%sis><%st xml:space="preserve">%%s</%st></%sis>' % (
                (prefix,) * 4
            )
        template = _CELL_TEMPLATES[key] = opener + body + b"</%sc>" % prefix
    return template


def _escaped(text: str) -> bytes:
    escaped = _ESCAPED.get(text)
    if escaped is None:
        escaped = _escape(text)
        if len(_ESCAPED) < _MAX_ESCAPED:
            _ESCAPED[text] = escaped
    return escaped


def cells_xml(
    prefix: bytes,
    row_number: int,
    values: Mapping[int, CellValue],
    styles: Mapping[int, bytes] | None = None,
) -> list[tuple[int, bytes]]:
    """(column, cell XML) for each value, in column order (Excel reads a row's cells only in
    ascending column order and drops the others as damage): numbers as numbers, text as inline strings (never a
    formula, whatever it starts with); empty and non-finite values write no cell. styles gives
    a column's style attribute (b' s="3"'): the header's look, an existing cell's number format."""
    cells = []
    for column in sorted(values):
        value = values[column]
        kind = type(value)
        style = styles.get(column, b"") if styles else b""
        if kind is float or kind is int:
            if not math.isfinite(value):
                continue
            text, is_number = repr(value).encode(), True
        elif value is None or value == "" or kind is bool:
            continue
        else:
            text, is_number = _escaped(str(value)), False
        cells.append(
            (column, _cell_template(prefix, column, style, is_number) % (row_number, text))
        )
    return cells


_STYLE_RE = re.compile(rb'\ss\s*=\s*"(\d+)"')


def style_of(cell_or_tag: bytes) -> bytes:
    """b' s="N"' of a cell, or b''."""
    tag = TAG_REST_RE.match(cell_or_tag, 1)
    match = _STYLE_RE.search(cell_or_tag, 0, tag.end() if tag else len(cell_or_tag))
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
    reference = CELL_REF_RE.search(content, start, tag.end()) if tag else None
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
    new_cells = cells_xml(prefix, row_number, values, styles)
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
        reference = CELL_REF_RE.search(element, 0, (TAG_REST_RE.match(element, 1) or tag).end())
        column = column_number(reference.group(1).decode()) if reference else next_column
        next_column = column + 1
        cells.append((column, element))
    return cells
