"""Templates are source: authored in Word or LibreOffice, checked by the linter, never rebuilt.

The shipped templates pass the linter against the contexts of their kind's examples; each of
the linter's checks catches a small bad template; the load steps give the author's plain
Word document its language tags, page numbering and conditional keep-with-next; and a
template opened and saved by LibreOffice still passes the linter and renders the same
documents (text, tables, sections, page furniture, per-run languages) as the original.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from scripts.render_snapshot import describe, inputs
from service.generation import example_contexts, generate_document
from service.kinds import KINDS
from service.rendering import TEMPLATE_DIR, lint_template, render_template
from service.rendering.steps import KEEPNEXT
from tests.libreoffice import convert
from tests.stack import services_missing

KIND_NAMES = ("working-group-order", "joint-plan", "annual-report")


def docx_bytes(doc) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def body(content: bytes):
    return Document(io.BytesIO(content)).element.body


# --- the shipped templates ---------------------------------------------------------------


@pytest.fixture(scope="module")
def contexts() -> dict[str, list[dict]]:
    return {kind: example_contexts(kind) for kind in KIND_NAMES}


@pytest.mark.parametrize("kind", KIND_NAMES)
def test_shipped_template_passes_the_linter(kind, contexts):
    source = (TEMPLATE_DIR / f"{kind}.docx").read_bytes()
    assert lint_template(source, contexts[kind], KINDS[kind].media) == []


@pytest.mark.parametrize("kind", KIND_NAMES)
def test_shipped_template_has_no_code_in_properties_and_only_used_styles(kind):
    doc = Document(TEMPLATE_DIR / f"{kind}.docx")
    for props in doc.element.body.iter(qn("w:rPr"), qn("w:pPr")):
        assert "{" not in "".join(props.itertext()) + "".join(
            v for e in props.iter() for v in e.attrib.values()
        )
    styles = {s.style_id for s in doc.styles}
    assert styles == {"Normal", "Header", "HeaderChar", "DefaultParagraphFont", "TableNormal",
                      "NoList"}  # fmt: skip


# --- the linter catches each kind of problem ---------------------------------------------

PARTS = {"parts": [{"lang": "ky", "title": "Аталышы"}, {"lang": "ru", "title": "Название"}]}


def template(*texts: str, table: tuple[str, ...] = ()) -> Document:
    doc = Document()
    for text in texts:
        doc.add_paragraph(text)
    if table:
        cells = doc.add_table(rows=1, cols=len(table)).rows[0].cells
        for cell, text in zip(cells, table, strict=True):
            cell.text = text
    return doc


def problems(doc, contexts=(PARTS,), media=()) -> list[tuple[str, str, str, str]]:
    found = lint_template(docx_bytes(doc), list(contexts), media)
    return [(p.part, p.where, p.text, p.message) for p in found]


def test_lint_accepts_a_good_template():
    doc = template("{%p for part in parts %}", "{{ part.title }}", "{%p endfor %}")
    assert problems(doc) == []


def test_lint_finds_code_in_run_properties():
    doc = template("Текст", "{{ parts|length }}")
    rpr = doc.paragraphs[1].runs[0]._r.get_or_add_rPr()
    bold = OxmlElement("w:b")
    bold.set(qn("w:val"), "{{ 'true' if parts else 'false' }}")
    rpr.append(bold)
    assert problems(doc) == [
        (
            "word/document.xml",
            "paragraph 2",
            "{{ parts|length }}",
            "template code inside run or paragraph properties (w:rPr/w:pPr)",
        )
    ]


def test_lint_finds_jinja_that_does_not_compile_and_names_the_cell():
    doc = template("{{ parts|length }}", table=("ok", "{{ part.title", "ok"))
    assert problems(doc) == [
        (
            "word/document.xml",
            "table 1, row 1, cell 2",
            "{{ part.title",
            "Jinja: unexpected '/'",  # the XML after the unclosed tag
        )
    ]


def test_lint_finds_variables_no_context_has():
    doc = template(
        "{%p for part in parts %}",
        "{{ part.titel }}",  # a typo, in a branch every example takes
        "{%p endfor %}",
        "{%p if parts|length > 5 %}",
        "{{ footnote_text }}",  # in a branch no example takes
        "{%p endif %}",
    )
    assert problems(doc) == [
        ("word/document.xml", "paragraph 5", "{{ footnote_text }}",
         "unknown variable «footnote_text»"),
        ("word/document.xml", "paragraph 2", "{{ part.titel }}",
         "unknown variable «parts[].titel»"),
    ]  # fmt: skip


def test_lint_finds_a_context_that_does_not_render_strictly():
    doc = template("{{ subtitle }}")
    found = problems(doc, contexts=({"subtitle": "Есть"}, {"parts": []}))
    assert [(where, text) for _, where, text, _ in found] == [("paragraph 1", "{{ subtitle }}")]
    assert found[0][3] == "context 2 does not render: 'subtitle' is undefined"


def test_lint_finds_missing_media_parts():
    doc = template("{{ parts|length }}")
    found = problems(doc, media=("word/media/image1.png",))
    assert found == [("word/media/image1.png", "", "", "media part missing from the package")]


# --- the load steps: what the author never writes ----------------------------------------


def test_runs_of_kyrgyz_parts_are_tagged_kyrgyz_and_russian_ones_inherit():
    doc = template("{%p for part in parts %}", "{{ part.title }}", "{%p endfor %}")
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-US")  # typed by the author: replaced
    doc.paragraphs[1].runs[0]._r.get_or_add_rPr().append(lang)
    paragraphs = body(render_template(docx_bytes(doc), PARTS)).findall(qn("w:p"))
    languages = [
        [lang.get(qn("w:val")) for lang in p.iter(qn("w:lang"))]
        for p in paragraphs
        if "".join(p.itertext())
    ]
    assert languages == [["ky-KG"], []]


def test_keepnext_tag_sets_keep_with_next_per_row():
    doc = template(table=("{%tr for row in rows %}",))
    table = doc.tables[0]
    table.add_row().cells[0].text = "{% keepnext not loop.last %}{{ row }}"
    table.add_row().cells[0].text = "{%tr endfor %}"
    rendered = body(render_template(docx_bytes(doc), {"rows": ["a", "b", "c"]}))
    flags = [
        (p.findtext(f"{qn('w:r')}/{qn('w:t')}"), p.find(f"{qn('w:pPr')}/{qn('w:keepNext')}"))
        for p in rendered.iter(qn("w:p"))
    ]
    assert [(text, flag.get(qn("w:val"))) for text, flag in flags] == [
        ("a", "true"),
        ("b", "true"),
        ("c", "false"),
    ]
    assert not KEEPNEXT.search("".join(rendered.itertext()))


def test_each_part_numbers_its_pages_from_one_with_the_headers_of_the_first_section():
    doc = template("{%p for part in parts %}", "{{ part.title }}")
    doc.sections[0].header.paragraphs[0].text = "page"
    doc.add_section()  # a second section in the part: goes on numbering
    doc.add_paragraph("{%p if not loop.last %}")
    doc.add_section()  # the end of the part
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("{%p endfor %}")
    rendered = body(render_template(docx_bytes(doc), PARTS))
    sections = [*rendered.iterfind(f"{qn('w:p')}/{qn('w:pPr')}/{qn('w:sectPr')}")]
    sections.append(rendered.find(qn("w:sectPr")))
    numbering = [
        (s.find(qn("w:titlePg")) is not None, s.find(qn("w:pgNumType")) is not None)
        for s in sections
    ]
    assert numbering == [(True, True), (False, False), (True, True), (False, False)]
    references = {
        tuple(r.get(qn("r:id")) for r in s.findall(qn("w:headerReference"))) for s in sections
    }
    assert len(references) == 1 and references != {()}


# --- LibreOffice opens and saves the templates without damage ----------------------------


@pytest.fixture(scope="module")
def saved_by_libreoffice(tmp_path_factory) -> Path:
    """The three templates, opened and saved as .docx by LibreOffice in one run."""
    if shutil.which("soffice") is None:
        services_missing(
            "the round-trip tests need LibreOffice (apt-get install libreoffice-writer-nogui, "
            "as scripts/ensure-services.sh does)"
        )
    workdir = tmp_path_factory.mktemp("roundtrip")
    templates = [TEMPLATE_DIR / f"{kind}.docx" for kind in KIND_NAMES]
    convert(templates, "docx:MS Word 2007 XML", workdir / "out", workdir / "profile")
    return workdir / "out"


@pytest.mark.parametrize("kind", KIND_NAMES)
def test_template_saved_by_libreoffice_passes_the_linter(kind, contexts, saved_by_libreoffice):
    source = (saved_by_libreoffice / f"{kind}.docx").read_bytes()
    assert lint_template(source, contexts[kind], KINDS[kind].media) == []


def test_template_saved_by_libreoffice_renders_the_same_documents(saved_by_libreoffice):
    for name, kind, payload in inputs():
        original = generate_document(kind, payload).content
        resaved = generate_document(kind, payload, saved_by_libreoffice / f"{kind}.docx").content
        assert printed(resaved) == printed(original), name
        assert page_furniture(resaved) == page_furniture(original), name
        for ours, theirs in zip(grids(resaved), grids(original), strict=True):
            assert ours == pytest.approx(theirs, abs=2), name  # twips


def grids(content: bytes) -> list[list[int]]:
    """The column widths of every table, in twips."""
    tables = body(content).iter(qn("w:tblGrid"))
    return [[int(col.get(qn("w:w"))) for col in grid] for grid in tables]


def printed(content: bytes) -> dict:
    """What describe() says, less what LibreOffice legitimately rewrites: an explicit Normal
    style, a leading page-break run for «page break before», column widths off by a twip
    (compared by `grids`), and the header parts (compared by `page_furniture`)."""
    doc = Document(io.BytesIO(content))
    for p in doc.element.body.iter(qn("w:p")):
        runs = p.findall(qn("w:r"))
        first = runs[0] if runs else None
        content = [] if first is None else [c for c in first if c.tag != qn("w:rPr")]
        if [c.tag for c in content] == [qn("w:br")] and content[0].get(qn("w:type")) == "page":
            p.remove(first)
            p.get_or_add_pPr().append(OxmlElement("w:pageBreakBefore"))

    def normal(value):
        if isinstance(value, dict):
            value = {key: normal(item) for key, item in value.items() if key != "headers"}
            if "runs" in value:  # a paragraph: LibreOffice writes the properties of each
                value.update({key: value.get(key) for key in ("align", "keep_next", "page_break")})
                value["style"] = value.get("style") or "Normal"
            if "grid" in value:
                value["grid"] = len(value["grid"])  # the widths: by `grids`
            return value
        return [normal(item) for item in value] if isinstance(value, list) else value

    return normal(describe(docx_bytes(doc)))


def page_furniture(content: bytes) -> list[tuple]:
    """Per section: title page, page restart, and what its first and other pages print at
    the top (text outside fields, and the fields), headers inherited as Word does."""
    doc = Document(io.BytesIO(content))
    b = doc.element.body
    sections = [*b.iterfind(f"{qn('w:p')}/{qn('w:pPr')}/{qn('w:sectPr')}"), b.find(qn("w:sectPr"))]
    headers, out = {}, []
    for sect in sections:
        for ref in sect.findall(qn("w:headerReference")):
            headers[ref.get(qn("w:type"))] = doc.part.related_parts[ref.get(qn("r:id"))]
        title = sect.find(qn("w:titlePg")) is not None
        start = sect.find(qn("w:pgNumType"))
        first, other = (
            headers.get("first") if title else headers.get("default"),
            headers.get("default"),
        )
        out.append((title, None if start is None else start.get(qn("w:start")),
                    _header(first), _header(other)))  # fmt: skip
    return out


def _header(part) -> tuple[str, tuple[str, ...]]:
    if part is None:
        return "", ()
    text, fields, in_result = [], [], False
    for e in part.element.iter(qn("w:t"), qn("w:instrText"), qn("w:fldChar"), qn("w:fldSimple")):
        if e.tag == qn("w:fldSimple"):
            fields.append(e.get(qn("w:instr")).strip())
        elif e.tag == qn("w:instrText"):
            fields.append(e.text.strip())
        elif e.tag == qn("w:fldChar"):
            in_result = e.get(qn("w:fldCharType")) == "separate"
        elif not in_result and not any(a.tag == qn("w:fldSimple") for a in e.iterancestors()):
            text.append(e.text or "")
    return "".join(text).strip(), tuple(fields)
