"""What every resource reads from a request: its JSON body and the caller's scope."""

from __future__ import annotations

from typing import Any

from flask import request

from service.errors import BadRequest
from service.tenancy import LOCAL, Scope


def json_body() -> Any:
    """The request's JSON (whatever its Content-Type), or a 400 naming what is wrong."""
    payload = request.get_json(force=True, silent=True)
    if payload is None:
        raise BadRequest("Invalid JSON body." if request.get_data() else "A JSON body is required.")
    return payload


def scope() -> Scope:
    """Whose records this request may see (one tenant until accounts exist)."""
    return LOCAL
