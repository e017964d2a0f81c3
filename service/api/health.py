"""Liveness and readiness probes."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from service import extensions
from service.errors import Unavailable

blp = Blueprint("health", __name__)


@blp.get("/healthz")
def healthz():
    """The process is alive (it touches neither the database nor the broker, so an outage of
    either does not get the process restarted)."""
    return jsonify(status="ok")


@blp.get("/readyz")
def readyz():
    """The database (and the broker, when one is configured) can be reached; 503 naming what
    cannot, within the database's connect timeout."""
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
    missing = [name for name, state in checks.items() if state != "ok"]
    # The PDF converters of this process (the embedded mode's; a distributed web process
    # converts nothing): what they do, never a reason to be unready (a .docx needs none).
    converters = None
    if not current_app.config["CELERY_BROKER_URL"]:
        converters = _converter_summary(extensions.converting().converter.health())
    if not missing:
        return jsonify(status="ready", checks=checks, converters=converters)
    headers = {"Retry-After": str(Unavailable.retry_after)}
    body = {"status": "unavailable", "missing": missing, "checks": checks}
    return jsonify(body | {"converters": converters}), 503, headers


def _converter_summary(health: dict) -> dict:
    return {
        "size": health["size"],
        "conversions": health["conversions"],
        "restarts": health["restarts"],
        "slots": [
            {"state": s["state"], "conversions": s["total_conversions"]} for s in health["slots"]
        ],
    }
