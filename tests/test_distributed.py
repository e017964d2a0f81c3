"""The distributed mode against a real Redis, PostgreSQL and workers: concurrency, duplicate
delivery, invalid input, the database away. Killed workers and a lost broker: test_faults.py."""

from __future__ import annotations

import hashlib
import json
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select, text
from werkzeug.serving import make_server

from service import create_app, extensions
from service.domain.status import Status
from service.models import Blob
from service.tasks import records as jobs
from tests.conftest import LOCAL, ORDERS, account, authorized
from tests.stack import done_lines, numbered, statuses, wait_for

pytestmark = pytest.mark.distributed


@pytest.fixture
def make_app(stack):
    apps = []

    def make(**overrides):
        app = authorized(create_app({**stack.app_config(), **overrides}))
        apps.append(app)
        return app

    yield make
    for app in apps:
        extensions.dispatcher(app).shutdown()
        extensions.db(app).dispose()


def test_200_concurrent_posts_make_200_documents(stack, make_app, order_input):
    stack.worker(concurrency=2)
    stack.worker(concurrency=2)
    app = make_app()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    signed = {"Authorization": f"Bearer {account(app)}"}

    def get(url: str):
        return urllib.request.urlopen(urllib.request.Request(url, headers=signed))

    def post(n: int) -> str:
        request = urllib.request.Request(
            base + ORDERS,
            data=json.dumps(numbered(order_input, n)).encode(),
            headers={"Content-Type": "application/json", **signed},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            assert response.status == 202
            return json.load(response)["id"]

    try:
        with ThreadPoolExecutor(max_workers=32) as pool:
            ids = list(pool.map(post, range(1, 201)))
        assert len(set(ids)) == 200
        wait_for(lambda: statuses(app, ids)[Status.DONE] == 200, 180, "200 documents")
        digests = set()
        for document_id in ids:
            with get(f"{base}/api/v1/documents/{document_id}/file") as r:
                content = r.read()
            with get(f"{base}/api/v1/documents/{document_id}") as r:
                status = json.load(r)
            assert hashlib.sha256(content).hexdigest() == status["sha256"]
            digests.add(status["sha256"])
        assert len(digests) == 200
    finally:
        server.shutdown()
        thread.join(10)


def test_duplicate_delivery_makes_one_document(stack, make_app, order_input):
    worker = stack.worker()
    app = make_app()
    with extensions.db(app).session() as session:
        record, _ = jobs.submit(session, "working-group-order", order_input, "ky+ru", scope=LOCAL)
    celery = extensions.celery(app)
    celery.send_task("documents.run_job", args=[record.id])
    celery.send_task("documents.run_job", args=[record.id])
    wait_for(lambda: statuses(app, [record.id])[Status.DONE] == 1, 60, "the job")
    wait_for(
        lambda: sum("not claimed" in line for line in worker.log_lines()) >= 1,
        90,
        "the second delivery to be refused",
    )
    with extensions.db(app).session() as session:
        assert jobs.get(session, record.id, LOCAL).attempts == 1
        assert session.scalar(select(func.count()).select_from(Blob)) == 1
    assert done_lines([worker])[record.id] == 1


def test_invalid_stored_input_fails_at_once_without_retry(stack, make_app, order_input):
    worker = stack.worker()
    app = make_app()
    order_input["members"][0]["role"] = "member"  # no leader: the schema refuses it
    with extensions.db(app).session() as session:
        record, _ = jobs.submit(session, "working-group-order", order_input, "ky+ru", scope=LOCAL)
    extensions.dispatcher(app).enqueue(record.id)
    wait_for(lambda: statuses(app, [record.id])[Status.FAILED] == 1, 60, "the job to fail")
    status = app.test_client().get(f"/api/v1/documents/{record.id}").get_json()
    assert status["attempts"] == 1
    assert status["error"]["errors"] == {"members": ["Exactly one leader is required."]}
    assert not any("retrying" in line for line in worker.log_lines())


def test_readyz_and_post_answer_503_without_broker(make_app, order_input):
    app = make_app(CELERY_BROKER_URL="redis://127.0.0.1:1/0")
    client = app.test_client()
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.get_json()["checks"]["broker"] == "unavailable"
    response = client.post(ORDERS, json=order_input)
    assert response.status_code == 503
    assert "nothing was saved" in response.get_json()["message"]


def test_database_outage_is_retried_with_backoff(stack, make_app, order_input):
    worker = stack.worker()
    app = make_app()
    with extensions.db(app).session() as session:
        record, _ = jobs.submit(session, "working-group-order", order_input, "ky+ru", scope=LOCAL)
    name = stack.database.name
    with stack.database.admin.connect() as admin:
        admin.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
        admin.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
            {"n": name},
        )
    try:
        extensions.dispatcher(app).enqueue(record.id)
        wait_for(
            lambda: any("transient failure, retrying" in line for line in worker.log_lines()),
            60,
            "a retry",
        )
    finally:
        with stack.database.admin.connect() as admin:
            admin.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
    wait_for(lambda: statuses(app, [record.id])[Status.DONE] == 1, 90, "the job after the outage")
