"""Official bilingual documents for Kyrgyz local self-government: the application factory."""

from __future__ import annotations

import logging
from functools import partial
from typing import TYPE_CHECKING, Any

from service import config as settings

if TYPE_CHECKING:
    from flask import Flask

    from service.tasks.converting import ConversionRunner
    from service.tasks.runner import Runner


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the web application: config → services → dispatcher → API → pages → errors.

    Nothing starts here: the embedded workers start with `start_embedded_workers` (gunicorn's
    worker hook, the tests), Celery workers beat and recover once they are ready. (Flask and
    the rest are imported here, not with the package: `docgen --help` and the commands that
    need no app do not load them.)
    """
    from flask import Flask

    from service.conversion import converter_from_config
    from service.db import Database
    from service.extensions import Services, install
    from service.logs import configure_logging
    from service.security import install_security_headers
    from service.storage import DatabaseStorage
    from service.tasks.converting import ConversionRunner
    from service.tasks.isolation import JobLimits
    from service.tasks.liveness import recover
    from service.tasks.runner import Runner

    conf = settings.load(overrides)
    configure_logging(conf["LOG_LEVEL"])
    app = Flask(__name__)
    app.config.update(conf)
    app.json.ensure_ascii = False

    db = Database(conf["DATABASE_URL"])
    storage = DatabaseStorage(db)
    runner = Runner(
        db,
        storage,
        conf["JOB_LEASE_SECONDS"],
        limits=JobLimits(conf["RENDER_TIME_LIMIT_SECONDS"], conf["RENDER_MEMORY_LIMIT_MB"]),
        max_attempts=conf["JOB_MAX_ATTEMPTS"],
    )
    # A Celery worker's pool process converts one document at a time with its own converter
    # (one per worker slot); the embedded mode's threads share CONVERTER_SLOTS converters.
    # Nothing starts until the first PDF.
    distributed = settings.is_distributed(conf)
    converter = converter_from_config({**conf, "CONVERTER_SLOTS": 1} if distributed else conf)
    converting = ConversionRunner(
        db, storage, converter, conf["JOB_LEASE_SECONDS"], max_attempts=conf["JOB_MAX_ATTEMPTS"]
    )
    dispatcher = _dispatcher(app, runner, converting)
    runner.handoff = dispatcher.enqueue_conversion
    install(
        app,
        Services(
            db=db,
            storage=storage,
            runner=runner,
            converting=converting,
            dispatcher=dispatcher,
            recover=partial(recover, runner, dispatcher),
        ),
    )

    from service.api import register_api
    from service.api.errors import register_error_handlers
    from service.web import register_pages

    register_api(app)
    register_pages(app)
    register_error_handlers(app)
    install_security_headers(app)
    logging.getLogger(__name__).info(
        "started", extra={"mode": "distributed" if settings.is_distributed(conf) else "embedded"}
    )
    return app


def _dispatcher(app: Flask, runner: Runner, converting: ConversionRunner):
    if settings.is_distributed(app.config):
        from service.tasks.celery_app import CeleryDispatcher, celery_init_app

        return CeleryDispatcher(celery_init_app(app))
    from service.tasks.dispatch import InProcessDispatcher

    return InProcessDispatcher(
        runner, app.config["EMBEDDED_WORKERS"], converting, app.config["CONVERTER_SLOTS"]
    )


def start_embedded_workers(app: Flask) -> int:
    """In the embedded mode, re-enqueue every unfinished job; return how many.

    Embedded jobs only ever run in the web process, so at its start every unfinished one is
    orphaned. In the distributed mode the Celery workers do this themselves (nothing here).
    """
    if settings.is_distributed(app.config):
        return 0
    from sqlalchemy.exc import SQLAlchemyError

    from service.extensions import services
    from service.generation import warm_up
    from service.tasks.liveness import recover_all

    warm_up()  # dictionaries, catalogs and templates now, not in the first request's job
    found = services(app)
    try:
        return recover_all(found.runner, found.dispatcher)
    except SQLAlchemyError:
        logging.getLogger(__name__).warning("no job table yet: run `docgen db upgrade`")
        return 0


def start_callback_sender(app: Flask):
    """Start this web process's callback sender (service.callbacks), in either mode; return
    it. The table is its queue: each web process runs one, and what one leaves is taken by
    another, or by the next after a restart."""
    from service.api.integrations import sender

    made = sender(app).start()
    app.extensions["callback_sender"] = made
    return made
