"""Every invalid joint plan is refused with a message per field, in English, Russian or Kyrgyz."""

from __future__ import annotations

import copy
import json

import pytest

from service.errors import InvalidInput
from service.generation import generate_document, load_input
from service.i18n import Phrases
from tests.conftest import EXAMPLES

KIND = "joint-plan"
PLANS = "/api/v1/documents/joint-plans"
_RURAL = json.loads((EXAMPLES / "uch-korgon-plan.json").read_text(encoding="utf-8"))


@pytest.fixture
def plan_input() -> dict:
    return copy.deepcopy(_RURAL)


def errors_of(payload: dict) -> dict:
    with pytest.raises(InvalidInput) as err:
        load_input(KIND, payload)
    return err.value.errors


def activity(payload: dict, problem: int = 0, number: int = 0) -> dict:
    return payload["problems"][problem]["activities"][number]


def at_activity(problem: int, number: int, errors: dict) -> dict:
    return {"problems": {problem: {"activities": {number: errors}}}}


def test_examples_are_valid():
    for name in ("uch-korgon-plan.json", "sverdlovsky-plan.json"):
        payload = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
        assert generate_document(KIND, payload).content.startswith(b"PK")


@pytest.mark.parametrize("deadline", ["2017-01-01", "2015-12-31", "2017-Q1", "2015-Q4"])
def test_deadline_outside_the_period(plan_input, deadline):
    activity(plan_input, 1, 2)["deadline"] = deadline
    assert errors_of(plan_input) == at_activity(
        1, 2, {"deadline": ["The deadline is outside the plan period."]}
    )


@pytest.mark.parametrize("deadline", ["2016-12-31", "2016-01-01", "2016-Q4", "2016-Q1"])
def test_deadline_on_the_edge_of_the_period(plan_input, deadline):
    activity(plan_input)["deadline"] = deadline
    assert load_input(KIND, plan_input).problems[0].activities[0].deadline.due is not None


def test_quarter_must_end_inside_a_period_of_dates(plan_input):
    plan_input["period"] = {"start": "2016-02-01", "end": "2017-01-31"}
    activity(plan_input)["deadline"] = "2016-Q1"  # ends 31 March 2016: inside
    activity(plan_input, 0, 1)["deadline"] = "2017-Q1"  # ends 31 March 2017: after the end
    assert errors_of(plan_input) == at_activity(
        0, 1, {"deadline": ["The deadline is outside the plan period."]}
    )


@pytest.mark.parametrize(
    "deadline", ["soon", "2016-Q5", "2016-02-30", "20160331", "2016-W13-4", "Q2", 2016, None]
)
def test_unreadable_deadline(plan_input, deadline):
    activity(plan_input)["deadline"] = deadline
    message = (
        "Field may not be null."
        if deadline is None
        else "Not a valid deadline: use a date (YYYY-MM-DD), a quarter (YYYY-Qn), monthly, "
        "quarterly or throughout-the-year."
    )
    assert errors_of(plan_input) == at_activity(0, 0, {"deadline": [message]})


def test_at_least_one_responsible_party(plan_input):
    activity(plan_input, 2, 1)["responsible"] = []
    assert errors_of(plan_input) == at_activity(
        2, 1, {"responsible": ["At least one responsible party is required."]}
    )
    del activity(plan_input, 2, 1)["responsible"]
    assert errors_of(plan_input) == at_activity(
        2, 1, {"responsible": ["Missing data for required field."]}
    )


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-0.01", "The amount must not be negative."),
        (-5, "The amount must not be negative."),
        ("10.005", "The amount may have at most two decimal places."),
        (0.125, "The amount may have at most two decimal places."),
        ("1000000000000", "The amount is too large."),
        ("12 000", "Not a valid number."),
        ("abc", "Not a valid number."),
        (True, "Not a valid number."),
        ("NaN", "Special numeric values (nan or infinity) are not permitted."),
        ("Infinity", "Special numeric values (nan or infinity) are not permitted."),
    ],
)
def test_invalid_amounts(plan_input, amount, message):
    activity(plan_input)["resources"][1]["amount"] = amount
    assert errors_of(plan_input) == at_activity(0, 0, {"resources": {1: {"amount": [message]}}})


@pytest.mark.parametrize("amount", ["0", 0, "12000.5", "999999999999.99", 45000.1, "1E+3"])
def test_valid_amounts(plan_input, amount):
    activity(plan_input)["resources"][1]["amount"] = amount
    load_input(KIND, plan_input)


def test_other_source_needs_a_name(plan_input):
    del activity(plan_input)["resources"][1]["organisation"]
    activity(plan_input)["resources"][1]["source"] = "other"
    assert errors_of(plan_input) == at_activity(
        0, 0, {"resources": {1: {"organisation": ["Name the source when it is «other»."]}}}
    )
    activity(plan_input)["resources"][1]["source"] = "sponsor"
    assert errors_of(plan_input) == at_activity(
        0, 0, {"resources": {1: {"source": [
            "Must be one of: local_budget, business, international, community, other."
        ]}}}
    )  # fmt: skip


def test_indicator_references_are_unique(plan_input):
    plan_input["problems"][2]["indicators"][1]["ref"] = "1.2"
    plan_input["problems"][3]["indicators"][0]["ref"] = "1.2"
    twice = ["The indicator reference 1.2 is used more than once."]
    assert errors_of(plan_input) == {
        "problems": {
            2: {"indicators": {1: {"ref": twice}}},
            3: {"indicators": {0: {"ref": twice}}},
        }
    }


def test_indicator_fields(plan_input):
    indicator = plan_input["problems"][0]["indicators"][0]
    indicator["direction"] = "down"
    indicator["baseline"] = "many"
    del indicator["unit"]
    assert errors_of(plan_input) == {
        "problems": {0: {"indicators": {0: {
            "direction": ["Must be one of: lower, higher."],
            "baseline": ["Not a valid number."],
            "unit": ["Missing data for required field."],
        }}}}
    }  # fmt: skip


@pytest.mark.parametrize("count", [0, 8])
def test_one_to_seven_problems(plan_input, count):
    plan_input["problems"] = (plan_input["problems"] * 2)[:count]
    for n, problem in enumerate(plan_input["problems"]):
        problem["indicators"] = [dict(i, ref=f"{n}-{i['ref']}") for i in problem["indicators"]]
    assert errors_of(plan_input) == {"problems": ["Length must be between 1 and 7."]}


@pytest.mark.parametrize(
    ("period", "errors"),
    [
        ({"year": 2016, "start": "2016-01-01"}, ["Give either a year or the start and end dates."]),
        ({"start": "2016-01-01"}, ["Give either a year or the start and end dates."]),
        ({}, ["Give either a year or the start and end dates."]),
        (
            {"start": "2016-12-31", "end": "2016-01-01"},
            {"end": ["The end of the period must not be before its start."]},
        ),
        (
            {"year": 1999},
            {"year": ["Must be greater than or equal to 2000 and less than or equal to 2100."]},
        ),
        ({"year": "2016"}, {"year": ["Not a valid integer."]}),
    ],
)
def test_period(plan_input, period, errors):
    plan_input["period"] = period
    if isinstance(errors, list):
        errors = {"_schema": errors}
    assert errors_of(plan_input) == {"period": errors}


def test_languages_required_everywhere(plan_input):
    del activity(plan_input, 3, 1)["involved"][0]["ky"]
    del plan_input["problems"][1]["justification"]["causes"][0]["ru"]
    del plan_input["approvers"]["police_head"]["position"]["ky"]
    assert errors_of(plan_input) == {
        "problems": {
            3: {"activities": {1: {"involved": {0: {"ky": ["Missing Kyrgyz text."]}}}}},
            1: {"justification": {"causes": {0: {"ru": ["Missing Russian text."]}}}},
        },
        "approvers": {"police_head": {"position": {"ky": ["Missing Kyrgyz text."]}}},
    }
    plan_input["language"] = "ky"
    assert errors_of(plan_input) == {
        "problems": {3: {"activities": {1: {"involved": {0: {"ky": ["Missing Kyrgyz text."]}}}}}},
        "approvers": {"police_head": {"position": {"ky": ["Missing Kyrgyz text."]}}},
    }


def test_unknown_and_missing_fields(plan_input):
    plan_input["budget"] = 1
    activity(plan_input)["colour"] = "red"
    del plan_input["approvers"]["kenesh_chair"]
    del plan_input["monitoring"]["report_to"]
    assert errors_of(plan_input) == {
        "budget": ["Unknown field."],
        "problems": {0: {"activities": {0: {"colour": ["Unknown field."]}}}},
        "approvers": {"kenesh_chair": ["Missing data for required field."]},
        "monitoring": {"report_to": ["Missing data for required field."]},
    }


def test_illegal_characters_rejected(plan_input):
    activity(plan_input)["title"]["ru"] = "Установка\x0bограждений"
    assert errors_of(plan_input) == at_activity(
        0, 0, {"title": {"ru": ["Contains a character that is not allowed in documents: U+000B."]}}
    )


@pytest.mark.parametrize(
    ("language", "deadline", "responsible", "amount"),
    [
        ("en", "The deadline is outside the plan period.",
         "At least one responsible party is required.",
         "The amount may have at most two decimal places."),
        ("ru", "Срок выходит за пределы периода плана.",
         "Укажите хотя бы одну ответственную сторону.",
         "В сумме допускается не более двух знаков после запятой."),
        ("ky", "Мөөнөт пландын мезгилинен тышкары.",
         "Жок дегенде бир жооптуу тарапты көрсөтүңүз.",
         "Суммада үтүрдөн кийин экиден ашык белги болбошу керек."),
    ],
)  # fmt: skip
def test_messages_in_the_language_asked_for(
    client, plan_input, language, deadline, responsible, amount
):
    activity(plan_input, 1, 0)["deadline"] = "2017-02-01"
    activity(plan_input, 2, 2)["responsible"] = []
    activity(plan_input, 0, 1)["resources"][0]["amount"] = "1.001"
    # A schema-level check runs once the fields are valid: the deadline alone first.
    response = client.post(PLANS, json=plan_input, headers={"Accept-Language": language})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {
        "problems.2.activities.2.responsible": [responsible],
        "problems.0.activities.1.resources.0.amount": [amount],
    }
    activity(plan_input, 2, 2)["responsible"] = [{"ky": "топ", "ru": "группа"}]
    activity(plan_input, 0, 1)["resources"][0]["amount"] = "1.00"
    response = client.post(PLANS, json=plan_input, headers={"Accept-Language": language})
    assert response.get_json()["errors"] == {"problems.1.activities.0.deadline": [deadline]}


def test_every_plan_message_is_translated():
    """The schema's own messages are in both error catalogs (the phrases test covers documents)."""
    from service.i18n import translate_error

    messages = [
        "The deadline is outside the plan period.",
        "At least one responsible party is required.",
        "The amount must not be negative.",
        "The amount may have at most two decimal places.",
        "The amount is too large.",
        "Give either a year or the start and end dates.",
        "The end of the period must not be before its start.",
        "Name the source when it is «other».",
        "The indicator reference A-1 is used more than once.",
        "A plan usually has 4 or 5 priority problems; this one has 7.",
        "The target of indicator 1.1 is worse than its baseline.",
        "Not a valid deadline: use a date (YYYY-MM-DD), a quarter (YYYY-Qn), monthly, quarterly "
        "or throughout-the-year.",
        "Not a valid number.",
        "Special numeric values (nan or infinity) are not permitted.",
        "Must be greater than or equal to 2000 and less than or equal to 2100.",
    ]
    for lang in ("ru", "ky"):
        for message in messages:
            assert translate_error(message, lang) != message, (lang, message)
    assert translate_error("The indicator reference A-1 is used more than once.", "ru") == (
        "Код индикатора A-1 использован более одного раза."
    )


def test_funding_source_names_are_translated():
    from service.kinds.joint_plan.context import SOURCE_PHRASES

    for lang in ("ru", "ky"):
        t = Phrases(lang)
        assert all(t.gettext(phrase) != phrase for phrase in SOURCE_PHRASES.values())


def test_cell_texts_are_short_enough_for_a_row_to_fit_a_page(plan_input):
    activity(plan_input)["title"]["ru"] = "я" * 500
    activity(plan_input)["responsible"][0]["ky"] = "ө" * 201
    plan_input["problems"][0]["indicators"][0]["unit"]["ru"] = "%" * 51
    assert errors_of(plan_input) == {
        "problems": {
            0: {
                "activities": {
                    0: {"responsible": {0: {"ky": ["Longer than maximum length 200."]}}}
                },
                "indicators": {0: {"unit": {"ru": ["Longer than maximum length 50."]}}},
            }
        }
    }
