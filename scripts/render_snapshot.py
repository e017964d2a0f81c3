"""Render every example in every language and compare what the documents say and how.

    .venv/bin/python -m scripts.render_snapshot save DIR     # the renders of today, as JSON
    .venv/bin/python -m scripts.render_snapshot compare DIR  # today's renders against DIR

A snapshot holds, for each document: the body in order (paragraphs with their text, style,
alignment, keep-with-next and page-break flags; tables with the text of every cell and their
merges; section breaks with page size, orientation, margins, first-page header and page-number
restart), the language of every run as Word sees it (the run's own tag, else the style's), and
the text of the headers. It is what a move of the code must leave unchanged; the XML may differ.
The command line is the interface used, so that the script outlives any reorganisation.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from docx import Document
from docx.oxml.ns import qn

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
LANGUAGES = ("ky", "ru", "ky+ru")
# (kind, example file) pairs; batch items are merged over the batch's shared fields.
SINGLE = (
    ("working-group-order", "uch-korgon-order.json"),
    ("joint-plan", "uch-korgon-plan.json"),
    ("joint-plan", "sverdlovsky-plan.json"),
    ("annual-report", "uch-korgon-report.json"),
)
BATCH = "sverdlovsky-batch.json"


def _merge(shared, item):
    if isinstance(shared, dict) and isinstance(item, dict):
        out = dict(shared)
        for key, value in item.items():
            out[key] = _merge(shared.get(key), value)
        return out
    return item


def inputs() -> list[tuple[str, str, dict]]:
    """(name, kind, payload) of every example in every language."""
    cases = []
    for kind, filename in SINGLE:
        payload = json.loads((EXAMPLES / filename).read_text(encoding="utf-8"))
        for lang in LANGUAGES:
            cases.append((f"{Path(filename).stem}.{lang}", kind, {**payload, "language": lang}))
    batch = json.loads((EXAMPLES / BATCH).read_text(encoding="utf-8"))
    for index, item in enumerate(batch["items"]):
        payload = _merge(batch.get("shared", {}), item)
        for lang in LANGUAGES:
            cases.append((f"batch-{index}.{lang}", batch["kind"], {**payload, "language": lang}))
    return cases


def _render(kind: str, payload: dict, workdir: Path) -> bytes:
    source, target = workdir / "input.json", workdir / "output.docx"
    source.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    subprocess.run(
        [str(ROOT / ".venv" / "bin" / "docgen"), "render", kind, str(source), "-o", str(target)],
        check=True,
        capture_output=True,
    )
    return target.read_bytes()


def _default_language(doc) -> str | None:
    normal = doc.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}")
    style = doc.styles["Normal"].element.find(f"{qn('w:rPr')}/{qn('w:lang')}")
    if style is not None:
        return style.get(qn("w:val"))
    lang = None if normal is None else normal.find(f".//{qn('w:lang')}")
    return None if lang is None else lang.get(qn("w:val"))


def _val(element, tag: str):
    found = element.find(tag)
    if found is None:
        return None
    return found.get(qn("w:val"), "true")


def _paragraph(p, default_lang) -> dict:
    ppr = p.find(qn("w:pPr"))
    runs = []
    for run in p.iter(qn("w:r")):
        text = "".join(t.text or "" for t in run.iter(qn("w:t")))
        if not text:
            continue
        lang = run.find(f"{qn('w:rPr')}/{qn('w:lang')}")
        runs.append([text, default_lang if lang is None else lang.get(qn("w:val"))])
    out = {"text": "".join(r[0] for r in runs), "runs": runs}
    if ppr is not None:
        style = ppr.find(qn("w:pStyle"))
        out.update(
            style=None if style is None else style.get(qn("w:val")),
            align=_val(ppr, qn("w:jc")),
            keep_next=_val(ppr, qn("w:keepNext")),
            page_break=_val(ppr, qn("w:pageBreakBefore")),
        )
        sect = ppr.find(qn("w:sectPr"))
        if sect is not None:
            out["section"] = _section(sect)
    return out


def _section(sect) -> dict:
    size, margins = sect.find(qn("w:pgSz")), sect.find(qn("w:pgMar"))
    number = sect.find(qn("w:pgNumType"))
    return {
        "size": None if size is None else [size.get(qn("w:w")), size.get(qn("w:h"))],
        "orient": None if size is None else size.get(qn("w:orient")),
        "margins": None
        if margins is None
        else [margins.get(qn(f"w:{side}")) for side in ("top", "right", "bottom", "left")],
        "title_page": _val(sect, qn("w:titlePg")),
        "page_start": None if number is None else number.get(qn("w:start")),
        "headers": sorted(ref.get(qn("w:type")) for ref in sect.findall(qn("w:headerReference"))),
    }


def _table(tbl, default_lang) -> dict:
    rows = []
    for tr in tbl.findall(qn("w:tr")):
        cells = []
        for tc in tr.findall(qn("w:tc")):
            tcpr = tc.find(qn("w:tcPr"))
            merge = None if tcpr is None else _val(tcpr, qn("w:vMerge"))
            span = None if tcpr is None else _val(tcpr, qn("w:gridSpan"))
            cells.append(
                {
                    "paragraphs": [_paragraph(p, default_lang) for p in tc.findall(qn("w:p"))],
                    "vmerge": merge,
                    "span": span,
                }
            )
        trpr = tr.find(qn("w:trPr"))
        rows.append(
            {
                "cells": cells,
                "header": trpr is not None and trpr.find(qn("w:tblHeader")) is not None,
                "cant_split": trpr is not None and trpr.find(qn("w:cantSplit")) is not None,
            }
        )
    grid = [col.get(qn("w:w")) for col in tbl.iter(qn("w:gridCol"))]
    return {"grid": grid, "rows": rows}


def describe(content: bytes) -> dict:
    """What a printed reader sees of a .docx, and the language Word checks each run in."""
    from io import BytesIO

    doc = Document(BytesIO(content))
    default_lang = _default_language(doc)
    body = []
    for child in doc.element.body.iterchildren():
        if child.tag == qn("w:p"):
            body.append(["p", _paragraph(child, default_lang)])
        elif child.tag == qn("w:tbl"):
            body.append(["table", _table(child, default_lang)])
        elif child.tag == qn("w:sectPr"):
            body.append(["final-section", _section(child)])
    headers = sorted(
        "".join(t.text or "" for t in rel.target_part.element.iter(qn("w:t")))
        for rel in doc.part.rels.values()
        if rel.reltype.endswith("/header")
    )
    return {"body": body, "headers": headers, "default_language": default_lang}


def snapshot() -> dict[str, dict]:
    with tempfile.TemporaryDirectory() as tmp:
        return {
            name: describe(_render(kind, payload, Path(tmp))) for name, kind, payload in inputs()
        }


def _first_difference(old, new, path="") -> str | None:
    if type(old) is not type(new):
        return f"{path}: {old!r} → {new!r}"
    if isinstance(old, dict):
        for key in sorted(set(old) | set(new)):
            found = _first_difference(old.get(key), new.get(key), f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(old, list):
        for index, (a, b) in enumerate(zip(old, new, strict=False)):
            found = _first_difference(a, b, f"{path}[{index}]")
            if found:
                return found
        if len(old) != len(new):
            return f"{path}: {len(old)} items → {len(new)}"
        return None
    return None if old == new else f"{path}: {old!r} → {new!r}"


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("save", "compare"):
        print(__doc__)
        return 2
    action, directory = argv[0], Path(argv[1])
    current = snapshot()
    if action == "save":
        directory.mkdir(parents=True, exist_ok=True)
        for name, described in current.items():
            (directory / f"{name}.json").write_text(
                json.dumps(described, ensure_ascii=False, indent=1), encoding="utf-8"
            )
        print(f"saved {len(current)} documents to {directory}")
        return 0
    changed = 0
    for name, described in current.items():
        saved = json.loads((directory / f"{name}.json").read_text(encoding="utf-8"))
        difference = _first_difference(saved, described)
        if difference:
            changed += 1
            print(f"{name}: differs at {difference}")
    print(f"{len(current) - changed} of {len(current)} documents identical")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
