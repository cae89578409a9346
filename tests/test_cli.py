"""The command line: output formats, exit codes, the summary line, short links via settings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import openpyxl

from tests.conftest import write_xlsx
from tests.fake_shortener import Route

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PIN = "https://www.google.com/maps/place/X/@1,1,15z/data=!3m1!4b1!4m2!3m1!8m2!3d48.8583701!4d2.2944813"


def run_cli(*args, data_dir: Path, env=None):
    """The CLI as a user runs it, its data (the short-link cache) in a temporary folder."""
    environment = {**os.environ, "MAPLINK_DATA_DIR": str(data_dir), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "map_converter", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env=environment,
        timeout=120,
    )


def test_cli_converts_and_prints_summary(tmp_path):
    rows = [["Name", "Link"], ["a", PIN], ["b", ""], ["c", "nonsense"]]
    source = write_xlsx(tmp_path / "in.xlsx", rows)
    result = run_cli(source, "--no-resolve", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "3 rows: 1 ok, 1 failed, 1 skipped"
    output = tmp_path / "in-coordinates.xlsx"
    assert openpyxl.load_workbook(output).active["C2"].value == 48.8583701


def test_cli_format_follows_output_extension(tmp_path):
    source = write_xlsx(tmp_path / "in.xlsx", [["Link"], [PIN]])
    for suffix in ("csv", "geojson", "kml"):
        output = tmp_path / f"out.{suffix}"
        result = run_cli(source, "-o", output, "--no-resolve", data_dir=tmp_path)
        assert result.returncode == 0, result.stderr
        assert "48.8583701" in output.read_text(encoding="utf-8-sig")
    result = run_cli(
        source, "-o", tmp_path / "x.dat", "--format", "csv", "--no-resolve", data_dir=tmp_path
    )
    assert result.returncode == 0
    assert (tmp_path / "x.dat").read_text(encoding="utf-8-sig")


def test_cli_exit_codes(tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"\x00\x01garbage" * 50)
    result = run_cli(bad, data_dir=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert "not a spreadsheet" in result.stderr
    assert run_cli(tmp_path / "missing.xlsx", data_dir=tmp_path).returncode == 1
    assert run_cli(data_dir=tmp_path).returncode == 2
    assert run_cli(bad, "--format", "pdf", data_dir=tmp_path).returncode == 2
    source = write_xlsx(tmp_path / "in.xlsx", [["Link"], [PIN]])
    result = run_cli(source, "--column", "Nope", data_dir=tmp_path)
    assert result.returncode == 1
    assert "no column named" in result.stderr


def test_cli_resolves_short_links_from_configured_host(tmp_path, shortener):
    shortener.routes["/abc"] = Route(location="https://maps.google.com/?q=10.5,20.25")
    shortener.routes["/gone"] = Route(status=404)
    source = write_xlsx(
        tmp_path / "s.xlsx", [["Link"], [shortener.url("/abc")], [shortener.url("/gone")], [PIN]]
    )
    env = {"MAPLINK_SHORTLINK_HOSTS": shortener.host, "MAPLINK_ALLOW_PRIVATE_NETWORKS": "1"}
    result = run_cli(source, env=env, data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("3 rows: 2 ok, 1 failed, 0 skipped")
    sheet = openpyxl.load_workbook(tmp_path / "s-coordinates.xlsx").active
    assert (sheet["B2"].value, sheet["C2"].value) == (10.5, 20.25)
    assert sheet["E3"].value == "short link expired or not found (404)"
    # Without MAPLINK_ALLOW_PRIVATE_NETWORKS the loopback host is refused, not requested.
    hits_before = len(shortener.hits)
    result = run_cli(
        source, env={"MAPLINK_SHORTLINK_HOSTS": shortener.host}, data_dir=tmp_path / "x"
    )
    assert result.returncode == 0
    assert len(shortener.hits) == hits_before


def test_cli_no_link_column_names_the_sheets_that_have_one(tmp_path):
    source = write_xlsx(
        tmp_path / "book.xlsx",
        [["Read me"], ["Notes only"]],
        sheet="Read me",
        extra_sheets={"Clients": [["Name", "Map link"], ["A", PIN]], "Summary": [["Total"], [3]]},
    )
    result = run_cli(source, "--sheet", "Read me", data_dir=tmp_path)
    assert result.returncode == 1
    assert "'Clients'" in result.stderr
    assert "--sheet" in result.stderr
    assert "Summary" not in result.stderr
    default = run_cli(source, "--no-resolve", data_dir=tmp_path)  # the first sheet with links
    assert default.returncode == 0
    assert default.stdout.strip().endswith("1 rows: 1 ok, 0 failed, 0 skipped")


def test_cli_output_name_and_format_must_agree(tmp_path):
    source = write_xlsx(tmp_path / "in.xlsx", [["Link"], [PIN]])
    result = run_cli(source, "-o", tmp_path / "out.csv", "--format", "kml", data_dir=tmp_path)
    assert result.returncode == 2
    assert "does not match" in result.stderr
    assert not (tmp_path / "out.csv").exists()


def test_the_installed_command_runs_from_any_folder(tmp_path):
    """`pip install .` gives map-link-converter (cli.run): it converts, prints the summary on
    stdout and exits with main()'s code, from a folder that is not the project's."""
    command = Path(sys.executable).with_name("map-link-converter")
    source = write_xlsx(tmp_path / "in.xlsx", [["Link"], [PIN]])
    environment = {**os.environ, "MAPLINK_DATA_DIR": str(tmp_path)}
    done = subprocess.run(
        [command, source, "--no-resolve"], capture_output=True, text=True, cwd=tmp_path,
        env=environment, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1 rows: 1 ok, 0 failed, 0 skipped"
    assert (tmp_path / "in-coordinates.xlsx").exists()
    missing = subprocess.run(
        [command, tmp_path / "nothing.xlsx"], capture_output=True, text=True, cwd=tmp_path,
        env=environment, timeout=120,
    )  # fmt: skip
    assert missing.returncode == 1
    assert "is not a file" in missing.stderr


def test_the_hint_reads_the_workbook_once_not_once_a_sheet(tmp_path, monkeypatch, caplog):
    """The 'no link column' hint read the whole workbook again for each sheet: an .xls of 300
    sheets started 300 child readers (29 s). It reads the sheets in one pass now."""
    import xlwt

    from map_converter import calamine_child, cli

    book = xlwt.Workbook()
    for number in range(60):
        sheet = book.add_sheet(f"S{number}")
        sheet.write(0, 0, "Map link" if number == 40 else "Name")
        sheet.write(1, 0, "geo:1.5,2.5" if number == 40 else "a")
    source = tmp_path / "many.xls"
    book.save(str(source))
    children = []
    real = calamine_child.read_in_child
    monkeypatch.setattr(
        calamine_child, "read_in_child", lambda *args: [children.append(1), real(*args)][1]
    )
    assert cli.main([str(source), "--sheet", "S0", "-o", str(tmp_path / "out.csv")]) == 1
    assert "Sheets with links: 'S40'" in caplog.text
    assert len(children) <= 2  # the chosen sheet, then every sheet in one pass
