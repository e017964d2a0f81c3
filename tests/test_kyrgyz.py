"""Kyrgyz in the documents: case suffixes, the order's reference and line, titles, phrases.

The suffix table is written by hand. Place names and possessive heads follow the forms of
official texts (cbd.minjust.gov.kg, shailoo.gov.kg: «Кыргыз Республикасынын», «Баткен
облусунда», «айыл өкмөтүнүн»); abbreviations take the suffix in lower case as the press
writes them («АКШнын», «БУУнун», «ИИМдин», «ЖМКлар»: azattyk.org, kabar.kg), their vowel
harmony following the letters' names (РИИБ [эр-и-и-бэ] → «РИИБге»). After letters whose
name ends in a vowel only the dative and locative are listed: writers differ on the
genitive («РИИБнин» / «РИИБдин»).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from service.generation import generate_document, load_input
from service.i18n import Phrases
from service.kinds import KINDS
from service.language import kyrgyz
from service.language.territory import territory_locative
from tests.docx_reading import all_text, as_read, open_docx

ROOT = Path(__file__).resolve().parent.parent
G, D, L = kyrgyz.Case.GENITIVE, kyrgyz.Case.DATIVE, kyrgyz.Case.LOCATIVE

SUFFIXES = [
    # Places and common nouns.
    ("Бишкек", {G: "Бишкектин", D: "Бишкекке", L: "Бишкекте"}),
    ("Ош", {G: "Оштун", D: "Ошко", L: "Ошто"}),
    ("Нарын", {G: "Нарындын", D: "Нарынга", L: "Нарында"}),
    ("Талас", {G: "Таластын", D: "Таласка", L: "Таласта"}),
    ("Баткен", {G: "Баткендин", D: "Баткенге", L: "Баткенде"}),
    ("Токмок", {G: "Токмоктун", D: "Токмокко", L: "Токмокто"}),
    ("Кара-Суу", {G: "Кара-Суунун", D: "Кара-Сууга", L: "Кара-Сууда"}),
    ("Үч-Коргон", {G: "Үч-Коргондун", D: "Үч-Коргонго", L: "Үч-Коргондо"}),
    ("Жети-Өгүз", {G: "Жети-Өгүздүн", D: "Жети-Өгүзгө", L: "Жети-Өгүздө"}),
    ("Ысык-Көл", {G: "Ысык-Көлдүн", D: "Ысык-Көлгө", L: "Ысык-Көлдө"}),
    ("тескеме", {G: "тескеменин", D: "тескемеге", L: "тескемеде"}),
    ("буйрук", {G: "буйруктун", D: "буйрукка", L: "буйрукта"}),
    ("мэрия", {G: "мэриянын", D: "мэрияга", L: "мэрияда"}),
    ("Үч-Коргон айылдык кеңеш", {G: "Үч-Коргон айылдык кеңештин", D: "Үч-Коргон айылдык кеңешке"}),
    # Possessive heads: the pronominal «н».
    ("Кыргыз Республикасы", {G: "Кыргыз Республикасынын", L: "Кыргыз Республикасында"}),
    ("Баткен облусу", {G: "Баткен облусунун", D: "Баткен облусуна", L: "Баткен облусунда"}),
    ("Кадамжай району", {G: "Кадамжай районунун", D: "Кадамжай районуна"}),
    ("Үч-Коргон айыл өкмөтү", {G: "Үч-Коргон айыл өкмөтүнүн", D: "Үч-Коргон айыл өкмөтүнө"}),
    ("Үч-Коргон айыл аймагы", {G: "Үч-Коргон айыл аймагынын", L: "Үч-Коргон айыл аймагында"}),
    ("Кара-Суу шаары", {G: "Кара-Суу шаарынын", D: "Кара-Суу шаарына", L: "Кара-Суу шаарында"}),
    ("Асан уулу", {D: "Асан уулуна"}),
    # Names.
    ("Якубова", {G: "Якубованын", D: "Якубовага"}),
    ("Абдурахманов", {G: "Абдурахмановдун", D: "Абдурахмановго"}),
    # Words in capitals: the suffix in lower case, the harmony of the word.
    ("Б.К. АСАНОВ", {D: "Б.К. АСАНОВго", G: "Б.К. АСАНОВдун"}),
    ("ТЕСКЕМЕ", {G: "ТЕСКЕМЕнин", D: "ТЕСКЕМЕге"}),
    ("ЖЕТИ-ӨГҮЗ", {D: "ЖЕТИ-ӨГҮЗгө", L: "ЖЕТИ-ӨГҮЗдө"}),
    ("ОШ", {G: "ОШтун", L: "ОШто"}),
    # Abbreviations read letter by letter, or as a word (БУУ).
    ("ИИМ", {G: "ИИМдин", D: "ИИМге", L: "ИИМде"}),
    ("Жети-Өгүз РИИБ", {D: "Жети-Өгүз РИИБге", L: "Жети-Өгүз РИИБде"}),
    ("Кара-Суу ИИБ", {D: "Кара-Суу ИИБге", L: "Кара-Суу ИИБде"}),
    ("АКШ", {G: "АКШнын", D: "АКШга", L: "АКШда"}),
    ("БУУ", {G: "БУУнун", D: "БУУга", L: "БУУда"}),
    ("ЖМК", {G: "ЖМКнын", D: "ЖМКга", L: "ЖМКда"}),
    ("№ 21 МТУ", {G: "№ 21 МТУнун", D: "№ 21 МТУга", L: "№ 21 МТУда"}),
    ("КР", {G: "КРдин", D: "КРге", L: "КРде"}),
    ("Жети-Огуз ОВД", {D: "Жети-Огуз ОВДге", L: "Жети-Огуз ОВДде"}),
    ("Кадамжай ОПЦ", {D: "Кадамжай ОПЦге", L: "Кадамжай ОПЦде"}),
]
CASES = [(word, case, form) for word, forms in SUFFIXES for case, form in forms.items()]


def test_the_table_is_large_enough():
    assert len(SUFFIXES) >= 30 and len(CASES) >= 80


@pytest.mark.parametrize(("word", "case", "expected"), CASES)
def test_kyrgyz_suffix(word, case, expected):
    assert kyrgyz.decline(word, case) == expected


@pytest.mark.parametrize(
    ("word", "abbreviation"),
    [("РИИБ", True), ("ИИМ", True), ("ОВД", True), ("МТУ", True), ("АКШ", True), ("КР", True),
     ("ОПЦ", True), ("ИДН", True), ("БУУ", False), ("ОШ", False), ("АКТ", False),
     ("НАРЫН", False), ("АСАНОВ", False), ("ЖЕТИ-ӨГҮЗ", False), ("Ош", False), ("ош", False)],
)  # fmt: skip
def test_abbreviations_are_told_from_words_in_capitals(word, abbreviation):
    assert kyrgyz.is_abbreviation(word) is abbreviation


@pytest.mark.parametrize(
    ("body", "territory", "locative"),
    [
        ("Үч-Коргон айыл өкмөтү", "Үч-Коргон айыл аймагы", "Үч-Коргон айыл аймагында"),
        ("Жети-Өгүз айыл өкмөтү", "Жети-Өгүз айыл аймагы", "Жети-Өгүз айыл аймагында"),
        ("Кара-Суу шаарынын мэриясы", "Кара-Суу шаары", "Кара-Суу шаарында"),
        ("Ноокат шаардык мэриясы", "Ноокат шаары", "Ноокат шаарында"),
        (
            "Бишкек шаарынын мэриясынын Свердлов административдик району боюнча муниципалдык "
            "администрациясы",
            "Бишкек шаарынын Свердлов административдик району",
            "Бишкек шаарынын Свердлов административдик районунда",
        ),
        (
            "№ 21 муниципалдык аймактык башкармалык",
            "№ 21 муниципалдык аймактык башкармалыктын аймагы",
            "№ 21 муниципалдык аймактык башкармалыктын аймагында",
        ),
        ("Ош шаарынын №3 аймактык кеңеши", None, None),
    ],
)
def test_territory_from_the_body(body, territory, locative):
    assert kyrgyz.territory_of(body) == territory
    if territory is not None:
        assert kyrgyz.decline(territory, L) == locative


# --- the documents -------------------------------------------------------------------------


def example(name: str) -> dict:
    return json.loads((ROOT / "examples" / name).read_text(encoding="utf-8"))


def text_of(kind: str, payload: dict) -> str:
    """The document's text as a reader sees it: no-break spaces as spaces."""
    text = as_read(all_text(open_docx(generate_document(kind, payload).content)))
    return text.replace("\u00a0", " ")


def test_plan_names_the_issuer_and_the_act_word_of_its_order():
    payload = example("uch-korgon-plan.json")
    payload["language"] = "ky+ru"
    payload["working_group_order"] = {
        "number": "02-07/38",
        "date": "2026-03-05",
        "act": {"ky": "ТЕСКЕМЕ", "ru": "РАСПОРЯЖЕНИЕ"},
    }
    text = text_of("joint-plan", payload)
    assert (
        "Жумушчу топ Үч-Коргон айыл өкмөтүнүн 2026-жылдын 5-мартындагы № 02-07/38 тескемеси "
        "менен түзүлгөн." in text
    )
    assert "Рабочая группа создана распоряжением Уч-Коргонского айыл окмоту от 5 марта" in text
    payload["working_group_order"]["act"] = {"ky": "БУЙРУК", "ru": "ПРИКАЗ"}
    text = text_of("joint-plan", payload)
    assert "№ 02-07/38 буйругу менен түзүлгөн." in text
    assert "Рабочая группа создана приказом Уч-Коргонского айыл окмоту" in text
    assert "тескеме менен" not in text


def test_report_names_the_issuer_of_the_order():
    payload = example("uch-korgon-report.json")
    payload["language"] = "ky"
    text = text_of("annual-report", payload)
    assert "Жумушчу топ Үч-Коргон айыл өкмөтүнүн 2015-жылдын 26-июнундагы" in text
    assert "тескемеси менен түзүлгөн." in text


def order(**changes) -> dict:
    payload = example("uch-korgon-order.json")
    payload.update(changes)
    return payload


def lines(kind: str, payload: dict) -> list[str]:
    return [line.strip() for line in text_of(kind, payload).splitlines()]


def test_order_line_after_the_preamble_follows_the_act_word():
    teskeme = lines("working-group-order", order(act={"ky": "ТЕСКЕМЕ", "ru": "РАСПОРЯЖЕНИЕ"}))
    assert "БУЙРУК КЫЛАМ:" not in teskeme and "РАСПОРЯЖАЮ:" in teskeme
    buiruk = lines("working-group-order", order(act={"ky": "БУЙРУК", "ru": "ПРИКАЗ"}))
    assert "БУЙРУК КЫЛАМ:" in buiruk and "ПРИКАЗЫВАЮ:" in buiruk
    default = lines("working-group-order", order(act=None))
    assert "БУЙРУК КЫЛАМ:" not in default and "РАСПОРЯЖАЮ:" in default
    # A municipality's own line wins.
    own = order(
        act={"ky": "ТЕСКЕМЕ", "ru": "РАСПОРЯЖЕНИЕ"},
        order_line={"ky": "ТЕСКЕМЕ КЫЛАМ:", "ru": "ОБЯЗЫВАЮ:"},
    )
    assert {"ТЕСКЕМЕ КЫЛАМ:", "ОБЯЗЫВАЮ:"} <= set(lines("working-group-order", own))


def test_order_without_a_line_leaves_no_empty_paragraph():
    payload = order(act={"ky": "ТЕСКЕМЕ", "ru": "РАСПОРЯЖЕНИЕ"}, language="ky")
    text = lines("working-group-order", payload)
    preamble = next(i for i, line in enumerate(text) if line.endswith("максатында,"))
    assert text[preamble + 1].startswith("1. ")


def test_titles_name_the_territory_not_the_office():
    payload = order(subject=None, language="ky")
    text = text_of("working-group-order", payload)
    assert "Үч-Коргон айыл аймагында коомдук коопсуздукту" in text
    assert "айыл өкмөтүндө" not in text
    plan = example("uch-korgon-plan.json")
    plan["language"] = "ky"
    assert "Үч-Коргон айыл аймагында" in text_of("joint-plan", plan)


def test_a_town_mayoralty_names_the_town():
    payload = order(subject=None, language="ky")
    payload["issuer"] = copy.deepcopy(payload["issuer"])
    payload["issuer"]["body"] = {"ky": "Кара-Суу шаарынын мэриясы", "ru": "Мэрия города Кара-Суу"}
    model = load_input("working-group-order", payload)
    assert territory_locative(model.issuer, "ky") == "Кара-Суу шаарында"
    # The Russian title, too, names the town («в мэрии города» would be the mayor's office).
    assert territory_locative(model.issuer, "ru") == "городе Кара-Суу"
    assert KINDS["working-group-order"].warnings(model) == []


def test_an_underivable_territory_warns_and_a_set_one_wins():
    payload = order(subject=None, language="ky")
    payload["issuer"] = copy.deepcopy(payload["issuer"])
    payload["issuer"]["body"] = {"ky": "Ош шаарынын №3 аймактык кеңеши"}
    kind = KINDS["working-group-order"]
    warnings = kind.warnings(load_input(kind.name, payload))
    assert [w.code for w in warnings] == ["issuer.territory_unknown"]
    assert "issuer.territory" in warnings[0].text()
    payload["issuer"]["territory"] = {"ky": "Ош шаарынын №3 аймагы"}
    model = load_input(kind.name, payload)
    assert kind.warnings(model) == []
    assert "Ош шаарынын № 3 аймагында коомдук" in text_of(kind.name, payload)


@pytest.mark.parametrize(
    ("message", "wrong", "right"),
    [
        ("Desired change", "Каалаган өзгөрүү", "Күтүлгөн өзгөрүү"),
        ("Baseline study", "Баштапкы изилдөө (базалык сызык)", "Баштапкы абалды изилдөө"),
        ("All activities", "Баары", "Бардыгы"),
        (
            "Indicators: % of the planned change reached",
            "Индикаторлор: пландалган өзгөрүүнүн канча %ы ишке ашты",
            "Индикаторлор: пландалган өзгөрүүнүн аткарылышы, %",
        ),
    ],
)
def test_catalog_phrases_read_as_kyrgyz(message, wrong, right):
    assert Phrases("ky").gettext(message) == right != wrong


def test_joint_plan_is_lower_case_inside_a_sentence():
    text = text_of("working-group-order", order(subject=None, language="ky"))
    assert "Биргелешкен" not in text
    assert Phrases("ky").gettext("Total") == Phrases("ky").gettext("All activities")


@pytest.mark.parametrize("text", ["‑", "-", "1", "«»", "  "])
def test_a_name_without_letters_takes_no_suffix(text):
    # Nothing to harmonise with: printed as written (the schema refuses an empty name).
    assert kyrgyz.decline(text, kyrgyz.Case.DATIVE) == text
