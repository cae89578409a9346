"""A persistent cache of resolved short links, with a TTL: SQLite on one machine, Redis across many."""

from __future__ import annotations

import hashlib
import json
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
    """link -> LinkReading, shared by every worker through one SQLite file (WAL mode).

    The cache only saves requests: a damaged file (random bytes, truncated, a stray -wal) is
    moved aside and a new one is started, and any other database error just means no cache.
    """

    def __init__(
        self,
        path: Path,
        ttl_seconds: float = 30 * 86400,
        failure_ttl_seconds: float = 86400,
        clock=time.time,
    ):
        self.path = Path(path)
        self.ttl_seconds = ttl_seconds
        self.failure_ttl_seconds = failure_ttl_seconds
        self.clock = clock
        self._local = threading.local()
        self._generation = 0  # bumped when the file is replaced: threads reconnect

    def _connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is not None and self._local.generation == self._generation:
            return connection
        for attempt in range(2):
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                connection = sqlite3.connect(self.path, timeout=10, isolation_level=None)
                connection.execute("PRAGMA journal_mode=WAL")
                connection.execute("PRAGMA synchronous=NORMAL")
                connection.execute(_SCHEMA)
                connection.execute("SELECT COUNT(*) FROM resolved_links WHERE 0").fetchone()
                break
            except sqlite3.DatabaseError:
                if attempt:
                    raise
                self._set_aside()
        self._local.connection, self._local.generation = connection, self._generation
        return connection

    def _set_aside(self) -> None:
        """Move a damaged cache (and its -wal/-shm) out of the way; the next use starts afresh."""
        stamp = f"damaged-{int(self.clock())}"
        for suffix in ("", "-wal", "-shm"):
            source = Path(str(self.path) + suffix)
            if source.exists():
                try:
                    source.replace(Path(f"{self.path}.{stamp}{suffix}"))
                except OSError:
                    source.unlink(missing_ok=True)
        self._generation += 1
        logger.warning(
            "resolved-link cache at %s was damaged; moved aside, starting a new one", self.path
        )

    def _on_error(self, error: sqlite3.Error, doing: str) -> None:
        logger.warning("resolved-link cache: could not %s at %s: %s", doing, self.path, error)
        if isinstance(error, sqlite3.DatabaseError) and not isinstance(
            error, sqlite3.OperationalError
        ):
            self._set_aside()

    def get_many(self, links: list[str]) -> dict[str, LinkReading]:
        """Cached, unexpired readings for those links."""
        found: dict[str, LinkReading] = {}
        now = self.clock()
        for start in range(0, len(links), 500):
            chunk = links[start : start + 500]
            placeholders = ",".join("?" * len(chunk))
            try:
                rows = (
                    self._connection()
                    .execute(
                        "SELECT link, lat, lng, method, provider, reason FROM resolved_links "
                        f"WHERE expires_at > ? AND link IN ({placeholders})",
                        [now, *chunk],
                    )
                    .fetchall()
                )
            except sqlite3.Error as error:
                self._on_error(error, "read")
                return found
            for link, lat, lng, method, provider, reason in rows:
                location = Location(lat, lng, method, provider) if lat is not None else None
                found[link] = LinkReading(location, reason, True)
        return found

    def put_many(self, readings: dict[str, LinkReading]) -> None:
        """Store readings; successes live ttl_seconds, lasting failures failure_ttl_seconds."""
        if not readings:
            return
        now = self.clock()
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
        except sqlite3.Error as error:
            self._on_error(error, "write")


class RedisResolvedLinkCache:
    """The same cache in Redis, shared by every worker on every machine (distributed mode).

    One key per link (`<prefix>:link:<sha256 of the link>`) holding JSON, expiring by itself.
    Like the SQLite cache it only saves requests: a Redis error means no cache, not a failure.
    """

    def __init__(
        self,
        redis,
        ttl_seconds: float = 30 * 86400,
        failure_ttl_seconds: float = 86400,
        prefix: str = "maplink",
    ):
        self.redis = redis
        self.ttl_seconds = ttl_seconds
        self.failure_ttl_seconds = failure_ttl_seconds
        self.prefix = prefix

    def _key(self, link: str) -> str:
        return f"{self.prefix}:link:{hashlib.sha256(link.encode('utf-8')).hexdigest()}"

    def get_many(self, links: list[str]) -> dict[str, LinkReading]:
        from redis.exceptions import RedisError

        found: dict[str, LinkReading] = {}
        for start in range(0, len(links), 500):
            chunk = links[start : start + 500]
            try:
                values = self.redis.mget([self._key(link) for link in chunk])
            except RedisError as error:
                logger.warning("resolved-link cache in Redis: could not read: %s", error)
                return found
            for link, raw in zip(chunk, values, strict=True):
                if raw is None:
                    continue
                try:
                    entry = json.loads(raw)
                except (json.JSONDecodeError, UnicodeDecodeError):
                    continue
                location = (
                    Location(entry["lat"], entry["lng"], entry["method"], entry["provider"])
                    if entry.get("lat") is not None
                    else None
                )
                found[link] = LinkReading(location, entry.get("reason", ""), True)
        return found

    def put_many(self, readings: dict[str, LinkReading]) -> None:
        from redis.exceptions import RedisError

        if not readings:
            return
        pipe = self.redis.pipeline(transaction=False)
        for link, reading in readings.items():
            location = reading.location
            if location is not None:
                entry = {
                    "lat": location.lat,
                    "lng": location.lng,
                    "method": location.method,
                    "provider": location.provider,
                }
                ttl = self.ttl_seconds
            else:
                entry, ttl = {"reason": reading.reason}, self.failure_ttl_seconds
            pipe.set(self._key(link), json.dumps(entry), ex=max(int(ttl), 1))
        try:
            pipe.execute()
        except RedisError as error:
            logger.warning("resolved-link cache in Redis: could not write: %s", error)
