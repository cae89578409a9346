"""The one conversion pipeline: read the sheet, read every link, write the outputs asked for.

The CLI, `POST /convert` and background jobs all call `convert_file`; they differ only in the
progress callback, the short-link follower and which outputs they want.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from .convert import ShortLinkFollower, convert_table
from .errors import DISK_FULL_MESSAGE, StorageFullError, is_disk_full
from .output import default_format, format_from_path, write_output
from .results import Conversion, Progress, RowResult
from .sniffing import store_upload
from .tables import Table, read_table


def convert_file(
    source: Path | str,
    outputs: Sequence[tuple[Path, str | None]] = (),
    *,
    file_format: str | None = None,
    sheet: str | None = None,
    column: str | None = None,
    max_rows: int | None = None,
    follower: ShortLinkFollower | None = None,
    progress: Callable[[Progress], None] | None = None,
    known_results: Mapping[int, RowResult] | None = None,
) -> Conversion:
    """Read → convert → write each (path, format) asked for; format None means the input's kind.
    Rows in known_results (by row number) keep that result and are not read again.

    Each output is written to a temporary name first and renamed, so a reader never sees half
    a file and a failure leaves no partial one behind.
    """
    writes_xlsx = any(
        (output_format or format_from_path(Path(path)) or "xlsx") == "xlsx"
        for path, output_format in outputs
    )  # a format we cannot tell yet is the input's own kind, which for a workbook is .xlsx
    table = read_table(
        source, sheet=sheet, max_rows=max_rows, file_format=file_format, check_sheet_xml=writes_xlsx
    )
    conversion = convert_table(table, column, follower, progress, known_results)
    for path, output_format in outputs:
        write_output_atomically(conversion, Path(path), output_format)
    return conversion


def write_output_atomically(conversion: Conversion, path: Path, output_format: str | None) -> str:
    """write_output to a temporary name, then rename; returns the format written."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    output_format = output_format or format_from_path(path)  # from the name, not the temporary one
    try:
        written_format = write_output(conversion, partial, output_format)
        os.replace(partial, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
    return written_format


def convert_upload(
    save_upload: Callable[[Path], None],
    work_root: Path,
    *,
    filename: str = "",
    output_format: str | None = None,
    column: str | None = None,
    sheet: str | None = None,
    max_rows: int | None = None,
    follower: ShortLinkFollower | None = None,
) -> tuple[bytes, str]:
    """One request's conversion (POST /convert): (output bytes, format); leaves no files behind."""
    work_root.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=".convert-", dir=work_root))
    try:
        source, file_format = store_upload(save_upload, folder, filename)
        output_format = output_format or default_format(file_format)
        output_path = folder / f"output.{output_format}"
        convert_file(
            source,
            [(output_path, output_format)],
            file_format=file_format,
            sheet=sheet,
            column=column,
            max_rows=max_rows,
            follower=follower,
        )
        return output_path.read_bytes(), output_format
    except OSError as error:
        if is_disk_full(error):
            raise StorageFullError(DISK_FULL_MESSAGE) from error
        raise
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def conversion_from_results(
    table: Table, link_column_name: str, results: list[RowResult]
) -> Conversion:
    """A finished conversion rebuilt from its stored results, to write another format later."""
    return Conversion(table, table.header.index(link_column_name), results)
