"""Benchmark of issue 4's targets against a real gunicorn on 127.0.0.1 (default config: 2 workers).

1. One 1,000-row .xlsx of direct links: upload -> process -> poll -> download, median of N runs
   (target <= 0.8 s).
2. 20 concurrent clients repeating that flow for D seconds: errors and p99 of GET /status
   (targets: 0 errors, p99 <= 200 ms).
Run (from the project root): python -m bench.bench_http [--runs N] [--duration S] [--clients C]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from pathlib import Path

import requests

from bench.common import OUT_DIR, write_xlsx_input
from tests.servers import running_gunicorn


def flow(
    session: requests.Session, base_url: str, content: bytes, status_times: list | None = None
) -> float:
    """One upload -> process -> poll -> download; returns its wall time."""
    started = time.perf_counter()
    uploaded = session.post(
        f"{base_url}/upload", files={"file": ("bench.xlsx", content)}, timeout=30
    )
    uploaded.raise_for_status()
    session_id = uploaded.json()["id"]
    session.post(f"{base_url}/process/{session_id}", timeout=30).raise_for_status()
    while True:
        before = time.perf_counter()
        response = session.get(f"{base_url}/status/{session_id}", timeout=30)
        if status_times is not None:
            status_times.append(time.perf_counter() - before)
        response.raise_for_status()
        state = response.json()["state"]
        if state == "done":
            break
        if state in ("failed", "interrupted"):
            raise RuntimeError(state)
        time.sleep(0.02)
    download = session.get(f"{base_url}/download/{session_id}", timeout=30)
    download.raise_for_status()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=20)
    args = parser.parse_args()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    content = write_xlsx_input(OUT_DIR / "in-1k.xlsx", 1_000).read_bytes()
    # Every client is 127.0.0.1: the per-address upload limits would refuse the load with 429.
    settings = {"MAPLINK_UPLOADS_PER_MINUTE": "0", "MAPLINK_UPLOAD_BYTES_PER_HOUR": "0"}
    with (
        tempfile.TemporaryDirectory() as data_dir,
        running_gunicorn(Path(data_dir), settings, ("--access-logfile", "/dev/null")) as (
            base_url,
            _port,
        ),
    ):
        with requests.Session() as session:
            flow(session, base_url, content)  # warm-up: workers import everything once
            times = [flow(session, base_url, content) for _ in range(args.runs)]
        print(
            f"1,000-row flow: median {statistics.median(times):.3f} s of {args.runs} (target <= 0.8 s)"
        )

        status_times: list[float] = []
        errors: list[str] = []
        flows_done = [0]
        stop_at = time.monotonic() + args.duration
        lock = threading.Lock()

        def client() -> None:
            with requests.Session() as session:
                while time.monotonic() < stop_at:
                    local: list[float] = []
                    try:
                        flow(session, base_url, content, local)
                    except Exception as error:  # counted, reported below
                        with lock:
                            errors.append(repr(error))
                    with lock:
                        status_times.extend(local)
                        flows_done[0] += 1

        threads = [threading.Thread(target=client) for _ in range(args.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        status_times.sort()
        p99 = status_times[int(len(status_times) * 0.99) - 1] if status_times else float("nan")
        p50 = statistics.median(status_times) if status_times else float("nan")
        print(
            f"{args.clients} clients for {args.duration:.0f} s: {flows_done[0]} flows, {len(errors)} errors, "
            f"{len(status_times)} status polls, p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms (target <= 200 ms)"
        )
        if errors:
            print("first errors:", errors[:3])


if __name__ == "__main__":
    main()
