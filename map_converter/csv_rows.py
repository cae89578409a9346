"""A CSV or TSV file's rows: its text decoded (text_encodings), its delimiter sniffed from the
first lines, blank lines skipped as they are read and counted against a sheet's size."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from .errors import MAX_COLUMNS, TooManyColumnsError, TooManyRowsError, UnreadableFileError
from .text_encodings import decode_text
from .workbook_sheets import NonBlankRows

MAX_SCANNED_ROWS = 1_048_576 + 1  # Excel's own sheet size (+ the header): blank lines count too
# The delimiter shows in the first lines; sniffing 64 KB cost more than it told.
CSV_SNIFF_LINES = 20
CSV_SNIFF_MAX_CHARS = 16384


def _first_lines(text: str, count: int) -> str:
    end = 0
    for _ in range(count):
        newline = text.find("\n", end, CSV_SNIFF_MAX_CHARS)
        if newline < 0:
            return text[:CSV_SNIFF_MAX_CHARS]
        end = newline + 1
    return text[:end]


def read_csv_rows(
    path: Path, file_format: str, keep: int | None = None
) -> tuple[NonBlankRows, str]:
    """The non-blank rows of a CSV/TSV file as (row number, cells), and the delimiter.

    Blank lines are skipped as they are read (a file of empty lines costs no memory) and
    counted against MAX_SCANNED_ROWS."""
    text = decode_text(path.read_bytes())
    if file_format == "tsv":
        delimiter = "\t"
    else:
        sample = _first_lines(text, CSV_SNIFF_LINES)
        try:
            delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = ","
    rows: list[tuple[int, list]] = []
    count = 0
    # csv refuses a field over 128 KB by default, so one long cell (a page pasted into a note)
    # made the whole file unreadable. No field is longer than the text, whose size the upload
    # limits bound already; the limit is process-wide and only ever raised.
    if len(text) > csv.field_size_limit():
        csv.field_size_limit(len(text))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for row in reader:
            if reader.line_num > MAX_SCANNED_ROWS:
                raise TooManyRowsError(
                    f"The file has more than {MAX_SCANNED_ROWS - 1:,} lines (blank ones included). "
                    "Remove the empty lines or split the file."
                )
            if any(row):
                if len(row) > MAX_COLUMNS and any(row[MAX_COLUMNS:]):
                    raise TooManyColumnsError.for_count(len(row))
                count += 1
                if keep is None or count <= keep:
                    rows.append((reader.line_num, row))
    except csv.Error as error:  # NUL bytes
        raise UnreadableFileError(
            f"The CSV file could not be read ({error}). Save it again as plain UTF-8 CSV."
        ) from error
    return NonBlankRows(rows, count), delimiter
