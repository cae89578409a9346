"""The app's collaborators, built once per app and stored in app.extensions."""

from __future__ import annotations

import time
from dataclasses import dataclass

from flask import Flask, current_app

from map_converter.job_runner import ThreadPoolJobRunner
from map_converter.safety import parse_host_list
from map_converter.sessions import SessionService, local_session_service
from map_converter.settings import Settings
from map_converter.short_links import LazyShortLinkFollower, short_link_follower_factory

from .limits import UploadRateLimiter, WaitingRequests

EXTENSION_KEY = "map_converter"


@dataclass
class Services:
    """What routes use: the settings, the sessions, followers for POST /convert, the limits."""

    settings: Settings
    sessions: SessionService
    make_convert_follower: object  # () -> LazyShortLinkFollower | None
    upload_limiter: UploadRateLimiter
    waiting: WaitingRequests
    trusted_proxies: frozenset[str]


def init_services(app: Flask, settings: Settings) -> Services:
    """Build the collaborators from the settings and attach them to the app."""
    make_follower = short_link_follower_factory(settings.short_links())
    make_convert_follower = short_link_follower_factory(
        settings.short_links(settings.CONVERT_RESOLVE_DEADLINE_SECONDS)
    )
    services = Services(
        settings=settings,
        sessions=local_session_service(
            settings.data_dir,
            ThreadPoolJobRunner(settings.JOB_WORKERS),
            make_follower=make_follower if settings.RESOLVE_SHORT_LINKS else _no_follower,
            ttl_seconds=settings.SESSION_TTL_SECONDS,
            max_rows=settings.MAX_ROWS,
            clock=app.config.get("CLOCK") or time.time,  # tests pass a clock they move by hand
        ),
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
