"""The documents as printed: converted to PDF by the real LibreOffice, read by poppler.

A clerk checks a printed order, plan or report on paper before signing it. The layout gate
(tests/pdf_layout.py, the checks the converter pool can run on its own PDFs) is run on every
document printed here: the examples (three kinds × ky+ru, ru, ky) and generated variants
(tests/variants.py `layout_cases`: an order of 45 members with full names and long positions,
a 7-problem plan of 60 activities and its report, each in the three languages; orders whose
appendix ends near a page's foot; a 60-activity plan of long texts): A4 pages in the
orientations of their sections, the letterhead's columns side by side, no text outside the
margins, each signature with its name and lines of the text it signs, the appendix and each
language part on a new page, no template leftovers or «None», the Kyrgyz letters as text, and
every table cell's words printed. A deliberately broken order shows that each check fails.
The tests below add what the gate does not know: one typeface, embedded; page counts; no word
chopped by a too narrow column; the stamp's place under the signature; page numbers; a long
appendix's closing line with its last rows; a problem's indicators on each of its pages.
All the documents are converted with one soffice run.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from docx.oxml.ns import qn
from lxml import etree

from service.generation import generate_document
from tests import pdf_layout, variants
from tests.conftest import EXAMPLES
from tests.docx_reading import open_docx
from tests.libreoffice import convert
from tests.pdf_layout import Page, read_pages, run
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

KYRGYZ_LETTERS = ("ң", "ө", "ү")  # all three occur in each Kyrgyz example text
STAMP = {"ky": "М.О.", "ru": "М.П."}  # «мөөрдүн орду» / «место печати»
STAMPS_PER_PART = {"working-group-order": 1, "joint-plan": 3}  # head; or the three approvers
SIGNATURE_LINE = pdf_layout.SIGNATURE_LINE
STAMP_BELOW_SIGNATURE = 60.0  # points: the stamp place is at most a few lines under the line
HYPHENS = ("-", "‐", "‑", "–", "—", "/", "\u00ad")


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


def read_fonts(pdf: Path) -> list[tuple[str, bool]]:
    lines = run("pdffonts", str(pdf)).splitlines()[2:]
    # name type encoding emb sub uni object-id: the type may contain spaces, so read from the end
    return [(line.split()[0], line.split()[-5] == "yes") for line in lines if line.strip()]


# Long documents: orders whose appendix ends near a page's foot, and a plan whose problems run
# over several pages. Member counts around the first appendix page's end (20–21 rows in
# Russian, 22–23 in Kyrgyz at the measured metrics) once left the closing line alone.
LONG_ORDER_MEMBERS = range(19, 25)
LAYOUT_VARIANTS = dict(variants.layout_cases())  # order-45-long, plan-60, report-60
BROKEN = "broken-order"  # the Kyrgyz example order, broken on purpose (`break_order`)


def long_order(members: int) -> dict:
    payload = example("working-group-order", "ky+ru")
    plain = payload["members"][3:]
    payload["members"] = payload["members"][:3] + [
        dict(plain[i % len(plain)]) for i in range(members - 3)
    ]
    return payload


def documents() -> dict[str, tuple[str, dict]]:
    """Every document this module prints: name → (kind, input)."""
    from tests.test_plan_document import big_plan

    out = {
        stem(kind, language): (kind, example(kind, language))
        for kind in EXAMPLE_FILES
        for language in LANGUAGES
    }
    out |= {f"order-{n}": ("working-group-order", long_order(n)) for n in LONG_ORDER_MEMBERS}
    out["plan-60-long-texts"] = ("joint-plan", dict(big_plan(), language="ru"))
    for name, case in LAYOUT_VARIANTS.items():
        for language in LANGUAGES:
            out[stem(name, language)] = (case.kind, dict(case.payload, language=language))
    return out


@pytest.fixture(scope="module")
def printed_all(tmp_path_factory) -> dict[str, Printed]:
    """Every document of this module, generated in-process and printed by one soffice run."""
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
    made = {}
    for name, (kind, payload) in documents().items():
        made[name] = (kind, payload, generate_document(kind, payload).content)
    kind, payload, content = made[stem("working-group-order", "ky")]
    made[BROKEN] = (kind, payload, break_order(content))
    for name, (_, _, content) in made.items():
        (workdir / "docx" / f"{name}.docx").write_bytes(content)
    convert(
        [workdir / "docx" / f"{name}.docx" for name in made], "pdf", workdir / "pdf",
        workdir / "profile",
    )  # fmt: skip
    result = {}
    for name, (kind, payload, content) in made.items():
        pdf = workdir / "pdf" / f"{name}.pdf"
        language = payload["language"]
        result[name] = Printed(
            kind, language, payload, content, pdf, read_pages(pdf), read_fonts(pdf)
        )
    return result


@pytest.fixture(scope="module")
def printed(printed_all) -> dict[tuple[str, str], Printed]:
    """The example documents by (kind, language)."""
    return {
        (kind, language): printed_all[stem(kind, language)]
        for kind in EXAMPLE_FILES
        for language in LANGUAGES
    }


@pytest.fixture(scope="module")
def long_documents(printed_all) -> dict[str, list[Page]]:
    return {name: printed_all[name].pages for name in printed_all}


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


@pytest.mark.parametrize("name", list(documents()))
def test_layout_gate(printed_all, name):
    """tests/pdf_layout.py on every printed document: examples and variants."""
    document = printed_all[name]
    problems = pdf_layout.check_pdf(document.pdf, document.docx, pages=document.pages)
    assert not problems, f"{len(problems)} layout problems:\n" + "\n".join(problems[:30])


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def break_order(content: bytes) -> bytes:
    """The Kyrgyz order broken in every way the gate looks for: Letter pages; the letterhead's
    columns stacked; the head's signature pushed to a page of its own; the appendix run on
    after it; the members' table pulled into the left margin; a row of exact height too low
    for its position (LibreOffice prints only its first line); «{{ purpose }}» in the title."""
    with zipfile.ZipFile(io.BytesIO(content)) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    root = etree.fromstring(parts["word/document.xml"])
    body = root.find(f"{W}body")

    def element(tag: str, parent=None, **attributes):
        made = etree.SubElement(parent, W + tag) if parent is not None else etree.Element(W + tag)
        for name, value in attributes.items():
            made.set(W + name, value)
        return made

    for size in root.iter(f"{W}pgSz"):
        size.set(f"{W}w", "12240")  # US Letter, 8.5 × 11 in
        size.set(f"{W}h", "15840")
    letterhead = body.find(f"{W}tbl")
    first = letterhead.find(f"{W}tr")
    stacked = element("tr")
    stacked.append(first.findall(f"{W}tc")[1])
    first.addnext(stacked)
    signature = next(t for t in body.iter(f"{W}tbl") if "_____" in "".join(t.itertext()))
    spacer = signature.getprevious().find(f"{W}pPr")
    spacer.insert(0, element("pageBreakBefore"))
    for pbb in list(body.iter(f"{W}pageBreakBefore"))[1:]:
        pbb.getparent().remove(pbb)
    members = next(t for t in body.iter(f"{W}tbl") if "аксакалдар сотунун" in "".join(t.itertext()))
    element("tblInd", members.find(f"{W}tblPr"), w="-1500", type="dxa")
    row = next(r for r in members.iter(f"{W}tr") if "аксакалдар сотунун" in "".join(r.itertext()))
    properties = row.find(f"{W}trPr")
    if properties is None:
        properties = element("trPr")
        row.insert(0, properties)
    element("trHeight", properties, val="20", hRule="exact")
    title = next(t for t in body.iter(f"{W}t") if (t.text or "").endswith("жөнүндө"))
    title.text += " {{ purpose }}"
    parts["word/document.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return out.getvalue()


def test_the_gate_finds_each_problem_of_a_broken_order(printed_all):
    """The broken order's PDF against the intact order's .docx: every check fails."""
    broken = printed_all[BROKEN]
    intact = printed_all[stem("working-group-order", "ky")]
    problems = pdf_layout.check_pdf(broken.pdf, intact.docx, pages=broken.pages)
    failed = {problem.split(":")[0] for problem in problems}
    expected = {check.__name__.removeprefix("check_") for check in pdf_layout.CHECKS}
    assert failed == expected, "\n".join(problems)


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


KEPT_ROWS = 2  # the appendix rows that stay on the page of the responsible secretary's line
SECRETARY = {"ky": "жооптуу катчысы", "ru": "Ответственный секретарь"}
ROW_NUMBER = re.compile(r"\d+\.")


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
    pages = [p for p in long_documents["plan-60-long-texts"] if p.width > p.height]
    activity = re.compile(r"(\d+)\.\d+")
    missing = []
    for page in pages:
        problems = {m[1] for w in page.words if (m := activity.fullmatch(w.text))}
        codes = {w.text for w in page.words}
        missing += [(page.number, p) for p in sorted(problems) if f"{p}.1." not in codes]
    assert sum(1 for page in pages if activity.search(page.text)) >= 10
    assert not missing, f"(page, problem): activity rows without the problem's indicators {missing}"
