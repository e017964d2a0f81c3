"""Celery in the distributed mode: the app hangs off Flask and shares its settings.

Only job ids travel through the broker; every job's state lives in the database, so a lost
broker message or a dead worker's job is recovered from there, by the heartbeat thread of
every worker's main process (`service.tasks.liveness`; no beat needed).
"""

from __future__ import annotations

import base64
import json
import logging
import time
from datetime import UTC, datetime

import redis
from celery import Celery, Task
from celery.signals import (
    setup_logging,
    task_received,
    worker_init,
    worker_process_init,
    worker_ready,
    worker_shutdown,
)
from celery.worker import state as worker_state
from flask import Flask
from kombu import Connection

from service import extensions
from service.generation import warm_up
from service.models import Conversion, DocumentRecord, utcnow
from service.tasks import chunks, liveness

log = logging.getLogger(__name__)

RUN_JOB = "documents.run_job"
# A chunk of a batch's jobs in one message (service.tasks.chunks): its args are [[id, …]].
RUN_JOBS = "documents.run_jobs"
# Conversions (a job's PDF) go to a queue of their own, taken by converting workers
# (`celery -A worker worker -Q conversions`), so that a slow PDF never delays a .docx job.
CONVERT = "documents.convert"
CONVERSION_QUEUE = "conversions"
TASKS = (RUN_JOB, RUN_JOBS, CONVERT)
# Set in Redis by the recovery when missing: gone with the messages when Redis restarts empty.
EPOCH_KEY = "docgen:broker-epoch"


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
            # Longer than the longest job, so that a live worker's message is not delivered
            # again; a dead worker's jobs are recovered through the heartbeats long before.
            "visibility_timeout": conf["BROKER_VISIBILITY_TIMEOUT"],
            "socket_connect_timeout": conf["BROKER_TIMEOUT_SECONDS"],
            "socket_timeout": conf["BROKER_TIMEOUT_SECONDS"],
        },
        task_ignore_result=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_serializer="json",
        task_routes={CONVERT: {"queue": CONVERSION_QUEUE}},
        accept_content=["json"],
        worker_hijack_root_logger=False,
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
        self._redis: redis.Redis | None = None
        self._epoch_known = False

    def enqueue(self, document_id: str) -> None:
        self.celery.send_task(
            RUN_JOB,
            args=[document_id],
            retry=True,
            retry_policy={"max_retries": 1, "interval_start": 0.2},
        )

    def enqueue_many(self, document_ids: list[str]) -> None:
        self.celery.send_task(
            RUN_JOBS,
            args=[document_ids],
            retry=True,
            retry_policy={"max_retries": 1, "interval_start": 0.2},
        )

    def enqueue_conversion(self, conversion_id: str) -> None:
        self.celery.send_task(
            CONVERT,
            args=[conversion_id],
            queue=CONVERSION_QUEUE,
            retry=True,
            retry_policy={"max_retries": 1, "interval_start": 0.2},
        )

    def broker_epoch(self) -> datetime | None:
        url = self.celery.conf.broker_url
        if not url.startswith(("redis://", "rediss://")):
            return None  # a durable broker keeps its messages: nothing to compare
        self._client().set(EPOCH_KEY, utcnow().isoformat(), nx=True)
        return datetime.fromisoformat(self._client().get(EPOCH_KEY).decode())

    def taken_before(self, seconds: float) -> dict[str, datetime]:
        # kombu's Redis transport keeps each message a worker took, until it is acknowledged,
        # in the hash `unacked` by delivery tag, and the time it was taken in `unacked_index`.
        if not self.celery.conf.broker_url.startswith(("redis://", "rediss://")):
            return {}
        client = self._client()
        tags = client.zrangebyscore("unacked_index", 0, time.time() - seconds, withscores=True)
        if not tags:
            return {}
        raws = client.hmget("unacked", [tag for tag, _ in tags])
        taken = {}
        for (_tag, score), raw in zip(tags, raws, strict=True):
            for document_id in _jobs_of(raw) if raw else ():
                taken[document_id] = datetime.fromtimestamp(score, UTC)
        return taken

    def waiting(self) -> int | None:
        if not self.celery.conf.broker_url.startswith(("redis://", "rediss://")):
            return None
        queues = (self.celery.conf.task_default_queue, CONVERSION_QUEUE)
        return sum(self._client().llen(queue) for queue in queues)

    def _client(self) -> redis.Redis:
        if self._redis is None:
            timeout = self.celery.conf.broker_connection_timeout
            self._redis = redis.Redis.from_url(
                self.celery.conf.broker_url,
                socket_timeout=timeout,
                socket_connect_timeout=timeout,
            )
        return self._redis

    def shutdown(self) -> None:
        self.celery.close()
        if self._redis is not None:
            self._redis.close()

    def ping(self) -> bool:
        try:
            with Connection(
                self.celery.conf.broker_url,
                connect_timeout=self.celery.conf.broker_connection_timeout,
                transport_options=self.celery.conf.broker_transport_options,
            ) as connection:
                connection.ensure_connection(max_retries=1)
            if not self._epoch_known:
                # Begin the broker's epoch before the first job this process sends: else the
                # workers' first recovery would take every job waiting in a fresh Redis for
                # lost, and send it again.
                self.broker_epoch()
                self._epoch_known = True
            return True
        except Exception:
            return False


def _jobs_of(raw: bytes) -> list[str]:
    """The job (or conversion) ids a stored task message carries, one or a chunk's (Celery's
    protocol 2: the body is [args, kwargs, embed], base64-encoded by the Redis transport)."""
    try:
        message = json.loads(raw)[0]
        if message["headers"].get("task") not in TASKS:
            return []
        body = message["body"]
        if message["properties"].get("body_encoding") == "base64":
            body = base64.b64decode(body)
        return _ids(json.loads(body)[0][0])
    except (ValueError, KeyError, IndexError, TypeError):
        return []


def _ids(first_arg) -> list[str]:
    """The ids a task's first argument names: a job's, or each of a chunk's."""
    return [str(i) for i in first_arg] if isinstance(first_arg, list) else [str(first_arg)]


@setup_logging.connect
def _keep_json_logs(**_kwargs) -> None:
    """Celery leaves logging alone when this signal has a receiver: keep the JSON lines."""
    from service.logs import configure_logging

    configure_logging()


# This worker's heartbeat, made in its main process before the pool starts (so that every pool
# process, forked from it, claims jobs under its id) and beating from `worker_ready` on. Pool
# processes run no thread of ours: the main process renews the leases of the jobs they run.
_heartbeat: liveness.Heartbeat | None = None


def _active_jobs() -> list[str]:
    """The jobs this worker's pool is running now (Celery's record, in its main process)."""
    for _ in range(3):
        try:
            return [
                unit_id
                for request in list(worker_state.active_requests)
                if request.name in TASKS and request.args
                for unit_id in _ids(request.args[0])
            ]
        except RuntimeError:  # the set changed while it was copied: the event loop runs on
            continue
    return []


@worker_init.connect
def _make_heartbeat(sender, **_kwargs) -> None:
    global _heartbeat
    flask_app = sender.app.flask_app
    found = extensions.services(flask_app)
    _heartbeat = liveness.Heartbeat(
        found.db,
        interval=flask_app.config["HEARTBEAT_SECONDS"],
        lease_seconds=flask_app.config["JOB_LEASE_SECONDS"],
        running=_active_jobs,
        recover=found.recover,
    )
    found.runner.worker_id = _heartbeat.id
    found.converting.worker_id = _heartbeat.id


@worker_process_init.connect
def _fresh_process(**_kwargs) -> None:
    """A forked pool process must not reuse the parent's database connections."""
    from celery import current_app

    extensions.db(current_app.flask_app).engine.dispose(close=False)
    warm_up()


@worker_ready.connect
def _beat_and_recover(**_kwargs) -> None:
    """The main process beats and recovers from now on (before it receives any message)."""
    if _heartbeat is not None:
        _heartbeat.start()


@worker_shutdown.connect
def _worker_exits(**_kwargs) -> None:
    if _heartbeat is not None:
        _heartbeat.stop()


@task_received.connect
def _reserved(request, **_kwargs) -> None:
    """Record which worker holds a message: if it dies, its reserved jobs are sent again."""
    if request.name not in TASKS or _heartbeat is None:
        return
    from celery import current_app

    unit = Conversion if request.name == CONVERT else DocumentRecord
    try:
        with extensions.db(current_app.flask_app).session() as session:
            if request.name == RUN_JOBS:
                chunks.hold(session, request.args[0], _heartbeat.id)
            else:
                liveness.hold(session, request.args[0], _heartbeat.id, unit)
    except Exception:
        # Unrecorded, the reservation is still safe: the claim decides, and if this worker
        # dies before claiming the job, its message is found among the unacknowledged ones
        # (service.tasks.liveness, "untracked").
        log.warning("could not record the reservation", extra={"job_id": request.args[0]})
