"""The order's control clause: a person charged, or the head who signs keeps control."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from service.batches.creation import merge
from service.batches.tables import items_from_table, template_csv
from service.errors import InvalidInput
from service.generation import generate_document, load_input
from service.kinds import KINDS
from service.kinds.working_group_order.model import HEAD_KEEPS_CONTROL
from tests.docx_reading import all_text, open_docx

ROOT = Path(__file__).resolve().parent.parent
ORDER = "working-group-order"


def order(**changes) -> dict:
    payload = json.loads((ROOT / "examples" / "uch-korgon-order.json").read_text("utf-8"))
    return payload | changes


def clauses(payload: dict) -> list[str]:
    text = all_text(open_docx(generate_document(ORDER, payload).content))
    return [line.strip() for line in text.splitlines() if line.strip()[:2] in ("1.", "2.", "3.")]


@pytest.mark.parametrize("kept", [True, "true", "yes", 1])
def test_head_keeps_control(kept):
    payload = order(control={"kept_by_head": kept}, act={"ky": "ТЕСКЕМЕ", "ru": "РАСПОРЯЖЕНИЕ"})
    assert load_input(ORDER, payload).control is HEAD_KEEPS_CONTROL
    found = clauses(payload)
    assert "3. Ушул тескеменин аткарылышын көзөмөлдөөнү өзүмө калтырам." in found
    assert "3. Контроль за исполнением настоящего распоряжения оставляю за собой." in found
    assert not any("Якубова" in clause for clause in found)


def test_the_real_act_word_is_in_the_clause():
    payload = order(control={"kept_by_head": True}, act={"ky": "БУЙРУК", "ru": "ПРИКАЗ"})
    found = clauses(payload)
    assert "3. Ушул буйруктун аткарылышын көзөмөлдөөнү өзүмө калтырам." in found
    assert "3. Контроль за исполнением настоящего приказа оставляю за собой." in found


def test_a_person_is_still_charged_as_before():
    found = clauses(order())
    assert any(c.startswith("3. Контроль за исполнением настоящего") and "возложить" in c
               for c in found)  # fmt: skip


@pytest.mark.parametrize(
    ("control", "field"),
    [
        ({"kept_by_head": False}, "kept_by_head"),
        ({"kept_by_head": "maybe"}, "kept_by_head"),
        ({"kept_by_head": True, "name": "Якубова М.К."}, "name"),
    ],
)
def test_control_is_a_person_or_kept_by_head_never_both(control, field):
    with pytest.raises(InvalidInput) as raised:
        load_input(ORDER, order(control=control))
    assert field in raised.value.errors["control"]


def test_control_stays_required():
    payload = order()
    del payload["control"]
    with pytest.raises(InvalidInput) as raised:
        load_input(ORDER, payload)
    assert "control" in raised.value.errors


def test_batch_column_keeps_control_with_the_head():
    assert "control.kept_by_head" in KINDS[ORDER].batch_columns
    header = next(csv.reader(io.StringIO(template_csv(ORDER).decode("utf-8-sig"))))
    assert "control.kept_by_head" in header
    batch = json.loads((ROOT / "examples" / "sverdlovsky-batch.json").read_text("utf-8"))
    rows = list(csv.DictReader(io.StringIO(
        (ROOT / "examples" / "sverdlovsky-batch.csv").read_text("utf-8-sig"))))  # fmt: skip
    first = {k: ("" if k.startswith("control.") else v) for k, v in rows[0].items()}
    first["control.kept_by_head"] = "yes"
    out = io.StringIO()
    writer = csv.DictWriter(out, [*rows[0], "control.kept_by_head"])
    writer.writeheader()
    writer.writerows([first, rows[1] | {"control.kept_by_head": ""}])
    items, _ = items_from_table(out.getvalue().encode("utf-8"), "orders.csv")
    assert items[0]["control"] == {"kept_by_head": "yes"}
    models = [
        load_input(ORDER, {k: v for k, v in merge(batch["shared"], item).items()}) for item in items
    ]
    assert models[0].control is HEAD_KEEPS_CONTROL
    assert models[1].control is not HEAD_KEEPS_CONTROL


def test_openapi_documents_both_shapes():
    spec = json.loads((ROOT / "docs" / "openapi.json").read_text("utf-8"))
    control = spec["components"]["schemas"]["WorkingGroupOrderRequest"]["properties"]["control"]
    person, head = control["oneOf"]
    assert person == {"$ref": "#/components/schemas/Person"}
    assert head["required"] == ["kept_by_head"] and head["additionalProperties"] is False


def test_the_controllers_position_declined_or_set_by_hand():
    controller = order()["control"]
    position = {"ky": controller["position"]["ky"],
                "ru": "временно исполняющая обязанности главы Ак-Суйского айыл окмоту"}  # fmt: skip
    computed = clauses(order(control=controller | {"position": position}))
    assert (
        "3. Контроль за исполнением настоящего распоряжения возложить на временно исполняющую "
        "обязанности главы Ак-Суйского айыл окмоту Якубову\u00a0М.К." in computed
    )
    by_hand = position | {"forms": {"ru_accusative": "и.о. главы Ак-Суйского айыл окмоту"}}
    found = clauses(order(control=controller | {"position": by_hand}))
    assert (
        "3. Контроль за исполнением настоящего распоряжения возложить на и.о. главы "
        "Ак-Суйского айыл окмоту Якубову\u00a0М.К." in found
    )
