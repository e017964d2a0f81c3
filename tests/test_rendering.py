"""The cached render path against docxtpl itself: same parts, same XML, for any template.

Each comparison renders the same template and context twice, once with service.rendering and
once the naive way (a fresh DocxTemplate, render, save; its `patch_xml` wrapped in the same
load steps, `steps.prepare_xml`, since docxtpl alone knows neither `{% keepnext %}` nor the
language and page-number steps), and compares the zip entry names and,
for every XML part, its canonical form (C14N: attribute order, namespace declarations and
character escapes do not count, everything else does). No part is left out: docProps/core.xml
included, since python-docx rewrites its timestamps only for a file without core properties,
and every template here has them.
"""

from __future__ import annotations

import base64
import copy
import io
import json
import shutil
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from docx import Document
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docxtpl import DocxTemplate
from jinja2 import Environment, StrictUndefined, TemplateSyntaxError, UndefinedError
from lxml import etree

from service import rendering
from service.generation import generate_document, load_input
from service.kinds import KINDS
from service.language.typography import polish_context
from service.rendering import TEMPLATE_DIR, engine, render_docx, render_file
from service.rendering.steps import prepare_xml
from tests.docx_reading import all_text, open_docx, tables

ROOT = Path(__file__).resolve().parent.parent
ORDER = "working-group-order"
HOSTILE = "Айпери ‹Тест & «кавычки»>"
TEMPLATE_CODE = "{{ 7*7 }}"
# A 1×1 PNG, for templates with pictures.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
)
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


class LoadedTemplate(DocxTemplate):
    """docxtpl itself, with the load steps the service applies to a template, and its file
    properties rendered without autoescaping: python-docx escapes them itself, and docxtpl's
    own render_properties with an autoescaping environment would write «&amp;amp;» for «&»
    (the service does not; see test_file_properties_are_escaped_once)."""

    def patch_xml(self, src_xml):
        return prepare_xml(src_xml)

    def render_properties(self, context, jinja_env=None):
        super().render_properties(context, Environment(undefined=StrictUndefined))


def naive(path: Path, context: dict) -> bytes:
    """Render as docxtpl's documentation does, with the service's Jinja settings."""
    doc = LoadedTemplate(path)
    doc.render(context, jinja_env=Environment(autoescape=True, undefined=StrictUndefined))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def canonical(content: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        assert package.testzip() is None
        entries = []
        for name in package.namelist():
            data = package.read(name)
            if name.endswith((".xml", ".rels")):
                data = etree.tostring(etree.fromstring(data), method="c14n")
            entries.append((name, data))
    return entries


def assert_same_as_docxtpl(path: Path, context: dict) -> bytes:
    ours = render_file(path, copy.deepcopy(context))
    theirs = naive(path, copy.deepcopy(context))
    ours_entries, their_entries = canonical(ours), canonical(theirs)
    assert [name for name, _ in ours_entries] == [name for name, _ in their_entries]
    assert ours_entries[0][0] == "[Content_Types].xml"  # Word expects it first
    for (name, data), (_, expected) in zip(ours_entries, their_entries, strict=True):
        assert data == expected, name
    return ours


def order_context(language: str = "ky+ru") -> dict:
    payload = json.loads((ROOT / "examples" / "uch-korgon-order.json").read_text("utf-8"))
    payload["language"] = language
    return KINDS[ORDER].build_context(load_input(ORDER, payload))


@pytest.fixture
def parsed_bodies(monkeypatch) -> list[str]:
    """Collect the rendered bodies that go through lxml for fix_tables and fix_docpr_ids."""
    parsed: list[str] = []
    fix_body_tree = engine._fix_body_tree

    def spy(xml: str) -> bytes:
        parsed.append(xml)
        return fix_body_tree(xml)

    monkeypatch.setattr(engine, "_fix_body_tree", spy)
    return parsed


# --- the real template ---------------------------------------------------------------------


@pytest.mark.parametrize("language", ["ky+ru", "ru", "ky"])
def test_order_is_what_docxtpl_makes(language):
    assert_same_as_docxtpl(TEMPLATE_DIR / f"{ORDER}.docx", order_context(language))


@pytest.mark.parametrize(
    ("kind", "example"),
    [("joint-plan", "uch-korgon-plan"), ("annual-report", "uch-korgon-report")],
)
@pytest.mark.parametrize("language", ["ky+ru", "ru", "ky"])
def test_plan_and_report_are_what_docxtpl_makes(kind, example, language):
    payload = json.loads((ROOT / "examples" / f"{example}.json").read_text("utf-8"))
    payload["language"] = language
    spec = KINDS[kind]
    context = polish_context(spec.build_context(load_input(kind, payload)))
    assert_same_as_docxtpl(spec.template, context)


def test_order_with_empty_tables_is_what_docxtpl_makes():
    # docxtpl's fix_tables drops the grid of a table whose `{%tr for %}` made no row.
    context = order_context("ru")
    context["parts"][0]["officers"] = []
    assert_same_as_docxtpl(TEMPLATE_DIR / f"{ORDER}.docx", context)


def test_order_with_line_breaks_and_control_characters_is_what_docxtpl_makes():
    context = order_context("ru")
    part = context["parts"][0]
    part["preamble"] = "Первая строка\nвторая строка\tпосле табуляции"
    part["subject"] = "Текст из PDF\x0bс вертикальной табуляцией"
    assert_same_as_docxtpl(TEMPLATE_DIR / f"{ORDER}.docx", context)


def test_docxtpl_brace_escapes_in_values_are_what_docxtpl_makes():
    # docxtpl turns «{_{», «}_}», «{_%» and «%_}» in its output into «{{», «}}», «{%», «%}».
    context = order_context("ru")
    context["parts"][0]["subject"] = "Скобки {_{ и }_}, {_% и %_} в тексте"
    assert_same_as_docxtpl(TEMPLATE_DIR / f"{ORDER}.docx", context)


def test_user_text_is_printed_as_typed():
    context = order_context("ru")
    context["parts"][0]["subject"] = HOSTILE
    context["parts"][0]["officers"][0]["name"] = TEMPLATE_CODE
    doc = open_docx(render_docx(ORDER, context))
    assert HOSTILE in all_text(doc)
    assert TEMPLATE_CODE in [row[1] for table in tables(doc) for row in table]
    assert "49" not in all_text(doc)


def test_missing_value_is_an_error():
    context = order_context("ru")
    del context["parts"][0]["subject"]
    with pytest.raises(UndefinedError):
        render_docx(ORDER, context)


def test_body_is_parsed_only_when_docxtpl_would_change_it(parsed_bodies):
    context = order_context("ky+ru")
    render_docx(ORDER, context)
    assert parsed_bodies == []
    context["parts"][1]["officers"] = []
    render_docx(ORDER, context)
    assert len(parsed_bodies) == 1


def test_template_bytes_are_the_file():
    assert rendering.template_bytes(ORDER) == (TEMPLATE_DIR / f"{ORDER}.docx").read_bytes()


# --- templates with the parts and features the order does not have -------------------------


def build_template(path: Path, *, column_loop: bool = False, footnotes: bool = True) -> Path:
    """Write a template with headers, footers, pictures, sections, footnotes and table loops."""
    doc = Document()
    doc.core_properties.title = "{{ title }}"
    doc.core_properties.subject = "Plain & simple"
    first = doc.sections[0]
    first.header.paragraphs[0].text = "Header: {{ title }}"
    first.header.paragraphs[0].add_run().add_picture(io.BytesIO(PNG))
    first.footer.paragraphs[0].text = "Footer {{ rows|length }}"
    doc.add_paragraph("{{ title }}")
    doc.add_paragraph("{%p for row in rows %}")
    doc.add_paragraph("{{ row.name }}").add_run().add_picture(io.BytesIO(PNG))
    doc.add_paragraph("{%p endfor %}")
    # A line break typed into a run stays a raw newline in <w:t>, which docxtpl turns into
    # <w:br/> (and which makes it number the template's lines differently).
    doc.add_paragraph().add_run()._r.add_t("first line\nsecond line")

    table = doc.add_table(rows=4, cols=2)
    merged = table.cell(0, 0).merge(table.cell(0, 1))  # a full row always there
    merged.text = "{{ title }}"
    table.cell(1, 0).text = "{%tr for row in rows %}"
    table.cell(2, 0).text = "{{ row.name }}"
    table.cell(2, 1).text = "{{ row.value }}"
    table.cell(3, 0).text = "{%tr endfor %}"

    rows_only = doc.add_table(rows=3, cols=2)
    rows_only.cell(0, 0).text = "{%tr for row in rows %}"
    rows_only.cell(1, 0).text = "{{ row.name }}"
    rows_only.cell(1, 1).text = "{{ row.value }}"
    rows_only.cell(2, 0).text = "{%tr endfor %}"

    if column_loop:
        columns = doc.add_table(rows=1, cols=3)
        columns.cell(0, 0).text = "{%tc for column in columns %}"
        columns.cell(0, 1).text = "{{ column }}"
        columns.cell(0, 2).text = "{%tc endfor %}"

    second = doc.add_section()
    second.header.is_linked_to_previous = False
    second.header.paragraphs[0].text = "Second section: {{ title }}"
    doc.add_paragraph("In the second section.")

    if footnotes:
        xml = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<w:footnotes xmlns:w="{W}"><w:footnote w:id="1"><w:p><w:r>'
            "<w:t>Note: {{ note }}</w:t></w:r></w:p></w:footnote></w:footnotes>"
        )
        part = Part(
            PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, xml.encode(), doc.part.package
        )
        doc.part.relate_to(part, RT.FOOTNOTES)
    doc.save(path)
    return path


def feature_context(rows: int = 2, columns: int = 2) -> dict:
    return {
        "title": HOSTILE,
        "note": "a note",
        "rows": [{"name": f"Row {n}", "value": f"{n} & {n}"} for n in range(rows)],
        "columns": [f"C{n}" for n in range(columns)],
    }


def test_file_properties_are_escaped_once(tmp_path):
    content = render_file(build_template(tmp_path / "t.docx"), feature_context())
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        core = etree.fromstring(package.read("docProps/core.xml"))
    title = core.find("{http://purl.org/dc/elements/1.1/}title")
    assert title.text == HOSTILE
    subject = core.find("{http://purl.org/dc/elements/1.1/}subject")
    assert subject.text == "Plain & simple"


@pytest.mark.parametrize("rows", [0, 1, 3])
def test_headers_footers_pictures_sections_footnotes_are_what_docxtpl_makes(
    tmp_path, parsed_bodies, rows
):
    path = build_template(tmp_path / "features.docx")
    ours = assert_same_as_docxtpl(path, feature_context(rows))
    # Pictures are renumbered without lxml; a loop without rows leaves a table fix_tables fixes.
    assert bool(parsed_bodies) == (rows == 0)
    # Each copy of the picture got its own id, as fix_docpr_ids numbers them.
    with zipfile.ZipFile(io.BytesIO(ours)) as package:
        body = etree.fromstring(package.read("word/document.xml"))
    ids = body.xpath("//wp:docPr/@id", namespaces={"wp": engine.nsmap["wp"]})
    assert ids == [str(1001 + n) for n in range(rows)]


@pytest.mark.parametrize(("columns", "parsed"), [(1, True), (3, False), (5, True)])
def test_column_loops_are_what_docxtpl_makes(tmp_path, parsed_bodies, columns, parsed):
    # fix_tables widens or narrows the grid to the number of cells the loop made; with as
    # many cells as grid columns it changes nothing, which counting the tags tells.
    path = build_template(tmp_path / "columns.docx", column_loop=True)
    assert_same_as_docxtpl(path, feature_context(columns=columns))
    assert bool(parsed_bodies) == parsed


def merged_heading(doc: Document) -> None:
    table = doc.add_table(rows=2, cols=3)
    table.cell(0, 0).text = "{% colspan span %}{{ title }}"
    for n in range(3):
        table.cell(1, n).text = str(n)


def shaded_merged_rows(doc: Document) -> None:
    table = doc.add_table(rows=3, cols=2)
    table.cell(0, 0).text = "{%tr for row in rows %}"
    table.cell(1, 0).text = "{% vm %}{{ title }}"
    table.cell(1, 1).text = "{% cellbg row.colour %}{{ row.value }}"
    table.cell(2, 0).text = "{%tr endfor %}"


def merged_column_loop(doc: Document) -> None:
    table = doc.add_table(rows=2, cols=3)
    table.cell(0, 0).text = "{%tc for column in columns %}"
    table.cell(0, 1).text = "{% hm %}{{ column }}"
    table.cell(0, 2).text = "{%tc endfor %}"


def conditional_cell(doc: Document) -> None:
    table = doc.add_table(rows=1, cols=3)
    table.cell(0, 0).text = "{%tc if rows %}"
    table.cell(0, 1).text = "{{ rows|length }}"
    table.cell(0, 2).text = "{%tc endif %}"


def heading_and_conditional_rows(doc: Document) -> None:
    table = doc.add_table(rows=5, cols=2)
    table.cell(0, 0).text = "{{ title }}"
    table.cell(1, 0).text = "{%tr if rows %}"
    table.cell(2, 0).text = "{{ rows|length }}"
    table.cell(3, 0).text = "{%tr else %}"
    table.cell(4, 0).text = "{%tr endif %}"


def looped_rows_with_merged_cells(doc: Document) -> None:
    table = doc.add_table(rows=3, cols=3)
    table.cell(0, 0).text = "{%tr for row in rows %}"
    table.cell(1, 0).merge(table.cell(1, 1)).text = "{{ row.name }}"
    table.cell(1, 2).text = "{{ row.value }}"
    table.cell(2, 0).text = "{%tr endfor %}"


def nested_table(doc: Document) -> None:
    table = doc.add_table(rows=1, cols=2)
    table.cell(0, 0).add_table(rows=1, cols=2).cell(0, 0).text = "{{ title }}"
    table.cell(0, 1).text = "{% for row in rows %}{{ row.name }}{% endfor %}"


def rows_looped_in_a_nested_table(doc: Document) -> None:
    # The order's appendix: rows, then one row holding a table whose rows come from a loop.
    table = doc.add_table(rows=4, cols=3)
    table.cell(0, 0).text = "{%tr for row in rows %}"
    table.cell(1, 0).text = "{{ row.name }}"
    table.cell(2, 0).text = "{%tr endfor %}"
    holder = table.cell(3, 0).merge(table.cell(3, 2))
    inner = holder.add_table(rows=3, cols=3)
    inner.cell(0, 0).text = "{%tr for row in rows %}"
    inner.cell(1, 2).text = "{{ row.value }}"
    inner.cell(2, 0).text = "{%tr endfor %}"
    holder.add_paragraph("{{ title }}")


def columns_looped_in_a_nested_table(doc: Document) -> None:
    # A table inside may grow wider than the one that holds it: fix_tables widens both.
    table = doc.add_table(rows=1, cols=2)
    inner = table.cell(0, 0).add_table(rows=1, cols=3)
    inner.cell(0, 0).text = "{%tc for column in columns %}"
    inner.cell(0, 1).text = "{{ column }}"
    inner.cell(0, 2).text = "{%tc endfor %}"


@pytest.mark.parametrize(
    "build",
    [
        rows_looped_in_a_nested_table,
        columns_looped_in_a_nested_table,
        merged_heading,
        shaded_merged_rows,
        merged_column_loop,
        conditional_cell,
        heading_and_conditional_rows,
        looped_rows_with_merged_cells,
        nested_table,
    ],
)
@pytest.mark.parametrize("size", [0, 1, 4])
def test_docxtpl_table_tags_are_what_docxtpl_makes(tmp_path, build, size):
    doc = Document()
    build(doc)
    doc.save(tmp_path / "table.docx")
    context = feature_context(rows=size, columns=size) | {"span": size + 1}
    for n, row in enumerate(context["rows"]):
        row["colour"] = f"00{n}0FF"
    assert_same_as_docxtpl(tmp_path / "table.docx", context)


def test_footnotes_are_rendered_once(tmp_path):
    # docxtpl renders the footnotes once per section, each time rendering its own output
    # again: with two sections, template code typed by a user would run. It runs here never.
    path = build_template(tmp_path / "features.docx")
    context = feature_context()
    context["note"] = TEMPLATE_CODE
    with zipfile.ZipFile(io.BytesIO(render_file(path, context))) as package:
        footnotes = package.read("word/footnotes.xml").decode()
    assert f"Note: {TEMPLATE_CODE}" in footnotes


def test_template_error_reads_as_docxtpl_reports_it(tmp_path):
    doc = Document()
    doc.add_paragraph("fine")
    doc.add_paragraph("{{ broken")
    doc.save(tmp_path / "broken.docx")
    with pytest.raises(TemplateSyntaxError) as ours:
        render_file(tmp_path / "broken.docx", {})
    with pytest.raises(TemplateSyntaxError) as theirs:
        naive(tmp_path / "broken.docx", {})
    assert ours.value.lineno == theirs.value.lineno
    assert list(ours.value.docx_context) == list(theirs.value.docx_context)


# --- the cache -----------------------------------------------------------------------------


def test_template_is_loaded_once(tmp_path):
    path = shutil.copy(TEMPLATE_DIR / f"{ORDER}.docx", tmp_path / "order.docx")
    assert rendering._compiled_file(path) is rendering._compiled_file(path)


def test_templates_of_one_kind_live_side_by_side_keyed_by_their_bytes(tmp_path):
    default = TEMPLATE_DIR / f"{ORDER}.docx"
    same = shutil.copy(default, tmp_path / "same.docx")
    assert rendering._compiled_file(same) is rendering._compiled_file(default)
    doc = Document(default)
    doc.add_paragraph("Своя строка муниципалитета")  # a municipality's own version
    own = tmp_path / "own.docx"
    doc.save(own)
    context = order_context("ru")
    for _ in range(2):  # alternating renders: neither evicts nor replaces the other
        assert "Своя строка муниципалитета" in all_text(open_docx(render_file(own, context)))
        assert "Своя строка" not in all_text(open_docx(render_file(default, context)))
        from_bytes = rendering.render_template(own.read_bytes(), context)
        assert "Своя строка муниципалитета" in all_text(open_docx(from_bytes))
    payload = json.loads((ROOT / "examples" / "uch-korgon-order.json").read_text(encoding="utf-8"))
    made = generate_document(ORDER, payload, template=own)
    assert "Своя строка муниципалитета" in all_text(open_docx(made.content))


def test_changed_template_file_is_reloaded(tmp_path):
    path = shutil.copy(TEMPLATE_DIR / f"{ORDER}.docx", tmp_path / "order.docx")
    context = order_context("ru")
    assert "Изменённый абзац" not in all_text(open_docx(render_file(path, context)))
    doc = Document(path)
    doc.add_paragraph("Изменённый абзац")
    time.sleep(0.01)  # a coarse file clock must still see a new modification time
    doc.save(path)
    assert "Изменённый абзац" in all_text(open_docx(render_file(path, context)))


def test_concurrent_renders_give_what_one_thread_gives(tmp_path):
    # A fresh copy makes the threads race to load it; the barrier makes them render at once.
    path = shutil.copy(TEMPLATE_DIR / f"{ORDER}.docx", tmp_path / "order.docx")
    languages = ["ky+ru", "ru", "ky"] * 8
    contexts = {language: order_context(language) for language in set(languages)}
    start = threading.Barrier(8, timeout=60)

    def render(language):
        start.wait()
        return language, render_file(path, contexts[language])

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(render, languages))
    alone = {language: render_file(path, context) for language, context in contexts.items()}
    for language, content in results:
        assert content == alone[language]  # the same input always makes the same bytes
    for language, context in contexts.items():
        assert canonical(alone[language]) == canonical(naive(path, context))
