"""The annual report as a document: its tables, its chart, its errors, the CLI."""

from __future__ import annotations

import copy
import io
import json
import subprocess
import sys
import zipfile
from decimal import Decimal

import pytest
from docx.oxml.ns import qn
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image

from service.errors import InvalidInput
from service.generation import generate_document, load_input
from service.kinds.annual_report import chart
from service.kinds.annual_report import context as report
from service.language.money import format_amount
from service.rendering import TEMPLATE_DIR, render_docx
from tests.conftest import EXAMPLES, ROOT
from tests.docx_reading import all_text, open_docx, tables

KIND = "annual-report"
_EXAMPLE = json.loads((EXAMPLES / "uch-korgon-report.json").read_text(encoding="utf-8"))


@pytest.fixture
def report_input() -> dict:
    return copy.deepcopy(_EXAMPLE)


@pytest.fixture(scope="module")
def rendered() -> bytes:
    return generate_document(KIND, copy.deepcopy(_EXAMPLE)).content


def _table_starting(doc, header: str) -> list[list[str]]:
    return next(t for t in tables(doc) if t[0][0] == header or t[0][1] == header)


def test_addressed_to_the_kenesh_in_both_languages(rendered):
    doc = open_docx(rendered)
    text = all_text(doc)
    assert "Үч-Коргон айылдык кеңешине" in text
    assert "Уч-Коргонский айылный кенеш" in text
    assert "ОТЧЁТ\nо выполнении совместного плана" in text
    assert "биргелешкен пландын аткарылышы жөнүндө\nОТЧЕТ" in text
    assert (
        "Отчётный период: 1\u00a0января\u00a02016\u00a0г. – 31\u00a0декабря\u00a02016\u00a0г."
        in text
    )
    assert "Руководитель рабочей группы" in text and "М.К.\u00a0Якубова" in text
    assert "None" not in text and "{{" not in text and "{%" not in text


def test_status_summary_table(rendered):
    doc = open_docx(rendered)
    ru = [t for t in tables(doc) if t[0][0] == "Приоритетная проблема"][0]
    assert ru[0][1:] == ["Всего", "выполнено", "частично", "не выполнено", "отменено", "нет данных"]
    # A count and its share never split across lines.
    assert ru[-1] == [
        "Итого", "13", "7\xa0(53,8\xa0%)", "2\xa0(15,4\xa0%)", "2\xa0(15,4\xa0%)",
        "1\xa0(7,7\xa0%)", "1\xa0(7,7\xa0%)",
    ]  # fmt: skip
    assert ru[1][1:3] == ["4", "3\xa0(75,0\xa0%)"]


def test_activity_left_out_is_no_data(rendered):
    doc = open_docx(rendered)
    rows = [row for t in tables(doc) for row in t if row[0] == "4.3"]
    ky, ru = rows[0], rows[1]  # the activity table of each language (indicator 4.3 has no row)
    assert ky[3] == "маалымат жок" and ru[3] == "нет данных"
    assert ru[-1] == "—"


def test_problem_totals_and_budget_table(rendered):
    doc = open_docx(rendered)
    text = all_text(doc)
    assert "Итого по проблеме №\u00a01 (исполнение бюджета: 89,5\xa0%)" in text
    budget = [t for t in tables(doc) if t[0][:2] == ["№", "Источник финансирования"]][0]
    assert budget[1] == ["1.", "Местный бюджет", "307\xa0000,00", "228\xa0000,00", "74,3\xa0%"]
    assert budget[-1][2:] == ["495\xa0000,00", "341\xa0000,00", "68,9\xa0%"]


def test_indicator_table_flags_the_worse_one(rendered):
    doc = open_docx(rendered)
    rows = {row[0]: row for t in tables(doc) if t[0][0] == "Код" for row in t[1:]}
    assert rows["4.1"][2:] == ["11", "5", "13", "+2", "\u221233,3\xa0%", "ухудшение"]
    assert rows["1.1"][2:] == ["14", "8", "9", "\u22125", "83,3\xa0%", "улучшение"]
    assert rows["2.2"][-1] == "цель достигнута"


def _pngs(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        return {n: package.read(n) for n in package.namelist() if n.startswith("word/media/")}


def test_one_chart_per_language_of_the_expected_size(rendered):
    pngs = _pngs(rendered)
    assert sorted(pngs) == ["word/media/image1.png", "word/media/image2.png"]
    for data in pngs.values():
        image = Image.open(io.BytesIO(data))
        assert image.format == "PNG" and image.size == chart.figure_size_px() == (945, 886)
    assert pngs["word/media/image1.png"] != pngs["word/media/image2.png"]  # ky and ru words
    doc = open_docx(rendered)
    drawings = doc.element.body.findall(f".//{qn('w:drawing')}")
    assert len(drawings) == 2  # each language shows its own


def test_chart_shows_the_tables_numbers(report_input):
    model = load_input(KIND, report_input)
    doc = open_docx(generate_document(KIND, report_input).content)
    data = report.chart_data(model, "ru")
    rows = {row[0]: row for t in tables(doc) if t[0][0] == "Код" for row in t[1:]}
    assert [(bar.ref, bar.text) for bar in data.indicators] == [
        (ref, row[6]) for ref, row in rows.items()
    ]
    budget = [t for t in tables(doc) if t[0][:2] == ["№", "Источник финансирования"]][0]
    assert [(b.planned, b.spent) for b in data.budget] == [
        (row.planned, row.spent) for row in model.budget
    ]
    assert [(b.source, b.planned_text, b.spent_text) for b in data.budget] == [
        (row[1], row[2], row[3]) for row in budget[1:-1]
    ]


@pytest.mark.parametrize("lang", ["ky", "ru"])
@pytest.mark.parametrize(
    ("planned", "spent", "achieved"),
    [
        (["1750000", "850000", "40000", "0"], ["1160985.10", "850000", "12500.50", "0"],
         ["120", "45", "0", "-30"]),
        (["99999999.99"] * 6, ["1.01", "99999999.99", "50000000", "7", "0", "12345678.9"],
         ["250", "-150", "100", "99.5", "0", "1"]),
    ],
)  # fmt: skip
def test_chart_labels_stay_inside_and_never_overlap(report_input, lang, planned, spent, achieved):
    model = load_input(KIND, report_input)
    data = report.chart_data(model, lang)
    sources = [
        "Местный бюджет Уч-Коргонского айыл окмоту",
        "Республиканский бюджет",
        "Спонсорская помощь и гранты международных организаций",
        "Другие источники",
        "Жергиликтүү бюджет",
        "Демөөрчүлөр",
    ]
    budget = tuple(
        chart.BudgetBars(src, Decimal(p), Decimal(s), format_amount(Decimal(p)),
                         format_amount(Decimal(s)))
        for src, p, s in zip(sources, planned, spent, strict=False)
    )  # fmt: skip
    bars = tuple(
        chart.IndicatorBar(f"{n}.1", Decimal(v), f"{v} %", "improved")
        for n, v in enumerate(achieved, 1)
    )
    fig = chart.draw(type(data)(**{**vars(data), "budget": budget, "indicators": bars}))
    canvas = FigureCanvasAgg(fig)
    canvas.draw()  # lays it out
    renderer = canvas.get_renderer()
    whole = fig.bbox
    for text in (t for ax in fig.axes for t in _drawn_texts(ax) if t.get_text()):
        box = text.get_window_extent(renderer)
        assert whole.x0 - 1 <= box.x0 and box.x1 <= whole.x1 + 1, text.get_text()
        assert whole.y0 - 1 <= box.y0 and box.y1 <= whole.y1 + 1, text.get_text()
    values = [t for ax in fig.axes for t in ax.texts]  # the labels by the bars
    assert len(values) == len(bars) + 2 * len(budget)
    boxes = [t.get_window_extent(renderer) for t in values]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b), f"{values[i].get_text()} overlaps another value"


def _drawn_texts(ax) -> list:
    """The texts a chart prints: titles, axis labels, the tick labels in view, the values by
    the bars, the legend."""

    def in_view(labels, locations, limits):
        low, high = sorted(limits)
        return [label for label, at in zip(labels, locations, strict=True) if low <= at <= high]

    legend = ax.get_legend()
    return [
        ax.title,
        ax._left_title,  # matplotlib keeps set_title(loc="left") apart, with no public getter
        ax._right_title,
        ax.xaxis.label,
        ax.yaxis.label,
        *in_view(ax.get_xticklabels(), ax.get_xticks(), ax.get_xlim()),
        *in_view(ax.get_yticklabels(), ax.get_yticks(), ax.get_ylim()),
        *ax.texts,
        *(legend.get_texts() if legend else []),
    ]


def test_same_input_same_bytes(report_input):
    assert (
        generate_document(KIND, copy.deepcopy(report_input)).content
        == generate_document(KIND, report_input).content
    )


def test_media_replaces_the_template_picture():
    context = report.build_context(load_input(KIND, copy.deepcopy(_EXAMPLE)))
    plain = _pngs(render_docx(KIND, context))
    with zipfile.ZipFile(TEMPLATE_DIR / f"{KIND}.docx") as template:
        assert plain["word/media/image1.png"] == template.read("word/media/image1.png")
    replaced = _pngs(render_docx(KIND, context, media={"word/media/image2.png": b"new"}))
    assert replaced["word/media/image2.png"] == b"new"
    assert replaced["word/media/image1.png"] == plain["word/media/image1.png"]
    with pytest.raises(KeyError):
        render_docx(KIND, context, media={"word/media/image9.png": b"x"})
    with pytest.raises(KeyError):  # a rendered part is not a picture to replace
        render_docx(KIND, context, media={"word/document.xml": b"x"})


@pytest.mark.parametrize("language", ["ky", "ru"])
def test_one_language(report_input, language):
    report_input["language"] = language
    content = generate_document(KIND, report_input).content
    doc = open_docx(content)
    assert len(doc.element.body.findall(f".//{qn('w:drawing')}")) == 1
    words = "Үч-Коргон айылдык кеңешине" if language == "ky" else "Уч-Коргонский айылный кенеш"
    assert words in all_text(doc)


def _errors(payload) -> dict:
    with pytest.raises(InvalidInput) as err:
        load_input(KIND, payload)
    return err.value.errors


def test_unknown_activity_and_indicator(report_input):
    report_input["activities"][0]["number"] = "5.1"
    report_input["activities"][1]["number"] = "1.3"  # reported twice
    report_input["indicators"][0]["ref"] = "9.9"
    errors = _errors(report_input)
    assert errors["activities"] == {
        0: {"number": ["The plan has no activity 5.1."]},
        2: {"number": ["Activity 1.3 is reported more than once."]},
    }
    assert errors["indicators"] == {0: {"ref": ["The plan has no indicator 9.9."]}}


def test_bad_status(report_input):
    report_input["activities"][0]["status"] = "no_data"
    report_input["activities"][1]["status"] = "finished"
    errors = _errors(report_input)
    assert errors["activities"][0]["status"][0].startswith("Must be one of")
    assert errors["activities"][1]["status"][0].startswith("Must be one of")


def test_neither_plan_nor_plan_id(report_input):
    del report_input["plan"]
    assert _errors(report_input) == {"plan": ["Give either plan_id or plan."]}


def test_plan_id_needs_the_service(report_input):
    del report_input["plan"]
    report_input["plan_id"] = "0123456789abcdef"
    assert _errors(report_input) == {
        "plan_id": [
            "A plan_id refers to a plan stored by the HTTP API; without it, give the plan itself."
        ]
    }


def test_invalid_plan_is_reported_under_plan(report_input):
    del report_input["plan"]["problems"]
    assert _errors(report_input) == {"plan": {"problems": ["Missing data for required field."]}}


def test_report_texts_need_the_languages(report_input):
    del report_input["narrative"]["summary"]["ky"]
    assert _errors(report_input) == {"narrative": {"summary": {"ky": ["Missing Kyrgyz text."]}}}


def test_cli_renders_the_example_and_explains_plan_id(tmp_path, report_input):
    out = tmp_path / "report.docx"
    cli = [sys.executable, "-m", "service.cli", "render", KIND]
    done = subprocess.run(
        [*cli, str(EXAMPLES / "uch-korgon-report.json"), "-o", str(out)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert len(_pngs(out.read_bytes())) == 2
    del report_input["plan"]
    report_input["plan_id"] = "abc"
    source = tmp_path / "by-id.json"
    source.write_text(json.dumps(report_input, ensure_ascii=False), encoding="utf-8")
    failed = subprocess.run(
        [*cli, str(source), "-o", str(tmp_path / "x.docx")],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert failed.returncode == 2
    assert "plan_id: A plan_id refers to a plan stored by the HTTP API" in failed.stderr
