"""Benchmark of issue 2's targets: parse_link throughput and whole-CLI conversions.

Run: python bench/bench_core.py [--runs N] [--skip-million]
"""

from __future__ import annotations

import argparse
import gc
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


def parse_rate(runs: int) -> float:
    """Median links per second of parse_link over 100,000 mixed links."""
    links = mixed_links(100_000)
    rates = []
    for _ in range(runs):
        gc.collect()
        started = time.perf_counter()
        for link in links:
            parse_link(link)
        rates.append(len(links) / (time.perf_counter() - started))
    return median(rates)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-million", action="store_true")
    args = parser.parse_args()
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
    print(
        f"parse_link: {parse_rate(args.runs):,.0f} links/s (median of {args.runs}; target >= 150,000)"
    )


if __name__ == "__main__":
    main()
