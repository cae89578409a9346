"""Starting a real gunicorn on loopback for the tests that need one, and waiting for it."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def stop_process(process: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL if it has not ended within 20 s."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_healthy(base_url: str, deadline_seconds: float = 90) -> bool:
    """Retry /health on every request error until the deadline (a busy machine starts slowly)."""
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base_url}/health", timeout=5).status_code == 200:
                return True
        except requests.RequestException:
            pass
        time.sleep(0.2)
    return False


@contextlib.contextmanager
def running_gunicorn(
    data_dir: Path, settings: dict[str, str | None], extra_arguments: tuple[str, ...] = ()
) -> Iterator[tuple[str, int]]:
    """gunicorn serving flask_app:app (gunicorn.conf.py as shipped) with its data in data_dir;
    yields (base URL, port) once /health answers, and stops it with SIGTERM afterwards.
    A setting given as None is taken out of the environment (the shipped default applies)."""
    port = free_port()
    environment = {**os.environ, "MAPLINK_DATA_DIR": str(data_dir), **settings}
    environment = {name: value for name, value in environment.items() if value is not None}
    with open(data_dir / "gunicorn.log", "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "flask_app:app", *extra_arguments,
             "--bind", f"127.0.0.1:{port}"],
            cwd=PROJECT_ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        base_url = f"http://127.0.0.1:{port}"
        try:
            if not wait_until_healthy(base_url):
                pytest.fail("gunicorn did not start: " + (data_dir / "gunicorn.log").read_text())
            yield base_url, port
        finally:
            stop_process(process)


NGINX = "/usr/sbin/nginx"


@contextlib.contextmanager
def running_nginx(prefix: Path, upstream_port: int) -> Iterator[tuple[str, int]]:
    """Debian's nginx with deploy/nginx.conf (the Docker topology's buffering proxy) in front of
    a gunicorn on upstream_port; yields (base URL, port) once /health answers through it."""
    if not Path(NGINX).exists():
        pytest.fail("nginx is missing: apt-get install -y nginx-light")
    port = free_port()
    config = (PROJECT_ROOT / "deploy" / "nginx.conf").read_text()
    config = config.replace("http://web:8000", f"http://127.0.0.1:{upstream_port}")
    config = config.replace("listen 8080;", f"listen 127.0.0.1:{port};")
    config = config.replace("worker_processes auto;", "worker_processes 1;")
    (prefix / "nginx.conf").write_text(config)
    for folder in ("logs", "client_body_temp", "proxy_temp"):
        (prefix / folder).mkdir()
    process = subprocess.Popen(
        [NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-g",
         f"daemon off; pid {prefix / 'nginx.pid'}; error_log {prefix / 'logs' / 'error.log'};"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    base_url = f"http://127.0.0.1:{port}"
    try:
        if not wait_until_healthy(base_url, deadline_seconds=30):
            pytest.fail("nginx did not start: " + (prefix / "logs" / "error.log").read_text())
        yield base_url, port
    finally:
        stop_process(process)


TRICKLE_SECONDS = 40  # how long a slow client keeps trickling, at most


def _trickle(port: int, stop: threading.Event, opened: list) -> None:
    """Open a connection and send a request's bytes one per second until told to stop."""
    request = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 200
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
            opened.append(1)
            deadline = time.monotonic() + TRICKLE_SECONDS
            for byte in request:
                if stop.is_set() or time.monotonic() > deadline:
                    return
                connection.sendall(bytes([byte]))
                stop.wait(1.0)
    except OSError:
        return


@contextlib.contextmanager
def trickling_clients(port: int, count: int) -> Iterator[int]:
    """`count` slow clients on 127.0.0.1:port, each sending a request a byte a second; yields how
    many connected (once they all have, or after 30 s), and stops them all on exit."""
    stop = threading.Event()
    opened: list = []
    threads = [
        threading.Thread(target=_trickle, args=(port, stop, opened), daemon=True)
        for _ in range(count)
    ]
    for thread in threads:
        thread.start()
    try:
        deadline = time.monotonic() + 30
        while len(opened) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(2)  # every slow client has sent bytes and holds what it can
        yield len(opened)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
