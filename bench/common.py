"""Helpers for the benchmarks: input generators, timing a fresh process, medians."""

from __future__ import annotations

import csv
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = PROJECT_ROOT / "bench" / "out"

LINK_TEMPLATES = [
    "https://www.google.com/maps/place/Spot+{n}/@{lat},{lng},17z/data=!3m1!4b1!4m6!3m5!1s0x0:0x{n:x}!8m2!3d{lat}!4d{lng}!16s",
    "https://maps.google.com/?q={lat},{lng}",
    "https://www.google.com/maps/@{lat},{lng},15z",
    "https://www.google.com/maps/search/?api=1&query={lat}%2C{lng}",
    "https://maps.apple.com/?ll={lat},{lng}&q=Spot",
    "https://www.openstreetmap.org/?mlat={lat}&mlon={lng}#map=17/{lat}/{lng}",
    "https://www.bing.com/maps?cp={lat}~{lng}&lvl=12",
    "https://waze.com/ul?ll={lat},{lng}&navigate=yes",
    "geo:{lat},{lng}",
    "{lat}, {lng}",
]


def mixed_links(count: int, seed: int = 7) -> list[str]:
    """Direct links of every common family, reproducible."""
    generator = random.Random(seed)
    links = []
    for number in range(count):
        lat = f"{generator.uniform(-80, 80):.7f}"
        lng = f"{generator.uniform(-170, 170):.7f}"
        links.append(
            LINK_TEMPLATES[number % len(LINK_TEMPLATES)].format(n=number, lat=lat, lng=lng)
        )
    return links


def write_xlsx_input(path: Path, count: int, shared_strings: bool = False) -> Path:
    """Name / Map link / Notes sheet plus a second sheet, like a user's workbook. Text as
    inline strings (xlsxwriter's constant-memory mode), or shared strings and a spans hint on
    every row, as Excel, LibreOffice and openpyxl save it."""
    import xlsxwriter

    if path.exists():
        return path
    options = {"constant_memory": not shared_strings, "strings_to_urls": False}
    workbook = xlsxwriter.Workbook(str(path), options)
    sheet = workbook.add_worksheet("Places")
    sheet.write_row(0, 0, ["Name", "Map link", "Notes"])
    for row, link in enumerate(mixed_links(count), start=1):
        sheet.write_row(row, 0, [f"Place {row}", link, "note"])
    workbook.add_worksheet("Other").write(0, 0, "keep")
    workbook.close()
    return path


def write_csv_input(path: Path, count: int) -> Path:
    if path.exists():
        return path
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Name", "Map link"])
        for row, link in enumerate(mixed_links(count), start=1):
            writer.writerow([f"Place {row}", link])
    return path


# Children run with compiled bytecode kept (under bench/out), as after `pip install`, whatever
# this shell says: with PYTHONDONTWRITEBYTECODE=1 every run would compile the package again
# (0.03 s of a bare import, 0.1 s of the CLI, here), which no installed copy does.
BYTECODE_ENV = {"PYTHONPYCACHEPREFIX": str(OUT_DIR / "pycache"), "PYTHONDONTWRITEBYTECODE": None}


def child_environment(env: dict | None = None) -> dict[str, str]:
    """os.environ with env applied; a None value removes the variable."""
    merged = {**os.environ, **BYTECODE_ENV, **(env or {})}
    return {name: value for name, value in merged.items() if value is not None}


def run_measured(args: list[str], env: dict | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one fresh child process."""
    started = time.perf_counter()
    process = subprocess.Popen(
        args,
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=child_environment(env),
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{args} failed: {process.stderr.read().decode()}")
    process.stderr.close()
    return seconds, usage.ru_maxrss / 1024


def cli(*args) -> list[str]:
    # No --no-resolve: the links are direct, and the resolver must not load for them at all.
    return [sys.executable, "-m", "map_converter", *map(str, args)]


def median(values) -> float:
    return statistics.median(values)
