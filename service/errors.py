"""The errors the domain raises; `service.api.errors` maps them to HTTP responses."""

from __future__ import annotations


class ServiceError(Exception):
    """Base of the errors the domain raises; `status` and `retry_after` (seconds after which
    a retry may succeed, or None) are only read by the HTTP layer."""

    status = 500
    message = "Internal error."
    retry_after: int | None = None

    def __init__(
        self,
        message: str | None = None,
        *,
        errors: dict | None = None,
        retry_after: int | None = None,
        **values,
    ):
        self.message = message or self.message
        if retry_after is not None:
            self.retry_after = retry_after
        self.values = {k: str(v) for k, v in values.items()}
        self.errors = errors or {}
        super().__init__(self.message.format(**self.values))


class BadRequest(ServiceError):
    status = 400
    message = "Invalid request."


class UnsupportedMediaType(ServiceError):
    status = 415
    message = "The body must be JSON, sent with Content-Type: application/json."


class InvalidInput(ServiceError):
    status = 422
    message = "The input is invalid."


class Unauthorized(ServiceError):
    """No valid credentials: a missing, unknown, expired or revoked token (or bad password)."""

    status = 401
    message = "Sign in: send an API token as Authorization: Bearer <token>."


class Forbidden(ServiceError):
    status = 403
    message = "Your account has no role for this."


class TooManyRequests(ServiceError):
    status = 429
    message = "Too many requests; retry after the seconds of Retry-After."


class NotFound(ServiceError):
    status = 404
    message = "Document not found."


class NoSuchOutput(NotFound):
    message = "This document has no output in the format {format}."


class NotReady(ServiceError):
    status = 409
    message = "The document is not ready yet (status: {status})."
    # Worth asking again: what it waits for is being made.
    retry_after = 2


class OutputFailed(NotReady):
    """An output that could not be made: asking again changes nothing."""

    retry_after = None


class Conflict(ServiceError):
    status = 409
    message = "This Idempotency-Key was already used with a different request body."


class Gone(ServiceError):
    """What was asked for was there, and was deleted or purged (its record says when)."""

    status = 410
    message = "This document was deleted on {date}; its register line stays, withdrawn."


class Unavailable(ServiceError):
    status = 503
    message = "The service is temporarily unavailable; please retry later."
    # A broker or database restart takes seconds; clients back off from there.
    retry_after = 5


class DatabaseUnavailable(Unavailable):
    """The database is stopped, unreachable or too slow to answer now."""

    message = "The database is unavailable; please retry later."


# What DatabaseUnavailable says to a request that would have written.
NOTHING_SAVED_ERROR = "The database is unavailable; nothing was saved, please retry later."


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
