"""The one place that maps errors to HTTP responses: the envelope {code, status, message,
errors}, in the language the request asks for."""

from __future__ import annotations

import logging

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from service.errors import InvalidInput, ServiceError, flatten_errors
from service.i18n import translate_error, translate_errors, translate_message
from service.i18n.request import request_language

log = logging.getLogger(__name__)


def _envelope(
    status: int, message: str, errors: dict | None = None, values: dict[str, str] | None = None
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
    return response


def handle_service_error(err: ServiceError):
    errors = flatten_errors(err.errors) if err.errors else None
    return _envelope(err.status, err.message, errors, err.values)


def handle_http_exception(err: HTTPException):
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
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
