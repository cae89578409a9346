"""The web service: a thin JSON API over map_converter, sessions on disk, jobs in the background."""

from __future__ import annotations

import io
import logging
import math
import os
import shutil
import tempfile
import uuid
from pathlib import Path

import yaml
from flask import Flask, jsonify, render_template, request, send_file
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from map_converter.convert import Status, convert_table
from map_converter.errors import MapConverterError, TooManyRowsError
from map_converter.output import MEDIA_TYPES, OUTPUT_FORMATS, default_format, write_output
from map_converter.resolver import resolver_factory
from map_converter.safety import parse_host_list
from map_converter.sessions import SessionStore
from map_converter.tables import read_table, store_upload

logger = logging.getLogger(__name__)
PROJECT_ROOT = Path(__file__).resolve().parent
ENV_PREFIX = "MAPLINK_"

# Every setting, its unit and its default; each can be overridden by MAPLINK_<NAME>.
DEFAULT_SETTINGS = {
    "DATA_DIR": str(PROJECT_ROOT),  # holds uploads/ and processed/
    "MAX_UPLOAD_BYTES": 20 * 1024 * 1024,
    "MAX_ROWS": 100_000,
    "CONVERT_MAX_ROWS": 2_000,
    "SESSION_TTL_SECONDS": 24 * 3600,
    "JOB_WORKERS": 2,
    "RESOLVE_SHORT_LINKS": True,
    "SHORTLINK_HOSTS": "",
    "ALLOW_PRIVATE_NETWORKS": False,
    "RESOLVE_CONCURRENCY": 16,
    "RESOLVE_PER_HOST": 8,
    "CONVERT_RESOLVE_DEADLINE_SECONDS": 20.0,
    "MAX_WAIT_SECONDS": 25.0,
}
STATUS_BY_CODE = {
    "bad_request": 400,
    "no_file": 400,
    "unsupported_format": 400,
    "not_found": 404,
    "expired": 404,
    "method_not_allowed": 405,
    "not_ready": 409,
    "file_too_large": 413,
    "too_many_rows_for_convert": 413,
    "not_a_spreadsheet": 415,
}
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data: https://tile.openstreetmap.org; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


class ApiError(Exception):
    """An error answered as {"error": {"code", "message"}} with the given status."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _settings_from_environment(environ) -> dict:
    """DEFAULT_SETTINGS overridden by MAPLINK_* variables, typed like their defaults."""
    settings = {}
    for name, default in DEFAULT_SETTINGS.items():
        raw = environ.get(ENV_PREFIX + name)
        if raw is None:
            settings[name] = default
        elif isinstance(default, bool):
            settings[name] = raw.strip().lower() in ("1", "true", "yes", "on")
        elif isinstance(default, int):
            settings[name] = int(raw)
        elif isinstance(default, float):
            settings[name] = float(raw)
        else:
            settings[name] = raw
    return settings


def error_response(status: int, code: str, message: str):
    return jsonify({"error": {"code": code, "message": message}}), status


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app; settings come from MAPLINK_* variables, then test_config."""
    app = Flask(__name__)
    settings = _settings_from_environment(os.environ)
    settings.update(test_config or {})
    app.config.update(settings)
    app.config["MAX_CONTENT_LENGTH"] = settings["MAX_UPLOAD_BYTES"]
    data_dir = Path(settings["DATA_DIR"])
    upload_root, processed_root = data_dir / "uploads", data_dir / "processed"

    def make_factory(total_deadline_seconds=None):
        return resolver_factory(
            extra_hosts=parse_host_list(settings["SHORTLINK_HOSTS"]),
            allow_private_networks=settings["ALLOW_PRIVATE_NETWORKS"],
            concurrency=settings["RESOLVE_CONCURRENCY"],
            per_host_concurrency=settings["RESOLVE_PER_HOST"],
            cache_path=processed_root / "resolved-links.sqlite3",
            total_deadline_seconds=total_deadline_seconds,
        )

    store = SessionStore(
        upload_root,
        processed_root,
        ttl_seconds=settings["SESSION_TTL_SECONDS"],
        max_rows=settings["MAX_ROWS"],
        resolver_factory=make_factory() if settings["RESOLVE_SHORT_LINKS"] else None,
        job_workers=settings["JOB_WORKERS"],
    )
    convert_resolver = make_factory(settings["CONVERT_RESOLVE_DEADLINE_SECONDS"])
    app.extensions["session_store"] = store
    openapi_path = PROJECT_ROOT / "docs" / "openapi.yaml"

    # --- errors, headers, housekeeping ---------------------------------------------------------

    @app.errorhandler(ApiError)
    def handle_api_error(error: ApiError):
        return error_response(error.status, error.code, error.message)

    @app.errorhandler(MapConverterError)
    def handle_converter_error(error: MapConverterError):
        return error_response(STATUS_BY_CODE.get(error.code, 422), error.code, error.message)

    @app.errorhandler(RequestEntityTooLarge)
    def handle_too_large(_error):
        limit_mb = settings["MAX_UPLOAD_BYTES"] / (1024 * 1024)
        return error_response(
            413,
            "file_too_large",
            f"The file is larger than {limit_mb:g} MB. Split it or remove extra sheets.",
        )

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        code = {404: "not_found", 405: "method_not_allowed"}.get(error.code, "bad_request")
        body, status = error_response(error.code or 400, code, error.description or error.name)
        if getattr(error, "valid_methods", None):
            body.headers["Allow"] = ", ".join(error.valid_methods)
        return body, status

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        logger.exception("unexpected error on %s %s", request.method, request.path)
        return error_response(500, "internal_error", "Something went wrong on our side. Try again.")

    @app.after_request
    def add_security_headers(response):
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        return response

    @app.before_request
    def sweep_expired_sessions():
        try:
            store.sweep()
        except OSError:
            logger.warning("session sweep failed", exc_info=True)

    # --- routes ---------------------------------------------------------------------------------

    @app.get("/")
    def index():
        return render_template(
            "index.html",
            max_upload_mb=f"{settings['MAX_UPLOAD_BYTES'] / (1024 * 1024):g}",
            max_rows=f"{settings['MAX_ROWS']:,}",
        )

    @app.post("/upload")
    def upload():
        upload_file = request.files.get("file")
        if upload_file is None or not upload_file.filename:
            raise ApiError(400, "no_file", "Choose a file and send it in the form field 'file'.")
        summary = store.create(
            upload_file.save, upload_file.filename, request.form.get("sheet") or None
        )
        return jsonify(summary), 201

    @app.post("/process/<session_id>")
    def process(session_id: str):
        options = request.get_json(silent=True) or {}
        if not isinstance(options, dict):
            raise ApiError(400, "bad_request", "Send a JSON object: {column, sheet, resolve}.")
        column, sheet, resolve = (
            options.get("column"),
            options.get("sheet"),
            options.get("resolve", True),
        )
        if (
            not isinstance(column, str | None)
            or not isinstance(sheet, str | None)
            or not isinstance(resolve, bool)
        ):
            raise ApiError(
                400, "bad_request", "column and sheet are strings, resolve is true or false."
            )
        wait_seconds = _number_argument("wait", 0.0, 0.0, settings["MAX_WAIT_SECONDS"])
        status = store.start_job(session_id, column=column, sheet=sheet, resolve=resolve)
        if wait_seconds:
            status = store.wait(status["id"], wait_seconds)
        body = {
            "id": status["id"],
            "state": status["state"],
            "status_url": f"/status/{status['id']}",
        }
        return jsonify(body), 202

    @app.get("/status/<session_id>")
    def status(session_id: str):
        return jsonify(_public_status(store.status(session_id)))

    @app.get("/results/<session_id>")
    def results(session_id: str):
        offset = int(_number_argument("offset", 0, 0, 10_000_000))
        limit = int(_number_argument("limit", 100, 1, 1000))
        status_filter = request.args.get("status") or None
        if status_filter is not None and status_filter not in {str(s) for s in Status}:
            raise ApiError(400, "bad_request", "status is one of ok, failed, skipped.")
        return jsonify(store.results(session_id, offset, limit, status_filter))

    @app.get("/download/<session_id>")
    def download(session_id: str):
        output_format = request.args.get("format", "xlsx")
        if output_format not in OUTPUT_FORMATS:
            raise ApiError(
                400, "unsupported_format", f"format is one of {', '.join(OUTPUT_FORMATS)}."
            )
        path, download_name, media_type = store.download(session_id, output_format)
        return send_file(path, mimetype=media_type, as_attachment=True, download_name=download_name)

    @app.get("/upload/<session_id>")
    def upload_summary(session_id: str):
        return jsonify(store.summary(session_id, request.args.get("sheet") or None))

    @app.delete("/upload/<session_id>")
    def delete_upload(session_id: str):
        store.delete(session_id)
        return jsonify({"id": session_id, "deleted": True})

    @app.post("/convert")
    def convert():
        upload_file = request.files.get("file")
        if upload_file is None or not upload_file.filename:
            raise ApiError(400, "no_file", "Choose a file and send it in the form field 'file'.")
        requested_format = request.form.get("format") or None
        if requested_format is not None and requested_format not in OUTPUT_FORMATS:
            raise ApiError(
                400, "unsupported_format", f"format is one of {', '.join(OUTPUT_FORMATS)}."
            )
        upload_root.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix=".convert-", dir=upload_root))
        try:
            source, file_format = store_upload(upload_file.save, folder)
            try:
                table = read_table(
                    source, max_rows=settings["CONVERT_MAX_ROWS"], file_format=file_format
                )
            except TooManyRowsError as error:
                raise ApiError(
                    413,
                    "too_many_rows_for_convert",
                    f"POST /convert takes at most {settings['CONVERT_MAX_ROWS']:,} rows. For larger "
                    "files use POST /upload, POST /process/<id>, then GET /download/<id>.",
                ) from error
            resolver = convert_resolver() if settings["RESOLVE_SHORT_LINKS"] else None
            conversion = convert_table(table, request.form.get("column") or None, resolver)
            output_format = requested_format or default_format(table.format)
            output_path = folder / f"output.{output_format}"
            write_output(conversion, output_path, output_format)
            payload = io.BytesIO(output_path.read_bytes())
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        stem = Path(upload_file.filename).stem or "spreadsheet"
        return send_file(
            payload,
            mimetype=MEDIA_TYPES[output_format],
            as_attachment=True,
            download_name=f"{stem}-coordinates.{output_format}",
        )

    @app.get("/health")
    def health():
        for folder in (upload_root, processed_root):
            probe = folder / f".health-{uuid.uuid4().hex}"
            try:
                probe.write_bytes(b"ok")
                probe.unlink()
            except OSError:
                return error_response(503, "unhealthy", f"{folder.name}/ is not writable.")
        return jsonify({"status": "ok"})

    @app.get("/openapi.json")
    def openapi():
        return jsonify(yaml.safe_load(openapi_path.read_text(encoding="utf-8")))

    return app


def _number_argument(name: str, default: float, minimum: float, maximum: float) -> float:
    """A numeric query argument within [minimum, maximum], else a 400."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError as error:
        raise ApiError(400, "bad_request", f"{name} must be a number.") from error
    if not math.isfinite(value) or not minimum <= value <= maximum:
        raise ApiError(400, "bad_request", f"{name} must be between {minimum:g} and {maximum:g}.")
    return value


def _public_status(status: dict) -> dict:
    keys = (
        "id",
        "state",
        "total",
        "processed",
        "counts",
        "eta_seconds",
        "started_at",
        "finished_at",
        "error",
    )
    return {key: status.get(key) for key in keys}


app = create_app()

if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    app.run(host="127.0.0.1", port=int(os.environ.get("PORT", "8000")), debug=False)
