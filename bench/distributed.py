"""End-to-end latency on 2 workers and the throughput of one worker process.

    .venv/bin/python -m bench.distributed [--requests 200] [--rate 20] [--backlog 300]

Needs redis-server and a local PostgreSQL (as `make test` sets up); it starts its own Redis,
a fresh database and real `celery -A worker worker` processes, through the harness the
distributed tests use. Latency is POST → done, from the job's own timestamps (created at
insertion during the POST, finished when the document is stored).
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from service import create_app, extensions
from service.domain.status import Status
from service.models import DocumentRecord
from tests.conftest import authorized
from tests.stack import Stack, wait_for

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "uch-korgon-order.json"
ORDERS = "/api/v1/documents/working-group-orders"


def _payload(n: int) -> dict:
    body = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    body["number"] = f"03-12/{n}-Б"
    return body


def _records(app, ids):
    with extensions.db(app).session() as session:
        return session.scalars(select(DocumentRecord).where(DocumentRecord.id.in_(ids))).all()


def _all_done(app, ids) -> bool:
    return all(r.status == Status.DONE for r in _records(app, ids))


def latency(stack: Stack, requests: int, rate: float) -> dict:
    stack.worker(concurrency=1)
    stack.worker(concurrency=1)
    app = authorized(create_app(stack.app_config()))
    client = app.test_client()
    ids = []
    start = time.monotonic()
    for n in range(requests):
        # Open loop: requests arrive at a fixed rate whatever the workers do.
        time.sleep(max(0.0, start + n / rate - time.monotonic()))
        ids.append(client.post(ORDERS, json=_payload(n)).get_json()["id"])
    wait_for(lambda: _all_done(app, ids), 600, "all documents", interval=0.2)
    seconds = sorted((r.finished_at - r.created_at).total_seconds() for r in _records(app, ids))
    extensions.dispatcher(app).shutdown()
    return {
        "requests": requests,
        "rate_per_s": rate,
        "median_ms": round(statistics.median(seconds) * 1000, 1),
        "p95_ms": round(seconds[int(0.95 * (len(seconds) - 1))] * 1000, 1),
        "max_ms": round(seconds[-1] * 1000, 1),
    }


def throughput(stack: Stack, backlog: int) -> dict:
    app = authorized(create_app(stack.app_config()))
    client = app.test_client()
    ids = [client.post(ORDERS, json=_payload(10_000 + n)).get_json()["id"] for n in range(backlog)]
    stack.worker(concurrency=1)  # one process drains the backlog
    wait_for(lambda: _all_done(app, ids), 900, "the backlog", interval=0.2)
    records = _records(app, ids)
    span = max(r.finished_at for r in records) - min(r.started_at for r in records)
    extensions.dispatcher(app).shutdown()
    return {"documents": backlog, "docs_per_s": round(backlog / span.total_seconds(), 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--backlog", type=int, default=300)
    args = parser.parse_args()
    results = {}
    for name, run in (
        ("latency_2_workers", lambda s: latency(s, args.requests, args.rate)),
        ("throughput_1_worker", lambda s: throughput(s, args.backlog)),
    ):
        with tempfile.TemporaryDirectory() as workdir:
            stack = Stack(Path(workdir), LOG_LEVEL="WARNING")
            try:
                results[name] = run(stack.start())
            finally:
                stack.stop()
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
