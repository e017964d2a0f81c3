"""Render only, in one process: this project's render path against naive docxtpl.

    .venv/bin/python -m bench.render [--iterations 200] [--language ky+ru]

Three ways to make the same document (the Uch-Korgon order, same template, same context),
timed in the same run, in alternating rounds so that a busy machine slows all three alike;
each round runs one way several times in a row, after 0.2 s of unrecorded calls that bring it
back to the steady state of a process that makes only documents (after a naive render, the
memory allocator takes a few hundred renders of ours to settle again):
  naive    DocxTemplate(path).render(context) and save, as docxtpl's documentation does it;
  ours     service.rendering.render_file, the service's only render path (generate_document);
  floor    writing the package alone: the same zip entries, compressed the same way (parts
           that do not depend on the context reused as compressed at load, rendered parts
           deflated), from parts rendered beforehand.
Prints medians in ms, documents per second per process, and the ratios naive/ours and
ours/floor, as JSON. Targets: naive/ours ≥ 8, ours/floor ≤ 2.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import time
from pathlib import Path

from docxtpl import DocxTemplate
from jinja2 import Environment, StrictUndefined

from service import rendering
from service.generation import load_input
from service.kinds import KINDS

KIND = "working-group-order"
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "uch-korgon-order.json"
ROUNDS = 10
WARM_UP_SECONDS = 0.2  # of unrecorded calls at the start of each round


def _context(language: str) -> dict:
    payload = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    payload["language"] = language
    return KINDS[KIND].build_context(load_input(KIND, payload))


def _naive(path: Path, context: dict) -> bytes:
    doc = DocxTemplate(path)
    doc.render(context, jinja_env=Environment(autoescape=True, undefined=StrictUndefined))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def measure(iterations: int, language: str) -> dict:
    """Time the three ways in alternating rounds; return medians, throughput and ratios."""
    path = rendering.TEMPLATE_DIR / f"{KIND}.docx"
    context = _context(language)
    compiled = rendering._compiled_file(path)
    parts = compiled.render_parts(context)
    ways = {
        "naive_docxtpl": lambda: _naive(path, context),
        "ours": lambda: rendering.render_file(path, context),
        "package_floor": lambda: compiled.package(parts, {}),
    }
    times: dict[str, list[float]] = {name: [] for name in ways}
    for round_ in range(ROUNDS):
        for name, way in ways.items():
            warm_until = time.perf_counter() + WARM_UP_SECONDS
            while time.perf_counter() < warm_until:
                way()
            for _ in range(iterations // ROUNDS + (round_ < iterations % ROUNDS)):
                start = time.perf_counter()
                way()
                times[name].append(time.perf_counter() - start)
    median_ms = {name: statistics.median(values) * 1000 for name, values in times.items()}
    naive, ours, floor = (median_ms[name] for name in ways)
    return {
        "template": path.name,
        "language": language,
        "iterations": iterations,
        "document_bytes": len(rendering.render_file(path, context)),
        "median_ms": {name: round(ms, 3) for name, ms in median_ms.items()},
        "docs_per_second": {name: round(1000 / ms, 1) for name, ms in median_ms.items()},
        "ratios": {
            "naive_over_ours": round(naive / ours, 2),
            "ours_over_floor": round(ours / floor, 2),
        },
        "targets_met": {
            "naive_over_ours >= 8": naive / ours >= 8,
            "ours_over_floor <= 2": ours / floor <= 2,
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--language", default="ky+ru", choices=["ky+ru", "ky", "ru"])
    args = parser.parse_args()
    print(json.dumps(measure(args.iterations, args.language), indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
