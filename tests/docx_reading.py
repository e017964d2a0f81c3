"""Read a generated .docx back the way a reader sees it: blocks in order, tables as rows."""

from __future__ import annotations

import io

from docx import Document
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

# A reader sees a no-break hyphen as a hyphen and sees neither a soft hyphen where the line
# does not break nor a zero-width space (service/language/typography.py puts them in document
# numbers, dates and narrow table columns; tests/test_typography.py checks where). No-break
# spaces are kept: tests say where they must be.
_AS_READ = str.maketrans({"\u2011": "-", "\u00ad": None, "\u200b": None})


def as_read(text: str) -> str:
    return text.translate(_AS_READ)


def open_docx(content: bytes):
    return Document(io.BytesIO(content))


def blocks(document) -> list:
    """Body paragraphs (their text) and tables (rows of cell texts), in document order.

    A row that holds a table of its own (the order's last appendix rows and the closing line,
    kept together in one row that cannot split) reads as a reader sees it: the inner table's
    rows continue the table, and what follows them in the cell comes after the table."""
    return _blocks(document.element.body, document)


def _blocks(parent, document) -> list:
    out = []
    for child in parent.iterchildren():
        if child.tag == qn("w:p"):
            out.append(as_read(Paragraph(child, document).text))
        elif child.tag == qn("w:tbl"):
            rows, after = [], []
            for row in Table(child, document).rows:
                cells = row._tr.findall(qn("w:tc"))
                if len(cells) == 1 and cells[0].find(qn("w:tbl")) is not None:
                    inner = _blocks(cells[0], document)
                    rows.extend(inner[0])
                    after.extend(b for b in inner[1:] if b)
                else:
                    rows.append([as_read(cell.text) for cell in row.cells])
            out.append(rows)
            out.extend(after)
    return out


def paragraphs(document) -> list[str]:
    return [b for b in blocks(document) if isinstance(b, str) and b.strip()]


def tables(document) -> list[list[list[str]]]:
    return [b for b in blocks(document) if isinstance(b, list)]


def all_text(document) -> str:
    parts = []
    for b in blocks(document):
        if isinstance(b, str):
            parts.append(b)
        else:
            parts.extend(cell for row in b for cell in row)
    return "\n".join(parts)


def page_break_before(document) -> list[str]:
    """Texts of the paragraphs that start a new page."""
    found = []
    for p in document.paragraphs:
        el = p._p.find(f"{qn('w:pPr')}/{qn('w:pageBreakBefore')}")
        if el is not None and el.get(qn("w:val"), "true") in ("true", "1", "on"):
            found.append(as_read(p.text))
    return found


def section_starts(document) -> list[str]:
    """The first text of each section (a paragraph's, or a table's first cell)."""
    starts, starting = [], True
    for block, child in zip(blocks(document), document.element.body.iterchildren(), strict=False):
        text = block if isinstance(block, str) else (block[0][0] if block and block[0] else "")
        if starting and text.strip():
            starts.append(text)
            starting = False
        if child.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None:
            starting = True
    return starts


def numbered_from_one_after_first_page(section) -> bool:
    """The section numbers its pages from 1 and shows no number on its first page."""
    number_type = section._sectPr.find(qn("w:pgNumType"))
    return (
        section.different_first_page_header_footer
        and number_type is not None
        and number_type.get(qn("w:start")) == "1"
    )
