"""Template → bytes: the only module that knows docxtpl.

User text is data, never template code: Jinja autoescaping turns «&», «<», «>» and quotes into
XML entities, and StrictUndefined makes a missing value an error instead of an empty line.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from docxtpl import DocxTemplate
from jinja2 import Environment, StrictUndefined

TEMPLATE_DIR = Path(__file__).parent / "templates_docx"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _environment() -> Environment:
    return Environment(autoescape=True, undefined=StrictUndefined)


@cache
def template_bytes(name: str) -> bytes:
    return (TEMPLATE_DIR / f"{name}.docx").read_bytes()


def render_docx(template: str, context: dict) -> bytes:
    """Render the template `template` (file stem) with a context of plain values."""
    doc = DocxTemplate(io.BytesIO(template_bytes(template)))
    doc.render(context, jinja_env=_environment())
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
