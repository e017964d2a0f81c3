"""Idempotency-Key on the POSTs that are not a document's (a document's is kept on its job):
the first request with a key reserves it with its fingerprint, and records what it made; a
retry with the same key and body answers the same (`Idempotent-Replayed: true`), with another
body 409, and while the first is still being served 409 with Retry-After."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import request
from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError

from service import extensions
from service.api.common import scope
from service.errors import BadRequest, Conflict
from service.models import IdempotentRequest, utcnow

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
# A reservation older than this is taken for a request that died: the key may be used again.
STALE_AFTER = timedelta(minutes=15)
KEY_TOO_LONG = "The Idempotency-Key header is longer than 255 characters."
IN_PROGRESS = (
    "A request with this Idempotency-Key is still being served; retry after the seconds of "
    "Retry-After."
)
PARAMETER = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "schema": {"type": "string", "maxLength": MAX_KEY_LENGTH},
    "description": "The same key with the same body answers what the first request made "
    "(with Idempotent-Replayed: true); with another body, 409. Keys are the organisation's, "
    "per operation.",
}


def request_key() -> str | None:
    """The request's Idempotency-Key, or None; BadRequest when too long."""
    key = request.headers.get(HEADER) or None
    if key is not None and len(key) > MAX_KEY_LENGTH:
        raise BadRequest(KEY_TOO_LONG)
    return key


def fingerprint() -> str:
    """What identifies the request as sent: its path, query and body (a multipart upload by
    its fields and its files' contents, whatever its boundary)."""
    parts: list[Any] = [request.path, sorted(request.args.items(multi=True))]
    if request.mimetype == "multipart/form-data":
        parts.append(sorted(request.form.items(multi=True)))
        for name, upload in sorted(request.files.items(multi=True)):
            content = upload.read()
            upload.seek(0)
            parts.append([name, upload.filename, hashlib.sha256(content).hexdigest()])
    else:
        body = request.get_json(silent=True) if request.is_json else None
        parts.append(body if body is not None else request.get_data().hex())
    canonical = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def idempotent(
    replay: Callable[[str], Any],
    *,
    location: Callable[[Any], str] | None = None,
    made_id: Callable[[Any], str] | None = None,
):
    """Honour Idempotency-Key on a view (under `@blp.response`): `replay(resource_id)` is the
    answer to a retry, `made_id(result)` the id of what the view made (default its "id"),
    `location(result)` the Location header of both answers."""
    made_id = made_id or (lambda result: str(result["id"]))

    def headers(result, **more) -> dict:
        return {**({"Location": location(result)} if location else {}), **more}

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            key = request_key()
            if key is None:
                result = view(*args, **kwargs)
                return result, headers(result)
            tenant, endpoint, sent = scope().tenant, request.endpoint or "", fingerprint()
            earlier = _reserve(tenant, endpoint, key, sent)
            if earlier is not None:
                result = replay(earlier)
                return result, headers(result, **{REPLAYED: "true"})
            try:
                result = view(*args, **kwargs)
            except BaseException:
                _release(tenant, endpoint, key)
                raise
            with extensions.db().session() as session:
                session.execute(
                    update(IdempotentRequest)
                    .where(*_row(tenant, endpoint, key))
                    .values(resource_id=made_id(result))
                )
            return result, headers(result)

        return wrapper

    return decorate


def _row(tenant: str, endpoint: str, key: str):
    return (
        IdempotentRequest.tenant == tenant,
        IdempotentRequest.endpoint == endpoint,
        IdempotentRequest.key == key,
    )


def _reserve(tenant: str, endpoint: str, key: str, sent: str) -> str | None:
    """Reserve the key for this request (None), or the id an earlier one made with it;
    Conflict for another body, or while the earlier one is still served."""
    for _attempt in range(2):
        with extensions.db().session() as session:
            row = session.get(IdempotentRequest, (tenant, endpoint, key))
            if row is not None:
                if row.request_sha256 != sent:
                    raise Conflict()
                if row.resource_id is not None:
                    return row.resource_id
                if utcnow() - row.created_at < STALE_AFTER:
                    raise Conflict(IN_PROGRESS, retry_after=2)
                session.delete(row)
                session.flush()
            try:
                with session.begin_nested():
                    session.add(
                        IdempotentRequest(
                            tenant=tenant, endpoint=endpoint, key=key, request_sha256=sent
                        )
                    )
            except IntegrityError:
                continue  # a concurrent request reserved it: read what it is
        return None
    raise Conflict(IN_PROGRESS, retry_after=2)


def _release(tenant: str, endpoint: str, key: str) -> None:
    """Give a key back when its request failed: the client may retry with it."""
    try:
        with extensions.db().session() as session:
            session.execute(delete(IdempotentRequest).where(*_row(tenant, endpoint, key)))
    except Exception:  # the database is down: the reservation goes stale instead
        pass
