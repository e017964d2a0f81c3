"""Download names: `filename*` keeps the Kyrgyz or Russian name, the ASCII `filename` is it in
Latin letters (not Werkzeug's fallback, which drops every Cyrillic letter); `curl -OJ` saves
the file under it."""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from email import policy
from email.message import EmailMessage

import pytest
from werkzeug.http import parse_options_header
from werkzeug.serving import make_server

from service import create_app, extensions
from service.api.downloads import ascii_filename, content_disposition
from service.batches import archive as batch_archive
from service.db import upgrade
from service.language.latin import to_ascii, to_latin
from tests.conftest import ORDERS, authorized, wait_until_finished
from tests.stack import free_port

ORDER_NAME = "Распоряжение_03-12_146-Б_2015-06-26.docx"
ORDER_ASCII = "Rasporyazhenie_03-12_146-B_2015-06-26.docx"


def test_kyrgyz_and_russian_letters_in_latin():
    assert to_latin("Распоряжение") == "Rasporyazhenie"
    assert to_latin("Жаңы-Өзгөн, Үч-Коргон") == "Zhangy-Ozgon, Uch-Korgon"
    assert to_latin("Щучье ЖЭК Шаш") == "Shchuche ZHEK Shash"
    assert to_latin("Тескеме № 5") == "Teskeme № 5"
    assert to_ascii("Тескеме № 5 «план»") == "Teskeme No 5 plan"
    assert ascii_filename(ORDER_NAME) == ORDER_ASCII
    assert ascii_filename("План: «Кара-Суу» / 2026.pdf") == "Plan_Kara-Suu_2026.pdf"
    assert ascii_filename("«»") == "download"


def filenames(header: str) -> tuple[str, str]:
    """(the name a client reading `filename*` takes, the one a client reading only `filename`
    takes), each parsed by a library that reads the header, not by this service's code."""
    _value, werkzeug_options = parse_options_header(header)
    message = EmailMessage(policy=policy.default)
    message["Content-Disposition"] = header.split("; filename*=")[0]
    return werkzeug_options["filename"], message.get_filename()


def test_header_of_a_cyrillic_name():
    header = content_disposition(ORDER_NAME)
    assert filenames(header) == (ORDER_NAME, ORDER_ASCII)
    only_star = EmailMessage(policy=policy.default)
    only_star["Content-Disposition"] = "attachment; filename*=" + header.split("filename*=")[1]
    assert only_star.get_filename() == ORDER_NAME  # RFC 2231/8187 decoding of the standard library
    assert content_disposition("batch-1.zip") == "attachment; filename=batch-1.zip"
    assert content_disposition('a b"c.csv') == (
        "attachment; filename=a_b_c.csv; filename*=UTF-8''a%20b%22c.csv"
    )


@pytest.fixture
def app(tmp_path):
    url = f"sqlite:///{tmp_path / 'docgen.sqlite3'}"
    upgrade(url)
    app = authorized(create_app({"DATABASE_URL": url}))
    yield app
    extensions.dispatcher(app).shutdown()
    extensions.db(app).dispose()


def done_order(client, order_input) -> dict:
    job = client.post(ORDERS, json=order_input).get_json()
    assert wait_until_finished(client, job["links"]["self"])["status"] == "done"
    return job


def test_document_download_names(app, order_input):
    client = app.test_client()
    job = done_order(client, order_input)
    download = client.get(job["links"]["file"])
    assert download.status_code == 200
    assert filenames(download.headers["Content-Disposition"]) == (ORDER_NAME, ORDER_ASCII)


def test_batch_archive_names(app, order_input, monkeypatch):
    """A batch archive whose name carries Cyrillic (a municipality, a title) is named so too."""
    real = batch_archive.stream_archive
    named = "Свердловский_район_2018_Тескеме.zip"

    def stream_archive(*args, **kwargs):
        made = real(*args, **kwargs)
        return batch_archive.Archive(filename=named, chunks=made.chunks)

    monkeypatch.setattr(batch_archive, "stream_archive", stream_archive)
    client = app.test_client()
    batch = {"kind": "working-group-order", "shared": {}, "items": [order_input]}
    created = client.post("/api/v1/batches", json=batch)
    assert created.status_code == 202, created.get_json()
    deadline = time.monotonic() + 60
    while (archive := client.get(created.get_json()["links"]["archive"])).status_code == 409:
        assert time.monotonic() < deadline, "the batch did not finish"
        time.sleep(0.1)
    assert archive.status_code == 200
    assert filenames(archive.headers["Content-Disposition"]) == (
        named,
        "Sverdlovskiy_rayon_2018_Teskeme.zip",
    )


@pytest.mark.skipif(shutil.which("curl") is None, reason="no curl")
def test_curl_saves_the_transliterated_name(app, order_input, tmp_path):
    """curl's -J reads only `filename` (it does not decode `filename*`): what it saves is the
    ASCII name, no longer «_03-12_146-_2015-06-26.docx»."""
    job = done_order(app.test_client(), order_input)
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    token = app.test_client_class(app).environ_base["HTTP_AUTHORIZATION"]
    try:
        out = tmp_path / "curl"
        out.mkdir()
        subprocess.run(
            ["curl", "-sSfOJ", "-H", f"Authorization: {token}",
             f"http://127.0.0.1:{port}{job['links']['file']}"],
            cwd=out, check=True, timeout=30,
        )  # fmt: skip
    finally:
        server.shutdown()
        thread.join(5)
    assert [p.name for p in out.iterdir()] == [ORDER_ASCII]
