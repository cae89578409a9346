"""One error shape for the whole API: {"error": {"code", "message"}} with the right status."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from map_converter.errors import MapConverterError

logger = logging.getLogger(__name__)

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
    "rate_limited": 429,
    "insufficient_storage": 507,
    "too_many_columns": 422,
}


class ApiError(Exception):
    """An error answered as {"error": {"code", "message"}} with the given status."""

    def __init__(self, status: int, code: str, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = headers or {}


def error_response(status: int, code: str, message: str):
    return jsonify({"error": {"code": code, "message": message}}), status


def register_error_handlers(app: Flask) -> None:
    """Every error the app can raise, answered in the one shape."""

    @app.errorhandler(ApiError)
    def handle_api_error(error: ApiError):
        body, status = error_response(error.status, error.code, error.message)
        body.headers.update(error.headers)
        return body, status

    @app.errorhandler(MapConverterError)
    def handle_converter_error(error: MapConverterError):
        return error_response(STATUS_BY_CODE.get(error.code, 422), error.code, error.message)

    @app.errorhandler(RequestEntityTooLarge)
    def handle_too_large(_error):
        limit_mb = app.config["MAX_UPLOAD_BYTES"] / (1024 * 1024)
        message = f"The file is larger than {limit_mb:g} MB. Split it or remove extra sheets."
        return error_response(413, "file_too_large", message)

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        code = {404: "not_found", 405: "method_not_allowed"}.get(error.code, "bad_request")
        is_session_route = request.path.split("/")[1:2] in (
            ["status"],
            ["process"],
            ["results"],
            ["download"],
            ["upload"],
        )
        message = (
            "No such upload. Upload the file again."
            if error.code == 404 and is_session_route
            else error.description
        )
        body, status = error_response(error.code or 400, code, message or error.name)
        if getattr(error, "valid_methods", None):
            body.headers["Allow"] = ", ".join(error.valid_methods)
        return body, status

    for error_class, service in _backend_errors() if app.config.get("REDIS_URL") else ():

        def handle_backend_error(_error: Exception, service: str = service):
            logger.warning("%s did not answer on %s %s", service, request.method, request.path)
            body, status = error_response(
                503,
                "unavailable",
                f"The {service} is not answering right now. Try again in a minute.",
            )
            body.headers["Retry-After"] = "30"
            return body, status

        app.register_error_handler(error_class, handle_backend_error)

    @app.errorhandler(Exception)
    def handle_unexpected(_error: Exception):
        logger.exception("unexpected error on %s %s", request.method, request.path)
        return error_response(500, "internal_error", "Something went wrong on our side. Try again.")


def _backend_errors() -> list[tuple[type[Exception], str]]:
    """The distributed mode's services' errors: Redis and object storage (503, not 500). Only
    imported in that mode: one machine does not pay for botocore."""
    found: list[tuple[type[Exception], str]] = []
    try:
        from redis.exceptions import RedisError

        found.append((RedisError, "session store (Redis)"))
    except ImportError:
        pass
    try:
        from botocore.exceptions import BotoCoreError, ClientError

        found += [(BotoCoreError, "file storage"), (ClientError, "file storage")]
    except ImportError:
        pass
    return found
