"""A batch of orders to PDF, end to end, against the same documents converted by a bare pool.

    .venv/bin/python -m bench.pdf_batch [--items 200] [--converters 2]

In one run, on the embedded default (SQLite, documents and conversions by threads of this
process, `--converters` warm LibreOffice converters):
  pool    the batch's own .docx files converted by a `ConverterPool(--converters)`, one thread
          per converter calling at once: what the converters alone can do;
  batch   `POST /api/v1/batches` with `formats: ["docx", "pdf"]` and `merged_pdf: true`, timed
          from the POST until every item's PDF is done, then the merged PDF downloaded.
Prints one JSON document. Target: batch ≤ 1.5 × pool, with no failed item.
"""

from __future__ import annotations

import argparse
import io
import json
import tempfile
import threading
import time
from pathlib import Path

from pypdf import PdfReader

from service import create_app, extensions
from service.conversion import ConverterPool
from service.db import upgrade
from service.generation import generate_document
from tests.conftest import authorized

ROOT = Path(__file__).resolve().parent.parent


def _items(count: int) -> dict:
    batch = json.loads((ROOT / "examples" / "sverdlovsky-batch.json").read_text("utf-8"))
    base = batch["items"]
    items = []
    for n in range(count):
        item = json.loads(json.dumps(base[n % len(base)]))
        item["number"] = f"01-07/{n + 1}"
        items.append(item)
    batch["items"] = items
    return batch


def _pool_seconds(batch: dict, converters: int) -> float:
    from service.batches.creation import merge

    documents = [
        generate_document(batch["kind"], merge(batch["shared"], item)).content
        for item in batch["items"]
    ]
    pool = ConverterPool(converters, timeout=60, max_conversions=200)
    try:
        pool.convert(documents[0])  # started and warm, as the service's is after its first
        pending = list(documents)
        lock = threading.Lock()

        def work() -> None:
            while True:
                with lock:
                    if not pending:
                        return
                    docx = pending.pop()
                pool.convert(docx)

        started = time.perf_counter()
        threads = [threading.Thread(target=work) for _ in range(converters)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return time.perf_counter() - started
    finally:
        pool.close()


def _batch_seconds(batch: dict, converters: int) -> dict:
    with tempfile.TemporaryDirectory() as workdir:
        url = f"sqlite:///{Path(workdir) / 'docgen.sqlite3'}"
        upgrade(url)
        app = create_app({"DATABASE_URL": url, "CONVERTER_SLOTS": converters})
        authorized(app)
        client = app.test_client()
        try:
            # Warm the converters as a running service's are after its first PDF.
            warm = dict(batch, items=batch["items"][:1], merged_pdf=True)
            _wait(client, client.post("/api/v1/batches", json=warm).get_json())
            started = time.perf_counter()
            made = client.post("/api/v1/batches", json=dict(batch, merged_pdf=True)).get_json()
            progress = _wait(client, made)
            finished = time.perf_counter() - started
            with client.get(progress["links"]["merged_pdf"]) as merged:
                pages = len(PdfReader(io.BytesIO(merged.data)).pages)
            merged_seconds = time.perf_counter() - started - finished
            return {
                "seconds": round(finished, 2),
                "merged_pdf_seconds": round(merged_seconds, 2),
                "merged_pdf_pages": pages,
                "counts": {k: v for k, v in progress["counts"].items() if v},
            }
        finally:
            extensions.dispatcher(app).shutdown()
            extensions.db(app).dispose()


def _wait(client, made: dict, timeout: float = 3600) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        progress = client.get(made["links"]["self"]).get_json()
        if progress["finished"]:
            return progress
        time.sleep(0.25)
    raise TimeoutError("the batch did not finish")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--converters", type=int, default=2)
    args = parser.parse_args()
    batch = _items(args.items)
    pool = _pool_seconds(batch, args.converters)
    made = _batch_seconds(batch, args.converters)
    print(
        json.dumps(
            {
                "items": args.items,
                "converters": args.converters,
                "pool_seconds": round(pool, 2),
                "pool_documents_per_second": round(args.items / pool, 2),
                "batch": made,
                "batch_documents_per_second": round(args.items / made["seconds"], 2),
                "batch_over_pool": round(made["seconds"] / pool, 2),
                "target": "batch_over_pool <= 1.5, no failed item",
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
