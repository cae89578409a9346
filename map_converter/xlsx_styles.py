"""One more cell format in a workbook's styles part: the number format of the coordinate cells we
add, so that Excel and LibreOffice show every digit we wrote instead of rounding to the width of
a General cell.

The styles part is edited as bytes (two insertions and two counts), like the sheet: everything
else in it stays as the user's program wrote it. When the part is not as expected, nothing is
changed and the new cells keep the General format.
"""

from __future__ import annotations

import re

# At least one decimal, and every further digit a double holds (Excel shows 15 significant ones).
COORDINATE_NUMBER_FORMAT = "0.0##############"
_MAX_STYLES_BYTES = 16 << 20
_FIRST_CUSTOM_FORMAT_ID = 164  # ids below are Excel's built-in formats


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element, name: str) -> list:
    return [child for child in element if _local(child.tag) == name]


def _counted(start_tag: bytes, count: int) -> bytes:
    """The start tag with its count attribute set to count (added when missing)."""
    if re.search(rb'\scount\s*=\s*"\d*"', start_tag):
        return re.sub(rb'(\scount\s*=\s*")\d*(")', rb"\g<1>%d\g<2>" % count, start_tag, count=1)
    return start_tag[:-1] + b' count="%d">' % count


def with_number_format(styles_xml: bytes, format_code: str) -> tuple[bytes, int] | None:
    """The styles part with one cell format added (format_code, default font, fill and border),
    and that format's index (a cell's s attribute); None when the part is left as it was."""
    from defusedxml import DefusedXmlException, ElementTree

    if len(styles_xml) > _MAX_STYLES_BYTES:
        return None
    try:
        root = ElementTree.fromstring(styles_xml)
    except (DefusedXmlException, ElementTree.ParseError):
        return None
    cell_formats = _children(root, "cellXfs")
    number_formats = _children(root, "numFmts")
    if len(cell_formats) != 1 or len(number_formats) > 1 or not _children(root, "fonts"):
        return None
    new_index = len(_children(cell_formats[0], "xf"))
    ids = [
        int(element.get("numFmtId", "0"))
        for parent in number_formats
        for element in _children(parent, "numFmt")
        if element.get("numFmtId", "").isdigit()
    ]
    format_id = max([_FIRST_CUSTOM_FORMAT_ID - 1, *ids]) + 1
    sheet = re.search(rb"<([A-Za-z_][\w.-]*:)?styleSheet[\s>]", styles_xml)
    if not sheet:
        return None
    prefix = sheet.group(1) or b""
    style_xf = (
        b' xfId="0"'
        if any(_children(part, "xf") for part in _children(root, "cellStyleXfs"))
        else b""
    )
    number_format = b'<%snumFmt numFmtId="%d" formatCode="%s"/>' % (
        prefix, format_id, format_code.encode()
    )  # fmt: skip
    cell_format = (
        b'<%sxf numFmtId="%d" fontId="0" fillId="0" borderId="0"%s applyNumberFormat="1"/>'
        % (prefix, format_id, style_xf)
    )
    edited = _insert_last_child(styles_xml, prefix + b"cellXfs", cell_format, new_index + 1)
    if edited is None:
        return None
    if number_formats:
        edited = _insert_last_child(edited, prefix + b"numFmts", number_format, len(ids) + 1)
    else:  # numFmts comes first in a styleSheet
        start_end = edited.index(b">", sheet.start()) + 1
        edited = b"%s<%snumFmts count=\"1\">%s</%snumFmts>%s" % (
            edited[:start_end], prefix, number_format, prefix, edited[start_end:]
        )  # fmt: skip
    if edited is None or not _added_one_format(edited, new_index, format_id):
        return None
    return edited, new_index


def _insert_last_child(xml: bytes, name: bytes, child: bytes, count: int) -> bytes | None:
    """xml with child added at the end of the one <name> element, its count updated."""
    starts = list(re.finditer(rb"<%s(?=[\s>/])[^>]*>" % re.escape(name), xml))
    closing = b"</%s>" % name
    if len(starts) != 1:
        return None
    start = starts[0]
    if start.group().endswith(b"/>"):  # <numFmts count="0"/>: an empty element
        if closing in xml:
            return None
        opened = _counted(start.group()[:-2].rstrip() + b">", count)
        return xml[: start.start()] + opened + child + closing + xml[start.end() :]
    if xml.count(closing) != 1:
        return None
    end = xml.index(closing)
    return (
        xml[: start.start()]
        + _counted(start.group(), count)
        + xml[start.end() : end]
        + child
        + xml[end:]
    )


def _added_one_format(edited: bytes, index: int, format_id: int) -> bool:
    """The edited part still parses, and its cell format `index` has the new number format."""
    from defusedxml import ElementTree

    try:
        root = ElementTree.fromstring(edited)
    except ElementTree.ParseError:
        return False
    formats = _children(_children(root, "cellXfs")[0], "xf")
    return len(formats) == index + 1 and formats[index].get("numFmtId") == str(format_id)
