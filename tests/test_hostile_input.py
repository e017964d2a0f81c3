"""Hostile text and bodies: refused with a 4xx naming the field, or normalised; never a 500.

Raw bodies are written by hand here, because a JSON library would not write what an attacker
or a broken client sends (half a UTF-16 pair, 10,000 levels of nesting).
"""

from __future__ import annotations

import copy
import json

import pytest

from service import create_app, extensions
from service.api.common import MAX_JSON_DEPTH
from service.db import upgrade
from service.generation import load_input
from tests.conftest import ORDERS, authorized


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('hostile') / 'docgen.sqlite3'}"
    upgrade(url)
    app = authorized(create_app({"DATABASE_URL": url}))
    yield app.test_client()
    extensions.dispatcher(app).shutdown()
    extensions.db(app).dispose()


def post_raw(client, body: str, content_type: str = "application/json", **headers):
    return client.post(ORDERS, data=body.encode(), content_type=content_type, headers=headers)


def test_half_a_surrogate_pair_is_refused_at_its_field(client, order_input):
    order_input["members"][0]["name"] = "Marker M.K."
    body = json.dumps(order_input, ensure_ascii=True).replace('"Marker', '"\\ud800Marker')
    response = post_raw(client, body)
    assert response.status_code == 422
    assert response.get_json()["errors"] == {
        "members.0.name": ["Contains a character that is not allowed in documents: U+D800."]
    }


def test_half_a_surrogate_pair_in_a_key_is_refused_at_its_parent(client, order_input):
    body = json.dumps(order_input, ensure_ascii=True).replace('"purpose"', '"pur\\udfffpose"')
    response = post_raw(client, body, **{"Accept-Language": "ru"})
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["_body"]
    assert "U+DFFF" in response.get_json()["errors"]["_body"][0]


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 10_000])
def test_nesting_past_the_limit_is_400(client, depth):
    response = post_raw(client, "[" * depth + "]" * depth)
    assert response.status_code == 400
    assert response.get_json()["message"] == (
        f"The JSON body is nested deeper than {MAX_JSON_DEPTH} levels."
    )


def test_nesting_at_the_limit_reaches_validation(client):
    response = post_raw(client, "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH)
    assert response.status_code == 422


@pytest.mark.parametrize(
    "field, path",
    [
        ("number", "number"),
        ("control", "control.name"),
        ("members", "members.1.name"),
    ],
)
@pytest.mark.parametrize("char", ["\u202e", "\u2066", "\u200f"])
def test_bidi_and_format_controls_are_refused(client, order_input, field, path, char):
    payload = copy.deepcopy(order_input)
    if field == "number":
        payload["number"] = f"03-12/{char}146-Б"
    elif field == "control":
        payload["control"]["name"] = f"Якубова{char} М.К."
    else:
        payload["members"][1]["name"] = f"{char}Асанов Б.К."
    response = client.post(ORDERS, json=payload)
    assert response.status_code == 422
    message = (
        "Contains an invisible control character that changes how the text is displayed: "
        f"U+{ord(char):04X}."
    )
    assert response.get_json()["errors"] == {path: [message]}


def test_what_a_paste_from_word_brings_is_normalised(order_input):
    payload = copy.deepcopy(order_input)
    payload["issuer"]["head"]["position"]["ru"] = (
        "Глава\u00a0Уч-Коргонского\u00a0айыл\u00adокмоту\u200b"
    )
    payload["members"][0]["name"] = "Якубова\u202fМ.К.\ufeff"
    payload["number"] = "03\u201112/146\u2011Б"
    order = load_input("working-group-order", payload)
    assert order.issuer.head.position.ru == "Глава Уч-Коргонского айылокмоту"
    assert order.number == "03-12/146-Б"
    assert str(order.members[0].name.surname_first) == "Якубова М.К."


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]
)
def test_a_body_that_is_not_json_is_415(client, order_input, content_type):
    response = post_raw(client, json.dumps(order_input), content_type, **{"Accept-Language": "ky"})
    assert response.status_code == 415
    assert response.get_json()["message"] == (
        "Сурамдын денеси JSON болушу керек жана Content-Type: application/json менен "
        "жөнөтүлүшү керек."
    )


def test_json_with_a_charset_is_json(client, order_input):
    response = post_raw(client, json.dumps(order_input), "application/json; charset=utf-8")
    assert response.status_code == 202
