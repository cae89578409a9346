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

import redis

from map_converter.jobs import JobInterruptedError, JobTicket
from map_converter.sessions import SessionService
from map_converter.settings import Settings

from .services import build_session_service, redis_tls_options

logger = logging.getLogger(__name__)


@cache
def _sessions() -> SessionService:
    """Built once per worker process, from the environment."""
    sessions, _open_cache = build_session_service(Settings.from_environ(os.environ))
    return sessions


class WorkerRedis(redis.Redis):
    """The connection `rq worker` opens (the Procfile's --connection-class): the same TLS policy
    as the web app's (MAPLINK_REDIS_VERIFY_TLS); RQ sets its own timeouts for blocking pops."""

    @classmethod
    def from_url(cls, url: str, **options):
        settings = Settings.from_environ({**os.environ, "REDIS_URL": url})
        return super().from_url(url, **{**redis_tls_options(settings), **options})


def _stop_job(signum, _frame) -> None:
    raise JobInterruptedError(f"signal {signal.Signals(signum).name}")


def run_ticket(ticket: dict) -> None:
    """Run the job the ticket names, if its run is still the current one."""
    # RQ logs through its own logger only; the job's start and end lines need the root's.
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    for signum in (signal.SIGTERM, signal.SIGRTMIN):
        signal.signal(signum, _stop_job)
    _sessions().run_ticket(JobTicket.from_json(ticket))
