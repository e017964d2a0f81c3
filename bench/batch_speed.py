"""Batches against generation, in the same run: ingestion, end to end, and worker memory.

    .venv/bin/python -m bench.batch_speed [--items 1000] [--workers 2] [--runs 3]

In one run, on one machine, one after another:

1. `generate_document` for the batch's 1,000 items (the Sverdlovsky example's, each with its
   own number, merged over the shared fields as the batch merges them), in this process;
   then in `--workers` processes (a fork pool, each warmed up first): the renderer's speed,
   the yardstick of the rest;
2. ingestion: `POST /api/v1/batches` of the same 1,000 items over HTTP to `gunicorn wsgi:app`
   with no worker running (validation, records and hand-off, nothing else on the CPUs);
   the target is ≤ 1 × generation in one process;
3. end to end with `--workers` real `celery -A worker worker --concurrency 1` processes:
   POST → every item done → the ZIP downloaded, `--runs` batches, median; the target is
   ≥ 25 % of generation's throughput in as many processes;
4. the peak resident memory (VmHWM) of each process of each worker (its main process, its
   pool process, the pool process's child that makes the documents): the target is
   < 150 MiB for each.

Starts its own redis-server, PostgreSQL database, workers and gunicorn (bench.batch's harness).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import signal
import statistics
import tempfile
import time
import zipfile
from io import BytesIO
from pathlib import Path

from bench.batch import _body, _free_port, _gunicorn, _request
from service import generation
from service.batches.creation import merge
from tests.stack import Stack


def _payloads(body: dict) -> list[dict]:
    return [merge(body["shared"], item) for item in body["items"]]


def _generate_all(kind: str, payloads: list[dict]) -> float:
    t0 = time.perf_counter()
    for payload in payloads:
        generation.generate_document(kind, payload)
    return time.perf_counter() - t0


def _generate_part(args) -> float:
    kind, payloads = args
    return _generate_all(kind, payloads)


def generation_speed(body: dict, processes: int) -> dict:
    """Seconds for the items in this process; documents per second in `processes`."""
    kind, payloads = body["kind"], _payloads(body)
    generation.warm_up()
    _generate_all(kind, payloads[:20])
    one = _generate_all(kind, payloads)
    parts = [(kind, payloads[i::processes]) for i in range(processes)]
    context = multiprocessing.get_context("fork")
    with context.Pool(processes, initializer=generation.warm_up) as pool:
        pool.map(_generate_part, [(kind, payloads[:10])] * processes)  # every process warm
        t0 = time.perf_counter()
        pool.map(_generate_part, parts, chunksize=1)
        many = time.perf_counter() - t0
    return {
        "one_process_s": round(one, 2),
        "one_process_docs_per_s": round(len(payloads) / one, 1),
        f"{processes}_processes_docs_per_s": round(len(payloads) / many, 1),
    }


def _peaks_mib(worker) -> list[float]:
    """VmHWM of each process of a worker (main, pool, the pool's child), in MiB."""
    peaks = []
    for pid in sorted(worker.pids()):
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(round(int(line.split()[1]) / 1024, 1))
        except FileNotFoundError:
            pass
    return peaks


def _one_batch(base: str, body: dict) -> dict:
    """POST → every item done → the ZIP downloaded, timed (the archive's documents counted)."""
    t0 = time.perf_counter()
    created = json.loads(_request(base + "/api/v1/batches", body))
    t_posted = time.perf_counter()
    _until_done(base, created["links"])
    t_done = time.perf_counter()
    archive = zipfile.ZipFile(BytesIO(_request(base + created["links"]["archive"])))
    t_archive = time.perf_counter()
    documents = [n for n in archive.namelist() if n.endswith(".docx")]
    counts = json.loads(_request(base + created["links"]["self"]))["counts"]
    assert counts["done"] == len(body["items"]) == len(documents), (counts, len(documents))
    return {
        "post_s": round(t_posted - t0, 2),
        "all_done_s": round(t_done - t0, 2),
        "end_to_end_s": round(t_archive - t0, 2),
    }


def _until_done(base: str, links: dict) -> None:
    while not json.loads(_request(base + links["self"]))["finished"]:
        time.sleep(0.05)


def run(items: int, workers: int, runs: int) -> dict:
    results: dict = {"items": items, "workers": workers}
    results["generate_document"] = generation_speed(_body(items, 0), workers)
    with tempfile.TemporaryDirectory() as workdir:
        stack = Stack(Path(workdir), LOG_LEVEL="WARNING").start()
        web = None
        try:
            port = _free_port()
            web = _gunicorn(stack, port, Path(workdir) / "gunicorn.log")
            base = f"http://127.0.0.1:{port}"
            _request(base + "/api/v1/batches", _body(20, 99))  # the web process warm
            ingest = []
            for n in range(runs):
                t0 = time.perf_counter()
                created = json.loads(_request(base + "/api/v1/batches", _body(items, 100 + n)))
                ingest.append(round(time.perf_counter() - t0, 2))
            started = [stack.worker(concurrency=1) for _ in range(workers)]
            _until_done(base, created["links"])  # the ingested batches drained
            e2e = [_one_batch(base, _body(items, run + 1)) for run in range(runs)]
            results["peak_rss_mib_per_worker_process"] = [_peaks_mib(w) for w in started]
        finally:
            if web is not None:
                os.killpg(web.pid, signal.SIGTERM)
                web.wait(30)
            stack.stop()
    one = results["generate_document"]["one_process_s"]
    many = results["generate_document"][f"{workers}_processes_docs_per_s"]
    median_ingest = statistics.median(ingest)
    median_e2e = statistics.median(r["end_to_end_s"] for r in e2e)
    results["ingestion_post_s"] = ingest
    results["ingestion_over_generation"] = round(median_ingest / one, 2)
    results["end_to_end"] = e2e
    results["end_to_end_docs_per_s"] = round(items / median_e2e, 1)
    results["end_to_end_share_of_generation"] = round(items / median_e2e / many, 3)
    results["targets"] = {
        "ingestion_over_generation": "<= 1",
        "end_to_end_share_of_generation": ">= 0.25",
        "peak_rss_mib": "< 150",
    }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(json.dumps(run(args.items, args.workers, args.runs), indent=2))


if __name__ == "__main__":
    main()
