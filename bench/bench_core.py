"""Benchmark of issue 2's targets: parse_link throughput and whole-CLI conversions.

Run: python bench/bench_core.py [--runs N] [--skip-million] [--parse-only]
"""

from __future__ import annotations

import argparse
import gc
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    OUT_DIR,
    cli,
    median,
    mixed_links,
    run_measured,
    write_csv_input,
    write_xlsx_input,
)
from map_converter import parse_link  # noqa: E402

# The yardstick: one compiled search, two float() calls and a range check per link. It is fast
# and often wrong (it reads viewports, misses pins and hemispheres); it only shows the floor.
NAIVE_FLOOR_RE = re.compile(r"[@=/:](-?\d{1,2}\.\d+)(?:,|%2C|~|_)\+?(-?\d{1,3}\.\d+)")


def naive_floor(link: str) -> tuple[float, float] | None:
    match = NAIVE_FLOOR_RE.search(link)
    if match:
        lat, lng = float(match.group(1)), float(match.group(2))
        if -90 <= lat <= 90 and -180 <= lng <= 180:
            return lat, lng
    return None


def parse_rates(runs: int) -> tuple[float, float, float]:
    """Median links/s of parse_link and of the naive floor over 100,000 mixed links, and the
    median of the per-run ratios (each ratio from one run, so machine speed cancels out)."""
    links = mixed_links(100_000)
    ours, floors, ratios = [], [], []
    for _ in range(runs):
        rates = []
        for function in (naive_floor, parse_link):
            gc.collect()
            started = time.perf_counter()
            for link in links:
                function(link)
            rates.append(len(links) / (time.perf_counter() - started))
        floors.append(rates[0])
        ours.append(rates[1])
        ratios.append(rates[1] / rates[0])
    return median(ours), median(floors), median(ratios)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-million", action="store_true")
    parser.add_argument("--parse-only", action="store_true", help="only parse_link vs the floor")
    args = parser.parse_args()
    if args.parse_only:
        report_parse_rates(args.runs)
        return
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    cases = [
        (
            "1,000-row .xlsx -> .xlsx",
            write_xlsx_input(OUT_DIR / "in-1k.xlsx", 1_000),
            "xlsx",
            args.runs,
            "<= 0.6 s",
        ),
        (
            "100,000-row .xlsx -> .xlsx",
            write_xlsx_input(OUT_DIR / "in-100k.xlsx", 100_000),
            "xlsx",
            3,
            "<= 12 s, <= 500 MB",
        ),
    ]
    if not args.skip_million:
        cases.append(
            (
                "1,048,575-row .csv -> .csv",
                write_csv_input(OUT_DIR / "in-1m.csv", 1_048_575),
                "csv",
                3,
                "<= 60 s, <= 1.5 GB",
            )
        )
    for label, source, suffix, runs, target in cases:
        output = OUT_DIR / f"out-{source.stem}.{suffix}"
        measurements = [run_measured(cli(source, "-o", output)) for _ in range(runs)]
        seconds = median([m[0] for m in measurements])
        peak_mb = max(m[1] for m in measurements)
        print(
            f"{label}: {seconds:.2f} s median of {runs}, peak RSS {peak_mb:.0f} MB (target {target})"
        )
    # Last, so that the forked CLI children above do not inherit this process's memory.
    report_parse_rates(args.runs)


def report_parse_rates(runs: int) -> None:
    runs = max(runs, 5)
    ours, floor, ratio = parse_rates(runs)
    print(
        f"parse_link: {ours:,.0f} links/s, naive floor {floor:,.0f} links/s, "
        f"ratio {ratio:.2f} (median of {runs} runs; target >= 0.35)"
    )


if __name__ == "__main__":
    main()
