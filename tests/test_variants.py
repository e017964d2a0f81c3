"""Inputs nobody wrote for a test: generated orders, plans and reports (tests/variants.py).

Every generated input validates and renders; no template leftovers or «None» are printed; and
every declined form the document prints — a controller's position and name, the body a draft
goes to, the kenesh, the issuer's genitive and locative, the names in lists and under
signatures, the dates — is the one the hand-written tables give, the one set by hand in the
input, or a warning names its field. The examples are bounded and derandomized: the same
inputs on every run.
"""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from docx import Document
from docx.oxml.ns import qn
from hypothesis import HealthCheck, Phase, given, settings

from service.generation import generate_document, load_input
from service.i18n import Phrases
from service.language.money import amount_in_words
from tests import variants
from tests.docx_reading import as_read

CHECKED = settings(
    derandomize=True,
    database=None,
    # A failing example is printed whole; shrinking it would render hundreds of documents.
    phases=(Phase.explicit, Phase.generate),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
LEFTOVERS = re.compile(r"\{\{|\}\}|\{%|%\}|\{[a-z_]+\}|\bNone\b|\bnan\b")


def document_text(content: bytes) -> str:
    """Every paragraph of the body (nested tables included), one per line, as a reader sees
    it: no-break spaces as spaces."""
    body = Document(io.BytesIO(content)).element.body
    lines = []
    for p in body.iter(qn("w:p")):
        pieces = []
        for node in p.iter(qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:noBreakHyphen")):
            if node.tag == qn("w:t"):
                pieces.append(node.text or "")
            elif node.tag == qn("w:noBreakHyphen"):
                pieces.append("-")
            else:
                pieces.append(" ")
        lines.append(re.sub(r"[ \t\u00a0\u202f]+", " ", as_read("".join(pieces))).strip())
    return "\n".join(lines)


def _named(notice, field: str) -> bool:
    return any(str(v).startswith(field) for v in notice.values.values())


def check(case: variants.Case) -> str:
    """Render the case and check it; the document's text."""
    load_input(case.kind, case.payload)  # valid, or InvalidInput with the paths
    document = generate_document(case.kind, case.payload)
    assert document.content.startswith(b"PK")
    text = document_text(document.content)
    # A line may be split between runs; the searches below are per document.
    flat = text.replace("\n", " ")
    assert not LEFTOVERS.search(text), LEFTOVERS.search(text)
    for expect in case.expects:
        if expect.text is not None:
            assert expect.text in flat, (expect, case.payload)
        else:
            assert any(_named(n, expect.field) for n in document.warnings), (
                expect,
                document.warnings,
            )
    # And the reverse: a name the tables read gives no name warning.
    for notice in document.warnings:
        if notice.code.startswith("name."):
            field = notice.values["field"].rsplit(".name", 1)[0]
            assert field in case.warned_people, (notice, case.warned_people)
    return text


@settings(CHECKED, max_examples=80)
@given(variants.orders())
def test_generated_orders_render_with_every_form_from_a_table_or_warned(case):
    text = check(case)
    members = case.payload["members"]
    # Each member is one row of the appendix, in the Kyrgyz and in the Russian part.
    for member in members:
        assert text.count(member["position"]["ru"]) >= 1


@settings(CHECKED, max_examples=25)
@given(variants.plans())
def test_generated_plans_render_with_every_form_from_a_table_or_warned(case):
    text = check(case)
    activities = sum(len(p["activities"]) for p in case.payload["problems"])
    last = len(case.payload["problems"])
    assert f"{last}.{len(case.payload['problems'][-1]['activities'])}" in text
    assert activities >= last


@settings(CHECKED, max_examples=5)
@given(variants.reports())
def test_generated_reports_render_with_every_form_from_a_table_or_warned(case):
    check(case)


@settings(CHECKED, max_examples=300)
@given(variants.names())
def test_generated_names_print_their_table_forms_or_warn(name):
    from service.domain.common import Bilingual, Gender, Person, PersonForms
    from service.language.names import Form, name_form, parse_name, person_notices

    person = Person(
        name=parse_name(name.text, keep_capitals=name.keep_capitals),
        gender=Gender(name.gender),
        position=Bilingual(ky="х", ru="х"),
        forms=PersonForms(**(name.forms or {})),
    )
    forms = {
        Form.LIST: name.list,
        Form.SIGNATURE: name.signature,
        Form.RU_ACCUSATIVE: name.ru_accusative,
        Form.KY_DATIVE: name.ky_dative,
    }
    for form, expected in forms.items():
        notices = person_notices("x", person, [form])
        if expected is None:
            assert notices, (name, form)
        else:
            assert (name_form(person, form), notices) == (expected, []), (name, form)


def test_the_three_big_orders_and_the_60_activity_plan_render():
    """The review set (`python -m tests.variants OUTDIR`): a town mayoralty, an aiyl okmotu of
    Naryn oblast and an MTU of Bishkek with 20+ members, a 7-problem plan of 60 activities and
    its report."""
    cases = dict(variants.review_cases())
    for stem, key, members in variants.REVIEW:
        case = cases[stem]
        assert len(case.payload["members"]) == members >= 20
        assert key not in ("uch-korgon", "sverdlovsky")
        check(case)
    plan = cases["plan-samarkandek-60"]
    assert len(plan.payload["problems"]) == 7
    assert sum(len(p["activities"]) for p in plan.payload["problems"]) == 60
    check(plan)
    check(cases["report-samarkandek"])


@pytest.mark.parametrize("amount", variants.AMOUNTS)
def test_amounts_of_the_tables_agree_with_the_rule_written_here(amount):
    value = Decimal(amount)
    som_word, tyiyn_word = variants.ru_amount_units(value)
    words = amount_in_words(Phrases("ru"), value)
    assert words.endswith(f" {som_word} {int(value * 100) % 100:02d} {tyiyn_word}"), words
    assert amount_in_words(Phrases("ky"), value).endswith(
        f" сом {int(value * 100) % 100:02d} тыйын"
    )


# Grammar bugs the generated inputs found, each fixed in service/language or the catalogs.


def test_a_hyphenated_surname_is_known_by_its_likeliest_part():
    # «Бермет Осмонова-Ким» was read with «Бермет» as the surname: «Ким» shows no ending.
    from service.language.names import parse_name

    assert parse_name("Бермет Осмонова-Ким").surname_first == "Осмонова-Ким Б."
    assert parse_name("Осмонова-Ким Бермет").surname_first == "Осмонова-Ким Б."


@pytest.mark.parametrize("text", ["Елена Ким", "Ким Елена", "Марина Ильина", "Ильина Марина"])
def test_a_two_word_name_that_reads_either_way_is_warned(text):
    # «Марина Ильина» printed «Марина И.» under a signature («И. Марина») with no warning.
    from service.domain.common import Bilingual, Gender, Person
    from service.i18n import translate_notice
    from service.language.names import Form, parse_name, person_notices

    person = Person(parse_name(text), Gender.FEMALE, Bilingual(ky="х", ru="х"))
    [notice] = person_notices("responsible_secretary", person, [Form.SIGNATURE])
    assert notice.code == "name.uncertain_order"
    assert notice.values["forms"] == "responsible_secretary.forms.signature"
    assert translate_notice(notice, "ru").startswith("Имя в поле responsible_secretary.name")
    assert "responsible_secretary.forms.signature" in translate_notice(notice, "ky")
    # A surname ending settles the order: no warning.
    sure = Person(parse_name("Бермет Мамытова"), Gender.FEMALE, Bilingual(ky="х", ru="х"))
    assert person_notices("x", sure, [Form.SIGNATURE]) == []


def test_aiyl_bashchy_is_indeclinable():
    # «айыл башчы» was declined as an unknown word: «на айыл башчых …», with a warning.
    from service.language.russian import Case, inflect_phrase_checked

    for case in Case:
        assert inflect_phrase_checked("айыл башчы Барскоонского айыл окмоту", case) == (
            "айыл башчы Барскоонского айыл окмоту",
            True,
        )


@pytest.mark.parametrize(
    ("name", "accusative"),
    [
        ("Общественно-профилактический центр", "общественно-профилактический центр"),
        ("Отдел профилактики правонарушений Каракольского ГОВД",
         "отдел профилактики правонарушений Каракольского ГОВД"),
        ("Районный отдел внутренних дел", "районный отдел внутренних дел"),
        ("Министерство внутренних дел", "Министерство внутренних дел"),
    ],
)  # fmt: skip
def test_generic_body_words_lose_their_capital_in_a_sentence(name, accusative):
    # «представить … в Общественно-профилактический центр»: a common noun capitalised.
    from service.language.grammatical_forms import declined_ru
    from service.language.russian import Case

    assert declined_ru(name, Case.ACCUSATIVE, body=True).text == accusative
