"""The list pages, signed in as a real user: the organisation's documents (filters, pages,
downloads the same as the API's, refreshing while jobs run, another organisation's a 404), a
document's page, the outgoing register (its lines, its XLSX), and batches uploaded through a
page (progress per item, the ZIP, errors with the sheet's rows in the page's language)."""

from __future__ import annotations

import io
import re
import time
import uuid
import zipfile

import openpyxl
import pytest

from service import accounts, create_app, extensions
from service.db import upgrade
from service.domain.status import Status
from service.models import Organisation, User
from service.tasks import records
from service.tenancy import ALL_ROLES, Scope
from tests.conftest import (
    EXAMPLES,
    OFFICE,
    ORDERS,
    ROOT,
    UNLIMITED,
    account,
    token_client,
    wait_until_finished,
)

PASSWORD = "a long enough password 1"
SERVICE = ROOT / "service"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def app(tmp_path):
    """The embedded app (SQLite, jobs in-process), its cookie sent over plain HTTP."""
    url = f"sqlite:///{tmp_path / 'docgen.sqlite3'}"
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "WEB_COOKIE_SECURE": False})
    app.config.update(UNLIMITED)
    yield app
    extensions.dispatcher(app).shutdown()
    extensions.db(app).dispose()


def user(app, organisation: str = OFFICE, *, roles=ALL_ROLES, language: str = "ru") -> str:
    """A new user of `organisation` with a password, whose pages are in `language`."""
    username = f"user-{uuid.uuid4().hex[:8]}"
    with extensions.db(app).session() as session:
        if session.get(Organisation, organisation) is None:
            accounts.create_organisation(
                session, f"{organisation} office", "district", organisation
            )
        made = accounts.create_user(session, organisation, username, PASSWORD, sorted(roles), None)
        session.get(User, made.id).ui_language = language
    return username


def token(client, path: str) -> str:
    return CSRF.search(client.get(path).get_data(as_text=True)).group(1)


def signed_in(app, username: str):
    """A browser signed in as `username`, through the sign-in page."""
    client = app.test_client()
    response = client.post(
        "/sign-in",
        data={"username": username, "password": PASSWORD, "csrf_token": token(client, "/sign-in")},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


@pytest.fixture
def api(app):
    """The API, as an admin of OFFICE."""
    return token_client(app, account(app))


@pytest.fixture
def browser(app):
    return signed_in(app, user(app))


def links(html: str, pattern: str) -> list[str]:
    return re.findall(rf'href="({pattern})"', html)


def test_the_list_downloads_a_done_document_as_the_api_does(api, browser, order_input):
    made = api.post(ORDERS, json=order_input | {"formats": ["docx", "pdf"]}).get_json()
    job = wait_until_finished(api, made["links"]["self"], timeout=120)
    assert job["status"] == "done", job

    page = browser.get("/documents")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "03-12/146-Б" in html and "26.06.2015" in html and "Распоряжение" in html
    assert "готов" in html and "data-refresh" not in html
    docx_link, pdf_link = links(html, r"/documents/[0-9a-f]{32}/file\.(?:docx|pdf)")
    with browser.get(docx_link) as mine, api.get(made["links"]["self"] + "/file") as theirs:
        assert mine.status_code == 200 and mine.data == theirs.data
        assert mine.headers["Content-Disposition"] == theirs.headers["Content-Disposition"]
    with browser.get(pdf_link) as pdf:
        assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
        assert pdf.data.startswith(b"%PDF") and ".pdf" in pdf.headers["Content-Disposition"]

    # The document's own page: its outputs, its number, its date, a copy link.
    document = browser.get(f"/documents/{made['id']}").get_data(as_text=True)
    assert docx_link in document and pdf_link in document and "26.06.2015" in document
    assert f"/documents/new/working-group-orders?copy={made['id']}" in document


def test_filters_narrow_the_list_as_the_api_does(api, browser, order_input):
    first = api.post(ORDERS, json=order_input).get_json()
    second = api.post(ORDERS, json=order_input | {"number": "03-12/147-Б"}).get_json()
    for made in (first, second):
        wait_until_finished(api, made["links"]["self"])

    def shown(query: str) -> set[str]:
        html = browser.get(f"/documents?{query}").get_data(as_text=True)
        return set(re.findall(r'href="/documents/([0-9a-f]{32})"', html))

    assert shown("") == {first["id"], second["id"]}
    assert shown("number=03-12/147-Б") == {second["id"]}
    assert shown("kind=working-group-order&status=done") == {first["id"], second["id"]}
    assert shown("kind=joint-plan") == set()
    assert shown("status=failed") == set()
    assert shown("created_from=2100-01-01") == set()
    assert shown("per_page=1&page=2") == {first["id"]}  # newest first
    # A value the API would refuse is said, and the rest of the filters still apply.
    page = browser.get("/documents?status=unknown&number=03-12/147-Б").get_data(as_text=True)
    assert 'class="error"' in page and second["id"] in page and first["id"] not in page


def test_another_organisations_document_is_a_404(app, browser, order_input):
    theirs = token_client(app, account(app, "elsewhere"))
    made = theirs.post(ORDERS, json=order_input | {"formats": ["docx", "pdf"]}).get_json()
    wait_until_finished(theirs, made["links"]["self"], timeout=120)
    for path in ("", "/file.docx", "/file.pdf", "/delete"):
        response = browser.get(f"/documents/{made['id']}{path}")
        assert response.status_code == 404, path
        assert "text/html" in response.content_type
    assert made["id"] not in browser.get("/documents").get_data(as_text=True)


def test_a_running_job_refreshes_its_list_and_a_finished_one_does_not(app, browser, order_input):
    with extensions.db(app).session() as session:
        record, _ = records.submit(
            session, "working-group-order", order_input, "ky+ru", scope=Scope.whole(OFFICE)
        )
        # Held by a live worker elsewhere: nothing here takes it.
        record.status, record.worker_id = Status.RUNNING, "elsewhere"
        record.lease_renewed_at = record.created_at
    page = browser.get("/documents?kind=working-group-order").get_data(as_text=True)
    assert 'data-refresh="/documents?kind=working-group-order"' in page
    assert "готовится" in page

    fragment = browser.get(
        "/documents?kind=working-group-order", headers={"X-Requested-With": "fragment"}
    )
    text = fragment.get_data(as_text=True).strip()
    assert fragment.status_code == 200
    assert text.startswith('<div class="table-wrap" id="documents" data-refresh=')
    assert text.endswith("</div>") and "<header" not in text and "<form" not in text
    assert "03-12/146-Б" in text
    document = browser.get(f"/documents/{record.id}").get_data(as_text=True)
    assert f'data-refresh="/documents/{record.id}"' in document

    with extensions.db(app).session() as session:
        records.fail(session, record.id, {"message": "Internal error."})
    page = browser.get("/documents?kind=working-group-order").get_data(as_text=True)
    assert "data-refresh" not in page and "ошибка" in page
    fragment = browser.get(
        f"/documents/{record.id}", headers={"X-Requested-With": "fragment"}
    ).get_data(as_text=True)
    assert fragment.startswith('<section id="document"') and "data-refresh" not in fragment


@pytest.fixture
def municipality(api, order_input) -> str:
    issuer = order_input["issuer"]
    body = {
        "name": issuer["body"],
        "country": issuer["country"],
        "region": issuer["region"],
        "district": issuer["district"],
        "head": issuer["head"],
        "act": {"ky": "БУЙРУК", "ru": "РАСПОРЯЖЕНИЕ"},
        "numbering_pattern": "03-12/{seq}-Б",
    }
    response = api.post("/api/v1/municipalities", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def test_the_register_shows_each_issued_number_and_exports_it(
    api, browser, municipality, order_input
):
    del order_input["issuer"], order_input["number"], order_input["act"]
    order_input |= {"municipality_id": municipality, "executed_by": "Асанова А. К."}
    for _ in range(2):
        made = api.post(ORDERS, json=order_input).get_json()
        wait_until_finished(api, made["links"]["self"])

    page = browser.get(f"/register?municipality_id={municipality}&year=2015")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    rows = re.findall(r"<tr>(.*?)</tr>", html, re.S)
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in rows[1:]]
    assert len(cells) == 2
    first = [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells[0]]
    assert first[:4] == ["1", "03-12/1-Б", "26.06.2015", "Распоряжение"]
    assert first[6:] == ["Асанова А. К.", "готов"] and first[4] and first[5]
    assert "Исходящий номер" in html and "Кем подписан" in html and "data-print" in html
    assert 'class="register-page"' in html
    assert (
        "@page register { size: A4 landscape"
        in (SERVICE / "web" / "static" / "site.css").read_text()
    )

    xlsx_link = links(html, r"/register/file\.xlsx\?[^\"]+")[0].replace("&amp;", "&")
    with browser.get(xlsx_link) as download:
        assert download.status_code == 200
        book = openpyxl.load_workbook(io.BytesIO(download.data))
    sheet = book.worksheets[0]
    assert sheet.cell(1, 2).value == "Исходящий номер"
    assert [sheet.cell(r, 2).value for r in (2, 3)] == ["03-12/1-Б", "03-12/2-Б"]
    csv_link = links(html, r"/register/file\.csv\?[^\"]+")[0].replace("&amp;", "&")
    with browser.get(csv_link) as download:
        assert download.data.decode("utf-8-sig").splitlines()[1].startswith("1;03-12/1-Б;")
    # Another organisation's register is not there to see.
    other = signed_in(browser.application, user(browser.application, "elsewhere"))
    assert other.get(f"/register?municipality_id={municipality}").status_code == 404
    assert other.get(f"/register/file.xlsx?municipality_id={municipality}").status_code == 404


def test_a_number_entered_later_and_a_deletion_through_the_document_page(
    api, browser, municipality, order_input
):
    del order_input["issuer"], order_input["number"], order_input["act"]
    later = order_input | {"municipality_id": municipality, "assign_number_later": True}
    made = api.post(ORDERS, json=later).get_json()
    wait_until_finished(api, made["links"]["self"])
    page = f"/documents/{made['id']}"
    html = browser.get(page).get_data(as_text=True)
    assert f'action="{page}/number"' in html and 'for="assign-date"' in html

    refused = browser.post(
        f"{page}/number",
        data={"csrf_token": token(browser, page), "number": "03-12/77", "date": "30.06"},
    )
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert 'id="assign-date-error">Неверная дата' in html and 'value="03-12/77"' in html
    entered = browser.post(
        f"{page}/number",
        data={"csrf_token": token(browser, page), "number": "03-12/77", "date": "2015-06-30"},
    )
    assert entered.status_code == 302 and entered.headers["Location"] == page
    assert wait_until_finished(api, made["links"]["self"])["status"] == "done"
    register = browser.get(f"/register?municipality_id={municipality}&year=2015")
    assert "03-12/77" in register.get_data(as_text=True)

    html = browser.get(f"{page}/delete").get_data(as_text=True)
    assert f'action="{page}/delete"' in html
    deleted = browser.post(f"{page}/delete", data={"csrf_token": token(browser, page)})
    assert deleted.status_code == 302
    assert api.get(made["links"]["self"]).get_json()["deleted_at"] is not None
    assert browser.get(f"{page}/file.docx").status_code == 410
    register = browser.get(f"/register?municipality_id={municipality}&year=2015")
    assert "отозван" in register.get_data(as_text=True)


def upload(browser, content: bytes, filename: str):
    return browser.post(
        "/batches/new",
        data={
            "csrf_token": token(browser, "/batches/new"),
            "kind": "working-group-order",
            "title": "Свердловский район",
            "file": (io.BytesIO(content), filename),
        },
        content_type="multipart/form-data",
    )


def finished_batch_page(browser, url: str, timeout: float = 90) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        html = browser.get(url).get_data(as_text=True)
        if "data-refresh" not in html:
            return html
        time.sleep(0.2)
    raise AssertionError(f"{url} did not finish")


def test_a_batch_uploaded_through_the_page_shows_its_items_and_gives_its_zip(browser):
    assert "Пакеты" in browser.get("/").get_data(as_text=True)  # the coordinator's menu
    template = browser.get("/batches/templates/working-group-order.xlsx")
    assert template.status_code == 200
    assert openpyxl.load_workbook(io.BytesIO(template.data)).worksheets[1].title == "Документы"

    content = (EXAMPLES / "sverdlovsky-batch.xlsx").read_bytes()
    response = upload(browser, content, "sverdlovsky-batch.xlsx")
    assert response.status_code == 302, response.get_data(as_text=True)
    url = response.headers["Location"]
    assert re.fullmatch(r"/batches/[0-9a-f]{32}", url)
    html = finished_batch_page(browser, url)
    rows = re.findall(r"<tr>(.*?)</tr>", html, re.S)[1:]
    assert len(rows) == 6 and all("готов" in row for row in rows)
    assert len(re.findall(r'href="/documents/[0-9a-f]{32}"', html)) == 6
    with browser.get(f"{url}/archive.zip") as archive:
        assert archive.status_code == 200
        names = zipfile.ZipFile(io.BytesIO(archive.data)).namelist()
    assert len([n for n in names if n.endswith(".docx")]) == 6 and "manifest.csv" in names
    assert "Свердловский район" in browser.get("/batches").get_data(as_text=True)


def test_a_bad_upload_shows_its_errors_by_row_in_the_page_language(app):
    book = openpyxl.load_workbook(EXAMPLES / "sverdlovsky-batch.xlsx")
    items = book["Документы"]
    column = [c.value for c in items[1]].index("Дата документа") + 1
    items.cell(3, column).value = "32.13.2026"
    out = io.BytesIO()
    book.save(out)

    kyrgyz = signed_in(app, user(app, language="ky"))
    response = upload(kyrgyz, out.getvalue(), "bad.xlsx")
    assert response.status_code == 302
    html = finished_batch_page(kyrgyz, response.headers["Location"])
    bad = next(row for row in re.findall(r"<tr>(.*?)</tr>", html, re.S) if "<li>" in row)
    assert re.search(r"<td>3</td>", bad)  # the sheet's row
    assert "<li>Документтин датасы: Туура эмес дата; ЖЖЖЖ-АА-КК күтүлөт.</li>" in bad
    report = kyrgyz.get(response.headers["Location"] + "/errors.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(report.data)).worksheets[0]
    assert sheet.cell(2, 1).value == 3 and sheet.max_row == 2

    russian = signed_in(app, user(app, language="ru"))
    whole = russian.post(
        "/batches/new",
        data={
            "csrf_token": token(russian, "/batches/new"),
            "kind": "working-group-order",
            "whole": "1",
            "file": (io.BytesIO(out.getvalue()), "bad.xlsx"),
        },
        content_type="multipart/form-data",
    )
    assert whole.status_code == 422
    assert "<li>Строка 3: Дата документа: Неверная дата" in whole.get_data(as_text=True)

    items.cell(1, items.max_column + 1).value = "Лишняя колонка"
    items.cell(2, items.max_column).value = "x"
    out = io.BytesIO()
    book.save(out)
    refused = upload(russian, out.getvalue(), "bad.xlsx")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "«Лишняя колонка» не поле документов этого вида" in page
    assert 'value="Свердловский район"' in page  # the form keeps what was given
