"""Person names as offices write them: parsed, normalised, declined, set by hand, or warned
about, in every kind, over HTTP (stored with the job) and on the command line."""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.domain.common import Bilingual, Gender, Person, PersonForms
from service.errors import InvalidInput
from service.generation import generate_document, load_input
from service.i18n import translate_notice
from service.language.names import Form, name_form, parse_name, person_notices
from tests.conftest import EXAMPLES, ORDERS, ROOT, wait_until_finished
from tests.docx_reading import open_docx, paragraphs, tables

M, F = Gender.MALE, Gender.FEMALE

# Written by hand: the shapes of names in published Kyrgyz lists and orders (surnames of
# public officials, Kyrgyz letters, particle names, Russian and Korean surnames); the initials
# are made up. Columns: as written, gender, list form, signature form, Russian dative and
# accusative, Kyrgyz dative.
NAMES = [
    ("Жапаров С.Н.", M, "Жапаров С.Н.", "С.Н. Жапаров", "Жапарову С.Н.", "Жапарова С.Н.",
     "С.Н. Жапаровго"),
    ("С.Н. Жапаров", M, "Жапаров С.Н.", "С.Н. Жапаров", "Жапарову С.Н.", "Жапарова С.Н.",
     "С.Н. Жапаровго"),
    ("Садыр Жапаров", M, "Жапаров С.", "С. Жапаров", "Жапарову С.", "Жапарова С.", "С. Жапаровго"),
    ("Жапаров Садыр Нуркожоевич", M, "Жапаров С.Н.", "С.Н. Жапаров", "Жапарову С.Н.",
     "Жапарова С.Н.", "С.Н. Жапаровго"),
    ("Ташиев К.К", M, "Ташиев К.К.", "К.К. Ташиев", "Ташиеву К.К.", "Ташиева К.К.",
     "К.К. Ташиевге"),
    ("К. К. Ташиев", M, "Ташиев К.К.", "К.К. Ташиев", "Ташиеву К.К.", "Ташиева К.К.",
     "К.К. Ташиевге"),
    ("К.К.Ташиев", M, "Ташиев К.К.", "К.К. Ташиев", "Ташиеву К.К.", "Ташиева К.К.",
     "К.К. Ташиевге"),
    # Latin T, A, K among the Cyrillic letters.
    ("TAШИЕВ K.K.", M, "Ташиев К.К.", "К.К. Ташиев", "Ташиеву К.К.", "Ташиева К.К.",
     "К.К. Ташиевге"),
    ("Касымалиев Адылбек Уенбаевич", M, "Касымалиев А.У.", "А.У. Касымалиев", "Касымалиеву А.У.",
     "Касымалиева А.У.", "А.У. Касымалиевге"),
    ("Адылбек Уенбаевич Касымалиев", M, "Касымалиев А.У.", "А.У. Касымалиев", "Касымалиеву А.У.",
     "Касымалиева А.У.", "А.У. Касымалиевге"),
    ("Отунбаева Р.И.", F, "Отунбаева Р.И.", "Р.И. Отунбаева", "Отунбаевой Р.И.", "Отунбаеву Р.И.",
     "Р.И. Отунбаевага"),
    ("Роза Отунбаева", F, "Отунбаева Р.", "Р. Отунбаева", "Отунбаевой Р.", "Отунбаеву Р.",
     "Р. Отунбаевага"),
    ("ОТУНБАЕВА Роза Исаковна", F, "Отунбаева Р.И.", "Р.И. Отунбаева", "Отунбаевой Р.И.",
     "Отунбаеву Р.И.", "Р.И. Отунбаевага"),
    ("Жээнбеков С.Ш.", M, "Жээнбеков С.Ш.", "С.Ш. Жээнбеков", "Жээнбекову С.Ш.", "Жээнбекова С.Ш.",
     "С.Ш. Жээнбековго"),
    ("Атамбаев А.Ш.", M, "Атамбаев А.Ш.", "А.Ш. Атамбаев", "Атамбаеву А.Ш.", "Атамбаева А.Ш.",
     "А.Ш. Атамбаевге"),
    ("Байсалов Э.", M, "Байсалов Э.", "Э. Байсалов", "Байсалову Э.", "Байсалова Э.",
     "Э. Байсаловго"),
    ("Сурабалдиева Э.", F, "Сурабалдиева Э.", "Э. Сурабалдиева", "Сурабалдиевой Э.",
     "Сурабалдиеву Э.", "Э. Сурабалдиевага"),
    ("Кудайбергенова Ж.", F, "Кудайбергенова Ж.", "Ж. Кудайбергенова", "Кудайбергеновой Ж.",
     "Кудайбергенову Ж.", "Ж. Кудайбергеновага"),
    ("Өмүрбеков Т.", M, "Өмүрбеков Т.", "Т. Өмүрбеков", "Өмүрбекову Т.", "Өмүрбекова Т.",
     "Т. Өмүрбековго"),
    ("Үсөнов Д.", M, "Үсөнов Д.", "Д. Үсөнов", "Үсөнову Д.", "Үсөнова Д.", "Д. Үсөновго"),
    ("Дүйшөнбиев Ж.", M, "Дүйшөнбиев Ж.", "Ж. Дүйшөнбиев", "Дүйшөнбиеву Ж.", "Дүйшөнбиева Ж.",
     "Ж. Дүйшөнбиевге"),
    ("Ким Е.А.", F, "Ким Е.А.", "Е.А. Ким", "Ким Е.А.", "Ким Е.А.", "Е.А. Кимге"),
    ("Ли Е.", F, "Ли Е.", "Е. Ли", "Ли Е.", "Ли Е.", "Е. Лиге"),
    ("Асылбек уулу Нурлан", M, "Асылбек уулу Н.", "Н. Асылбек уулу", "Асылбек уулу Н.",
     "Асылбек уулу Н.", "Н. Асылбек уулуна"),
    ("Нурлан Асылбек уулу", M, "Асылбек уулу Н.", "Н. Асылбек уулу", "Асылбек уулу Н.",
     "Асылбек уулу Н.", "Н. Асылбек уулуна"),
    ("Н. Асылбек уулу", M, "Асылбек уулу Н.", "Н. Асылбек уулу", "Асылбек уулу Н.",
     "Асылбек уулу Н.", "Н. Асылбек уулуна"),
    ("АСЫЛБЕК УУЛУ Н.", M, "Асылбек уулу Н.", "Н. Асылбек уулу", "Асылбек уулу Н.",
     "Асылбек уулу Н.", "Н. Асылбек уулуна"),
    ("Айпери Таалайбек кызы", F, "Таалайбек кызы А.", "А. Таалайбек кызы", "Таалайбек кызы А.",
     "Таалайбек кызы А.", "А. Таалайбек кызына"),
    ("Таалайбек кызы Айпери", F, "Таалайбек кызы А.", "А. Таалайбек кызы", "Таалайбек кызы А.",
     "Таалайбек кызы А.", "А. Таалайбек кызына"),
    ("Таалайбек кызы А", F, "Таалайбек кызы А.", "А. Таалайбек кызы", "Таалайбек кызы А.",
     "Таалайбек кызы А.", "А. Таалайбек кызына"),
    ("Токтогулова Айгуль Бакыт кызы", F, "Токтогулова А.Б.", "А.Б. Токтогулова",
     "Токтогуловой А.Б.", "Токтогулову А.Б.", "А.Б. Токтогуловага"),
    ("Сыдыкова-Омурзакова Г.А.", F, "Сыдыкова-Омурзакова Г.А.", "Г.А. Сыдыкова-Омурзакова",
     "Сыдыковой-Омурзаковой Г.А.", "Сыдыкову-Омурзакову Г.А.", "Г.А. Сыдыкова-Омурзаковага"),
    ("Юлдашев А.-Х.", M, "Юлдашев А.-Х.", "А.-Х. Юлдашев", "Юлдашеву А.-Х.", "Юлдашева А.-Х.",
     "А.-Х. Юлдашевге"),
    ("Юлдашев А.-Х", M, "Юлдашев А.-Х.", "А.-Х. Юлдашев", "Юлдашеву А.-Х.", "Юлдашева А.-Х.",
     "А.-Х. Юлдашевге"),
    ("Абдыкадыров Абдул-Азиз", M, "Абдыкадыров А.-А.", "А.-А. Абдыкадыров", "Абдыкадырову А.-А.",
     "Абдыкадырова А.-А.", "А.-А. Абдыкадыровго"),
    ("Иванов Сергей Петрович", M, "Иванов С.П.", "С.П. Иванов", "Иванову С.П.", "Иванова С.П.",
     "С.П. Ивановго"),
    ("Шевчук Анна", F, "Шевчук А.", "А. Шевчук", "Шевчук А.", "Шевчук А.", "А. Шевчукка"),
    ("Шевчук О.", M, "Шевчук О.", "О. Шевчук", "Шевчуку О.", "Шевчука О.", "О. Шевчукка"),
    ("Вишневская Е.А.", F, "Вишневская Е.А.", "Е.А. Вишневская", "Вишневской Е.А.",
     "Вишневскую Е.А.", "Е.А. Вишневскаяга"),
    ("Вишневский Е.А.", M, "Вишневский Е.А.", "Е.А. Вишневский", "Вишневскому Е.А.",
     "Вишневского Е.А.", "Е.А. Вишневскийге"),
    ("Ильина О.В.", F, "Ильина О.В.", "О.В. Ильина", "Ильиной О.В.", "Ильину О.В.",
     "О.В. Ильинага"),
    ("Ильин О.В.", M, "Ильин О.В.", "О.В. Ильин", "Ильину О.В.", "Ильина О.В.", "О.В. Ильинге"),
    ("Садыкбек А.", M, "Садыкбек А.", "А. Садыкбек", "Садыкбеку А.", "Садыкбека А.",
     "А. Садыкбекке"),
    ("Эсенгул Т.", M, "Эсенгул Т.", "Т. Эсенгул", "Эсенгулу Т.", "Эсенгула Т.", "Т. Эсенгулга"),
    ("Эргешов Ө.", M, "Эргешов Ө.", "Ө. Эргешов", "Эргешову Ө.", "Эргешова Ө.", "Ө. Эргешовго"),
    ("бакиева р.т.", F, "Бакиева Р.Т.", "Р.Т. Бакиева", "Бакиевой Р.Т.", "Бакиеву Р.Т.",
     "Р.Т. Бакиевага"),
    ("Мамытова Бермет", F, "Мамытова Б.", "Б. Мамытова", "Мамытовой Б.", "Мамытову Б.",
     "Б. Мамытовага"),
    ("Бермет Мамытова", F, "Мамытова Б.", "Б. Мамытова", "Мамытовой Б.", "Мамытову Б.",
     "Б. Мамытовага"),
    ("Айтбаева Гүлнара Шаршеновна", F, "Айтбаева Г.Ш.", "Г.Ш. Айтбаева", "Айтбаевой Г.Ш.",
     "Айтбаеву Г.Ш.", "Г.Ш. Айтбаевага"),
    ("  Шакиев   Н.Т. ", M, "Шакиев Н.Т.", "Н.Т. Шакиев", "Шакиеву Н.Т.", "Шакиева Н.Т.",
     "Н.Т. Шакиевге"),
]  # fmt: skip
FORMS = (Form.LIST, Form.SIGNATURE, Form.RU_DATIVE, Form.RU_ACCUSATIVE, Form.KY_DATIVE)


def person(text: str, gender: Gender = M, **kwargs) -> Person:
    keep = kwargs.pop("keep_capitals", False)
    name = parse_name(text, keep_capitals=keep)
    return Person(name=name, gender=gender, position=Bilingual(ky="х", ru="х"), **kwargs)


@pytest.mark.parametrize(
    ("text", "gender", "listed", "signed", "ru_dative", "ru_accusative", "ky_dative"), NAMES
)
def test_name_table(text, gender, listed, signed, ru_dative, ru_accusative, ky_dative):
    someone = person(text, gender)
    expected = (listed, signed, ru_dative, ru_accusative, ky_dative)
    assert tuple(name_form(someone, form) for form in FORMS) == expected
    assert person_notices("members.0", someone, list(Form)) == []


def test_the_table_is_big_enough():
    assert len(NAMES) >= 40


def test_capitals_are_kept_when_asked():
    kept = person("АСАНОВ Б.К.", keep_capitals=True)
    assert [name_form(kept, f) for f in FORMS] == [
        "АСАНОВ Б.К.", "Б.К. АСАНОВ", "АСАНОВУ Б.К.", "АСАНОВА Б.К.", "Б.К. АСАНОВго",
    ]  # fmt: skip
    normal = person("АСАНОВ Б.К.")
    assert name_form(normal, Form.RU_DATIVE) == "Асанову Б.К."
    assert name_form(normal, Form.KY_DATIVE) == "Б.К. Асановго"


def test_the_issue_examples():
    meerim = person("Мээрим Жумабек кызы", F)
    assert name_form(meerim, Form.LIST) == "Жумабек кызы М."
    assert name_form(meerim, Form.SIGNATURE) == "М. Жумабек кызы"
    assert name_form(meerim, Form.KY_DATIVE) == "М. Жумабек кызына"
    bakyt = person("Бакыт Асан уулу")
    assert name_form(bakyt, Form.RU_ACCUSATIVE) == "Асан уулу Б."
    assert name_form(person("Ахмедов Х.-А."), Form.RU_ACCUSATIVE) == "Ахмедова Х.-А."
    assert name_form(person("Асанов Б.К"), Form.RU_ACCUSATIVE) == "Асанова Б.К."


@pytest.mark.parametrize(
    "text",
    ["Asanov B.K.", "Асанов 2-й", "Асанов Б.К. (и.о.)", "Б.К.", "Асан уулу Бакыт кызы",
     "Асанов Бакыт Кадыр Жумабекович", "Айпери ‹Тест & «кавычки»>"],
)  # fmt: skip
def test_what_cannot_be_read_is_printed_as_written_and_warned(text):
    someone = person(text)
    assert all(name_form(someone, f) == text for f in Form)
    notices = person_notices("members.3", someone, [Form.LIST, Form.RU_ACCUSATIVE])
    assert [n.code for n in notices] == ["name.unparsed"]
    assert notices[0].values == {
        "field": "members.3.name",
        "name": text,
        "forms": "members.3.forms.list, members.3.forms.ru_accusative",
    }
    assert "members.3.name" in translate_notice(notices[0], "ru")
    assert "members.3.forms.list" in translate_notice(notices[0], "ky")


def test_a_gender_the_name_contradicts_is_warned_where_it_is_declined():
    bakyt = person("Бакыт Асан уулу", F)
    notices = person_notices("control", bakyt, [Form.RU_ACCUSATIVE, Form.KY_DATIVE])
    assert [n.code for n in notices] == ["name.looks_male"]
    assert notices[0].values["gender"] == "control.gender"
    assert notices[0].values["forms"] == "control.forms.ru_accusative"
    assert translate_notice(notices[0], "ru").startswith("Имя в поле control.name")
    # The nominative does not depend on the gender: nothing to warn about.
    assert person_notices("members.0", person("Асанова Б.", M), [Form.LIST]) == []
    female = person_notices("control", person("Асанова Б.", M), [Form.RU_ACCUSATIVE])
    assert [n.code for n in female] == ["name.looks_female"]


def test_an_uncertain_declension_names_the_form_to_set():
    # A Kyrgyz surname that ends like a possessive: «Кулуга» or «Кулуна»?
    notices = person_notices("control", person("Кулу А."), [Form.KY_DATIVE])
    assert [n.code for n in notices] == ["name.uncertain_declension"]
    assert notices[0].values["forms"] == "control.forms.ky_dative"
    # A hyphenated surname whose parts do not look like surnames: only the last is declined.
    kara = person("Кара-Саяк Б.")
    assert name_form(kara, Form.RU_DATIVE) == "Кара-Саяку Б."
    assert [n.code for n in person_notices("x", kara, [Form.RU_DATIVE])] == [
        "name.uncertain_declension"
    ]


def test_hand_set_forms_always_win_and_silence_the_warnings():
    forms = PersonForms(list="Асанов-Ата Б.", ru_accusative="Асанова-Ата Б.", ky_dative="Б. Ата")
    someone = person("Асанов (Ата) Б.", forms=forms)
    assert name_form(someone, Form.LIST) == "Асанов-Ата Б."
    assert name_form(someone, Form.RU_ACCUSATIVE) == "Асанова-Ата Б."
    assert name_form(someone, Form.KY_DATIVE) == "Б. Ата"
    used = [Form.LIST, Form.RU_ACCUSATIVE, Form.KY_DATIVE]
    assert person_notices("control", someone, used) == []
    # A form still computed keeps the warning, naming only it.
    [notice] = person_notices("control", someone, [*used, Form.SIGNATURE])
    assert notice.values["forms"] == "control.forms.signature"


# A generator of name shapes: surnames (hyphenated, particle names), given names,
# patronymics, written in any of the shapes and with the slips offices make.
SURNAMES = ["Асанов", "Жумабекова", "Ташиев", "Ким", "Өмүрбеков", "Сыдыкова-Омурзакова",
            "Шевчук", "Вишневская", "Эсенгул", "Үсөнова"]  # fmt: skip
GIVEN = ["Бакыт", "Мээрим", "Айгүль", "Нурлан", "Өмүр", "Абдул-Азиз", "Жылдыз", "Элмира"]
PATRONYMICS = ["Кадырович", "Касымовна", "Шаршенович", "Бакытовна"]
FATHERS = ["Асан", "Жумабек", "Таалайбек", "Өмүрбек"]
_LATIN = str.maketrans("АаВСсЕеНКМОоРрТХхУу", "AaBCcEeHKMOoPpTXxYy")


def _initial(word: str) -> str:
    return "-".join(p[0] + "." for p in word.split("-"))


@st.composite
def written_names(draw):
    """(text as an office might write it, expected list form, expected signature form)."""
    if draw(st.booleans()):
        father = draw(st.sampled_from(FATHERS))
        surname = f"{father} {draw(st.sampled_from(['уулу', 'кызы']))}"
        given = draw(st.sampled_from(GIVEN))
        initials = _initial(given)
        shapes = [f"{surname} {given}", f"{given} {surname}", f"{surname} {initials}",
                  f"{initials} {surname}"]  # fmt: skip
    else:
        surname = draw(st.sampled_from(SURNAMES))
        given, patronymic = draw(st.sampled_from(GIVEN)), draw(st.sampled_from(PATRONYMICS))
        initials = _initial(given) + _initial(patronymic)
        spaced = initials.replace(".", ". ").strip()
        shapes = [f"{surname} {initials}", f"{initials} {surname}", f"{spaced} {surname}",
                  f"{initials}{surname}", f"{surname} {initials[:-1]}",
                  f"{surname} {given} {patronymic}", f"{given} {patronymic} {surname}"]  # fmt: skip
    text = draw(st.sampled_from(shapes))
    if draw(st.booleans()):
        text = text.upper()
    if draw(st.booleans()):
        # Latin look-alikes in one word of a name written in Cyrillic.
        first, _, rest = text.partition(" ")
        text = f"{first.translate(_LATIN)} {rest}"
    if draw(st.booleans()):
        text = f"  {text.replace(' ', '  ')} "
    return text, f"{surname} {initials}", f"{initials} {surname}"


def _round_trips(text: str) -> None:
    name = parse_name(text)
    if name.verbatim:
        assert person_notices("members.0", person(text), [Form.LIST])[0].code == "name.unparsed"
        return
    again = parse_name(name.surname_first)
    assert (again.surname_first, again.initials_first) == (
        name.surname_first,
        name.initials_first,
    )
    assert parse_name(name.initials_first).surname_first == name.surname_first


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(written_names())
def test_every_generated_shape_parses_to_its_forms(case):
    text, listed, signed = case
    name = parse_name(text)
    assert not name.verbatim, text
    assert (name.surname_first, name.initials_first) == (listed, signed), text
    _round_trips(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="АБВасовеуулукызыӨүң .-'X1(", max_size=30))
def test_any_text_either_parses_and_round_trips_or_warns(text):
    _round_trips(text)


# The order, the plan and the report print these forms and warn with the field paths.
def _order() -> dict:
    return json.loads((EXAMPLES / "uch-korgon-order.json").read_text(encoding="utf-8"))


def test_an_order_prints_every_shape_and_warns_about_the_unreadable(order_input):
    order_input["control"]["name"] = "Мээрим Жумабек кызы"
    order_input["control"]["gender"] = "female"
    order_input["members"][1]["name"] = "АСАНОВ Б.К"
    order_input["members"][2]["name"] = "Бакыт Асан уулу"
    order_input["members"][3]["name"] = "Asanov B.K."
    document = generate_document("working-group-order", order_input)
    text = "\n".join(paragraphs(open_docx(document.content)))
    cells = [c for table in tables(open_docx(document.content)) for row in table for c in row]
    assert "М.\u00a0Жумабек кызына" in text and "Жумабек кызы\u00a0М." in text
    assert "Мээрим Ж.к." not in text
    assert any("Асанов\u00a0Б.К." in c for c in cells) and any(
        "Асан уулу\u00a0Б." in c for c in cells
    )
    assert not any("АСАНОВ" in c for c in cells)
    assert [(n.code, n.values["field"]) for n in document.warnings] == [
        ("name.unparsed", "members.3.name")
    ]


def test_hand_set_forms_come_through_the_schema(order_input):
    order_input["control"]["forms"] = {"ru_accusative": "Якубову-Ата М.К."}
    order = load_input("working-group-order", order_input)
    assert name_form(order.control, Form.RU_ACCUSATIVE) == "Якубову-Ата М.К."
    order_input["control"]["forms"] = {"ru_vocative": "Якубова"}
    with pytest.raises(InvalidInput) as raised:
        load_input("working-group-order", order_input)
    assert "ru_vocative" in raised.value.errors["control"]["forms"]


def test_the_plan_and_the_report_warn_with_their_fields():
    plan = json.loads((EXAMPLES / "uch-korgon-plan.json").read_text(encoding="utf-8"))
    plan["approvers"]["police_head"]["name"] = "Капитан Асанов Б.К."
    plan["agreed"] = [copy.deepcopy(plan["approvers"]["police_head"])]
    document = generate_document("joint-plan", plan)
    fields = [n.values["field"] for n in document.warnings if n.code == "name.unparsed"]
    assert fields == ["approvers.police_head.name", "agreed.0.name"]
    report = json.loads((EXAMPLES / "uch-korgon-report.json").read_text(encoding="utf-8"))
    report["signatory"]["name"] = "Мээрим Жумабек кызы"
    report["signatory"]["gender"] = "female"
    made = generate_document("annual-report", report)
    cells = [c for table in tables(open_docx(made.content)) for row in table for c in row]
    assert cells.count("М.\u00a0Жумабек кызы") == 2  # the Kyrgyz and the Russian signature
    assert not [n for n in made.warnings if n.code.startswith("name.")]


def test_warnings_are_stored_with_the_job(client):
    order = _order()
    order["members"][3]["name"] = "Asanov B.K."
    headers = {"Accept-Language": "ru"}
    response = client.post(ORDERS, json=order, headers=headers)
    assert response.status_code == 202
    [warning] = response.get_json()["warnings"]
    assert warning.startswith("Имя в поле members.3.name («Asanov B.K.»)")
    status = wait_until_finished(client, response.get_json()["links"]["self"])
    assert status["status"] == "done"
    assert client.get(response.get_json()["links"]["self"], headers=headers).get_json()[
        "warnings"
    ] == [warning]
    english = client.get(response.get_json()["links"]["self"]).get_json()["warnings"]
    assert english[0].startswith("The name in members.3.name («Asanov B.K.»)")


def test_the_cli_prints_name_warnings(tmp_path):
    order = _order()
    order["control"]["name"] = "Asanov B.K."
    source = tmp_path / "order.json"
    source.write_text(json.dumps(order, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "order.docx"
    result = subprocess.run(
        [sys.executable, "-m", "service.cli", "render", "working-group-order", str(source),
         "-o", str(out)],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "warning: The name in control.name («Asanov B.K.»)" in result.stderr
    assert "control.forms.ky_dative, control.forms.ru_accusative" in result.stderr


def test_the_registry_keeps_a_heads_hand_set_forms(client, order_input):
    issuer = order_input.pop("issuer")
    del order_input["number"], order_input["act"]
    head = {**issuer["head"], "name": "Жумабек кызы Мээрим", "gender": "female",
            "forms": {"signature": "Мээрим Жумабек кызы"}}  # fmt: skip
    municipality = {"name": issuer["body"], "region": issuer["region"], "head": head}
    created = client.post("/api/v1/municipalities", json=municipality)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["head"]["forms"] == {"signature": "Мээрим Жумабек кызы"}
    order_input["municipality_id"] = created.get_json()["id"]
    job = client.post(ORDERS, json=order_input).get_json()
    assert wait_until_finished(client, job["links"]["self"])["status"] == "done"
    with client.get(job["links"]["file"]) as download:
        doc = open_docx(download.data)
    cells = [c for table in tables(doc) for row in table for c in row]
    text = paragraphs(doc) + cells
    assert any("Мээрим Жумабек кызы" in t for t in text)
    assert not any("М. Жумабек кызы" in t for t in text)
    bad = {**municipality, "head": {**head, "forms": {"signature": ""}}}
    refused = client.post("/api/v1/municipalities", json=bad)
    assert refused.status_code == 422
    assert "head.forms.signature" in refused.get_json()["errors"]
