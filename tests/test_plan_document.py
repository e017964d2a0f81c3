"""The joint plan as printed: approval blocks, activity tables, totals in words, sections."""

from __future__ import annotations

import copy
import json
from decimal import Decimal

import pytest
from docx.oxml.ns import qn
from docx.table import Table

from service.generation import generate_document, load_input
from tests.conftest import EXAMPLES
from tests.docx_reading import (
    all_text,
    as_read,
    numbered_from_one_after_first_page,
    open_docx,
    paragraphs,
    tables,
)

KIND = "joint-plan"

RU_COLUMNS = [
    "№", "Мероприятие", "Срок исполнения", "Ответственные", "Вовлечённые стороны",
    "Необходимые ресурсы (объём, сом)", "Источник финансирования", "Ожидаемый результат",
    "Индикаторы",
]  # fmt: skip
KY_COLUMNS = [
    "№", "Иш-чара", "Аткаруу мөөнөтү", "Жооптуулар", "Тартылган тараптар",
    "Зарыл ресурстар (көлөмү, сом)", "Каржылоо булагы", "Күтүлгөн натыйжа", "Индикаторлор",
]  # fmt: skip
RU_RESULT_1 = (
    "Сокращение числа ДТП на территории айылного аймака, школьники знают правила дорожного "
    "движения."
)
RU_INDICATORS_1 = (
    "1.1. Число зарегистрированных ДТП (случаев): 14\u00a0→\u00a08\n"
    "1.2. Доля школьников, обученных правилам дорожного движения (%): 20\u00a0→\u00a080"
)


def _example(name: str) -> dict:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


_RURAL = _example("uch-korgon-plan.json")
_CITY = _example("sverdlovsky-plan.json")


@pytest.fixture
def plan_input() -> dict:
    """The rural plan (Uch-Korgon, 2016), a fresh copy per test."""
    return copy.deepcopy(_RURAL)


@pytest.fixture
def city_input() -> dict:
    """The city-district plan (Bishkek, Sverdlovsky district, Feb 2018 – Jan 2019)."""
    return copy.deepcopy(_CITY)


def render(payload: dict, language: str):
    payload["language"] = language
    return open_docx(generate_document(KIND, payload).content)


def activity_tables(doc, columns=RU_COLUMNS) -> list[list[list[str]]]:
    return [t for t in tables(doc) if t[0] == columns]


def docx_tables(doc) -> list[Table]:
    return [Table(el, doc) for el in doc.element.body.iterchildren() if el.tag == qn("w:tbl")]


def sections_of_tables(doc) -> list[tuple[int, Table]]:
    """Each table with the index of the section it is in."""
    found, section = [], 0
    for el in doc.element.body.iterchildren():
        if el.tag == qn("w:tbl"):
            found.append((section, Table(el, doc)))
        elif el.tag == qn("w:p") and el.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None:
            section += 1
    return found


def test_activity_table_of_the_first_problem(plan_input):
    first = activity_tables(render(plan_input, "ru"))[0]
    # Under the column titles, repeated with them on every page the table continues on: the
    # problem, its expected result and its indicators.
    assert first[1] == ["Приоритетная проблема №\u00a01. Безопасность дорожного движения"] * 7 + [
        RU_RESULT_1,
        RU_INDICATORS_1,
    ]
    assert first[2] == [
        "1.1",
        "Установка бетонных ограждений на участке дороги вдоль реки Исфайрам в с. Чаувай",
        "II квартал",
        "Уч-Коргонский айыл окмоту",
        "жители с. Чаувай;\nместные предприниматели",  # a party per line, «;» between
        "1) бетон и строительные материалы: 120\u00a0000,00\n"
        "2) доставка ограждений: 45\u00a0000,00\n"
        "3) установка ограждений методом ашара",
        "1) местный бюджет\n2) бизнес (местные предприниматели)\n3) сообщество",
        "",
        "",
    ]
    assert first[3][:7] == [
        "1.2",
        "Установка уличного освещения на центральных улицах",
        "30\u00a0сентября 2016\u00a0г.",  # a narrow column: may break before the year
        "Уч-Коргонский айыл окмоту",
        "Кадамжайский РЭС ОАО «Ошэлектро»",
        "светильники и кабель: 85\u00a0000,00",
        "местный бюджет",
    ]
    # An activity without resources or... says so with a dash, never an empty cell.
    assert first[5][1:7] == [
        "Совместные с милицией рейды против превышения скорости",
        "ежемесячно",
        "Уч-Коргонский айылный отдел милиции",
        "добровольные народные дружины",
        "—",
        "—",
    ]
    # Beside the activities, the two columns are one empty merged cell.
    assert {row[7] for row in first[2:6]} == {row[8] for row in first[2:6]} == {""}
    assert (
        first[-1]
        == ["Итого по проблеме №\u00a01:"] * 5
        + ["258\u00a0000,00"]
        + ["(двести пятьдесят восемь тысяч сомов 00 тыйынов)"] * 3
    )


def test_activities_numbered_by_problem(plan_input):
    doc = render(plan_input, "ru")
    numbers = [row[0] for table in activity_tables(doc) for row in table[2:-1]]
    assert numbers == ["1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "2.3", "3.1", "3.2", "3.3",
                       "4.1", "4.2", "4.3"]  # fmt: skip
    totals = [table[-1][5] for table in activity_tables(doc)]
    assert totals == ["258\u00a0000,00", "84\u00a0000,00", "95\u00a0000,00", "58\u00a0000,00"]


def test_deadlines_in_both_languages(plan_input, city_input):
    ru = render(plan_input, "ru")
    ky = render(copy.deepcopy(_RURAL), "ky")
    ru_deadlines = [row[2] for t in activity_tables(ru) for row in t[2:-1]]
    ky_deadlines = [row[2] for t in activity_tables(ky, KY_COLUMNS) for row in t[2:-1]]
    assert ru_deadlines[:4] == [
        "II квартал", "30\u00a0сентября 2016\u00a0г.", "ежеквартально", "ежемесячно"
    ]  # fmt: skip
    assert ky_deadlines[:4] == [
        "II чейрек",
        "2016-жылдын 30-сентябры",  # a narrow column: may break after «2016-» and before 30
        "чейрек сайын",
        "ай сайын",
    ]
    assert ru_deadlines[5] == "в течение года" and ky_deadlines[5] == "жыл бою"
    # A plan over two calendar years names the year of a quarter.
    city = [row[2] for t in activity_tables(render(city_input, "ky+ru")) for row in t[2:-1]]
    assert city[0] == "III квартал 2018\u00a0г."
    city_ky = render(copy.deepcopy(_CITY), "ky")
    assert activity_tables(city_ky, KY_COLUMNS)[0][2][2] == "2018-жылдын III чейреги"


def test_totals_are_exact_decimals(plan_input, city_input):
    plan = load_input(KIND, plan_input)
    assert [p.total for p in plan.problems] == [
        Decimal("258000.00"), Decimal("84000.00"), Decimal("95000.00"), Decimal("58000.00"),
    ]  # fmt: skip
    assert plan.total == Decimal("495000.00")
    assert {k.value: v for k, v in plan.totals_by_source.items()} == {
        "local_budget": Decimal("307000.00"),
        "business": Decimal("65000.00"),
        "international": Decimal("93000.00"),
        "community": Decimal("30000.00"),
    }
    city = load_input(KIND, city_input)
    assert city.total == Decimal("2154500.50")
    assert city.problems[0].total == Decimal("1275500.50")
    assert all(isinstance(a.amount, Decimal) for a in city.resources)


def test_amounts_given_as_json_numbers_add_up_exactly(plan_input):
    # 0.1 + 0.2 is 0.30000000000000004 in floating point.
    activity = plan_input["problems"][3]["activities"][2]
    activity["resources"] = [
        {"description": {"ky": "a", "ru": "а"}, "amount": 0.1, "source": "community"},
        {"description": {"ky": "b", "ru": "б"}, "amount": 0.2, "source": "community"},
    ]
    plan = load_input(KIND, copy.deepcopy(plan_input))
    assert plan.problems[3].activities[2].total == Decimal("0.30")
    doc = render(plan_input, "ru")
    assert activity_tables(doc)[3][4][5] == "1) а: 0,10\n2) б: 0,20"
    assert activity_tables(doc)[3][-1][5] == "58\u00a0000,30"
    assert activity_tables(doc)[3][-1][6] == "(пятьдесят восемь тысяч сомов 30 тыйынов)"


def test_budget_summary_by_source(plan_input):
    ru = tables(render(plan_input, "ru"))
    budget = next(t for t in ru if t[0][:2] == ["№", "Источник финансирования"])
    assert budget == [
        ["№", "Источник финансирования", "Сумма, сом", "Сумма прописью"],
        ["1.", "Местный бюджет", "307\u00a0000,00", "триста семь тысяч сомов 00 тыйынов"],
        ["2.", "Бизнес (местные предприниматели)", "65\u00a0000,00",
         "шестьдесят пять тысяч сомов 00 тыйынов"],
        ["3.", "Международные организации (УНП ООН, Saferworld)", "93\u00a0000,00",
         "девяносто три тысячи сомов 00 тыйынов"],
        ["4.", "Сообщество", "30\u00a0000,00", "тридцать тысяч сомов 00 тыйынов"],
        ["Итого", "Итого", "495\u00a0000,00", "четыреста девяносто пять тысяч сомов 00 тыйынов"],
    ]  # fmt: skip
    ky = tables(render(copy.deepcopy(_RURAL), "ky"))
    budget = next(t for t in ky if t[0][:2] == ["№", "Каржылоо булагы"])
    assert [row[3] for row in budget[1:]] == [
        "үч жүз жети миң сом 00 тыйын",
        "алтымыш беш миң сом 00 тыйын",
        "токсон үч миң сом 00 тыйын",
        "отуз миң сом 00 тыйын",
        "төрт жүз токсон беш миң сом 00 тыйын",
    ]
    assert budget[1][1] == "Жергиликтүү бюджет"


def test_budget_with_tyiyn_and_other_source(city_input):
    budget = next(
        t for t in tables(render(city_input, "ru")) if t[0][:2] == ["№", "Источник финансирования"]
    )
    assert budget[1][2:] == [
        "1\u00a0491\u00a0500,50",
        "один миллион четыреста девяносто одна тысяча пятьсот сомов 50 тыйынов",
    ]
    assert budget[5][1:3] == ["Другие источники (Ассоциация ТСЖ)", "210\u00a0000,00"]
    assert budget[-1][2:] == [
        "2\u00a0154\u00a0500,50",
        "два миллиона сто пятьдесят четыре тысячи пятьсот сомов 50 тыйынов",
    ]


def test_three_approval_blocks_side_by_side(plan_input):
    grifs = tables(render(plan_input, "ru"))[0]
    assert grifs == [
        ["УТВЕРЖДАЮ"] * 3,
        [
            "Председатель Уч-Коргонского айылного кенеша",
            "Глава Уч-Коргонского айыл окмоту",
            "Начальник Уч-Коргонского айылного отдела милиции",
        ],
        # The head of the aiyl okmotu defaults to the issuer's head.
        [f"____________________\n{name}" for name in ("Б.Т.\u00a0Мамытов", "А.\u00a0Абдурахманов",
                                                      "Р.А.\u00a0Юлдашев")],
        ["«___» __________ 20___ г."] * 3,
        ["М.П."] * 3,
    ]  # fmt: skip
    ky = tables(render(copy.deepcopy(_RURAL), "ky"))[0]
    assert ky[0] == ["БЕКИТЕМ"] * 3
    assert ky[3:] == [["20___-ж. «___» __________"] * 3, ["М.О."] * 3]
    assert ky[1][0] == "Үч-Коргон айылдык кеңешинин төрагасы"


def test_title_and_order_reference(plan_input):
    text = paragraphs(render(plan_input, "ky+ru"))
    assert (
        "Үч-Коргон айыл аймагында коомдук коопсуздукту камсыз кылуу жана укук бузуулардын алдын "
        "алуу боюнча 2016-жылга\nБИРГЕЛЕШКЕН ПЛАН"
    ) in text
    assert (
        "СОВМЕСТНЫЙ ПЛАН\nпо обеспечению общественной безопасности и профилактике "
        "правонарушений в Уч-Коргонском айыл окмоту на 2016\u00a0год"
    ) in text
    assert (
        "Рабочая группа создана распоряжением Уч-Коргонского айыл окмоту "
        "от\u00a026\u00a0июня\u00a02015\u00a0г. "
        "№\u00a003-12/146-Б." in text
    )
    assert (
        "Жумушчу топ Үч-Коргон айыл өкмөтүнүн 2015-жылдын\u00a026-июнундагы №\u00a003-12/146-Б "
        "тескемеси менен түзүлгөн." in text
    )
    del plan_input["working_group_order"]
    assert not any("распоряжением" in p for p in paragraphs(render(plan_input, "ru")))


def test_title_for_a_period_of_dates(city_input):
    del city_input["title"]
    text = paragraphs(render(city_input, "ky+ru"))
    assert any(
        p.startswith("СОВМЕСТНЫЙ ПЛАН\nпо обеспечению")
        and p.endswith(
            "на период с\u00a01\u00a0февраля\u00a02018\u00a0г. "
            "по\u00a031\u00a0января\u00a02019\u00a0г."
        )
        for p in text
    )
    assert any(
        p.endswith("2018-жылдын\u00a01-февралынан 2019-жылдын\u00a031-январына чейинки мезгилге\n"
                   "БИРГЕЛЕШКЕН ПЛАН")
        for p in text
    )  # fmt: skip


def test_hand_set_locative_of_the_body(plan_input):
    plan_input["issuer"]["forms"] = {"ru_locative": "селе Уч-Коргон"}
    text = paragraphs(render(plan_input, "ru"))
    assert any(p.endswith("правонарушений в селе Уч-Коргон на 2016\u00a0год") for p in text)


def test_problem_heading_and_justification(plan_input):
    text = paragraphs(render(plan_input, "ru"))
    start = text.index("Приоритетная проблема №\u00a02. Скотокрадство")
    assert text[start : start + 7] == [
        "Приоритетная проблема №\u00a02. Скотокрадство",
        "Обоснование",
        "Причины:",
        "– пастбища не охраняются",
        "– скот не учитывается и не маркируется",
        "Последствия:",
        "– потеря доходов семей",
    ]


def test_monitoring_section(plan_input):
    text = paragraphs(render(plan_input, "ky+ru"))
    start = text.index("Мониторинг и оценка")
    assert text[start + 1 : start + 5] == [
        "Рабочая группа ежемесячно собирается для обсуждения проведённых и предстоящих "
        "мероприятий и ведёт поиск дополнительных средств для реализации плана.",
        "По итогам реализации плана рабочая группа представляет в Уч-Коргонский айылный кенеш "
        "отчёт о проделанной работе и достигнутых результатах не позднее "
        "31\u00a0января\u00a02017\u00a0г.; "
        "кенеш даёт оценку эффективности осуществлённых мер.",
        "Итоги реализации плана используются при внешней оценке деятельности органов внутренних "
        "дел; результаты оценки служат основой для составления следующего совместного плана.",
        "Достижение ожидаемых результатов оценивается по следующим индикаторам:",
    ]
    assert (
        "Пландын аткарылышынын жыйынтыгы боюнча жумушчу топ аткарылган иштер жана жетишилген "
        "натыйжалар жөнүндө отчетту 2017-жылдын\u00a031-январынан кечиктирбестен Үч-Коргон айылдык "
        "кеңешине тапшырат; кеңеш жүргүзүлгөн чаралардын натыйжалуулугуна баа берет."
    ) in text
    plan_input["monitoring"].update(police_assessment=False, meetings="quarterly")
    del plan_input["monitoring"]["report_deadline"]
    text = paragraphs(render(plan_input, "ru"))
    start = text.index("Мониторинг и оценка")
    assert text[start + 1].startswith("Рабочая группа ежеквартально собирается")
    assert text[start + 2].endswith("достигнутых результатах; кенеш даёт оценку эффективности "
                                    "осуществлённых мер.")  # fmt: skip
    assert not any("внешней оценке" in p for p in text)


def test_monitoring_notes(city_input):
    text = paragraphs(render(city_input, "ru"))
    assert (
        "Каждое МТУ ежеквартально представляет рабочей группе информацию о выполнении "
        "мероприятий." in text
    )


def test_indicators_table(plan_input, city_input):
    table = next(t for t in tables(render(plan_input, "ru")) if t[0][0] == "Код")
    assert table[0] == ["Код", "Индикатор", "Ед. изм.", "Базовое значение", "Целевое значение",
                        "Желаемая динамика"]  # fmt: skip
    assert table[1] == ["Приоритетная проблема №\u00a01. Безопасность дорожного движения"] * 6
    assert table[2] == ["1.1", "Число зарегистрированных ДТП", "случаев", "14", "8", "↓ снижение"]
    assert table[3][0] == "1.2" and table[3][5] == "↑ рост"
    assert [row[0] for row in table[1:]].count("4.2") == 1
    city = next(t for t in tables(render(city_input, "ky")) if t[0][0] == "Коду")
    assert city[3][3:] == ["41,5", "55", "↑ өсүү"]
    assert city[-1][3:5] == ["1\u00a0200", "1\u00a0800"]


def test_a_problems_heading_in_the_indicator_table_stays_with_its_first_row(plan_input):
    """LibreOffice keeps no table row with the next: each problem's heading and first
    indicator are one row that cannot split, holding a table of their own."""
    doc = render(plan_input, "ru")
    table = next(t for t in docx_tables(doc) if as_read(t.rows[0].cells[0].text) == "Код")
    holders = [tr for tr in table._tbl.tr_lst[1:] if tr.tc_lst[0].find(qn("w:tbl")) is not None]
    assert len(holders) == 4  # one per problem
    for number, tr in enumerate(holders, start=1):
        assert tr.trPr.find(qn("w:cantSplit")) is not None
        inner = Table(tr.tc_lst[0].find(qn("w:tbl")), doc)
        assert as_read(inner.rows[0].cells[0].text).startswith(
            f"Приоритетная проблема №\u00a0{number}."
        )
        assert as_read(inner.rows[1].cells[0].text) == f"{number}.1"


def test_agreed_block(plan_input):
    text = all_text(render(plan_input, "ru"))
    assert "СОГЛАСОВАНО:" in text
    agreed = tables(render(copy.deepcopy(_RURAL), "ru"))[-1]
    assert agreed == [
        [
            "Региональный координатор Гражданского союза «За реформы и результат»",
            "______________",
            "Р.О.\u00a0Турсуналиева",
        ]
    ]
    del plan_input["agreed"]
    assert "СОГЛАСОВАНО:" not in all_text(render(plan_input, "ru"))


def test_both_languages_kyrgyz_first(plan_input):
    doc = render(plan_input, "ky+ru")
    grifs = [t for t in tables(doc) if t[0][0] in ("БЕКИТЕМ", "УТВЕРЖДАЮ")]
    assert [t[0][0] for t in grifs] == ["БЕКИТЕМ", "УТВЕРЖДАЮ"]
    assert len(activity_tables(doc, KY_COLUMNS)) == len(activity_tables(doc)) == 4
    text = all_text(doc)
    assert text.index("Мониторинг жана баа берүү") < text.index("УТВЕРЖДАЮ")
    for letter in "ңөүҮ":
        assert letter in text


@pytest.mark.parametrize(
    ("language", "orientations"),
    [("ru", "PLP"), ("ky", "PLP"), ("ky+ru", "PLPPLP")],
)
def test_activity_tables_are_in_landscape_sections(plan_input, language, orientations):
    doc = render(plan_input, language)
    sections = doc.sections
    assert "".join("L" if s.page_width > s.page_height else "P" for s in sections) == orientations
    # Each language part starts with its title page, numbered from 1 (no number printed on
    # it); the landscape and the last sections go on numbering.
    first_of_part = [numbered_from_one_after_first_page(s) for s in sections]
    assert first_of_part == [c == "P" and (i == 0 or orientations[i - 1] == "P")
                             for i, c in enumerate(orientations)]  # fmt: skip
    for section in sections:
        landscape = section.page_width > section.page_height
        size = (round(section.page_width.mm), round(section.page_height.mm))
        assert size == ((297, 210) if landscape else (210, 297))
        assert section.orientation == (1 if landscape else 0)
    for index, table in sections_of_tables(doc):
        is_activity = [as_read(c.text) for c in table.rows[0].cells] in (RU_COLUMNS, KY_COLUMNS)
        assert (sections[index].page_width > sections[index].page_height) == is_activity


@pytest.mark.parametrize("language", ["ru", "ky+ru"])
def test_tables_fit_inside_the_margins(plan_input, language):
    doc = render(plan_input, language)
    for index, table in sections_of_tables(doc):
        section = doc.sections[index]
        text_width = section.page_width - section.left_margin - section.right_margin
        grid = table._tbl.tblGrid.findall(qn("w:gridCol"))
        width = sum(int(col.get(qn("w:w"))) for col in grid) * 635  # twips → EMU
        assert width <= text_width, (index, width, text_width)


def test_header_rows_repeat_and_rows_do_not_split(plan_input):
    doc = render(plan_input, "ru")
    checked = 0
    for table in docx_tables(doc):
        if [as_read(c.text) for c in table.rows[0].cells] not in (RU_COLUMNS,):
            continue
        checked += 1
        flags = [
            (row._tr.trPr is not None and row._tr.trPr.find(qn("w:tblHeader")) is not None,
             row._tr.trPr is not None and row._tr.trPr.find(qn("w:cantSplit")) is not None)
            for row in table.rows
        ]  # fmt: skip
        assert flags[0] == flags[1] == (True, True)  # the titles, and the problem's result
        assert all(flag == (False, True) for flag in flags[2:])
    assert checked == 4


def test_result_and_indicators_head_every_page_and_the_column_below_is_merged(plan_input):
    table = next(
        t for t in docx_tables(render(plan_input, "ru"))
        if [as_read(c.text) for c in t.rows[0].cells] == RU_COLUMNS
    )  # fmt: skip
    problem = table._tbl.tr_lst[1]
    assert problem.tc_lst[0].tcPr.find(qn("w:gridSpan")).get(qn("w:val")) == "7"
    body = table._tbl.tr_lst[2:-1]
    merges = [
        [tc.tcPr.find(qn("w:vMerge")).get(qn("w:val")) for tc in tr.tc_lst[7:9]] for tr in body
    ]
    assert merges == [["restart", "restart"]] + [["continue", "continue"]] * 3


def test_file_name(plan_input, city_input):
    assert generate_document(KIND, plan_input).filename == (
        "Совместный_план_2016_Уч-Коргонский_айыл_окмоту.docx"
    )
    city_input["language"] = "ky"
    # The period comes before the body's name, which may be cut to keep the name short.
    assert generate_document(KIND, city_input).filename.startswith(
        "Биргелешкен_план_2018-02-01–2019-01-31_Бишкек_шаарынын_мэриясынын"
    )


def test_no_placeholder_leaks(plan_input, city_input):
    for payload in (plan_input, city_input):
        text = all_text(render(payload, "ky+ru"))
        for marker in ("None", "{{", "{%", "}}", "[]", "Undefined"):
            assert marker not in text


def test_user_text_is_data_never_markup(plan_input):
    markup = "{{ 7*7 }} {% if true %}x{% endif %} <b>&amp;</b> \"q\" 'a' ‹›"
    plan_input["problems"][0]["activities"][0]["title"]["ru"] = markup
    plan_input["problems"][0]["indicators"][0]["ref"] = "<1&1>"
    text = all_text(render(plan_input, "ru"))
    assert markup in text and "<1&1>. Число зарегистрированных ДТП" in text
    assert "49 x" not in text


def big_plan(problems: int = 5, per_problem: int = 12) -> dict:
    """A plan with problems × per_problem activities, each with long texts."""
    plan = copy.deepcopy(_RURAL)
    template = plan["problems"][0]
    plan["problems"] = []
    long = {
        "ky": "Айыл аймагынын бардык айылдарында тургундар, милиция жана жергиликтүү өз алдынча "
        "башкаруу органдары менен биргеликте узак иш-чара ",
        "ru": "Совместное с жителями, милицией и органами местного самоуправления длительное "
        "мероприятие во всех сёлах айылного аймака ",
    }
    for p in range(problems):
        problem = copy.deepcopy(template)
        problem["indicators"] = [dict(i, ref=f"{p + 1}.{n}") for n, i in
                                 enumerate(template["indicators"], start=1)]  # fmt: skip
        base = template["activities"][0]
        problem["activities"] = [
            dict(
                copy.deepcopy(base),
                title={k: f"{v}№\u00a0{p + 1}.{a + 1}" for k, v in long.items()},
                deadline=["2016-03-31", "2016-Q3", "monthly", "throughout-the-year"][a % 4],
            )
            for a in range(per_problem)
        ]
        plan["problems"].append(problem)
    return plan


def test_sixty_activities(tmp_path):
    plan = big_plan()
    model = load_input(KIND, copy.deepcopy(plan))
    assert sum(len(p.activities) for p in model.problems) == 60
    doc = render(plan, "ky+ru")
    for columns in (RU_COLUMNS, KY_COLUMNS):
        found = activity_tables(doc, columns)
        assert len(found) == 5
        assert [row[0] for row in found[4][2:-1]] == [f"5.{n}" for n in range(1, 13)]
    totals = [t[-1][5] for t in activity_tables(doc)]
    assert totals == ["1\u00a0980\u00a0000,00"] * 5  # 12 × 165 000
    budget = next(t for t in tables(doc) if t[0][:2] == ["№", "Источник финансирования"])
    assert budget[-1][2:] == [
        "9\u00a0900\u00a0000,00", "девять миллионов девятьсот тысяч сомов 00 тыйынов"
    ]  # fmt: skip
