"""Accounts: organisations, users with roles, passwords and API tokens.

Passwords are hashed with Argon2id (RFC 9106's low-memory profile: memory-hard, 64 MiB, 3
passes).
A token is 32 random bytes shown once; only its SHA-256 is kept (a token is as random as a
key, so a fast hash is enough, and checking one costs one indexed read per request). A
deactivated user's tokens stop working with it; a token may be revoked, expire, or be
read-only (GET only).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from argon2 import Parameters, PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service.errors import Conflict, Forbidden, InvalidInput, NotFound
from service.models import ApiToken, Municipality, Organisation, User, utcnow
from service.tenancy import ALL_ROLES, Role, Scope

TOKEN_PREFIX = "dgk_"
# Where the records made before accounts were migrated (service/migrations/versions/0007).
LOCAL_ORGANISATION = "local"
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,99}$")
MIN_PASSWORD = 12
# A hash no password matches: an account that signs in with tokens only.
NO_PASSWORD = "!"
# How long a token issued at sign-in lasts.
SIGN_IN_TOKEN_HOURS = 12

# Argon2id with RFC 9106's low-memory profile (argon2-cffi's default): 64 MiB, 3 passes, 4
# lanes.
DEFAULT_PROFILE = profiles.RFC_9106_LOW_MEMORY
_hasher = PasswordHasher.from_parameters(DEFAULT_PROFILE)

USER_NOT_FOUND_ERROR = "User not found."
TOKEN_NOT_FOUND_ERROR = "Token not found."
USERNAME_TAKEN_ERROR = "This username is taken."
USERNAME_ERROR = (
    "2 to 100 characters: lower-case Latin letters, digits and . _ @ -, starting with a "
    "letter or a digit."
)
PASSWORD_ERROR = "The password must have at least {min} characters."
ROLES_ERROR = "Give at least one role: secretary, coordinator or admin."
MUNICIPALITIES_ERROR = "Not a municipality of this organisation: {id}."
ORGANISATION_KIND_ERROR = "The kind of an organisation is municipality or district."
ORGANISATION_NOT_FOUND_ERROR = "Organisation not found."


class UserNotFound(NotFound):
    message = USER_NOT_FOUND_ERROR


class TokenNotFound(NotFound):
    message = TOKEN_NOT_FOUND_ERROR


@dataclass(frozen=True)
class Principal:
    """Who a request acts as: the user, the token it came with, and the user's scope."""

    user_id: str
    username: str
    token_id: str | None
    read_only: bool
    scope: Scope


def use_password_profile(parameters: Parameters) -> None:
    """Hash new passwords with other Argon2 parameters (the tests' cheapest profile); hashes
    made before still verify, each by its own parameters."""
    global _hasher
    _hasher = PasswordHasher.from_parameters(parameters)
    _dummy_hash.cache_clear()


@cache
def _dummy_hash() -> str:
    """Verified against when the user is unknown, so that a wrong name takes as long as a
    wrong password (made once, at the first sign-in)."""
    return _hasher.hash(secrets.token_hex(16))


def hash_password(password: str) -> str:
    """The Argon2id hash of `password`, refused when it is too short."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise InvalidInput(errors={"password": [PASSWORD_ERROR.format(min=MIN_PASSWORD)]})
    return _hasher.hash(password)


def _password_matches(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def new_password() -> str:
    """A random password for a new account (20 characters, 120 bits)."""
    return secrets.token_urlsafe(15)


def scope_of(user: User) -> Scope:
    """The scope a user acts in."""
    municipalities = None if user.municipalities is None else frozenset(user.municipalities)
    return Scope(user.organisation_id, municipalities, frozenset(Role(r) for r in user.roles))


def create_organisation(
    session: Session, name: str, kind: str, organisation_id: str | None = None
) -> Organisation:
    """Add an organisation (a tenant): a municipality's office or a district office."""
    if kind not in ("municipality", "district"):
        raise InvalidInput(errors={"kind": [ORGANISATION_KIND_ERROR]})
    organisation = Organisation(id=organisation_id or uuid.uuid4().hex, name=name, kind=kind)
    session.add(organisation)
    session.flush()
    return organisation


def get_organisation(session: Session, organisation_id: str) -> Organisation:
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound(ORGANISATION_NOT_FOUND_ERROR)
    return organisation


def create_user(
    session: Session,
    organisation_id: str,
    username: str,
    password: str | None,
    roles: list[str],
    municipalities: list[str] | None,
) -> User:
    """Add a user to an organisation; `password` None: the account signs in with tokens only;
    `municipalities` None: it acts for all of the organisation's."""
    errors: dict[str, list[str]] = {}
    if not isinstance(username, str) or not USERNAME.match(username):
        errors["username"] = [USERNAME_ERROR]
    elif session.scalar(select(User.id).where(User.username == username)):
        errors["username"] = [USERNAME_TAKEN_ERROR]
    if not roles or any(r not in {role.value for role in Role} for r in roles):
        errors["roles"] = [ROLES_ERROR]
    for municipality_id in municipalities or []:
        owner = session.scalar(
            select(Municipality.tenant).where(Municipality.id == municipality_id)
        )
        if owner != organisation_id:
            errors.setdefault("municipalities", []).append(
                MUNICIPALITIES_ERROR.format(id=municipality_id)
            )
    if errors:
        raise InvalidInput(errors=errors)
    user = User(
        id=uuid.uuid4().hex,
        organisation_id=organisation_id,
        username=username,
        password_hash=NO_PASSWORD if password is None else hash_password(password),
        roles=sorted(set(roles)),
        municipalities=None if municipalities is None else sorted(set(municipalities)),
    )
    session.add(user)
    session.flush()
    return user


def create_admin(
    session: Session, organisation_id: str, username: str, password: str | None
) -> User:
    """An account with every role over all the organisation's municipalities."""
    return create_user(session, organisation_id, username, password, sorted(ALL_ROLES), None)


def find_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise UserNotFound()
    return user


def users_of(session: Session, scope: Scope) -> list[User]:
    """The users of the scope's organisation (an admin's view)."""
    _require_admin(scope)
    return list(
        session.scalars(
            select(User).where(User.organisation_id == scope.tenant).order_by(User.username)
        )
    )


def user_in(session: Session, scope: Scope, user_id: str) -> User:
    """A user of the scope's organisation (an admin's view); UserNotFound for any other."""
    _require_admin(scope)
    user = session.get(User, user_id)
    if user is None or user.organisation_id != scope.tenant:
        raise UserNotFound()
    return user


def _require_admin(scope: Scope) -> None:
    if not scope.has(Role.ADMIN):
        raise Forbidden("Only an admin of the organisation may do this.")


def has_admin(session: Session) -> bool:
    """Whether any active user holds the admin role."""
    users = session.scalars(select(User).where(User.deactivated_at.is_(None)))
    return any(Role.ADMIN in user.roles for user in users)


def set_password(session: Session, user: User, password: str) -> None:
    """Replace a user's password (the tokens it has stay; deactivate to end them)."""
    user.password_hash = hash_password(password)
    session.flush()


def deactivate(session: Session, user: User) -> None:
    """A user who left: no sign-in, and every token of theirs revoked."""
    now = utcnow()
    user.deactivated_at = user.deactivated_at or now
    session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    session.flush()


def issue_token(
    session: Session,
    user: User,
    name: str,
    *,
    read_only: bool,
    expires_at: datetime | None,
) -> tuple[ApiToken, str]:
    """A new token of `user`: its record, and the token itself (shown once, never stored)."""
    if user.deactivated_at is not None:
        raise Conflict("The user is deactivated.")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        id=uuid.uuid4().hex,
        user_id=user.id,
        name=name,
        token_sha256=_digest(secret),
        read_only=read_only,
        expires_at=expires_at,
    )
    session.add(token)
    session.flush()
    return token, secret


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def authenticate(session: Session, secret: str) -> Principal | None:
    """The principal of a token, or None if it is unknown, revoked, expired or its user's
    account is deactivated."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    found = session.execute(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_sha256 == _digest(secret))
    ).first()
    if found is None:
        return None
    token, user = found
    now = utcnow()
    if token.revoked_at is not None or user.deactivated_at is not None:
        return None
    if token.expires_at is not None and token.expires_at <= now:
        return None
    return Principal(user.id, user.username, token.id, token.read_only, scope_of(user))


def sign_in(session: Session, username: str, password: str) -> User | None:
    """The active user with this name and password, or None (in about the same time)."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None or user.password_hash == NO_PASSWORD:
        _password_matches(_dummy_hash(), password)
        return None
    if not _password_matches(user.password_hash, password) or user.deactivated_at is not None:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user


def sign_in_token(session: Session, user: User, *, read_only: bool) -> tuple[ApiToken, str]:
    """The token a sign-in gives: it expires after SIGN_IN_TOKEN_HOURS."""
    expires = utcnow() + timedelta(hours=SIGN_IN_TOKEN_HOURS)
    return issue_token(session, user, "sign-in", read_only=read_only, expires_at=expires)


def tokens_of(session: Session, user_id: str) -> list[ApiToken]:
    return list(
        session.scalars(
            select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.created_at)
        )
    )


def revoke_token(session: Session, principal: Principal, token_id: str) -> ApiToken:
    """Revoke one of the principal's tokens (an admin: any of its organisation's users');
    TokenNotFound for any other."""
    found = session.execute(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.id == token_id)
    ).first()
    if found is None:
        raise TokenNotFound()
    token, owner = found
    mine = owner.id == principal.user_id
    admin_of = principal.scope.has(Role.ADMIN) and owner.organisation_id == principal.scope.tenant
    if not (mine or admin_of):
        raise TokenNotFound()
    token.revoked_at = token.revoked_at or utcnow()
    session.flush()
    return token


def token_state(token: ApiToken) -> str:
    """active, revoked or expired."""
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= utcnow():
        return "expired"
    return "active"


def move_records(session: Session, source: str, target: str) -> dict[str, int]:
    """Move every record of organisation `source` into `target` (the records made before
    accounts are in "local"): its documents, batches and municipalities; how many of each."""
    from service.models import Batch, DocumentRecord

    get_organisation(session, target)
    moved = {}
    for name, model in (
        ("municipalities", Municipality),
        ("documents", DocumentRecord),
        ("batches", Batch),
    ):
        result = session.execute(
            update(model)
            .where(model.tenant == source)
            .values(tenant=target)
            .execution_options(synchronize_session=False)
        )
        moved[name] = result.rowcount
    return moved
