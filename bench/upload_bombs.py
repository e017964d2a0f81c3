"""Hostile uploads drill: what refusing each bomb costs, next to reading a real 5,000-item sheet.

    .venv/bin/python -m bench.upload_bombs

Each case runs `items_from_table` (what POST /api/v1/batches calls on an upload) in a fresh
child process, so that its peak resident memory (getrusage's ru_maxrss, less the process'
own before the call) and its CPU time are its own; Python's own allocations are traced too
(tracemalloc, a second run of the same call). The files are made by the builders of
tests/test_uploads.py; the 1 GiB bomb packs into about 1 MB. Prints JSON.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import resource
import time
import tracemalloc
import zipfile
from io import BytesIO

from service.batches.tables import items_from_table
from service.errors import InvalidInput
from tests import test_uploads as build

MIB = 1024 * 1024


def _cases() -> dict[str, tuple[bytes, str]]:
    from service.schemas.batch import MAX_ITEMS

    return {
        "legit_xlsx_5000_rows": (build.legit_xlsx(), "batch.xlsx"),
        "legit_csv_5000_rows": (build.legit_csv(), "batch.csv"),
        "zip_bomb_1_gib_sheet": (build.zip_bomb(1024), "bomb.xlsx"),
        "lzma_member": (
            build.package(build.sheet(build.number_rows(3)), method=zipfile.ZIP_LZMA),
            "lzma.xlsx",
        ),
        "xlsx_5001_items": (build.package(build.sheet(build.number_rows(MAX_ITEMS + 1))), "n.xlsx"),
        "csv_5001_items": (
            ("number\n" + "".join(f"01-07/{n}\n" for n in range(MAX_ITEMS + 1))).encode(),
            "n.csv",
        ),
        "row_of_20000_cells": (build.wide_row(20_000), "wide.xlsx"),
        "value_in_column_300": (build.wide_row(10, first_value_column=300), "wide.xlsx"),
        "dimension_A1_XFD1048576": (
            build.package(
                build.sheet(build.number_rows(2), head=b'<dimension ref="A1:XFD1048576"/>')
            ),
            "claims.xlsx",
        ),
        "billion_laughs": (build.billion_laughs(), "laughs.xlsx"),
    }


def _measure(content: bytes, filename: str, out) -> None:
    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    try:
        items, _ = items_from_table(content, filename)
        outcome = f"read {len(items)} items"
    except InvalidInput as refused:
        outcome = f"refused: {refused.errors['file'][0]}"
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    tracemalloc.start()
    with contextlib.suppress(InvalidInput):
        items_from_table(content, filename)
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    out.send(
        {
            "outcome": outcome,
            "cpu_s": round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 3),
            "wall_s": round(wall, 3),
            "peak_rss_growth_mib": round((after.ru_maxrss - before.ru_maxrss) / 1024, 1),
            "tracemalloc_peak_mib": round(traced_peak / MIB, 1),
        }
    )


def _sizes(content: bytes) -> dict:
    sizes = {"bytes": len(content)}
    try:
        archive = zipfile.ZipFile(BytesIO(content))
    except zipfile.BadZipFile:
        return sizes
    sizes["unpacked_bytes"] = sum(i.file_size for i in archive.infolist())
    sizes["worst_part_ratio"] = round(
        max(i.file_size / max(i.compress_size, 1) for i in archive.infolist()), 1
    )
    return sizes


def main() -> None:
    context = multiprocessing.get_context("fork")
    results = {}
    for name, (content, filename) in _cases().items():
        receive, send = context.Pipe(duplex=False)
        child = context.Process(target=_measure, args=(content, filename, send))
        child.start()
        results[name] = _sizes(content) | receive.recv()
        child.join()
    print(json.dumps(results, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
