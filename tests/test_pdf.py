"""PDF as an output of every kind, through the API, with the real LibreOffice: each output has
its own status, a failed PDF leaves the .docx, a batch gives one merged PDF, and a converting
worker killed mid-conversion loses nothing."""

from __future__ import annotations

import copy
import io
import json
import shutil
import subprocess
import time
import zipfile

import pytest
from pypdf import PdfReader

from service import create_app, extensions
from service.db import upgrade
from tests.conftest import EXAMPLES, ORDERS, authorized, wait_until_finished
from tests.stack import held_by, services_missing, statuses, wait_for

PLANS = "/api/v1/documents/joint-plans"
REPORTS = "/api/v1/documents/annual-reports"
RU = {"Accept-Language": "ru"}


@pytest.fixture(autouse=True)
def _libreoffice():
    if shutil.which("soffice") is None:
        services_missing("LibreOffice (soffice) is not installed: scripts/ensure-services.sh")


def _example(name: str) -> dict:
    return json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def _text(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def _finished(client, url: str, timeout: float = 120) -> dict:
    status = wait_until_finished(client, url, timeout)
    assert status["status"] == "done", status
    return status


def test_every_kind_as_pdf(app):
    client = app.test_client()
    report = _example("uch-korgon-report")
    jobs = {
        "order": client.post(ORDERS, json=_example("uch-korgon-order") | {"format": "pdf"}),
        "plan": client.post(PLANS, json=_example("uch-korgon-plan") | {"formats": ["pdf"]}),
        "report": client.post(
            REPORTS, json=report | {"formats": ["docx", "pdf"], "pdf_profile": "pdf/a-2b"}
        ),
    }
    for name, response in jobs.items():
        assert response.status_code == 202, (name, response.get_json())
        job = response.get_json()
        assert job["formats"] == ["docx", "pdf"]
        assert [a["format"] for a in job["artifacts"]] == ["docx", "pdf"]
    texts = {}
    for name, response in jobs.items():
        status = _finished(client, response.get_json()["links"]["self"])
        docx, pdf = status["artifacts"]
        assert docx["status"] == pdf["status"] == "done" and pdf["error"] is None
        with client.get(pdf["link"]) as download:
            assert download.status_code == 200 and download.mimetype == "application/pdf"
            assert ".pdf" in download.headers["Content-Disposition"]
            data = download.data
        texts[name] = _text(data)
        metadata = PdfReader(io.BytesIO(data)).trailer["/Root"].get("/Metadata")
        xmp = metadata.get_object().get_data() if metadata is not None else b""
        # The profile asked for, and only there: a PDF/A-2b identifies itself.
        pdfa = b'pdfaid:part="2"' in xmp or b"<pdfaid:part>2<" in xmp
        assert pdfa == (name == "report"), name
    # The Kyrgyz letters are text in the PDF, not pictures of it.
    assert "Үч-Коргон айыл өкмөтү" in texts["order"]
    assert all(letter in texts["plan"] for letter in "ңөү")
    assert "Уч-Коргонский" in texts["report"]
    if not app.config["CELERY_BROKER_URL"]:  # the embedded mode's converters made them
        converters = client.get("/readyz").get_json()["converters"]
        assert converters["conversions"] >= 3 and converters["size"] == 2


def test_output_fields_are_checked_and_named(app):
    client = app.test_client()
    order = _example("uch-korgon-order")
    for extra, field in (
        ({"format": "odt"}, "format"),
        ({"format": "pdf", "formats": ["pdf"]}, "formats"),
        ({"pdf_profile": "pdf/a-2b"}, "pdf_profile"),
        ({"formats": ["pdf"], "pdf_profile": "pdf/x"}, "pdf_profile"),
    ):
        refused = client.post(ORDERS, json=order | extra, headers=RU)
        assert refused.status_code == 422, extra
        assert list(refused.get_json()["errors"]) == [field], refused.get_json()


def test_a_failed_pdf_leaves_the_docx_and_says_why(tmp_path, order_input):
    url = f"sqlite:///{tmp_path / 'docgen.sqlite3'}"
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "CONVERTER_SOFFICE": str(tmp_path / "no-soffice")})
    authorized(app)
    client = app.test_client()
    try:
        made = client.post(ORDERS, json=order_input | {"formats": ["docx", "pdf"]})
        status = _finished(client, made.get_json()["links"]["self"])
        docx, pdf = status["artifacts"]
        assert docx["status"] == "done" and pdf["status"] == "failed"
        assert pdf["link"] is None and "LibreOffice" in pdf["error"]
        assert client.get(docx["link"]).status_code == 200
        refused = client.get(made.get_json()["links"]["self"] + "/file?format=pdf")
        assert refused.status_code == 409 and "could not be made" in refused.get_json()["message"]
    finally:
        extensions.dispatcher(app).shutdown()
        extensions.db(app).dispose()


def _batch_done(client, batch: dict) -> dict:
    made = client.post("/api/v1/batches", json=batch)
    assert made.status_code == 202, made.get_json()
    url = made.get_json()["links"]["self"]
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        progress = client.get(url).get_json()
        if progress["finished"]:
            return progress
        time.sleep(0.2)
    raise AssertionError(f"the batch did not finish: {progress['counts']}")


def test_a_batch_gives_its_pdfs_and_one_merged_pdf(app):
    client = app.test_client()
    batch = _example("sverdlovsky-batch")
    batch["items"] = batch["items"][:3]
    batch["merged_pdf"] = True
    progress = _batch_done(client, batch)
    assert progress["counts"]["done"] == 3
    with client.get(progress["links"]["archive"]) as archive:
        names = zipfile.ZipFile(io.BytesIO(archive.data)).namelist()
    suffixes = sorted(n.rsplit(".", 1)[1] for n in names)
    assert suffixes == ["csv"] + ["docx"] * 3 + ["pdf"] * 3 + ["xlsx"]  # 2 manifests
    with client.get(progress["links"]["merged_pdf"]) as merged:
        assert merged.status_code == 200 and merged.mimetype == "application/pdf"
        reader = PdfReader(io.BytesIO(merged.data))
    pages = []
    for item in progress["items"]:
        job = client.get(f"/api/v1/documents/{item['document_id']}").get_json()
        one = client.get(job["artifacts"][1]["link"]).data
        pages.append(len(PdfReader(io.BytesIO(one)).pages))
    assert len(reader.pages) == sum(pages)
    # Each document keeps its own page numbers, as page labels too, and has a bookmark.
    labels = [str(n) for count in pages for n in range(1, count + 1)]
    assert list(reader.page_labels) == labels
    assert len(reader.outline) == 3
    first_pages = [sum(pages[:i]) for i in range(3)]
    for item, start in zip(progress["items"], first_pages, strict=True):
        number = batch["items"][item["row"] - 1]["number"]
        assert number.split("/")[-1] in reader.pages[start].extract_text()


def test_without_pdf_a_batch_has_no_merged_pdf(app):
    client = app.test_client()
    batch = _example("sverdlovsky-batch")
    batch["items"] = batch["items"][:1]
    progress = _batch_done(client, batch)
    refused = client.get(progress["links"]["merged_pdf"], headers=RU)
    assert refused.status_code == 409 and "pdf" in refused.get_json()["message"]


@pytest.mark.distributed
def test_a_converting_worker_killed_mid_conversion_loses_nothing(stack, order_input):
    """The PDFs' queue is served apart: with no converting worker, .docx jobs are done while
    PDFs wait; a converting worker killed during a conversion has it sent again once its
    lease ran out, and another worker makes it."""
    stack.worker()
    app = create_app(stack.app_config())
    authorized(app)
    client = app.test_client()
    try:
        plans = []
        for _ in range(3):
            plan = _example("uch-korgon-plan") | {"formats": ["docx", "pdf"]}
            plans.append(client.post(PLANS, json=plan).get_json())
        docx_only = client.post(ORDERS, json=copy.deepcopy(order_input)).get_json()
        # No converting worker yet: the .docx jobs are done, the PDFs wait.
        assert wait_until_finished(client, docx_only["links"]["self"], 60)["status"] == "done"
        wait_for(
            lambda: all(
                client.get(p["links"]["self"]).get_json()["artifacts"][0]["status"] == "done"
                for p in plans
            ),
            60,
            "the plans' .docx",
        )
        for plan in plans:
            status = client.get(plan["links"]["self"]).get_json()
            assert status["status"] == "running" and status["artifacts"][1]["status"] == "queued"

        converting = stack.worker(concurrency=1, queues="conversions")
        held = {}

        def running_conversion() -> bool:
            held.update(held_by(app, converting.pids(), conversions=True))
            return bool(held)

        wait_for(running_conversion, 90, "a conversion to start")
        converting.kill()
        killed_at = time.monotonic()
        stack.worker(concurrency=1, queues="conversions")
        for plan in plans:
            status = _finished(client, plan["links"]["self"], timeout=240)
            assert status["artifacts"][1]["status"] == "done"
            assert client.get(status["artifacts"][1]["link"]).data.startswith(b"%PDF")
        recovered_in = time.monotonic() - killed_at
        assert statuses(app, [p["id"] for p in plans]) == {"done": 3}
        # Sent again within a lease and a beat of the kill, plus the new worker's start and
        # the conversions themselves.
        assert recovered_in < 120, recovered_in
    finally:
        extensions.dispatcher(app).shutdown()
        extensions.db(app).dispose()
