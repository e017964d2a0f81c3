"""Recovery drill with the default settings and 2 workers (-c 2); prints JSON.

    .venv/bin/python -m bench.recovery_drill [--jobs 300] [--outage 23] [--db-outage 22]

Needs redis-server and a local PostgreSQL (as `make test` sets up); it starts its own Redis,
a fresh database and real `celery -A worker worker` processes through the harness of the
distributed tests. Four faults, each on its own stack:

- kill: 300 jobs, two workers; one is SIGKILLed (main process and pool) while it runs a job;
- kill_alone: 300 jobs, one worker, SIGKILLed mid-run; a new worker is started after;
- broker_outage: 300 jobs waiting in Redis, two workers started; Redis is stopped as they
  start, POSTs keep coming for `--outage` seconds, then Redis starts again empty;
- database_outage: 300 jobs waiting, two workers started, on a private PostgreSQL server
  (never the shared one); it is stopped while a job runs, POSTs and GETs keep coming for
  `--db-outage` seconds, then it starts again.

For each: seconds from the fault (the kill, the new worker's start, Redis' or PostgreSQL's
return) until the
jobs it touched are done and until all are, and how many jobs were lost or made twice (by the
workers' "done" lines and the artifacts).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select

from service import create_app, extensions
from service.config import DEFAULTS
from service.domain.status import Status
from service.models import Artifact, DocumentRecord
from tests.conftest import authorized
from tests.private_postgres import PrivateDatabase
from tests.stack import Stack, done_lines, kill_mid_run, statuses, wait_for

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "uch-korgon-order.json"
ORDERS = "/api/v1/documents/working-group-orders"


def _payload(n: int) -> dict:
    body = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    body["number"] = f"03-12/{n}-Б"
    return body


def _submit(client, count: int, start: int = 0) -> list[str]:
    return [
        client.post(ORDERS, json=_payload(n)).get_json()["id"] for n in range(start, start + count)
    ]


def _wait_done(app, ids, since: float) -> float:
    wait_for(lambda: statuses(app, ids)[Status.DONE] == len(ids), 900, "the jobs", interval=0.05)
    return round(time.monotonic() - since, 1)


def _outcome(app, ids, workers) -> dict:
    """Lost: not done; made twice: a second "done" line or a second artifact."""
    counts = done_lines(workers)
    with extensions.db(app).session() as session:
        artifacts = session.scalar(
            select(func.count()).select_from(Artifact).where(Artifact.document_id.in_(ids))
        )
    done = statuses(app, ids)[Status.DONE]
    return {
        "lost": len(ids) - done,
        "made_twice": sum(1 for job in ids if counts[job] > 1) + max(0, artifacts - len(ids)),
    }


def _stack(workdir: str, database=None) -> tuple[Stack, object]:
    stack = Stack(Path(workdir), database, LOG_LEVEL="INFO").start()
    return stack, authorized(create_app(stack.app_config()))


def _close(stack: Stack, app) -> None:
    extensions.dispatcher(app).shutdown()
    extensions.db(app).dispose()
    stack.stop()


def kill(jobs: int) -> dict:
    with tempfile.TemporaryDirectory() as workdir:
        stack, app = _stack(workdir)
        try:
            victims, survivor = [stack.worker()], stack.worker()
            client = app.test_client()
            ids = _submit(client, jobs)

            def more_jobs() -> None:  # from kill_mid_run's thread: a client of its own
                ids.extend(_submit(app.test_client(), 20, start=len(ids)))

            interrupted = kill_mid_run(app, stack, victims, more_jobs)
            killed = time.monotonic()
            held = _wait_done(app, list(interrupted), killed)
            total = _wait_done(app, ids, killed)
            return {
                "jobs": len(ids),
                "held_by_the_dead": dict(Counter(interrupted.values())),
                "its_jobs_done_after_kill_s": held,
                "all_done_after_kill_s": total,
                **_outcome(app, ids, [*victims, survivor]),
            }
        finally:
            _close(stack, app)


def kill_alone(jobs: int) -> dict:
    with tempfile.TemporaryDirectory() as workdir:
        stack, app = _stack(workdir)
        try:
            ids = _submit(app.test_client(), jobs)
            victims = []
            interrupted = kill_mid_run(app, stack, victims)
            starting = time.monotonic()
            successor = stack.worker()
            held = _wait_done(app, list(interrupted), starting)
            total = _wait_done(app, ids, starting)
            return {
                "jobs": jobs,
                "held_by_the_dead": dict(Counter(interrupted.values())),
                "its_jobs_done_after_new_worker_start_s": held,
                "all_done_after_new_worker_start_s": total,
                **_outcome(app, ids, [*victims, successor]),
            }
        finally:
            _close(stack, app)


def broker_outage(jobs: int, outage: float) -> dict:
    with tempfile.TemporaryDirectory() as workdir:
        stack, app = _stack(workdir)
        try:
            client = app.test_client()
            ids = _submit(client, jobs)  # waiting in Redis: the workers start after
            workers = [stack.worker(), stack.worker()]
            stack.redis.stop()
            waiting = jobs - statuses(app, ids)[Status.DONE]
            answers: Counter = Counter()
            kept, retry_after = [], None
            stopped = time.monotonic()
            n = jobs
            while time.monotonic() - stopped < outage:
                response = client.post(ORDERS, json=_payload(n))
                answers[response.status_code] += 1
                if response.status_code == 202:
                    kept.append(response.get_json()["id"])
                elif response.status_code == 503:
                    retry_after = response.headers.get("Retry-After")
                n += 1
                time.sleep(0.1)
            with extensions.db(app).session() as session:
                rows = session.scalar(select(func.count()).select_from(DocumentRecord))
            stack.redis.start()
            back = time.monotonic()
            every = ids + kept
            total = _wait_done(app, every, back)
            return {
                "jobs": jobs,
                "waiting_in_redis_when_stopped": waiting,
                "outage_s": outage,
                "posts_during_outage": dict(answers),
                "retry_after_header": retry_after,
                "rows_kept_by_refused_posts": rows - jobs - len(kept),
                "all_done_after_redis_back_s": total,
                **_outcome(app, every, workers),
            }
        finally:
            _close(stack, app)


def database_outage(jobs: int, outage: float) -> dict:
    with tempfile.TemporaryDirectory() as workdir:
        stack, app = _stack(workdir, PrivateDatabase())
        try:
            client = app.test_client()
            ids = _submit(client, jobs)  # waiting: the workers start after
            workers = [stack.worker(), stack.worker()]
            wait_for(lambda: statuses(app, ids)[Status.RUNNING], 60, "a job running", 0.002)
            stack.database.server.stop()
            answers: Counter = Counter()
            stopped = time.monotonic()
            n = jobs
            while time.monotonic() - stopped < outage:
                post = client.post(ORDERS, json=_payload(n))
                get = client.get(f"/api/v1/documents/{ids[0]}")
                answers[f"POST {post.status_code}"] += 1
                answers[f"GET {get.status_code}"] += 1
                n += 1
                time.sleep(0.1)
            stack.database.server.start()
            back = time.monotonic()
            left = jobs - statuses(app, ids)[Status.DONE]
            total = _wait_done(app, ids, back)
            return {
                "jobs": jobs,
                "outage_s": outage,
                "requests_during_outage": dict(answers),
                "not_done_when_back": left,
                "all_done_after_database_back_s": total,
                **_outcome(app, ids, workers),
            }
        finally:
            _close(stack, app)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=300)
    parser.add_argument("--outage", type=float, default=23.0)
    parser.add_argument("--db-outage", type=float, default=22.0)
    args = parser.parse_args()
    settings = {key: DEFAULTS[key] for key in ("HEARTBEAT_SECONDS", "JOB_LEASE_SECONDS")}
    result = {
        "settings": {**settings, "workers": 2, "concurrency": 2},
        "kill": kill(args.jobs),
        "kill_alone": kill_alone(args.jobs),
        "broker_outage": broker_outage(args.jobs, args.outage),
        "database_outage": database_outage(args.jobs, args.db_outage),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
