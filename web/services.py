"""The app's collaborators, built once per app and stored in app.extensions.

One machine (no REDIS_URL): local folders, JSON state with lock files, a thread pool in each web
worker. Distributed (REDIS_URL): state and the job queue in Redis, files in object storage when
MAPLINK_STORAGE_URL is set; `rq worker` processes (web.tasks) run the jobs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app

from map_converter.job_runner import ThreadPoolJobRunner
from map_converter.safety import parse_host_list
from map_converter.sessions import SessionService, local_session_service
from map_converter.settings import Settings
from map_converter.short_links import LazyShortLinkFollower, short_link_follower_factory

from .limits import UploadRateLimiter, WaitingRequests

EXTENSION_KEY = "map_converter"
RQ_TASK = "web.tasks.run_ticket"


@dataclass
class Services:
    """What routes use: the settings, the sessions, followers for POST /convert, the limits."""

    settings: Settings
    sessions: SessionService
    make_convert_follower: object  # () -> LazyShortLinkFollower | None
    upload_limiter: UploadRateLimiter
    waiting: WaitingRequests
    trusted_proxies: frozenset[str]


def build_session_service(
    settings: Settings, clock: Callable[[], float] = time.time
) -> tuple[SessionService, Callable[[], object] | None]:
    """The sessions for the settings' mode, and the shared short-link cache opener (None: the
    default SQLite file). Used by the web app and by the RQ worker alike."""
    sessions, open_cache = _sessions_for_mode(settings, clock)
    make_follower = short_link_follower_factory(settings.short_links(), open_cache)
    sessions.make_follower = make_follower if settings.RESOLVE_SHORT_LINKS else _no_follower
    return sessions, open_cache


def _sessions_for_mode(
    settings: Settings, clock: Callable[[], float]
) -> tuple[SessionService, Callable[[], object] | None]:
    if not settings.is_distributed:
        sessions = local_session_service(
            settings.data_dir,
            ThreadPoolJobRunner(settings.JOB_WORKERS),
            ttl_seconds=settings.SESSION_TTL_SECONDS,
            max_rows=settings.MAX_ROWS,
            clock=clock,
            lease_seconds=settings.JOB_LEASE_SECONDS,
        )
        return sessions, None

    import redis

    from map_converter.cache import RedisResolvedLinkCache
    from map_converter.file_storage import LocalFileStorage
    from map_converter.job_runner import RqJobRunner
    from map_converter.redis_state import RedisSessionState

    connection = redis.Redis.from_url(
        settings.REDIS_URL,
        socket_timeout=15,
        socket_connect_timeout=5,
        health_check_interval=30,
        **redis_tls_options(settings),
    )
    if settings.STORAGE_URL:
        from map_converter.object_storage import ObjectFileStorage, parse_storage_url, s3_client

        bucket, prefix = parse_storage_url(settings.STORAGE_URL)
        storage = ObjectFileStorage(
            s3_client(settings.S3_ENDPOINT_URL),
            bucket,
            prefix,
            settings.data_dir / "object-copies",
        )
    else:
        storage = LocalFileStorage(settings.data_dir)  # a folder every machine shares
    sessions = SessionService(
        storage=storage,
        state=RedisSessionState(connection, lease_seconds=settings.JOB_LEASE_SECONDS),
        runner=RqJobRunner(connection, RQ_TASK),
        ttl_seconds=settings.SESSION_TTL_SECONDS,
        max_rows=settings.MAX_ROWS,
        clock=clock,
    )
    return sessions, lambda: RedisResolvedLinkCache(connection)


def redis_tls_options(settings: Settings) -> dict:
    """Connection options for a TLS Redis whose certificate is not to be checked (a platform's
    self-signed one, as on Heroku): the traffic stays encrypted, the server is not verified."""
    if settings.REDIS_URL.startswith("rediss://") and not settings.REDIS_VERIFY_TLS:
        return {"ssl_cert_reqs": "none"}
    return {}


def init_services(app: Flask, settings: Settings) -> Services:
    """Build the collaborators from the settings and attach them to the app."""
    for folder in ("uploads", "processed"):  # scratch for POST /convert, the rate limits
        (settings.data_dir / folder).mkdir(parents=True, exist_ok=True)
    sessions, open_cache = build_session_service(
        settings,
        clock=app.config.get("CLOCK") or time.time,  # tests pass a clock they move by hand
    )
    make_convert_follower = short_link_follower_factory(
        settings.short_links(settings.CONVERT_RESOLVE_DEADLINE_SECONDS), open_cache
    )
    services = Services(
        settings=settings,
        sessions=sessions,
        make_convert_follower=make_convert_follower
        if settings.RESOLVE_SHORT_LINKS
        else _no_follower,
        upload_limiter=UploadRateLimiter(
            settings.data_dir / "processed" / ".rate-limits.sqlite3",
            settings.UPLOADS_PER_MINUTE,
            settings.UPLOAD_BYTES_PER_HOUR,
        ),
        waiting=WaitingRequests(settings.MAX_WAITING_REQUESTS),
        trusted_proxies=parse_host_list(settings.TRUSTED_PROXIES),
    )
    app.extensions[EXTENSION_KEY] = services
    return services


def _no_follower() -> LazyShortLinkFollower | None:
    return None


def get_services() -> Services:
    return current_app.extensions[EXTENSION_KEY]


def get_sessions() -> SessionService:
    return get_services().sessions
