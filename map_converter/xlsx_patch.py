"""Write results into a copy of the user's .xlsx by editing only the sheet's XML, as a stream.

Everything else in the package (other sheets, widths, frozen panes, macros) is copied byte for
byte, but the styles part, which gains one number format (xlsx_styles). The sheet goes through
sheet_patcher; inflating and deflating it run in threads of their own (background_io), with
ISA-L's inflate and deflate in place of zlib's (_with_isal).
"""

from __future__ import annotations

import contextlib
import copy
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from .background_io import ReadAhead, WriteBehind
from .errors import UnreadableFileError
from .sheet_patcher import CHUNK_BYTES, SheetPatcher
from .sheet_values import ColumnValues, RowValues
from .sheet_xml import SoundSheet
from .xlsx_cells import CellValue
from .xlsx_links import (
    DAMAGED_ZIP_ERRORS,
    deflate_with_isal,
    inflate_with_isal,
    sheet_part_path,
    styles_part_path,
)
from .xlsx_styles import COORDINATE_NUMBER_FORMAT, with_number_format


def _with_isal(
    member: zipfile.ZipExtFile, info: zipfile.ZipInfo, written, entry: zipfile.ZipInfo
) -> None:
    """ISA-L's inflate and deflate for one part, in place of the zlib objects zipfile made when
    it opened them (zipfile has no public knob): the same raw deflate format, which every zip
    reader inflates. zipfile still reads the headers and checks and writes the CRC. Only
    deflated parts: a stored, bzip2 or LZMA part keeps what zipfile gave it."""
    inflate_with_isal(member, info)
    deflate_with_isal(written, entry)


@contextlib.contextmanager
def _streams(
    source: zipfile.ZipFile, info: zipfile.ZipInfo, target: zipfile.ZipFile, entry: zipfile.ZipInfo
) -> Iterator[tuple[ReadAhead, WriteBehind]]:
    """The part `info` of source to read, and `entry` of target to write, inflated and deflated
    in threads of their own."""
    with (
        source.open(info) as member,
        target.open(entry, "w", force_zip64=info.file_size > (1 << 30)) as written,
    ):
        _with_isal(member, info, written, entry)
        with ReadAhead(member, CHUNK_BYTES) as reader, WriteBehind(written) as writer:
            yield reader, writer


def _copy_member(source: zipfile.ZipFile, info: zipfile.ZipInfo, target: zipfile.ZipFile) -> None:
    """A part copied as it is, deflated again by ISA-L (a 10 MB shared-strings part: 0.03 s and
    2.3 MB, where zlib at level 1 took 0.1 s and 2.5 MB)."""
    entry = copy.copy(info)
    with _streams(source, info, target, entry) as (reader, writer):
        while chunk := reader.read(CHUNK_BYTES):
            writer.write(chunk)


def patch_workbook(
    source_path: Path,
    output_path: Path,
    sheet_name: str,
    rows: Mapping[int, Mapping[int, CellValue]] | Iterable[RowValues] | ColumnValues,
    new_columns: Sequence[int],
    widths: Mapping[int, float],
    header_row: int | None = None,
    last_column: int | None = None,
    coordinate_columns: Sequence[int] = (),
    sound_sheet: SoundSheet | None = None,
) -> None:
    """Copy the workbook with the given cells set on one sheet; nothing else changes but the
    styles part, which gains the number format of the new coordinate_columns' cells.

    rows maps row numbers to {column: value}, or yields (row number, values) in ascending order
    (lazily, so a million rows need no dict of a million rows), or is a ColumnValues (the
    fastest: runs of rows are written without a step per row). sound_sheet: the sheet passed
    sheet_xml.check_sheet already, so it is not checked again."""
    if isinstance(rows, Mapping):
        if last_column is None:
            last_column = max((c for values in rows.values() for c in values), default=0)
        rows = sorted(rows.items())
    last_column = max([*new_columns, last_column or 0])
    temporary_path = Path(str(output_path) + ".partial")
    part = copying = None  # the part being read, to name it if it is damaged
    try:
        with zipfile.ZipFile(source_path) as source:
            part = sheet_part_path(source, sheet_name)
            styles_part, styles_xml, data_styles = None, b"", {}
            if coordinate_columns and (styles_part := styles_part_path(source)):
                copying = styles_part
                edited = with_number_format(source.read(styles_part), COORDINATE_NUMBER_FORMAT)
                if edited:
                    styles_xml, index = edited
                    data_styles = dict.fromkeys(coordinate_columns, b' s="%d"' % index)
            with zipfile.ZipFile(temporary_path, "w", zipfile.ZIP_DEFLATED) as target:
                for info in source.infolist():
                    copying = None
                    if info.filename == part:
                        patched = zipfile.ZipInfo(info.filename, info.date_time)
                        patched.external_attr = info.external_attr
                        patched.compress_type = zipfile.ZIP_DEFLATED
                        with _streams(source, info, target, patched) as (reader, writer):
                            SheetPatcher(
                                rows, last_column, widths, header_row, data_styles, sound_sheet
                            ).run(reader, writer)
                    elif info.filename == styles_part and styles_xml:
                        target.writestr(info, styles_xml)
                    else:
                        copying = info.filename
                        _copy_member(source, info, target)
        temporary_path.replace(output_path)
    except DAMAGED_ZIP_ERRORS as error:  # a part calamine never reads (a theme, docProps)
        raise UnreadableFileError(
            f"The workbook's part {copying or part!r} is damaged ({error}), so the workbook "
            "cannot be copied with your results. Open it in a spreadsheet program, save it "
            "again and upload the new copy."
        ) from error
    finally:
        temporary_path.unlink(missing_ok=True)
