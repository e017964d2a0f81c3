"""Input of the working-group order."""

from __future__ import annotations

from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from service.domain.common import PersonName
from service.kinds.working_group_order.model import DraftPlan, Member, Role, WorkingGroupOrder
from service.schemas.common import (
    BaseSchema,
    DocumentSchema,
    Flag,
    PersonSchema,
    Text,
    bilingual,
    issuer_field,
)


class MemberSchema(PersonSchema):
    role = fields.Enum(Role, by_value=True, load_default=Role.MEMBER)
    by_agreement = Flag(load_default=False, metadata={"description": "Adds «(по согласованию)»"})

    @post_load
    def make(self, data, **kwargs) -> Member:
        return Member(**{**data, "name": PersonName.parse(data["name"])})


class DraftPlanSchema(BaseSchema):
    deadline = fields.Date(required=True)
    submit_to = bilingual(
        required=True,
        metadata={"description": "Body that receives the draft plan, in the nominative case"},
    )

    @post_load
    def make(self, data, **kwargs) -> DraftPlan:
        return DraftPlan(**data)


class WorkingGroupOrderSchema(DocumentSchema):
    issuer = issuer_field()
    act = bilingual(
        load_default=None,
        metadata={
            "description": "Act word; default «ТЕСКЕМЕ» / «РАСПОРЯЖЕНИЕ» (the seed: «БУЙРУК»)"
        },
    )
    number = Text(
        required=True,
        max_length=50,
        metadata={"example": "03-12/146-Б", "description": "Outgoing number; optional with "
                  "`municipality_id`: the next one of the municipality's register"},
    )  # fmt: skip
    date = fields.Date(required=True)
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
    control = fields.Nested(
        PersonSchema, required=True, metadata={"description": "The person charged with control"}
    )
    members = fields.List(
        fields.Nested(MemberSchema), required=True, validate=validate.Length(min=1, max=200)
    )
    extra_clauses = fields.List(bilingual(), load_default=list, validate=validate.Length(max=30))
    responsible_secretary = fields.Nested(PersonSchema, load_default=None)

    @validates_schema
    def check_group_and_deadline(self, data, **kwargs):
        errors = {}
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
        for key in ("legal_basis", "extra_clauses", "members"):
            if data[key] is not None:
                data[key] = tuple(data[key])
        return WorkingGroupOrder(**data)
