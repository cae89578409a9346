"""Upload sessions on disk and their background jobs; any process can answer for any session.

Layout: uploads/<id>/ holds the upload (under a name we choose) and manifest.json;
processed/<id>/ holds status.json, job.lock, results.sqlite3 and the outputs. JSON files are
written atomically (temp file + os.replace). A job holds an flock on job.lock while it runs, so
"is a job running?" is a question the kernel answers for every worker, even after a crash.
"""

from __future__ import annotations

import contextlib
import enum
import fcntl
import json
import logging
import os
import shutil
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .convert import Conversion, Progress, ShortLinkResolver, convert_table
from .errors import MapConverterError, NoLinkColumnError
from .output import MEDIA_TYPES, OUTPUT_FORMATS, write_output
from .tables import cell_text, detect_link_column, read_table, store_upload

logger = logging.getLogger(__name__)

PREVIEW_ROWS = 20
STATUS_WRITE_INTERVAL_SECONDS = 0.5
HEARTBEAT_INTERVAL_SECONDS = 1.0
TOMBSTONE_TTL_SECONDS = 7 * 86400


class State(enum.StrEnum):
    """Where a session's job is; the same strings in JSON and in the page's CSS."""

    UPLOADED = "uploaded"
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    INTERRUPTED = "interrupted"


ACTIVE_STATES = (State.QUEUED, State.RUNNING)


class SessionNotFoundError(MapConverterError):
    code = "not_found"


class SessionExpiredError(MapConverterError):
    code = "expired"


class JobNotDoneError(MapConverterError):
    code = "not_ready"


class _JobCancelledError(Exception):
    """The session was deleted while its job ran."""


def write_json_atomically(path: Path, payload: dict) -> None:
    """Readers see the old file or the new one, never half of one."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    temporary.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, path)


def _read_json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def parse_session_id(text: str) -> str:
    """The canonical UUID string, or SessionNotFoundError: nothing else becomes a path."""
    try:
        parsed = uuid.UUID(text)
    except (ValueError, TypeError, AttributeError) as error:
        raise SessionNotFoundError("No such upload. Upload the file again.") from error
    if str(parsed) != text.lower():
        raise SessionNotFoundError("No such upload. Upload the file again.")
    return str(parsed)


class _JobLock:
    """An exclusive, non-blocking flock on processed/<id>/job.lock."""

    def __init__(self, path: Path):
        self.path = path
        self.handle = None

    def try_acquire(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+")  # noqa: SIM115 (held for the job's lifetime)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self.handle = handle
        return True

    def release(self) -> None:
        if self.handle is not None:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
            self.handle = None

    def is_held_elsewhere(self) -> bool:
        if not self.path.exists():
            return False
        if self.try_acquire():
            self.release()
            return False
        return True


class SessionStore:
    """Sessions on disk, a per-process cache of manifests, and a bounded pool of jobs."""

    def __init__(
        self,
        upload_root: Path,
        processed_root: Path,
        ttl_seconds: float = 86400,
        max_rows: int = 100_000,
        resolver_factory: Callable[[], ShortLinkResolver | None] | None = None,
        job_workers: int = 2,
        heartbeat_timeout_seconds: float = 20.0,
    ):
        self.upload_root = Path(upload_root)
        self.processed_root = Path(processed_root)
        self.ttl_seconds = ttl_seconds
        self.max_rows = max_rows
        self.resolver_factory = resolver_factory or (lambda: None)
        self.heartbeat_timeout_seconds = heartbeat_timeout_seconds
        self.upload_root.mkdir(parents=True, exist_ok=True)
        self.processed_root.mkdir(parents=True, exist_ok=True)
        self._manifests: dict[str, dict] = {}
        self._manifests_lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=job_workers, thread_name_prefix="job")
        self._last_sweep = 0.0

    # --- paths ------------------------------------------------------------------------------

    def _upload_dir(self, session_id: str) -> Path:
        return self.upload_root / session_id

    def _processed_dir(self, session_id: str) -> Path:
        return self.processed_root / session_id

    def _tombstone(self, session_id: str) -> Path:
        return self.upload_root / ".expired" / session_id

    # --- upload -----------------------------------------------------------------------------

    def create(
        self, save_upload: Callable[[Path], None], filename: str, sheet: str | None = None
    ) -> dict:
        """Store an upload, read it once to describe it; a rejected upload leaves nothing."""
        session_id = str(uuid.uuid4())
        folder = self._upload_dir(session_id)
        folder.mkdir(parents=True)
        try:
            source, file_format = store_upload(save_upload, folder)
            table = read_table(source, sheet=sheet, max_rows=self.max_rows, file_format=file_format)
            link_column = detect_link_column(table)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        now = time.time()
        manifest = {
            "id": session_id,
            "filename": _safe_display_name(filename),
            "format": file_format,
            "source": source.name,
            "sheets": table.sheet_names,
            **_describe(table, link_column),
            "created_at": now,
            "expires_at": now + self.ttl_seconds,
        }
        write_json_atomically(folder / "manifest.json", manifest)
        with self._manifests_lock:
            self._manifests[session_id] = manifest
        return _summary(manifest)

    def summary(self, session_id: str, sheet: str | None = None) -> dict:
        """What POST /upload answered, again; for another sheet, that sheet's columns and preview."""
        manifest = self.manifest(session_id)
        if sheet is None or sheet == manifest["sheet"]:
            return _summary(manifest)
        source = self._upload_dir(manifest["id"]) / manifest["source"]
        table = read_table(
            source, sheet=sheet, max_rows=self.max_rows, file_format=manifest["format"]
        )
        try:
            link_column = detect_link_column(table)
        except NoLinkColumnError:
            link_column = None
        return _summary({**manifest, **_describe(table, link_column)})

    def manifest(self, session_id: str) -> dict:
        """The session's manifest, from this process's cache or from disk."""
        session_id = parse_session_id(session_id)
        with self._manifests_lock:
            manifest = self._manifests.get(session_id)
        if manifest is None:
            manifest = _read_json(self._upload_dir(session_id) / "manifest.json")
            if manifest is None:
                if self._tombstone(session_id).exists():
                    raise SessionExpiredError(
                        "This upload has expired and its files were removed. Upload the file again."
                    )
                raise SessionNotFoundError("No such upload. Upload the file again.")
            with self._manifests_lock:
                self._manifests[session_id] = manifest
        if manifest["expires_at"] < time.time():
            if _JobLock(self._processed_dir(session_id) / "job.lock").is_held_elsewhere():
                return manifest  # a running job finishes even past the TTL
            self._expire(session_id)
            raise SessionExpiredError(
                "This upload has expired and its files were removed. Upload the file again."
            )
        if not self._upload_dir(session_id).exists():
            with self._manifests_lock:
                self._manifests.pop(session_id, None)
            raise SessionNotFoundError("No such upload. Upload the file again.")
        return manifest

    # --- jobs -------------------------------------------------------------------------------

    def start_job(
        self,
        session_id: str,
        column: str | None = None,
        sheet: str | None = None,
        resolve: bool = True,
    ) -> dict:
        """Start the conversion in the background, or return the job that already runs."""
        manifest = self.manifest(session_id)
        session_id = manifest["id"]
        options = {"column": column, "sheet": sheet or manifest["sheet"], "resolve": bool(resolve)}
        current = self.status(session_id)
        if current["state"] in ACTIVE_STATES:
            return current
        if current["state"] == State.DONE and current.get("options") == options:
            return current
        if (
            column is not None
            and column not in manifest["columns"]
            and options["sheet"] == manifest["sheet"]
        ):
            raise NoLinkColumnError(
                f"There is no column named {column!r}. Columns: {', '.join(manifest['columns'])}."
            )
        lock = _JobLock(self._processed_dir(session_id) / "job.lock")
        if not self._acquire_for_start(lock):
            return {**self.status(session_id), "state": str(State.QUEUED)}
        status = {
            **_initial_status(session_id, State.QUEUED, manifest["row_count"]),
            "heartbeat_at": time.time(),
            "options": options,
            # For operators and tests: how many jobs this session has started, and where.
            "run_count": current.get("run_count", 0) + 1,
            "worker_pid": os.getpid(),
        }
        self._write_status(session_id, status)
        self._pool.submit(self._run_job, manifest, options, lock, status)
        return self.status(session_id)

    @staticmethod
    def _acquire_for_start(lock: _JobLock) -> bool:
        """Take the job lock; a status reader may hold it for a moment, a running job never lets go."""
        for _ in range(5):
            if lock.try_acquire():
                return True
            time.sleep(0.02)
        return False

    def _write_status(self, session_id: str, status: dict) -> None:
        folder = self._processed_dir(session_id)
        folder.mkdir(parents=True, exist_ok=True)
        write_json_atomically(folder / "status.json", status)

    def _run_job(self, manifest: dict, options: dict, lock: _JobLock, status: dict) -> None:
        """The whole conversion, in a pool thread; the lock is released only at the very end."""
        session_id = manifest["id"]
        status_lock = threading.Lock()
        stop_heartbeat = threading.Event()
        last_write = [0.0]

        def save(force: bool = False) -> None:
            with status_lock:
                if not self._upload_dir(session_id).exists():
                    raise _JobCancelledError()
                now = time.time()
                if force or now - last_write[0] >= STATUS_WRITE_INTERVAL_SECONDS:
                    status["heartbeat_at"] = now
                    self._write_status(session_id, status)
                    last_write[0] = now

        def heartbeat() -> None:
            while not stop_heartbeat.wait(HEARTBEAT_INTERVAL_SECONDS):
                with contextlib.suppress(_JobCancelledError, OSError):
                    save(force=True)

        def on_progress(progress: Progress) -> None:
            status.update(
                processed=progress.processed,
                total=progress.total,
                counts={"ok": progress.ok, "failed": progress.failed, "skipped": progress.skipped},
            )
            save()

        heartbeat_thread = threading.Thread(target=heartbeat, daemon=True)
        try:
            status.update(state=str(State.RUNNING), started_at=time.time())
            save(force=True)
            heartbeat_thread.start()
            source = self._upload_dir(session_id) / manifest["source"]
            table = read_table(
                source,
                sheet=options["sheet"],
                max_rows=self.max_rows,
                file_format=manifest["format"],
            )
            resolver = self.resolver_factory() if options["resolve"] else None
            conversion = convert_table(table, options["column"], resolver, on_progress)
            self._write_outputs(session_id, conversion)
            status.update(
                state=str(State.DONE),
                finished_at=time.time(),
                processed=len(conversion.results),
                total=len(conversion.results),
                counts=conversion.counts,
                link_column=table.header[conversion.link_column],
            )
            save(force=True)
        except _JobCancelledError:
            shutil.rmtree(self._processed_dir(session_id), ignore_errors=True)
        except MapConverterError as error:
            status.update(state=str(State.FAILED), finished_at=time.time(), error=error.message)
            with contextlib.suppress(_JobCancelledError):
                save(force=True)
        except Exception:
            logger.exception("job for session %s failed", session_id)
            status.update(
                state=str(State.FAILED),
                finished_at=time.time(),
                error="The conversion failed unexpectedly. Try again; if it keeps failing, report it.",
            )
            with contextlib.suppress(_JobCancelledError, OSError):
                save(force=True)
        finally:
            stop_heartbeat.set()
            if heartbeat_thread.is_alive():
                heartbeat_thread.join()
            lock.release()

    def _write_outputs(self, session_id: str, conversion: Conversion) -> None:
        """Every download format plus a results table for paging, each written then renamed."""
        folder = self._processed_dir(session_id)
        for output_format in OUTPUT_FORMATS:
            partial = folder / f"output.{output_format}.partial"
            write_output(conversion, partial, output_format)
            os.replace(partial, folder / f"output.{output_format}")
        partial = folder / "results.sqlite3.partial"
        partial.unlink(missing_ok=True)
        connection = sqlite3.connect(partial)
        try:
            connection.execute(
                "CREATE TABLE results (position INTEGER PRIMARY KEY, row_number INTEGER, name TEXT, "
                "link TEXT, lat REAL, lng REAL, status TEXT, method TEXT, note TEXT)"
            )
            connection.execute("CREATE INDEX results_status ON results (status, position)")
            connection.executemany(
                "INSERT INTO results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    (
                        index,
                        r.row_number,
                        r.name,
                        r.link,
                        r.lat,
                        r.lng,
                        str(r.status),
                        r.method,
                        r.note,
                    )
                    for index, r in enumerate(conversion.results)
                ),
            )
            connection.commit()
        finally:
            connection.close()
        os.replace(partial, folder / "results.sqlite3")

    def status(self, session_id: str) -> dict:
        """The job's status as any worker sees it; a dead job is reported interrupted."""
        manifest = self.manifest(session_id)
        session_id = manifest["id"]
        status = _read_json(self._processed_dir(session_id) / "status.json")
        if status is None:
            status = _initial_status(session_id, State.UPLOADED, manifest["row_count"])
        if status["state"] in ACTIVE_STATES:
            lock = _JobLock(self._processed_dir(session_id) / "job.lock")
            if lock.try_acquire():
                # Nobody holds the lock: the job ended. It writes its last status before letting
                # go, so a fresh read tells "finished just now" from "died".
                try:
                    status = _read_json(self._processed_dir(session_id) / "status.json") or status
                finally:
                    lock.release()
                is_dead = status["state"] in ACTIVE_STATES
            else:
                heartbeat_age = time.time() - (status.get("heartbeat_at") or 0)
                is_dead = heartbeat_age > self.heartbeat_timeout_seconds
            if is_dead:
                status["state"] = str(State.INTERRUPTED)
                status["error"] = "The conversion stopped (the server restarted). Start it again."
        status["eta_seconds"] = _eta_seconds(status)
        status.pop("heartbeat_at", None)
        return status

    def wait(self, session_id: str, timeout_seconds: float) -> dict:
        """Poll the status until the job ends or the time is up."""
        deadline = time.monotonic() + timeout_seconds
        status = self.status(session_id)
        while status["state"] in ACTIVE_STATES and time.monotonic() < deadline:
            time.sleep(0.1)
            status = self.status(session_id)
        return status

    def _require_done(self, session_id: str) -> dict:
        status = self.status(session_id)
        if status["state"] != State.DONE:
            raise JobNotDoneError(
                f"The conversion is {status['state']}, not done. Start it with POST /process "
                "and poll GET /status until it is done."
            )
        return status

    def results(
        self, session_id: str, offset: int = 0, limit: int = 100, status_filter: str | None = None
    ) -> dict:
        """A page of row results, optionally only one status."""
        self._require_done(session_id)
        session_id = parse_session_id(session_id)
        path = self._processed_dir(session_id) / "results.sqlite3"
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            where, parameters = ("WHERE status = ?", [status_filter]) if status_filter else ("", [])
            total = connection.execute(
                f"SELECT COUNT(*) FROM results {where}", parameters
            ).fetchone()[0]
            rows = connection.execute(
                "SELECT row_number, name, link, lat, lng, status, method, note FROM results "
                f"{where} ORDER BY position LIMIT ? OFFSET ?",
                [*parameters, limit, offset],
            ).fetchall()
        finally:
            connection.close()
        keys = ("row_number", "name", "link", "lat", "lng", "status", "method", "note")
        return {
            "id": session_id,
            "total": total,
            "offset": offset,
            "limit": limit,
            "status": status_filter,
            "rows": [dict(zip(keys, row, strict=True)) for row in rows],
        }

    def download(self, session_id: str, output_format: str) -> tuple[Path, str, str]:
        """(path, download name, media type) of a finished output."""
        manifest = self.manifest(session_id)
        self._require_done(session_id)
        path = self._processed_dir(manifest["id"]) / f"output.{output_format}"
        extension = output_format
        if output_format == "xlsx" and manifest["format"] == "xlsm":
            extension = "xlsm"  # a macro workbook must keep its extension to open
        stem = Path(manifest["filename"]).stem or "spreadsheet"
        return path, f"{stem}-coordinates.{extension}", MEDIA_TYPES[extension]

    def delete(self, session_id: str) -> None:
        """Remove the session's files now (a running job notices and stops)."""
        manifest = self.manifest(session_id)
        self._remove(manifest["id"])

    def _remove(self, session_id: str) -> None:
        with self._manifests_lock:
            self._manifests.pop(session_id, None)
        shutil.rmtree(self._upload_dir(session_id), ignore_errors=True)
        lock = _JobLock(self._processed_dir(session_id) / "job.lock")
        if not lock.is_held_elsewhere():
            shutil.rmtree(self._processed_dir(session_id), ignore_errors=True)

    def _expire(self, session_id: str) -> None:
        lock = _JobLock(self._processed_dir(session_id) / "job.lock")
        if lock.is_held_elsewhere():
            return  # never remove a running job's files
        tombstone = self._tombstone(session_id)
        tombstone.parent.mkdir(parents=True, exist_ok=True)
        tombstone.touch()
        self._remove(session_id)

    def sweep(self, min_interval_seconds: float = 60.0) -> int:
        """Remove expired sessions (never a running job's); returns how many went."""
        now = time.time()
        if now - self._last_sweep < min_interval_seconds:
            return 0
        self._last_sweep = now
        removed = 0
        for folder in list(self.upload_root.iterdir()):
            try:
                session_id = parse_session_id(folder.name)
            except SessionNotFoundError:
                continue
            manifest = _read_json(folder / "manifest.json")
            expires_at = (
                manifest["expires_at"] if manifest else folder.stat().st_mtime + self.ttl_seconds
            )
            if expires_at < now:
                self._expire(session_id)
                removed += 1
        for folder in list(self.processed_root.iterdir()):
            with contextlib.suppress(SessionNotFoundError):
                session_id = parse_session_id(folder.name)
                if (
                    not self._upload_dir(session_id).exists()
                    and folder.stat().st_mtime + 3600 < now
                ):
                    self._remove(session_id)
        tombstones = self.upload_root / ".expired"
        if tombstones.exists():
            for tombstone in tombstones.iterdir():
                if tombstone.stat().st_mtime + TOMBSTONE_TTL_SECONDS < now:
                    tombstone.unlink(missing_ok=True)
        return removed


def _initial_status(session_id: str, state: State, total: int) -> dict:
    """A status with nothing processed yet."""
    return {
        "id": session_id,
        "state": str(state),
        "total": total,
        "processed": 0,
        "counts": {"ok": 0, "failed": 0, "skipped": 0},
        "started_at": None,
        "finished_at": None,
        "error": None,
    }


def _describe(table, link_column: int | None) -> dict:
    """Sheet-specific part of a summary: columns, detected link column, rows, a preview."""
    width = len(table.header)
    return {
        "sheet": table.sheet_name,
        "columns": table.header,
        "link_column": table.header[link_column] if link_column is not None else None,
        "row_count": table.row_count,
        "preview": {
            "columns": table.header,
            "rows": [
                [cell_text(row[column]) if column < len(row) else "" for column in range(width)]
                for row in table.rows[:PREVIEW_ROWS]
            ],
        },
    }


def _summary(manifest: dict) -> dict:
    keys = (
        "id",
        "filename",
        "format",
        "sheets",
        "sheet",
        "columns",
        "link_column",
        "row_count",
        "preview",
    )
    return {key: manifest[key] for key in keys}


def _eta_seconds(status: dict) -> float | None:
    if status["state"] != State.RUNNING or not status.get("started_at") or not status["processed"]:
        return None
    elapsed = time.time() - status["started_at"]
    remaining = max(status["total"] - status["processed"], 0)
    return round(elapsed / status["processed"] * remaining, 1)


def _safe_display_name(filename: str) -> str:
    """The client's file name for display and download names only (never a path we open)."""
    name = Path(filename or "").name.replace("\\", "_").replace("/", "_")
    name = "".join(
        character for character in name if character.isprintable() and character not in '"<>|*?:'
    )
    return name[:200] or "spreadsheet"
