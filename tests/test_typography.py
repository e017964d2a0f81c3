"""How text is set: numbers and years kept on one line, long words hyphenated, languages tagged."""

from __future__ import annotations

import json

import pytest
from docx.oxml.ns import qn

from service.generation import generate_document
from service.language.typography import (
    SOFT_HYPHEN,
    hyphenate,
    line_start,
    polish,
    polish_context,
)
from tests.conftest import EXAMPLES
from tests.docx_reading import open_docx


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("распоряжением от 26 июня 2015 г. № 03-12/146-Б.",
         "распоряжением от\u00a026\u00a0июня\u00a02015\u00a0г. №\u00a003\u201112/146\u2011Б."),
        ("Приоритетная проблема № 1. Безопасность", "Приоритетная проблема №\u00a01. Безопасность"),
        ("№03-12", "№\u00a003\u201112"),
        ("(№ 5-А), № 6", "(№\u00a05\u2011А), №\u00a06"),
        ("2015-2016 гг.", "2015-2016\u00a0гг."),
        # A date never splits: preposition, day, month, year and «г.» / «-жылдын» together.
        ("Уч-Коргон, 2015-жылдын 26-июну", "Уч-Коргон, 2015\u2011жылдын\u00a026\u2011июну"),
        ("не позднее 30 октября 2015 г.", "не позднее 30\u00a0октября\u00a02015\u00a0г."),
        ("с 1 января по 31 декабря 2016 г.",
         "с\u00a01\u00a0января по\u00a031\u00a0декабря\u00a02016\u00a0г."),
        ("2026-жылдын 5-мартындагы тескемеси", "2026\u2011жылдын\u00a05\u2011мартындагы тескемеси"),
        ("2016-жылы 1-чейрек", "2016\u2011жылы\u00a01\u2011чейрек"),
        ("в 2021-2022 годах, 10 раз", "в 2021-2022 годах, 10 раз"),  # not a date: unchanged
        ("Уч-Коргон", "Уч-Коргон"),
        ("г. Бишкек", "г. Бишкек"),
        ("в течение 2021 года, на 2016 год", "в течение 2021\u00a0года, на 2016\u00a0год"),
        # Initials stay with the surname on either side, in every shape the names module prints.
        ("возложить на Якубову М.К.", "возложить на Якубову\u00a0М.К."),
        ("М.К. Якубовага жүктөлсүн", "М.К.\u00a0Якубовага жүктөлсүн"),
        ("Жумабек кызы М. и М. Жумабек кызы", "Жумабек кызы\u00a0М. и М.\u00a0Жумабек кызы"),
        ("Асан уулу Б.", "Асан уулу\u00a0Б."),
        ("Сыдыкова-Омурзакова Г.А.", "Сыдыкова-Омурзакова\u00a0Г.А."),
        ("Ахмедов Х.-А., Асанов Б. К.", "Ахмедов\u00a0Х.-А., Асанов\u00a0Б.\u00a0К."),
        ("в с. Чаувай, ул. Ленина", "в с. Чаувай, ул. Ленина"),  # not initials
        ("ОВД. Б", "ОВД. Б"),
    ],
)  # fmt: skip
def test_rules(text, expected):
    assert polish(text) == expected


@pytest.mark.parametrize(
    ("typed", "printed"),
    [
        ("заместитель главы айыл окмоту", "Заместитель главы айыл окмоту"),
        ("өкмөт башчысынын орун басары", "Өкмөт башчысынын орун басары"),
        ("Глава", "Глава"),
        ("«Ынтымак» ЖБ төрагасы", "«Ынтымак» ЖБ төрагасы"),
        ("", ""),
    ],
)
def test_a_position_on_a_line_of_its_own_begins_with_a_capital(typed, printed):
    assert line_start(typed) == printed


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("не позднее 30 сентября 2016 г.", "ru"),
        ("2016-жылдын 30-сентябрына чейин", "ky"),
        ("до 20 ноября, ежеквартально", "ru"),
    ],
)
def test_dates_in_narrow_columns_are_never_hyphenated(text, lang):
    hyphenated = hyphenate(text, lang)
    months = [w for w in hyphenated.replace("-", " ").split() if "тябр" in w or "ноябр" in w]
    assert months and all(SOFT_HYPHEN not in w for w in months)
    assert SOFT_HYPHEN in hyphenate("ежеквартально", "ru")  # other long words still are


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        # A column a dozen letters wide cannot hold a whole date: it may break before the
        # year and after the year's hyphen, never inside «25 августа», «2018 г.», «30-сентябры».
        ("25 августа 2018 г.", "ru", "25\u00a0августа\u200b 2018\u00a0г."),
        ("2016-жылдын 30-сентябры", "ky", "2016-\u200bжылдын 30\u2011сентябры"),
    ],
)
def test_dates_in_narrow_columns_break_only_before_the_year(text, lang, expected):
    assert polish(hyphenate(text, lang)) == expected


def test_every_string_of_a_context():
    context = {"a": ["№ 1-2", {"b": "2015 г."}], "n": 3, "flag": True, "none": None}
    assert polish_context(context) == {
        "a": ["№\u00a01\u20112", {"b": "2015\u00a0г."}], "n": 3, "flag": True, "none": None,
    }  # fmt: skip


def test_the_printed_order_keeps_its_number_together():
    payload = json.loads((EXAMPLES / "uch-korgon-order.json").read_text(encoding="utf-8"))
    payload["language"] = "ru"
    document = open_docx(generate_document("working-group-order", payload).content)
    texts = [p.text for p in document.paragraphs] + [
        cell.text for table in document.tables for row in table.rows for cell in row.cells
    ]
    text = "\n".join(texts)
    assert "№\u00a003\u201112/146\u2011Б" in text
    assert "№ 03-12/146-Б" not in text and "2015 г." not in text
    assert "2015\u00a0г." in text


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("инспектор по делам несовершеннолетних", "ru",
         "ин-спек-тор по делам не-со-вер-шен-но-лет-них"),
        ("ежеквартально (предприниматели)", "ru", "еже-квар-таль-но (пред-при-ни-ма-те-ли)"),
        ("Үч-Коргон айыл өкмөтүнүн башкармалыгынын коопсуздугун", "ky",
         "Үч-Коргон айыл өк-мө-тү-нүн баш-кар-ма-лы-гы-нын кооп-суз-ду-гун"),
        ("тергөөчүсү жооптуу милициясынын", "ky", "тер-гөө-чү-сү жооп-туу ми-ли-ция-сы-нын"),
        ("short words 2016", "ru", "short words 2016"),
    ],
)  # fmt: skip
def test_long_words_get_soft_hyphens_between_syllables(text, lang, expected):
    assert hyphenate(text, lang).replace(SOFT_HYPHEN, "-") == expected
    assert hyphenate(text, lang).replace(SOFT_HYPHEN, "") == text


def test_narrow_plan_columns_are_hyphenated_and_the_rest_is_not():
    payload = json.loads((EXAMPLES / "uch-korgon-plan.json").read_text(encoding="utf-8"))
    payload["language"] = "ru"
    document = open_docx(generate_document("joint-plan", payload).content)
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert any("не\u00adсо\u00adвер\u00adшен\u00adно\u00adлет\u00adних" in c for c in cells)
    assert not any(SOFT_HYPHEN in p.text for p in document.paragraphs)  # body text, titles


@pytest.mark.parametrize(
    ("kind", "example"),
    [
        ("working-group-order", "uch-korgon-order"),
        ("joint-plan", "uch-korgon-plan"),
        ("annual-report", "uch-korgon-report"),
    ],
)
def test_every_text_is_tagged_with_its_language(kind, example):
    """Word checks the spelling of the Kyrgyz text as Kyrgyz, of the Russian as Russian."""
    payload = json.loads((EXAMPLES / f"{example}.json").read_text(encoding="utf-8"))
    document = open_docx(generate_document(kind, payload).content)
    normal = document.styles["Normal"].element.find(f"{qn('w:rPr')}/{qn('w:lang')}")
    assert normal.get(qn("w:val")) == "ru-RU"  # a run without a language of its own
    languages = {"ky-KG": [], "ru-RU": []}
    for run in document.element.body.iter(qn("w:r")):
        text = "".join(t.text or "" for t in run.iter(qn("w:t")))
        lang = run.find(f"{qn('w:rPr')}/{qn('w:lang')}")
        if text.strip():
            languages["ru-RU" if lang is None else lang.get(qn("w:val"))].append(text)
    kyrgyz, russian = " ".join(languages["ky-KG"]), " ".join(languages["ru-RU"])
    assert all(letter in kyrgyz for letter in "ңөү")
    assert not any(letter in russian for letter in "ңөүҢӨҮ")
    assert len(russian) > 1000 and len(kyrgyz) > 1000
