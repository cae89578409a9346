"""Serving the app on 127.0.0.1 in a thread and launching Debian's Chromium for browser tests."""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path

from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]


class LiveServer:
    """The Flask app on a free loopback port, in a background thread."""

    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def start(self) -> LiveServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()


def launch_chromium(playwright, user_data_dir: Path | None = None):
    """A headless Chromium with a fresh profile (Playwright's own browser download is not used)."""
    profile = user_data_dir or Path(tempfile.mkdtemp(prefix="chromium-profile-"))
    return playwright.chromium.launch_persistent_context(
        str(profile),
        executable_path=CHROMIUM,
        headless=True,
        args=CHROMIUM_ARGS,
        viewport={"width": 1280, "height": 900},
    )
