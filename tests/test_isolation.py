"""Tenant isolation: two organisations, and a secretary limited to one municipality of a
district. Every /api/v1 endpoint that takes an id answers 404 for another organisation's,
and for what lies beyond the caller's municipalities or roles; lists show only the caller's.

The endpoints are read from the app's URL map, so that a new one with an id is covered (or
this test fails naming it).
"""

from __future__ import annotations

import io
import json
import time
import uuid
import zipfile

import pytest

from service.tenancy import Role
from tests.conftest import EXAMPLES, ORDERS, account, token_client, wait_until_finished

MUNICIPALITIES = "/api/v1/municipalities"
PLANS = "/api/v1/documents/joint-plans"
REPORTS = "/api/v1/documents/annual-reports"


def _example(name: str) -> dict:
    return json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def _municipality(order: dict, suffix: str) -> dict:
    issuer = order["issuer"]
    name = {lang: f"{text} {suffix}" for lang, text in issuer["body"].items()}
    return {"name": name, "head": issuer["head"], "act": {"ky": "БУЙРУК", "ru": "РАСПОРЯЖЕНИЕ"}}


def _order_for(municipality_id: str) -> dict:
    order = _example("uch-korgon-order")
    del order["issuer"], order["number"], order["act"]
    return {**order, "municipality_id": municipality_id}


def _made(response, status: int = 201) -> dict:
    assert response.status_code == status, response.get_json()
    return response.get_json()


class Office:
    """An organisation's resources as its admin made them: municipalities, an order of each,
    a plan, a batch (finished), a user and a token."""

    def __init__(self, app, organisation: str, municipalities: int):
        self.organisation = organisation
        self.token = account(app, organisation)
        self.client = token_client(app, self.token)
        order = _example("uch-korgon-order")
        self.municipalities = [
            _made(
                self.client.post(MUNICIPALITIES, json=_municipality(order, f"{organisation} {n}"))
            )["id"]
            for n in range(municipalities)
        ]
        self.orders = [
            _made(self.client.post(ORDERS, json=_order_for(m)), 202)["id"]
            for m in self.municipalities
        ]
        for document_id in self.orders:
            done = wait_until_finished(self.client, f"/api/v1/documents/{document_id}")
            assert done["status"] == "done", done
        plan = _made(self.client.post(PLANS, json=_example("uch-korgon-plan")), 202)
        self.plan = plan["id"]
        assert (
            wait_until_finished(self.client, f"/api/v1/documents/{self.plan}")["status"] == "done"
        )
        batch = _example("sverdlovsky-batch")
        batch["items"] = batch["items"][:2]
        self.batch = _made(self.client.post("/api/v1/batches", json=batch), 202)["id"]
        assert wait_until_finished_batch(self.client, self.batch)["counts"]["done"] == 2
        self.user = _made(
            self.client.post(
                "/api/v1/users",
                json={
                    "username": f"clerk-{organisation}",
                    "password": "a long password 1",
                    "roles": ["secretary"],
                },
            )
        )["id"]
        self.token_id = _made(self.client.post("/api/v1/tokens", json={"name": "script"}))["id"]


@pytest.fixture
def offices(app):
    """A district office (two municipalities) and another organisation (one); new ones for
    each test (the distributed mode's database is shared)."""
    run = uuid.uuid4().hex[:8]
    return Office(app, f"sverdlovsky-{run}", 2), Office(app, f"other-{run}", 1)


# Valid bodies, so that a 404 is not hidden behind a 422.
def _bodies(order: dict) -> dict[str, dict]:
    return {
        "municipalities.MunicipalityItem": _municipality(order, "changed"),
        "accounts.user_password": {"password": "another long password"},
        # Valid bodies: another organisation's id is refused as unknown, not as a bad body.
        "municipalities.RegisterCounterResource": {"year": 2015, "next": 500},
        "municipalities.register_lines": {
            "date": "2015-06-26",
            "kind": "working-group-order",
            "subject": "О рабочей группе",
        },
        "documents.document_number": {"number": "03-12/9-Б", "date": "2015-06-26"},
    }


def _ids(office: Office) -> dict[str, str]:
    return {
        "municipality_id": office.municipalities[0],
        "document_id": office.orders[0],
        "batch_id": office.batch,
        "user_id": office.user,
        "token_id": office.token_id,
    }


def _requests(app, ids: dict[str, str]):
    """(method, url, body) for every /api/v1 endpoint with an id, filled with `ids`."""
    bodies = _bodies(_example("uch-korgon-order"))
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or not rule.arguments:
            continue
        if rule.endpoint == "batches.batch_template":  # a kind's name, not a record's id
            continue
        unknown = rule.arguments - ids.keys()
        assert not unknown, f"{rule.rule}: no id of another tenant for {unknown}"
        url = rule.rule
        for name in rule.arguments:
            url = url.replace(f"<job_id:{name}>", ids[name]).replace(f"<{name}>", ids[name])
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, url, bodies.get(rule.endpoint)


def test_another_organisations_ids_answer_404_everywhere(app, offices):
    mine, theirs = offices
    seen = []
    for method, url, body in _requests(app, _ids(theirs)):
        for query in ("", "?format=csv", "?format=xlsx") if url.endswith("/register") else ("",):
            response = mine.client.open(url + query, method=method, json=body)
            assert response.status_code == 404, (method, url + query, response.get_json())
            seen.append((method, url))
    endpoints = {url.rsplit("/", 1)[-1] for _m, url in seen}
    # Downloads, register exports, batch archives, cancelling and the admin's views among them.
    assert {"file", "register", "archive", "cancel", "report-draft", "password"} <= endpoints
    # And nothing of theirs changed: their municipality, batch and user are as they were.
    assert theirs.client.get(f"{MUNICIPALITIES}/{theirs.municipalities[0]}").status_code == 200
    batch = theirs.client.get(f"/api/v1/batches/{theirs.batch}").get_json()
    assert batch["cancelled_at"] is None
    user = theirs.client.get(f"/api/v1/users/{theirs.user}").get_json()
    assert user["active"] is True
    tokens = theirs.client.get("/api/v1/tokens").get_json()
    assert {t["id"]: t["state"] for t in tokens}[theirs.token_id] == "active"


def test_the_same_ids_are_found_by_their_own_organisation(app, offices):
    """The 404s above are isolation, not wrong ids: the owner gets every one."""
    _mine, theirs = offices
    for method, url, _body in _requests(app, _ids(theirs)):
        if method == "GET":
            response = theirs.client.get(url)
            # An order's report draft: found, and not a plan; a batch without PDFs has no
            # merged PDF.
            expected = 409 if url.endswith(("/report-draft", "/merged.pdf")) else 200
            assert response.status_code == expected, (url, response.get_json())


def test_lists_show_only_the_callers_records(offices):
    mine, theirs = offices
    listed = {m["id"] for m in mine.client.get(MUNICIPALITIES).get_json()}
    assert listed == set(mine.municipalities)
    users = {u["id"] for u in mine.client.get("/api/v1/users").get_json()}
    assert theirs.user not in users and mine.user in users
    assert theirs.token_id not in {t["id"] for t in mine.client.get("/api/v1/tokens").get_json()}


def test_references_to_another_organisations_records_are_unknown(offices):
    mine, theirs = offices
    response = mine.client.post(ORDERS, json=_order_for(theirs.municipalities[0]))
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"municipality_id": ["Unknown municipality."]}
    report = _example("uch-korgon-report")
    report.pop("plan", None)
    report["plan_id"] = theirs.plan
    response = mine.client.post(REPORTS, json=report)
    assert response.status_code == 422
    assert response.get_json()["errors"]["plan_id"] == ["Unknown joint plan."]


def test_a_secretary_of_one_municipality_sees_only_it(app, offices):
    district, _other = offices
    first, second = district.municipalities
    secretary = token_client(
        app, account(app, district.organisation, roles={Role.SECRETARY}, municipalities=[first])
    )
    assert [m["id"] for m in secretary.get(MUNICIPALITIES).get_json()] == [first]
    # Their own municipality: its orders, register (exports too) and profile.
    assert secretary.get(f"/api/v1/documents/{district.orders[0]}").status_code == 200
    assert secretary.get(f"/api/v1/documents/{district.orders[0]}/file").status_code == 200
    assert secretary.get(f"{MUNICIPALITIES}/{first}/register?year=2015").status_code == 200
    assert secretary.get(f"{MUNICIPALITIES}/{first}/register?format=csv").status_code == 200
    changed = _municipality(_example("uch-korgon-order"), "renamed")
    assert secretary.put(f"{MUNICIPALITIES}/{first}", json=changed).status_code == 200
    made = secretary.post(ORDERS, json=_order_for(first))
    assert made.status_code == 202, made.get_json()
    # The other municipality of the same district is not theirs.
    for url in (
        f"{MUNICIPALITIES}/{second}",
        f"{MUNICIPALITIES}/{second}/register",
        f"{MUNICIPALITIES}/{second}/register?format=xlsx",
        f"/api/v1/documents/{district.orders[1]}",
        f"/api/v1/documents/{district.orders[1]}/file",
    ):
        assert secretary.get(url).status_code == 404, url
    assert secretary.put(f"{MUNICIPALITIES}/{second}", json=changed).status_code == 404
    refused = secretary.post(ORDERS, json=_order_for(second))
    assert refused.get_json()["errors"] == {"municipality_id": ["Unknown municipality."]}
    # An order without a municipality cannot be theirs.
    unnamed = secretary.post(ORDERS, json=_example("uch-korgon-order"))
    assert unnamed.status_code == 422
    assert list(unnamed.get_json()["errors"]) == ["municipality_id"]
    # Plans, reports and batches are the coordinator's: absent for a secretary.
    for url in (
        f"/api/v1/documents/{district.plan}",
        f"/api/v1/documents/{district.plan}/report-draft",
        f"/api/v1/batches/{district.batch}",
        f"/api/v1/batches/{district.batch}/archive",
    ):
        assert secretary.get(url).status_code == 404, url
    assert secretary.post(f"/api/v1/batches/{district.batch}/cancel").status_code == 404
    assert secretary.post(PLANS, json=_example("uch-korgon-plan")).status_code == 403
    assert secretary.post("/api/v1/batches", json=_example("sverdlovsky-batch")).status_code == 403
    # Users and the audit log are the admin's.
    assert secretary.get("/api/v1/users").status_code == 403
    assert secretary.get("/api/v1/audit").status_code == 403
    assert secretary.post(MUNICIPALITIES, json=changed).status_code == 403


def test_a_coordinator_of_one_municipality_sees_batches_only_within_it(app, offices):
    district, _other = offices
    first, _second = district.municipalities
    coordinator = token_client(
        app,
        account(
            app,
            district.organisation,
            roles={Role.SECRETARY, Role.COORDINATOR},
            municipalities=[first],
        ),
    )
    # The district's batch has items of municipalities beyond theirs (by letterhead: none).
    assert coordinator.get(f"/api/v1/batches/{district.batch}").status_code == 404
    batch = {
        "kind": "working-group-order",
        "shared": {},
        "items": [_order_for(first), _order_for(first)],
    }
    made = coordinator.post("/api/v1/batches", json=batch)
    assert made.status_code == 202, made.get_json()
    batch_id = made.get_json()["id"]
    finished = wait_until_finished_batch(coordinator, batch_id)
    assert finished["counts"]["done"] == 2, finished
    archive = coordinator.get(f"/api/v1/batches/{batch_id}/archive")
    assert archive.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(archive.data)).namelist()
    assert {"manifest.csv", "manifest.xlsx"} <= set(names) and len(names) == 4


def wait_until_finished_batch(client, batch_id: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = client.get(f"/api/v1/batches/{batch_id}").get_json()
        if status["finished"]:
            return status
        time.sleep(0.05)
    raise AssertionError(f"batch {batch_id} did not finish: {status}")


def test_a_secretary_only_account_reads_orders_not_plans(app, offices):
    district, _other = offices
    secretary = token_client(app, account(app, district.organisation, roles={Role.SECRETARY}))
    assert secretary.get(f"/api/v1/documents/{district.orders[1]}").status_code == 200
    assert secretary.get(f"/api/v1/documents/{district.plan}").status_code == 404
    coordinator = token_client(app, account(app, district.organisation, roles={Role.COORDINATOR}))
    assert coordinator.get(f"/api/v1/documents/{district.plan}").status_code == 200
    assert coordinator.get(f"/api/v1/documents/{district.orders[1]}").status_code == 404
    # The profile of a municipality is a secretary's or an admin's, not a coordinator's.
    changed = _municipality(_example("uch-korgon-order"), "renamed")
    response = coordinator.put(f"{MUNICIPALITIES}/{district.municipalities[0]}", json=changed)
    assert response.status_code == 403
