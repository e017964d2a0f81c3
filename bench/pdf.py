"""DOCX → PDF: cold soffice per document, a bare warm unoserver, the pool with 1 and 2 slots.

    .venv/bin/python -m bench.pdf [--rounds 3] [--per-round 6] [--cold-runs 3]
                                  [--memory-conversions 1000] [--max-conversions 200]

The three example kinds (the Uch-Korgon order, plan and report, ky+ru), in one run:
  cold       `soffice --headless --convert-to pdf` per document (its profile made beforehand);
  unoserver  a bare warm unoserver conversion (`UnoConverter.convert(indata=…,
             update_index=False)`, no XML-RPC), in the converter environment, on its own warm
             soffice: the reference the pool must not be slower than; skipped when unoserver
             is not installed there (`.venv/bin/pip --python var/converter-env/bin/python
             install unoserver`: for this bench only, the service does not use it);
  pool-1     `ConverterPool(1)`, one call after another;
  pool-2     `ConverterPool(2)`, two threads calling at once.
The warm ways run in alternating rounds (each kind `--per-round` times per way and round,
after one unrecorded conversion), pool-1 and unoserver taking turns conversion by
conversion, so that a busy machine slows them alike; pool-1's documents per second are its
calls' own time, pool-2's the wall time of its two threads. Then the memory:
`--memory-conversions` conversions (the kinds in turn) on a pool of 2 slots restarted every
`--max-conversions`, each converter's RSS (its soffice.bin alone) read after each conversion.
Prints one JSON document: seconds per document (median), documents per second, the ratios.
Targets: pool-1 / unoserver ≤ 1 (cost per document); pool-2 / pool-1 ≥ 1.7 (throughput).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from service.config import CONVERTER_SETTINGS
from service.conversion import ConverterPool, default_python
from service.conversion.pool import _office_pid
from service.generation import generate_document

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = {
    "order": ("working-group-order", "uch-korgon-order.json"),
    "plan": ("joint-plan", "uch-korgon-plan.json"),
    "report": ("annual-report", "uch-korgon-report.json"),
}
TIMEOUT = 120
# Runs under the converter environment's Python: for each path read from its input, one
# conversion, its seconds written back on a line.
UNOSERVER_CLIENT = """
import sys, time
from unoserver.converter import UnoConverter
converter = UnoConverter(interface="127.0.0.1", port=sys.argv[1])
print("ready", flush=True)
for line in sys.stdin:
    data = open(line.strip(), "rb").read()
    started = time.perf_counter()
    converter.convert(indata=data, convert_to="pdf", update_index=False)
    print(time.perf_counter() - started, flush=True)
"""


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU seconds the processes have used so far."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def pool_pids(pool: ConverterPool) -> list[int]:
    """Each slot's soffice.bin and bridge."""
    slots = pool.health()["slots"]
    return [pid for slot in slots for pid in (slot["pid"], slot["bridge_pid"]) if pid]


def documents() -> dict[str, bytes]:
    return {
        name: generate_document(
            kind, json.loads((ROOT / "examples" / example).read_text(encoding="utf-8"))
        ).content
        for name, (kind, example) in EXAMPLES.items()
    }


def _soffice_command(profile: Path) -> list[str]:
    return ["soffice", "--headless", "--invisible", "--norestore", "--nologo",
            f"-env:UserInstallation={profile.as_uri()}"]  # fmt: skip


def cold(files: dict[str, Path], runs: int, workdir: Path) -> dict[str, list[float]]:
    """Seconds of one `soffice --convert-to pdf` process per document."""
    profile = workdir / "cold-profile"
    outdir = workdir / "cold-out"

    def run(path: Path) -> float:
        started = time.perf_counter()
        subprocess.run(
            [*_soffice_command(profile), "--convert-to", "pdf", "--outdir", str(outdir),
             str(path)],
            check=True, capture_output=True, timeout=TIMEOUT,
        )  # fmt: skip
        elapsed = time.perf_counter() - started
        assert (outdir / f"{path.stem}.pdf").stat().st_size > 0
        return elapsed

    run(files["order"])  # makes the profile, unrecorded
    return {name: [run(path) for _ in range(runs)] for name, path in files.items()}


class Unoserver:
    """A warm soffice listening on a socket, converted to by unoserver's own converter."""

    def __init__(self, workdir: Path):
        self.python = default_python()
        probe = subprocess.run([self.python, "-c", "import unoserver"], capture_output=True)
        self.available = probe.returncode == 0
        if not self.available:
            return
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.process = subprocess.Popen(
            [*_soffice_command(workdir / "unoserver-profile"),
             f"--accept=socket,host=127.0.0.1,port={self.port};urp;StarOffice.ComponentContext"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip

    def connect(self) -> None:
        """Start the client once soffice accepts connections."""
        deadline = time.monotonic() + TIMEOUT
        while True:
            self.client = subprocess.Popen(
                [self.python, "-c", UNOSERVER_CLIENT, str(self.port)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                text=True,
            )  # fmt: skip
            if self.client.stdout.readline().strip() == "ready":
                self.pids = [_office_pid(self.process.pid), self.client.pid]
                return
            self.client.wait()  # soffice not listening yet: NoConnectException
            if time.monotonic() > deadline:
                raise RuntimeError("unoserver could not connect to its soffice")
            time.sleep(0.2)

    def convert(self, path: Path) -> float:
        """Seconds of one conversion, as timed around unoserver's convert()."""
        self.client.stdin.write(f"{path}\n")
        self.client.stdin.flush()
        line = self.client.stdout.readline()
        if not line:
            raise RuntimeError("unoserver's client died")
        return float(line)

    def close(self) -> None:
        if self.available:
            self.client.kill()
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def pooled(pool: ConverterPool, docx: bytes, count: int, threads: int) -> tuple[float, list]:
    """Convert `count` documents on each of `threads` threads at once, after one unrecorded
    conversion per thread: (seconds, seconds of each call)."""
    calls: list[float] = []
    ready = threading.Barrier(threads + 1)

    def work() -> None:
        pool.convert(docx)
        ready.wait()
        for _ in range(count):
            started = time.perf_counter()
            pool.convert(docx)
            calls.append(time.perf_counter() - started)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    ready.wait()
    started = time.perf_counter()
    for worker in workers:
        worker.join()
    return time.perf_counter() - started, calls


def memory(docs: dict[str, bytes], conversions: int, max_conversions: int, workdir: Path):
    """RSS of each converter over `conversions` conversions on 2 slots restarted after
    `max_conversions`; one sample per conversion."""
    samples: dict[int, list[tuple[int, int]]] = {0: [], 1: []}  # slot → (since start, KiB)
    order = list(docs.values())
    counter = iter(range(conversions))
    lock = threading.Lock()
    with ConverterPool(
        2, timeout=TIMEOUT, max_conversions=max_conversions, workdir=workdir
    ) as pool:
        pool.start()
        started_rss = [slot["rss_kib"] for slot in pool.health()["slots"]]

        def work() -> None:
            while True:
                with lock:
                    number = next(counter, None)
                if number is None:
                    return
                pool.convert(order[number % len(order)])
                for slot in pool.health()["slots"]:
                    if slot["state"] in ("idle", "busy") and slot["rss_kib"]:
                        samples[slot["slot"]].append((slot["conversions"], slot["rss_kib"]))

        started = time.perf_counter()
        workers = [threading.Thread(target=work) for _ in range(2)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        elapsed = time.perf_counter() - started
        health = pool.health()
    result = {
        "conversions": conversions,
        "max_conversions": max_conversions,
        "seconds": round(elapsed, 1),
        "restarts": health["restarts"],
        "failures": health["failures"],
        "converters": [],
    }
    for slot, points in samples.items():
        by_age: dict[int, list[int]] = {}
        for age, rss in points:
            by_age.setdefault(age, []).append(rss)
        checkpoints = sorted(
            {1, 10, 50, 100, max_conversions // 2, max_conversions - 1} & set(by_age)
        )
        result["converters"].append(
            {
                "slot": slot,
                "rss_after_start_mib": round(started_rss[slot] / 1024, 1),
                "peak_rss_mib": round(max(rss for _, rss in points) / 1024, 1),
                "rss_by_conversions_since_start_mib": {
                    age: round(statistics.median(by_age[age]) / 1024, 1) for age in checkpoints
                },
            }
        )
    return result


def median_ms(values: list[float]) -> float:
    return round(statistics.median(values) * 1000, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--per-round", type=int, default=6)
    parser.add_argument("--cold-runs", type=int, default=3)
    parser.add_argument("--memory-conversions", type=int, default=1000)
    parser.add_argument(
        "--max-conversions", type=int, default=CONVERTER_SETTINGS["CONVERTER_MAX_CONVERSIONS"]
    )
    args = parser.parse_args()
    docs = documents()
    workdir = Path(tempfile.mkdtemp(prefix="bench-pdf-"))
    try:
        files = {}
        for name, docx in docs.items():
            files[name] = workdir / f"{name}.docx"
            files[name].write_bytes(docx)
        cold_times = cold(files, args.cold_runs, workdir)
        unoserver = Unoserver(workdir)
        bare: dict[str, list[float]] = {name: [] for name in docs}
        one: dict[str, list[float]] = {name: [] for name in docs}
        two: dict[str, list[float]] = {name: [] for name in docs}
        cpu_bare = dict.fromkeys(docs, 0.0)
        cpu_one = dict.fromkeys(docs, 0.0)
        cpu_two = dict.fromkeys(docs, 0.0)
        totals = {way: {name: [0.0, 0] for name in docs} for way in ("pool-1", "pool-2")}
        big = 10**6  # no restart inside the timed rounds
        with (
            ConverterPool(1, timeout=TIMEOUT, max_conversions=big, workdir=workdir) as pool_1,
            ConverterPool(2, timeout=TIMEOUT, max_conversions=big, workdir=workdir) as pool_2,
        ):
            pool_1.start()
            pool_2.start()
            if unoserver.available:
                unoserver.connect()
            for _ in range(args.rounds):
                for name, docx in docs.items():
                    # pool-1 and unoserver one conversion each in turn, after one unrecorded.
                    pool_1.convert(docx)
                    if unoserver.available:
                        unoserver.convert(files[name])
                    pids_1 = pool_pids(pool_1)
                    for number in range(args.per_round):
                        if unoserver.available and number % 2:
                            cpu = cpu_seconds(unoserver.pids)
                            bare[name].append(unoserver.convert(files[name]))
                            cpu_bare[name] += cpu_seconds(unoserver.pids) - cpu
                        cpu = cpu_seconds(pids_1)
                        call = time.perf_counter()
                        pool_1.convert(docx)
                        one[name].append(time.perf_counter() - call)
                        cpu_one[name] += cpu_seconds(pids_1) - cpu
                        if unoserver.available and not number % 2:
                            cpu = cpu_seconds(unoserver.pids)
                            bare[name].append(unoserver.convert(files[name]))
                            cpu_bare[name] += cpu_seconds(unoserver.pids) - cpu
                    totals["pool-1"][name][0] += sum(one[name][-args.per_round :])
                    totals["pool-1"][name][1] += args.per_round
                    pids_2 = pool_pids(pool_2)
                    cpu = cpu_seconds(pids_2)
                    seconds, calls = pooled(pool_2, docx, args.per_round, 2)
                    cpu_two[name] += cpu_seconds(pids_2) - cpu
                    two[name] += calls
                    totals["pool-2"][name][0] += seconds
                    totals["pool-2"][name][1] += len(calls)
        unoserver.close()
        result: dict = {"kinds": {}}
        for name in docs:
            per_second = {
                way: round(totals[way][name][1] / totals[way][name][0], 2) for way in totals
            }
            entry = {
                "cold_ms": median_ms(cold_times[name]),
                "cold_per_second": round(1 / statistics.median(cold_times[name]), 2),
                "pool_1_ms": median_ms(one[name]),
                "pool_1_per_second": per_second["pool-1"],
                "pool_2_call_ms": median_ms(two[name]),
                "pool_2_per_second": per_second["pool-2"],
                "pool_2_over_pool_1": round(per_second["pool-2"] / per_second["pool-1"], 2),
                "pool_1_cpu_ms": round(cpu_one[name] / len(one[name]) * 1000, 1),
                # pool-2's warm-up conversions (one per thread) fall in its CPU time too
                "pool_2_cpu_ms": round(
                    cpu_two[name] / (len(two[name]) + 2 * args.rounds) * 1000, 1
                ),
                "cold_over_pool_1": round(
                    statistics.median(cold_times[name]) / statistics.median(one[name]), 1
                ),
            }
            if bare[name]:
                entry["unoserver_ms"] = median_ms(bare[name])
                entry["unoserver_cpu_ms"] = round(cpu_bare[name] / len(bare[name]) * 1000, 1)
                entry["pool_1_cpu_over_unoserver_cpu"] = round(
                    entry["pool_1_cpu_ms"] / entry["unoserver_cpu_ms"], 2
                )
                entry["pool_1_over_unoserver"] = round(
                    statistics.median(one[name]) / statistics.median(bare[name]), 2
                )
            result["kinds"][name] = entry
        if args.memory_conversions:
            result["memory"] = memory(
                docs, args.memory_conversions, args.max_conversions, workdir / "memory"
            )
        result["machine"] = {"cpus": os.cpu_count(), "load_average": os.getloadavg()}
        print(json.dumps(result, indent=2))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
