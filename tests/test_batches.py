"""Batches: per-item validation and status, parallel items, cancel, archive, uploads."""

from __future__ import annotations

import csv
import io
import json
import math
import time
import zipfile
from contextlib import contextmanager

import openpyxl
import pytest
from sqlalchemy import event, select

from service import extensions, submission
from service.batches import archive as batch_archive
from service.batches import creation, tables, templates
from service.batches.creation import merge
from service.batches.tables import items_from_table, read_table
from service.generation import safe_name
from service.models import Artifact, BatchItem
from service.storage import READ_GROUP, MemoryStorage
from tests.conftest import EXAMPLES, upload_batch
from tests.conftest import LOCAL as DEFAULT_SCOPE
from tests.docx_reading import all_text, open_docx

BATCHES = "/api/v1/batches"


@pytest.fixture
def sverdlovsky() -> dict:
    return json.loads((EXAMPLES / "sverdlovsky-batch.json").read_text(encoding="utf-8"))


def wait_finished(client, url: str, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        batch = client.get(url).get_json()
        if batch["finished"]:
            return batch
        time.sleep(0.1)
    raise AssertionError(f"batch not finished: {batch['counts']}")


def test_example_batch_runs_and_archives(client, sverdlovsky):
    response = client.post(BATCHES, json=sverdlovsky)
    assert response.status_code == 202, response.get_json()
    batch = wait_finished(client, response.get_json()["links"]["self"])
    total = len(sverdlovsky["items"])
    assert batch["total"] == total and batch["counts"]["done"] == total
    assert [i["row"] for i in batch["items"]] == list(range(1, total + 1))
    with client.get(batch["links"]["archive"]) as download:
        assert download.status_code == 200 and download.mimetype == "application/zip"
        archive = zipfile.ZipFile(io.BytesIO(download.data))
    names = archive.namelist()
    assert {"manifest.csv", "manifest.xlsx"} <= set(names) and len(names) == total + 2
    manifest = read_manifest(archive)
    assert [m["status"] for m in manifest] == ["done"] * total
    first = manifest[0]
    assert first["number"] == sverdlovsky["items"][0]["number"]
    assert first["municipality"] == sverdlovsky["items"][0]["issuer"]["body"]["ru"]
    document = open_docx(archive.read(first["file"]))
    # Its own letterhead (printed with a no-break space after «№»).
    assert first["municipality"].replace("№ ", "№\u00a0") in all_text(document)
    assert f"№\u00a0{first['number']}" in all_text(document)


def test_bad_items_reported_by_row_good_items_still_run(client, sverdlovsky):
    sverdlovsky["items"][1]["date"] = "31.02.2018"
    sverdlovsky["items"][3]["control"] = {"name": "Асанова Б."}
    response = client.post(BATCHES, json=sverdlovsky, headers={"Accept-Language": "ru"})
    assert response.status_code == 202
    batch = wait_finished(client, response.get_json()["links"]["self"])
    items = {i["row"]: i for i in batch["items"]}
    assert items[2]["status"] == "invalid" and items[2]["errors"] == {"date": ["Not a valid date."]}
    assert set(items[4]["errors"]) == {"control.gender", "control.position"}
    assert batch["counts"]["invalid"] == 2
    assert batch["counts"]["done"] == len(sverdlovsky["items"]) - 2
    with client.get(batch["links"]["archive"]) as download:
        archive = zipfile.ZipFile(io.BytesIO(download.data))
    manifest = read_manifest(archive)
    assert manifest[1]["status"] == "invalid" and "date: Not a valid date." in manifest[1]["error"]
    assert manifest[1]["file"] == ""


def test_item_errors_in_the_language_asked_for(client, sverdlovsky):
    sverdlovsky["items"][1]["date"] = "31.02.2018"
    url = client.post(BATCHES, json=sverdlovsky).get_json()["links"]["self"]
    wait_finished(client, url)
    for lang, expected in [
        ("ru", "Неверная дата; ожидается ГГГГ-ММ-ДД."),
        ("ky", "Туура эмес дата; ЖЖЖЖ-АА-КК күтүлөт."),
    ]:
        batch = client.get(url, headers={"Accept-Language": lang}).get_json()
        assert batch["items"][1]["errors"] == {"date": [expected]}
        with client.get(batch["links"]["archive"], headers={"Accept-Language": lang}) as download:
            archive = zipfile.ZipFile(io.BytesIO(download.data))
        manifest = archive.read("manifest.csv").decode("utf-8-sig")
        assert f"date: {expected}" in manifest


def test_all_or_nothing_refuses_the_whole_batch(client, sverdlovsky):
    sverdlovsky["all_or_nothing"] = True
    sverdlovsky["items"][2]["number"] = ""
    response = client.post(BATCHES, json=sverdlovsky)
    assert response.status_code == 422
    # A JSON path: items[2] is the third item.
    assert response.get_json()["errors"] == {"items.2.number": ["May not be blank."]}
    response = client.post(BATCHES, json=sverdlovsky, headers={"Accept-Language": "ru"})
    assert response.get_json()["message"] == "Пакет отклонён: в некоторых позициях есть ошибки."
    assert response.get_json()["errors"] == {"items.2.number": ["Не может быть пустым."]}


def test_cancel_stops_items_not_started(app, client, sverdlovsky):
    # Record the batch without handing its items to any worker: none can start before the
    # cancel, whatever the speed of the machine.
    db = extensions.db(app)
    batch_id = creation.create(
        db, DEFAULT_SCOPE, sverdlovsky["kind"], sverdlovsky["shared"], sverdlovsky["items"],
        enqueue=lambda _id: None, record=submission.record_document,
    )  # fmt: skip
    total = len(sverdlovsky["items"])
    early = client.get(f"{BATCHES}/{batch_id}/archive", headers={"Accept-Language": "ru"})
    assert early.status_code == 409
    assert early.get_json()["message"] == (
        f"Пакет ещё не завершён: {total} из {total} позиций ждут в очереди или выполняются."
    )
    cancelled = client.post(f"{BATCHES}/{batch_id}/cancel").get_json()
    assert cancelled["cancelled_at"] is not None and cancelled["finished"]
    assert cancelled["counts"]["cancelled"] == total and cancelled["counts"]["done"] == 0
    # A cancelled job is never claimed, even if its message arrives later.
    extensions.runner(app).run_job(cancelled["items"][0]["document_id"])
    assert client.get(f"{BATCHES}/{batch_id}").get_json()["counts"]["cancelled"] == total
    with client.get(cancelled["links"]["archive"]) as download:
        archive = zipfile.ZipFile(io.BytesIO(download.data))
    assert archive.namelist() == ["manifest.csv", "manifest.xlsx"]


def test_the_example_csv_uploads_as_it_is(client, sverdlovsky):
    # The shared fields are columns of every row: the file needs no `shared` beside it.
    content = (EXAMPLES / "sverdlovsky-batch.csv").read_bytes()
    items, rows = items_from_table(content, "sverdlovsky-batch.csv", "working-group-order")
    shared = sverdlovsky["shared"]
    assert [merge(shared, i) for i in items] == [merge(shared, i) for i in sverdlovsky["items"]]
    assert rows == list(range(2, len(items) + 2))  # the header is row 1
    response = client.post(
        BATCHES,
        data={
            "kind": "working-group-order",
            "file": (io.BytesIO(content), "sverdlovsky-batch.csv"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 202, response.get_json()
    batch = wait_finished(client, response.get_json()["links"]["self"])
    assert batch["counts"]["done"] == len(sverdlovsky["items"]) == 6, batch["items"]


def test_the_example_workbook_uploads_as_it_is(client, sverdlovsky):
    content = (EXAMPLES / "sverdlovsky-batch.xlsx").read_bytes()
    table = read_table(content, "sverdlovsky-batch.xlsx", kind="working-group-order")
    assert table.shared == sverdlovsky["shared"] and table.items == sverdlovsky["items"]
    response = client.post(
        BATCHES,
        data={
            "kind": "working-group-order",
            "file": (io.BytesIO(content), "sverdlovsky-batch.xlsx"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 202, response.get_json()
    batch = wait_finished(client, response.get_json()["links"]["self"])
    assert batch["counts"]["done"] == 6, batch["items"]


def test_the_example_workbook_is_the_json_example():
    # examples/sverdlovsky-batch.xlsx is `batch_xlsx` of the JSON, in Russian: made again, it
    # reads the same.
    batch = json.loads((EXAMPLES / "sverdlovsky-batch.json").read_text(encoding="utf-8"))
    made = templates.batch_xlsx("working-group-order", batch, "ru")
    committed = (EXAMPLES / "sverdlovsky-batch.xlsx").read_bytes()
    assert read_table(made, "a.xlsx", kind="working-group-order") == read_table(
        committed, "b.xlsx", kind="working-group-order"
    )
    assert (EXAMPLES / "sverdlovsky-batch.csv").read_bytes() == templates.batch_csv(
        "working-group-order", batch
    )


def test_xlsx_upload_and_templates(client, sverdlovsky):
    with client.get(f"{BATCHES}/templates/working-group-order.xlsx") as template:
        book = openpyxl.load_workbook(io.BytesIO(template.data))
    header = [c.value for c in book.worksheets[1][1]]
    assert header[:2] == ["item", "municipality_id"] and "control.kept_by_head" in header
    with client.get(f"{BATCHES}/templates/working-group-order.csv") as template:
        assert template.content_type == "text/csv; charset=utf-8"
        assert template.data.decode("utf-8-sig").startswith("item,language,")
    csv_rows = list(csv.reader(io.StringIO(
        (EXAMPLES / "sverdlovsky-batch.csv").read_text(encoding="utf-8-sig")
    )))  # fmt: skip
    sheet = openpyxl.Workbook()
    for row in csv_rows:
        sheet.active.append(row)
    data = io.BytesIO()
    sheet.save(data)
    assert (
        items_from_table(data.getvalue(), "upload.xlsx")[0]
        == items_from_table((EXAMPLES / "sverdlovsky-batch.csv").read_bytes(), "upload.csv")[0]
    )


def test_unknown_batch_and_bad_kind(client, sverdlovsky):
    assert client.get(f"{BATCHES}/{'0' * 32}").status_code == 404
    sverdlovsky["kind"] = "poem"
    response = client.post(BATCHES, json=sverdlovsky)
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"kind": ["Unknown document kind: poem."]}


def test_semicolon_csv_from_excel_and_rows_as_the_sheet_numbers_them(client, sverdlovsky):
    # Excel where the decimal separator is a comma (ru, ky) saves CSV with «;».
    lines = (EXAMPLES / "sverdlovsky-batch.csv").read_text(encoding="utf-8-sig").splitlines()
    rows = list(csv.reader(lines))
    rows[2][rows[0].index("date")] = "31.02.2018"  # the sheet's row 3
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerows([rows[0], rows[1], [""] * len(rows[0]), *rows[2:]])  # an empty row 3
    items, numbers = items_from_table(out.getvalue().encode("utf-8-sig"), "unit.csv")
    shared = sverdlovsky["shared"]
    assert merge(shared, items[0]) == merge(shared, sverdlovsky["items"][0])
    assert numbers == [2, *range(4, len(rows) + 2)]
    response = upload_batch(client, sverdlovsky, out.getvalue().encode("utf-8-sig"), "unit.csv")
    assert response.status_code == 202, response.get_json()
    refused = [i for i in response.get_json()["items"] if i["status"] == "invalid"]
    assert [(i["row"], set(i["errors"])) for i in refused] == [(4, {"date"})]
    # Refused as a whole, the errors name the sheet's row too.
    refusal = client.post(
        BATCHES,
        data={
            "kind": "working-group-order",
            "shared": json.dumps(sverdlovsky["shared"]),
            "all_or_nothing": "true",
            "file": (io.BytesIO(out.getvalue().encode("utf-8-sig")), "unit.csv"),
        },
        content_type="multipart/form-data",
    )
    assert refusal.status_code == 422 and set(refusal.get_json()["errors"]) == {"rows.4.date"}


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"number,number\n1,2\n", "a.csv", "The column «number» appears twice."),
        (b"number,number.x\nA,B\n", "a.csv",
         "Column B «number.x» is neither a field of this kind nor a column of its template."),
        (b"members.0,members.0.name\nA,B\n", "a.csv",
         "Column A «members.0» is neither a field of this kind nor a column of its template."),
        (b"number\n" + b'"' + b"x" * 200_000 + b'"\n', "a.csv", "Not a readable CSV file."),
        ("number\n1\n".encode("cp1251") + b"\x98", "a.csv", tables.CSV_ENCODING_ERROR),
        (b"\xd0\xcf\x11\xe0", "old.xls", tables.OLD_EXCEL_ERROR),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "renamed.xlsx", tables.OLD_EXCEL_ERROR),
        (b"", "a.csv", "The file is empty."),
    ],
)  # fmt: skip
def test_unreadable_uploads_are_a_field_error(client, sverdlovsky, content, filename, message):
    response = upload_batch(client, sverdlovsky, content, filename)
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"file": [message]}


def test_form_without_a_file_names_the_file(client):
    response = client.post(
        BATCHES, data={"kind": "working-group-order"}, content_type="multipart/form-data"
    )
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"file": ["Missing data for required field."]}


def test_an_item_that_breaks_the_service_does_not_stop_the_others(
    app, client, sverdlovsky, monkeypatch
):
    submit = submission.record_document

    def failing(session, scope, kind, payload, **kwargs):
        if payload.get("number") == sverdlovsky["items"][1]["number"]:
            raise RuntimeError("a defect")
        return submit(session, scope, kind, payload, **kwargs)

    monkeypatch.setattr(submission, "record_document", failing)
    response = client.post(BATCHES, json=sverdlovsky)
    assert response.status_code == 202
    batch = wait_finished(client, response.get_json()["links"]["self"])
    assert batch["items"][1]["status"] == "invalid"
    assert batch["items"][1]["errors"] == {"_body": [creation.INTERNAL_ITEM_ERROR]}
    assert batch["counts"]["done"] == len(sverdlovsky["items"]) - 1


def test_cancelling_a_finished_batch_changes_nothing(client, sverdlovsky):
    url = client.post(BATCHES, json=sverdlovsky).get_json()["links"]["self"]
    batch = wait_finished(client, url)
    after = client.post(batch["links"]["cancel"]).get_json()
    assert after["cancelled_at"] is None and after["counts"] == batch["counts"]


def test_registry_items_among_inline_ones_in_the_archive(client, sverdlovsky, order_input):
    issuer = order_input["issuer"]
    municipality = client.post(
        "/api/v1/municipalities",
        json={"name": issuer["body"], "region": issuer["region"], "head": issuer["head"],
              "numbering_pattern": "03-12/{seq}-Б"},
    ).get_json()  # fmt: skip
    # The shared letterhead gives region and district; this item takes the rest (its own
    # body and head) and its number from the registry.
    by_reference = {
        key: value
        for key, value in sverdlovsky["items"][0].items()
        if key not in ("issuer", "number")
    } | {"municipality_id": municipality["id"]}
    sverdlovsky["items"] = sverdlovsky["items"][:2] + [by_reference, by_reference | {"date": "x"}]
    response = client.post(BATCHES, json=sverdlovsky)
    assert response.status_code == 202, response.get_json()
    batch = wait_finished(client, response.get_json()["links"]["self"])
    assert [i["status"] for i in batch["items"]] == ["done", "done", "done", "invalid"]
    assert batch["items"][2]["number"] == "03-12/1-Б"
    with client.get(batch["links"]["archive"]) as download:
        archive = zipfile.ZipFile(io.BytesIO(download.data))
    manifest = read_manifest(archive)
    name = issuer["body"]["ru"]
    assert [m["municipality"] for m in manifest][2:] == [name, name]
    assert manifest[2]["file"].startswith("0003_Уч-Коргонский_айыл_окмоту_")
    # Cyrillic names are marked UTF-8, so that unzip on Windows shows them right.
    assert all(i.flag_bits & 0x800 for i in archive.infolist() if not i.filename.isascii())


def test_cancel_while_the_batch_is_still_being_read(app, client, sverdlovsky, monkeypatch):
    monkeypatch.setattr(creation, "CHUNK", 2)
    db = extensions.db(app)
    enqueued = []

    def enqueue_then_cancel(document_id: str) -> None:
        # The user cancels as soon as the first items reach the queue (none is run here).
        with db.session() as session:
            batch_id = session.scalar(
                select(BatchItem.batch_id).where(BatchItem.document_id == document_id)
            )
            creation.cancel(session, DEFAULT_SCOPE, batch_id)
        enqueued.append(document_id)

    batch_id = creation.create(
        db, DEFAULT_SCOPE, sverdlovsky["kind"], sverdlovsky["shared"], sverdlovsky["items"],
        enqueue=enqueue_then_cancel, record=submission.record_document,
    )  # fmt: skip
    batch = client.get(f"{BATCHES}/{batch_id}").get_json()
    assert len(enqueued) == 2  # the first chunk; the later ones were recorded as cancelled
    assert batch["counts"]["cancelled"] == len(sverdlovsky["items"]) and batch["finished"]
    assert batch["cancelled_at"] is not None


def dotted(iso: str) -> str:
    """«2018-03-12» as the manifest gives it: «12.03.2018»."""
    return ".".join(reversed(iso.split("-")))


def read_manifest(archive: zipfile.ZipFile) -> list[dict]:
    # `;`-separated, with a BOM: as Excel on a Russian-locale PC opens it.
    text = archive.read("manifest.csv").decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def whole_file_zip(archive: zipfile.ZipFile) -> bytes:
    """The same entries written by a ZipFile on a whole file, as the archive was made before
    it was streamed (with the streamed entries' times)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as whole:
        for info in archive.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            entry.external_attr = info.external_attr
            whole.writestr(entry, archive.read(info))
    return out.getvalue()


def test_the_streamed_archive_holds_what_it_held(client, sverdlovsky):
    sverdlovsky["items"][1]["date"] = "31.02.2018"
    url = client.post(BATCHES, json=sverdlovsky).get_json()["links"]["self"]
    batch = wait_finished(client, url)
    download = client.get(batch["links"]["archive"])
    assert download.status_code == 200 and download.mimetype == "application/zip"
    assert download.is_streamed and "Content-Length" not in download.headers
    # What it is, the year and the batch's title (service.batches.spreadsheets.export_filename).
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment; filename=batch_2018_Sverdlovskiy_rayon")
    assert "filename*=UTF-8''batch_2018_%D0%A1%D0%B2%D0%B5%D1%80%D0%B4" in disposition
    data = download.get_data()
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    # Byte for byte what a ZipFile on a whole file makes: stored entries, sizes and CRC in
    # their local headers (no data descriptors), names marked UTF-8.
    assert data == whole_file_zip(archive)
    assert all(i.compress_type == zipfile.ZIP_STORED for i in archive.infolist())
    assert not any(i.flag_bits & 0x08 for i in archive.infolist())

    # What every item should have given, from the API's own answers.
    names, rows = [], []
    for item, given in zip(batch["items"], sverdlovsky["items"], strict=True):
        municipality = given["issuer"]["body"]["ru"]
        name = sha256 = error = number = ""
        if item["status"] == "done":
            number = given["number"]
            job = client.get(f"/api/v1/documents/{item['document_id']}").get_json()
            name = f"{item['row']:04d}_{safe_name(municipality, 60)}_{job['filename']}"
            sha256 = job["sha256"]
            file = client.get(job["links"]["file"]).data
            assert archive.read(name) == file
            names.append(name)
        else:  # refused: no document, so no number either
            error = "date: Not a valid date."
        rows.append(
            {"item": str(item["row"]), "municipality": municipality, "number": number,
             "date": dotted(given.get("date") or sverdlovsky["shared"]["date"]) if number else "",
             "file": name, "sha256": sha256, "status": item["status"], "error": error}
        )  # fmt: skip
    assert archive.namelist() == [*names, "manifest.csv", "manifest.xlsx"]
    assert read_manifest(archive) == rows
    assert [r["status"] for r in rows].count("invalid") == 1


class CountingStorage(MemoryStorage):
    """Bytes in memory, and how many times they were read."""

    def __init__(self) -> None:
        super().__init__()
        self.opened: list[str] = []

    def read_many(self, keys):
        for key in keys:
            self.opened.append(key)
            yield self._get(key)


def docx_keys(app, batch_id: str) -> list[str]:
    with extensions.db(app).session() as session:
        return list(
            session.scalars(
                select(Artifact.key)
                .join(BatchItem, BatchItem.document_id == Artifact.document_id)
                .where(BatchItem.batch_id == batch_id)
                .order_by(BatchItem.row)
            )
        )


def copied_storage(app, batch_id: str) -> CountingStorage:
    """A storage outside the database holding the batch's documents."""
    storage = CountingStorage()
    for key in docx_keys(app, batch_id):
        storage.put(extensions.storage(app).open(key).read())
    return storage


def test_the_archive_goes_out_a_document_at_a_time(app, client, sverdlovsky):
    batch = wait_finished(
        client, client.post(BATCHES, json=sverdlovsky).get_json()["links"]["self"]
    )
    storage = copied_storage(app, batch["id"])
    with extensions.db(app).session() as session:
        made = batch_archive.stream_archive(session, storage, DEFAULT_SCOPE, batch["id"])
    assert storage.opened == []  # nothing is read before the first chunk is asked for
    first = next(made.chunks)
    assert len(storage.opened) == 1
    rest = b"".join(made.chunks)
    assert storage.opened == docx_keys(app, batch["id"])  # each document read once
    archive = zipfile.ZipFile(io.BytesIO(first + rest))
    entries = archive.infolist()
    assert len(entries) == len(sverdlovsky["items"]) + 2  # and manifest.csv, manifest.xlsx
    # The first chunk is the first entry, whole: its header and the document.
    assert len(first) == entries[1].header_offset
    assert archive.read(entries[0]) == storage.open(storage.opened[0]).read()


@contextmanager
def statements(app):
    """The SQL statements the app's engine runs meanwhile."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, _parameters, _context, _executemany):
        seen.append(statement)

    engine = extensions.db(app).engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_the_archive_queries_do_not_grow_with_the_items(app, client, sverdlovsky, order_input):
    issuer = order_input["issuer"]
    municipality = client.post(
        "/api/v1/municipalities",
        json={"name": issuer["body"], "region": issuer["region"], "head": issuer["head"],
              "numbering_pattern": "03-12/{seq}-Б"},
    ).get_json()  # fmt: skip
    by_reference = {
        key: value
        for key, value in sverdlovsky["items"][0].items()
        if key not in ("issuer", "number")
    } | {"municipality_id": municipality["id"]}

    def archive_of(copies: int) -> tuple[list[str], list[str], int]:
        # Inline letterheads, registry references, and refused references (named from the
        # registry in the manifest).
        items = sverdlovsky["items"][:copies] + [by_reference] * copies
        items += [by_reference | {"date": "x"}] * copies
        body = sverdlovsky | {"items": items}
        batch = wait_finished(client, client.post(BATCHES, json=body).get_json()["links"]["self"])
        assert batch["counts"]["done"] == 2 * copies and batch["counts"]["invalid"] == copies
        storage = copied_storage(app, batch["id"])
        with statements(app) as outside_storage:
            with extensions.db(app).session() as session:
                made = batch_archive.stream_archive(session, storage, DEFAULT_SCOPE, batch["id"])
            archive = zipfile.ZipFile(io.BytesIO(b"".join(made.chunks)))
        manifest = read_manifest(archive)
        assert [m["municipality"] for m in manifest[copies:]] == [issuer["body"]["ru"]] * (
            2 * copies
        )
        with statements(app) as through_the_app:
            assert client.get(batch["links"]["archive"]).get_data()
        return outside_storage, through_the_app, 2 * copies

    small, small_http, _ = archive_of(1)
    large, large_http, documents = archive_of(4)
    # The batch, its items with their documents, artifacts and conversions, the registry:
    # whatever the
    # number of items, and never the blobs table itself.
    assert len(large) == len(small)
    assert [s.split("FROM")[1].split()[0] for s in large if s.startswith("SELECT")] == [
        "batches",  # the batch
        "batch_items",  # its items, joined with their documents and artifacts
        "conversions",  # their PDFs' conversions (one query per 500 items)
        "callbacks",  # their callbacks' deliveries (the same)
        "municipalities",  # the registry, for items that name theirs by reference
    ], large

    def own(seen: list[str]) -> list[str]:
        return [s for s in seen if "blobs" not in s and not s.startswith("BEGIN")]

    # Through the app's own storage: the same, plus one read of the documents per READ_GROUP
    # of them (in a short transaction of its own, whose BEGIN is a statement on SQLite).
    blob_reads = len([s for s in large_http if "FROM blobs" in s])
    assert blob_reads == math.ceil(documents / READ_GROUP)
    assert len(own(large_http)) == len(own(small_http))


def test_an_item_s_people_replace_the_shared_ones_but_a_plan_s_skeleton_is_filled():
    from service.batches.creation import skeleton_of

    shared = {"members": [{"name": "Асанов Б.", "by_agreement": True}]}
    item = {"members": [{"name": "Токтосунова Н."}, {"name": "Бекова Ж."}]}
    # An order's members are people: the item's list is the group, nothing of the shared
    # person («by agreement») leaks into the item's first member.
    assert merge(shared, item, skeleton_of("working-group-order")) == item
    plan = {"problems": [{"title": "A", "indicators": [{"ref": "1.1", "name": "x"}]}]}
    figures = {"problems": [{"indicators": [{"baseline": "3"}]}]}
    assert merge(plan, figures, skeleton_of("joint-plan")) == {
        "problems": [{"title": "A", "indicators": [{"ref": "1.1", "name": "x", "baseline": "3"}]}]
    }
