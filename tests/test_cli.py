"""The command line renders without a server, with the same validation as the API."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import EXAMPLES, ROOT
from tests.docx_reading import open_docx, paragraphs


def docgen(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def test_render_the_seed_order(tmp_path):
    out = tmp_path / "order.docx"
    result = docgen(
        "render", "working-group-order", str(EXAMPLES / "uch-korgon-order.json"), "-o", str(out)
    )
    assert result.returncode == 0, result.stderr
    text = paragraphs(open_docx(out.read_bytes()))
    assert "БУЙРУК КЫЛАМ:" in text and "РАСПОРЯЖАЮ:" in text


def test_language_override(tmp_path):
    out = tmp_path / "order.docx"
    result = docgen(
        "render", "working-group-order", str(EXAMPLES / "uch-korgon-order.json"),
        "-o", str(out), "--language", "ru",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    text = paragraphs(open_docx(out.read_bytes()))
    assert "РАСПОРЯЖАЮ:" in text and "БУЙРУК КЫЛАМ:" not in text


def test_invalid_input_lists_the_fields(tmp_path):
    data = json.loads((EXAMPLES / "uch-korgon-order.json").read_text(encoding="utf-8"))
    data["members"][1]["position"] = {"ru": "инспектор"}
    source = tmp_path / "bad.json"
    source.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "bad.docx"
    result = docgen("render", "working-group-order", str(source), "-o", str(out))
    assert result.returncode == 2
    assert "members.1.position.ky: Missing Kyrgyz text." in result.stderr
    assert not out.exists()


def test_malformed_json(tmp_path):
    source = tmp_path / "broken.json"
    source.write_text("{", encoding="utf-8")
    result = docgen("render", "working-group-order", str(source), "-o", str(tmp_path / "x.docx"))
    assert result.returncode == 1 and "not valid JSON" in result.stderr


def test_plan_warnings_are_printed(tmp_path):
    plan = json.loads((EXAMPLES / "uch-korgon-plan.json").read_text(encoding="utf-8"))
    plan["problems"].pop()
    source = tmp_path / "plan.json"
    source.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "plan.docx"
    result = docgen("render", "joint-plan", str(source), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "warning: A plan usually has 4 or 5 priority problems; this one has 3." in result.stderr
    assert out.stat().st_size > 0


def test_templates_lint_passes_a_shipped_template_and_names_what_is_wrong_in_another(tmp_path):
    from docx import Document

    shipped = ROOT / "service" / "templates_docx" / "working-group-order.docx"
    result = docgen("templates", "lint", str(shipped), "--kind", "working-group-order")
    assert result.returncode == 0, result.stderr

    doc = Document(str(shipped))
    doc.add_paragraph("{{ part.head_nmae }}")  # a typo a template author makes
    broken = tmp_path / "broken.docx"
    doc.save(broken)
    result = docgen("templates", "lint", str(broken), "--kind", "working-group-order")
    assert result.returncode == 1
    assert "head_nmae" in result.stderr and "paragraph" in result.stderr
