"""The page: one HTML document; the JavaScript in static/ talks to the JSON API."""

from __future__ import annotations

from flask import Blueprint, Flask, render_template

from map_converter.errors import SPREADSHEET_KINDS, SPREADSHEET_SUFFIXES

from .services import get_services

bp = Blueprint("page", __name__)

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data: https://tile.openstreetmap.org; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


@bp.get("/")
def index():
    settings = get_services().settings
    return render_template(
        "index.html",
        max_upload_mb=f"{settings.MAX_UPLOAD_BYTES / (1024 * 1024):g}",
        max_rows=f"{settings.MAX_ROWS:,}",
        accepted_suffixes=",".join(f".{suffix}" for suffix in SPREADSHEET_SUFFIXES),
        accepted_kinds=SPREADSHEET_KINDS,
    )


def register_security_headers(app: Flask) -> None:
    """A strict CSP and friends on every response, the API's included."""

    @app.after_request
    def add_security_headers(response):
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        return response
