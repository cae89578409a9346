"""Limits per client and per machine: upload rate and volume, free disk, waiting requests.

The rate limiter keeps its counts in a small SQLite file in the data folder, so every gunicorn
worker on the machine sees the same counts.
"""

from __future__ import annotations

import math
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

from map_converter.errors import DISK_FULL_MESSAGE

from .errors import ApiError

WINDOW_SECONDS = 60.0
VOLUME_WINDOW_SECONDS = 3600.0


class UploadRateLimiter:
    """At most N uploads a minute and M bytes an hour per client address."""

    def __init__(
        self,
        path: Path,
        uploads_per_minute: int,
        bytes_per_hour: int,
        clock: Callable[[], float] = time.time,
    ):
        self.path = path
        self.uploads_per_minute = uploads_per_minute
        self.bytes_per_hour = bytes_per_hour
        self.clock = clock
        self._local = threading.local()

    def _connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(f"{self.path.resolve().as_uri()}", uri=True, timeout=5)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute(
                "CREATE TABLE IF NOT EXISTS uploads (client TEXT, at REAL, bytes INTEGER)"
            )
            connection.execute("CREATE INDEX IF NOT EXISTS uploads_client ON uploads (client, at)")
            self._local.connection = connection
        return connection

    def check(self, client: str, size_bytes: int) -> None:
        """Count this upload, or raise a 429 that says when to come back."""
        if self.uploads_per_minute <= 0 and self.bytes_per_hour <= 0:
            return
        now = self.clock()
        try:
            connection = self._connection()
            with connection:
                connection.execute(
                    "DELETE FROM uploads WHERE at < ?", (now - VOLUME_WINDOW_SECONDS,)
                )
                recent = connection.execute(
                    "SELECT COUNT(*), MIN(at) FROM uploads WHERE client = ? AND at >= ?",
                    (client, now - WINDOW_SECONDS),
                ).fetchone()
                volume = connection.execute(
                    "SELECT COALESCE(SUM(bytes), 0), MIN(at) FROM uploads WHERE client = ?",
                    (client,),
                ).fetchone()
                if self.uploads_per_minute > 0 and recent[0] >= self.uploads_per_minute:
                    raise _too_many(recent[1] + WINDOW_SECONDS - now, "uploads a minute",
                                    self.uploads_per_minute)  # fmt: skip
                if self.bytes_per_hour > 0 and volume[0] + size_bytes > self.bytes_per_hour:
                    raise _too_many(volume[1] + VOLUME_WINDOW_SECONDS - now if volume[1] else 60,
                                    "bytes an hour", self.bytes_per_hour)  # fmt: skip
                connection.execute(
                    "INSERT INTO uploads VALUES (?, ?, ?)", (client, now, max(size_bytes, 0))
                )
        except sqlite3.Error:
            return  # the limiter is a guard, never a reason to refuse a person's upload


def _too_many(retry_after_seconds: float, what: str, limit: int) -> ApiError:
    seconds = max(1, math.ceil(retry_after_seconds))
    return ApiError(
        429,
        "rate_limited",
        f"Too many uploads from your address (at most {limit:,} {what}). "
        f"Try again in {seconds} seconds.",
        headers={"Retry-After": str(seconds)},
    )


def client_address(
    remote_addr: str | None, forwarded_for: str | None, trusted: frozenset[str]
) -> str:
    """The client's address: X-Forwarded-For is believed only when our own proxy sent it."""
    address = remote_addr or "unknown"
    if address not in trusted or not forwarded_for:
        return address
    for hop in reversed([part.strip() for part in forwarded_for.split(",")]):
        if hop and hop not in trusted:
            return hop  # the last address our proxies did not add themselves
    return address


def require_free_space(folder: Path, minimum_bytes: int) -> None:
    """Refuse work before anything is written when the data folder's disk is nearly full."""
    if minimum_bytes > 0 and free_bytes(folder) < minimum_bytes:
        raise ApiError(507, "insufficient_storage", DISK_FULL_MESSAGE)


def free_bytes(folder: Path) -> int:
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return 0


class WaitingRequests:
    """At most `limit` requests of this worker wait on a job at once; more answer at once."""

    def __init__(self, limit: int):
        self._slots = threading.BoundedSemaphore(max(limit, 1))

    def try_enter(self) -> bool:
        return self._slots.acquire(blocking=False)

    def leave(self) -> None:
        self._slots.release()
