"""Housekeeping off the request path: the expired-session sweep, on a timer and as a command."""

from __future__ import annotations

import logging
import threading

import click
from flask import Flask

from .services import Services, get_sessions

logger = logging.getLogger(__name__)


@click.command("sweep")
def sweep_command() -> None:
    """Remove expired sessions now: flask --app flask_app sweep."""
    removed = get_sessions().sweep()
    click.echo(f"removed {removed} expired session(s)")


def start_sweeper(services: Services) -> threading.Event | None:
    """A daemon thread that sweeps every SWEEP_INTERVAL_SECONDS; set the event to stop it."""
    interval = services.settings.SWEEP_INTERVAL_SECONDS
    if interval <= 0:
        return None
    stop = threading.Event()

    def sweep_forever() -> None:
        while not stop.wait(interval):
            try:
                services.sessions.sweep()
            except OSError:
                logger.warning("session sweep failed", exc_info=True)

    threading.Thread(target=sweep_forever, daemon=True, name="session-sweeper").start()
    return stop


def register_housekeeping(app: Flask, services: Services) -> None:
    app.cli.add_command(sweep_command)
    app.extensions["map_converter_sweeper"] = start_sweeper(services)
