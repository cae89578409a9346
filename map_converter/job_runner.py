"""Job runners: where a session's job runs. Today a bounded thread pool in the web worker."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol


class JobRunner(Protocol):
    """Runs `job()` somewhere, soon; the job reports through its lease, not through the runner."""

    def submit(self, session_id: str, job: Callable[[], None]) -> None: ...


class ThreadPoolJobRunner:
    """At most `workers` jobs at once in this process; more wait in the pool's queue."""

    def __init__(self, workers: int = 2):
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="job")

    def submit(self, session_id: str, job: Callable[[], None]) -> None:
        self._pool.submit(job)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
