"""Liveness and readiness probes."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from service import extensions

blp = Blueprint("health", __name__)


@blp.get("/healthz")
def healthz():
    """The process is alive."""
    return jsonify(status="ok")


@blp.get("/readyz")
def readyz():
    """The database (and the broker, when one is configured) can be reached."""
    checks = {}
    try:
        with extensions.db().engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as err:  # any failure means not ready
        checks["database"] = f"unavailable: {type(err).__name__}"
    dispatcher = extensions.dispatcher()
    if current_app.config["CELERY_BROKER_URL"]:
        checks["broker"] = "ok" if dispatcher.ping() else "unavailable"
    ready = all(v == "ok" for v in checks.values())
    return jsonify(status="ready" if ready else "unavailable", checks=checks), (
        200 if ready else 503
    )
