"""A batch of 1,000 working-group orders end to end, on 2 worker processes.

    .venv/bin/python -m bench.batch [--items 1000] [--workers 2] [--runs 3]

POST /api/v1/batches → every item done → the ZIP archive downloaded, for several batches one
after another on the same workers (median printed); also the peak memory
(VmHWM) of each worker's processes. Starts its own redis-server, a fresh PostgreSQL database
and real `celery -A worker worker` processes (the harness of the distributed tests).
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
import zipfile
from io import BytesIO
from pathlib import Path

from service import create_app
from tests.stack import Stack

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "sverdlovsky-batch.json"


def _peak_kib(pid: int) -> int:
    """The highest resident set size of a process and its children, in KiB."""
    peak = 0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
        except FileNotFoundError:
            pass
    return peak


def _body(items: int, run: int) -> dict:
    """The Sverdlovsky example's items repeated up to `items`, each with its own number."""
    example = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    base = example["items"]
    batch_items = []
    for n in range(items):
        item = json.loads(json.dumps(base[n % len(base)]))
        item["number"] = f"01-07/{run}-{n + 1}"
        batch_items.append(item)
    return {"kind": example["kind"], "shared": example["shared"], "items": batch_items}


def _one_batch(client, body: dict) -> dict:
    t0 = time.perf_counter()
    created = client.post("/api/v1/batches", json=body)
    assert created.status_code == 202, created.get_json()
    t_posted = time.perf_counter()
    links = created.get_json()["links"]
    while not client.get(links["self"]).get_json()["finished"]:
        time.sleep(0.05)
    t_done = time.perf_counter()
    with client.get(links["archive"]) as archive:
        files = len(zipfile.ZipFile(BytesIO(archive.data)).namelist()) - 1  # minus the manifest
    t_archive = time.perf_counter()
    counts = client.get(links["self"]).get_json()["counts"]
    assert counts["done"] == len(body["items"]) == files, (counts, files)
    return {
        "post_s": round(t_posted - t0, 2),
        "all_done_s": round(t_done - t0, 2),
        "end_to_end_s": round(t_archive - t0, 2),
    }


def run(items: int, workers: int, runs: int) -> dict:
    with tempfile.TemporaryDirectory() as workdir:
        stack = Stack(Path(workdir), QUEUED_GRACE_SECONDS=600, LOG_LEVEL="WARNING").start()
        try:
            started = [stack.worker(concurrency=1) for _ in range(workers)]
            app = create_app(stack.app_config())
            client = app.test_client()
            results = [_one_batch(client, _body(items, run + 1)) for run in range(runs)]
            peaks = [round(_peak_kib(w.process.pid) / 1024, 1) for w in started]
            app.extensions["dispatcher"].shutdown()
        finally:
            stack.stop()
    end_to_end = statistics.median(r["end_to_end_s"] for r in results)
    return {
        "items": items,
        "workers": workers,
        "runs": results,
        "median_post_s": statistics.median(r["post_s"] for r in results),
        "median_end_to_end_s": end_to_end,
        "documents_per_s": round(items / end_to_end, 1),
        "target_end_to_end_s": 15,
        "peak_rss_mib_per_worker": peaks,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3, help="batches, one after another")
    args = parser.parse_args()
    print(json.dumps(run(args.items, args.workers, args.runs), indent=2))


if __name__ == "__main__":
    main()
