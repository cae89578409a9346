"""One client flooding uploads at a real gunicorn on 127.0.0.1 with the default limits on.

Run (from the project root): python -m bench.bench_flood [--seconds 20]
Reports how many uploads were accepted (201) and refused (429), and whether /health stayed up.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from tests.servers import running_gunicorn

CSV = b'Name,Link\nA,"40.7, -74.0"\n'


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp(prefix="flood-")
    with running_gunicorn(Path(data_dir), {}) as (base, _port):
        codes: dict[int, int] = {}
        health_slowest = 0.0
        stop = time.monotonic() + args.seconds

        def flood() -> None:
            session = requests.Session()
            while time.monotonic() < stop:
                response = session.post(
                    f"{base}/upload", files={"file": ("p.csv", CSV)}, timeout=10
                )
                codes[response.status_code] = codes.get(response.status_code, 0) + 1

        with ThreadPoolExecutor(8) as pool:
            for _ in range(8):
                pool.submit(flood)
            while time.monotonic() < stop:
                started = time.monotonic()
                requests.get(f"{base}/health", timeout=10)
                health_slowest = max(health_slowest, time.monotonic() - started)
                time.sleep(0.5)
        sessions = [name for name in os.listdir(os.path.join(data_dir, "uploads")) if "-" in name]
        print(
            f"{args.seconds:g} s of uploads from one address (8 connections): {codes}; "
            f"{len(sessions)} sessions created; slowest /health {health_slowest * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
