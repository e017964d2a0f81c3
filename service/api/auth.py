"""Who is asking: the bearer token of every /api/v1 request, the client's address, and the
rate limits (Flask-Limiter) per token, per user and, for sign-in only, per address.

Every /api/v1 endpoint needs a token but sign-in; the probes (/healthz, /readyz) and the API
docs (/api/docs, /api/openapi.json) are outside /api/v1 and open.
"""

from __future__ import annotations

import time

from flask import Flask, current_app, g, request
from flask_limiter import ApplicationLimit, HeaderNames, Limiter
from limits import parse

from service import accounts, extensions
from service.accounts import Principal
from service.audit import Actor
from service.errors import Forbidden, TooManyRequests, Unauthorized

PROTECTED_PREFIX = "/api/v1/"
# Endpoints of /api/v1 a request reaches without a token.
PUBLIC_ENDPOINTS = {"accounts.sign_in"}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
INVALID_TOKEN_ERROR = "The token is unknown, expired or revoked, or its account is deactivated."
READ_ONLY_ERROR = "This token is read-only: it may only read (GET)."
SECURITY_SCHEME = "bearerAuth"

_LIMITER = "docgen.limiter"
_REDIS_TIMEOUTS = {"socket_timeout": 1, "socket_connect_timeout": 1}
SIGN_IN_LIMIT_ERROR = (
    "Too many sign-in attempts from this address; retry after the seconds of Retry-After."
)


def client_address() -> str:
    """The client's address: the last one in the configured proxy header (the one the nearest
    proxy saw), else the peer's."""
    header = current_app.config["CLIENT_ADDRESS_HEADER"]
    if header:
        given = request.headers.get(header, "")
        last = given.split(",")[-1].strip()
        if last:
            return last[:64]
    return (request.remote_addr or "")[:64]


def authenticate() -> None:
    """Before each request: find the principal of an /api/v1 request's bearer token, or
    refuse it (401; 403 for a write with a read-only token)."""
    if not request.path.startswith(PROTECTED_PREFIX) or request.endpoint in PUBLIC_ENDPOINTS:
        return
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthorized()
    with extensions.db().session() as session:
        principal = accounts.authenticate(session, secret.strip())
    if principal is None:
        raise Unauthorized(INVALID_TOKEN_ERROR)
    if principal.read_only and request.method not in SAFE_METHODS:
        raise Forbidden(READ_ONLY_ERROR)
    g.principal = principal


def principal() -> Principal:
    """The principal of this request (authenticate() has run)."""
    found = g.get("principal")
    if found is None:  # a protected view reached without authentication: a defect
        raise Unauthorized()
    return found


def actor() -> Actor:
    """This request's principal as the audit log names it."""
    found = principal()
    return Actor(
        found.scope.tenant, found.user_id, found.username, found.token_id, client_address()
    )


# Flask-Limiter would set Retry-After on every response (over a 503's own): it writes it
# under this name instead, and a refusal's handler (service.api.errors) sets Retry-After.
_LIMITER_RETRY_AFTER = "X-Docgen-Limiter-Retry-After"


def _retry_after_only_when_refused(response):
    """Keep Flask-Limiter's X-RateLimit headers, not its Retry-After of every response."""
    response.headers.pop(_LIMITER_RETRY_AFTER, None)
    return response


def seconds_until_reset() -> int:
    """Seconds until the limit this request broke lets requests through again."""
    limiter: Limiter = current_app.extensions[_LIMITER]
    current = limiter.current_limit
    if current is None:
        return 60
    return max(1, int(current.reset_at - time.time()))


def _token_key() -> str:
    return f"token:{g.principal.token_id}"


def _user_key() -> str:
    return f"user:{g.principal.user_id}"


def _anonymous() -> bool:
    return g.get("principal") is None


def init_auth(app: Flask) -> None:
    """Authenticate every /api/v1 request, then count it against its token's and its user's
    limits (one Limiter per app: its storage is the app's)."""
    app.before_request(authenticate)  # before the limiter's own hook: its keys need it
    app.after_request(_retry_after_only_when_refused)  # runs after the limiter's headers
    storage = app.config["RATE_LIMIT_STORAGE_URI"]
    limiter = Limiter(
        key_func=client_address,
        application_limits=[
            ApplicationLimit(
                lambda: current_app.config["RATE_LIMIT_PER_TOKEN"],
                key_function=_token_key,
                exempt_when=_anonymous,
                scope="token",
            ),
            ApplicationLimit(
                lambda: current_app.config["RATE_LIMIT_PER_USER"],
                key_function=_user_key,
                exempt_when=_anonymous,
                scope="user",
            ),
        ],
        headers_enabled=True,
        header_name_mapping={HeaderNames.RETRY_AFTER: _LIMITER_RETRY_AFTER},
        storage_uri=storage,
        # Redis away: the limits count in this process' memory meanwhile, and a request never
        # fails or waits long because of them.
        storage_options=_REDIS_TIMEOUTS if storage.startswith("redis") else {},
        in_memory_fallback_enabled=True,
        swallow_errors=True,
        key_prefix="docgen",
    )
    limiter.init_app(app)
    app.extensions[_LIMITER] = limiter


def count_sign_in() -> None:
    """Count a sign-in attempt against its address' limit; TooManyRequests past it."""
    limiter: Limiter = current_app.extensions[_LIMITER]
    limit = parse(current_app.config["RATE_LIMIT_SIGN_IN"])
    address = client_address()
    if not limiter.limiter.hit(limit, "sign-in", address):
        reset, _remaining = limiter.limiter.get_window_stats(limit, "sign-in", address)
        raise TooManyRequests(SIGN_IN_LIMIT_ERROR, retry_after=max(1, int(reset - time.time()) + 1))
