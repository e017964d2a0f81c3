"""The example documents as printed: converted to PDF by the real LibreOffice, read by poppler.

A clerk checks a printed order, plan or report on paper before signing it: A4 pages (portrait,
or landscape for the plan's activity tables), no text outside the margins, no template
leftovers or empty values ("{{ … }}", "None"), Kyrgyz letters (ң, ө, ү) printed in the same
typeface as the rest, no word chopped in two by a too narrow table column, the closing
signature not left alone on a page, and a place for the stamp (М.О. / М.П.) under the
signature. The .docx tests read the XML; these catch what only shows once the pages are laid
out. All nine documents (three kinds × ky+ru, ru, ky) are converted in one soffice run.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

import pytest
from docx.oxml.ns import qn

from service.generation import generate_document
from tests.conftest import EXAMPLES
from tests.docx_reading import open_docx
from tests.libreoffice import convert
from tests.stack import services_missing

EXAMPLE_FILES = {
    "working-group-order": "uch-korgon-order.json",
    "joint-plan": "uch-korgon-plan.json",
    "annual-report": "uch-korgon-report.json",
}
LANGUAGES = ("ky+ru", "ru", "ky")
TOOLS = ("soffice", "pdftotext", "pdfinfo", "pdffonts")

# Pages measured with LibreOffice 7.4.7 (Debian 12), Liberation Serif for Times New Roman:
#   working-group-order  ky+ru 4, ru 2, ky 2   (the order, then its appendix, per language)
#   joint-plan           ky+ru 16, ru 8, ky 8  (pages 2–6 of each language landscape)
#   annual-report        ky+ru 10, ru 5, ky 5
PAGES = {
    ("working-group-order", "ky+ru"): 4,
    ("working-group-order", "ru"): 2,
    ("working-group-order", "ky"): 2,
    ("joint-plan", "ky+ru"): 16,
    ("joint-plan", "ru"): 8,
    ("joint-plan", "ky"): 8,
    ("annual-report", "ky+ru"): 10,
    ("annual-report", "ru"): 5,
    ("annual-report", "ky"): 5,
}
PAGE_TOLERANCE = 1

A4 = (595.3, 841.9)  # points
SIZE_TOLERANCE = 1.0
SIDE_TOLERANCE = 2.0  # left/right: the body text must stay inside the margins
EDGE_TOLERANCE = 2.0  # top/bottom: inside the header/footer distance (headers sit in the margin)

LEFTOVERS = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}|\b(?:None|Undefined|nan|NaN)\b")
KYRGYZ_LETTERS = ("ң", "ө", "ү")  # all three occur in each Kyrgyz example text
STAMP = {"ky": "М.О.", "ru": "М.П."}  # «мөөрдүн орду» / «место печати»
STAMPS_PER_PART = {"working-group-order": 1, "joint-plan": 3}  # head; or the three approvers
SIGNATURE_LINE = re.compile(r"_{5,}")
STAMP_BELOW_SIGNATURE = 60.0  # points: the stamp place is at most a few lines under the line
LINES_ABOVE_SIGNATURE = 3  # e.g. the date and two lines of text: the signature is not alone
ROW_GAP = 3.0  # points: words whose tops differ less stand on one line (e.g. in table cells)
HYPHENS = ("-", "‐", "‑", "–", "—", "/", "\u00ad")


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

    @property
    def lines(self) -> list[list[Word]]:
        return [line for block in self.blocks for line in block if line]

    @property
    def words(self) -> list[Word]:
        return [word for line in self.lines for word in line]

    @property
    def text(self) -> str:
        return "\n".join(" ".join(word.text for word in line) for line in self.lines)


@dataclass
class Printed:
    """One generated document: its .docx (sections, words) and its PDF (pages, fonts)."""

    kind: str
    language: str
    payload: dict
    docx: bytes
    pdf: Path
    pages: list[Page]
    fonts: list[tuple[str, bool]]  # (name, embedded)

    @property
    def text(self) -> str:
        return "\n".join(page.text for page in self.pages)

    @property
    def sections(self):
        return open_docx(self.docx).sections

    def docx_words(self) -> set[str]:
        """Every whitespace-separated word of the .docx body (paragraphs and table cells)."""
        words: set[str] = set()
        for paragraph in open_docx(self.docx).element.body.iter(qn("w:p")):
            text = []
            for element in paragraph.iter(qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")):
                text.append((element.text or "") if element.tag == qn("w:t") else " ")
            # Soft hyphens are where a word may break: not part of the word as printed.
            words.update("".join(text).replace("\u00ad", "").split())
        return words


def example(kind: str, language: str) -> dict:
    payload = json.loads((EXAMPLES / EXAMPLE_FILES[kind]).read_text(encoding="utf-8"))
    payload["language"] = language
    return payload


def stem(kind: str, language: str) -> str:
    return f"{kind}.{language.replace('+', '-')}"


def to_pdf(docx_files: list[Path], outdir: Path, profile: Path) -> None:
    """Convert the files to PDF with one soffice run."""
    convert(docx_files, "pdf", outdir, profile)


def run(*command: str) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def page_sizes(pdf: Path) -> list[tuple[float, float]]:
    """(width, height) of each page as it comes out of the printer (rotation applied)."""
    count = int(re.search(r"^Pages:\s+(\d+)", run("pdfinfo", str(pdf)), re.M).group(1))
    info = run("pdfinfo", "-f", "1", "-l", str(count), str(pdf))
    rotations = [int(r) for r in re.findall(r"^Page\s+\d+ rot:\s+(-?\d+)", info, re.M)]
    sizes = [
        (float(width), float(height))
        for width, height in re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info, re.M)
    ]
    sizes = [
        (height, width) if rotation % 180 else (width, height)
        for (width, height), rotation in zip(sizes, rotations or [0] * len(sizes), strict=True)
    ]
    assert len(sizes) == count, info
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
    assert len(sizes) == len(pages)
    for page, (width, height) in zip(pages, sizes, strict=True):
        page.width, page.height = width, height
    return pages


def read_fonts(pdf: Path) -> list[tuple[str, bool]]:
    lines = run("pdffonts", str(pdf)).splitlines()[2:]
    # name type encoding emb sub uni object-id: the type may contain spaces, so read from the end
    return [(line.split()[0], line.split()[-5] == "yes") for line in lines if line.strip()]


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> dict[tuple[str, str], Printed]:
    """All example documents, generated in-process and printed to PDF once per module."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        services_missing(
            f"the print layout tests need LibreOffice and poppler-utils; missing {missing} "
            "(apt-get install libreoffice-writer-nogui fonts-liberation2 fonts-dejavu-core "
            "poppler-utils, as scripts/ensure-services.sh does)"
        )
    workdir = tmp_path_factory.mktemp("print")
    (workdir / "docx").mkdir()
    (workdir / "pdf").mkdir()
    documents = {}
    for kind in EXAMPLE_FILES:
        for language in LANGUAGES:
            payload = example(kind, language)
            content = generate_document(kind, payload).content
            path = workdir / "docx" / f"{stem(kind, language)}.docx"
            path.write_bytes(content)
            documents[kind, language] = (payload, content, path)
    to_pdf([path for _, _, path in documents.values()], workdir / "pdf", workdir / "profile")
    result = {}
    for (kind, language), (payload, content, path) in documents.items():
        pdf = workdir / "pdf" / f"{path.stem}.pdf"
        result[kind, language] = Printed(
            kind, language, payload, content, pdf, read_pages(pdf), read_fonts(pdf)
        )
    return result


def cases(kinds=tuple(EXAMPLE_FILES), languages=LANGUAGES):
    """(kind, language) parameters."""
    return [
        pytest.param(kind, language, id=f"{kind}-{language}")
        for kind in kinds
        for language in languages
    ]


def language_parts(printed, kind: str, language: str) -> list[tuple[str, list[Page]]]:
    """The pages of each language part: a bilingual document is the Kyrgyz one, then the Russian."""
    pages = printed[kind, language].pages
    if language != "ky+ru":
        return [(language, pages)]
    kyrgyz = len(printed[kind, "ky"].pages)
    return [("ky", pages[:kyrgyz]), ("ru", pages[kyrgyz:])]


def rows(tops) -> int:
    """How many lines of text start at these heights (tops closer than ROW_GAP: one line)."""
    count, last = 0, None
    for top in sorted(tops):
        if last is None or top - last > ROW_GAP:
            count += 1
        last = top
    return count


def orientation(width: float, height: float) -> str:
    return "landscape" if width > height else "portrait"


@pytest.mark.parametrize(("kind", "language"), cases())
def test_every_page_is_a4_in_the_orientation_of_its_sections(printed, kind, language):
    document = printed[kind, language]
    for page in document.pages:
        size = sorted((page.width, page.height))
        assert abs(size[0] - A4[0]) <= SIZE_TOLERANCE and abs(size[1] - A4[1]) <= SIZE_TOLERANCE, (
            f"page {page.number} is {page.width:.1f} x {page.height:.1f} pt, not A4"
        )
    printed_orientations = {orientation(page.width, page.height) for page in document.pages}
    section_orientations = {
        orientation(section.page_width.pt, section.page_height.pt) for section in document.sections
    }
    assert printed_orientations == section_orientations
    if kind == "joint-plan":
        assert "landscape" in printed_orientations  # the activity tables


@pytest.mark.parametrize(("kind", "language"), cases())
def test_all_text_lies_inside_the_margins(printed, kind, language):
    document = printed[kind, language]
    limits = {}
    for section in document.sections:
        width, height = section.page_width.pt, section.page_height.pt
        box = (
            section.left_margin.pt,
            min(section.top_margin.pt, section.header_distance.pt),
            width - section.right_margin.pt,
            height - min(section.bottom_margin.pt, section.footer_distance.pt),
        )
        previous = limits.get(orientation(width, height), box)
        # Sections of the same orientation: the most generous of their text areas.
        limits[orientation(width, height)] = (
            min(box[0], previous[0]),
            min(box[1], previous[1]),
            max(box[2], previous[2]),
            max(box[3], previous[3]),
        )
    outside = []
    for page in document.pages:
        left, top, right, bottom = limits[orientation(page.width, page.height)]
        for word in page.words:
            if (
                word.x0 < left - SIDE_TOLERANCE
                or word.x1 > right + SIDE_TOLERANCE
                or word.y0 < top - EDGE_TOLERANCE
                or word.y1 > bottom + EDGE_TOLERANCE
            ):
                outside.append(
                    f"page {page.number}: {word.text!r} at x {word.x0:.1f}–{word.x1:.1f}, "
                    f"y {word.y0:.1f}–{word.y1:.1f} (text area x {left:.1f}–{right:.1f}, "
                    f"y {top:.1f}–{bottom:.1f})"
                )
    assert not outside, "text outside the margins:\n" + "\n".join(outside[:20])


@pytest.mark.parametrize(("kind", "language"), cases())
def test_no_template_leftovers_or_missing_values(printed, kind, language):
    document = printed[kind, language]
    found = [
        f"page {page.number}: {line!r}"
        for page in document.pages
        for line in page.text.splitlines()
        if LEFTOVERS.search(line)
    ]
    assert not found, "printed template syntax or empty values:\n" + "\n".join(found)


@pytest.mark.parametrize(("kind", "language"), cases(languages=("ky+ru", "ky")))
def test_kyrgyz_letters_are_printed(printed, kind, language):
    text = printed[kind, language].text
    missing = [letter for letter in KYRGYZ_LETTERS if letter not in text]
    assert not missing, f"Kyrgyz letters missing from the printed text: {missing}"


@pytest.mark.parametrize(("kind", "language"), cases())
def test_fonts_are_embedded_and_of_one_family(printed, kind, language):
    """The templates use Times New Roman only: a second family is a fallback for missing glyphs."""
    fonts = printed[kind, language].fonts
    assert fonts
    assert [name for name, embedded in fonts if not embedded] == []
    families = {re.sub(r"^[A-Z]{6}\+", "", name).split("-")[0].split(",")[0] for name, _ in fonts}
    assert len(families) == 1, f"text set in several font families: {sorted(families)}"


@pytest.mark.parametrize(("kind", "language"), cases())
def test_page_count(printed, kind, language):
    pages = len(printed[kind, language].pages)
    assert abs(pages - PAGES[kind, language]) <= PAGE_TOLERANCE, (
        f"{pages} pages, expected {PAGES[kind, language]} ± {PAGE_TOLERANCE}"
    )


@pytest.mark.parametrize("kind", EXAMPLE_FILES)
def test_bilingual_document_is_the_kyrgyz_then_the_russian_one_page_for_page(printed, kind):
    """Each language part starts on a new page and is laid out as the single-language document."""

    def sizes(language):
        return [(round(p.width), round(p.height)) for p in printed[kind, language].pages]

    assert sizes("ky+ru") == sizes("ky") + sizes("ru")


@pytest.mark.parametrize(("kind", "language"), cases())
def test_no_word_is_broken_across_lines(printed, kind, language):
    """A column too narrow for a word makes LibreOffice (and Word) cut it without a hyphen."""
    document = printed[kind, language]
    words = document.docx_words()
    beginnings = {word[:i] for word in words for i in range(1, len(word))}
    fragments = beginnings - words
    broken = []
    for page in document.pages:
        for block in page.blocks:
            lines = [line for line in block if line]
            for i, line in enumerate(lines):
                start = line[-1]
                if start.text.endswith(HYPHENS) or start.text not in fragments:
                    continue
                # Follow the word down the column: its pieces start the next lines.
                pieces = [start.text]
                for below in lines[i + 1 :]:
                    pieces.append(below[0].text)
                    if "".join(pieces) in words:
                        broken.append(
                            f"page {page.number}: {'|'.join(pieces)} at x {start.x0:.1f}, "
                            f"y {start.y0:.1f}"
                        )
                    if "".join(pieces) not in beginnings or len(below) > 1:
                        break
    assert not broken, "words broken across lines:\n" + "\n".join(broken)


@pytest.mark.parametrize(("kind", "language"), cases())
def test_closing_signature_is_not_alone_on_its_page(printed, kind, language):
    """Office-work rules: a signature is never carried to a page without the text it signs."""
    alone = []
    for part, pages in language_parts(printed, kind, language):
        signatures = [
            (page.number, word.y0, page)
            for page in pages
            for word in page.words
            if SIGNATURE_LINE.fullmatch(word.text)
        ]
        assert signatures, f"no signature line in the {part} part"
        number, top, page = max(signatures, key=lambda s: s[:2])  # the closing one
        above = rows(w.y0 for w in page.words if w.y0 < top - ROW_GAP)
        if above < LINES_ABOVE_SIGNATURE:
            alone.append(
                f"{part} part: the closing signature on page {number} (y {top:.1f}) has "
                f"{above} line(s) above it, the page reads:\n{page.text}"
            )
    assert not alone, "\n".join(alone)


@pytest.mark.parametrize(("kind", "language"), cases(kinds=tuple(STAMPS_PER_PART)))
def test_stamp_place_under_the_heads_signature(printed, kind, language):
    """The order (and the plan's approval block) leaves room for the seal under the signatures."""
    document = printed[kind, language]
    head = document.payload["issuer"]["head"]["name"].split()[0]  # «Абдурахманов»
    for part, pages in language_parts(printed, kind, language):
        other = STAMP["ru" if part == "ky" else "ky"]
        assert not [p.number for p in pages for w in p.words if w.text == other], (
            f"{other} printed in the {part} part"
        )
        stamps = [(page, word) for page in pages for word in page.words if word.text == STAMP[part]]
        assert len(stamps) == STAMPS_PER_PART[kind], (part, [p.number for p, _ in stamps])
        for page, stamp in stamps:
            assert head in page.text, f"{STAMP[part]} on page {page.number}, not by {head}"
            assert any(
                SIGNATURE_LINE.fullmatch(signature.text)
                and 0 <= stamp.y0 - signature.y1 <= STAMP_BELOW_SIGNATURE
                and signature.x0 < stamp.x1
                and stamp.x0 < signature.x1
                for signature in page.words
            ), f"{STAMP[part]} on page {page.number} is not under a signature line"


TOP_MARGIN = 20 / 25.4 * 72  # points: every section of the three templates has 20 mm


@pytest.mark.parametrize(("kind", "language"), cases())
def test_pages_are_numbered_from_the_second_in_the_middle_of_the_top_margin(
    printed, kind, language
):
    """Office-work rules: no number on the first page; from the second, centred at the top.
    Each language part of a bilingual document is numbered by itself."""
    for part, pages in language_parts(printed, kind, language):
        for number, page in enumerate(pages, start=1):
            in_margin = [word for word in page.words if word.y1 <= TOP_MARGIN]
            expected = [] if number == 1 else [str(number)]
            assert [word.text for word in in_margin] == expected, (part, page.number)
            for word in in_margin:
                assert abs((word.x0 + word.x1) / 2 - page.width / 2) < 0.06 * page.width, (
                    f"{part} page {page.number}: the number stands off the middle"
                )


# Long documents, printed once: orders whose appendix ends near a page's foot, and a plan whose
# problems run over several pages. Member counts around the first appendix page's end (20–21
# rows in Russian, 22–23 in Kyrgyz at the measured metrics) once left the closing line alone.
LONG_ORDER_MEMBERS = range(19, 25)
KEPT_ROWS = 2  # the appendix rows that stay on the page of the responsible secretary's line
SECRETARY = {"ky": "жооптуу катчысы", "ru": "Ответственный секретарь"}
ROW_NUMBER = re.compile(r"\d+\.")


def long_order(members: int) -> dict:
    payload = example("working-group-order", "ky+ru")
    plain = payload["members"][3:]
    payload["members"] = payload["members"][:3] + [
        dict(plain[i % len(plain)]) for i in range(members - 3)
    ]
    return payload


@pytest.fixture(scope="module")
def long_documents(tmp_path_factory) -> dict[str, list[Page]]:
    if missing := [tool for tool in TOOLS if shutil.which(tool) is None]:
        services_missing(f"the print layout tests need LibreOffice and poppler-utils: {missing}")
    from tests.test_plan_document import big_plan

    workdir = tmp_path_factory.mktemp("long")
    payloads = {f"order-{n}": ("working-group-order", long_order(n)) for n in LONG_ORDER_MEMBERS}
    payloads["plan-60"] = ("joint-plan", dict(big_plan(), language="ru"))
    files = []
    for name, (kind, payload) in payloads.items():
        files.append(workdir / f"{name}.docx")
        files[-1].write_bytes(generate_document(kind, payload).content)
    to_pdf(files, workdir, workdir / "profile")
    return {name: read_pages(workdir / f"{name}.pdf") for name in payloads}


@pytest.mark.parametrize("members", LONG_ORDER_MEMBERS)
def test_the_appendix_closing_line_keeps_the_last_rows_with_it(long_documents, members):
    pages = long_documents[f"order-{members}"]
    for lang, phrase in SECRETARY.items():
        page = next(p for p in pages if phrase in p.text)
        top = min(w.y0 for line in page.lines if phrase in " ".join(w.text for w in line)
                  for w in line)  # fmt: skip
        numbered = [line for line in page.lines if line[0].y0 < top and line[0].x0 < 120
                    and ROW_NUMBER.fullmatch(line[0].text)]  # fmt: skip
        assert len(numbered) >= KEPT_ROWS, f"{lang}: page {page.number} reads:\n{page.text}"


def test_a_problems_result_and_indicators_head_every_page_it_continues_on(long_documents):
    """Each of the 5 problems has 12 activities, over several pages; the indicator lines begin
    with their code («3.1. Число …»), which no other cell has."""
    pages = [p for p in long_documents["plan-60"] if p.width > p.height]
    activity = re.compile(r"(\d+)\.\d+")
    missing = []
    for page in pages:
        problems = {m[1] for w in page.words if (m := activity.fullmatch(w.text))}
        codes = {w.text for w in page.words}
        missing += [(page.number, p) for p in sorted(problems) if f"{p}.1." not in codes]
    assert sum(1 for page in pages if activity.search(page.text)) >= 10
    assert not missing, f"(page, problem): activity rows without the problem's indicators {missing}"
