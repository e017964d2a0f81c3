"""Build the .docx templates in service/templates_docx/ from code.

The templates are ordinary Word files with Jinja tags and may be edited in Word; this script
is how they were first made and remakes them after a layout change:
    .venv/bin/python scripts/build_templates.py
"""

from __future__ import annotations

from copy import deepcopy
from io import BytesIO
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
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
    number_pages(doc.sections[0])
    return doc


# Pages are numbered as office-work rules ask (GOST R 7.0.97 §6.3, the usual analogue): from
# the second page on, in the middle of the top margin. Each language part is a section of its
# own, numbered from 1, so the Russian text of a bilingual file reads as a document by itself.
PAGE_NUMBER_PT = 12
_AFTER_PGNUMTYPE = (
    "w:cols", "w:formProt", "w:vAlign", "w:noEndnote", "w:titlePg", "w:textDirection",
    "w:bidi", "w:rtlGutter", "w:docGrid", "w:printerSettings",
)  # fmt: skip


def number_pages(section) -> None:
    """A centred PAGE field in the header; an empty header on the first page of the section."""
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = header.add_run("1")
    run.font.size = Pt(PAGE_NUMBER_PT)
    field.append(run._r)
    header._p.append(field)
    section.first_page_header.is_linked_to_previous = False
    starts_part(section, True)


def starts_part(section, first: bool) -> None:
    """Mark a section as the first of a language part (no number on its first page, numbers
    from 1) or as one that goes on numbering the part's pages."""
    section.different_first_page_header_footer = first
    sect_pr = section._sectPr
    for old in sect_pr.findall(qn("w:pgNumType")):
        sect_pr.remove(old)
    if first:
        number_type = OxmlElement("w:pgNumType")
        number_type.set(qn("w:start"), "1")
        after = next((c for c in sect_pr if c.tag in {qn(t) for t in _AFTER_PGNUMTYPE}), None)
        if after is None:
            sect_pr.append(number_type)
        else:
            after.addprevious(number_type)


def end_of_part(doc) -> None:
    """End a language part with a section break, but after the last part (the document's
    final section ends there)."""
    para(doc, "{%p if not loop.last %}")
    doc.add_section(WD_SECTION.NEW_PAGE)
    # The paragraph that carries the break: as small as can be, never a page of its own.
    mark = doc.element.body.findall(qn("w:p"))[-1]
    rpr = OxmlElement("w:rPr")
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), "2")
    rpr.append(size)
    mark.get_or_add_pPr().append(rpr)
    para(doc, "{%p endif %}")


_AFTER_LANG = ("w:eastAsianLayout", "w:specVanish", "w:oMath")


def tag_language(element, value: str, *, only_if: str | None = None) -> None:
    """Give every run under `element` the language `value` (ky-KG, ru-RU), so that Word checks
    the spelling of each text in its own language; with `only_if`, a template variable, only
    when it is true (the tag is then plain text of the template, never an output to escape)."""
    for run in element.iter(qn("w:r")):
        rpr = run.find(qn("w:rPr"))
        if rpr is None:
            rpr = OxmlElement("w:rPr")
            run.insert(0, rpr)
        lang = OxmlElement("w:lang")
        lang.set(qn("w:val"), value)
        after = next((c for c in rpr if c.tag in {qn(t) for t in _AFTER_LANG}), None)
        if after is None:
            rpr.append(lang)
        else:
            after.addprevious(lang)
        if only_if is not None:
            before = lang.getprevious()
            opening = f"{{% if {only_if} %}}"
            if before is None:
                rpr.text = (rpr.text or "") + opening
            else:
                before.tail = (before.tail or "") + opening
            lang.tail = "{% endif %}" + (lang.tail or "")


def tag_parts(doc) -> None:
    """The runs of the Kyrgyz part in Kyrgyz; the Russian ones keep the language of the Normal
    style, Russian. A variable set once per part decides, which costs a render next to nothing
    (an output per run would cost a fifth of it)."""
    children = list(doc.element.body.iterchildren())
    loop = "{%p for part in parts %}"
    start = next(i for i, child in enumerate(children) if loop in "".join(child.itertext()))
    flag = OxmlElement("w:p")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "{%p set kyrgyz = part.lang == 'ky' %}"
    run.append(text)
    flag.append(run)
    children[start].addnext(flag)
    for child in children[start + 1 :]:
        tag_language(child, "ky-KG", only_if="kyrgyz")


def share_headers(doc) -> None:
    """Give every section the header references of the first (python-docx leaves the later
    ones to inherit them, which a one-part document, having no earlier section, cannot)."""
    body = doc.element.body
    sections = body.findall(f"{qn('w:p')}/{qn('w:pPr')}/{qn('w:sectPr')}") + [body.sectPr]
    references = sections[0].findall(qn("w:headerReference"))
    for sect_pr in sections[1:]:
        for old in sect_pr.findall(qn("w:headerReference")):
            sect_pr.remove(old)
        for reference in reversed(references):
            sect_pr.insert(0, deepcopy(reference))


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


def keep_row_with_next(row, expr: str | None = None) -> None:
    """Keep a table row on the page of what follows it (Word: «keep with next» on every
    paragraph of the row); `expr`, a template expression, decides it per rendered row."""
    for cell in row.cells:
        for p in cell.paragraphs:
            if expr is None:
                p.paragraph_format.keep_with_next = True
            else:
                templated_flag(p, "keep_with_next", expr)


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


def signature_row(doc, widths: list[float], position: str, name: str, line: int):
    """A borderless row that never splits: position | signature line | name (bold)."""
    sign = doc.add_table(rows=1, cols=3)
    no_borders(sign)
    fixed_widths(sign, widths)
    cant_split(sign.rows[0])
    cell_text(sign.cell(0, 0), f"{{{{ {position} }}}}", bold=True)
    cell_text(sign.cell(0, 1), "_" * line, align=WD_ALIGN_PARAGRAPH.CENTER)
    cell_text(sign.cell(0, 2), f"{{{{ {name} }}}}", bold=True, align=WD_ALIGN_PARAGRAPH.RIGHT)
    return sign


def composition_table(doc, rows: str) -> None:
    """A table of the working group's composition: number, name, position and role."""
    table = doc.add_table(rows=3, cols=3)
    grid_borders(table)
    fixed_widths(table, [12, 50, 103])
    cell_text(table.cell(0, 0), f"{{%tr for row in {rows} %}}")
    for index, key in enumerate(("number", "name", "description")):
        cell_text(table.cell(1, index), f"{{{{ row.{key} }}}}", size=12)
    cant_split(table.rows[1])
    cell_text(table.cell(2, 0), "{%tr endfor %}")


def working_group_order() -> None:
    doc = base_document()
    text_width = 165  # 210 - 30 - 15 mm
    # Letterhead: Kyrgyz left, Russian right, as on the seed's blank.
    head = doc.add_table(rows=1, cols=2)
    no_borders(head)
    fixed_widths(head, [text_width / 2, text_width / 2])
    loop_lines(head.cell(0, 0), "letterhead_ky")
    loop_lines(head.cell(0, 1), "letterhead_ru")
    tag_language(head.cell(0, 0)._tc, "ky-KG")
    tag_language(head.cell(0, 1)._tc, "ru-RU")
    bottom_rule(para(doc, size=6))
    para(doc, "{%p for part in parts %}")
    para(
        doc,
        "{{ part.act_word }}",
        bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        space_before=12,
        space_after=6,
        spacing=60,
        size=16,
    )
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
    sign = signature_row(doc, [75, 45, 45], "part.head_position", "part.head_name", 15)
    # Under the signature line, the place of the seal.
    seal = sign.cell(0, 1).add_paragraph()
    seal.alignment = WD_ALIGN_PARAGRAPH.CENTER
    seal.paragraph_format.space_before = Pt(14)
    run = seal.add_run("{{ part.seal }}")
    run.font.size = Pt(10)
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
    composition_table(doc, "part.officers")
    para(doc, "{%p if part.members %}")
    para(
        doc, "{{ part.members_heading }}", bold=True, space_before=6, space_after=6, keep_next=True
    )
    composition_table(doc, "part.members")
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
    end_of_part(doc)
    para(doc, "{%p endfor %}")
    share_headers(doc)
    tag_parts(doc)
    doc.core_properties.title = "Working group order"
    doc.core_properties.author = "docgen-kg"
    doc.save(OUT / "working-group-order.docx")


# The joint plan: a portrait title page with the three approval blocks, the activity tables in
# a landscape section, then the budget, monitoring and indicators back in portrait.
PORTRAIT_WIDTH = 165  # 210 - 30 - 15 mm
LANDSCAPE_WIDTH = 262  # 297 - 20 - 15 mm
ACTIVITY_COLUMNS = (
    ("number", 9),
    ("activity", 42),
    ("deadline", 22),
    ("responsible", 28),
    ("involved", 30),
    ("resources", 36),
    ("source", 30),
    ("expected_result", 30),
    ("indicators", 35),
)
TABLE_PT = 10
HEADER_PT = 9


def shade(cell, fill: str = "E7E6E6") -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    el = OxmlElement("w:shd")
    for k, v in (("w:val", "clear"), ("w:color", "auto"), ("w:fill", fill)):
        el.set(qn(k), v)
    tc_pr.append(el)


def header_row(table, texts: list[str]) -> None:
    """The first row: bold, shaded, repeated at the top of every page."""
    row = table.rows[0]
    repeat_header(row)
    cant_split(row)
    for cell, text in zip(row.cells, texts, strict=True):
        cell_text(cell, text, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, size=HEADER_PT)
        shade(cell)


def row_loop(table, index: int, start: str, end: str) -> None:
    """Rows `index` and `index + 2` carry the loop tags around the repeated row between them."""
    cell_text(table.cell(index, 0), start)
    cell_text(table.cell(index + 2, 0), end)
    cant_split(table.rows[index + 1])


def lines_paragraphs(doc, expr: str, **kwargs) -> None:
    para(doc, f"{{%p for line in {expr} %}}")
    para(doc, "{{ line }}", **kwargs)
    para(doc, "{%p endfor %}")


def set_page(section, *, landscape: bool) -> None:
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    if landscape:
        section.page_width, section.page_height = Mm(297), Mm(210)
        section.left_margin, section.right_margin = Mm(20), Mm(15)
    else:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)


def templated_flag(p, flag: str, expr: str) -> None:
    """Set a paragraph flag (keepNext, pageBreakBefore) whose value the template decides."""
    setattr(p.paragraph_format, flag, True)
    tag = {"keep_with_next": "w:keepNext", "page_break_before": "w:pageBreakBefore"}[flag]
    p._p.pPr.find(qn(tag)).set(qn("w:val"), expr)


def approval_blocks(doc) -> None:
    """The three «УТВЕРЖДАЮ» blocks side by side; one row per line keeps them level."""
    grifs = doc.add_table(rows=5, cols=3)
    no_borders(grifs)
    fixed_widths(grifs, [PORTRAIT_WIDTH / 3] * 3)
    for row in grifs.rows:
        cant_split(row)
    for index in range(3):
        a = f"part.approvals[{index}]"
        cell_text(grifs.cell(0, index), f"{{{{ {a}.word }}}}", bold=True, size=12)
        cell_text(grifs.cell(1, index), f"{{{{ {a}.position }}}}", size=12)
        sign = grifs.cell(2, index)
        cell_text(sign, "____________________", size=12).paragraph_format.space_before = Pt(18)
        para(sign, f"{{{{ {a}.name }}}}", bold=True, size=12, align=WD_ALIGN_PARAGRAPH.RIGHT)
        cell_text(grifs.cell(3, index), f"{{{{ {a}.date_line }}}}", size=11)
        cell_text(grifs.cell(4, index), f"{{{{ {a}.seal }}}}", size=11)
        for row in (3, 4):
            grifs.cell(row, index).paragraphs[0].paragraph_format.space_before = Pt(6)


def plan_title_page(doc) -> None:
    approval_blocks(doc)
    para(
        doc,
        "{{ part.title }}",
        bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        space_before=36,
        space_after=12,
    )
    para(doc, "{%p if part.order_reference %}")
    para(
        doc, "{{ part.order_reference }}", align=WD_ALIGN_PARAGRAPH.CENTER, size=12, space_after=12
    )
    para(doc, "{%p endif %}")
    para(
        doc, "{{ part.labels.baseline }}", bold=True, space_before=12, space_after=6, keep_next=True
    )
    para(doc, "{{ part.baseline_summary }}", align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True)
    para(doc, "{{ part.labels.sources }}", space_before=6, keep_next=True)
    lines_paragraphs(doc, "part.baseline_sources")


def plan_problems(doc) -> None:
    para(doc, "{%p for problem in part.problems %}")
    para(doc, "{{ problem.heading }}", bold=True, space_before=12, space_after=6, keep_next=True)
    para(doc, "{{ part.labels.justification }}", bold=True, size=12, keep_next=True)
    for key in ("causes", "consequences"):
        label = para(doc, f"{{{{ part.labels.{key} }}}}", size=12, keep_next=True)
        label.runs[0].italic = True
        lines_paragraphs(doc, f"problem.{key}", size=12, keep_next=True)
    para(doc, "", size=4, keep_next=True)
    table = doc.add_table(rows=5, cols=len(ACTIVITY_COLUMNS))
    grid_borders(table)
    fixed_widths(table, [w for _, w in ACTIVITY_COLUMNS])
    header_row(table, [f"{{{{ part.labels.{key} }}}}" for key, _ in ACTIVITY_COLUMNS])
    row_loop(table, 1, "{%tr for a in problem.activities %}", "{%tr endfor %}")
    body = table.rows[2].cells
    for cell, (key, _) in zip(body, ACTIVITY_COLUMNS, strict=True):
        if key in ("expected_result", "indicators"):
            # The problem's result and indicators span all its activity rows.
            p = cell_text(cell, f"{{% vm %}}{{{{ problem.{key} }}}}", size=TABLE_PT)
        else:
            field = {"activity": "title", "source": "sources"}.get(key, key)
            p = cell_text(cell, f"{{{{ a.{field} }}}}", size=TABLE_PT)
        # The last activity keeps to the total row, which never starts a page alone.
        templated_flag(p, "keep_with_next", "{{ 'true' if loop.last else 'false' }}")
    total = table.rows[4]
    cant_split(total)
    label = total.cells[0].merge(total.cells[4])
    cell_text(label, "{{ problem.total_label }}", bold=True, size=TABLE_PT)
    cell_text(total.cells[5], "{{ problem.total }}", bold=True, size=TABLE_PT)
    words = total.cells[6].merge(total.cells[8])
    cell_text(words, "{{ problem.total_words }}", size=TABLE_PT)
    para(doc, "{%p endfor %}")


def plan_budget_monitoring_indicators(doc) -> None:
    para(
        doc,
        "{{ part.labels.budget }}",
        bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        space_after=12,
        keep_next=True,
    )
    budget = doc.add_table(rows=5, cols=4)
    grid_borders(budget)
    fixed_widths(budget, [12, 58, 30, 65])
    header_row(
        budget,
        [
            "{{ part.labels.number }}",
            "{{ part.labels.source }}",
            "{{ part.labels.amount }}",
            "{{ part.labels.amount_words }}",
        ],
    )
    row_loop(budget, 1, "{%tr for row in part.budget_rows %}", "{%tr endfor %}")
    for cell, key in zip(
        budget.rows[2].cells, ("number", "source", "amount", "words"), strict=True
    ):
        align = WD_ALIGN_PARAGRAPH.RIGHT if key == "amount" else None
        cell_text(cell, f"{{{{ row.{key} }}}}", size=11, align=align)
    total = budget.rows[4]
    cant_split(total)
    cell_text(total.cells[0].merge(total.cells[1]), "{{ part.labels.total }}", bold=True, size=11)
    cell_text(
        total.cells[2],
        "{{ part.budget_total }}",
        bold=True,
        size=11,
        align=WD_ALIGN_PARAGRAPH.RIGHT,
    )
    cell_text(total.cells[3], "{{ part.budget_total_words }}", bold=True, size=11)

    para(
        doc,
        "{{ part.labels.monitoring }}",
        bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        space_before=18,
        space_after=12,
        keep_next=True,
    )
    lines_paragraphs(
        doc, "part.monitoring", align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True, space_after=6
    )

    para(
        doc,
        "{{ part.labels.indicator_table }}",
        bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        space_before=12,
        space_after=6,
        keep_next=True,
    )
    keys = ("ref", "indicator", "unit", "baseline_value", "target_value", "direction")
    indicators = doc.add_table(rows=7, cols=len(keys))
    grid_borders(indicators)
    fixed_widths(indicators, [12, 57, 22, 22, 22, 30])
    header_row(indicators, [f"{{{{ part.labels.{k} }}}}" for k in keys])
    cell_text(indicators.cell(1, 0), "{%tr for group in part.indicator_groups %}")
    group = indicators.rows[2]
    cant_split(group)
    heading = group.cells[0].merge(group.cells[-1])
    # The last indicator row stays on the page of the agreement block that signs the plan.
    cell_text(heading, "{% set last_group = loop.last %}{{ group.heading }}", bold=True, size=11)
    row_loop(indicators, 3, "{%tr for row in group.rows %}", "{%tr endfor %}")
    for cell, key in zip(
        indicators.rows[4].cells,
        ("ref", "name", "unit", "baseline", "target", "direction"),
        strict=True,
    ):
        align = None if key == "name" else WD_ALIGN_PARAGRAPH.CENTER
        cell_text(cell, f"{{{{ row.{key} }}}}", size=11, align=align)
    keep_row_with_next(
        indicators.rows[4],
        "{{ 'true' if part.agreed and last_group and loop.last else 'false' }}",
    )
    cell_text(indicators.cell(6, 0), "{%tr endfor %}")

    para(doc, "{%p if part.agreed %}")
    para(doc, "{{ part.labels.agreed }}", bold=True, space_before=24, space_after=6, keep_next=True)
    agreed = doc.add_table(rows=3, cols=3)
    no_borders(agreed)
    fixed_widths(agreed, [85, 40, 40])
    row_loop(agreed, 0, "{%tr for person in part.agreed %}", "{%tr endfor %}")
    position, line, name = agreed.rows[1].cells
    cell_text(position, "{{ person.position }}", size=12)
    p = cell_text(line, "______________", size=12, align=WD_ALIGN_PARAGRAPH.CENTER)
    p.paragraph_format.space_before = Pt(12)
    p = cell_text(name, "{{ person.name }}", size=12, align=WD_ALIGN_PARAGRAPH.RIGHT)
    p.paragraph_format.space_before = Pt(12)
    keep_row_with_next(agreed.rows[1], "{{ 'false' if loop.last else 'true' }}")
    para(doc, "{%p endif %}")


def joint_plan() -> None:
    doc = base_document()
    para(doc, "{%p for part in parts %}")
    plan_title_page(doc)
    landscape = doc.add_section(WD_SECTION.NEW_PAGE)
    set_page(landscape, landscape=True)
    starts_part(landscape, False)
    plan_problems(doc)
    set_page(doc.add_section(WD_SECTION.NEW_PAGE), landscape=False)
    plan_budget_monitoring_indicators(doc)
    end_of_part(doc)
    para(doc, "{%p endfor %}")
    share_headers(doc)
    tag_parts(doc)
    doc.core_properties.title = "Joint plan"
    doc.core_properties.author = "docgen-kg"
    doc.save(OUT / "joint-plan.docx")


# The annual report: portrait throughout; per language the addressee, the title, the tables of
# activities, indicators and budget, the chart (a placeholder picture the service replaces,
# image1.png for the first language and image2.png for the second), the narrative and the
# signature.
REPORT_CHART_CM = (16.0, 15.0)  # service.kinds.annual_report.chart: WIDTH_CM, HEIGHT_CM
REPORT_TABLE_PT = 9


def placeholder_png(shade: int) -> bytes:
    """A one-pixel grey PNG; different shades keep python-docx from sharing one image part."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)  # 1×1, 8-bit greyscale
    pixels = zlib.compress(bytes([0, shade]))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def report_table(doc, keys: list[str], widths: list[float], loop: str, item: str, *, size=10):
    """A bordered table: a header row of labels, then one row per item of `loop`."""
    table = doc.add_table(rows=4, cols=len(keys))
    grid_borders(table)
    fixed_widths(table, widths)
    header_row(table, [f"{{{{ part.labels.{k} }}}}" for k in keys])
    row_loop(table, 1, f"{{%tr for {item} in {loop} %}}", "{%tr endfor %}")
    return table


def annual_report() -> None:
    doc = base_document()
    para(doc, "{%p for part in parts %}")
    addressee = para(doc, "{{ part.addressee }}", bold=True)
    addressee.paragraph_format.left_indent = Mm(95)
    para(
        doc,
        "{{ part.title }}",
        bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        space_before=24,
        space_after=6,
    )
    para(doc, "{{ part.period }}", align=WD_ALIGN_PARAGRAPH.CENTER, size=12, space_after=12)
    para(doc, "{{ part.introduction }}", align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True)
    para(doc, "{%p if part.order_reference %}")
    para(doc, "{{ part.order_reference }}", align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True)
    para(doc, "{%p endif %}")

    # 1. Activities: the shares by status, then one table per problem.
    para(doc, "{{ part.labels.execution_heading }}", bold=True, space_before=12, keep_next=True)
    para(doc, "{{ part.labels.summary_table }}", size=12, space_after=6, keep_next=True)
    summary = doc.add_table(rows=5, cols=7)
    grid_borders(summary)
    fixed_widths(summary, [40, 15, 22, 22, 22, 22, 22])
    header_row(
        summary,
        ["{{ part.labels.problem }}", "{{ part.labels.count }}"]
        + [f"{{{{ part.labels.statuses[{i}] }}}}" for i in range(5)],
    )
    row_loop(summary, 1, "{%tr for row in part.summary_rows %}", "{%tr endfor %}")
    for index, cells in ((2, "row"), (4, "part.summary_total")):
        row = summary.rows[index].cells
        bold = index == 4
        cell_text(row[0], f"{{{{ {cells}.label }}}}", size=TABLE_PT, bold=bold)
        cell_text(row[1], f"{{{{ {cells}.total }}}}", size=TABLE_PT, bold=bold,
                  align=WD_ALIGN_PARAGRAPH.CENTER)  # fmt: skip
        for i in range(5):
            cell_text(row[2 + i], f"{{{{ {cells}.cells[{i}] }}}}", size=TABLE_PT, bold=bold,
                      align=WD_ALIGN_PARAGRAPH.CENTER)  # fmt: skip
    cant_split(summary.rows[4])

    para(doc, "{%p for problem in part.problems %}")
    para(doc, "{{ problem.heading }}", bold=True, size=12, space_before=12, space_after=6,
         keep_next=True)  # fmt: skip
    keys = ["number", "activity", "deadline", "status", "actual_date", "planned", "spent"]
    activities = doc.add_table(rows=5, cols=len(keys))
    grid_borders(activities)
    fixed_widths(activities, [8, 40, 23, 22, 22, 25, 25])
    header_row(activities, [f"{{{{ part.labels.{k} }}}}" for k in keys])
    row_loop(activities, 1, "{%tr for a in problem.activities %}", "{%tr endfor %}")
    fields = ["number", "title", "deadline", "status", "actual_date", "planned", "spent"]
    for cell, key in zip(activities.rows[2].cells, fields, strict=True):
        align = WD_ALIGN_PARAGRAPH.RIGHT if key in ("planned", "spent") else None
        cell_text(cell, f"{{{{ a.{key} }}}}", size=REPORT_TABLE_PT, align=align)
        if key == "title":
            para(cell, "{%p if a.comment %}")
            comment = para(cell, "{{ a.comment }}", size=8)
            comment.runs[0].italic = True
            para(cell, "{%p endif %}")
    total = activities.rows[4]
    cant_split(total)
    cell_text(total.cells[0].merge(total.cells[4]), "{{ problem.total_label }}", bold=True,
              size=TABLE_PT)  # fmt: skip
    cell_text(total.cells[5], "{{ problem.planned }}", bold=True, size=TABLE_PT,
              align=WD_ALIGN_PARAGRAPH.RIGHT)  # fmt: skip
    cell_text(total.cells[6], "{{ problem.spent }}", bold=True, size=TABLE_PT,
              align=WD_ALIGN_PARAGRAPH.RIGHT)  # fmt: skip
    para(doc, "{{ problem.shares }}", size=11, space_before=3)
    para(doc, "{%p endfor %}")

    # 2. Indicators.
    para(doc, "{{ part.labels.indicators_heading }}", bold=True, space_before=18, space_after=6,
         keep_next=True)  # fmt: skip
    keys = ["ref", "indicator", "baseline", "target", "actual", "change", "achievement", "trend"]
    indicators = report_table(doc, keys, [12, 40, 17, 17, 17, 16, 20, 26], "part.indicators", "row")
    fields = ["ref", "name", "baseline", "target", "actual", "change", "achievement", "trend"]
    for cell, key in zip(indicators.rows[2].cells, fields, strict=True):
        align = None if key == "name" else WD_ALIGN_PARAGRAPH.CENTER
        cell_text(cell, f"{{{{ row.{key} }}}}", size=TABLE_PT, align=align)

    # 3. Budget.
    para(doc, "{{ part.labels.budget_heading }}", bold=True, space_before=18, space_after=6,
         keep_next=True)  # fmt: skip
    budget = doc.add_table(rows=5, cols=5)
    grid_borders(budget)
    fixed_widths(budget, [12, 63, 30, 30, 30])
    header_row(
        budget,
        [f"{{{{ part.labels.{k} }}}}" for k in ("number", "source", "planned", "spent",
                                                "execution")],
    )  # fmt: skip
    row_loop(budget, 1, "{%tr for row in part.budget_rows %}", "{%tr endfor %}")
    for cell, key in zip(
        budget.rows[2].cells, ("number", "source", "planned", "spent", "execution"), strict=True
    ):
        align = WD_ALIGN_PARAGRAPH.RIGHT if key in ("planned", "spent", "execution") else None
        cell_text(cell, f"{{{{ row.{key} }}}}", size=11, align=align)
    total = budget.rows[4]
    cant_split(total)
    cell_text(total.cells[0].merge(total.cells[1]), "{{ part.labels.total }}", bold=True, size=11)
    for cell, key in zip(
        total.cells[2:], ("budget_planned", "budget_spent", "budget_execution"), strict=True
    ):
        cell_text(cell, f"{{{{ part.{key} }}}}", bold=True, size=11, align=WD_ALIGN_PARAGRAPH.RIGHT)

    # The chart: one placeholder per language part; the service puts the real PNG in its place.
    width, height = REPORT_CHART_CM
    para(doc, "{%p if loop.first %}")
    picture = para(doc, align=WD_ALIGN_PARAGRAPH.CENTER, space_before=12, keep_next=True)
    picture.add_run().add_picture(BytesIO(placeholder_png(0xCC)), Cm(width), Cm(height))
    para(doc, "{%p else %}")
    picture = para(doc, align=WD_ALIGN_PARAGRAPH.CENTER, space_before=12, keep_next=True)
    picture.add_run().add_picture(BytesIO(placeholder_png(0xDD)), Cm(width), Cm(height))
    para(doc, "{%p endif %}")
    para(doc, "{{ part.labels.chart_caption }}", align=WD_ALIGN_PARAGRAPH.CENTER, size=11,
         space_after=12)  # fmt: skip

    # 4. Conclusions.
    para(doc, "{{ part.labels.narrative_heading }}", bold=True, space_before=12, space_after=6,
         keep_next=True)  # fmt: skip
    para(doc, "{%p for section in part.narrative %}")
    para(doc, "{%p set last_section = loop.last %}")
    para(doc, "{{ section.heading }}", bold=True, size=13, space_before=6, keep_next=True)
    para(doc, "{%p for line in section.paragraphs %}")
    line = para(doc, "{{ line }}", align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True)
    # The last lines of the text stay on the page of the signature (never a signature alone).
    templated_flag(
        line, "keep_with_next", "{{ 'true' if last_section and loop.last else 'false' }}"
    )
    para(doc, "{%p endfor %}")
    para(doc, "{%p endfor %}")

    # Date and signature of the working group leader.
    para(doc, "{{ part.date }}", space_before=24, keep_next=True)
    para(doc, "", space_before=12, keep_next=True)
    signature_row(doc, [80, 40, 45], "part.signatory_position", "part.signatory_name", 13)
    end_of_part(doc)
    para(doc, "{%p endfor %}")
    share_headers(doc)
    tag_parts(doc)
    doc.core_properties.title = "Annual implementation report"
    doc.core_properties.author = "docgen-kg"
    doc.save(OUT / "annual-report.docx")


if __name__ == "__main__":
    working_group_order()
    joint_plan()
    annual_report()
