"""Service errors (no HTTP here) and the one place that maps errors to HTTP responses."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from service.i18n import MESSAGE_LANGUAGES, translate_error

log = logging.getLogger(__name__)


class ServiceError(Exception):
    """Base of the errors the domain raises; `status` is only read by the HTTP layer."""

    status = 500
    message = "Internal error."

    def __init__(self, message: str | None = None, *, errors: dict | None = None, **values):
        self.message = message or self.message
        self.values = {k: str(v) for k, v in values.items()}
        self.errors = errors or {}
        super().__init__(self.message.format(**self.values))


class BadRequest(ServiceError):
    status = 400
    message = "Invalid request."


class InvalidInput(ServiceError):
    status = 422
    message = "The input is invalid."


class NotFound(ServiceError):
    status = 404
    message = "Document not found."


class NotReady(ServiceError):
    status = 409
    message = "The document is not ready yet (status: {status})."


class Conflict(ServiceError):
    status = 409
    message = "This Idempotency-Key was already used with a different request body."


class Unavailable(ServiceError):
    status = 503
    message = "The service is temporarily unavailable; please retry later."


def flatten_errors(messages, prefix: str = "") -> dict[str, list[str]]:
    """Turn marshmallow's nested errors into {"members.3.position.ky": [...]}."""
    flat: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            path = prefix if key == "_schema" else (f"{prefix}.{key}" if prefix else str(key))
            for k, v in flatten_errors(value, path).items():
                flat.setdefault(k, []).extend(v)
    elif isinstance(messages, list | tuple):
        for item in messages:
            if isinstance(item, dict | list):
                for k, v in flatten_errors(item, prefix).items():
                    flat.setdefault(k, []).extend(v)
            else:
                flat.setdefault(prefix or "_body", []).append(str(item))
    else:
        flat.setdefault(prefix or "_body", []).append(str(messages))
    return flat


def translate_errors(errors: dict[str, list[str]], lang: str) -> dict[str, list[str]]:
    """Field path → messages, each message in `lang`."""
    return {path: [translate_error(m, lang) for m in msgs] for path, msgs in errors.items()}


def request_language() -> str:
    """The language of messages: Russian or Kyrgyz when Accept-Language asks, else English."""
    return request.accept_languages.best_match(MESSAGE_LANGUAGES, default="en") or "en"


def _envelope(status: int, message: str, errors: dict | None = None):
    lang = request_language()
    body = {
        "code": status,
        "status": HTTP_STATUS_CODES.get(status, "Error"),
        "message": translate_error(message, lang),
    }
    if errors:
        body["errors"] = translate_errors(errors, lang)
    response = jsonify(body)
    response.status_code = status
    response.headers["Content-Language"] = lang
    return response


def handle_service_error(err: ServiceError):
    return _envelope(err.status, str(err), flatten_errors(err.errors) if err.errors else None)


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
