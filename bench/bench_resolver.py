"""Benchmark of issue 3's target: 1,000 distinct short links, fake shortener answering after 50 ms.

Floor at concurrency 16: 1,000 x 50 ms / 16 = 3.125 s; target <= 1.3x floor (4.1 s).
Run (from the project root): python -m bench.bench_resolver [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import time

from map_converter.resolver import ResolverSettings, ShortLinkResolver
from map_converter.safety import HostPolicy
from tests.fake_shortener import FakeShortener, Route

LINKS = 1_000
LATENCY_SECONDS = 0.05


def one_run(shortener: FakeShortener, run: int, concurrency: int) -> float:
    policy = HostPolicy(frozenset({shortener.host}), allow_private_networks=True)
    settings = ResolverSettings(
        policy=policy, concurrency=concurrency, per_host_concurrency=concurrency
    )
    resolver = ShortLinkResolver(settings)  # no cache: every link goes upstream
    links = [shortener.url(f"/r{run}-{number}") for number in range(LINKS)]
    found = []
    started = time.perf_counter()
    resolver.resolve_many(links, lambda link, reading: found.append(reading.location is not None))
    seconds = time.perf_counter() - started
    assert len(found) == LINKS and all(found), "every link must resolve"
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    shortener = FakeShortener(default_delay_seconds=LATENCY_SECONDS).start()
    shortener.default_route = Route(location="https://maps.google.com/?q=12.5,-3.25")
    floor = LINKS * LATENCY_SECONDS / args.concurrency
    times = [one_run(shortener, run, args.concurrency) for run in range(args.runs)]
    shortener.stop()
    best, middle = min(times), statistics.median(times)
    print(
        f"resolve {LINKS} short links @ {LATENCY_SECONDS * 1000:.0f} ms, concurrency {args.concurrency}: "
        f"median {middle:.2f} s of {args.runs} (best {best:.2f} s); floor {floor:.2f} s; "
        f"ratio {middle / floor:.2f}x (target <= 1.3x)"
    )


if __name__ == "__main__":
    main()
