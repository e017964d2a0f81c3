"""The one place that maps errors to HTTP responses: the envelope {code, status, message,
errors}, in the language the request asks for."""

from __future__ import annotations

import logging

import psycopg
from flask import Flask, jsonify, request
from flask_limiter import RateLimitExceeded
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from service.db import is_unavailable
from service.errors import (
    NOTHING_SAVED_ERROR,
    DatabaseUnavailable,
    InvalidInput,
    ServiceError,
    TooManyRequests,
    flatten_errors,
)
from service.i18n import translate_error, translate_errors, translate_message
from service.i18n.request import request_language

log = logging.getLogger(__name__)


# What the envelope sets itself; an HTTPException's own headers (Allow…) are kept.
_OWN_HEADERS = {"content-type", "content-length"}


def _envelope(
    status: int,
    message: str,
    errors: dict | None = None,
    values: dict[str, str] | None = None,
    *,
    retry_after: int | None = None,
):
    lang = request_language()
    body = {
        "code": status,
        "status": HTTP_STATUS_CODES.get(status, "Error"),
        "message": translate_message(message, values, lang)
        if values is not None
        else translate_error(message, lang),
    }
    if errors:
        body["errors"] = translate_errors(errors, lang)
    response = jsonify(body)
    response.status_code = status
    response.headers["Content-Language"] = lang
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


def handle_service_error(err: ServiceError):
    errors = flatten_errors(err.errors) if err.errors else None
    response = _envelope(err.status, err.message, errors, err.values, retry_after=err.retry_after)
    if err.status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="docgen-kg"'
    return response


def handle_rate_limit(err: RateLimitExceeded):
    """429 in the envelope, with Retry-After (Flask-Limiter adds the X-RateLimit headers)."""
    from service.api.auth import seconds_until_reset

    return handle_service_error(TooManyRequests(retry_after=seconds_until_reset()))


def handle_database_error(err: Exception):
    """503 with Retry-After while the database cannot serve; any other database error is a
    defect (500)."""
    if not is_unavailable(err):
        return handle_unexpected(err)
    # The driver's message only: SQLAlchemy's also holds the statement's parameters.
    cause = getattr(err, "orig", None) or err
    log.warning("database unavailable", extra={"error": f"{type(cause).__name__}: {cause}"})
    writes = request.method not in ("GET", "HEAD", "OPTIONS")
    return handle_service_error(DatabaseUnavailable(NOTHING_SAVED_ERROR if writes else None))


def handle_http_exception(err: HTTPException):
    response = _http_exception_response(err)
    for name, value in err.get_headers():
        if name.lower() not in _OWN_HEADERS:
            response.headers[name] = value
    return response


def _http_exception_response(err: HTTPException):
    data = getattr(err, "data", None) or {}
    messages = data.get("messages")
    if messages:
        # webargs: {"json": {...}} for schema errors, {"json": ["Invalid JSON body."]} for syntax.
        messages = messages.get("json", messages)
        errors = flatten_errors(messages)
        if err.code == 422:
            return _envelope(422, InvalidInput.message, errors)
        return _envelope(err.code or 400, errors.pop("_body", [err.description])[0], errors)
    if err.code == 413:
        return _envelope(413, "The request body is too large.")
    return _envelope(err.code or 500, err.description or err.name)


def handle_unexpected(err: Exception):
    log.exception("unhandled error")
    return _envelope(500, "Internal error.")


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(ServiceError, handle_service_error)
    app.register_error_handler(RateLimitExceeded, handle_rate_limit)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(SQLAlchemyError, handle_database_error)
    app.register_error_handler(psycopg.Error, handle_database_error)
    app.register_error_handler(Exception, handle_unexpected)
