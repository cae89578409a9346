"""What an `rq worker` runs in the distributed mode: one session's job, from its ticket.

The worker reads the same settings as the web app (REDIS_URL, MAPLINK_*, AWS_*), so the Procfile's
worker line needs nothing else. SIGTERM (a Heroku restart) — or RQ's HerokuWorker passing it on
as SIGRTMIN — makes the job record `interrupted` itself before it ends.
"""

from __future__ import annotations

import logging
import os
import signal
from functools import cache

from map_converter.jobs import JobInterruptedError, JobTicket
from map_converter.sessions import SessionService
from map_converter.settings import Settings

from .services import build_session_service

logger = logging.getLogger(__name__)


@cache
def _sessions() -> SessionService:
    """Built once per worker process, from the environment."""
    sessions, _open_cache = build_session_service(Settings.from_environ(os.environ))
    return sessions


def _stop_job(signum, _frame) -> None:
    raise JobInterruptedError(f"signal {signal.Signals(signum).name}")


def run_ticket(ticket: dict) -> None:
    """Run the job the ticket names, if its run is still the current one."""
    for signum in (signal.SIGTERM, signal.SIGRTMIN):
        signal.signal(signum, _stop_job)
    _sessions().run_ticket(JobTicket.from_json(ticket))
