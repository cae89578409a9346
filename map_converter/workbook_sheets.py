"""A workbook's sheets read through calamine, and what is read beside each one.

calamine leaves Python's lock free while it parses a sheet, so a thread of ours reads the same
sheet's hyperlinks (and, for the sheet patcher, checks its XML) meanwhile: the two take the time
of the longer.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import functools
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

from .errors import EncryptedFileError, MapConverterError, UnknownSheetError, UnreadableFileError
from .sheet_extent import SheetExtent, check_extent, check_shared_strings, xlsx_extent
from .sheet_xml import SheetSoundness
from .xlsx_links import first_sheet_name, read_xlsx_links

# Without a chosen sheet, the sheets looked through for one with links (each look reads the
# sheet): a workbook of 3,000 small sheets took minutes. A sheet past them can still be chosen.
MAX_SHEETS_LOOKED_AT = 50


class NonBlankRows(NamedTuple):
    """(row number, cells) of the rows that hold something, the first `keep` of them or all, and
    how many such rows there are."""

    kept: list[tuple[int, list]]
    count: int


def non_blank_rows(rows, keep: int | None = None) -> NonBlankRows:
    kept: list[tuple[int, list]] = []
    count = 0
    for number, row in enumerate(rows, start=1):
        # any(row) settles most rows at C speed; the rest may hold 0 or False, which count.
        if any(row) or any(cell not in ("", None) for cell in row):
            count += 1
            if keep is None or count <= keep:
                kept.append((number, row))
    return NonBlankRows(kept, count)


def read_beside_calamine(path: Path, file_format: str, check_sheet_xml: bool):
    """What a thread reads while calamine reads a sheet, as a function of the sheet's name
    giving (links behind labels, the XML check or None); None when there is nothing to read."""
    if file_format in ("xlsx", "xlsm"):
        return functools.partial(links_and_check, path, check_sheet_xml)
    if file_format == "ods":  # the readers of one format are imported for that format only
        from .ods_links import read_ods_links

        return functools.partial(_links_only, read_ods_links, path)
    if file_format == "xls":
        from .xls_links import read_xls_links

        return functools.partial(_links_only, read_xls_links, path)
    if file_format == "xlsb":
        from .xlsb_records import read_xlsb_links

        return functools.partial(_links_only, read_xlsb_links, path)
    return None


def _links_only(read_links, path: Path, sheet_name: str):
    """The links behind labels of a workbook we never patch: no XML check."""
    return read_links(path, sheet_name), None


def links_and_check(path: Path, check_sheet_xml: bool, sheet_name: str):
    """A sheet's hyperlinks, and whether its XML is sound (when asked), in one pass over it."""
    if not check_sheet_xml:
        return read_xlsx_links(path, sheet_name), None
    soundness = SheetSoundness()
    links = read_xlsx_links(path, sheet_name, soundness.feed)
    return links, soundness.sound()


@contextlib.contextmanager
def calamine_failures() -> Iterator[None]:
    """calamine's own errors, or a panic in its Rust code (an .xls cut short before its
    directory makes it index past its data), as the file-level error they mean. pyo3 raises a
    panic as PanicException, which derives from BaseException, so `except Exception` lets it
    through, and pyo3 does not let the class be imported: it is known by its name."""
    try:
        yield
    except BaseException as error:
        if not isinstance(error, Exception) and type(error).__name__ != "PanicException":
            raise
        raise calamine_error(error) from error


def sheet_rows(workbook, name: str, keep: int | None) -> NonBlankRows:
    """The non-blank rows of one calamine sheet: all of them, or the first `keep` (a
    description: rows made as they are counted)."""
    calamine_sheet = workbook.get_sheet_by_name(name)
    if keep is None:
        return non_blank_rows(calamine_sheet.to_python(skip_empty_area=False))
    return non_blank_rows(calamine_sheet.iter_rows(), keep)


# calamine's reader for each format we sniff; it picks one by the file name's extension.
_CALAMINE_READERS = {"xlsx": "xlsx", "xlsm": "xlsx", "xlsb": "xlsb", "xls": "xls", "ods": "ods"}


def open_workbook(path: Path, file_format: str | None):
    """calamine's workbook, by the path when its extension names the sniffed format, else from
    the content (a local file whose name lies: a .xls that a web export named .xlsx)."""
    from python_calamine import CalamineWorkbook

    extension = path.suffix.lower().lstrip(".")
    reader = _CALAMINE_READERS.get(file_format or "")
    if reader is None or _CALAMINE_READERS.get(extension) == reader:
        return CalamineWorkbook.from_path(str(path))
    with open(path, "rb") as handle:
        return CalamineWorkbook.from_filelike(handle)


def workbook_grids(
    path: Path,
    sheet: str | None,
    keep: int | None = None,
    alongside=None,
    file_format: str | None = None,
):
    """(sheet names, sheet name, non-blank rows, alongside's future or None) of the chosen
    sheet, or of every sheet with data in order, through calamine. alongside(sheet name) runs
    in a thread of its own while calamine reads that sheet: calamine leaves Python's lock free,
    so the two take the time of the longer. file_format: the sniffed one, when the caller has it."""
    workbook = None
    early_extents: dict[str, concurrent.futures.Future] = {}
    if file_format == "xls":  # calamine reads every sheet of an .xls as it opens it
        from .xls_records import xls_extents

        for name, extent in xls_extents(path.read_bytes()):
            check_extent(name, extent)
        from .calamine_child import read_in_child

        sheet_names, child_rows = read_in_child(path, sheet, keep)  # see calamine_child
    else:
        if file_format in ("xlsx", "xlsm"):
            check_shared_strings(path)  # calamine reserves room for them as it opens the file
        elif file_format == "ods":  # calamine reads every table of an .ods as it opens it
            from .ods_extent import check_ods_extents

            check_ods_extents(path)
        if scanner := sheet_scanner(file_format):
            # The first sheet's extent is scanned while calamine opens the workbook (which
            # leaves Python's lock free: 0.07 s for 100,000 shared strings).
            first = sheet if sheet is not None else scanner.first_sheet_name(path)
            if first is not None:
                early_extents[first] = _in_thread(scanner.extent, path, first)
        with calamine_failures():
            workbook = open_workbook(path, file_format)
            sheet_names = list(workbook.sheet_names)
    if sheet is not None and sheet not in sheet_names:
        raise UnknownSheetError(
            f"There is no sheet named {sheet!r}. Sheets: {', '.join(sheet_names)}."
        )
    skipped: UnreadableFileError | None = None  # a sheet calamine must not open
    yielded = False
    for name in [sheet] if sheet is not None else sheet_names[:MAX_SHEETS_LOOKED_AT]:
        try:
            check_before_calamine(path, file_format, name, early_extents.get(name))
        except UnreadableFileError as error:
            if sheet is not None:
                raise
            skipped = skipped or error
            continue
        extras = _in_thread(alongside, name) if alongside is not None else None
        if workbook is None:
            rows = child_rows[name]
        else:
            with calamine_failures():
                rows = sheet_rows(workbook, name, keep)
        if rows.count or sheet is not None:
            yielded = True
            yield sheet_names, name, rows, extras
    if skipped is not None and not yielded:
        raise skipped


def check_before_calamine(
    path: Path,
    file_format: str | None,
    sheet_name: str,
    scanned: concurrent.futures.Future | None = None,
) -> None:
    """Refuse an .xlsx or .xlsb sheet whose grid calamine would allocate far past its cells
    (see sheet_extent); scanned: its extent, being read already. An .xls or .ods is checked
    whole before it is opened."""
    if scanned is not None:
        extent = scanned.result()
    else:
        scanner = sheet_scanner(file_format)
        extent = scanner.extent(path, sheet_name) if scanner else None
    if extent is not None:
        check_extent(sheet_name, extent)


class SheetScanner(NamedTuple):
    """How a format's sheets are scanned one by one before calamine reads each: the name of
    the first sheet (None when it cannot be read: each sheet's extent then says why), and a
    sheet's extent (UnreadableFileError when it cannot be read: never left to calamine)."""

    first_sheet_name: Callable[[Path], str | None]
    extent: Callable[[Path, str], SheetExtent]


def sheet_scanner(file_format: str | None) -> SheetScanner | None:
    """The scanner of .xlsx and .xlsb sheets; None for the formats checked whole (.xls, .ods)
    or not at all."""
    if file_format in ("xlsx", "xlsm"):
        return SheetScanner(first_sheet_name, xlsx_extent)
    if file_format == "xlsb":  # read from the binary workbook's records
        from .xlsb_records import first_sheet_name as first_xlsb_sheet_name
        from .xlsb_records import xlsb_extent

        return SheetScanner(first_xlsb_sheet_name, xlsb_extent)
    return None


def _in_thread(function, *args) -> concurrent.futures.Future:
    """function(*args) run in a thread of its own; its result (or error) from the future."""
    future: concurrent.futures.Future = concurrent.futures.Future()
    threading.Thread(target=_run_into, args=(future, function, *args), daemon=True).start()
    return future


def _run_into(future: concurrent.futures.Future, function, *args) -> None:
    try:
        future.set_result(function(*args))
    except BaseException as error:  # raised where the result is asked for
        future.set_exception(error)


def calamine_error(error: Exception) -> MapConverterError:
    message = str(error).lower()
    if "password" in message or "encrypt" in message:
        return EncryptedFileError(
            "The workbook is password-protected. Save a copy without a password and upload that."
        )
    return UnreadableFileError(
        "The workbook could not be read (it may be damaged). "
        "Open it in a spreadsheet program, save it again and upload the new copy."
    )
