"""A batch for a district through its page: the XLSX template downloaded, the filled sheet
uploaded, each item's progress shown while the page refreshes itself, the ZIP downloaded."""

from __future__ import annotations

import io
import re
import zipfile

from openpyxl import load_workbook

from tests.browser.helpers import axe, shoot, sign_in
from tests.conftest import EXAMPLES

BATCH = re.compile(r"/batches/[0-9a-f]{32}$")


def test_a_batch_upload_shows_progress_and_gives_the_zip(page, live_server):
    # Orders are a secretary's; the batch page a coordinator's.
    coordinator = live_server.person(
        "sverdlovsky", roles={"coordinator", "secretary"}, kind="district", name="Свердлов району"
    )
    sign_in(page, coordinator)
    page.goto("/batches/new")
    axe(page)
    shoot(page, "batch-new")
    with page.expect_download() as started:
        page.click("a.button[href$='/working-group-order.xlsx']")
    template = load_workbook(io.BytesIO(started.value.path().read_bytes()))
    assert len(template.sheetnames) >= 2

    page.select_option("#batch-kind", "working-group-order")
    page.set_input_files("#batch-file", str(EXAMPLES / "sverdlovsky-batch.xlsx"))
    page.fill("#batch-title", "Свердлов району: жумушчу топтор")
    page.click("form[enctype='multipart/form-data'] button[type=submit]")
    page.wait_for_load_state()
    assert BATCH.search(page.url), page.locator("main").inner_text()[:2000]
    items = page.locator("#batch table.list tbody tr")
    total = items.count()
    assert total >= 2
    seen_running = page.locator("#batch[data-refresh]").count() == 1
    shoot(page, "batch-progress")
    # The section refreshes itself until every item is finished.
    page.wait_for_function("() => !document.querySelector('#batch[data-refresh]')", timeout=240_000)
    assert items.count() == total
    statuses = items.locator("td:nth-child(3)").evaluate_all("e => e.map(x => x.className)")
    assert statuses == ["status-done"] * total, (statuses, seen_running)
    assert f"{total}" in page.locator("#batch p").first.inner_text()
    axe(page)
    shoot(page, "batch-done")
    with page.expect_download() as started:
        page.click("#batch a.button[href$='/archive.zip']")
    archive = zipfile.ZipFile(io.BytesIO(started.value.path().read_bytes()))
    documents = [n for n in archive.namelist() if n.endswith(".docx")]
    assert len(documents) == total, archive.namelist()
    # The list of batches shows it.
    page.goto("/batches")
    assert "Свердлов району: жумушчу топтор" in page.locator("main").inner_text()
    axe(page)
    shoot(page, "batches")
