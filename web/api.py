"""The JSON API: upload, process, status, results, download, delete, one-shot convert, health."""

from __future__ import annotations

import io
import json
import uuid
from functools import cache
from pathlib import Path

import yaml
from flask import Blueprint, jsonify, request, send_file

from map_converter.errors import TooManyRowsError
from map_converter.output import MEDIA_TYPES, OUTPUT_FORMATS
from map_converter.pipeline import convert_upload
from map_converter.results import RowStatus, download_name

from .errors import ApiError, error_response
from .limits import client_address, free_bytes, require_free_space
from .services import get_services, get_sessions

bp = Blueprint("api", __name__)
OPENAPI_PATH = Path(__file__).resolve().parent.parent / "docs" / "openapi.yaml"
ROW_STATUSES = {str(status) for status in RowStatus}


def _admit_upload() -> None:
    """Per-client rate and volume, and free disk, checked before anything is read or written."""
    services = get_services()
    require_free_space(services.settings.data_dir, services.settings.MIN_FREE_BYTES)
    client = client_address(
        request.remote_addr, request.headers.get("X-Forwarded-For"), services.trusted_proxies
    )
    services.upload_limiter.check(client, request.content_length or 0)


def _uploaded_file():
    _admit_upload()
    upload_file = request.files.get("file")
    if upload_file is None or not upload_file.filename:
        raise ApiError(400, "no_file", "Choose a file and send it in the form field 'file'.")
    return upload_file


def _bounded_number(name: str, default: float, minimum: float, maximum: float) -> float:
    """A numeric query argument within [minimum, maximum], else a 400."""
    if request.args.get(name, "") == "":
        return default
    value = request.args.get(name, type=float)  # None when it is not a number
    if value is None or value != value or not minimum <= value <= maximum:
        raise ApiError(
            400, "bad_request", f"{name} must be a number between {minimum:g} and {maximum:g}."
        )
    return value


def _output_format(value: str | None, default: str | None) -> str | None:
    if value is None or value == "":
        return default
    if value not in OUTPUT_FORMATS:
        raise ApiError(400, "unsupported_format", f"format is one of {', '.join(OUTPUT_FORMATS)}.")
    return value


def _json_options() -> dict:
    """The request's JSON object ({} for an empty body); anything else is a 400."""
    if not request.get_data(cache=True):
        return {}
    try:
        options = json.loads(request.get_data(cache=True))
    except (ValueError, RecursionError) as error:  # not JSON, or nested past the parser's depth
        raise ApiError(
            400, "bad_request", "The body is not JSON. Send {column, sheet, resolve}."
        ) from error
    if not isinstance(options, dict):
        raise ApiError(400, "bad_request", "Send a JSON object: {column, sheet, resolve}.")
    return options


@bp.post("/upload")
def upload():
    upload_file = _uploaded_file()
    summary = get_sessions().create(
        upload_file.save, upload_file.filename, request.form.get("sheet") or None
    )
    return jsonify(summary), 201


@bp.get("/upload/<uuid:session_id>")
def upload_summary(session_id: uuid.UUID):
    return jsonify(get_sessions().summary(str(session_id), request.args.get("sheet") or None))


@bp.delete("/upload/<uuid:session_id>")
def delete_upload(session_id: uuid.UUID):
    get_sessions().delete(str(session_id))
    return jsonify({"id": str(session_id), "deleted": True})


@bp.post("/process/<uuid:session_id>")
def process(session_id: uuid.UUID):
    options = _json_options()
    column, sheet, resolve = (
        options.get("column"),
        options.get("sheet"),
        options.get("resolve", True),
    )
    retry = options.get("retry")
    if retry not in (None, "failed"):
        raise ApiError(400, "bad_request", 'retry is "failed" (re-read only the rows that failed).')
    if (
        not isinstance(column, str | None)
        or not isinstance(sheet, str | None)
        or not isinstance(resolve, bool)
    ):
        raise ApiError(
            400, "bad_request", "column and sheet are strings, resolve is true or false."
        )
    services = get_services()
    wait_seconds = _bounded_number("wait", 0.0, 0.0, services.settings.MAX_WAIT_SECONDS)
    status = services.sessions.start_job(
        str(session_id), column=column, sheet=sheet, resolve=resolve, retry_failed=retry == "failed"
    )
    if wait_seconds and services.waiting.try_enter():  # else answer now; the client polls
        try:
            status = services.sessions.wait(status["id"], wait_seconds)
        finally:
            services.waiting.leave()
    return jsonify({**status, "status_url": f"/status/{status['id']}"}), 202


@bp.get("/status/<uuid:session_id>")
def status(session_id: uuid.UUID):
    return jsonify(get_sessions().status(str(session_id)))


@bp.get("/results/<uuid:session_id>")
def results(session_id: uuid.UUID):
    offset = int(_bounded_number("offset", 0, 0, 10_000_000))
    limit = int(_bounded_number("limit", 100, 1, 1000))
    status_filter = request.args.get("status") or None
    if status_filter is not None and status_filter not in ROW_STATUSES:
        raise ApiError(400, "bad_request", "status is one of ok, failed, skipped.")
    search = (request.args.get("q") or "").strip()[:200] or None
    return jsonify(get_sessions().results(str(session_id), offset, limit, status_filter, search))


@bp.get("/download/<uuid:session_id>")
def download(session_id: uuid.UUID):
    output_format = _output_format(request.args.get("format"), "xlsx")
    path, name, media_type = get_sessions().download(str(session_id), output_format)
    return send_file(path, mimetype=media_type, as_attachment=True, download_name=name)


def _option(name: str) -> str | None:
    """A POST /convert option: the form field, else the same name in the query string (as
    GET /download takes ?format=), else None."""
    return request.form.get(name) or request.args.get(name) or None


@bp.post("/convert")
def convert():
    upload_file = _uploaded_file()
    output_format = _output_format(_option("format"), None)
    services = get_services()
    max_rows = services.settings.CONVERT_MAX_ROWS
    try:
        payload, output_format = convert_upload(
            upload_file.save,
            services.settings.data_dir / "uploads",
            filename=upload_file.filename,
            output_format=output_format,
            column=_option("column"),
            sheet=_option("sheet"),
            max_rows=max_rows,
            follower=services.make_convert_follower(),
        )
    except TooManyRowsError as error:
        raise ApiError(
            413,
            "too_many_rows_for_convert",
            f"POST /convert takes at most {max_rows:,} rows. For larger files use POST /upload, "
            "POST /process/<id>, then GET /download/<id>.",
        ) from error
    return send_file(
        io.BytesIO(payload),
        mimetype=MEDIA_TYPES[output_format],
        as_attachment=True,
        download_name=download_name(upload_file.filename, output_format),
    )


@bp.get("/health")
def health():
    settings = get_services().settings
    if settings.MIN_FREE_BYTES > 0 and free_bytes(settings.data_dir) < settings.MIN_FREE_BYTES:
        return error_response(503, "unhealthy", "The data folder's disk is nearly full.")
    for folder in (settings.data_dir / "uploads", settings.data_dir / "processed"):
        probe = folder / f".health-{uuid.uuid4().hex}"
        try:
            probe.write_bytes(b"ok")
        except OSError:
            return error_response(503, "unhealthy", f"{folder.name}/ is not writable.")
        finally:
            probe.unlink(missing_ok=True)
    problem = get_sessions().state.problem()
    if problem:
        return error_response(503, "unhealthy", problem)
    return jsonify({"status": "ok"})


@bp.get("/openapi.json")
def openapi():
    return jsonify(_openapi_description())


@cache
def _openapi_description() -> dict:
    """docs/openapi.yaml, read once per process."""
    return yaml.safe_load(OPENAPI_PATH.read_text(encoding="utf-8"))
