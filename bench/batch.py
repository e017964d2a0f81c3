"""A batch of 1,000 working-group orders end to end, on 2 worker processes.

    .venv/bin/python -m bench.batch [--items 1000] [--workers 2] [--runs 3]

POST /api/v1/batches → every item done → the ZIP archive downloaded, over HTTP to the service
run by gunicorn as in production, for several batches one after another on the same workers
(median printed); also the peak memory (VmHWM) of each worker's processes. Starts its own
redis-server, a fresh PostgreSQL database, real `celery -A worker worker` processes (the
harness of the distributed tests) and `gunicorn wsgi:app` on a free local port.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile
from io import BytesIO
from pathlib import Path

from tests.stack import ROOT, Stack, wait_for

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


# The API token of the bench's admin (`docgen users bootstrap`, as `make run` makes it).
TOKEN: dict[str, str] = {}
# The bench polls every 50 ms: far faster than the limits a page is allowed.
UNLIMITED = {
    "RATE_LIMIT_PER_TOKEN": "1000000 per minute",
    "RATE_LIMIT_PER_USER": "1000000 per minute",
    "BATCH_ITEMS_PER_DAY": "0",
}


def _request(url: str, body: dict | None = None) -> bytes:
    data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
    headers = {"Content-Type": "application/json"}
    if TOKEN:
        headers["Authorization"] = f"Bearer {TOKEN['token']}"
    request = urllib.request.Request(url, data=data, headers=headers)
    with urllib.request.urlopen(request, timeout=300) as response:
        return response.read()


def _one_batch(base: str, body: dict) -> dict:
    t0 = time.perf_counter()
    created = json.loads(_request(base + "/api/v1/batches", body))
    t_posted = time.perf_counter()
    links = created["links"]
    while not json.loads(_request(base + links["self"]))["finished"]:
        time.sleep(0.05)
    t_done = time.perf_counter()
    archive = _request(base + links["archive"])
    names = zipfile.ZipFile(BytesIO(archive)).namelist()
    files = sum(name.endswith(".docx") for name in names)  # not the manifests
    t_archive = time.perf_counter()
    counts = json.loads(_request(base + links["self"]))["counts"]
    assert counts["done"] == len(body["items"]) == files, (counts, files)
    return {
        "post_s": round(t_posted - t0, 2),
        "all_done_s": round(t_done - t0, 2),
        "end_to_end_s": round(t_archive - t0, 2),
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _gunicorn(stack: Stack, port: int, log: Path) -> subprocess.Popen:
    """The web service as `make run` starts it, on the stack's database and broker."""
    env = {**os.environ, **stack.env, **UNLIMITED}
    secrets = log.parent / "local-admin"
    subprocess.run(
        [sys.executable, "-m", "service.cli", "users", "bootstrap", "--dir", str(secrets)],
        cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    TOKEN["token"] = (secrets / "token").read_text().strip()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
             "--threads", "8", "--timeout", "300", "wsgi:app"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        try:
            return json.loads(_request(base + "/readyz"))["status"] == "ready"
        except OSError:
            return False

    wait_for(ready, 60, "gunicorn")
    return process


def run(items: int, workers: int, runs: int) -> dict:
    with tempfile.TemporaryDirectory() as workdir:
        stack = Stack(Path(workdir), LOG_LEVEL="WARNING").start()
        web = None
        try:
            started = [stack.worker(concurrency=1) for _ in range(workers)]
            port = _free_port()
            web = _gunicorn(stack, port, Path(workdir) / "gunicorn.log")
            base = f"http://127.0.0.1:{port}"
            results = [_one_batch(base, _body(items, run + 1)) for run in range(runs)]
            peaks = [round(_peak_kib(w.process.pid) / 1024, 1) for w in started]
        finally:
            if web is not None:
                os.killpg(web.pid, signal.SIGTERM)
                web.wait(30)
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
