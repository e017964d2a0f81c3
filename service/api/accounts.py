"""Accounts: sign in, the caller's own account and tokens, and (admins) the organisation's
users."""

from __future__ import annotations

from datetime import timedelta

from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from service import accounts, audit, extensions
from service.api.auth import client_address, count_sign_in, principal
from service.api.common import audit_event, scope
from service.api.idempotency import PARAMETER as IDEMPOTENCY_PARAMETER
from service.api.idempotency import idempotent
from service.api.schemas import ErrorSchema, error_responses
from service.errors import Conflict, Unauthorized
from service.models import ApiToken, User, utcnow
from service.schemas.accounts import (
    NewTokenSchema,
    PasswordSchema,
    SignInSchema,
    TokenInSchema,
    TokenOutSchema,
    UserInSchema,
    UserOutSchema,
)

blp = Blueprint(
    "accounts", __name__, url_prefix="/api/v1", description="Sign-in, users and API tokens"
)
SIGN_IN_ERROR = "Wrong username or password, or the account is deactivated."
UNKNOWN_USER = "Unknown user"
ADMIN_ERRORS = {403: "The account is not an admin of the organisation"}


def describe_user(user: User) -> dict:
    return {
        "id": user.id,
        "username": user.username,
        "organisation_id": user.organisation_id,
        "roles": list(user.roles),
        "municipalities": user.municipalities,
        "active": user.deactivated_at is None,
        "created_at": user.created_at,
        "deactivated_at": user.deactivated_at,
    }


def describe_token(token: ApiToken, secret: str | None = None) -> dict:
    described = {
        "id": token.id,
        "name": token.name,
        "user_id": token.user_id,
        "read_only": token.read_only,
        "state": accounts.token_state(token),
        "created_at": token.created_at,
        "expires_at": token.expires_at,
        "revoked_at": token.revoked_at,
    }
    return described if secret is None else {**described, "token": secret}


@blp.route("/sessions", endpoint="sign_in", methods=["POST"])
@blp.doc(
    security=[],
    responses=error_responses(
        {401: SIGN_IN_ERROR, 429: "Too many attempts from this address (see Retry-After)"}
    ),
)
@blp.arguments(SignInSchema)
@blp.response(201, NewTokenSchema)
def sign_in(data: dict):
    """Sign in with a username and password: a token valid for 12 hours."""
    count_sign_in()
    with extensions.db().session() as session:
        user = accounts.sign_in(session, data["username"], data["password"])
        if user is not None:
            token, secret = accounts.sign_in_token(session, user, read_only=data["read_only"])
            actor = audit.Actor(
                user.organisation_id, user.id, user.username, token.id, client_address()
            )
            audit.record(session, actor, "signed_in", "user", user.id)
    if user is None:
        _record_failed_sign_in(data["username"])
        raise Unauthorized(SIGN_IN_ERROR)
    return describe_token(token, secret)


def _record_failed_sign_in(username: str) -> None:
    with extensions.db().session() as session:
        try:
            user = accounts.find_user(session, username)
        except accounts.UserNotFound:
            return  # no organisation to tell
        actor = audit.Actor(user.organisation_id, user.id, user.username, None, client_address())
        audit.record(session, actor, "sign_in_failed", "user", user.id)


@blp.route("/me", endpoint="me", methods=["GET"])
@blp.response(200, UserOutSchema)
def me():
    """The account of this request's token."""
    with extensions.db().session() as session:
        return describe_user(session.get(User, principal().user_id))


TOKEN_SHOWN_ONCE_ERROR = (
    "This Idempotency-Key already issued a token, and a token is shown only once; "
    "list your tokens, or issue one with a new key."
)


def _token_shown_once(_token_id: str):
    raise Conflict(TOKEN_SHOWN_ONCE_ERROR)


def _replay_user(user_id: str) -> dict:
    with extensions.db().session() as session:
        accounts.users_of(session, scope())  # an admin's, as when it was made
        return describe_user(session.get(User, user_id))


@blp.route("/tokens")
class Tokens(MethodView):
    @blp.response(200, TokenOutSchema(many=True))
    def get(self):
        """The caller's tokens (never the tokens themselves)."""
        with extensions.db().session() as session:
            return [describe_token(t) for t in accounts.tokens_of(session, principal().user_id)]

    @blp.arguments(TokenInSchema)
    @blp.doc(parameters=[IDEMPOTENCY_PARAMETER])
    @blp.response(201, NewTokenSchema)
    @blp.alt_response(
        409,
        schema=ErrorSchema,
        description="The account is deactivated; or the Idempotency-Key was used already (a "
        "token is shown once: its retry does not show it again, nor make another)",
    )
    @idempotent(_token_shown_once, location=lambda _token: url_for("accounts.Tokens"))
    def post(self, data: dict):
        """Issue a token to the caller; it is shown in this response only."""
        days = data["expires_in_days"]
        with extensions.db().session() as session:
            user = session.get(User, principal().user_id)
            token, secret = accounts.issue_token(
                session,
                user,
                data["name"],
                read_only=data["read_only"],
                expires_at=utcnow() + timedelta(days=days) if days else None,
            )
        audit_event("created", "token", token.id, details={"read_only": token.read_only})
        return describe_token(token, secret)


@blp.route("/tokens/<token_id>/revoke", endpoint="token_revoke", methods=["POST"])
@blp.response(200, TokenOutSchema)
@blp.alt_response(404, schema=ErrorSchema, description="Unknown token")
def revoke(token_id: str):
    """Revoke a token of the caller's (an admin: of any user of the organisation)."""
    with extensions.db().session() as session:
        token = accounts.revoke_token(session, principal(), token_id)
    audit_event("revoked", "token", token.id)
    return describe_token(token)


@blp.route("/users")
class Users(MethodView):
    @blp.response(200, UserOutSchema(many=True))
    @blp.doc(responses=error_responses(ADMIN_ERRORS))
    def get(self):
        """The organisation's users (admins only)."""
        with extensions.db().session() as session:
            return [describe_user(u) for u in accounts.users_of(session, scope())]

    @blp.arguments(UserInSchema)
    @blp.response(201, UserOutSchema)
    @blp.doc(
        parameters=[IDEMPOTENCY_PARAMETER],
        responses=error_responses(
            {**ADMIN_ERRORS, 409: "The Idempotency-Key was used with another body"}
        ),
    )
    @idempotent(
        _replay_user, location=lambda user: url_for("accounts.user_item", user_id=user["id"])
    )
    def post(self, data: dict):
        """Add a user to the organisation (admins only)."""
        with extensions.db().session() as session:
            accounts.users_of(session, scope())  # refuses a non-admin before anything
            user = accounts.create_user(
                session,
                scope().tenant,
                data["username"],
                data["password"],
                data["roles"],
                data["municipalities"],
            )
        audit_event("created", "user", user.id, details={"roles": user.roles})
        return describe_user(user)


@blp.route("/users/<user_id>", endpoint="user_item", methods=["GET"])
@blp.response(200, UserOutSchema)
@blp.alt_response(404, schema=ErrorSchema, description=UNKNOWN_USER)
@blp.doc(responses=error_responses(ADMIN_ERRORS))
def user_item(user_id: str):
    """A user of the organisation (admins only)."""
    with extensions.db().session() as session:
        return describe_user(accounts.user_in(session, scope(), user_id))


@blp.route("/users/<user_id>/password", endpoint="user_password", methods=["POST"])
@blp.arguments(PasswordSchema)
@blp.response(200, UserOutSchema)
@blp.alt_response(404, schema=ErrorSchema, description=UNKNOWN_USER)
@blp.doc(responses=error_responses(ADMIN_ERRORS))
def reset_password(data: dict, user_id: str):
    """Set a user's password (admins only)."""
    with extensions.db().session() as session:
        user = accounts.user_in(session, scope(), user_id)
        accounts.set_password(session, user, data["password"])
    audit_event("changed_password", "user", user.id)
    return describe_user(user)


@blp.route("/users/<user_id>/deactivate", endpoint="user_deactivate", methods=["POST"])
@blp.response(200, UserOutSchema)
@blp.alt_response(404, schema=ErrorSchema, description=UNKNOWN_USER)
@blp.doc(responses=error_responses(ADMIN_ERRORS))
def deactivate(user_id: str):
    """Deactivate a user who left: no sign-in, and every token of theirs revoked (admins)."""
    with extensions.db().session() as session:
        user = accounts.user_in(session, scope(), user_id)
        accounts.deactivate(session, user)
    audit_event("deactivated", "user", user.id)
    return describe_user(user)
