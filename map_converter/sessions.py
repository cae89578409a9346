"""Upload sessions: what the web API does, on top of file storage, session state and a job runner.

Any worker process can answer for any session: everything lives in the storage and the state,
and the in-process manifest cache only saves reads.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from .convert import ShortLinkFollower
from .errors import (
    DISK_FULL_MESSAGE,
    JobNotDoneError,
    NoLinkColumnError,
    SessionExpiredError,
    SessionNotFoundError,
    StorageFullError,
    is_disk_full,
)
from .expiry import expire, is_past_keeping
from .expiry import sweep as sweep_expired
from .file_storage import FileStorage, LocalFileStorage, is_session_id, output_name
from .job_runner import JobRunner
from .jobs import JobContext, JobLease, JobOptions, JobState, JobStatus, JobTicket, run_job
from .output import MEDIA_TYPES
from .pipeline import conversion_from_results, write_output_atomically
from .results import download_name
from .results_index import read_all_results, read_results_page, write_results_index
from .session_state import FileSessionState, SessionState
from .sniffing import store_upload
from .tables import COLUMN_SAMPLE_ROWS, read_table
from .upload_summary import (
    NO_LINK_COLUMN_MESSAGE,
    describe_sheet,
    link_column_or_none,
    safe_display_name,
    summary_of,
)

logger = logging.getLogger(__name__)

DESCRIBE_ROWS = COLUMN_SAMPLE_ROWS  # rows read to describe an upload; the rest are counted
RESULTS_INDEX = "results.sqlite3"
NOT_QUEUED_MESSAGE = "The conversion could not be queued (the job queue did not answer). Try again."
NOT_FOUND_MESSAGE = "No such upload. Upload the file again."
EXPIRED_MESSAGE = "This upload has expired and its files were removed. Upload the file again."


def parse_session_id(text: object) -> str:
    """The canonical UUID string, or SessionNotFoundError: nothing else becomes a path."""
    session_id = str(text).lower()
    if not is_session_id(session_id):
        raise SessionNotFoundError(NOT_FOUND_MESSAGE)
    return session_id


@dataclass
class SessionService:
    """Sessions and their jobs: create, describe, start, watch, page, download, delete, sweep."""

    storage: FileStorage
    state: SessionState
    runner: JobRunner
    make_follower: Callable[[], ShortLinkFollower | None] = lambda: None
    ttl_seconds: float = 86400
    max_rows: int = 100_000
    clock: Callable[[], float] = time.time
    sleep: Callable[[float], None] = time.sleep

    # --- uploads ----------------------------------------------------------------------------

    def create(
        self, save_upload: Callable[[Path], None], filename: str, sheet: str | None = None
    ) -> dict:
        """Store an upload and read it once to describe it; a rejected upload leaves nothing."""
        session_id = str(uuid.uuid4())
        folder = self.storage.upload_folder(session_id)
        try:
            source, file_format = store_upload(save_upload, folder, filename)
            self.storage.finish_upload(session_id, source.name)
            table = read_table(
                source,
                sheet=sheet,
                max_rows=self.max_rows,
                file_format=file_format,
                keep_rows=DESCRIBE_ROWS,  # the preview and link detection need no more
            )
            link_column = link_column_or_none(table)
            now = self.clock()
            manifest = {
                "id": session_id,
                "filename": safe_display_name(filename),
                "format": file_format,
                "source": source.name,
                "sheets": table.sheet_names,
                **describe_sheet(table, link_column),
                "created_at": now,
                "expires_at": now + self.ttl_seconds,
            }
            self.state.save_manifest(manifest)
        except BaseException as error:
            self.storage.delete(session_id)
            if is_disk_full(error):
                raise StorageFullError(DISK_FULL_MESSAGE) from error
            raise
        return summary_of(manifest)

    def summary(self, session_id: str, sheet: str | None = None) -> dict:
        """What POST /upload answered, again; for another sheet, that sheet's columns and preview."""
        manifest = self.manifest(session_id)
        if sheet is None or sheet == manifest["sheet"]:
            return summary_of(manifest)
        table = read_table(
            self.storage.upload_path(manifest["id"], manifest["source"]),
            sheet=sheet,
            max_rows=self.max_rows,
            file_format=manifest["format"],
            keep_rows=DESCRIBE_ROWS,
        )
        return summary_of({**manifest, **describe_sheet(table, link_column_or_none(table))})

    def manifest(self, session_id: str) -> dict:
        """The session's manifest; expired sessions are removed (never while their job runs)."""
        session_id = parse_session_id(session_id)
        manifest = self.state.manifest(session_id)
        if manifest is None:
            if self.state.is_expired(session_id):
                raise SessionExpiredError(EXPIRED_MESSAGE)
            raise SessionNotFoundError(NOT_FOUND_MESSAGE)
        if manifest["expires_at"] < self.clock() and is_past_keeping(
            self.state, session_id, self.clock()
        ):
            expire(self.state, self.storage, session_id)
            raise SessionExpiredError(EXPIRED_MESSAGE)
        return manifest

    # --- jobs -------------------------------------------------------------------------------

    def start_job(
        self,
        session_id: str,
        column: str | None = None,
        sheet: str | None = None,
        resolve=True,
        retry_failed: bool = False,
    ) -> dict:
        """Start the conversion in the background, or answer the run that already goes.

        retry_failed re-reads only the rows that failed in the last finished run, with its
        options; the rows that were ok keep their result."""
        manifest = self.manifest(session_id)
        session_id = manifest["id"]
        options = JobOptions(column, sheet or manifest["sheet"], bool(resolve))
        current = self.state.status(session_id)
        if current is not None and current.is_active:
            return self._public(current)
        retry_of = None  # a retry builds on the results of this run
        if retry_failed:
            previous = self._done_status(session_id)
            retry_of = previous.run_count
            options = JobOptions(**previous.options, retry_failed=True)
            if previous.counts.get("failed", 0) == 0:
                return self._public(previous)  # nothing failed: nothing to do
        if (
            current is not None
            and current.state == JobState.DONE
            and current.options == options.to_json()
            and not options.retry_failed
        ):
            return self._public(current)
        if options.sheet == manifest["sheet"]:
            if column is not None and column not in manifest["columns"]:
                columns = ", ".join(manifest["columns"])
                raise NoLinkColumnError(f"There is no column named {column!r}. Columns: {columns}.")
            if column is None and manifest["link_column"] is None:
                raise NoLinkColumnError(NO_LINK_COLUMN_MESSAGE)

        def new_status(generation: int) -> JobStatus:
            return JobStatus(
                id=session_id,
                state=JobState.QUEUED,
                total=manifest["row_count"],
                options=options.to_json(),
                run_count=generation,
                heartbeat_at=self.clock(),
                worker_pid=os.getpid(),  # for operators and tests: which process runs it
            )

        lease = self.state.begin_job(session_id, new_status)
        if lease is None:  # another request started it a moment ago
            return self.status(session_id)
        keep = {output_name(retry_of, RESULTS_INDEX)} if retry_of else set()
        self.storage.delete_outputs(session_id, keep=keep)
        ticket = JobTicket(session_id, lease.generation, lease.token, options, retry_of)
        try:
            self.runner.submit(ticket, lambda: self.run_ticket(ticket, lease))
        except Exception:
            logger.exception("job %s run %d could not be queued", session_id, lease.generation)
            failed = replace(
                self.state.stored_status(session_id),
                state=JobState.FAILED,
                finished_at=self.clock(),
                error=NOT_QUEUED_MESSAGE,
            )
            lease.publish(failed)
            lease.release()
        return self.status(session_id)

    def run_ticket(self, ticket: JobTicket, lease: JobLease | None = None) -> None:
        """Run a started job, here: with the lease begin_job gave, or (on another machine) with
        the lease taken back from the ticket. A ticket whose run is no longer current does
        nothing."""
        session_id = ticket.session_id
        if lease is None:
            lease = self.state.resume_lease(session_id, ticket.generation, ticket.lease_token)
            if lease is None:
                logger.info("job %s run %d is no longer current", session_id, ticket.generation)
                return
        manifest = self.state.manifest(session_id)
        status = self.state.stored_status(session_id)
        if manifest is None or status is None:
            lease.release()  # deleted while it waited
            self.storage.delete(session_id)
            return
        generation = ticket.generation
        context = JobContext(
            source_path=lambda: self.storage.upload_path(session_id, manifest["source"]),
            write_xlsx_to=lambda write: self.storage.put_output(
                session_id, output_name(generation, "output.xlsx"), write
            ),
            write_index=lambda results: self.storage.put_output(
                session_id,
                output_name(generation, RESULTS_INDEX),
                lambda path: write_results_index(path, results),
            ),
            file_format=manifest["format"],
            max_rows=self.max_rows,
            make_follower=self.make_follower,
            clock=self.clock,
            previous_results=lambda: self._results_of(session_id, ticket.retry_of),
        )
        run_job(status, ticket.options, lease, context)
        if self.state.manifest(session_id) is None:
            self.storage.delete(session_id)  # deleted while it ran: leave nothing behind

    def _results_of(self, session_id: str, generation: int | None) -> list:
        if generation is None:
            return []
        index = self.storage.output_path(session_id, output_name(generation, RESULTS_INDEX))
        return read_all_results(index) if index is not None else []

    def status(self, session_id: str) -> dict:
        """The job's status as any worker sees it; a dead run is reported interrupted."""
        manifest = self.manifest(session_id)
        status = self.state.status(manifest["id"])
        if status is None:
            status = JobStatus(
                id=manifest["id"], state=JobState.UPLOADED, total=manifest["row_count"]
            )
        return self._public(status)

    def _public(self, status: JobStatus) -> dict:
        return status.to_public(self.clock())

    def wait(self, session_id: str, timeout_seconds: float) -> dict:
        """Poll the status until the run ends or the time is up."""
        deadline = time.monotonic() + timeout_seconds
        status = self.status(session_id)
        while status["state"] in ("queued", "running") and time.monotonic() < deadline:
            self.sleep(0.1)
            status = self.status(session_id)
        return status

    def _done_status(self, session_id: str) -> JobStatus:
        status = self.state.status(session_id)
        if status is None or status.state != JobState.DONE:
            state = status.state if status else JobState.UPLOADED
            raise JobNotDoneError(
                f"The conversion is {state}, not done. Start it with POST /process "
                "and poll GET /status until it is done."
            )
        return status

    def results(
        self,
        session_id: str,
        offset: int = 0,
        limit: int = 100,
        status_filter: str | None = None,
        search: str | None = None,
    ) -> dict:
        """A page of row results, optionally of one status only or matching a search."""
        session_id = self.manifest(session_id)["id"]
        done = self._done_status(session_id)
        index = self.storage.output_path(session_id, output_name(done.run_count, RESULTS_INDEX))
        if index is None:
            raise JobNotDoneError("The results are not there yet. Start the conversion again.")
        total, rows = read_results_page(index, offset, limit, status_filter, search)
        return {
            "id": session_id,
            "total": total,
            "offset": offset,
            "limit": limit,
            "status": status_filter,
            "rows": rows,
        }

    def download(self, session_id: str, output_format: str) -> tuple[Path, str, str]:
        """(path, download name, media type) of an output; other formats are written on demand."""
        manifest = self.manifest(session_id)
        session_id = manifest["id"]
        status = self._done_status(session_id)
        name = output_name(status.run_count, f"output.{output_format}")
        path = self.storage.output_path(session_id, name)
        if path is None:
            self.storage.put_output(
                session_id,
                name,
                lambda target: self._write_later(manifest, status, target, output_format),
            )
            path = self.storage.output_path(session_id, name)
        extension = output_format
        if output_format == "xlsx" and manifest["format"] == "xlsm":
            extension = "xlsm"  # a macro workbook must keep its extension to open
        return path, download_name(manifest["filename"], extension), MEDIA_TYPES[extension]

    def _write_later(
        self, manifest: dict, status: JobStatus, target: Path, output_format: str
    ) -> None:
        """CSV, GeoJSON or KML of a finished run, from its upload and its results index."""
        table = read_table(
            self.storage.upload_path(manifest["id"], manifest["source"]),
            sheet=status.options["sheet"],
            max_rows=self.max_rows,
            file_format=manifest["format"],
        )
        results = self._results_of(manifest["id"], status.run_count)
        conversion = conversion_from_results(table, status.link_column, results)
        write_output_atomically(conversion, target, output_format)

    # --- removal ----------------------------------------------------------------------------

    def delete(self, session_id: str) -> None:
        """Remove the session's files now (a running job notices and stops). Works on any
        session folder that exists, with or without a manifest (an upload cut short)."""
        session_id = parse_session_id(session_id)
        if self.state.manifest(session_id) is None and not self.storage.exists(session_id):
            if self.state.is_expired(session_id):
                raise SessionExpiredError(EXPIRED_MESSAGE)
            raise SessionNotFoundError(NOT_FOUND_MESSAGE)
        self.state.delete(session_id)
        self.storage.delete(session_id)

    def sweep(self) -> int:
        """Remove expired sessions (see expiry.py); returns how many went."""
        return sweep_expired(self.state, self.storage, self.clock)


def local_session_service(
    data_dir: Path,
    runner: JobRunner,
    make_follower: Callable[[], ShortLinkFollower | None] = lambda: None,
    ttl_seconds: float = 86400,
    max_rows: int = 100_000,
    clock: Callable[[], float] = time.time,
    lease_seconds: float = 20.0,
) -> SessionService:
    """The default: files and state in local folders under data_dir."""
    return SessionService(
        storage=LocalFileStorage(data_dir),
        state=FileSessionState(data_dir, heartbeat_timeout_seconds=lease_seconds, clock=clock),
        runner=runner,
        make_follower=make_follower,
        ttl_seconds=ttl_seconds,
        max_rows=max_rows,
        clock=clock,
    )
