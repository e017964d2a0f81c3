"""Celery in the distributed mode: the app hangs off Flask and shares its settings.

Only job ids travel through the broker; every job's state lives in the database, so a lost
broker message is recovered from there (see `service.tasks.documents.recover`).
"""

from __future__ import annotations

import logging

from celery import Celery, Task
from celery.signals import setup_logging, worker_process_init, worker_ready
from flask import Flask
from kombu import Connection

from service import extensions
from service.generation import warm_up

log = logging.getLogger(__name__)

RUN_JOB = "documents.run_job"
RECOVER = "documents.recover"


def celery_init_app(app: Flask) -> Celery:
    """Create the Celery app for `app` (tasks run inside its application context)."""

    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    conf = app.config
    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.conf.update(
        broker_url=conf["CELERY_BROKER_URL"],
        broker_connection_timeout=conf["BROKER_TIMEOUT_SECONDS"],
        broker_connection_retry_on_startup=True,
        broker_transport_options={
            # Longer than the longest job: an unacknowledged message is redelivered only
            # after this; the database lease recovers a dead worker's job much sooner.
            "visibility_timeout": conf["BROKER_VISIBILITY_TIMEOUT"],
            "socket_connect_timeout": conf["BROKER_TIMEOUT_SECONDS"],
            "socket_timeout": conf["BROKER_TIMEOUT_SECONDS"],
        },
        task_ignore_result=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_serializer="json",
        accept_content=["json"],
        worker_hijack_root_logger=False,
        beat_schedule={
            "recover-unfinished-jobs": {
                "task": RECOVER,
                "schedule": float(conf["RECOVERY_INTERVAL_SECONDS"]),
            }
        },
    )
    celery_app.set_default()
    celery_app.flask_app = app  # read by the worker-process signal below
    app.extensions["celery"] = celery_app

    from service.tasks import documents  # noqa: F401  (registers the tasks)

    return celery_app


class CeleryDispatcher:
    """The distributed mode: jobs go to the workers through the broker."""

    def __init__(self, celery_app: Celery):
        self.celery = celery_app

    def enqueue(self, document_id: str) -> None:
        self.celery.send_task(
            RUN_JOB,
            args=[document_id],
            retry=True,
            retry_policy={"max_retries": 1, "interval_start": 0.2},
        )

    def shutdown(self) -> None:
        self.celery.close()

    def ping(self) -> bool:
        try:
            with Connection(
                self.celery.conf.broker_url,
                connect_timeout=self.celery.conf.broker_connection_timeout,
                transport_options=self.celery.conf.broker_transport_options,
            ) as connection:
                connection.ensure_connection(max_retries=1)
            return True
        except Exception:
            return False


@setup_logging.connect
def _keep_json_logs(**_kwargs) -> None:
    """Celery leaves logging alone when this signal has a receiver: keep the JSON lines."""
    from service.logs import configure_logging

    configure_logging()


@worker_process_init.connect
def _fresh_process(**_kwargs) -> None:
    """A forked pool process must not reuse the parent's database connections."""
    from celery import current_app

    extensions.db(current_app.flask_app).engine.dispose(close=False)
    warm_up()


@worker_ready.connect
def _recover_at_startup(sender, **_kwargs) -> None:
    """Re-enqueue what a crash left behind as soon as a worker is up."""
    sender.app.send_task(RECOVER)
