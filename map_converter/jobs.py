"""A session's job: its state and status, and `run_job`, which any job runner can call.

The job reads the upload, converts it, writes the .xlsx (the other formats are written on their
first download) and the results index, and publishes progress only through its lease: a stale
run can never overwrite a newer one.
"""

from __future__ import annotations

import contextlib
import enum
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Protocol

from .convert import ShortLinkFollower
from .errors import DISK_FULL_MESSAGE, MapConverterError, is_disk_full
from .pipeline import convert_file
from .results import Progress

logger = logging.getLogger(__name__)

STATUS_WRITE_INTERVAL_SECONDS = 0.5
HEARTBEAT_INTERVAL_SECONDS = 1.0
INTERRUPTED_MESSAGE = (
    "The conversion stopped before it finished (the server restarted or ran short of disk "
    "space). Start it again."
)
UNEXPECTED_FAILURE_MESSAGE = (
    "The conversion failed unexpectedly. Try again; if it keeps failing, report it."
)


class JobState(enum.StrEnum):
    """Where a session's job is; the same strings in JSON and in the page's CSS."""

    UPLOADED = "uploaded"
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    INTERRUPTED = "interrupted"


ACTIVE_STATES = frozenset({JobState.QUEUED, JobState.RUNNING})


@dataclass(frozen=True)
class JobOptions:
    """What the user asked for: the link column (None: detected), the sheet, short links on,
    and whether to re-read only the rows that failed last time (the others keep their result)."""

    column: str | None
    sheet: str | None
    resolve: bool
    retry_failed: bool = False

    def to_json(self) -> dict:
        return {"column": self.column, "sheet": self.sheet, "resolve": self.resolve}


@dataclass(frozen=True)
class JobTicket:
    """What a job runner is handed: which session, which run, the run's lease and its options.
    Plain values, so a queue can carry it to another machine."""

    session_id: str
    generation: int
    lease_token: str
    options: JobOptions
    retry_of: int | None = None  # for a retry: the generation whose results it builds on

    def to_json(self) -> dict:
        return {
            "session_id": self.session_id,
            "generation": self.generation,
            "lease_token": self.lease_token,
            "options": {**self.options.to_json(), "retry_failed": self.options.retry_failed},
            "retry_of": self.retry_of,
        }

    @classmethod
    def from_json(cls, data: dict) -> JobTicket:
        return cls(
            data["session_id"],
            data["generation"],
            data["lease_token"],
            JobOptions(**data["options"]),
            data.get("retry_of"),
        )


@dataclass(frozen=True)
class JobStatus:
    """One run of a session's job as stored; `to_public` is what GET /status answers."""

    id: str
    state: JobState
    total: int
    processed: int = 0
    counts: dict[str, int] = field(default_factory=lambda: {"ok": 0, "failed": 0, "skipped": 0})
    started_at: float | None = None
    finished_at: float | None = None
    error: str | None = None
    options: dict | None = None
    run_count: int = 0  # runs this session has started; also the current run's generation
    link_column: str | None = None
    heartbeat_at: float | None = None
    worker_pid: int | None = None  # the process that queued it, then the one running it
    phase: str | None = None  # while running: "reading", "converting", "writing"

    @classmethod
    def from_json(cls, data: dict) -> JobStatus:
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        return cls(**{**known, "state": JobState(data["state"])})

    def to_json(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__} | {
            "state": str(self.state)
        }

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES

    def to_public(self, now: float) -> dict:
        return {
            "id": self.id,
            "state": str(self.state),
            "total": self.total,
            "processed": self.processed,
            "counts": dict(self.counts),
            "eta_seconds": self.eta_seconds(now),
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "error": self.error,
            "run_count": self.run_count,
            "phase": self.phase if self.state == JobState.RUNNING else None,
        }

    def eta_seconds(self, now: float) -> float | None:
        """Time left at the pace so far, while running."""
        if self.state != JobState.RUNNING or not self.started_at or not self.processed:
            return None
        if self.phase != "converting":
            return None  # reading or writing: the rows' pace says nothing about it
        remaining = max(self.total - self.processed, 0)
        return round((now - self.started_at) / self.processed * remaining, 1)


class JobLease(Protocol):
    """Held by the one run allowed to publish a session's status and results."""

    generation: int
    token: str

    def publish(self, status: JobStatus) -> None: ...

    def is_cancelled(self) -> bool: ...

    def release(self) -> None: ...


class JobCancelledError(Exception):
    """The session was deleted (or its lease lost) while its job ran."""


class JobInterruptedError(BaseException):
    """The process running the job is being stopped (SIGTERM): record `interrupted` and end.

    A BaseException, like KeyboardInterrupt: raised by a signal handler wherever the job is, it
    must pass every `except Exception` that keeps one bad cell or link from failing the rest."""


@dataclass(frozen=True)
class JobContext:
    """What a run needs besides its session: where files are, limits, the short-link follower."""

    source_path: Callable[[], object]  # the upload as a local path
    write_xlsx_to: Callable[[Callable], None]  # gives the writer a local path, stores the result
    write_index: Callable[[list], None]
    file_format: str
    max_rows: int
    make_follower: Callable[[], ShortLinkFollower | None]
    clock: Callable[[], float] = time.time
    previous_results: Callable[[], list] = list  # the last run's results, for a retry


def run_job(status: JobStatus, options: JobOptions, lease: JobLease, context: JobContext) -> None:
    """The whole conversion of one session; publishes through the lease, releases it at the end."""
    clock = context.clock
    publish_lock = threading.Lock()
    stop_heartbeat = threading.Event()
    current = [replace(status, state=JobState.RUNNING, started_at=clock(), worker_pid=os.getpid())]
    last_write = [0.0]

    def publish(force: bool = False, **changes) -> None:
        with publish_lock:
            if lease.is_cancelled():
                raise JobCancelledError()
            now = clock()
            current[0] = replace(current[0], **changes)
            if force or now - last_write[0] >= STATUS_WRITE_INTERVAL_SECONDS:
                lease.publish(replace(current[0], heartbeat_at=now))
                last_write[0] = now

    def heartbeat() -> None:
        while not stop_heartbeat.wait(HEARTBEAT_INTERVAL_SECONDS):
            try:
                publish(force=True)
            except JobCancelledError:
                return
            except Exception:  # a blip of the state's store: the next beat may get through
                logger.warning("job %s: a heartbeat failed", status.id, exc_info=True)

    def on_progress(progress: Progress) -> None:
        counts = {"ok": progress.ok, "failed": progress.failed, "skipped": progress.skipped}
        phase = "writing" if progress.processed >= progress.total else "converting"
        publish(processed=progress.processed, total=progress.total, counts=counts, phase=phase)

    started = time.monotonic()
    heartbeat_thread = threading.Thread(
        target=heartbeat, daemon=True, name=f"heartbeat-{status.id}"
    )
    logger.info("job %s run %d started", status.id, status.run_count)
    try:
        publish(force=True, phase="reading")
        heartbeat_thread.start()
        holder: dict = {}

        known = None
        if options.retry_failed:
            known = {r.row_number: r for r in context.previous_results() if r.status == "ok"}

        def write_xlsx(path) -> None:
            holder["conversion"] = convert_file(
                context.source_path(),
                [(path, "xlsx")],
                file_format=context.file_format,
                sheet=options.sheet,
                column=options.column,
                max_rows=context.max_rows,
                follower=context.make_follower() if options.resolve else None,
                progress=on_progress,
                known_results=known,
            )

        context.write_xlsx_to(write_xlsx)
        conversion = holder["conversion"]
        context.write_index(conversion.results)
        publish(
            force=True,
            state=JobState.DONE,
            phase=None,
            finished_at=clock(),
            processed=len(conversion.results),
            total=len(conversion.results),
            counts=conversion.counts,
            link_column=conversion.table.header[conversion.link_column],
        )
        logger.info(
            "job %s done: %d rows, %s, %.2f s",
            status.id,
            len(conversion.results),
            conversion.counts,
            time.monotonic() - started,
        )
    except JobCancelledError:
        logger.info(
            "job %s run %d cancelled (deleted, or a newer run)", status.id, status.run_count
        )
    except JobInterruptedError:
        logger.warning("job %s run %d interrupted by shutdown", status.id, status.run_count)
        with contextlib.suppress(JobCancelledError, OSError):
            publish(
                force=True,
                state=JobState.INTERRUPTED,
                finished_at=clock(),
                error=INTERRUPTED_MESSAGE,
                phase=None,
            )
    except MapConverterError as error:
        _finish_failed(publish, clock, error.message)
        logger.info(
            "job %s failed: %s (%.2f s)", status.id, error.message, time.monotonic() - started
        )
    except Exception as error:
        if is_disk_full(error):
            logger.error("job %s: the disk is full", status.id)
            _finish_failed(publish, clock, DISK_FULL_MESSAGE)
        else:
            logger.exception("job %s failed unexpectedly", status.id)
            _finish_failed(publish, clock, UNEXPECTED_FAILURE_MESSAGE)
    finally:
        stop_heartbeat.set()
        if heartbeat_thread.is_alive():
            heartbeat_thread.join()
        lease.release()


def _finish_failed(publish, clock, message: str) -> None:
    with contextlib.suppress(JobCancelledError, OSError):
        publish(force=True, state=JobState.FAILED, finished_at=clock(), error=message)
