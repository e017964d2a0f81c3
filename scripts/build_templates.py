"""Build the .docx templates in service/templates_docx/ from code.

The templates are ordinary Word files with Jinja tags and may be edited in Word; this script
is how they were first made and remakes them after a layout change:
    .venv/bin/python scripts/build_templates.py
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

OUT = Path(__file__).resolve().parent.parent / "service" / "templates_docx"
FONT = "Times New Roman"


def base_document() -> Document:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(14)
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "ru-RU")
    rpr.append(lang)
    pf = style.paragraph_format
    pf.space_before, pf.space_after, pf.line_spacing = Pt(0), Pt(0), 1.0
    return doc


def no_borders(table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tbl_pr.append(borders)


def grid_borders(table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "single")
        el.set(qn("w:sz"), "4")
        el.set(qn("w:color"), "000000")
        borders.append(el)
    tbl_pr.append(borders)


def fixed_widths(table, widths_mm: list[float]) -> None:
    table.autofit = False
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    table._tbl.tblPr.append(layout)
    for row in table.rows:
        for cell, w in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(w)
    for col, w in zip(table.columns, widths_mm, strict=True):
        col.width = Mm(w)


def para(
    container,
    text="",
    *,
    bold=False,
    align=None,
    size=None,
    indent=False,
    space_before=0,
    space_after=0,
    keep_next=False,
    spacing=None,
):
    p = container.add_paragraph()
    if text:
        run = p.add_run(text)
        run.bold = bold
        if size:
            run.font.size = Pt(size)
        if spacing:
            rpr = run._r.get_or_add_rPr()
            sp = OxmlElement("w:spacing")
            sp.set(qn("w:val"), str(spacing))
            rpr.append(sp)
    if align is not None:
        p.alignment = align
    pf = p.paragraph_format
    if indent:
        pf.first_line_indent = Cm(1.25)
    pf.space_before, pf.space_after = Pt(space_before), Pt(space_after)
    if keep_next:
        pf.keep_with_next = True
    return p


def cell_text(cell, text, *, bold=False, align=None, size=None):
    p = cell.paragraphs[0]
    run = p.add_run(text)
    run.bold = bold
    if size:
        run.font.size = Pt(size)
    if align is not None:
        p.alignment = align
    return p


def bottom_rule(p) -> None:
    ppr = p._p.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (
        ("w:val", "thickThinSmallGap"),
        ("w:sz", "12"),
        ("w:space", "1"),
        ("w:color", "000000"),
    ):
        bottom.set(qn(k), v)
    bdr.append(bottom)
    ppr.append(bdr)


def cant_split(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:cantSplit")
    tr_pr.append(el)


def repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    tr_pr.append(el)


def page_break_before(p, value: str) -> None:
    ppr = p._p.get_or_add_pPr()
    el = OxmlElement("w:pageBreakBefore")
    el.set(qn("w:val"), value)
    ppr.append(el)


def loop_lines(cell, expr: str, *, bold=True, size=12) -> None:
    """A cell whose paragraphs repeat for each line of `expr`."""
    cell_text(cell, f"{{%p for line in {expr} %}}", align=WD_ALIGN_PARAGRAPH.CENTER)
    p = cell.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run("{{ line }}")
    run.bold, run.font.size = bold, Pt(size)
    p2 = cell.add_paragraph()
    p2.add_run("{%p endfor %}")
    # A cell must keep one paragraph even when the list is empty.
    cell.add_paragraph().paragraph_format.space_after = Pt(0)


def working_group_order() -> None:
    doc = base_document()
    text_width = 165  # 210 - 30 - 15 mm
    # Letterhead: Kyrgyz left, Russian right, as on the seed's blank.
    head = doc.add_table(rows=1, cols=2)
    no_borders(head)
    fixed_widths(head, [text_width / 2, text_width / 2])
    loop_lines(head.cell(0, 0), "letterhead_ky")
    loop_lines(head.cell(0, 1), "letterhead_ru")
    bottom_rule(para(doc, size=6))
    para(doc, "{%p for part in parts %}")
    act = para(
        doc,
        "{{ part.act_word }}",
        bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        space_before=12,
        space_after=6,
        spacing=60,
        size=16,
    )
    # Each language after the first starts on a new page (a break property, not a break
    # paragraph, so that a full page never leaves an empty one behind).
    page_break_before(act, "{{ 'false' if loop.first else 'true' }}")
    line = doc.add_table(rows=1, cols=3)
    no_borders(line)
    fixed_widths(line, [65, 45, 55])
    cell_text(line.cell(0, 0), "{{ part.date }}")
    cell_text(line.cell(0, 1), "{{ part.place }}", align=WD_ALIGN_PARAGRAPH.CENTER, size=12)
    cell_text(line.cell(0, 2), "{{ part.number }}", align=WD_ALIGN_PARAGRAPH.RIGHT)
    para(
        doc,
        "{{ part.subject }}",
        bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        space_before=18,
        space_after=12,
    )
    para(doc, "{{ part.preamble }}", align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True)
    para(doc, "{{ part.order_word }}", bold=True, space_before=12, space_after=6, keep_next=True)
    para(doc, "{%p for clause in part.clauses %}")
    para(doc, "{{ clause }}", align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True, space_after=6)
    para(doc, "{%p endfor %}")
    # Signature block: position | space for the signature and the seal | name.
    para(doc, "", space_before=24, keep_next=True)
    sign = doc.add_table(rows=1, cols=3)
    no_borders(sign)
    fixed_widths(sign, [75, 45, 45])
    cant_split(sign.rows[0])
    cell_text(sign.cell(0, 0), "{{ part.head_position }}", bold=True)
    p = cell_text(sign.cell(0, 1), "{{ part.seal }}", align=WD_ALIGN_PARAGRAPH.CENTER, size=10)
    p.paragraph_format.space_before = Pt(28)
    p = cell_text(
        sign.cell(0, 2), "{{ part.head_name }}", bold=True, align=WD_ALIGN_PARAGRAPH.RIGHT
    )
    # Appendix mark at the top right of a new page, then the membership table.
    mark = para(doc, "{{ part.appendix_mark }}", size=12)
    mark.paragraph_format.left_indent = Mm(85)
    page_break_before(mark, "true")
    para(
        doc,
        "{{ part.appendix_title }}",
        bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        space_before=18,
        space_after=12,
    )
    widths = [12, 50, 103]
    officers = doc.add_table(rows=3, cols=3)
    grid_borders(officers)
    fixed_widths(officers, widths)
    cell_text(officers.cell(0, 0), "{%tr for row in part.officers %}")
    cell_text(officers.cell(1, 0), "{{ row.number }}", size=12)
    cell_text(officers.cell(1, 1), "{{ row.name }}", size=12)
    cell_text(officers.cell(1, 2), "{{ row.description }}", size=12)
    cant_split(officers.rows[1])
    cell_text(officers.cell(2, 0), "{%tr endfor %}")
    para(doc, "{%p if part.members %}")
    para(
        doc, "{{ part.members_heading }}", bold=True, space_before=6, space_after=6, keep_next=True
    )
    members = doc.add_table(rows=3, cols=3)
    grid_borders(members)
    fixed_widths(members, widths)
    cell_text(members.cell(0, 0), "{%tr for row in part.members %}")
    cell_text(members.cell(1, 0), "{{ row.number }}", size=12)
    cell_text(members.cell(1, 1), "{{ row.name }}", size=12)
    cell_text(members.cell(1, 2), "{{ row.description }}", size=12)
    cant_split(members.rows[1])
    cell_text(members.cell(2, 0), "{%tr endfor %}")
    para(doc, "{%p endif %}")
    para(doc, "{%p if part.secretary_name %}")
    para(doc, "", space_before=18)
    sec = doc.add_table(rows=1, cols=2)
    no_borders(sec)
    fixed_widths(sec, [110, 55])
    cant_split(sec.rows[0])
    cell_text(sec.cell(0, 0), "{{ part.secretary_position }}", size=12)
    cell_text(sec.cell(0, 1), "{{ part.secretary_name }}", size=12, align=WD_ALIGN_PARAGRAPH.RIGHT)
    para(doc, "{%p endif %}")
    para(doc, "{%p endfor %}")
    doc.core_properties.title = "Working group order"
    doc.core_properties.author = "docgen-kg"
    doc.save(OUT / "working-group-order.docx")


if __name__ == "__main__":
    working_group_order()
