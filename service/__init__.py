"""Official bilingual documents for Kyrgyz local self-government: the application factory."""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

from service import config as settings
from service.db import Database
from service.dispatch import recover
from service.generation import Runner
from service.logs import configure_logging
from service.storage import DatabaseStorage


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the web application: config → database → dispatcher → API → error handlers."""
    conf = settings.load(overrides)
    configure_logging(conf["LOG_LEVEL"])
    app = Flask(__name__)
    app.config.update(conf)
    app.json.ensure_ascii = False

    db = Database(conf["DATABASE_URL"])
    runner = Runner(db, DatabaseStorage(), conf["JOB_LEASE_SECONDS"])
    app.extensions["db"] = db
    app.extensions["runner"] = runner
    app.extensions["dispatcher"] = dispatcher = _dispatcher(app, runner)
    app.extensions["recovery"] = partial(
        recover,
        runner,
        dispatcher,
        queued_grace_seconds=conf["QUEUED_GRACE_SECONDS"],
        lease_seconds=conf["JOB_LEASE_SECONDS"],
    )

    from service.api import register_api
    from service.errors import register_error_handlers

    register_api(app)
    register_error_handlers(app)
    logging.getLogger(__name__).info(
        "started", extra={"mode": "distributed" if settings.is_distributed(conf) else "embedded"}
    )
    return app


def _dispatcher(app: Flask, runner: Runner):
    if settings.is_distributed(app.config):
        from service.tasks import CeleryDispatcher, celery_init_app

        return CeleryDispatcher(celery_init_app(app))
    from service.dispatch import InProcessDispatcher

    dispatcher = InProcessDispatcher(runner, app.config["EMBEDDED_WORKERS"])
    # Embedded jobs only ever run in this process: at start every unfinished one is orphaned.
    try:
        recover(runner, dispatcher, queued_grace_seconds=0, lease_seconds=0)
    except SQLAlchemyError:
        logging.getLogger(__name__).warning("no job table yet: run `docgen db upgrade`")
    return dispatcher
