"""Shared fixtures: the app and its test client (as Flask's tutorial builds them), a local fake
shortener, a socket guard, workbook builders. Every test writes only under its tmp_path."""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import tempfile
from pathlib import Path

import pytest

from tests.fake_shortener import FakeShortener

PROJECT_DATA_FOLDERS = [
    Path(__file__).resolve().parent.parent / name for name in ("uploads", "processed")
]


# `import flask_app` builds the module-level app (`app = create_app()`, for gunicorn) from the
# environment: without this, that app's data folder — where its sweeper thread takes its lock —
# would be the project's own. Set before any test module imports flask_app.
_IMPORTED_APP_DATA = tempfile.mkdtemp(prefix="maplink-imported-app-")
os.environ.setdefault("MAPLINK_DATA_DIR", _IMPORTED_APP_DATA)
atexit.register(shutil.rmtree, _IMPORTED_APP_DATA, True)


def _project_data_files() -> set[Path]:
    return {path for folder in PROJECT_DATA_FOLDERS for path in folder.rglob("*")}


@pytest.fixture(scope="session", autouse=True)
def project_data_folders_stay_untouched():
    """Tests write only to temporary folders: nothing new may appear in uploads/ or processed/."""
    before = _project_data_files()
    yield
    written = sorted(str(path) for path in _project_data_files() - before)
    assert not written, f"tests wrote into the project's data folders: {written}"


@pytest.fixture
def app(tmp_path):
    """An app whose data folder is the test's own temporary folder."""
    from flask_app import create_app

    return create_app(
        {
            "TESTING": True,
            "DATA_DIR": str(tmp_path),
            "RESOLVE_SHORT_LINKS": False,
            "MAX_ROWS": 50,
            "SWEEP_INTERVAL_SECONDS": 0,
        }
    )


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def shortener():
    """A fake short-link service on 127.0.0.1, stopped after the test."""
    server = FakeShortener().start()
    yield server
    server.stop()


@pytest.fixture
def socket_guard(monkeypatch):
    """Records every outgoing connection and refuses any that is not to loopback."""
    attempts: list = []
    original_connect = socket.socket.connect
    original_connect_ex = socket.socket.connect_ex

    def _check(address):
        attempts.append(address)
        host = address[0] if isinstance(address, tuple) else str(address)
        if host not in ("127.0.0.1", "::1", "localhost"):
            raise ConnectionRefusedError(f"socket guard: connection to {address} refused")

    def guarded_connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            _check(address)
        return original_connect(self, address)

    def guarded_connect_ex(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            _check(address)
        return original_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_connect_ex)
    return attempts


def write_xlsx(path: Path, rows: list[list], sheet: str = "Sheet1", **options) -> Path:
    """A workbook made with openpyxl (hyperlinks, widths, panes and extra sheets on request)."""
    import openpyxl

    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    for row in rows:
        worksheet.append(row)
    for reference, target in options.get("hyperlinks", {}).items():
        worksheet[reference].hyperlink = target
    if "freeze" in options:
        worksheet.freeze_panes = options["freeze"]
    for letter, width in options.get("widths", {}).items():
        worksheet.column_dimensions[letter].width = width
    for name, extra_rows in options.get("extra_sheets", {}).items():
        extra = workbook.create_sheet(name)
        for row in extra_rows:
            extra.append(row)
    workbook.save(path)
    return path
