"""Russian and Kyrgyz forms the documents need: declension, suffixes, dates, names."""

from __future__ import annotations

from datetime import date

import pytest

from service.i18n import Phrases
from service.language import kyrgyz, russian
from service.language.dates import attributive_date, deadline_date, long_date


@pytest.mark.parametrize(
    ("phrase", "case", "expected"),
    [
        ("заместитель главы Уч-Коргонского айыл окмоту", "ACCUSATIVE",
         "заместителя главы Уч-Коргонского айыл окмоту"),
        ("старший участковый инспектор", "ACCUSATIVE", "старшего участкового инспектора"),
        ("глава Уч-Коргонского айыл окмоту", "ACCUSATIVE", "главу Уч-Коргонского айыл окмоту"),
        ("Уч-Коргонский айыл окмоту", "GENITIVE", "Уч-Коргонского айыл окмоту"),
        ("Уч-Коргонский айыл окмоту", "PREPOSITIONAL", "Уч-Коргонском айыл окмоту"),
        ("Жети-Огузский айыл окмоту", "GENITIVE", "Жети-Огузского айыл окмоту"),
        ("Ала-Букинский районный отдел внутренних дел", "GENITIVE",
         "Ала-Букинского районного отдела внутренних дел"),
        ("Муниципальная администрация мэрии города Бишкек по Свердловскому административному "
         "району", "GENITIVE", "Муниципальной администрации мэрии города Бишкек по "
         "Свердловскому административному району"),
        ("Уч-Коргонский айылный отдел милиции", "ACCUSATIVE",
         "Уч-Коргонский айылный отдел милиции"),
        ("Ноокатская городская мэрия", "ACCUSATIVE", "Ноокатскую городскую мэрию"),
        ("Уч-Коргонский айылный кенеш", "GENITIVE", "Уч-Коргонского айылного кенеша"),
        ("Уч-Коргонский айылный кенеш", "DATIVE", "Уч-Коргонскому айылному кенешу"),
        ("Уч-Коргонский айылный кенеш", "ACCUSATIVE", "Уч-Коргонский айылный кенеш"),
        ("Уч-Коргонский айылный кенеш", "PREPOSITIONAL", "Уч-Коргонском айылном кенеше"),
        ("распоряжение", "DATIVE", "распоряжению"),
        ("приказ", "GENITIVE", "приказа"),
    ],
)  # fmt: skip
def test_russian_phrase_heads(phrase, case, expected):
    assert russian.inflect_phrase(phrase, russian.Case[case]) == expected


@pytest.mark.parametrize(
    ("phrase", "case", "expected"),
    [
        ("Үч-Коргон айыл өкмөтү", "GENITIVE", "Үч-Коргон айыл өкмөтүнүн"),
        ("Үч-Коргон айыл өкмөтү", "DATIVE", "Үч-Коргон айыл өкмөтүнө"),
        ("Үч-Коргон айыл өкмөтү", "LOCATIVE", "Үч-Коргон айыл өкмөтүндө"),
        ("Кыргыз Республикасы", "LOCATIVE", "Кыргыз Республикасында"),
        ("Якубова", "DATIVE", "Якубовага"),
        ("Абдурахманов", "DATIVE", "Абдурахмановго"),
        ("Асан уулу", "DATIVE", "Асан уулуна"),
        ("Бишкек", "DATIVE", "Бишкекке"),
        ("Бишкек", "GENITIVE", "Бишкектин"),
        ("Үч-Коргон", "GENITIVE", "Үч-Коргондун"),
        ("Ош", "LOCATIVE", "Ошто"),
        ("тескеме", "GENITIVE", "тескеменин"),
        ("буйрук", "GENITIVE", "буйруктун"),
    ],
)
def test_kyrgyz_suffixes(phrase, case, expected):
    assert kyrgyz.decline(phrase, kyrgyz.Case[case]) == expected


def test_kyrgyz_possessive_dative_of_act_words():
    assert kyrgyz.decline(kyrgyz.possessive("тескеме"), kyrgyz.Case.DATIVE) == "тескемесине"
    assert kyrgyz.decline(kyrgyz.possessive("буйрук"), kyrgyz.Case.DATIVE) == "буйругуна"


KY_DATES = [
    (date(2010, 1, 21), "2010-жылдын 21-январы"),
    (date(2013, 2, 25), "2013-жылдын 25-февралы"),
    (date(2025, 3, 18), "2025-жылдын 18-марты"),
    (date(2008, 4, 25), "2008-жылдын 25-апрели"),
    (date(2021, 5, 5), "2021-жылдын 5-майы"),
    (date(2015, 6, 26), "2015-жылдын 26-июну"),
    (date(2023, 7, 17), "2023-жылдын 17-июлу"),
    (date(2026, 8, 18), "2026-жылдын 18-августу"),
    (date(2015, 9, 30), "2015-жылдын 30-сентябры"),
    (date(2021, 10, 20), "2021-жылдын 20-октябры"),
    (date(2022, 11, 25), "2022-жылдын 25-ноябры"),
    (date(2021, 12, 21), "2021-жылдын 21-декабры"),
]


@pytest.mark.parametrize(("day", "expected"), KY_DATES)
def test_kyrgyz_official_dates(day, expected):
    assert long_date(Phrases("ky"), day) == expected


def test_dated_and_deadline_forms():
    ky, ru = Phrases("ky"), Phrases("ru")
    assert attributive_date(ky, date(2013, 6, 26)) == "2013-жылдын 26-июнундагы"
    assert attributive_date(ky, date(2012, 4, 8)) == "2012-жылдын 8-апрелиндеги"
    assert deadline_date(ky, date(2015, 10, 30)) == "2015-жылдын 30-октябрынан кечиктирбестен"
    assert long_date(ru, date(2015, 6, 26)) == "26 июня 2015 г."
    assert attributive_date(ru, date(2015, 6, 26)) == "от 26 июня 2015 г."
    assert deadline_date(ru, date(2015, 10, 30)) == "не позднее 30 октября 2015 г."
