"""The layout gate's own rules on pages written by hand (no LibreOffice): how it reads a word
broken at a line's end, side-by-side cells that pdftotext puts in one line, a cell's text
printed once for two cells, and a page break not kept. tests/test_print_layout.py runs the
gate on real PDFs, and on a deliberately broken order whose every check must fail."""

from __future__ import annotations

import io

from docx import Document
from docx.oxml import OxmlElement

from tests import pdf_layout
from tests.pdf_layout import A4, Page, Word

LINE = 14.0  # points between lines


def page(*lines: list[tuple[str, float]], top: float = 100.0, number: int = 1) -> Page:
    """A page whose lines hold words at x positions (7 pt a letter), one line per argument;
    each line is a block of its own, as pdftotext makes them."""
    made = Page(number, *A4)
    for n, line in enumerate(lines):
        y = top + n * LINE
        made.blocks.append([[Word(text, x, y, x + 7 * len(text), y + 12) for text, x in line]])
    return made


def docx(cells: list[str], *, paragraphs=(), break_before: str | None = None) -> bytes:
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    table = document.add_table(rows=1, cols=len(cells))
    for cell, text in zip(table.rows[0].cells, cells, strict=True):
        cell.text = text
    if break_before is not None:
        paragraph = document.add_paragraph(break_before)
        paragraph._p.get_or_add_pPr().append(OxmlElement("w:pageBreakBefore"))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_word_broken_at_a_lines_end_is_one_word_and_a_missing_word_is_named():
    source = pdf_layout.read_docx(docx(["Исфайрам дарыясынын бетон тосмо", "II чейрек"]))
    # «Ис-» ends its cell's run but not pdftotext's line: the deadline cell stands beside it.
    printed = page([("Ис-", 100), ("II", 300), ("чейрек", 320)], [("файрам", 100)],
                   [("дарыясынын", 100)], [("бетон", 100)])  # fmt: skip
    problems = pdf_layout.check_text([printed], source)
    assert len(problems) == 2, problems
    assert "['тосмо'] not printed" in problems[0] and "row 1, cell 1" in problems[0]
    assert "'тосмо' ×1" in problems[1]


def test_two_cells_of_the_same_text_need_it_printed_twice():
    source = pdf_layout.read_docx(docx(["—", "—", "жергиликтүү бюджет"]))
    once = page([("—", 100), ("жергиликтүү", 300), ("бюджет", 400)])
    twice = page([("—", 100), ("—", 200), ("жергиликтүү", 300), ("бюджет", 400)])
    assert pdf_layout.check_text([twice], source) == []
    [problem] = pdf_layout.check_text([once], source)
    assert "'—' ×1" in problem


def test_a_page_break_not_kept_is_found():
    source = pdf_layout.read_docx(
        docx(["1.", "Якубова М.К."], paragraphs=["Буйрук"], break_before="Тиркеме №1")
    )
    first = page([("Буйрук", 100)], [("1.", 100), ("Якубова", 200), ("М.К.", 270)])
    kept = [first, page([("Тиркеме", 300), ("№1", 360)], number=2)]
    run_on = [
        page([("Буйрук", 100)], [("1.", 100), ("Якубова", 200), ("М.К.", 270)],
             [("Тиркеме", 300), ("№1", 360)]),
    ]  # fmt: skip
    assert pdf_layout.check_new_pages(kept, source) == []
    [problem] = pdf_layout.check_new_pages(run_on, source)
    assert "should begin a new page, but on page 1 it comes under 2 line(s)" in problem
