"""How fast /health answers while slow clients trickle requests at the shipped gunicorn, alone and
behind the Docker topology's nginx (issue 9's slow-client figure). Loopback only, bounded.

Run (from the project root): python -m bench.bench_slow_clients
Needs Debian's nginx for the proxied figures (the test command installs it).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import requests

from tests.servers import running_gunicorn, running_nginx, trickling_clients

PROBES = 10


def health_while_trickling(base_url: str, port: int, clients: int) -> tuple[float, float]:
    """Median and slowest /health in ms, with `clients` connections trickling their requests."""
    with trickling_clients(port, clients):
        seconds = []
        for _ in range(PROBES):
            started = time.perf_counter()
            requests.get(f"{base_url}/health", timeout=30).raise_for_status()
            seconds.append(time.perf_counter() - started)
            time.sleep(0.2)
        return statistics.median(seconds) * 1000, max(seconds) * 1000


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
