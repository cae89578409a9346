"""Command line: map-link-converter INPUT [-o OUTPUT] [--column] [--sheet] [--format] [--no-resolve].

Also `python -m map_converter …`. Settings (the short-link cache folder, extra short-link hosts…)
come from the same MAPLINK_* variables as the web app, through the one Settings declaration.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from pathlib import Path

from .errors import SPREADSHEET_KINDS, MapConverterError, NoLinkColumnError
from .output import OUTPUT_FORMATS, format_from_path
from .pipeline import convert_file
from .results import Progress
from .settings import Settings
from .short_links import short_link_follower_factory
from .tables import sheets_with_links

logger = logging.getLogger(__name__)


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
        prog="map-link-converter",
        description="Add Latitude/Longitude/Status/Note columns to a spreadsheet of map links.",
    )
    parser.add_argument("input", help=f"{SPREADSHEET_KINDS} file")
    parser.add_argument("-o", "--output", help="output file (default: INPUT-coordinates.EXT)")
    parser.add_argument("--column", help="header of the link column (default: detected)")
    parser.add_argument("--sheet", help="sheet name (default: the first with data)")
    parser.add_argument("--format", choices=OUTPUT_FORMATS)
    parser.add_argument("--no-resolve", action="store_true", help="do not follow short links")
    return parser


def _default_output(input_path: Path, output_format: str | None) -> Path:
    """INPUT-coordinates.EXT: CSV stays CSV, a macro workbook stays .xlsm, others become .xlsx."""
    source_suffix = input_path.suffix.lower().lstrip(".")
    extension = output_format or {"csv": "csv", "tsv": "csv", "xlsm": "xlsm"}.get(
        source_suffix, "xlsx"
    )
    return input_path.with_name(f"{input_path.stem}-coordinates.{extension}")


def _where_links_are(path: Path, chosen_sheet: str | None) -> str:
    """A hint for 'no link column': the sheets that do have one, and the options to use.
    Without a chosen sheet the first ones were all looked through already."""
    sheets: list[str] = []
    if chosen_sheet is not None:
        with contextlib.suppress(MapConverterError):  # the hint is only extra
            sheets = [name for name in sheets_with_links(path) if name != chosen_sheet]
    if sheets:
        listed = ", ".join(repr(name) for name in sheets)
        return f"Sheets with links: {listed}; choose one with --sheet NAME (and --column NAME)."
    return "Name the column of links with --column NAME (and the sheet with --sheet NAME)."


def main(argv: list[str] | None = None, environ=None) -> int:
    """Run the CLI; exit 0 when the file was processed, 1 when it could not be, 2 for usage."""
    # Messages go to stderr through logging; stdout carries only the summary line.
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logger.setLevel(logging.INFO)
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_environ(os.environ if environ is None else environ)
    except ValueError as error:
        logger.error("%s", error)
        return 2
    input_path = Path(args.input)
    if not input_path.is_file():
        logger.error("%s is not a file", input_path)
        return 1
    output_path = Path(args.output) if args.output else _default_output(input_path, args.format)
    path_format = format_from_path(output_path)
    if args.format and path_format and path_format != args.format:
        parser.error(
            f"--format {args.format} does not match the output name {output_path.name}; "
            f"name it {output_path.stem}.{args.format} or drop --format"
        )
    follower = None
    if settings.RESOLVE_SHORT_LINKS and not args.no_resolve:
        follower = short_link_follower_factory(settings.short_links())()
    progress_bar = _ProgressBar()
    try:
        conversion = convert_file(
            input_path,
            [(output_path, args.format or path_format)],
            column=args.column,
            sheet=args.sheet,
            follower=follower,
            progress=progress_bar,
        )
    except NoLinkColumnError as error:
        progress_bar.finish()
        logger.error("%s %s", error.message, _where_links_are(input_path, args.sheet))
        return 1
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


def run() -> None:
    """The console script and `python -m map_converter`: main(), then leave at once. Every
    output is written, renamed and closed by then; what is skipped is the interpreter freeing
    the table's objects one by one (about 0.07 s for 100,000 rows, measured)."""
    code = main()
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe (| head) is no failure
            stream.flush()
    os._exit(code)
