"""Command line: python -m map_converter INPUT [-o OUTPUT] [--column] [--sheet] [--format]."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from .convert import Progress, convert_file
from .errors import MapConverterError

logger = logging.getLogger(__name__)
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def build_resolver(environ=os.environ):
    """The short-link resolver as configured by MAPLINK_* environment variables."""
    from .resolver import resolver_factory
    from .safety import parse_host_list

    data_dir = Path(environ.get("MAPLINK_DATA_DIR", PROJECT_ROOT))
    make_resolver = resolver_factory(
        extra_hosts=parse_host_list(environ.get("MAPLINK_SHORTLINK_HOSTS")),
        allow_private_networks=environ.get("MAPLINK_ALLOW_PRIVATE_NETWORKS", "") == "1",
        concurrency=int(environ.get("MAPLINK_RESOLVE_CONCURRENCY", "16")),
        per_host_concurrency=int(environ.get("MAPLINK_RESOLVE_PER_HOST", "8")),
        cache_path=data_dir / "processed" / "resolved-links.sqlite3",
    )
    return make_resolver()


class _ProgressBar:
    """A one-line progress bar on stderr, drawn only when stderr is a terminal."""

    def __init__(self, stream=sys.stderr):
        self.stream = stream
        self.enabled = stream.isatty()

    def __call__(self, progress: Progress) -> None:
        if not self.enabled or not progress.total:
            return
        width = 30
        filled = int(width * progress.processed / progress.total)
        self.stream.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {progress.processed}/{progress.total}"
        )
        self.stream.flush()

    def finish(self) -> None:
        if self.enabled:
            self.stream.write("\n")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m map_converter",
        description="Add Latitude/Longitude/Status/Note columns to a spreadsheet of map links.",
    )
    parser.add_argument("input", help=".xlsx, .xlsm, .xls, .ods, .csv or .tsv file")
    parser.add_argument("-o", "--output", help="output file (default: INPUT-coordinates.EXT)")
    parser.add_argument("--column", help="header of the link column (default: detected)")
    parser.add_argument("--sheet", help="sheet name (default: the first with data)")
    parser.add_argument("--format", choices=("xlsx", "csv", "geojson", "kml"))
    parser.add_argument("--no-resolve", action="store_true", help="do not follow short links")
    return parser


def _default_output(input_path: Path, output_format: str | None) -> Path:
    """INPUT-coordinates.EXT: CSV stays CSV, a macro workbook stays .xlsm, others become .xlsx."""
    source_suffix = input_path.suffix.lower().lstrip(".")
    if output_format is None:
        output_format = {"csv": "csv", "tsv": "csv", "xlsm": "xlsm"}.get(source_suffix, "xlsx")
    return input_path.with_name(f"{input_path.stem}-coordinates.{output_format}")


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; exit 0 when the file was processed, 1 when it could not be, 2 for usage."""
    # Messages go to stderr through logging; stdout carries only the summary line.
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logger.setLevel(logging.INFO)
    args = _parser().parse_args(argv)
    input_path = Path(args.input)
    if not input_path.is_file():
        logger.error("%s is not a file", input_path)
        return 1
    output_path = Path(args.output) if args.output else _default_output(input_path, args.format)
    resolver = None if args.no_resolve else build_resolver()
    progress_bar = _ProgressBar()
    try:
        conversion = convert_file(
            input_path,
            output_path,
            output_format=args.format,
            column=args.column,
            sheet=args.sheet,
            resolver=resolver,
            progress=progress_bar,
        )
    except MapConverterError as error:
        progress_bar.finish()
        logger.error("%s", error.message)
        return 1
    progress_bar.finish()
    counts = conversion.counts
    logger.info("wrote %s", output_path)
    print(
        f"{len(conversion.results)} rows: {counts['ok']} ok, {counts['failed']} failed, "
        f"{counts['skipped']} skipped"
    )
    return 0
