"""The layout gate: a PDF made from one of our .docx files, checked the way a clerk checks the
printed pages before signing them.

    problems = check_pdf(pdf_path, docx_bytes)      # [] when the pages are fit to sign

Each check takes the PDF's pages (words with their boxes, read by poppler's
`pdftotext -bbox-layout`, sizes by `pdfinfo`) and the .docx the PDF was made from (what the
pages must show: sections, the letterhead, signature blocks, page breaks, every paragraph and
table cell, nested tables included) and returns human-readable problems:

- page size: every page A4; the orientations page after page follow the sections (the plan's
  activity tables are landscape);
- margins: no word outside the text area of its page (headers may use the header distance);
- letterhead: its columns (Kyrgyz, Russian) side by side on the first page;
- signatures: each signature line with its name on one page, with at least SIGNED_LINES lines
  of the text it signs (above it; below it for approval blocks that head the document);
- new pages: what the .docx starts on a new page (an appendix, a section) heads a page;
- leftovers: no «None», «{{», «{%» … printed;
- Kyrgyz letters: ң ө ү (and capitals) printed as text, as often as the .docx has them;
- text: every word of every table cell and paragraph printed — each cell's words on one page
  or two consecutive ones (a row may split), and, over the whole document, each word as often
  as the .docx has it. LibreOffice and Collabora have been seen to drop the text of rows that
  may not split under a repeated header row (CollaboraOnline issue #16066); our plan tables
  have both.

Words are compared after normalising whitespace (no-break and thin spaces are spaces), hyphens
(soft hyphens, no-break hyphens and a word broken at a line's end with a hyphen are one word)
and Unicode (NFC). `python -m tests.pdf_layout FILE.pdf FILE.docx` prints the problems.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from docx import Document
from docx.oxml.ns import qn

A4 = (595.3, 841.9)  # points
SIZE_TOLERANCE = 1.0
SIDE_TOLERANCE = 2.0  # left/right: the body text must stay inside the margins
EDGE_TOLERANCE = 2.0  # top/bottom: inside the header/footer distance (headers sit in the margin)
ROW_GAP = 3.0  # points: words whose tops differ less stand on one line (e.g. in table cells)
SIGNED_LINES = 3  # lines of signed text on a signature's page (e.g. the date and two lines)
NAME_TO_LINE = 40.0  # points: at most this far above its name (or on its row) is a name's line
SEGMENT_GAP = 8.0  # points: a wider gap between two words of a line separates table cells
INDENT = 40.0  # points: a paragraph's first line may start this far right of its second
NEW_PAGE_WORDS = 8  # the first words of what begins a new page, found on it
CELL_PAGES = 2  # a table cell's words lie on this many consecutive pages at most

LEFTOVERS = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}|\b(?:None|Undefined|nan|NaN)\b")
KYRGYZ_LETTERS = "ңөүҢӨҮ"
SIGNATURE_LINE = re.compile(r"_{5,}")
STAMPS = {"М.О.", "М.П."}  # «мөөрдүн орду», «место печати»: a stamp's place, not a name
HYPHENS = "-\u2010\u2011\u00ad"  # removed from words before comparing
LINE_END_HYPHENS = ("-", "\u2010", "\u2011", "\u00ad")  # a word broken at a line's end

_SPACES = {c: " " for c in "\u00a0\u202f\u2007\u2009\u200a\u2002\u2003\t\n\r\v\f"}
_NORMAL = str.maketrans({**_SPACES, "\u200b": None, "\ufeff": None, "\u2060": None})
_KEY = str.maketrans({h: None for h in HYPHENS})


def normal(text: str) -> str:
    return unicodedata.normalize("NFC", text).translate(_NORMAL)


def tokens(text: str) -> list[str]:
    """The words of `text` as printed: split at any kind of space."""
    return normal(text).split()


def key(word: str) -> str:
    """A word as compared: without hyphens (a broken «Ис-»+«файрам» is «Исфайрам», a broken
    «Үч-»+«Коргон» is «Үч-Коргон», each of them «ҮчКоргон» once keyed)."""
    return word.translate(_KEY)


def keys(text: str) -> list[str]:
    return [k for k in map(key, tokens(text)) if k]


# ---------------------------------------------------------------------------------------------
# The PDF's pages, as poppler reads them.


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass
class Page:
    number: int
    width: float
    height: float
    blocks: list[list[list[Word]]] = field(default_factory=list)  # blocks → lines → words
    keyed: dict = field(default_factory=dict, repr=False, compare=False)  # printed_words'

    @property
    def lines(self) -> list[list[Word]]:
        return [line for block in self.blocks for line in block if line]

    @property
    def words(self) -> list[Word]:
        return [word for line in self.lines for word in line]

    @property
    def text(self) -> str:
        return "\n".join(" ".join(word.text for word in line) for line in self.lines)


def run(*command: str) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def page_sizes(pdf: Path) -> list[tuple[float, float]]:
    """(width, height) of each page as it comes out of the printer (rotation applied)."""
    info = run("pdfinfo", "-f", "1", "-l", "1000000", str(pdf))  # (-l: up to the last page)
    count = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    rotations = [int(r) for r in re.findall(r"^Page\s+\d+ rot:\s+(-?\d+)", info, re.M)]
    sizes = [
        (float(width), float(height))
        for width, height in re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info, re.M)
    ]
    sizes = [
        (height, width) if rotation % 180 else (width, height)
        for (width, height), rotation in zip(sizes, rotations or [0] * len(sizes), strict=True)
    ]
    if len(sizes) != count:
        raise ValueError(f"pdfinfo gave {len(sizes)} page sizes for {count} pages:\n{info}")
    return sizes


def read_pages(pdf: Path) -> list[Page]:
    """The words of each page with their boxes, grouped in blocks and lines by pdftotext."""
    xhtml = "{http://www.w3.org/1999/xhtml}"
    root = ElementTree.fromstring(run("pdftotext", "-bbox-layout", str(pdf), "-"))
    pages = []
    for number, element in enumerate(root.iter(f"{xhtml}page"), 1):
        page = Page(number, float(element.get("width")), float(element.get("height")))
        for block in element.iter(f"{xhtml}block"):
            page.blocks.append(
                [
                    [
                        Word(
                            w.text or "",
                            *(float(w.get(k)) for k in ("xMin", "yMin", "xMax", "yMax")),
                        )
                        for w in line.iter(f"{xhtml}word")
                    ]
                    for line in block.iter(f"{xhtml}line")
                ]
            )
        pages.append(page)
    sizes = page_sizes(pdf)
    if len(sizes) != len(pages):
        raise ValueError(f"pdftotext read {len(pages)} pages, pdfinfo {len(sizes)}")
    for page, (width, height) in zip(pages, sizes, strict=True):
        page.width, page.height = width, height
    return pages


def orientation(width: float, height: float) -> str:
    return "landscape" if width > height else "portrait"


def rows(tops) -> int:
    """How many lines of text start at these heights (tops closer than ROW_GAP: one line)."""
    count, last = 0, None
    for top in sorted(tops):
        if last is None or top - last > ROW_GAP:
            count += 1
        last = top
    return count


# ---------------------------------------------------------------------------------------------
# The .docx: what the pages must show.


@dataclass(frozen=True)
class Section:
    width: float
    height: float
    left: float  # the text area, points from the page's top left corner
    top: float
    right: float
    bottom: float
    body_top: float  # the top margin: above it, only the header (the page number)

    @property
    def orientation(self) -> str:
        return orientation(self.width, self.height)


@dataclass(frozen=True)
class Cell:
    where: str  # «table 3, row 5, cell 2» (nested: «table 3, row 5, cell 1 › table 1, …»)
    text: str


@dataclass(frozen=True)
class Signature:
    name: str
    table: int  # the body table it stands in
    section: int
    signs_above: bool  # the signed text comes before it (not an approval block heading it)


@dataclass
class Source:
    """The .docx as the gate reads it."""

    sections: list[Section]
    paragraphs: list[str]  # every paragraph of the body, table cells' included, in order
    cells: list[Cell]  # every table cell with text, nested tables' included
    letterhead: list[list[str]]  # the letterhead's columns, each a list of its lines
    signatures: list[Signature]
    signature_words: set[str]  # the keys of every word in a signature table
    new_pages: list[str]  # the first text of what begins a new page, in order


MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


_R, _T, _DEL, _NO_BREAK_HYPHEN = qn("w:r"), qn("w:t"), qn("w:del"), qn("w:noBreakHyphen")
_SPACE_LIKE = {qn("w:tab"), qn("w:br"), qn("w:cr")}
_VANISH = f"{qn('w:rPr')}/{qn('w:vanish')}"


def _paragraph_text(p) -> str:
    """The paragraph's text as printed: hidden runs left out, tabs and breaks as spaces."""
    out = []
    for run in p.iter(_R):
        if run.find(_VANISH) is not None or (run.getparent().tag == _DEL):
            continue
        for element in run:
            tag = element.tag
            if tag == _T:
                out.append(element.text or "")
            elif tag in _SPACE_LIKE:
                out.append(" ")
            elif tag == _NO_BREAK_HYPHEN:
                out.append("-")
    return "".join(out)


def _skipped(element) -> bool:
    """A paragraph Word does not print: alternate content's fallback."""
    return any(parent.tag == MC_FALLBACK for parent in element.iterancestors())


def _own_paragraphs(tc) -> list:
    return [p for p in tc.iterchildren(qn("w:p"))]


def _cells(tbl, where: str) -> Iterator[Cell]:
    for r, tr in enumerate(tbl.iterchildren(qn("w:tr")), 1):
        for c, tc in enumerate(tr.iterchildren(qn("w:tc")), 1):
            here = f"{where}, row {r}, cell {c}"
            text = "\n".join(_paragraph_text(p) for p in _own_paragraphs(tc))
            if text.strip():
                yield Cell(here, text)
            for n, inner in enumerate(tc.iterchildren(qn("w:tbl")), 1):
                yield from _cells(inner, f"{here} › table {n}")


def _breaks_before(p) -> bool:
    ppr = p.find(qn("w:pPr"))
    if ppr is None:
        return False
    pbb = ppr.find(qn("w:pageBreakBefore"))
    return pbb is not None and pbb.get(qn("w:val"), "true") not in ("0", "false", "off")


def _new_section_page(sectpr) -> bool:
    kind = sectpr.find(qn("w:type")) if sectpr is not None else None
    return kind is None or kind.get(qn("w:val")) in ("nextPage", "oddPage", "evenPage")


def _first_text(element) -> str:
    for p in element.iter(qn("w:p")):
        if (text := _paragraph_text(p)).strip():
            return text
    return ""


def _signature_names(tbl) -> list[str]:
    """The names signed under lines of this table: after the line in its cell («____» then
    «Б.Т. Мамытов»), or in the next cell of the row with text (position | line | name)."""
    names = []
    for tr in tbl.iter(qn("w:tr")):
        cells = [
            [line.strip() for p in _own_paragraphs(tc) for line in _paragraph_text(p).split("\n")]
            for tc in tr.iterchildren(qn("w:tc"))
        ]
        for i, lines in enumerate(cells):
            for j, line in enumerate(lines):
                if not SIGNATURE_LINE.fullmatch(line):
                    continue
                candidates = lines[j + 1 :] + [t for other in cells[i + 1 :] for t in other]
                name = next(
                    (t for t in candidates if re.search(r"\w", t) and t not in STAMPS
                     and "_" not in t),
                    None,
                )  # fmt: skip
                if name:
                    names.append(name)
    return names


def read_docx(content: bytes | Path) -> Source:
    if isinstance(content, Path):
        content = content.read_bytes()
    document = Document(io.BytesIO(content))
    sections = []
    for s in document.sections:
        width, height = s.page_width.pt, s.page_height.pt
        sections.append(
            Section(
                width, height, s.left_margin.pt, min(s.top_margin.pt, s.header_distance.pt),
                width - s.right_margin.pt,
                height - min(s.bottom_margin.pt, s.footer_distance.pt), s.top_margin.pt,
            )
        )  # fmt: skip
    body = document.element.body
    paragraphs = [
        text for p in body.iter(qn("w:p")) if not _skipped(p) and (text := _paragraph_text(p))
    ]
    source = Source(sections, paragraphs, [], [], [], set(), [])
    sectprs = [*body.iter(qn("w:sectPr"))]  # each section's, in order; the last is the body's
    section, text_in_section, table_number, starts_page = 0, False, 0, False
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            text = _paragraph_text(child)
            starts_page = starts_page or _breaks_before(child)  # (an empty one passes it on)
            if starts_page and text.strip():
                source.new_pages.append(text)
                starts_page = False
            if any(br.get(qn("w:type")) == "page" for br in child.iter(qn("w:br"))):
                starts_page = True  # (text after the break in the same paragraph: not read)
            text_in_section = text_in_section or bool(text.strip())
            if child.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None:
                section += 1
                text_in_section = False
                # The next section's properties say how it starts (by default on a new page).
                starts_page = starts_page or _new_section_page(sectprs[section])
        elif child.tag == qn("w:tbl"):
            table_number += 1
            if starts_page and (text := _first_text(child)).strip():
                source.new_pages.append(text)
                starts_page = False
            source.cells.extend(_cells(child, f"table {table_number}"))
            names = _signature_names(child)
            words = {k for p in child.iter(qn("w:p")) for k in keys(_paragraph_text(p))}
            if names:
                source.signatures += [
                    Signature(name, table_number, section, text_in_section) for name in names
                ]
                source.signature_words |= words
            elif table_number == 1 and not text_in_section and section == 0:
                columns = [
                    [t for p in _own_paragraphs(tc) if (t := _paragraph_text(p).strip())]
                    for tc in child.find(qn("w:tr")).iterchildren(qn("w:tc"))
                ]
                if sum(1 for column in columns if column) >= 2:
                    source.letterhead = [column for column in columns if column]
            text_in_section = text_in_section or bool(_first_text(child).strip())
    return source


# ---------------------------------------------------------------------------------------------
# The checks: each takes the pages and the source, and returns problems.

Check = Callable[[list[Page], Source], list[str]]


def _section_of(pages: list[Page], source: Source) -> list[Section]:
    """The most generous text area of the sections of each page's orientation."""
    by_orientation: dict[str, Section] = {}
    for s in source.sections:
        o = by_orientation.get(s.orientation, s)
        by_orientation[s.orientation] = Section(
            s.width, s.height, min(s.left, o.left), min(s.top, o.top), max(s.right, o.right),
            max(s.bottom, o.bottom), min(s.body_top, o.body_top),
        )  # fmt: skip
    fallback = next(iter(by_orientation.values()))
    return [by_orientation.get(orientation(p.width, p.height), fallback) for p in pages]


def _body_words(page: Page, section: Section) -> list[Word]:
    """The page's words below the top margin: without the header's page number."""
    return [w for w in page.words if w.y1 > section.body_top]


def _runs(items: list[str]) -> list[str]:
    return [x for i, x in enumerate(items) if i == 0 or items[i - 1] != x]


def check_page_size(pages: list[Page], source: Source) -> list[str]:
    problems = []
    for page in pages:
        size = sorted((page.width, page.height))
        if abs(size[0] - A4[0]) > SIZE_TOLERANCE or abs(size[1] - A4[1]) > SIZE_TOLERANCE:
            problems.append(
                f"page {page.number} is {page.width:.1f} x {page.height:.1f} pt, not A4"
            )
    # Every section starts a new page, so page after page the orientations change as the
    # sections' do (a section may take several pages).
    printed = _runs([orientation(p.width, p.height) for p in pages])
    expected = _runs([s.orientation for s in source.sections])
    if printed != expected:
        detail = ", ".join(f"{p.number} {orientation(p.width, p.height)}" for p in pages)
        problems.append(
            f"page orientations run {' → '.join(printed)}, the sections {' → '.join(expected)} "
            f"(pages: {detail})"
        )
    return problems


def check_margins(pages: list[Page], source: Source) -> list[str]:
    problems = []
    for page, s in zip(pages, _section_of(pages, source), strict=True):
        # Margins from the printed page's edges (a page of the wrong size is page_size's).
        left, top = s.left, s.top
        right, bottom = page.width - (s.width - s.right), page.height - (s.height - s.bottom)
        for w in page.words:
            if (
                w.x0 < left - SIDE_TOLERANCE
                or w.x1 > right + SIDE_TOLERANCE
                or w.y0 < top - EDGE_TOLERANCE
                or w.y1 > bottom + EDGE_TOLERANCE
            ):
                problems.append(
                    f"page {page.number}: {w.text!r} at x {w.x0:.1f}–{w.x1:.1f}, "
                    f"y {w.y0:.1f}–{w.y1:.1f} outside the text area x {left:.1f}–{right:.1f}, "
                    f"y {top:.1f}–{bottom:.1f}"
                )
    return problems


def check_letterhead(pages: list[Page], source: Source) -> list[str]:
    """The letterhead's columns stand side by side at the top of the first page, in order."""
    if not source.letterhead or not pages:
        return []
    page = pages[0]
    column_keys = [{k for line in column for k in keys(line)} for column in source.letterhead]
    boxes, problems = [], []
    for n, own in enumerate(column_keys):
        unique = own - set().union(*(c for i, c in enumerate(column_keys) if i != n))
        found = {}
        for w in page.words:  # each word's topmost occurrence
            if (k := key(normal(w.text))) in unique and k not in found:
                found[k] = w
        if missing := sorted(unique - set(found)):
            problems.append(f"letterhead column {n + 1}: not on page 1: {missing}")
            return problems
        words = list(found.values())
        boxes.append(
            (min(w.x0 for w in words), min(w.y0 for w in words), max(w.x1 for w in words),
             max(w.y1 for w in words))
        )  # fmt: skip
    for n, (left, right) in enumerate(zip(boxes, boxes[1:], strict=False), 1):
        overlap = min(left[3], right[3]) - max(left[1], right[1])
        shorter = min(left[3] - left[1], right[3] - right[1])
        if left[2] >= right[0] or overlap < 0.5 * shorter:
            problems.append(
                f"letterhead columns {n} and {n + 1} are not side by side: column {n} at "
                f"x {left[0]:.1f}–{left[2]:.1f}, y {left[1]:.1f}–{left[3]:.1f}; column {n + 1} "
                f"at x {right[0]:.1f}–{right[2]:.1f}, y {right[1]:.1f}–{right[3]:.1f}"
            )
    return problems


def _find(page: Page, wanted: list[str]) -> Iterator[list[Word]]:
    """Runs of the page's words (in reading order) whose keys are `wanted`."""
    words = page.words
    got = [key(normal(w.text)) for w in words]
    for i in range(len(words) - len(wanted) + 1):
        if got[i : i + len(wanted)] == wanted:
            yield words[i : i + len(wanted)]


def check_signatures(pages: list[Page], source: Source) -> list[str]:
    """Each signature line, its name and SIGNED_LINES lines of the text it signs on one page."""
    problems, used, last_page = [], set(), 0
    areas = _section_of(pages, source)
    for signature in source.signatures:
        wanted = keys(signature.name)
        found = next(
            (
                (page, run)
                for page in pages[last_page:]
                for run in _find(page, wanted)
                if (page.number, run[0]) not in used
            ),
            None,
        )
        if found is None:
            problems.append(f"signature {signature.name!r}: the name is not printed")
            continue
        page, name = found
        used.add((page.number, name[0]))
        last_page = page.number - 1
        top = min(w.y0 for w in name)
        left, right = min(w.x0 for w in name), max(w.x1 for w in name)
        lines = [
            w
            for w in page.words
            if SIGNATURE_LINE.fullmatch(w.text)
            and 0 <= top - w.y0 <= NAME_TO_LINE
            and (abs(w.y0 - top) <= ROW_GAP or (w.x0 < right and left < w.x1))
        ]
        if not lines:
            problems.append(
                f"signature {signature.name!r}: no signature line by the name on page "
                f"{page.number}, which reads:\n{page.text}"
            )
            continue
        line = min(lines, key=lambda w: top - w.y0)
        first_row, last_row = min(line.y0, top), max(line.y0, top)  # the tops of its rows
        text = [
            w
            for w in _body_words(page, areas[page.number - 1])
            if key(normal(w.text)) not in source.signature_words
            and not SIGNATURE_LINE.fullmatch(w.text)
        ]
        if signature.signs_above:
            signed = rows(w.y0 for w in text if w.y0 < first_row - ROW_GAP)
            where = "above it"
        else:
            signed = rows(w.y0 for w in text if w.y0 > last_row + ROW_GAP)
            where = "below it"
        if signed < SIGNED_LINES:
            problems.append(
                f"signature {signature.name!r} on page {page.number} has {signed} line(s) of "
                f"the text it signs {where} (at least {SIGNED_LINES}); the page reads:\n"
                f"{page.text}"
            )
    return problems


def check_new_pages(pages: list[Page], source: Source) -> list[str]:
    """What the .docx starts on a new page (an appendix, each section) heads a page, in order:
    the first words of its text, found after the previous one's page, have no text above."""
    problems, after = [], -1
    areas = _section_of(pages, source)
    streams = [printed_words(page, section) for page, section in zip(pages, areas, strict=True)]
    for text in source.new_pages:
        wanted = keys(text)[:NEW_PAGE_WORDS]
        found = next(
            (
                (i, stream[j][1])
                for i in range(after + 1, len(pages))
                for stream in [streams[i]]
                for j in range(len(stream) - len(wanted) + 1)
                if [k for k, _ in stream[j : j + len(wanted)]] == wanted
            ),
            None,
        )
        begins = " ".join(tokens(text)[:8])
        if found is None:
            problems.append(f"{begins!r} (which begins a new page) is not printed after page "
                            f"{after + 1}")  # fmt: skip
            continue
        after, first = found
        above = [w for _, w in streams[after] if w.y0 < first.y0 - ROW_GAP]
        if above:
            problems.append(
                f"{begins!r} should begin a new page, but on page {after + 1} it comes under "
                f"{rows(w.y0 for w in above)} line(s): "
                f"{' '.join(w.text for w in sorted(above, key=lambda w: (w.y0, w.x0)))[:200]!r}"
            )
    return problems


def check_leftovers(pages: list[Page], source: Source) -> list[str]:
    return [
        f"page {page.number}: template syntax or an empty value printed: {line!r}"
        for page in pages
        for line in page.text.splitlines()
        if LEFTOVERS.search(line)
    ]


def check_kyrgyz_letters(pages: list[Page], source: Source) -> list[str]:
    docx = Counter(c for p in source.paragraphs for c in normal(p) if c in KYRGYZ_LETTERS)
    pdf = Counter(c for page in pages for c in normal(page.text) if c in KYRGYZ_LETTERS)
    return [
        f"the Kyrgyz letter {letter} is printed {pdf[letter]} times as text, the .docx has it "
        f"{count} times"
        for letter, count in sorted(docx.items())
        if pdf[letter] < count
    ]


def printed_words(page: Page, section: Section) -> list[tuple[str, Word]]:
    """The page's words below the top margin in reading order, keyed (each with its first
    piece's box); a word broken at a line's end with a hyphen is joined to its end: the word
    that begins a line just below, left of the broken word's end, nearest the start of the
    broken word's run (pdftotext may put side-by-side table cells in one line: a wide gap ends
    a cell's run; justified text has wide gaps too)."""
    if section.body_top not in page.keyed:
        page.keyed[section.body_top] = _printed_words(page, section)
    return page.keyed[section.body_top]


def _printed_words(page: Page, section: Section) -> list[tuple[str, Word]]:
    lines = [line for line in page.lines if line[-1].y1 > section.body_top]
    segments: list[list[Word]] = []  # runs of words with no wide gap between them
    line_start: list[float] = []  # where the line of each segment starts
    for line in lines:
        segments.append([line[0]])
        for before, w in zip(line, line[1:], strict=False):
            if w.x0 - before.x1 > SEGMENT_GAP:
                segments.append([])
            segments[-1].append(w)
        line_start += [line[0].x0] * (len(segments) - len(line_start))
    joins: dict[int, int] = {}  # a segment ending with a broken word → the one continuing it
    for n, segment in enumerate(segments):
        w = segment[-1]
        text = normal(w.text)
        if not (text.endswith(LINE_END_HYPHENS) and len(text) > 1):
            continue
        height, start = w.y1 - w.y0, segment[0].x0
        below = [
            (m, other[0])
            for m, other in enumerate(segments)
            if 0.5 * height < other[0].y0 - w.y0 < 2.0 * height
            and line_start[n] - INDENT <= other[0].x0 < w.x1
            and m not in joins.values()
        ]
        if below:
            top = min(o.y0 for _, o in below)
            joins[n] = min(
                (m for m, o in below if o.y0 - top <= ROW_GAP),
                key=lambda m: abs(segments[m][0].x0 - start),
            )
    continuing = set(joins.values())
    out: list[tuple[str, Word]] = []
    for n, segment in enumerate(segments):
        words = segment[1 if n in continuing else 0 :]
        texts = [normal(w.text) for w in words]
        m = n
        while m in joins and texts:  # «обще-» «ственно-про-» «ческого»: broken twice or more
            m = joins[m]
            texts[-1] += normal(segments[m][0].text)
            if len(segments[m]) > 1:
                break
        out += [(k, w) for k, w in zip(map(key, texts), words, strict=True) if k]
    return out


def check_text(pages: list[Page], source: Source) -> list[str]:
    """Every word of every table cell (and paragraph) printed: each cell's words together on
    CELL_PAGES consecutive pages; each word as many times as the .docx has it."""
    areas = _section_of(pages, source)
    per_page = [
        Counter(k for k, _ in printed_words(p, s)) for p, s in zip(pages, areas, strict=True)
    ]
    windows = [
        sum(per_page[i : i + CELL_PAGES], Counter())
        for i in range(max(1, len(pages) - CELL_PAGES + 1))
    ]
    total = sum(per_page, Counter())
    problems = []
    for cell in source.cells:
        if not (wanted := Counter(keys(cell.text))):
            continue
        rarest = min(wanted, key=lambda k: total[k])
        candidates = [w for w in windows if w[rarest] >= wanted[rarest]] or windows
        if any(all(w[k] >= n for k, n in wanted.items()) for w in candidates):
            continue
        best = min(candidates, key=lambda window: sum((wanted - window).values()))
        problems.append(
            f"{cell.where}: {sorted((wanted - best).elements())} not printed, of "
            f"{' '.join(tokens(cell.text))[:200]!r}"
        )
    wanted = Counter(k for p in source.paragraphs for k in keys(p))
    if missing := wanted - total:
        where = {
            k: [c.where for c in source.cells if k in keys(c.text)][:3] or ["a paragraph"]
            for k in missing
        }
        problems.append(
            "printed fewer times than the .docx has them: "
            + "; ".join(
                f"{k!r} ×{n} (in {' or '.join(where[k])})" for k, n in sorted(missing.items())[:40]
            )
        )
    return problems


CHECKS: tuple[Check, ...] = (
    check_page_size,
    check_margins,
    check_letterhead,
    check_signatures,
    check_new_pages,
    check_leftovers,
    check_kyrgyz_letters,
    check_text,
)


def check_pdf(
    pdf: Path, docx: bytes | Path, *, pages: list[Page] | None = None, checks=CHECKS
) -> list[str]:
    """The layout problems of `pdf`, made from `docx`; [] when there are none."""
    pages = read_pages(pdf) if pages is None else pages
    source = read_docx(docx)
    return [f"{check.__name__.removeprefix('check_')}: {problem}"
            for check in checks for problem in check(pages, source)]  # fmt: skip


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m tests.pdf_layout FILE.pdf FILE.docx", file=sys.stderr)
        return 2
    problems = check_pdf(Path(argv[0]), Path(argv[1]))
    print("\n".join(problems) or "no problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
