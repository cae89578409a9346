"""Job runners: where a session's job runs. A bounded thread pool in the web worker (one
machine), or an RQ queue served by `rq worker` processes on any machine (distributed mode)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

from .jobs import JobTicket

QUEUE_NAME = "default"  # RQ's own: a bare `rq worker` serves it too
JOB_TIMEOUT_SECONDS = 6 * 3600  # RQ's own limit; liveness is our lease's business, not RQ's


class JobRunner(Protocol):
    """Runs a begun job somewhere, soon. In-process runners call `run()`; a runner on other
    machines carries the ticket there. The job reports through its lease, not the runner."""

    def submit(self, ticket: JobTicket, run: Callable[[], None]) -> None: ...


class ThreadPoolJobRunner:
    """At most `workers` jobs at once in this process; more wait in the pool's queue."""

    def __init__(self, workers: int = 2):
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="job")

    def submit(self, ticket: JobTicket, run: Callable[[], None]) -> None:
        self._pool.submit(run)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


class RqJobRunner:
    """Puts the ticket on an RQ queue; `task` (a dotted path) runs it in an `rq worker`.

    RQ does not de-duplicate: the one-job-per-session guarantee is the session state's lease,
    taken before anything is queued, and a ticket whose run is no longer current does nothing."""

    def __init__(self, connection, task: str, queue_name: str = QUEUE_NAME):
        from rq import Queue

        self.queue = Queue(queue_name, connection=connection)
        self.task = task

    def submit(self, ticket: JobTicket, run: Callable[[], None]) -> None:
        self.queue.enqueue(
            self.task,
            ticket.to_json(),
            job_id=f"{ticket.session_id}-run-{ticket.generation}",
            job_timeout=JOB_TIMEOUT_SECONDS,
            result_ttl=3600,
            failure_ttl=86400,
            description=f"convert session {ticket.session_id} run {ticket.generation}",
        )
