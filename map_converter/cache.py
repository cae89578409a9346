"""A persistent cache of resolved short links: SQLite, with a TTL, safe across processes."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from pathlib import Path

from .links import LinkReading, Location

logger = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS resolved_links (
    link TEXT PRIMARY KEY,
    lat REAL, lng REAL, method TEXT, provider TEXT,
    reason TEXT NOT NULL DEFAULT '',
    expires_at REAL NOT NULL
)
"""


class ResolvedLinkCache:
    """link -> LinkReading, shared by every worker through one SQLite file (WAL mode)."""

    def __init__(
        self, path: Path, ttl_seconds: float = 30 * 86400, failure_ttl_seconds: float = 86400
    ):
        self.path = Path(path)
        self.ttl_seconds = ttl_seconds
        self.failure_ttl_seconds = failure_ttl_seconds
        self._local = threading.local()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connection() as connection:
            connection.execute(_SCHEMA)

    def _connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            self._local.connection = connection
        return connection

    def get_many(self, links: list[str]) -> dict[str, LinkReading]:
        """Cached, unexpired readings for those links."""
        found: dict[str, LinkReading] = {}
        now = time.time()
        connection = self._connection()
        for start in range(0, len(links), 500):
            chunk = links[start : start + 500]
            placeholders = ",".join("?" * len(chunk))
            try:
                rows = connection.execute(
                    "SELECT link, lat, lng, method, provider, reason FROM resolved_links "
                    f"WHERE expires_at > ? AND link IN ({placeholders})",
                    [now, *chunk],
                ).fetchall()
            except sqlite3.Error:
                logger.warning("resolved-link cache unreadable at %s", self.path, exc_info=True)
                return found
            for link, lat, lng, method, provider, reason in rows:
                location = Location(lat, lng, method, provider) if lat is not None else None
                found[link] = LinkReading(location, reason, True)
        return found

    def put_many(self, readings: dict[str, LinkReading]) -> None:
        """Store readings; successes live ttl_seconds, lasting failures failure_ttl_seconds."""
        if not readings:
            return
        now = time.time()
        rows = []
        for link, reading in readings.items():
            location = reading.location
            if location is not None:
                rows.append(
                    (link, location.lat, location.lng, location.method, location.provider, "",
                     now + self.ttl_seconds)
                )  # fmt: skip
            else:
                rows.append(
                    (link, None, None, None, None, reading.reason, now + self.failure_ttl_seconds)
                )
        try:
            self._connection().executemany(
                "INSERT OR REPLACE INTO resolved_links VALUES (?, ?, ?, ?, ?, ?, ?)", rows
            )
        except sqlite3.Error:
            logger.warning(
                "could not write the resolved-link cache at %s", self.path, exc_info=True
            )
