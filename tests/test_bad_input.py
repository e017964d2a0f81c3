"""Bad input, systematically: every JSON path of the real examples, mutated.

The rule: bad input gets a clear 4xx naming the field (the envelope `{code, status, message,
errors}`, `errors` by field path), never a 500, never a corrupt .docx, never a lost record.
A mutation that happens to be acceptable must give a document that is done and opens (or a
job that failed with a message, never an internal error); an accepted municipality must give
orders by reference that follow the same rule; a batch keeps every item, and refuses only the
items the mutation touched, naming the field.

Cases are generated, deterministically (no randomness), from the examples: all paths of the
order and of the municipality; for the big plan, report and batch, one path of each kind (the
first occurrence of each path with list indexes generalised: `problems.*.activities.*.deadline`).
At each path: null, each wrong JSON type, empty string/list/object, a deleted key, an unknown
key; in strings: 100,000 characters, XML-illegal characters, Jinja syntax; in numbers and
numeric strings: 1e308, 10**30, -1; in dates: 2015-02-30, 30.06.2015, "", 99999. The root is
a path too (the body as a JSON array, string, number, null, empty object).

The correlation «an error names the mutated path, a path inside it or one that holds it»
holds for every class of mutation: no class needed a looser check.
"""

from __future__ import annotations

import copy
import io
import json
import re
import time
import zipfile
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pytest
from babel.messages.pofile import read_po
from docx import Document

from service.batches import INTERNAL_ITEM_ERROR
from service.dispatch import INTERNAL_ERROR
from service.i18n import catalog_path
from tests.conftest import EXAMPLES
from tests.docx_reading import all_text

ORDERS = "/api/v1/documents/working-group-orders"
PLANS = "/api/v1/documents/joint-plans"
REPORTS = "/api/v1/documents/annual-reports"
MUNICIPALITIES = "/api/v1/municipalities"
BATCHES = "/api/v1/batches"

CLIENT_ERRORS = {400, 404, 409, 413, 415, 422}
JOB_TIMEOUT = 60.0


def _example(name: str) -> dict:
    return json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


ORDER = _example("uch-korgon-order")
PLAN = _example("uch-korgon-plan")
REPORT = _example("uch-korgon-report")
# The batch with its first two items only: item 1 takes the mutations, item 2 is the control
# that must come through untouched. (All six would render six documents per case.)
_BATCH = _example("sverdlovsky-batch")
BATCH = {**_BATCH, "items": _BATCH["items"][:2]}
# As tests/test_registry.py builds it: the order's letterhead as a registry entry.
MUNICIPALITY = {
    "name": ORDER["issuer"]["body"],
    "country": ORDER["issuer"]["country"],
    "region": ORDER["issuer"]["region"],
    "district": ORDER["issuer"]["district"],
    "head": ORDER["issuer"]["head"],
    "act": {"ky": "БУЙРУК", "ru": "РАСПОРЯЖЕНИЕ"},
    "numbering_pattern": "03-12/{seq}-Б",
}
# The order by reference to a registry entry, for municipalities that were accepted.
BY_REFERENCE = {k: v for k, v in ORDER.items() if k not in ("issuer", "number", "act")}

# ---------------------------------------------------------------------------------------------
# Mutations


class _Delete:
    def __repr__(self) -> str:
        return "<delete>"


DELETE = _Delete()
UNKNOWN_KEY = "unexpected_field"
JINJA_EXPR = "ZZ{{ 7*7 }}ZZ"
JINJA_EVALUATED = "ZZ49ZZ"

WRONG_TYPES: dict[str, Any] = {
    "number": 42,
    "string": "x",
    "bool": True,
    "list": ["x"],
    "object": {"x": "x"},
}
EMPTIES: dict[str, Any] = {"empty-string": "", "empty-list": [], "empty-object": {}}
STRINGS: dict[str, Any] = {
    "long-string": "ж" * 100_000,
    "nul-char": "\x00",
    "vertical-tab": "\x0b",
    "U+FFFE": "\ufffe",
    "jinja-expr": JINJA_EXPR,
    "jinja-block": "{% for %}",
}
NUMBERS: dict[str, Any] = {"huge-float": 1e308, "huge-int": 10**30, "negative": -1}
NUMBER_STRINGS: dict[str, Any] = {
    "huge-float-string": "1e308",
    "huge-int-string": str(10**30),
    "negative-string": "-1",
}
DATES: dict[str, Any] = {
    "date-feb-30": "2015-02-30",
    "date-dd.mm.yyyy": "30.06.2015",
    "date-empty": "",
    "date-number": 99999,
}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "list" if isinstance(value, list) else "object"


def walk(value: Any, path: tuple = ()):
    """Every (path, value) of a JSON value, the value itself first, list items included."""
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from walk(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk(item, (*path, index))


def generalised(path: tuple) -> tuple:
    return tuple("*" if isinstance(p, int) else p for p in path)


def one_of_each_kind(document: Any) -> list[tuple]:
    """The first occurrence of each path with list indexes generalised: the deterministic
    sample of a big input (every field of every schema, once)."""
    seen: dict[tuple, tuple] = {}
    for path, _ in walk(document):
        seen.setdefault(generalised(path), path)
    return list(seen.values())


def dotted(path: tuple) -> str:
    return ".".join(str(p) for p in path)


@dataclass(frozen=True)
class Mutation:
    path: tuple  # where the value is replaced (or, for an unknown key, added)
    label: str
    value: Any = field(compare=False)  # DELETE removes the key

    def apply(self, document: Any) -> Any:
        if not self.path:
            return copy.deepcopy(self.value)
        out = copy.deepcopy(document)
        parent = out
        for key in self.path[:-1]:
            parent = parent[key]
        if self.value is DELETE:
            del parent[self.path[-1]]
        else:
            parent[self.path[-1]] = copy.deepcopy(self.value)
        return out


def mutations_at(path: tuple, value: Any) -> list[Mutation]:
    """Every mutation of one path; none that gives back the value or repeats another."""
    candidates: list[tuple[str, Any]] = [("null", None)]
    kind = json_type(value)
    candidates += [(f"wrong-type-{t}", v) for t, v in WRONG_TYPES.items() if t != kind]
    candidates += list(EMPTIES.items())
    if isinstance(value, str):
        for label, text in STRINGS.items():
            # Control characters go inside the original text; the rest replace it.
            inside = len(text) == 1
            candidates.append((label, value[:1] + text + value[1:] if inside else text))
        if _DECIMAL.match(value):
            candidates += list(NUMBERS.items()) + list(NUMBER_STRINGS.items())
        if _ISO_DATE.match(value):
            candidates += list(DATES.items())
    elif kind == "number":
        candidates += list(NUMBERS.items())
    out, seen = [], {json.dumps(value, sort_keys=True)}
    for label, new in candidates:
        key = json.dumps(new, sort_keys=True)
        if key not in seen:
            seen.add(key)
            out.append(Mutation(path, label, new))
    if path and isinstance(path[-1], str):
        out.append(Mutation(path, "delete", DELETE))
    if isinstance(value, dict):
        out.append(Mutation((*path, UNKNOWN_KEY), "unknown-key", "x"))
    return out


# Cases that break the rule today (see the module's report): expected to fail, strictly, so
# that a fix shows up as an XPASS to be removed from here.
def param(name: str, mutation: Mutation, *values: Any):
    """A pytest param with the id «example:path:mutation»."""
    case_id = f"{name}:{dotted(mutation.path) or '<root>'}:{mutation.label}"
    return pytest.param(*values, mutation, id=case_id)


def cases(name: str, document: Any, paths: list[tuple] | None = None) -> list:
    """Params of every mutation of the chosen paths (default: all); the root is always one of
    them (the body as a JSON array, string, number, null, empty object...)."""
    values = dict(walk(document))
    chosen = list(values) if paths is None else paths
    return [param(name, m) for path in chosen for m in mutations_at(path, values[path])]


ORDER_CASES = cases("order", ORDER)
PLAN_CASES = cases("plan", PLAN, one_of_each_kind(PLAN))
# The report's `plan` is the plan example, whose fields PLAN_CASES cover: here the report's own
# fields, the plan as a whole and its direct fields.
# A report takes ~0.3 s to render (its charts): `{% for %}` in its texts is left to the order
# and the plan, which go through the same rendering; `{{ 7*7 }}` stays.
REPORT_CASES = [
    case
    for case in cases(
        "report",
        REPORT,
        [p for p in one_of_each_kind(REPORT) if p[:1] != ("plan",) or len(p) <= 2],
    )
    if not case.id.endswith(":jinja-block")
]
MUNICIPALITY_CASES = cases("municipality", MUNICIPALITY)
# Paths down to the fields of an item and of `shared` (items.0.members.0 and its keys), and
# not below: deeper, an item is the order, whose every path ORDER_CASES covers.
BATCH_CASES = cases("batch", BATCH, [p for p in one_of_each_kind(BATCH) if len(p) <= 4])

# ---------------------------------------------------------------------------------------------
# Fixtures and helpers


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    """One SQLite app for the module (in-process jobs): the cases are many and fast."""
    from service import create_app
    from service.db import upgrade

    url = f"sqlite:///{tmp_path_factory.mktemp('bad') / 'db.sqlite3'}"
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "LOG_LEVEL": "WARNING"})
    yield app.test_client()
    app.extensions["dispatcher"].shutdown()
    app.extensions["db"].dispose()


def post(client, url: str, body: Any, **headers):
    data = json.dumps(body, ensure_ascii=False)
    return client.post(url, data=data, content_type="application/json", headers=headers)


def poll(client, url: str, finished, timeout: float = JOB_TIMEOUT) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.get_json())
        state = response.get_json()
        if finished(state):
            return state
        assert time.monotonic() < deadline, f"{url} stuck: {state}"
        time.sleep(0.005)


def related(error_path: str, mutated: str) -> bool:
    """The error names the mutated field, something inside it, or an object that holds it."""
    if not mutated:  # the body as a whole
        return True
    return (
        error_path == mutated
        or error_path.startswith(mutated + ".")
        or mutated.startswith(error_path + ".")
    )


def check_envelope(response, expected: set[int]) -> dict:
    """A status the rule allows; for an error, the JSON envelope."""
    body = response.get_json(silent=True)
    assert response.status_code < 500, (response.status_code, body)
    assert response.status_code in expected | CLIENT_ERRORS, (response.status_code, body)
    if response.status_code in expected:
        return body
    assert isinstance(body, dict), response.data[:500]
    assert body["code"] == response.status_code
    assert isinstance(body["status"], str) and body["status"]
    assert isinstance(body["message"], str) and body["message"]
    for path, messages in body.get("errors", {}).items():
        assert isinstance(path, str) and path
        assert messages and all(isinstance(m, str) and m for m in messages), (path, messages)
    if response.status_code == 422:
        assert body.get("errors"), body
    return body


def check_names_the_field(body: dict, mutated: str) -> None:
    errors = body["errors"]
    assert any(related(path, mutated) for path in errors), (mutated, errors)


def open_docx(data: bytes):
    """The file opens with python-docx, and every XML part is well-formed (it parsed)."""
    document = Document(io.BytesIO(data))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
    return document


def check_job(client, job: dict, mutation: Mutation | None = None) -> str:
    """Follow a job: done with a .docx that opens, or failed with a message (not internal)."""
    state = poll(client, job["links"]["self"], lambda s: s["status"] in ("done", "failed"))
    if state["status"] == "failed":
        error = state["error"]
        assert error and error.get("message"), state
        assert error["message"] != INTERNAL_ERROR, state
        with client.get(job["links"]["file"]) as download:
            assert download.status_code == 409, download.get_json()
        return "failed"
    with client.get(job["links"]["file"]) as download:
        assert download.status_code == 200, download.get_json(silent=True)
        data = download.data
    assert len(data) == state["size"]
    document = open_docx(data)
    # `{% for %}` would not compile if it were a template: such a job fails, internally (above).
    if mutation is not None and mutation.value == JINJA_EXPR:
        assert JINJA_EVALUATED not in all_text(document), "user text was evaluated as Jinja"
    return "done"


def check_document(client, url: str, mutation: Mutation, document: dict) -> None:
    response = post(client, url, mutation.apply(document))
    body = check_envelope(response, {202})
    if response.status_code == 202:
        check_job(client, body, mutation)
    elif response.status_code == 422:
        check_names_the_field(body, dotted(mutation.path))


# ---------------------------------------------------------------------------------------------
# Documents


@pytest.mark.parametrize("mutation", ORDER_CASES)
def test_order(client, mutation):
    check_document(client, ORDERS, mutation, ORDER)


@pytest.mark.parametrize("mutation", PLAN_CASES)
def test_plan(client, mutation):
    check_document(client, PLANS, mutation, PLAN)


@pytest.mark.parametrize("mutation", REPORT_CASES)
def test_report(client, mutation):
    check_document(client, REPORTS, mutation, REPORT)


@pytest.mark.parametrize(
    "url",
    [ORDERS, PLANS, REPORTS, MUNICIPALITIES, BATCHES],
    ids=["order", "plan", "report", "municipality", "batch"],
)
@pytest.mark.parametrize("kind", ["malformed", "empty-body", "too-large"])
def test_body_that_is_not_json_or_too_large(client, url, kind):
    if kind == "malformed":
        body, status = b'{"language": "ru",', 400
    elif kind == "empty-body":
        body, status = b"", 400
    else:
        config = client.application.config
        limit = config["MAX_BATCH_CONTENT_LENGTH" if url == BATCHES else "MAX_CONTENT_LENGTH"]
        body, status = b'{"x": "' + b"x" * limit + b'"}', 413
    response = client.post(url, data=body, content_type="application/json")
    check_envelope(response, set())
    assert response.status_code == status


# ---------------------------------------------------------------------------------------------
# The registry: an accepted municipality must also make documents


@pytest.mark.parametrize("mutation", MUNICIPALITY_CASES)
def test_municipality(client, mutation):
    response = post(client, MUNICIPALITIES, mutation.apply(MUNICIPALITY))
    body = check_envelope(response, {201})
    if response.status_code == 422:
        check_names_the_field(body, dotted(mutation.path))
    if response.status_code != 201:
        return
    assert client.get(f"{MUNICIPALITIES}/{body['id']}").status_code == 200
    order = post(client, ORDERS, {**BY_REFERENCE, "municipality_id": body["id"]})
    job = check_envelope(order, {202})
    if order.status_code == 202:
        check_job(client, job, mutation)
    elif order.status_code == 422:
        # The registry's data is the order's letterhead: `name` is `issuer.body`, `act` is
        # `act`, the rest is under `issuer` (e.g. head.position.ky without Kyrgyz text).
        head, *rest = mutation.path
        where = {"name": ("issuer", "body"), "act": ("act",)}.get(head, ("issuer", head))
        check_names_the_field(job, dotted((*where, *rest)))


# ---------------------------------------------------------------------------------------------
# Batches: per item, the same rule; no item lost


def _item_target(mutation: Mutation) -> tuple[set[int] | None, str]:
    """The items (0-based; None: any) the mutation may make invalid, and its path in their
    input ("": the whole input)."""
    path = mutation.path
    if path[:1] == ("items",) and len(path) >= 2:
        return {path[1]}, dotted(path[2:])
    if path[:1] in (("shared",), ("items",)):
        return None, dotted(path[1:])
    return set(), ""  # the batch's own fields: no item may suffer


@pytest.mark.parametrize("mutation", BATCH_CASES)
def test_batch(client, mutation):
    submitted = mutation.apply(BATCH)
    response = post(client, BATCHES, submitted)
    body = check_envelope(response, {202})
    if response.status_code == 422:
        check_names_the_field(body, dotted(mutation.path))
    if response.status_code != 202:
        return
    total = len(submitted["items"])
    assert body["total"] == total
    batch = poll(client, body["links"]["self"], lambda b: b["finished"])
    assert [i["row"] for i in batch["items"]] == list(range(1, total + 1))
    assert sum(batch["counts"].values()) == total
    touched, inner = _item_target(mutation)
    for index, item in enumerate(batch["items"]):
        errors = item["errors"] or {}
        assert INTERNAL_ITEM_ERROR not in sum(errors.values(), []), item
        if item["status"] == "invalid":
            assert errors, item
            if touched is not None:
                assert index in touched, f"an untouched item was refused: {item}"
            if inner:
                assert any(related(path, inner) for path in errors), (inner, errors)
            continue
        assert item["status"] in ("done", "failed"), item
        job = client.get(f"/api/v1/documents/{item['document_id']}").get_json()
        assert check_job(client, job, mutation) in ("done", "failed")


# With all_or_nothing, a bad item refuses the whole batch: 422, its errors under
# `items.<index>.<path>`, a JSON path like any other (an upload's are `rows.<sheet row>`).
ALL_OR_NOTHING = [
    param("batch-all-or-nothing", m)
    for m in (
        Mutation(("items", 1, "members", 3, "gender"), "null", None),
        Mutation(("items", 0, "date"), "date-dd.mm.yyyy", "30.06.2015"),
        Mutation(("items", 0, "control", UNKNOWN_KEY), "unknown-key", "x"),
        Mutation(("items", 1, "number"), "delete", DELETE),
        Mutation(("items", 0, "place", "ru"), "nul-char", "г.\x00 Бишкек"),
    )
]


@pytest.mark.parametrize("mutation", ALL_OR_NOTHING)
def test_batch_all_or_nothing(client, mutation):
    response = post(client, BATCHES, mutation.apply({**BATCH, "all_or_nothing": True}))
    body = check_envelope(response, set())
    assert response.status_code == 422
    index, inner = mutation.path[1], dotted(mutation.path[2:])
    prefix = f"items.{index}."
    assert body["errors"] and all(p.startswith(prefix) for p in body["errors"]), body
    assert any(related(p.removeprefix(prefix), inner) for p in body["errors"]), body


# ---------------------------------------------------------------------------------------------
# References to stored records: municipality_id (orders) and plan_id (reports)


@pytest.fixture(scope="module")
def stored(client) -> dict[str, str]:
    """A municipality, an order and a plan, for inputs that refer to them."""
    municipality = post(client, MUNICIPALITIES, MUNICIPALITY)
    order, plan = post(client, ORDERS, ORDER), post(client, PLANS, PLAN)
    assert (municipality.status_code, order.status_code, plan.status_code) == (201, 202, 202)
    ids = {
        "municipality": municipality.get_json()["id"],
        "order": order.get_json()["id"],
        "plan": plan.get_json()["id"],
    }
    assert check_job(client, plan.get_json()) == "done"
    return ids


REPORT_BY_ID = {k: v for k, v in REPORT.items() if k != "plan"}
REFERENCES = {
    "municipality_id": (ORDERS, BY_REFERENCE, "municipality", "plan"),
    "plan_id": (REPORTS, REPORT_BY_ID, "plan", "order"),
}
REFERENCE_VALUES: dict[str, Any] = {
    "null": None,
    **{f"wrong-type-{t}": v for t, v in WRONG_TYPES.items() if t != "string"},
    "empty-string": "",
    "long-string": STRINGS["long-string"],
    "nul-char": "a\x00b",
    "unknown-id": "0" * 32,
    "id-of-another-kind": "<other>",  # a plan's id as a municipality, an order's as a plan
    "valid": "<self>",
}
REFERENCE_CASES = [
    param("reference", Mutation((key,), label, value))
    for key in REFERENCES
    for label, value in REFERENCE_VALUES.items()
]


@pytest.mark.parametrize("mutation", REFERENCE_CASES)
def test_reference(client, stored, mutation):
    (key,) = mutation.path
    url, document, own, other = REFERENCES[key]
    value = mutation.value
    if value in ("<self>", "<other>"):
        value = stored[own if value == "<self>" else other]
    response = post(client, url, {**document, key: value})
    body = check_envelope(response, {202})
    if response.status_code == 202:
        assert mutation.label == "valid", body
        assert check_job(client, body) == "done"
    else:
        assert response.status_code == 422
        check_names_the_field(body, key)


def test_plan_id_and_plan_together(client, stored):
    response = post(client, REPORTS, {**REPORT, "plan_id": stored["plan"]})
    body = check_envelope(response, set())
    assert response.status_code == 422 and list(body["errors"]) == ["plan_id"]


# ---------------------------------------------------------------------------------------------
# Messages in Russian and Kyrgyz, from the catalogs


@cache
def _catalog(lang: str) -> dict[str, str]:
    with catalog_path(lang, "errors").open("rb") as fp:
        return {m.id: m.string for m in read_po(fp, locale=lang) if m.id and m.string}


def expected_translation(message: str, lang: str) -> str:
    """The catalog's translation of an English message, its {placeholders} filled in."""
    catalog = _catalog(lang)
    if message in catalog:
        return catalog[message]
    for msgid, msgstr in catalog.items():
        parts = re.split(r"\{(\w+)\}", msgid)
        if len(parts) == 1:
            continue
        regex = "".join(
            re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts)
        )
        match = re.fullmatch(regex, message)
        if match:
            return msgstr.format(**match.groupdict())
    raise AssertionError(f"no {lang} translation of {message!r} in the catalog")


TRANSLATED = [
    pytest.param(ORDERS, ORDER, Mutation(("date",), "null", None), id="order:date:null"),
    pytest.param(ORDERS, ORDER, Mutation(("draft_plan", "deadline"), "date", "30.06.2015"),
                 id="order:draft_plan.deadline:date-dd.mm.yyyy"),
    pytest.param(ORDERS, ORDER, Mutation(("members", 3, "gender"), "delete", DELETE),
                 id="order:members.3.gender:delete"),
    pytest.param(ORDERS, ORDER, Mutation(("subject", "ru"), "nul-char", "О\x00 создании"),
                 id="order:subject.ru:nul-char"),
    pytest.param(ORDERS, ORDER, Mutation(("colour",), "unknown-key", "red"),
                 id="order:colour:unknown-key"),
    pytest.param(ORDERS, ORDER, Mutation(("members",), "empty-list", []),
                 id="order:members:empty-list"),
    pytest.param(PLANS, PLAN, Mutation(("problems", 0, "activities", 0, "deadline"),
                                       "wrong", "soon"),
                 id="plan:problems.0.activities.0.deadline:string"),
    pytest.param(MUNICIPALITIES, MUNICIPALITY, Mutation(("head", "name"), "long", "ж" * 3000),
                 id="municipality:head.name:long-string"),
    pytest.param(MUNICIPALITIES, MUNICIPALITY, Mutation(("numbering_pattern",), "bad", "{n}"),
                 id="municipality:numbering_pattern:string"),
    pytest.param(BATCHES, {**BATCH, "all_or_nothing": True},
                 Mutation(("shared", "date"), "date", "30.06.2015"),
                 id="batch-all-or-nothing:shared.date:date-dd.mm.yyyy"),
]  # fmt: skip


@pytest.mark.parametrize("lang", ["ru", "ky"])
@pytest.mark.parametrize(("url", "document", "mutation"), TRANSLATED)
def test_messages_are_translated(client, lang, url, document, mutation):
    data = mutation.apply(document)
    english = post(client, url, data)
    assert english.status_code == 422
    english = english.get_json()
    response = post(client, url, data, **{"Accept-Language": lang})
    assert response.status_code == 422
    assert response.headers["Content-Language"] == lang
    body = response.get_json()
    assert body["message"] == expected_translation(english["message"], lang)
    assert body["message"] != english["message"]
    assert body["errors"].keys() == english["errors"].keys()
    for path, messages in english["errors"].items():
        expected = [expected_translation(m, lang) for m in messages]
        assert body["errors"][path] == expected
        assert all(t != m for t, m in zip(expected, messages, strict=True)), expected
