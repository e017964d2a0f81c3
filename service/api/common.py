"""What every resource reads from a request: its JSON body and the caller's scope; what it
writes to the audit log."""

from __future__ import annotations

import re
from typing import Any

from flask import request

from service import audit, extensions
from service.api.auth import actor, principal
from service.errors import BadRequest, InvalidInput, UnsupportedMediaType
from service.tenancy import Scope

# Deeper than any document input (a plan is 6 levels deep): the limit is documented in the
# README, and a body nested deeper is refused before anything walks it recursively.
MAX_JSON_DEPTH = 32
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def json_body() -> Any:
    """The request's JSON body, or a 4xx naming what is wrong with it.

    Only `application/json` (or `…+json`) is read: a cross-site form cannot send that type
    without the browser asking first. A string with half a UTF-16 pair (JSON's `"\\ud800"`),
    which no document can hold, is refused at its field.
    """
    if not request.is_json:
        raise UnsupportedMediaType()
    try:
        payload = request.get_json(silent=True)
    except RecursionError:  # nested too deep for the parser itself
        payload, too_deep = None, True
    else:
        too_deep = False
    if too_deep or (payload is not None and _depth_exceeds(payload)):
        raise BadRequest(
            "The JSON body is nested deeper than {limit} levels.", limit=MAX_JSON_DEPTH
        )
    if payload is None:
        raise BadRequest("Invalid JSON body." if request.get_data() else "A JSON body is required.")
    _refuse_lone_surrogates(payload)
    return payload


def _depth_exceeds(payload: Any) -> bool:
    stack = [(payload, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return True
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
    return False


def _refuse_lone_surrogates(payload: Any) -> None:
    stack: list[tuple[Any, tuple[str, ...]]] = [(payload, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                if _LONE_SURROGATE.search(key):
                    _refuse(path, key)
                stack.append((item, (*path, key)))
        elif isinstance(value, list):
            stack.extend((item, (*path, str(n))) for n, item in enumerate(value))
        elif isinstance(value, str) and _LONE_SURROGATE.search(value):
            _refuse(path, value)


def _refuse(path: tuple[str, ...], text: str) -> None:
    char = _LONE_SURROGATE.search(text).group()
    message = f"Contains a character that is not allowed in documents: U+{ord(char):04X}."
    # A key with the character cannot name the field (it cannot be written back): its parent
    # does.
    raise InvalidInput(errors={".".join(path) or "_body": [message]})


def scope() -> Scope:
    """Whose records this request may see: its user's organisation, municipalities, roles."""
    return principal().scope


def audit_event(
    action: str,
    object_type: str,
    object_id: str | None = None,
    *,
    municipality_id: str | None = None,
    details: dict | None = None,
) -> None:
    """Append what this request did to the audit log."""
    with extensions.db().session() as session:
        audit.record(
            session,
            actor(),
            action,
            object_type,
            object_id,
            municipality_id=municipality_id,
            details=details,
        )
