"""What an upload looks like to the person who sent it: its sheets, columns, detected link column
and a preview bounded in rows, columns and characters."""

from __future__ import annotations

from pathlib import Path

from .errors import NoLinkColumnError
from .tables import cell_text, detect_link_column

PREVIEW_ROWS = 20
PREVIEW_COLUMNS = 50
PREVIEW_CELL_CHARS = 200


NO_LINK_COLUMN_MESSAGE = (
    "No column of this file holds map links or coordinates that we could find. Choose the sheet "
    "and the column that hold them, then convert."
)


def link_column_or_none(table) -> int | None:
    try:
        return detect_link_column(table)
    except NoLinkColumnError:
        return None


def describe_sheet(table, link_column: int | None) -> dict:
    """Sheet-specific part of a summary: columns, detected link column, rows, and a preview of at
    most PREVIEW_ROWS x PREVIEW_COLUMNS cells, each cut to PREVIEW_CELL_CHARS for display."""
    width = min(len(table.header), PREVIEW_COLUMNS)
    return {
        "sheet": table.sheet_name,
        "columns": table.header,
        "link_column": table.header[link_column] if link_column is not None else None,
        "message": _column_message(table, link_column),
        "row_count": table.row_count,
        "preview": {
            "columns": table.header[:width],
            "rows": [
                [
                    shown_in_preview(row[column]) if column < len(row) else ""
                    for column in range(width)
                ]
                for row in table.rows[:PREVIEW_ROWS]
            ],
        },
    }


def _column_message(table, link_column: int | None) -> str | None:
    if link_column is None:
        return NO_LINK_COLUMN_MESSAGE
    if table.reads_pair(link_column):
        lat, lng = (table.header[column] for column in table.coordinate_pair)
        return f"Each row's point is read from two columns, {lat!r} and {lng!r}."
    return None


def shown_in_preview(value: object) -> str:
    text = cell_text(value)
    return text if len(text) <= PREVIEW_CELL_CHARS else text[: PREVIEW_CELL_CHARS - 1] + "…"


SUMMARY_KEYS = (
    "id",
    "message",
    "filename",
    "format",
    "sheets",
    "sheet",
    "columns",
    "link_column",
    "row_count",
    "preview",
)


def summary_of(manifest: dict) -> dict:
    return {key: manifest.get(key) for key in SUMMARY_KEYS}


def safe_display_name(filename: str) -> str:
    """The client's file name for display and download names only (never a path we open)."""
    name = Path(filename or "").name.replace("\\", "_").replace("/", "_")
    name = "".join(
        character for character in name if character.isprintable() and character not in '"<>|*?:'
    )
    return name[:200] or "spreadsheet"
