"""A workbook with one damaged part (a broken deflate stream, or an index that is not XML) is a
clear error or a converted file, never a crash: each part of a real .xlsx, .xlsb and .ods is
damaged in turn and the file run through the CLI in a child process with capped memory (a
file that made calamine allocate too much aborts that child, never the test run).

Fuzzing found both: a broken sheet relationships part raised zlib's error out of the link
reader (a 500 in the web), and an .xlsb whose relationships part was not XML left the sheet
unchecked while calamine, which reads such XML leniently, opened it and aborted the process."""

from __future__ import annotations

import io
import zipfile

import pytest

from tests.conftest import write_xlsx
from tests.hostile_files import (
    convert_in_child,
    far_corner_xlsb,
    far_corner_xlsx,
    repeated_cells_ods,
    rewrite_part,
)
from tests.xlsb_files import xlsb_bytes

ROWS = [["Name", "Map link"], ["A", "Open map"], ["B", "geo:1.5,2.5"]]


def _xlsx(tmp_path) -> bytes:
    path = write_xlsx(tmp_path / "source.xlsx", ROWS, hyperlinks={"B2": "geo:3.5,4.5"})
    return path.read_bytes()


def _xlsb(_tmp_path) -> bytes:
    return xlsb_bytes({"Places": ROWS}, hyperlinks={"Places": [(1, 1, 1, 1, "geo:3.5,4.5")]})


def _ods(tmp_path) -> bytes:
    from tests.hostile_files import raw_ods

    row = '<table:table-row><table:table-cell office:value-type="string"><text:p>{}</text:p></table:table-cell></table:table-row>'
    return raw_ods({"Places": row.format("Map link") + row.format("geo:1.5,2.5")})


BUILDERS = {"xlsx": _xlsx, "xlsb": _xlsb, "ods": _ods}


def _rewritten(package: bytes, damaged: str, damage) -> bytes:
    """The package with one part's text or stored bytes damaged."""
    if damage == "not-xml":
        return rewrite_part(
            package, damaged, lambda xml: xml[: len(xml) // 2] + b"<\x00>&;" + xml[len(xml) // 2 :]
        )
    written = bytearray(rewrite_part(package, damaged, lambda xml: xml))  # deflated afresh
    if damage == "local-name":  # the name in the part's own header: not UTF-8, flagged as it
        info = zipfile.ZipFile(io.BytesIO(bytes(written))).getinfo(damaged)
        written[info.header_offset + 7] |= 0x08  # general purpose flag bit 11: UTF-8 names
        written[info.header_offset + 30] = 0xF9
    if damage == "deflate":
        info = zipfile.ZipFile(io.BytesIO(bytes(written))).getinfo(damaged)
        start = info.header_offset + 30 + len(info.filename) + len(info.extra)
        size = info.compress_size
        written[start + size // 3 : start + size // 3 + max(4, size // 3)] = b"\xff" * max(
            4, size // 3
        )
    return bytes(written)


def _cases():
    for kind, build in BUILDERS.items():
        for damage in ("deflate", "not-xml", "local-name"):
            yield pytest.param(kind, build, damage, id=f"{kind}-{damage}")


@pytest.mark.parametrize(("kind", "build", "damage"), _cases())
def test_each_damaged_part_is_an_error_or_a_file_never_a_crash(tmp_path, kind, build, damage):
    package = build(tmp_path)
    names = zipfile.ZipFile(io.BytesIO(package)).namelist()
    if damage == "not-xml":
        names = [name for name in names if name.endswith((".xml", ".rels"))]
    damaged = {name: _rewritten(package, name, damage) for name in names}
    assert _crashes(tmp_path, kind, damaged, allowed={0, 1}) == {}


def _crashes(tmp_path, kind: str, damaged: dict[str, bytes], allowed: set[int]) -> dict:
    """{damaged part: (exit code, stderr's end)} of each file the CLI did not answer with an
    allowed exit code and a message (a traceback, an abort, a hang's timeout)."""
    crashes = {}
    for name, package in damaged.items():
        path = tmp_path / f"damaged.{kind}"
        path.write_bytes(package)
        done = convert_in_child(path, tmp_path / "out.csv")
        if done.returncode not in allowed or "Traceback" in done.stderr:
            crashes[name] = (done.returncode, done.stderr[-300:])
    return crashes


def _misquoted_declaration(xml: bytes) -> bytes:
    """calamine's XML reader lets this pass; a strict parser does not."""
    return xml.replace(b'version="1.0"', b'version="1.0', 1)


FAR_REACHING = {"xlsx": far_corner_xlsx, "xlsb": far_corner_xlsb, "ods": repeated_cells_ods}


@pytest.mark.parametrize("kind", sorted(FAR_REACHING))
def test_a_far_reaching_sheet_is_refused_whatever_index_part_is_damaged(tmp_path, kind):
    """The check that refuses a sheet calamine would allocate too much for must not be lost
    because one of the parts it reads is damaged where calamine does not mind."""
    package = FAR_REACHING[kind]()
    names = [
        name
        for name in zipfile.ZipFile(io.BytesIO(package)).namelist()
        if name.endswith((".xml", ".rels"))
    ]
    damaged = {name: rewrite_part(package, name, _misquoted_declaration) for name in names}
    assert _crashes(tmp_path, kind, damaged, allowed={1}) == {}
