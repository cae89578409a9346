"""How fast /health answers while slow clients trickle requests at the shipped gunicorn, alone and
behind the Docker topology's nginx (issue 9's slow-client figure). Loopback only, bounded.

Run (from the project root): python -m bench.bench_slow_clients
Needs Debian's nginx for the proxied figures (the test command installs it).
"""

from __future__ import annotations

import statistics
import tempfile
import threading
import time
from pathlib import Path

import requests

from tests.servers import running_gunicorn, running_nginx
from tests.test_slow_clients import trickle

PROBES = 10


def health_while_trickling(base_url: str, port: int, clients: int) -> tuple[float, float]:
    """Median and slowest /health in ms, with `clients` connections trickling their requests."""
    stop = threading.Event()
    opened: list = []
    threads = [
        threading.Thread(target=trickle, args=(port, stop, opened), daemon=True)
        for _ in range(clients)
    ]
    for thread in threads:
        thread.start()
    try:
        deadline = time.monotonic() + 30
        while len(opened) < clients and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(2)  # every slow client has sent bytes and holds what it can
        seconds = []
        for _ in range(PROBES):
            started = time.perf_counter()
            requests.get(f"{base_url}/health", timeout=30).raise_for_status()
            seconds.append(time.perf_counter() - started)
            time.sleep(0.2)
        return statistics.median(seconds) * 1000, max(seconds) * 1000
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=10)


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="slow-clients-"))
    (work / "data").mkdir()
    (work / "nginx").mkdir()
    settings = {"WEB_CONCURRENCY": "2", "GUNICORN_THREADS": None}  # as shipped
    with running_gunicorn(work / "data", settings) as (base_url, port):
        for clients in (0, 64, 128):
            median_ms, slowest_ms = health_while_trickling(base_url, port, clients)
            print(
                f"gunicorn as shipped, {clients} trickling clients: /health median "
                f"{median_ms:.1f} ms, slowest {slowest_ms:.1f} ms of {PROBES}"
            )
        with running_nginx(work / "nginx", port) as (proxy_url, proxy_port):
            for clients in (200, 400):
                median_ms, slowest_ms = health_while_trickling(proxy_url, proxy_port, clients)
                print(
                    f"nginx in front, {clients} trickling clients: /health median "
                    f"{median_ms:.1f} ms, slowest {slowest_ms:.1f} ms of {PROBES}"
                )


if __name__ == "__main__":
    main()
