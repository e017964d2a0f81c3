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

Every case is checked at schema level (`test_schema`, fast): the kind's marshmallow schema
refuses it with errors that name the field, or takes it and, for a document, the document's
context builds (all of rendering but the template); for a batch, its schema, then each item
merged over `shared`. Any other exception would be a 500 or a job failed internally.
Over HTTP (`test_order`, `test_plan`, ... `test_batch`), one case per field class: the first
case of each mutation class at each kind of field (text, bilingual, date, decimal, list,
object, an optional date for null and delete, each endpoint's body...); accepted, it is
rendered and the .docx opened. The others over HTTP are the sweep, marked `sweep` and
deselected by default: `make test-sweep` sends every case through HTTP and rendering.

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
from marshmallow import Schema, ValidationError, fields

from service import extensions
from service.batches.creation import INTERNAL_ITEM_ERROR, merge
from service.errors import flatten_errors
from service.i18n import catalog_path
from service.kinds import KINDS
from service.language.typography import polish_context
from service.schemas.batch import BatchInSchema
from service.schemas.common import BilingualSchema
from service.schemas.municipality import MunicipalitySchema
from service.tasks.runner import INTERNAL_ERROR
from tests.conftest import EXAMPLES, authorized
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
DOCUMENTS = {
    "order": ORDER,
    "plan": PLAN,
    "report": REPORT,
    "municipality": MUNICIPALITY,
    "batch": BATCH,
}
# The document kind of each example that is a document (a batch's items: orders)...
KIND_OF = {"order": "working-group-order", "plan": "joint-plan", "report": "annual-report"}
assert BATCH["kind"] == KIND_OF["order"]
# ...and the schema each example is loaded by.
SCHEMAS: dict[str, Schema] = {
    **{example: KINDS[kind].schema() for example, kind in KIND_OF.items()},
    "municipality": MunicipalitySchema(),
    "batch": BatchInSchema(),
}

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
    example: str  # the input mutated: a key of DOCUMENTS (or where a test says)
    path: tuple  # where the value is replaced (or, for an unknown key, added)
    label: str  # the mutation class: null, wrong-type-list, nul-char, huge-float, delete...
    value: Any = field(compare=False)  # DELETE removes the key

    @property
    def id(self) -> str:
        """«example:path:mutation», the pytest id."""
        return f"{self.example}:{dotted(self.path) or '<root>'}:{self.label}"

    def apply(self, document: Any) -> Any:
        """The mutated document: a copy along the path, the rest shared with `document`
        (nothing here modifies an input)."""
        return _replaced(document, self.path, self.value)


def _replaced(node: Any, path: tuple, value: Any) -> Any:
    if not path:
        return copy.deepcopy(value)
    out = copy.copy(node)
    key, rest = path[0], path[1:]
    if rest:
        out[key] = _replaced(node[key], rest, value)
    elif value is DELETE:
        del out[key]
    else:
        out[key] = copy.deepcopy(value)
    return out


def mutations_at(example: str, path: tuple, value: Any) -> list[Mutation]:
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
            out.append(Mutation(example, path, label, new))
    if path and isinstance(path[-1], str):
        out.append(Mutation(example, path, "delete", DELETE))
    if isinstance(value, dict):
        out.append(Mutation(example, (*path, UNKNOWN_KEY), "unknown-key", "x"))
    return out


def cases(example: str, paths: list[tuple] | None = None) -> list[Mutation]:
    """Every mutation of the chosen paths of an example (default: all); the root is always one
    of them (the body as a JSON array, string, number, null, empty object...)."""
    values = dict(walk(DOCUMENTS[example]))
    chosen = list(values) if paths is None else paths
    return [m for path in chosen for m in mutations_at(example, path, values[path])]


CASES = [
    *cases("order"),
    *cases("plan", one_of_each_kind(PLAN)),
    # The report's `plan` is the plan example, whose fields the plan's cases cover: here the
    # report's own fields, the plan as a whole and its direct fields. A report takes ~0.3 s to
    # render (its charts): `{% for %}` in its texts is left to the order and the plan, which go
    # through the same rendering; `{{ 7*7 }}` stays.
    *(
        m
        for m in cases(
            "report", [p for p in one_of_each_kind(REPORT) if p[:1] != ("plan",) or len(p) <= 2]
        )
        if m.label != "jinja-block"
    ),
    *cases("municipality"),
    # Paths down to the fields of an item and of `shared` (items.0.members.0 and its keys), and
    # not below: deeper, an item is the order, whose every path the order's cases cover.
    *cases("batch", [p for p in one_of_each_kind(BATCH) if len(p) <= 4]),
]

# ---------------------------------------------------------------------------------------------
# Field classes: the kind of field a path is, from its schema


def schema_field(schema: Schema, path: tuple) -> Schema | fields.Field:
    """The schema or field that takes the value at `path`."""
    node: Any = schema
    for key in path:
        if isinstance(node, fields.Nested):
            node = node.schema
        node = node.inner if isinstance(node, fields.List) else node.load_fields[key]
    return node


def field_kind(schema: Schema, path: tuple) -> str:
    """«date», «optional bilingual», «list», «object», «text»...: the field's class, and
    whether its key may be left out."""
    node = schema_field(schema, path)
    if isinstance(node, fields.Nested):
        kind = "bilingual" if isinstance(node.schema, BilingualSchema) else "object"
    else:
        kind = type(node).__name__.lower().removesuffix("field")  # DeadlineField: deadline
    optional = path and isinstance(path[-1], str) and not node.required
    return f"optional {kind}" if optional else kind


def in_an_order(mutation: Mutation, path: tuple) -> tuple | None:
    """For a path into a batch's item or its `shared`, the path inside the order; else None."""
    if mutation.example != "batch":
        return None
    if path[:1] == ("shared",):
        return path[1:]
    return path[2:] if path[:1] == ("items",) and len(path) >= 2 else None


def field_class(mutation: Mutation) -> tuple[str, str]:
    """(kind of field, mutation class). The kinds are the same in every example (in a batch,
    an item's fields and the shared ones are an order's); the body is a kind per endpoint, and
    so are a batch's item and its `shared` as a whole. For an unknown key: the object given it.
    Whether a field is optional matters to null and delete only."""
    path = mutation.path[:-1] if mutation.label == "unknown-key" else mutation.path
    inner = in_an_order(mutation, path)
    if not path:
        kind = f"{mutation.example} body"
    elif inner is None:
        kind = field_kind(SCHEMAS[mutation.example], path)
    elif inner:
        kind = field_kind(SCHEMAS["order"], inner)
    else:
        kind = "batch item" if path[0] == "items" else "batch shared"
    if mutation.label not in ("null", "delete"):
        kind = kind.removeprefix("optional ")
    return kind, mutation.label


def first_of_each_class(cases: list[Mutation]) -> set[Mutation]:
    """The first case of each field class."""
    first: dict[tuple[str, str], Mutation] = {}
    for case in cases:
        first.setdefault(field_class(case), case)
    return set(first.values())


# Over HTTP by default; the order's cases, cheap to render, come first.
HTTP_CASES = first_of_each_class(CASES)


def http_cases(example: str) -> list:
    """The example's cases; those not in HTTP_CASES marked `sweep` (deselected by default)."""
    return [
        pytest.param(m, id=m.id, marks=() if m in HTTP_CASES else pytest.mark.sweep)
        for m in CASES
        if m.example == example
    ]


# ---------------------------------------------------------------------------------------------
# The rule, at schema level: every case


def related(error_path: str, mutated: str) -> bool:
    """The error names the mutated field, something inside it, or an object that holds it."""
    if not mutated:  # the body as a whole
        return True
    return (
        error_path == mutated
        or error_path.startswith(mutated + ".")
        or mutated.startswith(error_path + ".")
    )


def check_names_the_field(errors: dict[str, list[str]], mutated: str) -> None:
    assert any(related(path, mutated) for path in errors), (mutated, errors)


def item_target(mutation: Mutation) -> tuple[set[int] | None, str]:
    """The items (0-based; None: any) a batch mutation may make invalid, and its path in their
    input ("": the whole input)."""
    path = mutation.path
    if path[:1] == ("items",) and len(path) >= 2:
        return {path[1]}, dotted(path[2:])
    if path[:1] in (("shared",), ("items",)):
        return None, dotted(path[1:])
    return set(), ""  # the batch's own fields: no item may suffer


def check_refused_items(mutation: Mutation, refused: dict[int, dict[str, list[str]]]) -> None:
    """Only the items the mutation touched are refused, with errors that name the field."""
    touched, inner = item_target(mutation)
    for index, errors in refused.items():
        assert errors
        if touched is not None:
            assert index in touched, f"an untouched item was refused: {index} {errors}"
        if inner:
            check_names_the_field(errors, inner)


# At schema level the plan is cut to what the cases touch: its first problem, with the first
# indicator and the first two activities (the report's cases reach the second); the report
# on it reports those. The rest, alike, would only triple the time of the loads.
_PROBLEM = PLAN["problems"][0]
SMALL_PLAN = {
    **PLAN,
    "problems": [
        {
            **_PROBLEM,
            "indicators": _PROBLEM["indicators"][:1],
            "activities": _PROBLEM["activities"][:2],
        }
    ],
}
LOADED = {
    **DOCUMENTS,
    "plan": SMALL_PLAN,
    "report": {
        **REPORT,
        "plan": SMALL_PLAN,
        "activities": [a for a in REPORT["activities"] if a["number"] in ("1.1", "1.2")],
        "indicators": [i for i in REPORT["indicators"] if i["ref"] == "1.1"],
    },
}


def check_schema(mutation: Mutation) -> None:
    """The example's schema takes the case and, for a document, its context builds (all of
    rendering but the template: numbers, dates, shares, forms of words); or the schema
    refuses it, with errors that name the field. Any other exception propagates: over HTTP, a
    500 or a job failed by an internal error."""
    try:
        loaded = SCHEMAS[mutation.example].load(mutation.apply(LOADED[mutation.example]))
    except ValidationError as err:
        check_names_the_field(flatten_errors(err.messages), dotted(mutation.path))
        return
    if mutation.example in KIND_OF:
        document_context(KIND_OF[mutation.example], loaded)
    elif mutation.example == "batch":
        check_items(mutation, loaded)


def document_context(kind: str, model: Any) -> dict:
    return polish_context(KINDS[kind].build_context(model))


def check_items(mutation: Mutation, batch: dict) -> None:
    """As POST /batches goes on: an unknown kind refuses the batch (naming it); each item,
    merged over `shared`, is an order; only the items the mutation touched may be refused."""
    if batch["kind"] != BATCH["kind"]:
        assert mutation.path == ("kind",), batch["kind"]
        return
    refused = {}
    for index, item in enumerate(batch["items"]):
        try:
            order = SCHEMAS["order"].load(merge(batch["shared"], item))
        except ValidationError as err:
            refused[index] = flatten_errors(err.messages)
        else:
            document_context(BATCH["kind"], order)
    check_refused_items(mutation, refused)


@pytest.mark.parametrize("example", DOCUMENTS)
def test_schema(example):
    """Every case of the example; a failure lists the cases that broke the rule (a loop, not a
    test per case: pytest's own cost per test would be most of the time)."""
    failures = []
    for mutation in CASES:
        if mutation.example == example:
            try:
                check_schema(mutation)
            except Exception as err:  # a broken rule, or what would be a 500
                failures.append(f"{mutation.id}: {type(err).__name__}: {str(err)[:300]}")
    assert not failures, f"{len(failures)} cases:\n" + "\n".join(failures)


# ---------------------------------------------------------------------------------------------
# The rule, over HTTP: one case per field class (the others: the sweep)


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    """One SQLite app for the module (in-process jobs): the cases are many and fast."""
    from service import create_app
    from service.db import upgrade

    url = f"sqlite:///{tmp_path_factory.mktemp('bad') / 'db.sqlite3'}"
    upgrade(url)
    app = authorized(create_app({"DATABASE_URL": url, "LOG_LEVEL": "WARNING"}))
    yield app.test_client()
    extensions.dispatcher(app).shutdown()
    extensions.db(app).dispose()


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


def check_document(client, url: str, mutation: Mutation) -> None:
    response = post(client, url, mutation.apply(DOCUMENTS[mutation.example]))
    body = check_envelope(response, {202})
    if response.status_code == 202:
        check_job(client, body, mutation)
    elif response.status_code == 422:
        check_names_the_field(body["errors"], dotted(mutation.path))


@pytest.mark.parametrize("mutation", http_cases("order"))
def test_order(client, mutation):
    check_document(client, ORDERS, mutation)


@pytest.mark.parametrize("mutation", http_cases("plan"))
def test_plan(client, mutation):
    check_document(client, PLANS, mutation)


@pytest.mark.parametrize("mutation", http_cases("report"))
def test_report(client, mutation):
    check_document(client, REPORTS, mutation)


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


@pytest.mark.parametrize("mutation", http_cases("municipality"))
def test_municipality(client, mutation):
    """An accepted municipality must also make documents."""
    response = post(client, MUNICIPALITIES, mutation.apply(MUNICIPALITY))
    body = check_envelope(response, {201})
    if response.status_code == 422:
        check_names_the_field(body["errors"], dotted(mutation.path))
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
        check_names_the_field(job["errors"], dotted((*where, *rest)))


@pytest.mark.parametrize("mutation", http_cases("batch"))
def test_batch(client, mutation):
    """Per item, the same rule; no item lost."""
    submitted = mutation.apply(BATCH)
    response = post(client, BATCHES, submitted)
    body = check_envelope(response, {202})
    if response.status_code == 422:
        check_names_the_field(body["errors"], dotted(mutation.path))
    if response.status_code != 202:
        return
    total = len(submitted["items"])
    assert body["total"] == total
    batch = poll(client, body["links"]["self"], lambda b: b["finished"])
    assert [i["row"] for i in batch["items"]] == list(range(1, total + 1))
    assert sum(batch["counts"].values()) == total
    refused = {}
    for index, item in enumerate(batch["items"]):
        errors = item["errors"] or {}
        assert INTERNAL_ITEM_ERROR not in sum(errors.values(), []), item
        if item["status"] == "invalid":
            refused[index] = errors
            continue
        assert item["status"] in ("done", "failed"), item
        job = client.get(f"/api/v1/documents/{item['document_id']}").get_json()
        assert check_job(client, job, mutation) in ("done", "failed")
    check_refused_items(mutation, refused)


# With all_or_nothing, a bad item refuses the whole batch: 422, its errors under
# `items.<index>.<path>`, a JSON path like any other (an upload's are `rows.<sheet row>`).
ALL_OR_NOTHING = [
    Mutation("batch-all-or-nothing", ("items", 1, "members", 3, "gender"), "null", None),
    Mutation("batch-all-or-nothing", ("items", 0, "date"), "date-dd.mm.yyyy", "30.06.2015"),
    Mutation("batch-all-or-nothing", ("items", 0, "control", UNKNOWN_KEY), "unknown-key", "x"),
    Mutation("batch-all-or-nothing", ("items", 1, "number"), "delete", DELETE),
    Mutation("batch-all-or-nothing", ("items", 0, "place", "ru"), "nul-char", "г.\x00 Бишкек"),
]


@pytest.mark.parametrize("mutation", [pytest.param(m, id=m.id) for m in ALL_OR_NOTHING])
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
    Mutation("reference", (key,), label, value)
    for key in REFERENCES
    for label, value in REFERENCE_VALUES.items()
]


@pytest.mark.parametrize("mutation", [pytest.param(m, id=m.id) for m in REFERENCE_CASES])
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
        check_names_the_field(body["errors"], key)


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
    pytest.param(ORDERS, ORDER, Mutation("order", ("date",), "null", None), id="order:date:null"),
    pytest.param(ORDERS, ORDER, Mutation("order", ("draft_plan", "deadline"), "date", "30.06.2015"),
                 id="order:draft_plan.deadline:date-dd.mm.yyyy"),
    pytest.param(ORDERS, ORDER, Mutation("order", ("members", 3, "gender"), "delete", DELETE),
                 id="order:members.3.gender:delete"),
    pytest.param(ORDERS, ORDER, Mutation("order", ("subject", "ru"), "nul-char", "О\x00 создании"),
                 id="order:subject.ru:nul-char"),
    pytest.param(ORDERS, ORDER, Mutation("order", ("colour",), "unknown-key", "red"),
                 id="order:colour:unknown-key"),
    pytest.param(ORDERS, ORDER, Mutation("order", ("members",), "empty-list", []),
                 id="order:members:empty-list"),
    pytest.param(PLANS, PLAN, Mutation("plan", ("problems", 0, "activities", 0, "deadline"),
                                       "wrong", "soon"),
                 id="plan:problems.0.activities.0.deadline:string"),
    pytest.param(MUNICIPALITIES, MUNICIPALITY,
                 Mutation("municipality", ("head", "name"), "long", "ж" * 3000),
                 id="municipality:head.name:long-string"),
    pytest.param(MUNICIPALITIES, MUNICIPALITY,
                 Mutation("municipality", ("numbering_pattern",), "bad", "{n}"),
                 id="municipality:numbering_pattern:string"),
    pytest.param(BATCHES, {**BATCH, "all_or_nothing": True},
                 Mutation("batch-all-or-nothing", ("shared", "date"), "date", "30.06.2015"),
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
