"""Benchmarks of the core, each next to a floor timed in the same run: parse_link against a naive
regex, the CLI against a bare import and against calamine reading the same workbook alone.

Run (from the project root): python -m bench.bench_core [--runs N] [--skip-million] [--parse-only]
"""

from __future__ import annotations

import argparse
import gc
import re
import sys
import time

from bench.common import (
    OUT_DIR,
    cli,
    median,
    mixed_links,
    run_measured,
    write_csv_input,
    write_xlsx_input,
)
from map_converter import parse_link

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


IMPORT_ONLY = [sys.executable, "-c", "import map_converter"]
CALAMINE_READ = [
    sys.executable,
    "-c",
    "import sys; from python_calamine import CalamineWorkbook; "
    "CalamineWorkbook.from_path(sys.argv[1]).get_sheet_by_index(0).to_python()",
]


def timed(command: list[str], runs: int) -> tuple[float, float]:
    """Median wall seconds and highest peak RSS (MB) of fresh processes, after one untimed
    run that leaves the bytecode compiled."""
    run_measured(command)
    measurements = [run_measured(command) for _ in range(runs)]
    return median([m[0] for m in measurements]), max(m[1] for m in measurements)


def paired(floor: list[str], ours: list[str], runs: int) -> tuple[float, float, float, float]:
    """Floor and ours run by turns, each pair a ratio: a burst of load on the machine lands on
    both sides of a pair, not on one side of the whole comparison. (median floor s, median
    ours s, highest peak RSS of ours MB, median of the per-pair ratios)."""
    run_measured(floor)
    run_measured(ours)
    floors, times, peaks, ratios = [], [], [], []
    for _ in range(runs):
        floor_seconds = run_measured(floor)[0]
        seconds, peak_mb = run_measured(ours)
        floors.append(floor_seconds)
        times.append(seconds)
        peaks.append(peak_mb)
        ratios.append(seconds / floor_seconds)
    return median(floors), median(times), max(peaks), median(ratios)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--skip-million", action="store_true")
    parser.add_argument("--parse-only", action="store_true", help="only parse_link vs the floor")
    args = parser.parse_args()
    if args.parse_only:
        report_parse_rates(args.runs)
        return
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    small = write_xlsx_input(OUT_DIR / "in-1k.xlsx", 1_000)
    large = write_xlsx_input(OUT_DIR / "in-100k.xlsx", 100_000)
    like_excel = write_xlsx_input(OUT_DIR / "in-100k-shared.xlsx", 100_000, shared_strings=True)
    # Floors timed in the same run, by turns with ours: a bare import of the package, and
    # calamine reading the same workbook alone (no links read, nothing written).
    for label, source, floor_label, floor, target in (
        ("1,000-row .xlsx -> .xlsx", small, "python -c 'import map_converter'", IMPORT_ONLY, 2.5),
        *(
            (
                f"100,000-row .xlsx ({kind}) -> .xlsx",
                source,
                f"calamine reading {source.name} alone",
                [*CALAMINE_READ, str(source)],
                3.5,
            )
            for kind, source in (("inline strings", large), ("shared strings", like_excel))
        ),
    ):
        ours = cli(source, "-o", OUT_DIR / f"out-{source.stem}.xlsx")
        floor_seconds, seconds, peak_mb, ratio = paired(floor, ours, args.runs)
        print(
            f"{label}, whole CLI: {seconds:.3f} s vs {floor_label}: {floor_seconds:.3f} s "
            f"(medians of {args.runs} pairs); ratio {ratio:.2f}x, the median of the pairs' "
            f"(target <= {target}x); peak RSS {peak_mb:.0f} MB"
        )
    # A new workbook (the .xlsx of a CSV, .ods, .xls or .xlsb input, which every web job
    # writes): the same CLI writing .xlsx against it writing .csv.
    rows_csv = write_csv_input(OUT_DIR / "in-100k.csv", 100_000)
    floor = cli(rows_csv, "-o", OUT_DIR / "out-in-100k.csv")
    ours = cli(rows_csv, "-o", OUT_DIR / "out-in-100k-new.xlsx")
    floor_seconds, seconds, peak_mb, ratio = paired(floor, ours, args.runs)
    print(
        f"100,000-row .csv -> a new .xlsx, whole CLI: {seconds:.3f} s vs the same CLI writing "
        f".csv: {floor_seconds:.3f} s (medians of {args.runs} pairs); ratio {ratio:.2f}x, the "
        f"median of the pairs'; peak RSS {peak_mb:.0f} MB"
    )
    if not args.skip_million:
        source = write_csv_input(OUT_DIR / "in-1m.csv", 1_048_575)
        seconds, peak_mb = timed(cli(source, "-o", OUT_DIR / "out-in-1m.csv"), 3)
        print(f"1,048,575-row .csv -> .csv: {seconds:.2f} s median of 3, peak RSS {peak_mb:.0f} MB")
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
