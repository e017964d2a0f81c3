"""Integrations: signed callbacks delivered to a real HTTP receiver (retried, replay-proof),
callback addresses on private networks refused, Location and Retry-After, ?wait=N, lists of
documents, batches and municipalities with filters and pages (and another organisation's
records never listed), and Idempotency-Key replays of every creating POST."""

from __future__ import annotations

import io
import json
import threading
import time
import uuid
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from service import callbacks, create_app, extensions
from service.api.integrations import sender
from service.db import upgrade
from service.models import Callback
from service.tasks import records
from service.tenancy import Scope
from tests.conftest import (
    EXAMPLES,
    LOCAL,
    ORDERS,
    account,
    authorized,
    token_client,
    upload_batch,
    wait_until_finished,
)

MUNICIPALITIES = "/api/v1/municipalities"


def _example(name: str) -> dict:
    return json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def _municipality(suffix: str) -> dict:
    issuer = _example("uch-korgon-order")["issuer"]
    name = {lang: f"{text} {suffix}" for lang, text in issuer["body"].items()}
    return {"name": name, "head": issuer["head"], "act": {"ky": "БУЙРУК", "ru": "РАСПОРЯЖЕНИЕ"}}


def _order_for(municipality_id: str) -> dict:
    order = _example("uch-korgon-order")
    del order["issuer"], order["number"], order["act"]
    return {**order, "municipality_id": municipality_id}


def _batch(items: int = 2) -> dict:
    batch = _example("sverdlovsky-batch")
    batch["items"] = batch["items"][:items]
    return batch


class Receiver:
    """An HTTP server on 127.0.0.1 answering each POST with the next of `codes` (then 200),
    keeping what it was sent."""

    def __init__(self, codes=()):
        self.codes = list(codes)
        self.received: list[tuple[dict, bytes]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.received.append((dict(self.headers), body))
                code = outer.codes.pop(0) if outer.codes else 200
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/docgen?source=test"

    def wait_for(self, count: int, timeout: float = 60) -> list[tuple[dict, bytes]]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.received) >= count, self.received
        return self.received

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    made = Receiver()
    yield made
    made.close()


@pytest.fixture
def embedded(tmp_path):
    """The embedded app alone, for what does not depend on the mode."""
    url = f"sqlite:///{tmp_path / 'docgen.sqlite3'}"
    upgrade(url)
    app = authorized(create_app({"DATABASE_URL": url}))
    yield app
    extensions.dispatcher(app).shutdown()
    extensions.db(app).dispose()


@pytest.fixture
def sending(app):
    """`app` allowing callbacks to 127.0.0.1, retrying fast, with its sender running."""
    app.config.update(
        CALLBACK_ALLOW_PRIVATE_NETWORKS=True, CALLBACK_RETRY_SECONDS=0.2, CALLBACK_POLL_SECONDS=0.1
    )
    running = sender(app).start()
    yield app
    running.stop()


def _secret(client) -> str:
    made = client.post("/api/v1/webhook-secret")
    assert made.status_code == 201, made.get_json()
    assert made.headers["Location"] == "/api/v1/webhook-secret"
    return made.get_json()["secret"]


def test_a_job_callback_is_signed_retried_and_recorded(sending, receiver):
    client = sending.test_client()
    secret = _secret(client)
    receiver.codes = [500, 500]
    order = _example("uch-korgon-order")
    made = client.post(ORDERS, json={**order, "callback_url": receiver.url})
    assert made.status_code == 202, made.get_json()
    document_id = made.get_json()["id"]
    assert made.get_json()["callback"]["status"] == "waiting"

    got = receiver.wait_for(3)
    deliveries = {headers["Docgen-Delivery"] for headers, _ in got}
    assert len(deliveries) == 1  # one delivery, tried three times
    for headers, body in got:
        assert callbacks.verify(secret, headers["Docgen-Signature"], body)
        assert headers["Docgen-Event"] == "document.done"
        payload = json.loads(body)
        assert payload["event"] == "document.done"
        assert payload["document"]["id"] == document_id
        assert payload["document"]["status"] == "done"
        assert payload["document"]["links"]["file"].endswith(f"{document_id}/file")

    # Replay protection: the signature covers the time, which a receiver bounds.
    headers, body = got[-1]
    signed_at = int(headers["Docgen-Signature"].split(",")[0].removeprefix("t="))
    assert not callbacks.verify(secret, headers["Docgen-Signature"], body, now=signed_at + 301)
    assert not callbacks.verify(secret, headers["Docgen-Signature"], body + b" ")
    assert not callbacks.verify("another secret", headers["Docgen-Signature"], body)
    forged = callbacks.sign(secret, body, signed_at).replace(str(signed_at), str(signed_at + 9))
    assert not callbacks.verify(secret, forged, body, now=signed_at + 9)

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        status = client.get(f"/api/v1/documents/{document_id}").get_json()
        if status["callback"]["status"] == "delivered":
            break
        time.sleep(0.05)
    callback = status["callback"]
    assert callback["status"] == "delivered", callback
    assert callback["attempts"] == 3
    assert [a.get("status_code") for a in callback["history"]] == [500, 500, 200]
    assert callback["delivered_at"]


def test_a_batch_callback_comes_once_every_item_ended(sending, receiver):
    client = sending.test_client()
    secret = _secret(client)
    made = client.post("/api/v1/batches", json={**_batch(), "callback_url": receiver.url})
    assert made.status_code == 202, made.get_json()
    batch_id = made.get_json()["id"]
    assert made.headers["Location"] == f"/api/v1/batches/{batch_id}"
    headers, body = receiver.wait_for(1)[0]
    assert callbacks.verify(secret, headers["Docgen-Signature"], body)
    payload = json.loads(body)
    assert payload["event"] == "batch.finished"
    assert payload["batch"]["id"] == batch_id
    assert payload["batch"]["finished"] is True
    assert payload["batch"]["counts"]["done"] == 2
    deadline = time.monotonic() + 10
    while client.get(f"/api/v1/batches/{batch_id}").get_json()["callback"]["status"] != (
        "delivered"
    ):
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_a_callback_failing_every_time_ends_failed(embedded, receiver):
    embedded.config.update(
        CALLBACK_ALLOW_PRIVATE_NETWORKS=True, CALLBACK_RETRY_SECONDS=0.05, CALLBACK_MAX_ATTEMPTS=3
    )
    client = embedded.test_client()
    _secret(client)
    receiver.codes = [503] * 10
    made = client.post(ORDERS, json={**_example("uch-korgon-order"), "callback_url": receiver.url})
    document_id = made.get_json()["id"]
    wait_until_finished(client, f"/api/v1/documents/{document_id}")
    running = sender(embedded)
    deadline = time.monotonic() + 20
    while len(receiver.received) < 3 and time.monotonic() < deadline:
        running.run_once()
        time.sleep(0.05)
    running.run_once()
    callback = client.get(f"/api/v1/documents/{document_id}").get_json()["callback"]
    assert callback["status"] == "failed"
    assert callback["attempts"] == 3
    assert len(receiver.received) == 3


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:6379/",
        "http://10.1.2.3/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:5432/",
        "http://localhost:8000/hook",
        "http://192.168.0.10/hook",
        "http://[::ffff:127.0.0.1]/hook",
    ],
)
def test_callbacks_to_private_networks_are_refused(embedded, url):
    client = embedded.test_client()
    _secret(client)
    order = client.post(ORDERS, json={**_example("uch-korgon-order"), "callback_url": url})
    assert order.status_code == 422, order.get_json()
    assert list(order.get_json()["errors"]) == ["callback_url"]
    batch = client.post("/api/v1/batches", json={**_batch(), "callback_url": url})
    assert batch.status_code == 422, batch.get_json()
    assert list(batch.get_json()["errors"]) == ["callback_url"]
    with extensions.db(embedded).session() as session:
        assert session.query(Callback).count() == 0


def test_a_callback_needs_a_valid_address_and_a_secret(embedded):
    client = embedded.test_client()
    order = _example("uch-korgon-order")
    no_secret = client.post(ORDERS, json={**order, "callback_url": "https://example.org/h"})
    assert no_secret.status_code == 422
    assert "webhook-secret" in no_secret.get_json()["errors"]["callback_url"][0]
    _secret(client)
    ftp = client.post(
        ORDERS,
        json={**order, "callback_url": "ftp://example.org/h"},
        headers={"Accept-Language": "ru"},
    )
    assert ftp.get_json()["errors"] == {"callback_url": ["Укажите адрес http или https."]}
    # A non-admin may neither see the secret made nor make another.
    secretary = token_client(embedded, account(embedded, roles={"secretary"}))
    assert secretary.post("/api/v1/webhook-secret").status_code == 403
    assert "secret" not in client.get("/api/v1/webhook-secret").get_json()


def test_the_address_is_checked_again_when_delivering(embedded, receiver):
    """DNS rebinding: an address that was public when asked for and is private now is not
    reached."""
    client = embedded.test_client()
    _secret(client)
    with extensions.db(embedded).session() as session:
        record, _ = records.submit(
            session, "working-group-order", _example("uch-korgon-order"), "ky+ru", scope=LOCAL
        )
        callbacks.watch(session, LOCAL.tenant, receiver.url, "ru", document_id=record.id)
        records.fail(session, record.id, {"message": "x"}, unfinished=True)
    refusing = sender(embedded)  # the default: private networks refused
    refusing.run_once()
    assert receiver.received == []
    with extensions.db(embedded).session() as session:
        callback = session.query(Callback).one()
        assert callback.status == "pending"
        assert "127.0.0.1" in callback.history[0]["error"]


def test_location_and_retry_after(embedded, monkeypatch):
    client = embedded.test_client()
    made = client.post(MUNICIPALITIES, json=_municipality("L"))
    assert made.status_code == 201
    assert made.headers["Location"] == f"{MUNICIPALITIES}/{made.get_json()['id']}"
    order = client.post(ORDERS, json=_example("uch-korgon-order"))
    assert order.headers["Location"] == order.get_json()["links"]["self"]
    with extensions.db(embedded).session() as session:
        queued, _ = records.submit(
            session, "working-group-order", _example("uch-korgon-order"), "ky+ru", scope=LOCAL
        )
    not_ready = client.get(f"/api/v1/documents/{queued.id}/file")
    assert not_ready.status_code == 409
    assert int(not_ready.headers["Retry-After"]) > 0
    monkeypatch.setattr(extensions.dispatcher(embedded), "ping", lambda: False)
    down = client.post(ORDERS, json=_example("uch-korgon-order"))
    assert down.status_code == 503
    assert int(down.headers["Retry-After"]) > 0
    batch_down = client.post("/api/v1/batches", json=_batch())
    assert batch_down.status_code == 503 and batch_down.headers["Retry-After"]


def test_wait_answers_201_once_done_else_202(embedded, monkeypatch):
    client = embedded.test_client()
    done = client.post(f"{ORDERS}?wait=30", json=_example("uch-korgon-order"))
    assert done.status_code == 201, done.get_json()
    body = done.get_json()
    assert body["status"] == "done"
    assert body["links"]["file"] and done.headers["Location"] == body["links"]["self"]
    assert client.get(body["links"]["file"]).status_code == 200
    assert client.post(f"{ORDERS}?wait=31", json=_example("uch-korgon-order")).status_code == 422
    monkeypatch.setattr(extensions.dispatcher(embedded), "enqueue", lambda _id: None)
    started = time.monotonic()
    waiting = client.post(f"{ORDERS}?wait=1", json=_example("uch-korgon-order"))
    assert waiting.status_code == 202
    assert waiting.get_json()["status"] == "queued"
    assert 0.9 <= time.monotonic() - started < 10
    embedded.config["WAIT_MAX_SECONDS"] = 1
    started = time.monotonic()
    assert client.post(f"{ORDERS}?wait=20", json=_example("uch-korgon-order")).status_code == 202
    assert time.monotonic() - started < 10


def test_lists_filter_page_and_keep_to_the_caller(app):
    # An organisation of its own: the distributed mode's database is shared by the tests.
    organisation = f"lists-{uuid.uuid4().hex[:8]}"
    client = token_client(app, account(app, organisation))
    municipalities = [
        client.post(MUNICIPALITIES, json=_municipality(f"P{n}")).get_json()["id"] for n in range(3)
    ]
    orders = [
        client.post(ORDERS, json=_order_for(m)).get_json()["id"]
        for m in (municipalities[0], municipalities[0], municipalities[1])
    ]
    for document_id in orders:
        assert wait_until_finished(client, f"/api/v1/documents/{document_id}")["status"] == "done"

    first = client.get("/api/v1/documents?per_page=2")
    assert first.status_code == 200
    assert first.headers["X-Total-Count"] == "3"
    assert [d["id"] for d in first.get_json()] == orders[::-1][:2]  # newest first
    assert 'rel="next"' in first.headers["Link"] and "page=2" in first.headers["Link"]
    second = client.get("/api/v1/documents?per_page=2&page=2").get_json()
    assert [d["id"] for d in second] == [orders[0]]
    beyond = client.get("/api/v1/documents?per_page=2&page=3")
    assert beyond.get_json() == [] and beyond.headers["X-Total-Count"] == "3"

    def ids(query: str) -> set[str]:
        response = client.get(f"/api/v1/documents?{query}")
        assert response.status_code == 200, response.get_json()
        return {d["id"] for d in response.get_json()}

    assert ids(f"municipality_id={municipalities[0]}") == set(orders[:2])
    assert ids("kind=working-group-order&status=done") == set(orders)
    assert ids("kind=joint-plan") == set()
    assert ids("status=queued") == set()
    today = date.today()
    assert ids(f"created_from={today - timedelta(days=1)}&created_to={today + timedelta(days=1)}")
    assert ids(f"created_from={today + timedelta(days=2)}") == set()
    with extensions.db(app).session() as session:
        number = records.get(session, orders[2], Scope.whole(organisation)).input["number"]
    assert orders[2] in ids(f"number={number}")  # each municipality numbers from 1
    assert ids(f"number={number}&municipality_id={municipalities[1]}") == {orders[2]}
    assert client.get("/api/v1/documents?status=nonsense").status_code == 422
    assert client.get("/api/v1/documents?per_page=101").status_code == 422

    paged = client.get(f"{MUNICIPALITIES}?per_page=2&page=2")
    assert [m["id"] for m in paged.get_json()] == municipalities[2:]
    assert paged.headers["X-Total-Count"] == "3" and 'rel="prev"' in paged.headers["Link"]

    batch = client.post("/api/v1/batches", json=_batch()).get_json()
    listed = client.get("/api/v1/batches").get_json()
    assert [b["id"] for b in listed] == [batch["id"]]
    assert "items" not in listed[0] and listed[0]["total"] == 2
    assert client.get("/api/v1/batches?kind=joint-plan").get_json() == []
    done = False
    deadline = time.monotonic() + 60
    while not done and time.monotonic() < deadline:
        done = bool(client.get("/api/v1/batches?finished=true").get_json())
        time.sleep(0.05)
    assert done
    assert client.get("/api/v1/batches?finished=false").get_json() == []

    # Another organisation lists none of these; a secretary of one municipality only its own.
    other = token_client(app, account(app, "other-office"))
    assert other.get("/api/v1/documents").get_json() == []
    assert other.get("/api/v1/documents").headers["X-Total-Count"] == "0"
    assert other.get("/api/v1/batches").get_json() == []
    assert other.get(MUNICIPALITIES).get_json() == []
    secretary = token_client(
        app,
        account(app, organisation, roles={"secretary"}, municipalities=[municipalities[1]]),
    )
    assert {d["id"] for d in secretary.get("/api/v1/documents").get_json()} == {orders[2]}
    assert secretary.get("/api/v1/batches").get_json() == []
    coordinator = token_client(app, account(app, organisation, roles={"coordinator"}))
    assert coordinator.get("/api/v1/documents").get_json() == []  # orders are secretaries'


def test_idempotent_replays_of_batches_and_municipalities(embedded):
    client = embedded.test_client()
    key = {"Idempotency-Key": "upload-2026-03-12"}
    first = client.post("/api/v1/batches", json=_batch(), headers=key)
    again = client.post("/api/v1/batches", json=_batch(), headers=key)
    assert first.status_code == again.status_code == 202
    assert first.get_json()["id"] == again.get_json()["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert again.headers["Location"] == first.headers["Location"]
    other = client.post("/api/v1/batches", json=_batch(1), headers=key)
    assert other.status_code == 409
    assert len(client.get("/api/v1/batches").get_json()) == 1

    # The same upload twice (another multipart boundary each time) is one batch.
    batch = _batch()
    content = (EXAMPLES / "sverdlovsky-batch.csv").read_bytes()
    uploads = [
        upload_batch(client, batch, content, "items.csv", **{"Idempotency-Key": "csv-1"})
        for _ in range(2)
    ]
    assert uploads[0].get_json()["id"] == uploads[1].get_json()["id"], uploads[0].get_json()
    assert uploads[1].headers["Idempotent-Replayed"] == "true"
    assert len(client.get("/api/v1/batches").get_json()) == 2

    key = {"Idempotency-Key": "municipality-1"}
    made = client.post(MUNICIPALITIES, json=_municipality("I"), headers=key)
    replayed = client.post(MUNICIPALITIES, json=_municipality("I"), headers=key)
    assert made.status_code == replayed.status_code == 201
    assert made.get_json() == replayed.get_json()
    assert replayed.headers["Idempotent-Replayed"] == "true"
    assert client.post(MUNICIPALITIES, json=_municipality("J"), headers=key).status_code == 409
    assert len(client.get(MUNICIPALITIES).get_json()) == 1
    # Keys are the organisation's: another's same key makes its own.
    other = token_client(embedded, account(embedded, "other-office"))
    assert other.post(MUNICIPALITIES, json=_municipality("I"), headers=key).status_code == 201

    # A request refused keeps no key: once fixed, it goes through with the same key.
    key = {"Idempotency-Key": "municipality-2"}
    assert client.post(MUNICIPALITIES, json={"name": {}}, headers=key).status_code == 422
    assert client.post(MUNICIPALITIES, json=_municipality("K"), headers=key).status_code == 201

    key = {"Idempotency-Key": "order-1"}
    order = _example("uch-korgon-order")
    document = client.post(ORDERS, json=order, headers=key)
    replay = client.post(ORDERS, json=order, headers=key)
    assert replay.get_json()["id"] == document.get_json()["id"]
    assert replay.headers["Idempotent-Replayed"] == "true"

    key = {"Idempotency-Key": "secret-1"}
    secret = client.post("/api/v1/webhook-secret", headers=key).get_json()["secret"]
    assert client.post("/api/v1/webhook-secret", headers=key).get_json()["secret"] == secret
    token = client.post("/api/v1/tokens", json={"name": "ci"}, headers={"Idempotency-Key": "t"})
    assert token.status_code == 201 and token.headers["Location"]
    shown_once = client.post(
        "/api/v1/tokens", json={"name": "ci"}, headers={"Idempotency-Key": "t"}
    )
    assert shown_once.status_code == 409
    assert len([t for t in client.get("/api/v1/tokens").get_json() if t["name"] == "ci"]) == 1


def test_the_openapi_documents_the_integration_headers(embedded):
    spec = embedded.test_client().get("/api/openapi.json").get_json()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if not isinstance(operation, dict):
                continue
            for code in ("201", "202"):
                if code in operation.get("responses", {}):
                    headers = operation["responses"][code].get("headers", {})
                    assert "Location" in headers, (method, path, code)
            if "503" in operation.get("responses", {}):
                assert "Retry-After" in operation["responses"]["503"]["headers"], (method, path)
            if method == "post" and path.startswith("/api/v1/") and path != "/api/v1/sessions":
                names = {p.get("name") for p in operation.get("parameters", ())}
                creates = {"201", "202"} & set(operation.get("responses", {}))
                if creates and "Idempotency-Key" not in names:
                    pytest.fail(f"{path} takes no Idempotency-Key")
    for path in ("/api/v1/documents", "/api/v1/batches", "/api/v1/municipalities"):
        names = {p["name"] for p in spec["paths"][path]["get"]["parameters"]}
        assert {"page", "per_page"} <= names, path
        assert "Link" in spec["paths"][path]["get"]["responses"]["200"]["headers"]
    documents = {p["name"] for p in spec["paths"]["/api/v1/documents"]["get"]["parameters"]}
    assert {"kind", "status", "municipality_id", "created_from", "created_to", "number"} <= (
        documents
    )


def test_an_upload_may_ask_for_a_callback(sending, receiver):
    client = sending.test_client()
    _secret(client)
    batch = _batch()
    made = client.post(
        "/api/v1/batches",
        data={
            "kind": "working-group-order",
            "shared": json.dumps(batch["shared"]),
            "callback_url": receiver.url,
            "file": (io.BytesIO((EXAMPLES / "sverdlovsky-batch.csv").read_bytes()), "b.csv"),
        },
        content_type="multipart/form-data",
    )
    assert made.status_code == 202, made.get_json()
    assert made.get_json()["callback"]["url"] == receiver.url
