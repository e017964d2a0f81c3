"""Real servers for the distributed tests: a Redis process, a PostgreSQL database, workers."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from service import extensions
from service.domain.status import Status
from service.models import Conversion, DocumentRecord
from service.models import Worker as WorkerRow

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres:postgres@127.0.0.1:5432/test"
)


def services_missing(reason: str) -> None:
    """Skip, unless `make test` promised the servers (then their absence is a failure)."""
    if os.environ.get("DOCGEN_REQUIRE_SERVICES") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float, what: str, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class RedisServer:
    """A private redis-server on a free port, which a test may stop and start again."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        try:
            self.process = subprocess.Popen(
                ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                 "--save", "", "--appendonly", "no", "--dir", str(self.workdir)],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
        except FileNotFoundError:
            services_missing("redis-server is not installed")
        wait_for(self._answers, 10, "redis-server to accept connections")

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None


class PostgresDatabase:
    """A fresh database on the local PostgreSQL server, dropped afterwards."""

    def __init__(self):
        self.name = f"docgen_test_{uuid.uuid4().hex[:10]}"
        self.admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")

    @property
    def url(self) -> str:
        return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{self.name}"

    def create(self) -> None:
        try:
            with self.admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{self.name}"'))
        except Exception as err:
            self.admin.dispose()
            services_missing(f"PostgreSQL is not reachable: {err}")

    def drop(self) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self.admin.dispose()


class Worker:
    """A real `celery -A worker worker` process (its heartbeat thread recovers; no beat)."""

    def __init__(
        self, env: dict[str, str], workdir: Path, concurrency: int = 2, queues: str | None = None
    ):
        self.env = {**os.environ, **env}
        self.workdir = workdir
        self.concurrency = concurrency
        # None: the documents' queue; "conversions": the PDFs (see service.tasks.celery_app).
        self.queues = queues
        self.log = workdir / f"worker-{uuid.uuid4().hex[:6]}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> Worker:
        self._log_file = self.log.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "worker", "worker", "--loglevel", "INFO",
             "--concurrency", str(self.concurrency), "--without-mingle", "--without-gossip",
             *(["-Q", self.queues] if self.queues else [])],
            cwd=ROOT, env=self.env, stdout=self._log_file, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        wait_for(lambda: b" ready." in self.log.read_bytes() or self._died(), 60, "the worker")
        assert not self._died(), self.log.read_text(errors="replace")
        return self

    def _died(self) -> bool:
        return self.process is not None and self.process.poll() is not None

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def pids(self) -> set[int]:
        """The worker's processes: its main process and its pool (one process group)."""
        found = set()
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    if os.getpgid(int(entry)) == self.process.pid:
                        found.add(int(entry))
                except ProcessLookupError:
                    pass
        return found

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes, as a crash would."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)
        self._log_file.close()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        if not self._log_file.closed:
            self._log_file.close()

    def log_lines(self) -> list[str]:
        return self.log.read_text(errors="replace").splitlines()

    def messages(self) -> list[dict]:
        """The worker's JSON log lines (not Celery's banner, nor a line being written)."""
        entries = []
        for line in self.log_lines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict):
                entries.append(entry)
        return entries


def done_lines(workers) -> Counter:
    """How many times each job was recorded as generated, over all workers' logs."""
    return Counter(
        entry["job_id"]
        for worker in workers
        for entry in worker.messages()
        if entry.get("message") == "done" and "job_id" in entry
    )


class Stack:
    """PostgreSQL + Redis + the settings web app and workers share (the defaults, unless a
    test says otherwise)."""

    def __init__(self, workdir: Path, database=None, **settings):
        self.workdir = workdir
        self.redis = RedisServer(workdir)
        # Anything with url, create() and drop(): a database on the shared server by default.
        self.database = database or PostgresDatabase()
        self.settings = {
            "BROKER_TIMEOUT_SECONDS": "1",
            "LOG_LEVEL": "INFO",
            # Required in the distributed mode; the web app and the workers share it.
            "SECRET_KEY": "tests-only-secret-key-0123456789abcdef",
            **{k: str(v) for k, v in settings.items()},
        }
        self.workers: list[Worker] = []

    def start(self) -> Stack:
        from service.db import upgrade

        self.database.create()
        self.redis.start()
        upgrade(self.database.url)
        return self

    @property
    def env(self) -> dict[str, str]:
        return {
            "DATABASE_URL": self.database.url,
            "CELERY_BROKER_URL": self.redis.url,
            **self.settings,
        }

    def app_config(self) -> dict:
        from service.config import from_environment

        return from_environment(self.env)

    def worker(self, concurrency: int = 2, queues: str | None = None) -> Worker:
        worker = Worker(self.env, self.workdir, concurrency, queues)
        self.workers.append(worker)
        return worker.start()

    def stop(self) -> None:
        for worker in self.workers:
            worker.stop()
        self.redis.stop()
        self.database.drop()


def statuses(app, ids) -> Counter:
    """How many of the jobs `ids` are in each status."""
    with extensions.db(app).session() as session:
        rows = session.execute(
            select(DocumentRecord.status).where(DocumentRecord.id.in_(ids))
        ).scalars()
        return Counter(rows)


def numbered(order_input: dict, n: int) -> dict:
    """The order with its own number `n` (so that every document's bytes differ)."""
    body = json.loads(json.dumps(order_input))
    body["number"] = f"03-12/{n}-Б"
    return body


def held_by(app, pids: set[int], *, conversions: bool = False) -> dict[str, str]:
    """The unfinished jobs (or, with `conversions`, the running conversions) the worker
    processes `pids` hold: {id: status}."""
    unit = Conversion if conversions else DocumentRecord
    wanted = [Status.RUNNING] if conversions else [Status.QUEUED, Status.RUNNING]
    with extensions.db(app).session() as session:
        rows = session.execute(
            select(unit.id, unit.status)
            .join(WorkerRow, WorkerRow.id == unit.worker_id)
            .where(WorkerRow.pid.in_(pids), unit.status.in_(wanted))
        )
        return dict(rows.all())


def kill_mid_run(app, stack, killed: list, more_jobs=None) -> dict[str, str]:
    """SIGKILL the worker `killed` ends with (main process and pool) while it runs a job;
    what it held then. A kill that lands between two jobs catches none running: kill fresh
    workers until one is caught in the middle (each is added to `killed`). `more_jobs`, if
    given, is called from a thread whenever few jobs are left (another worker may empty the
    queue faster than a test submits), so that the wait never stops looking."""
    interrupted: dict[str, str] = {}
    feeding = threading.Event()

    def feed() -> None:
        while not feeding.wait(0.05):
            if unfinished(app) < 40:
                more_jobs()

    feeder = threading.Thread(target=feed, daemon=True) if more_jobs is not None else None
    if feeder is not None:
        feeder.start()
    try:
        while Status.RUNNING not in interrupted.values():
            assert len(killed) < 5, "no kill caught a job in the middle"
            if not killed or not killed[-1].alive():
                killed.append(stack.worker())
            worker = killed[-1]
            pids = worker.pids()
            wait_for(
                lambda pids=pids: Status.RUNNING in held_by(app, pids).values(),
                60,
                "the worker to run a job",
                interval=0.002,
            )
            worker.kill()
            interrupted.update(held_by(app, pids))  # the dead change nothing more
    finally:
        feeding.set()
        if feeder is not None:
            feeder.join(60)
    return interrupted


def unfinished(app) -> int:
    """How many jobs are queued or running."""
    with extensions.db(app).session() as session:
        return session.scalar(
            select(func.count())
            .select_from(DocumentRecord)
            .where(DocumentRecord.status.in_([Status.QUEUED, Status.RUNNING]))
        )
