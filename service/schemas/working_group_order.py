"""Input of the working-group order."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from service.kinds.working_group_order.model import (
    HEAD_KEEPS_CONTROL,
    DraftPlan,
    HeadKeepsControl,
    Member,
    Role,
    WorkingGroupOrder,
)
from service.schemas.common import (
    BaseSchema,
    DocumentSchema,
    Flag,
    PersonSchema,
    Text,
    bilingual,
    issuer_field,
    person_values,
    phrase,
)


class MemberSchema(PersonSchema):
    role = fields.Enum(Role, by_value=True, load_default=Role.MEMBER)
    by_agreement = Flag(load_default=False, metadata={"description": "Adds «(по согласованию)»"})

    @post_load
    def make(self, data, **kwargs) -> Member:
        return Member(**person_values(data))


class DraftPlanSchema(BaseSchema):
    deadline = fields.Date(required=True)
    submit_to = phrase(
        required=True,
        metadata={"description": "Body that receives the draft plan, in the nominative case; "
                  "`forms.ru_accusative` sets its form after «в» by hand"},
    )  # fmt: skip

    @post_load
    def make(self, data, **kwargs) -> DraftPlan:
        return DraftPlan(**data)


KEPT_BY_HEAD = "kept_by_head"
# What `Flag` reads as true, documented as exactly these.
_TRUE = {
    "anyOf": [
        {"type": "boolean", "enum": [True]},
        {"type": "string", "enum": sorted(v for v in Flag.truthy if isinstance(v, str))},
        {"type": "integer", "enum": [1]},
    ]
}


class Control(fields.Nested):
    """`control`: the person charged with control, or `{"kept_by_head": true}` when the head
    who signs keeps it («Контроль за исполнением настоящего распоряжения оставляю за собой»).

    One field rather than two, so that an order cannot name a controller and keep control
    too; in a batch table, the column `control.kept_by_head` (or the person's columns). It is
    the person's nested schema for everything that walks the schemas (`person`), and reads
    the other shape itself.
    """

    def __init__(self, **kwargs: Any):
        kwargs["metadata"] = {
            "oneOf": [
                {"$ref": "#/components/schemas/Person"},
                {
                    "type": "object",
                    "properties": {KEPT_BY_HEAD: _TRUE},
                    "required": [KEPT_BY_HEAD],
                    "additionalProperties": False,
                },
            ],
            **kwargs.get("metadata", {}),
        }
        super().__init__(PersonSchema, **kwargs)
        self._flag = Flag()

    @property
    def person(self) -> fields.Nested:
        return self

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any):
        if not (isinstance(value, Mapping) and KEPT_BY_HEAD in value):
            return super()._deserialize(value, attr, data, **kwargs)
        errors: dict[str, list[str]] = {
            key: ["Give either the person or kept_by_head, not both."]
            for key in value
            if key != KEPT_BY_HEAD
        }
        try:
            kept = self._flag.deserialize(value[KEPT_BY_HEAD])
        except ValidationError as err:
            errors[KEPT_BY_HEAD] = err.messages
        else:
            if kept is not True:
                errors[KEPT_BY_HEAD] = ["Must be true; otherwise give the person charged."]
        if errors:
            raise ValidationError(errors)
        return HEAD_KEEPS_CONTROL

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any):
        if isinstance(value, HeadKeepsControl):
            return {KEPT_BY_HEAD: True}
        return super()._serialize(value, attr, obj, **kwargs)


NUMBER_REQUIRED_ERROR = (
    "Give the number, or a municipality_id (its register gives the next), or assign_number_later."
)
NUMBER_LATER_ERROR = (
    "Leave the number out: with assign_number_later the electronic document system assigns it."
)


class WorkingGroupOrderSchema(DocumentSchema):
    issuer = issuer_field()
    act = bilingual(
        load_default=None,
        metadata={
            "description": "Act word; default «ТЕСКЕМЕ» / «РАСПОРЯЖЕНИЕ» (the seed: «БУЙРУК»)"
        },
    )
    number = Text(
        load_default=None,
        max_length=50,
        metadata={"example": "03-12/146-Б", "description": "Outgoing number; optional with "
                  "`municipality_id`: the next one of the municipality's register; left out "
                  "with `assign_number_later`"},
    )  # fmt: skip
    date = fields.Date(
        required=True,
        metadata={"description": "Date of the act; with `assign_number_later` the day of the "
                  "draft (for the laws in force), printed blank"},
    )  # fmt: skip
    assign_number_later = Flag(
        load_default=False,
        metadata={"description": "Make the act with its number and date blank, for the state's "
                  "electronic document system to assign; enter them afterwards with "
                  "PUT /api/v1/documents/{id}/number (the act is then made again with them)"},
    )  # fmt: skip
    executed_by = Text(
        load_default=None,
        max_length=200,
        metadata={"description": "Who prepared the act (the outgoing register's «executed by»; "
                  "not printed)", "example": "Асанова А. К., 0-3722-5-12-34"},
    )  # fmt: skip
    place = bilingual(
        load_default=None, metadata={"description": "Place of issue, e.g. «с. Уч-Коргон»"}
    )
    subject = bilingual(
        load_default=None, metadata={"description": "Title; by default composed from the body name"}
    )
    legal_basis = fields.List(
        bilingual(),
        load_default=None,
        validate=validate.Length(max=20),
        metadata={
            "description": "Citations (Russian: instrumental, after «В соответствии с»; Kyrgyz: "
            "dative, before «ылайык»). Default: the laws in force on the document's date."
        },
    )
    purpose = bilingual(required=True, metadata={"description": "«в целях …» / «… максатында»"})
    draft_plan = fields.Nested(DraftPlanSchema, required=True)
    control = Control(
        required=True,
        metadata={
            "description": 'The person charged with control, or `{"kept_by_head": true}`: '
            "the head who signs keeps it"
        },
    )
    members = fields.List(
        fields.Nested(MemberSchema), required=True, validate=validate.Length(min=1, max=200)
    )
    extra_clauses = fields.List(bilingual(), load_default=list, validate=validate.Length(max=30))
    responsible_secretary = fields.Nested(PersonSchema, load_default=None)
    order_line = bilingual(
        load_default=None,
        metadata={
            "description": "Line after the preamble; default by the act word: «БУЙРУК КЫЛАМ:» "
            "for a буйрук, none for a тескеме; «РАСПОРЯЖАЮ:», «ПРИКАЗЫВАЮ:», «ПОСТАНОВЛЯЮ:»"
        },
    )

    @validates_schema
    def check_group_and_deadline(self, data, **kwargs):
        errors = {}
        later = data.get("assign_number_later")
        if data.get("number") is None and not later:
            errors["number"] = [NUMBER_REQUIRED_ERROR]
        if later and data.get("number") is not None:
            errors["number"] = [NUMBER_LATER_ERROR]
        members = data.get("members") or []
        if members and sum(m.role is Role.LEADER for m in members) != 1:
            errors["members"] = ["Exactly one leader is required."]
        plan = data.get("draft_plan")
        if plan and data.get("date") and plan.deadline < data["date"]:
            errors["draft_plan"] = {
                "deadline": ["The deadline must not be before the date of the order."]
            }
        if errors:
            raise ValidationError(errors)

    @post_load
    def make(self, data, **kwargs) -> WorkingGroupOrder:
        if data["assign_number_later"]:
            data["number"] = ""
        for key in ("legal_basis", "extra_clauses", "members"):
            if data[key] is not None:
                data[key] = tuple(data[key])
        return WorkingGroupOrder(**data)
