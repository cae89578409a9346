"""A corpus of hostile or broken uploads, generated on the fly (nothing binary is committed)."""

from __future__ import annotations

import gzip
import io
import struct
import subprocess
import sys
import zipfile

import xlsxwriter

# The CLI, in a child whose address space is capped at 3 GiB (set by the child itself: a
# preexec_fn is not safe in a test process that runs threads).
_CAPPED_CLI = (
    "import resource, runpy, sys; "
    "resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30)); "
    "sys.argv = ['map_converter', *sys.argv[1:]]; "
    "runpy.run_module('map_converter', run_name='__main__', alter_sys=True)"
)


def convert_in_child(path, output) -> subprocess.CompletedProcess:
    """The CLI on one file in a child process with capped memory: a file that makes calamine
    allocate too much aborts the child quickly, never the test run."""
    return subprocess.run(
        [sys.executable, "-c", _CAPPED_CLI, str(path), "-o", str(output)],
        capture_output=True, text=True, timeout=120, env={"RUST_BACKTRACE": "0", "PATH": ""},
    )  # fmt: skip


CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)
SHEET_HEAD = '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


# Files that are spreadsheets but hold no column of links: the upload succeeds (201) with
# link_column null and a message, so the person can pick the sheet and column (issue 10).
ACCEPTED_WITHOUT_LINKS = "accepted_without_links"


def raw_xlsx(sheet_xml: str, workbook: str = WORKBOOK, include_sheet: bool = True) -> bytes:
    """A minimal .xlsx package around the given sheet XML."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        if include_sheet:
            archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return buffer.getvalue()


def inline_rows(rows: list[list[str]], dimension: str | None = None) -> str:
    """Sheet XML with inline strings (fast to build for a million rows)."""
    parts = [SHEET_HEAD]
    if dimension:
        parts.append(f'<dimension ref="{dimension}"/>')
    parts.append("<sheetData>")
    for number, row in enumerate(rows, start=1):
        cells = "".join(
            f'<c r="{chr(65 + column)}{number}" t="inlineStr"><is><t>{value}</t></is></c>'
            for column, value in enumerate(row)
        )
        parts.append(f'<row r="{number}">{cells}</row>')
    parts.append("</sheetData></worksheet>")
    return "".join(parts)


def valid_xlsx(rows: list[list]) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet()
    for number, row in enumerate(rows):
        sheet.write_row(number, 0, row)
    workbook.close()
    return buffer.getvalue()


def million_row_xlsx() -> bytes:
    """1,048,576 rows (Excel's maximum), written straight as XML."""
    parts = [
        SHEET_HEAD,
        "<sheetData>",
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Link</t></is></c></row>',
    ]
    parts.extend(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(2, 1_048_577))
    parts.append("</sheetData></worksheet>")
    return raw_xlsx("".join(parts))


def write_whitespace_sheet(
    target, megabytes: int, padding_megabytes: int, inside_row: bool = False
) -> None:
    """A one-link sheet inflating to `megabytes` of whitespace (after its rows, or inside its
    second row), its ratio lowered by stored random padding so that the ratio check alone would
    let it through. `target`: a path or a file."""
    import os

    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            member.write((SHEET_HEAD + "<sheetData>").encode())
            member.write(b'<row r="1"><c r="A1" t="inlineStr"><is><t>Link</t></is></c></row>')
            row = b'<row r="2"><c r="A2" t="inlineStr"><is><t>40.7 -74.0</t></is></c></row>'
            if inside_row:
                member.write(b'<row r="2">')
                row = row.removeprefix(b'<row r="2">')
            else:
                member.write(row)
            spaces = b" " * (1 << 20)
            for _ in range(megabytes):
                member.write(spaces)
            member.write((row if inside_row else b"") + b"</sheetData></worksheet>")
        padding = os.urandom(padding_megabytes << 20)
        archive.writestr(zipfile.ZipInfo("padding.bin"), padding, zipfile.ZIP_STORED)


def padded_whitespace_bomb() -> bytes:
    """A sheet inflating to 210 MB, over the 200 MB a part may inflate to."""
    buffer = io.BytesIO()
    write_whitespace_sheet(buffer, 210, 3)
    return buffer.getvalue()


DTD_WORKBOOK = (
    '<?xml version="1.0"?><!DOCTYPE workbook [<!ENTITY x "y">]>'
    + WORKBOOK[WORKBOOK.index("<workbook") :]
)


def zip_bomb() -> bytes:
    """A package whose sheet declares gigabytes of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = b"\x00" * (1 << 20)
            for _ in range(200):
                member.write(chunk)
    return buffer.getvalue()


def billion_laughs() -> bytes:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">'
        for n in range(1, 10)
    )
    sheet = (
        f'<?xml version="1.0"?><!DOCTYPE lolz [{entities}]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Link</t></is></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    return raw_xlsx(sheet)


def encrypted_xlsx() -> bytes:
    import msoffcrypto.format.ooxml as ooxml

    plain = io.BytesIO(valid_xlsx([["Link"], ["40.7, -74.0"]]))
    encrypted = io.BytesIO()
    ooxml.OOXMLFile(plain).encrypt("secret", encrypted)
    return encrypted.getvalue()


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    + b"\x00" * 64
)
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 256
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nstream\n\x00\x01\x02\x03\nendstream\nendobj\n"
OLE_NOT_XLS = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + b"garbage" * 100


def many_sheets_xlsx(count: int) -> bytes:
    """A workbook of `count` small sheets, none with a link: a few hundred KB that made every
    sheet be looked at, each look reading the zip's directory and the workbook's index again."""
    sheets = "".join(
        f'<sheet name="S{n}" sheetId="{n}" r:id="rId{n}"/>' for n in range(1, count + 1)
    )
    workbook = WORKBOOK.replace('<sheet name="Sheet1" sheetId="1" r:id="rId1"/>', sheets)
    relationships = "".join(
        f'<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        f'relationships/worksheet" Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, count + 1)
    )
    sheet = inline_rows([["Name", "Note"], ["a", "b"]])
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            f'openxmlformats.org/package/2006/relationships">{relationships}</Relationships>',
        )
        for n in range(1, count + 1):
            archive.writestr(f"xl/worksheets/sheet{n}.xml", sheet)
    return package.getvalue()


def far_corner_xlsx() -> bytes:
    """A cell at A1 and one at XFD1048576: a grid of 17 billion cells for two."""
    rows = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Link</t></is></c></row>'
        '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    )
    return raw_xlsx(f"{SHEET_HEAD}<sheetData>{rows}</sheetData></worksheet>")


def spaces_ods() -> bytes:
    """A cell whose text asks for two billion spaces (<text:s text:c="…"/>)."""
    spaces = (
        '<table:table-row><table:table-cell office:value-type="string"><text:p>a'
        '<text:s text:c="2000000000"/>b</text:p></table:table-cell></table:table-row>'
    )
    return raw_ods(
        {"Places": f"<table:table-row>{ODS_CELL.format('Map link')}</table:table-row>{spaces}"}
    )


def far_corner_xlsb() -> bytes:
    """The same two cells in an Excel binary workbook."""
    from tests.xlsb_files import xlsb_bytes

    return xlsb_bytes({"Places": {(0, 0): "Link", (1048575, 16383): "x"}})


def shared_strings_claim_xlsx(claimed: int = 4_294_967_295) -> bytes:
    """A shared-strings part that claims four billion strings (or `claimed`) and holds one."""
    source = zipfile.ZipFile(io.BytesIO(raw_xlsx(inline_rows([["Link"], ["geo:1.5,2.5"]]))))
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in source.namelist():
            data = source.read(name)
            if name == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/'
                    b'2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
                )
            archive.writestr(name, data)
        archive.writestr(
            "xl/sharedStrings.xml",
            '<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            f'count="1" uniqueCount="{claimed}"><si><t>Link</t></si></sst>',
        )
    return package.getvalue()


ODS_CELL = '<table:table-cell office:value-type="string"><text:p>{}</text:p></table:table-cell>'


def raw_ods(tables: dict[str, str]) -> bytes:
    """An .ods of these tables (name: the rows' XML), written as it stands."""
    body = "".join(
        f'<table:table table:name="{name}">{rows}</table:table>' for name, rows in tables.items()
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'xmlns:xlink="http://www.w3.org/1999/xlink" office:version="1.2">'
        f"<office:body><office:spreadsheet>{body}</office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet"
        )
        archive.writestr("content.xml", content)
        archive.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
            '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
            '<manifest:file-entry manifest:full-path="/" manifest:media-type='
            '"application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
            'manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>',
        )
    return package.getvalue()


def repeated_cells_ods() -> bytes:
    """815 bytes standing for 95 million cells: one cell repeated over 95 columns, its row over
    a million rows (calamine asked for 3 GB, then aborted the process)."""
    repeated = (
        '<table:table-row table:number-rows-repeated="1000000"><table:table-cell '
        'table:number-columns-repeated="95" office:value-type="string"><text:p>x</text:p>'
        "</table:table-cell></table:table-row>"
    )
    return raw_ods(
        {"Places": f"<table:table-row>{ODS_CELL.format('Map link')}</table:table-row>{repeated}"}
    )


def rewrite_part(package: bytes, name: str, change) -> bytes:
    """The package with one part's bytes changed by change(bytes) -> bytes."""
    source = zipfile.ZipFile(io.BytesIO(package))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            archive.writestr(info, change(data) if info.filename == name else data)
    return output.getvalue()


def endless_ods() -> bytes:
    """An .ods whose table never ends: calamine looped for ever at the end of the file."""
    package = raw_ods(
        {"Places": f"<table:table-row>{ODS_CELL.format('Map link')}</table:table-row>"}
    )
    return rewrite_part(package, "content.xml", lambda xml: xml.replace(b"</table:table>", b""))


def stale_cell_xlsb() -> bytes:
    """An .xlsb cell record of no bytes after a record holding a far column: calamine read the
    column from its reused buffer and asked for 256 GB."""
    from tests.xlsb_files import Raw, xlsb_bytes

    far_column = Raw(0x3D, struct.pack("<II", 4_000_000_000, 0))  # a type calamine passes over
    cells = {(0, 0): "Map link", (1, 0): "geo:1.5,2.5", (1, 1): far_column, (1, 2): Raw(0x04)}
    return xlsb_bytes({"Places": cells})


def lenient_index_xlsx() -> bytes:
    """A far-reaching sheet behind a workbook.xml.rels whose declaration is misquoted: calamine
    reads it anyway; the check that could not once let the sheet through (549 GB)."""
    return rewrite_part(
        far_corner_xlsx(),
        "xl/_rels/workbook.xml.rels",
        lambda xml: xml.replace(b'version="1.0"', b'version="1.0', 1),
    )


def corpus() -> list[tuple[str, bytes, set[str]]]:
    """(file name, content, accepted error codes) for each hostile upload."""
    good = valid_xlsx([["Name", "Link"], ["A", "40.7, -74.0"], ["B", "geo:1.5,2.5"]])
    odt = io.BytesIO()
    with zipfile.ZipFile(odt, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    plain_zip = io.BytesIO()
    with zipfile.ZipFile(plain_zip, "w") as archive:
        archive.writestr("readme.txt", "hello")
    corrupted = bytearray(good)
    sheet_data = corrupted.index(b"xl/worksheets/sheet1.xml") + len(b"xl/worksheets/sheet1.xml")
    corrupted[sheet_data : sheet_data + 120] = b"\xff" * 120  # the sheet's deflate stream
    unreadable = {"unreadable_file", "not_a_spreadsheet", "empty_file", ACCEPTED_WITHOUT_LINKS}
    return [
        ("image.xlsx", PNG, {"not_a_spreadsheet"}),
        ("program.xls", ELF, {"not_a_spreadsheet"}),
        ("document.csv", PDF, {"not_a_spreadsheet"}),
        ("archive.csv", gzip.compress(b"Link\n40.7,-74.0\n" * 100), {"not_a_spreadsheet"}),
        ("text.xlsx", odt.getvalue(), {"not_a_spreadsheet"}),
        ("plain.xlsx", plain_zip.getvalue(), {"not_a_spreadsheet"}),
        ("truncated.xlsx", good[: len(good) // 2], {"unreadable_file"}),
        ("corrupted.xlsx", bytes(corrupted), unreadable),
        ("bomb.xlsx", zip_bomb(), {"unreadable_file"}),
        ("laughs.xlsx", billion_laughs(), unreadable),
        ("locked.xlsx", encrypted_xlsx(), {"encrypted_file"}),
        ("ole.xls", OLE_NOT_XLS, {"unreadable_file"}),
        ("empty.csv", b"", {"empty_file"}),
        ("empty.xlsx", b"", {"empty_file"}),
        ("bom-only.csv", b"\xef\xbb\xbf", {"empty_file"}),
        ("header-only.csv", b"Name,Map link\n", {"empty_file"}),
        ("header-only.xlsx", valid_xlsx([["Name", "Map link"]]), {"empty_file"}),
        ("blank-sheet.xlsx", raw_xlsx(inline_rows([])), {"empty_file"}),
        (
            "broken-workbook.xlsx",
            raw_xlsx(inline_rows([["Link"]]), workbook="<workbook"),
            unreadable,
        ),
        ("missing-sheet.xlsx", raw_xlsx("", include_sheet=False), unreadable),
        ("utf32.csv", "Name,City\nA,B\n".encode("utf-32"), {ACCEPTED_WITHOUT_LINKS}),
        (
            "shift-jis.csv",
            "名前,住所\n東京,千代田区\n".encode("shift_jis"),
            {ACCEPTED_WITHOUT_LINKS},
        ),
        ("utf16-nolinks.csv", "Name\tCity\nA\tB\n".encode("utf-16"), {ACCEPTED_WITHOUT_LINKS}),
        (
            "formulas.csv",
            b"Cmd,Other\n=cmd|' /C calc'!A0,@SUM(1)\n+1+1,-2-2\n",
            {ACCEPTED_WITHOUT_LINKS},
        ),
        (
            "xss.csv",
            b"Name,Note\n<img src=x onerror=alert(1)>,<script>alert(1)</script>\n",
            {ACCEPTED_WITHOUT_LINKS},
        ),
        (
            "nul-in-csv.csv",
            b"Name,Other\n" + b"plain,text\n" * 1000 + b"a\x00b,c\n" * 50,
            {ACCEPTED_WITHOUT_LINKS},
        ),
        (
            "page.xls",
            b"<html><body><table><tr><td>hi</td></tr></table></body></html>",
            {"not_a_spreadsheet"},
        ),
        ("million.xlsx", million_row_xlsx(), {"too_many_rows"}),
        # calamine allocated these grids and tables up front and aborted the process (a worker)
        ("far-corner.xlsx", far_corner_xlsx(), {"unreadable_file"}),
        ("strings-claim.xlsx", shared_strings_claim_xlsx(), {"unreadable_file"}),
        ("repeated.ods", repeated_cells_ods(), {"unreadable_file"}),
        ("far-corner.xlsb", far_corner_xlsb(), {"unreadable_file"}),
        ("spaces.ods", spaces_ods(), {"unreadable_file"}),
        ("padded-bomb.xlsx", padded_whitespace_bomb(), {"unreadable_file"}),
        # found by fuzzing: an endless loop in calamine, and two ways past the checks above
        ("endless.ods", endless_ods(), {"unreadable_file"}),
        ("stale-cell.xlsb", stale_cell_xlsb(), {"unreadable_file"}),
        ("lenient-index.xlsx", lenient_index_xlsx(), {"unreadable_file"}),
        (
            "wide.csv",
            (
                "Link,"
                + ",".join(f"c{n}" for n in range(5000))
                + "\n40.7 -74.0,"
                + "x," * 4999
                + "\n"
            ).encode(),
            {"too_many_columns"},
        ),
        ("blank-lines.csv", b"Link\n" + b"\n" * 1_100_000 + b"40.7,-74.0\n", {"too_many_rows"}),
        (
            "dtd-workbook.xlsx",
            raw_xlsx(inline_rows([["Link"], ["40.7 -74.0"]]), workbook=DTD_WORKBOOK),
            {"unreadable_file"},
        ),
    ]
