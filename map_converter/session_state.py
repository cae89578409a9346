"""Session state: each session's manifest and its job's status. Today JSON files and a lock file.

Starting a job is one atomic step: taking an open-file-description lock (fcntl F_OFD_SETLK) on
processed/<id>/job.lock, held by the run until it ends — also when its process dies, because
the kernel drops the lock with the process. Readers *test* the lock (F_OFD_GETLK) without
taking it, so they never get in a starter's way and nobody retries with sleeps.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import struct
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Protocol

from .jobs import INTERRUPTED_MESSAGE, JobCancelledError, JobLease, JobState, JobStatus

MANIFEST_CACHE_SIZE = 1024
TOMBSTONE_TTL_SECONDS = 7 * 86400
_WRITE_LOCK = struct.pack("hhqqi4x", fcntl.F_WRLCK, os.SEEK_SET, 0, 0, 0)  # struct flock


class SessionState(Protocol):
    """Manifests and job statuses, with one job per session and liveness."""

    def save_manifest(self, manifest: dict) -> None: ...

    def manifest(self, session_id: str) -> dict | None: ...

    def status(self, session_id: str) -> JobStatus | None: ...

    def begin_job(
        self, session_id: str, make_status: Callable[[int], JobStatus]
    ) -> JobLease | None: ...

    def is_running(self, session_id: str) -> bool: ...

    def delete(self, session_id: str) -> None: ...

    def mark_expired(self, session_id: str) -> None: ...

    def is_expired(self, session_id: str) -> bool: ...

    def stored_status(self, session_id: str) -> JobStatus | None: ...

    def resume_lease(self, session_id: str, generation: int, token: str) -> JobLease | None:
        """The lease of a run begun elsewhere, if that run is still the current one."""

    def sweep_lock(self) -> contextlib.AbstractContextManager[bool]:
        """True inside when this process is the one sweeper now."""

    def sweep_tombstones(self) -> None: ...

    def problem(self) -> str | None:
        """What is wrong with the state's service, for /health; None when it answers."""


def interrupted(status: JobStatus) -> JobStatus:
    return replace(status, state=JobState.INTERRUPTED, error=INTERRUPTED_MESSAGE)


def after_run_let_go(status: JobStatus, read_again: Callable[[], JobStatus | None]) -> JobStatus:
    """An active status whose run no longer holds its lease: a run writes its last status
    before it lets go, so read again to tell "finished just now" from "died" (interrupted)."""
    status = read_again() or status
    return status if not status.is_active else interrupted(status)


def write_json_atomically(path: Path, payload: dict) -> None:
    """Readers see the old file or the new one, never half of one."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        temporary.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def read_json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError, json.JSONDecodeError, UnicodeDecodeError):
        return None


class JobLockFile:
    """An exclusive OFD lock on a job.lock file: try to take it, test it, let it go."""

    def __init__(self, path: Path):
        self.path = path
        self.handle = None

    def try_acquire(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+")  # noqa: SIM115 (held for the job's lifetime)
        try:
            fcntl.fcntl(handle.fileno(), fcntl.F_OFD_SETLK, _WRITE_LOCK)
        except OSError:
            handle.close()
            return False
        self.handle = handle
        return True

    def release(self) -> None:
        if self.handle is not None:
            self.handle.close()  # closing the description drops its OFD lock
            self.handle = None

    def is_held(self) -> bool:
        """True while some run (in any process) holds the lock; takes nothing."""
        try:
            handle = open(self.path)  # noqa: SIM115
        except FileNotFoundError:
            return False
        with handle:
            answer = fcntl.fcntl(handle.fileno(), fcntl.F_OFD_GETLK, _WRITE_LOCK)
        return struct.unpack("hhqqi4x", answer)[0] != fcntl.F_UNLCK


class FileJobLease:
    """The running job's hold on its session: the lock, and the generation it may publish as."""

    token = ""  # the lock itself is the hold; it cannot travel to another process

    def __init__(
        self, state: FileSessionState, session_id: str, lock: JobLockFile, generation: int
    ):
        self.state, self.session_id, self.lock, self.generation = (
            state,
            session_id,
            lock,
            generation,
        )

    def publish(self, status: JobStatus) -> None:
        stored = self.state.stored_status(self.session_id)
        if stored is not None and stored.run_count > self.generation:
            raise JobCancelledError()  # a newer run owns the session now
        if self.is_cancelled():
            raise JobCancelledError()  # the session was deleted
        self.state.write_status(self.session_id, replace(status, run_count=self.generation))

    def is_cancelled(self) -> bool:
        return not self.state.manifest_path(self.session_id).is_file()

    def release(self) -> None:
        self.lock.release()


class FileSessionState:
    """manifest.json in uploads/<id>/, status.json and job.lock in processed/<id>/."""

    def __init__(
        self,
        data_dir: Path,
        heartbeat_timeout_seconds: float = 20.0,
        clock: Callable[[], float] = time.time,
    ):
        self.upload_root = Path(data_dir) / "uploads"
        self.processed_root = Path(data_dir) / "processed"
        self.heartbeat_timeout_seconds = heartbeat_timeout_seconds
        self.clock = clock
        self._manifests: OrderedDict[str, dict] = OrderedDict()
        self._manifests_lock = threading.Lock()

    def problem(self) -> None:
        """Local files: the data folder's own checks say it all."""

    def manifest_path(self, session_id: str) -> Path:
        return self.upload_root / session_id / "manifest.json"

    def _status_path(self, session_id: str) -> Path:
        return self.processed_root / session_id / "status.json"

    def _lock(self, session_id: str) -> JobLockFile:
        return JobLockFile(self.processed_root / session_id / "job.lock")

    def _tombstone(self, session_id: str) -> Path:
        return self.upload_root / ".expired" / session_id

    # --- manifests --------------------------------------------------------------------------

    def save_manifest(self, manifest: dict) -> None:
        write_json_atomically(self.manifest_path(manifest["id"]), manifest)
        self._remember(manifest)

    def manifest(self, session_id: str) -> dict | None:
        """From this process's bounded cache, else from disk; None when there is none."""
        with self._manifests_lock:
            manifest = self._manifests.get(session_id)
        if manifest is not None and self.manifest_path(session_id).parent.is_dir():
            return manifest
        manifest = read_json(self.manifest_path(session_id))
        if manifest is None:
            self.forget(session_id)
            return None
        self._remember(manifest)
        return manifest

    def _remember(self, manifest: dict) -> None:
        with self._manifests_lock:
            self._manifests[manifest["id"]] = manifest
            self._manifests.move_to_end(manifest["id"])
            while len(self._manifests) > MANIFEST_CACHE_SIZE:
                self._manifests.popitem(last=False)

    def forget(self, session_id: str) -> None:
        with self._manifests_lock:
            self._manifests.pop(session_id, None)

    # --- job status -------------------------------------------------------------------------

    def stored_status(self, session_id: str) -> JobStatus | None:
        data = read_json(self._status_path(session_id))
        try:
            return JobStatus.from_json(data) if data else None
        except (KeyError, TypeError, ValueError):
            return None

    def write_status(self, session_id: str, status: JobStatus) -> None:
        self._status_path(session_id).parent.mkdir(parents=True, exist_ok=True)
        write_json_atomically(self._status_path(session_id), status.to_json())

    def status(self, session_id: str) -> JobStatus | None:
        """The stored status; an active one whose run is gone is reported interrupted."""
        status = self.stored_status(session_id)
        if status is None or not status.is_active:
            return status
        if not self._lock(session_id).is_held():
            return after_run_let_go(status, lambda: self.stored_status(session_id))
        # A queued run waits in a live process's queue; a running one must keep beating.
        heartbeat_age = self.clock() - (status.heartbeat_at or 0)
        if status.state == JobState.QUEUED or heartbeat_age <= self.heartbeat_timeout_seconds:
            return status
        return interrupted(status)  # hung: its process lives, its heartbeat stopped

    def begin_job(
        self, session_id: str, make_status: Callable[[int], JobStatus]
    ) -> FileJobLease | None:
        """Take the session's job lease and store the new run's status; None if a run holds it."""
        lock = self._lock(session_id)
        if not lock.try_acquire():
            return None
        try:
            previous = self.stored_status(session_id)
            generation = (previous.run_count if previous else 0) + 1
            self.write_status(session_id, make_status(generation))
        except BaseException:
            lock.release()
            raise
        return FileJobLease(self, session_id, lock, generation)

    def is_running(self, session_id: str) -> bool:
        return self._lock(session_id).is_held()

    def resume_lease(self, session_id: str, generation: int, token: str) -> None:
        raise NotImplementedError("a lock file's lease stays in the process that took it")

    @contextlib.contextmanager
    def sweep_lock(self) -> Iterator[bool]:
        """flock on the processed/ folder itself: no lock file is left in the data folder."""
        self.processed_root.mkdir(parents=True, exist_ok=True)
        folder = os.open(self.processed_root, os.O_RDONLY | os.O_DIRECTORY)
        try:
            try:
                fcntl.flock(folder, fcntl.LOCK_EX | fcntl.LOCK_NB)
                is_mine = True
            except BlockingIOError:
                is_mine = False
            yield is_mine
        finally:
            os.close(folder)  # closing the description drops its flock

    # --- removal ----------------------------------------------------------------------------

    def delete(self, session_id: str) -> None:
        self.forget(session_id)
        self.manifest_path(session_id).unlink(missing_ok=True)
        self._status_path(session_id).unlink(missing_ok=True)

    def mark_expired(self, session_id: str) -> None:
        tombstone = self._tombstone(session_id)
        tombstone.parent.mkdir(parents=True, exist_ok=True)
        tombstone.touch()

    def is_expired(self, session_id: str) -> bool:
        return self._tombstone(session_id).exists()

    def sweep_tombstones(self) -> None:
        folder = self.upload_root / ".expired"
        if folder.is_dir():
            for tombstone in folder.iterdir():
                if tombstone.stat().st_mtime + TOMBSTONE_TTL_SECONDS < self.clock():
                    tombstone.unlink(missing_ok=True)
