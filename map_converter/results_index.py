"""The results index: every row's result in a small SQLite file, for paging and later formats."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from .results import RowResult, RowStatus

# The one column list: the table, the inserts, the reads and the API's row keys follow it.
COLUMNS = ("row_number", "name", "link", "lat", "lng", "status", "method", "note")
_TYPES = {"row_number": "INTEGER", "lat": "REAL", "lng": "REAL"}


def write_results_index(path: Path, results: list[RowResult]) -> None:
    """A fresh index at path (the caller renames it into place)."""
    path.unlink(missing_ok=True)
    connection = sqlite3.connect(path)
    try:
        columns = ", ".join(f"{name} {_TYPES.get(name, 'TEXT')}" for name in COLUMNS)
        connection.execute(f"CREATE TABLE results (position INTEGER PRIMARY KEY, {columns})")
        connection.execute("CREATE INDEX results_status ON results (status, position)")
        connection.executemany(
            f"INSERT INTO results VALUES ({', '.join('?' * (len(COLUMNS) + 1))})",
            (
                (position, *(_stored(getattr(result, name)) for name in COLUMNS))
                for position, result in enumerate(results)
            ),
        )
        connection.commit()
    finally:
        connection.close()


def _stored(value):
    return str(value) if isinstance(value, RowStatus) else value


def _connect_read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


SEARCHED_COLUMNS = ("name", "link", "note")


def read_results_page(
    path: Path, offset: int, limit: int, status: str | None = None, search: str | None = None
) -> tuple[int, list[dict]]:
    """(rows matching, one page of them as dicts keyed by COLUMNS). search finds text in the
    name, link or note, ignoring case."""
    connection = _connect_read_only(path)
    try:
        conditions, parameters = [], []
        if status:
            conditions.append("status = ?")
            parameters.append(status)
        if search:
            pattern = (
                "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            )
            conditions.append(
                "(" + " OR ".join(f"{name} LIKE ? ESCAPE '\\'" for name in SEARCHED_COLUMNS) + ")"
            )
            parameters.extend([pattern] * len(SEARCHED_COLUMNS))
        where = ("WHERE " + " AND ".join(conditions)) if conditions else ""
        total = connection.execute(f"SELECT COUNT(*) FROM results {where}", parameters).fetchone()[
            0
        ]
        rows = connection.execute(
            f"SELECT {', '.join(COLUMNS)} FROM results {where} ORDER BY position LIMIT ? OFFSET ?",
            [*parameters, limit, offset],
        ).fetchall()
    finally:
        connection.close()
    return total, [dict(zip(COLUMNS, row, strict=True)) for row in rows]


def read_all_results(path: Path) -> list[RowResult]:
    """Every result, in row order, as written."""
    connection = _connect_read_only(path)
    try:
        rows = connection.execute(
            f"SELECT {', '.join(COLUMNS)} FROM results ORDER BY position"
        ).fetchall()
    finally:
        connection.close()
    results = []
    for row in rows:
        values = dict(zip(COLUMNS, row, strict=True))
        results.append(
            RowResult(
                values["row_number"],
                values["link"] or "",
                values["lat"],
                values["lng"],
                RowStatus(values["status"]),
                values["method"] or "",
                values["note"] or "",
                values["name"] or "",
            )
        )
    return results
