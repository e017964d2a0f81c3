"""Schemas of accounts: sign-in, users, tokens, and the audit log's query."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from service.accounts import MIN_PASSWORD, USERNAME, USERNAME_ERROR
from service.schemas.common import BaseSchema, Flag, LocalDateTime
from service.tenancy import Role

ROLES = [role.value for role in Role]


def _password(**kwargs) -> fields.String:
    return fields.String(
        required=True,
        validate=validate.Length(min=MIN_PASSWORD, max=200),
        metadata={"description": f"At least {MIN_PASSWORD} characters"},
        **kwargs,
    )


class SignInSchema(BaseSchema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=100))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))
    read_only = Flag(load_default=False, metadata={"description": "A token for GET only"})


class UserInSchema(BaseSchema):
    username = fields.String(
        required=True,
        validate=validate.Regexp(USERNAME.pattern, error=USERNAME_ERROR),
        metadata={"description": "Lower-case Latin letters, digits and . _ @ -"},
    )
    password = _password()
    roles = fields.List(
        fields.String(validate=validate.OneOf(ROLES)),
        required=True,
        validate=validate.Length(min=1, max=3),
        metadata={"description": "secretary, coordinator, admin: one or more"},
    )
    municipalities = fields.List(
        fields.String(validate=validate.Length(min=1, max=32)),
        load_default=None,
        allow_none=True,
        metadata={
            "description": "The municipalities of the organisation the user acts for; null or "
            "absent: all of them. Each must be one of the organisation's (checked against "
            "the registry)."
        },
    )


class PasswordSchema(BaseSchema):
    password = _password()


class TokenInSchema(BaseSchema):
    name = fields.String(
        required=True,
        validate=validate.Length(min=1, max=100),
        metadata={"description": "What the token is for (a script, a machine)"},
    )
    read_only = Flag(load_default=False, metadata={"description": "GET only"})
    expires_in_days = fields.Integer(
        load_default=None,
        validate=validate.Range(min=1, max=3650),
        metadata={"description": "Absent: the token does not expire"},
    )


class UserOutSchema(Schema):
    id = fields.String(required=True)
    username = fields.String(required=True)
    organisation_id = fields.String(required=True)
    roles = fields.List(fields.String(), required=True)
    municipalities = fields.List(fields.String(), allow_none=True, required=True)
    active = fields.Boolean(required=True)
    created_at = LocalDateTime(required=True)
    deactivated_at = LocalDateTime(allow_none=True, required=True)


class TokenOutSchema(Schema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    user_id = fields.String(required=True)
    read_only = fields.Boolean(required=True)
    state = fields.String(required=True, metadata={"enum": ["active", "revoked", "expired"]})
    created_at = LocalDateTime(required=True)
    expires_at = LocalDateTime(allow_none=True, required=True)
    revoked_at = LocalDateTime(allow_none=True, required=True)


class NewTokenSchema(TokenOutSchema):
    token = fields.String(
        required=True,
        metadata={"description": "Send as Authorization: Bearer <token>; shown only now"},
    )


class AuditQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    since = fields.Date(
        load_default=None, metadata={"description": "First day (Asia/Bishkek), included"}
    )
    until = fields.Date(
        load_default=None, metadata={"description": "Last day (Asia/Bishkek), included"}
    )
    user_id = fields.String(load_default=None, validate=validate.Length(max=32))
    municipality_id = fields.String(load_default=None, validate=validate.Length(max=32))
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv", "xlsx"]))


class AuditEventSchema(Schema):
    id = fields.Integer(required=True)
    at = LocalDateTime(required=True, metadata={"description": "Asia/Bishkek time"})
    user_id = fields.String(allow_none=True, required=True)
    username = fields.String(required=True)
    token_id = fields.String(allow_none=True, required=True)
    address = fields.String(allow_none=True, required=True)
    action = fields.String(required=True)
    object_type = fields.String(required=True)
    object_id = fields.String(allow_none=True, required=True)
    municipality_id = fields.String(allow_none=True, required=True)
    details = fields.Dict(allow_none=True, required=True)
